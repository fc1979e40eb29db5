"""CSV (``.csv``): the archive's field names as the header; multi-valued cells split on ``|``.

Cells are separated by commas, or by tabs when the header holds tabs and no comma.

Rows are read strictly (RFC 4180 quoting: a quoted cell closes before a comma or a
line end) and must have as many cells as the header. A row that breaks this — an
unbalanced quote that would swallow the rows after it into one cell, text after a
closing quote, a row longer than ``limits.line_bytes`` — is rejected at the line it
starts on, and the lines after that one are read again as rows: a bad row never
takes the rows after it along, and never merges them into one record.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections import deque
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from lod.errors import Place, ReadError
from lod.limits import Limits
from lod.model import Origin, Record
from lod.read.archive_fields import FIELDS, record_from_fields
from lod.read.text import count_lines
from lod.read.unit import Unit

SEPARATOR = "|"


def split(path: str, lines: Iterable[bytes | ReadError], limits: Limits = Limits()) -> Iterator[Unit | ReadError]:
    """A unit (the row's values by column) or a ReadError per row (see the module's rules);
    a bad row (malformed, more or fewer cells than the header, bytes that are not UTF-8,
    NUL) never stops the others. Units are numbered by the row's first line."""
    # The csv module refuses cells over 128 KiB by default (a process-wide setting):
    # lod's own bound is the row's, limits.line_bytes.
    csv.field_size_limit(max(csv.field_size_limit(), limits.line_bytes))
    source = _Lines(lines, limits.line_bytes)
    reader = csv.reader(source, strict=True, delimiter=_delimiter(source.peek()))
    try:
        header = _header(path, reader, source)
    except ReadError as error:
        yield error
        return
    record_number = 0
    while True:
        source.next_row()
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            problem = f"malformed CSV ({error})"
        except _TooLong:
            problem = f"row is longer than {limits.line_bytes:,} bytes (limits.line_bytes)"
        except _Unreadable as unreadable:
            yield unreadable.error
            if not source.row:
                continue
            problem = f"row runs into line {unreadable.number}, which cannot be read"
        else:
            if not cells:  # a blank line
                continue
            if len(cells) == len(header):
                record_number += 1
                yield _unit(path, source.row[0][0], record_number, dict(zip(header, cells)))
                continue
            problem = f"row has {len(cells)} cells; the header has {len(header)}"
        record_number += 1
        first, rest = (source.row[0][0], source.row[1:]) if source.row else (None, [])
        if rest:
            problem += (f"; a quote opened on this line may not close where a cell can end: "
                        f"the {len(rest)} line{'s' if len(rest) > 1 else ''} after it are read again as rows")
        yield ReadError(problem, Place(path, line=first))
        source.read_again(rest)


def count(handle: BinaryIO) -> int:
    """How many records the open file holds, about: its lines after the header."""
    return max(count_lines(handle) - 1, 0)


def title(unit: Unit) -> str:
    """The row's title as printed (for grouping records)."""
    return unit.data.get("title") or ""


def _delimiter(first: str | None) -> str:
    """A comma, or a tab for a header of tabs and no comma (spreadsheet programs save their
    "Unicode text" so: tab-separated UTF-16)."""
    return "\t" if first and "," not in first and "\t" in first else ","


def _header(path: str, reader, source: _Lines) -> list[str]:
    try:
        cells = next(reader, [])
        while not cells and source.row:  # blank lines before the header
            source.next_row()
            cells = next(reader, [])
    except (csv.Error, _TooLong) as error:
        raise ReadError(f"malformed CSV header ({error or 'too long'})", Place(path, line=1)) from None
    except _Unreadable as unreadable:
        raise unreadable.error from None
    header = [name.strip() for name in cells]
    bad = _BAD_TEXT.search("".join(header))
    if bad:
        raise ReadError(f"CSV header: {_bad_text_reason(bad.group())}", Place(path, line=source.row[0][0]),
                        hint="save the file as UTF-8")
    if "title" not in header:
        known = [name for name in header if name in FIELDS]
        shown = [name if name.isprintable() else repr(name) for name in header[:5]]  # the message is one line
        raise ReadError(
            "CSV header has no 'title' column" + (
                f" (found {', '.join(known)})" if known else
                f" and none of the archive's columns (found {', '.join(shown) or 'nothing'})"),
            Place(path, line=source.row[0][0] if source.row else 1),
            hint="the first row must name the columns: title, original_publication_date, ...",
        )
    return header


def _unit(path: str, line: int, record_number: int, row: dict[str, str]) -> Unit | ReadError:
    values = {name: (value if value != "" else None) for name, value in row.items()}
    bad = _BAD_TEXT.search("".join(filter(None, values.values())))
    if bad:
        return ReadError(_bad_text_reason(bad.group()), Place(path, line=line),
                         hint=None if bad.group() == "\x00" else "save the file as UTF-8")
    return Unit(".csv", path, line, record_number, values)


def parse(unit: Unit, limits: Limits = Limits()) -> Record | ReadError:
    try:
        return record_from_fields(unit.data, Origin(unit.path, line=unit.line, record=unit.record), SEPARATOR,
                                  limits)
    except ReadError as error:
        return error


#: A byte that was not UTF-8 (decoded with surrogateescape) or a NUL.
_BAD_TEXT = re.compile("[\udc80-\udcff\x00]")


def _bad_text_reason(char: str) -> str:
    if char == "\x00":
        return "contains NUL bytes; not a CSV text file"
    return f"not UTF-8 (byte 0x{ord(char) - 0xDC00:02x})"


class _TooLong(Exception):
    """The row in progress has grown past the limit."""


class _Unreadable(Exception):
    """The next line is a ReadError (too long, or not decodable)."""

    def __init__(self, number: int, error: ReadError):
        super().__init__(error.reason)
        self.number = number
        self.error = error


class _Lines:
    """The lines the csv module reads, as text, remembering those of the row in progress
    (number, text, bytes) so that the lines after a bad row's first can be read again.

    Bytes that are not UTF-8 survive as lone surrogates, so the row holding them is
    rejected and the rows after it are still read.
    """

    def __init__(self, lines: Iterable[bytes | ReadError], most: int):
        self._lines = enumerate(lines, start=1)
        self._again: deque[tuple[int, str, int]] = deque()
        self._most = most
        self.row: list[tuple[int, str, int]] = []
        self._size = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self._again:
            line = self._again.popleft()
        else:
            number, raw = next(self._lines)
            if isinstance(raw, ReadError):
                raise _Unreadable(number, raw)
            line = (number, raw.decode("utf-8", "surrogateescape"), len(raw))
        self.row.append(line)
        self._size += line[2]
        if self._size > self._most:
            raise _TooLong()
        return line[1]

    def peek(self) -> str | None:
        """The first line's text, left to be read (None for no readable line)."""
        for number, raw in self._lines:
            if isinstance(raw, ReadError):
                self._lines = itertools.chain([(number, raw)], self._lines)
                return None
            self._again.append((number, raw.decode("utf-8", "surrogateescape"), len(raw)))
            return self._again[0][1]
        return None

    def next_row(self) -> None:
        self.row = []
        self._size = 0

    def read_again(self, lines: list[tuple[int, str, int]]) -> None:
        self._again.extendleft(reversed(lines))
