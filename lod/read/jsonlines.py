"""JSON Lines (``.jsonl``): one record per line in the archive's own field names."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import BinaryIO

from lod.errors import Place, ReadError
from lod.model import Origin, Record
from lod.read.archive_fields import record_from_fields
from lod.read.text import decode_utf8


def read(path: str, handle: BinaryIO) -> Iterator[Record | ReadError]:
    """Yield a Record or a ReadError per non-empty line; a bad line never stops the others."""
    record_number = 0
    for number, raw in enumerate(handle, start=1):  # binary lines end at LF only
        if not raw.strip():
            continue
        record_number += 1
        try:
            if b"\x00" in raw:  # strict JSON rejects it too, but with a less useful message
                raise ReadError("contains NUL bytes", Place(path, line=number))
            line = decode_utf8(raw, path, first_line=number)
            try:
                values = json.loads(line)
            except json.JSONDecodeError as error:
                raise ReadError(f"invalid JSON ({error.msg} at column {error.colno})",
                                Place(path, line=number)) from None
            if not isinstance(values, dict):
                raise ReadError("a line must hold one JSON object", Place(path, line=number))
            yield record_from_fields(values, Origin(path, line=number, record=record_number))
        except ReadError as error:
            yield error

