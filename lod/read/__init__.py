"""Stage 1, read: input files -> typed Records (or ReadErrors with their place).

Readers are looked up by file extension in one registry. Each has two halves:
``split`` streams an open binary file into :class:`~lod.read.unit.Unit` s (JSON Lines
and CSV a line at a time, so memory does not grow with the size of a file) and
``parse`` turns one unit into a Record; the export splits in its main process and
parses in the workers. Folders are walked in sorted order; files of other types
inside a folder are skipped and reported, while an unknown file named on the
command line is an error.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from lod.errors import Place, ReadError
from lod.model import Origin, Record
from lod.read import csvfile, jsonlines, page
from lod.read.unit import Unit

#: File extension -> reader module (``split(path, handle)``, ``parse(unit)`` and optionally a quick
#: ``title(unit)``).
READERS = {".txt": page, ".jsonl": jsonlines, ".csv": csvfile}


@dataclass(frozen=True)
class Skipped:
    """A file inside an input folder that no reader handles."""

    path: str
    reason: str


def input_files(paths: Iterable[str]) -> Iterator[str | Skipped | ReadError]:
    """Every file to read, in a stable order, plus what was skipped and why."""
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.startswith("."):
                        continue
                    file = os.path.join(root, name)
                    if Path(name).suffix.lower() in READERS:
                        yield file
                    else:
                        yield Skipped(file, f"unknown file type; lod reads {', '.join(READERS)}")
        elif path.is_file():
            if path.suffix.lower() in READERS:
                yield given
            else:
                yield ReadError(f"unknown file type {path.suffix or '(none)'!r}; "
                                f"lod reads {', '.join(READERS)}", Place(given))
        else:
            yield ReadError("no such file or folder", Place(given))


def read_file(path: str) -> Iterator[Record | ReadError]:
    """Records of one file; an empty file is an error, not silence."""
    for item in split_file(path):
        yield parse(item) if isinstance(item, Unit) else item


def parse(unit: Unit) -> Record | ReadError:
    """The Record a unit holds, or the ReadError that says what is wrong with it."""
    return READERS[unit.kind].parse(unit)


def title(unit: Unit) -> str:
    """A unit's title as printed, for grouping captures before the record is parsed whole: from
    the reader's own quick ``title`` when it has one, else from the parsed record ("" if none)."""
    reader = READERS[unit.kind]
    if hasattr(reader, "title"):
        return reader.title(unit)
    record = reader.parse(unit)
    return record.title if isinstance(record, Record) else ""


def split_file(path: str) -> Iterator[Unit | ReadError]:
    """The units of one file (see :func:`read_file`)."""
    try:
        handle = open(path, "rb")
    except OSError as error:
        yield ReadError(f"cannot read ({error.strerror})", Place(path))
        return
    with handle:
        if _blank(handle):
            yield ReadError("file is empty", Place(path))
            return
        yield from READERS[Path(path).suffix.lower()].split(path, handle)


def _blank(handle: BinaryIO) -> bool:
    """True when the file holds only white space; else rewinds it for the reader."""
    for block in iter(lambda: handle.read(1 << 16), b""):
        if block.strip():
            handle.seek(0)
            return False
    return True


def read_inputs(paths: Iterable[str]) -> Iterator[Record | ReadError | Skipped]:
    for item in split_inputs(paths):
        yield parse(item) if isinstance(item, Unit) else item


def split_inputs(paths: Iterable[str]) -> Iterator[Unit | ReadError | Skipped]:
    for item in input_files(paths):
        if isinstance(item, str):
            yield from split_file(item)
        else:
            yield item


def reread(origins: Iterable[Origin]) -> list[Record | ReadError]:
    """The records at ``origins`` (file and line or record number), read again from their files.

    For the rare document whose captures only meet once the whole export is known (one
    landing page printed with two different titles); each file is read once.
    """
    wanted: dict[str, set] = {}
    for origin in origins:  # a page is one record at line 1
        wanted.setdefault(origin.file, set()).add((origin.line or 1, origin.record))
    found = []
    for path, places in sorted(wanted.items()):
        for unit in split_file(path):
            if isinstance(unit, Unit) and (unit.line or 1, unit.record) in places:
                found.append(parse(unit))
    return found


def count_records(paths: Iterable[str]) -> int:
    """A cheap estimate of how many records the inputs hold (for the progress bar)."""
    total = 0
    for item in input_files(paths):
        if not isinstance(item, str):
            continue
        if item.lower().endswith(".txt"):
            total += 1
            continue
        try:
            with open(item, "rb") as handle:
                lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
        except OSError:
            continue
        total += lines if item.lower().endswith(".jsonl") else max(lines - 1, 0)
    return total
