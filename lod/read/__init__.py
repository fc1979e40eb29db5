"""Stage 1, read: input files -> typed Records (or ReadErrors with their place).

Readers are looked up by file extension in one registry. Each has two halves:
``split`` cuts a file into :class:`~lod.read.unit.Unit` s and ``parse`` turns one
unit into a Record; the export splits in its main process and parses in the
workers. Line readers (JSON Lines, CSV) split the file's lines as
:func:`lod.read.text.lines` gives them, so memory does not grow with the size of a
file; a whole-file reader (a page) gets the file, read whole, as UTF-8. Every
record is then held to the :class:`~lod.limits.Limits`. Folders are walked in
sorted order; only regular files are read (a FIFO, device or socket would hang the
export); files of other types inside a folder are skipped and reported, while one
named on the command line is an error.
"""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from lod.errors import Place, ReadError
from lod.limits import Limits
from lod.model import Origin, Record
from lod.read import csvfile, jsonlines, page, text
from lod.read.archive_fields import over_limits
from lod.read.unit import Unit

#: File extension -> reader module: ``split``, ``parse``, ``count(handle)`` (about how many
#: records an open file holds, for progress) and optionally a quick ``title(unit)``.
READERS = {".txt": page, ".jsonl": jsonlines, ".csv": csvfile}
#: Readers that take a whole file as one record: ``split(path, handle)``, ``parse(unit)``.
#: The others read lines: ``split(path, lines, limits)``, ``parse(unit, limits)``.
WHOLE_FILE_READERS = (page,)


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
                    if _not_utf8(file):
                        yield Skipped(_shown(file), "file name is not UTF-8; rename the file to read it")
                    elif Path(name).suffix.lower() not in READERS:
                        yield Skipped(file, f"unknown file type; lod reads {', '.join(READERS)}")
                    elif _not_regular(file):
                        yield Skipped(file, f"{_not_regular(file)}; lod reads regular files only")
                    else:
                        yield file
        elif _not_utf8(given):
            yield ReadError("file name is not UTF-8; rename the file to read it", Place(_shown(given)))
        elif not os.path.lexists(given):
            yield ReadError("no such file or folder", Place(given))
        elif _not_regular(given):
            yield ReadError(f"{_not_regular(given)}; lod reads regular files only", Place(given))
        elif path.suffix.lower() in READERS:
            yield given
        else:
            yield ReadError(f"unknown file type {path.suffix or '(none)'!r}; "
                            f"lod reads {', '.join(READERS)}", Place(given))


def _not_utf8(path: str) -> bool:
    """Whether a path holds bytes that are not UTF-8 (Python gives them as lone surrogates,
    which no output file can hold: the record's provenance, links.csv, report.json)."""
    return not path.isascii() and any("\udc80" <= c <= "\udcff" for c in path)


def _shown(path: str) -> str:
    """A path that is not UTF-8, shown with its bad bytes escaped (``caf\\xe9.jsonl``)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder"))


def _not_regular(path: str) -> str | None:
    """What ``path`` is when it is not a regular file (symbolic links followed): reading a
    FIFO, a device or a socket could block forever or never end."""
    try:
        return _kind(os.stat(path).st_mode)
    except OSError as error:
        return "a broken symbolic link" if os.path.islink(path) else f"cannot be read ({error.strerror})"


def _kind(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    return next((what for test, what in _KINDS if test(mode)), "not a regular file")


def read_file(path: str, limits: Limits = Limits()) -> Iterator[Record | ReadError]:
    """Records of one file; an empty file is an error, not silence."""
    for item in split_file(path, limits):
        yield parse(item, limits) if isinstance(item, Unit) else item


def parse(unit: Unit, limits: Limits = Limits()) -> Record | ReadError:
    """The Record a unit holds, or the ReadError that says what is wrong with it."""
    reader = READERS[unit.kind]
    if reader not in WHOLE_FILE_READERS:
        return reader.parse(unit, limits)  # held to the limits as its values are read
    record = reader.parse(unit)
    return (over_limits(record, limits) or record) if isinstance(record, Record) else record


def title(unit: Unit) -> str:
    """A unit's title as printed, for grouping captures before the record is parsed whole: from
    the reader's own quick ``title`` when it has one, else from the parsed record ("" if none)."""
    reader = READERS[unit.kind]
    if hasattr(reader, "title"):
        return reader.title(unit)
    record = reader.parse(unit)
    return record.title if isinstance(record, Record) else ""


