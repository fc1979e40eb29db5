"""JSON Lines (``.jsonl``): one record per line in the archive's own field names; a bad line never stops the others."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from lod.errors import Place, ReadError
from lod.limits import Limits
from lod.model import Origin, Record
from lod.read.archive_fields import loads, record_from_fields
from lod.read.text import count_lines, decode_utf8
from lod.read.unit import Unit


def split(path: str, lines: Iterable[bytes | ReadError],
          limits: Limits = Limits()) -> Iterator[Unit | ReadError]:
    """One unit per non-empty line; a line that could not be read is its ReadError. (The
    lines come bounded by :func:`lod.read.text.lines`: ``limits`` holds nothing more for them.)"""
    record_number = 0
    for number, raw in enumerate(lines, start=1):
        if isinstance(raw, ReadError):
            record_number += 1
            yield raw
        elif raw.strip():
            record_number += 1
            yield Unit(".jsonl", path, number, record_number, raw)


def count(handle: BinaryIO) -> int:
    """How many records the open file holds, about: one per line."""
    return count_lines(handle)


def title(unit: Unit) -> str:
    """The line's title as printed, cheaply (for grouping records); "" when it has none to give."""
    try:
        values = json.loads(unit.data)
    except (ValueError, RecursionError):
        return ""
    value = values.get("title") if isinstance(values, dict) else None
    return value if isinstance(value, str) else ""


def parse(unit: Unit, limits: Limits = Limits()) -> Record | ReadError:
    """The line's Record, or the ReadError that says what is wrong with it."""
    path, number = unit.path, unit.line
    try:
        if b"\x00" in unit.data:  # strict JSON rejects it too, but with a less useful message
            raise ReadError("contains NUL bytes", Place(path, line=number))
        line = decode_utf8(unit.data, path, first_line=number)
        try:
            values = loads(line)
        except ValueError as error:
            raise ReadError(f"invalid JSON ({error})", Place(path, line=number)) from None
        if not isinstance(values, dict):
            raise ReadError("a line must hold one JSON object", Place(path, line=number))
        return record_from_fields(values, Origin(path, line=number, record=unit.record), limits=limits)
    except ReadError as error:
        return error
