"""JSON Lines (``.jsonl``): one record per line in the archive's own field names; a bad line never stops the others."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import BinaryIO

from lod.errors import Place, ReadError
from lod.model import Origin, Record
from lod.read.archive_fields import record_from_fields
from lod.read.text import decode_utf8
from lod.read.unit import Unit


def split(path: str, handle: BinaryIO) -> Iterator[Unit]:
    """One unit per non-empty line (binary lines end at LF only)."""
    record_number = 0
    for number, raw in enumerate(handle, start=1):
        if raw.strip():
            record_number += 1
            yield Unit(".jsonl", path, number, record_number, raw)


def title(unit: Unit) -> str:
    """The line's title as printed, cheaply (for grouping records); "" when it has none to give."""
    try:
        values = json.loads(unit.data)
    except (ValueError, RecursionError):
        return ""
    value = values.get("title") if isinstance(values, dict) else None
    return value if isinstance(value, str) else ""


def parse(unit: Unit) -> Record | ReadError:
    """The line's Record, or the ReadError that says what is wrong with it."""
    path, number = unit.path, unit.line
    try:
        if b"\x00" in unit.data:  # strict JSON rejects it too, but with a less useful message
            raise ReadError("contains NUL bytes", Place(path, line=number))
        line = decode_utf8(unit.data, path, first_line=number)
        try:
            values = json.loads(line)
        except json.JSONDecodeError as error:
            raise ReadError(f"invalid JSON ({error.msg} at column {error.colno})",
                            Place(path, line=number)) from None
        if not isinstance(values, dict):
            raise ReadError("a line must hold one JSON object", Place(path, line=number))
        return record_from_fields(values, Origin(path, line=number, record=unit.record))
    except ReadError as error:
        return error
