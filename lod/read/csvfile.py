"""CSV (``.csv``): the archive's field names as the header; multi-valued cells split on ``|``."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from typing import BinaryIO

from lod.errors import Place, ReadError
from lod.model import Origin, Record
from lod.read.archive_fields import FIELDS, record_from_fields
from lod.read.unit import Unit

SEPARATOR = "|"


def split(path: str, handle: BinaryIO) -> Iterator[Unit | ReadError]:
    """A unit (the row's values by column) or a ReadError per row; a bad row (more cells than
    the header, bytes that are not UTF-8, NUL) never stops the others."""
    try:
        reader = csv.DictReader(_text_lines(handle))
        header = [name.strip() for name in reader.fieldnames or []]
        if "title" not in header:
            known = [name for name in header if name in FIELDS]
            raise ReadError(
                "CSV header has no 'title' column" + (
                    f" (found {', '.join(known)})" if known else
                    f" and none of the archive's columns (found {', '.join(header[:5]) or 'nothing'})"),
                Place(path, line=1),
                hint="the first row must name the columns: title, original_publication_date, ...",
            )
        reader.fieldnames = header
    except ReadError as error:
        yield error
        return
    record_number = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield ReadError(f"malformed CSV ({error})", Place(path, line=reader.line_num))
            return
        record_number += 1
        line = reader.line_num  # the row's last physical line; rows may span lines
        if None in row:
            yield ReadError(f"row has more cells than the header ({len(header)})",
                            Place(path, line=line))
            continue
        values = {name: (value if value != "" else None) for name, value in row.items()}
        bad = _BAD_TEXT.search("".join(filter(None, values.values())))
        if bad:
            yield ReadError(_bad_text_reason(bad.group()), Place(path, line=line),
                            hint=None if bad.group() == "\x00" else "save the file as UTF-8")
            continue
        yield Unit(".csv", path, line, record_number, values)


def title(unit: Unit) -> str:
    """The row's title as printed (for grouping records)."""
    return unit.data.get("title") or ""


def parse(unit: Unit) -> Record | ReadError:
    try:
        return record_from_fields(unit.data, Origin(unit.path, line=unit.line, record=unit.record), SEPARATOR)
    except ReadError as error:
        return error


#: A byte that was not UTF-8 (decoded with surrogateescape) or a NUL.
_BAD_TEXT = re.compile("[\udc80-\udcff\x00]")


def _bad_text_reason(char: str) -> str:
    if char == "\x00":
        return "contains NUL bytes; not a CSV text file"
    return f"not UTF-8 (byte 0x{ord(char) - 0xDC00:02x})"


def _text_lines(handle: BinaryIO) -> Iterator[str]:
    """The file's lines decoded one at a time (line endings kept, as the csv module wants them).

    Bytes that are not UTF-8 survive as lone surrogates, so the row holding them is
    rejected and the rows after it are still read.
    """
    for number, raw in enumerate(handle):
        yield raw.decode("utf-8-sig" if number == 0 else "utf-8", "surrogateescape")