def split_file(path: str, limits: Limits = Limits()) -> Iterator[Unit | ReadError]:
    """The units of one file (see :func:`read_file`)."""
    try:
        # Without blocking: a FIFO put in the file's place since it was listed would block the open.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as error:
        yield ReadError(f"cannot read ({error.strerror})", Place(path))
        return
    with open(descriptor, "rb") as handle:
        other = _kind(os.fstat(descriptor).st_mode)
        if other:
            yield ReadError(f"{other}; lod reads regular files only", Place(path))
            return
        os.set_blocking(descriptor, True)
        if _blank(handle):
            yield ReadError("file is empty", Place(path))
            return
        reader = READERS[Path(path).suffix.lower()]
        if reader not in WHOLE_FILE_READERS:
            yield from reader.split(path, text.lines(path, handle, limits.line_bytes), limits)
            return
        size = os.fstat(descriptor).st_size
        if size > limits.page_bytes:
            yield ReadError(f"file is {size:,} bytes, over the {limits.page_bytes:,} a page may have "
                            "(limits.page_bytes)", Place(path))
            return
        try:
            data = text.transcoded(path, handle.read(limits.page_bytes + 1))
        except ReadError as error:
            yield error
            return
        yield from reader.split(path, io.BytesIO(data))


def _blank(handle: BinaryIO) -> bool:
    """True when the file holds only white space, in whichever Unicode encoding (ASCII white
    space and the NULs of UTF-16/32); else rewinds it for the reader."""
    handle.seek(text.sniff(handle.read(4))[1])
    for block in iter(lambda: handle.read(1 << 16), b""):
        if block.strip(b" \t\n\r\x0b\x0c\x00"):
            handle.seek(0)
            return False
    return True


def read_inputs(paths: Iterable[str], limits: Limits = Limits()) -> Iterator[Record | ReadError | Skipped]:
    for item in split_inputs(paths, limits):
        yield parse(item, limits) if isinstance(item, Unit) else item


def split_inputs(paths: Iterable[str], limits: Limits = Limits()) -> Iterator[Unit | ReadError | Skipped]:
    for item in input_files(paths):
        if isinstance(item, str):
            yield from split_file(item, limits)
        else:
            yield item


def reread(origins: Iterable[Origin], limits: Limits = Limits()) -> list[Record | ReadError]:
    """The records at ``origins`` (file and line or record number), read again from their files.

    For the rare document whose captures only meet once the whole export is known (one
    landing page printed with two different titles); each file is read once.
    """
    wanted: dict[str, set] = {}
    for origin in origins:  # a page is one record at line 1
        wanted.setdefault(origin.file, set()).add((origin.line or 1, origin.record))
    found = []
    for path, places in sorted(wanted.items()):
        for unit in split_file(path, limits):
            if isinstance(unit, Unit) and (unit.line or 1, unit.record) in places:
                found.append(parse(unit, limits))
    return found


def count_records(paths: Iterable[str]) -> int:
    """A cheap estimate of how many records the inputs hold (for the progress bar): each reader's
    ``count`` of an open file."""
    total = 0
    for item in input_files(paths):
        if not isinstance(item, str):
            continue
        try:
            with open(item, "rb") as handle:
                total += READERS[Path(item).suffix.lower()].count(handle)
        except OSError:
            continue
    return total
