"""CSV (``.csv``): the archive's field names as the header; multi-valued cells split on ``|``."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from lod.errors import Place, ReadError
from lod.model import Origin, Record
from lod.read.archive_fields import FIELDS, record_from_fields
from lod.read.text import decode_utf8

SEPARATOR = "|"


def read(path: str, data: bytes) -> Iterator[Record | ReadError]:
    try:
        text = decode_utf8(data, path)
        if "\x00" in text:
            raise ReadError("contains NUL bytes; not a CSV text file", Place(path))
        reader = csv.DictReader(io.StringIO(text, newline=""))
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
        try:
            yield record_from_fields(values, Origin(path, line=line, record=record_number), SEPARATOR)
        except ReadError as error:
            yield error
