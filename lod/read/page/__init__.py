"""Archive page text (``.txt``): every layout the archive's pages come in, detected from the content.

A page capture is one record. The layout is recognised from the structures near its
top (the pages' README and LAYOUTS.md describe them):

* ``Skip to content`` -> L-A; a date line then an empty line and the title -> L-A2;
  a date line then the title on the next line -> L-B0; a sentence then a date line ->
  L-B1 (the current site, :mod:`.current`);
* ``Search in`` -> L-C1/L-C2; the old design's ``get citation`` button without the
  search box -> L-C3; a date line, an empty line and an indented summary -> L-D (the
  old site, :mod:`.old`);
* the PDF export's banner or labels -> L-E; vdocument's ``TRANSCRIPT`` of it -> L-F
  (:mod:`.export`).

Each layout's function returns the values it found; this module turns them into a
Record. A title is never invented: a page that prints none is rejected.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from lod.errors import Place, ReadError
from lod.model import Origin, Record
from lod.read import fields as F
from lod.read.page import current, export, old
from lod.read.page.blocks import block_end, content_indexes, is_date_line, is_sentence, joined
from lod.read.text import decode_utf8
from lod.read.unit import Unit

#: Layout code -> the function that reads it.
PARSERS = {
    "L-A": current.read, "L-A2": current.read, "L-B0": current.read, "L-B1": current.read,
    "L-C1": old.read, "L-C2": old.read, "L-C3": old.read, "L-D": old.read_body_only,
    "L-E": export.read, "L-F": export.read_transcript,
}
LAYOUTS = tuple(PARSERS)
#: How far down the page the structures that tell the layouts apart are looked for.
_HEAD_LINES = 12


def split(path: str, handle: BinaryIO) -> Iterator[Unit]:
    """A page is one record, and small: read whole."""
    yield Unit(".txt", path, None, None, handle.read())


def count(handle: BinaryIO) -> int:
    """A page is one record."""
    return 1


def parse(unit: Unit) -> Record | ReadError:
    """The page's record, or the error that stopped it."""
    path = unit.path
    try:
        text = decode_utf8(unit.data, path)
        if "\x00" in text:
            raise ReadError("contains NUL bytes; not a text page", Place(path))
        return parse_page(text, path)
    except ReadError as error:
        return error


def detect_layout(lines: list[str]) -> str:
    """The layout code for a page, from the structures near its top."""
    content = content_indexes(lines)
    if not content:
        raise ValueError("empty page")
    head = [lines[i].strip() for i in content[:_HEAD_LINES]]
    first = head[0].lower()
    if first == "skip to content":
        return "L-A"
    if first == "search in":
        return "L-C1" if len(head) > 1 and head[1].upper().startswith("ADD SEARCH FILTER") else "L-C2"
    if export.is_transcript(lines):
        return "L-F"
    if export.starts_export(head):
        return "L-E"
    if any(line.lower() == "get citation" for line in head):
        return "L-C3"
    if is_date_line(head[0]):
        if len(content) == 1 or content[1] == content[0] + 1:
            return "L-B0"
        following = lines[content[1]]
        if following != following.lstrip() or is_sentence(joined(lines[content[1]:block_end(lines, content[1])])):
            return "L-D"  # the old site's summary (indented), never a title
        return "L-A2"
    if len(head) > 1 and is_date_line(head[1]):
        return "L-B1"
    raise ValueError("no archive page layout recognised (no 'Skip to content', 'Search in', date line, "
                     "citation block nor PDF export banner at the top)")


def parse_page(text: str, path: str) -> Record:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    try:
        layout = detect_layout(lines)
    except ValueError as error:
        raise ReadError(str(error), Place(path, line=1)) from None
    values = PARSERS[layout](lines, layout)
    title = F.clean_line(values.get("title"))
    if not title:
        raise ReadError(f"page ({layout}) prints no title: no title line and no citation to take one from",
                        Place(path, line=1, field="title"))
    date = F.parse_date(values.get("date") or values.get("citation_date"))
    warnings = ()
    if date and date.iso is None:
        warnings = (f"date {date.text!r} is not a date; kept as text",)
    body = F.clean_text(values.get("body"))
    record_id = F.clean_line(values.get("record_id"))
    url = values.get("url")
    funders = F.unique_names([*F.funders_from_credit(values.get("credit")), *values.get("donors", [])])
    return Record(
        title=title,
        identifiers=F.identifiers(url, record_id, title, date, F.document_numbers(body)),
        origin=Origin(file=path, line=1, layout=layout),
        description=F.clean_text(values.get("description")),
        summary=F.clean_text(values.get("summary")),
        body=body,
        date=date,
        authors=tuple(F.agent_from_printed(n) for n in values.get("authors", [])),
        contributors=tuple(F.agent_from_printed(n) for n in values.get("contributors", [])),
        associated=tuple(F.agent_from_printed(n) for n in values.get("associated", [])),
        places=tuple(F.place_from_printed(n) for n in values.get("places", [])),
        archives=tuple(F.agent_from_printed(n, "organization") for n in values.get("archives", [])),
        funders=tuple(F.agent_from_printed(n, "organization") for n in funders),
        subjects=tuple(F.subject_from_printed(s) for s in values.get("subjects", [])),
        citation=F.clean_line(values.get("citation")),
        source=F.clean_text(values.get("source")),
        classification=F.clean_line(values.get("classification")),
        rights=F.clean_text(values.get("rights")),
        credit=F.clean_line(values.get("credit")),
        languages=tuple(values.get("languages", [])),
        upload_date=F.clean_line(values.get("upload_date")),
        warnings=warnings,
    )
