"""A record's raw form: split from its file cheaply, parsed into a Record elsewhere.

Splitting (finding where each record is) runs where the files are read; parsing
(decoding, JSON, field rules) runs in the workers with the rest of the per-record
work, so the reading process never becomes the bottleneck.
"""

from __future__ import annotations

from typing import NamedTuple


class Unit(NamedTuple):
    """One record as found in its file: which reader parses it, where it is, its raw data."""

    kind: str  # the reader's file extension, e.g. ".jsonl"
    path: str
    line: int | None  # first line of the record (1-based); None for a whole-file record
    record: int | None  # its number among the file's records
    data: object  # the reader's raw form: the line's bytes, the CSV row's values, the page's bytes
