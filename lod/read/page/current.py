"""The current site (L-A, L-A2, L-B0, L-B1): date, title, body, summary, then the metadata headings.

Two text extractions of the same design exist: blocks separated by empty lines
(L-A, with or without the ``Skip to content`` link; L-A2 without) and one line per
block (L-B0, L-B1). In the first a title the site wraps is one block of several
lines; in the second every block is one line. Headings whose values the capture
lost stay empty: a heading is never read as the value of the heading before it.
"""

from __future__ import annotations

import re
from itertools import groupby

from lod.read import fields as F
from lod.read.page.blocks import FUNDING, block_end, content_indexes, is_date_line, joined, paragraphs

#: Layouts whose blocks are separated by empty lines.
BLANK_LINE_BLOCKS = {"L-A", "L-A2"}

#: Headings of the trailing metadata block, as the current site prints them (no colon).
PILL_HEADINGS = {
    "author(s)": "authors",
    "associated people & organizations": "associated",
    "associated places": "places",
    "associated topics": "subjects",
    "subjects discussed": "subjects",
    "related documents": "related",
    "document contributors": "contributors",
    "original archive": "archives",
    "language": "languages",
    "donors": "donors",
}
TEXT_HEADINGS = {"source", "rights"}  # one paragraph or more
VALUE_HEADINGS = {
    "original uploaded date": "upload_date",
    "record id": "record_id",
    "original classification": "classification",
    "type": "document_type",  # "Meeting Minutes"; recognised so it is no donor, not kept (no Record field)
}
SECTION_HEADINGS = {"document information"}
ALL_HEADINGS = set(PILL_HEADINGS) | TEXT_HEADINGS | set(VALUE_HEADINGS) | SECTION_HEADINGS

_RIGHTS_START = re.compile(
    r"^(The History and Public Policy Program welcomes reuse|To enquire about this document)", re.I
)
# Cloudflare's e-mail obfuscation in the fixed rights text; the space may be U+00A0.
_CLOUDFLARE_EMAIL = re.compile(r"\[email\s+protected\]")
_RIGHTS_EMAIL = "HAPP@wilsoncenter.org"


def read(lines: list[str], layout: str) -> dict:
    """[Description], [date], title, [funding], body, summary, then the metadata headings."""
    content = content_indexes(lines)
    values: dict = {}
    position = 1 if layout in ("L-A", "L-B1") else 0  # past "Skip to content" or the description
    if layout == "L-B1":
        values["description"] = lines[content[0]].strip()
    if position < len(content) and is_date_line(lines[content[position]]):
        values["date"] = lines[content[position]].strip()
        position += 1
    if position >= len(content):
        return values
    start = content[position]
    end = start  # a capture that lost its title line goes on with the funding line: no title
    if not FUNDING.match(lines[start].strip()):
        end = block_end(lines, start, FUNDING) if layout in BLANK_LINE_BLOCKS else start + 1
        values["title"] = joined(lines[start:end])
    rest = lines[end:]
    first = next((i for i, line in enumerate(rest) if line.strip()), None)
    if first is not None and FUNDING.match(rest[first].strip()):
        values["credit"] = rest[first].strip()
        rest = rest[first + 1:]
    end = _metadata_start(rest)
    if end is None:
        values["body"] = "\n".join(rest)
        return values
    # The summary is the last block before the metadata headings, with no heading.
    body_lines = rest[:end]
    blank_line_blocks = layout in BLANK_LINE_BLOCKS
    blocks = paragraphs(body_lines) if blank_line_blocks else [
        line.rstrip() for line in body_lines if line.strip()]
    if blocks:
        values["summary"] = blocks.pop()
    if blocks and blocks[-1].strip() == "###":
        blocks.pop()
    values["body"] = ("\n\n" if blank_line_blocks else "\n").join(blocks)
    values.update(_metadata_block(_blocks(rest[end:], blank_line_blocks)))
    return values


def _heading(line: str) -> str | None:
    """The heading a line is (``Author(s):`` and ``Author(s)`` alike), or None."""
    key = F.clean_line(line)
    if key is None:
        return None
    key = key.rstrip(":").strip().lower()
    return key if key in ALL_HEADINGS else None


def _metadata_start(lines: list[str]) -> int | None:
    """Where the trailing headings begin, or None when the capture was cut before them.

    Walking back from "Document Information" (or the end), the block holds headings
    and at most short pill values; the first sentence stops it. So a body line that
    happens to read "Source" or "Language" does not end the body.
    """
    content = content_indexes(lines)
    info = [i for i in content if _heading(lines[i]) in SECTION_HEADINGS]
    start = None
    for i in reversed([i for i in content if not info or i <= info[-1]]):
        if _heading(lines[i]):
            start = i
        elif not _is_pill_value(lines[i]):
            break
    return start


def _is_pill_value(line: str) -> bool:
    """A name, place or subject as the site lists them: short, not a sentence."""
    line = line.strip()
    return len(line) <= 120 and not line.endswith((".", "!", "?"))


def _blocks(lines: list[str], blank_line_blocks: bool) -> list[str]:
    """The metadata's units: paragraphs (wrapped lines joined) or lines; headings alone."""
    if not blank_line_blocks:
        return [F.clean_line(line) for line in lines if line.strip()]
    blocks: list[str] = []
    for paragraph in paragraphs(lines):
        for is_heading, run in groupby(paragraph.split("\n"), key=lambda line: bool(_heading(line))):
            run = [F.clean_line(line) for line in run]
            blocks.extend(run if is_heading else [" ".join(run)])
    return blocks


def _metadata_block(blocks: list[str]) -> dict:
    """Read headings and their values; a heading never takes another heading as value.

    Blocks under no heading, or that cannot be the value of the heading above them (a
    foundation after an empty "Original Classification"), are donors printed alone (L-A 016)
    when they name an organization; other stray values (a "Meeting Minutes" whose "Type"
    heading the capture lost) are dropped.
    """
    values: dict = {}
    rights: list[str] = []
    donors: list[str] = []
    current: str | None = None
    for block in blocks:
        heading = _heading(block)
        if heading:
            current = heading
        elif _RIGHTS_START.match(block) or (current == "rights" and not rights):
            rights.append(_CLOUDFLARE_EMAIL.sub(_RIGHTS_EMAIL, block))
            current = "rights"
        elif current in PILL_HEADINGS:
            values.setdefault(PILL_HEADINGS[current], []).append(block)
        elif current == "source" or (current in SECTION_HEADINGS and "source" not in values):
            values["source"] = _join(values.get("source"), block)  # L-A may drop the heading
        elif current in VALUE_HEADINGS and _fits(VALUE_HEADINGS[current], block):
            values[VALUE_HEADINGS[current]] = block
            current = None
        else:
            if F.has_organization_word(block):
                donors.append(block)
            current = None
    if rights:
        values["rights"] = "\n".join(rights)
    if donors:
        values.setdefault("donors", []).extend(donors)
    return values


_VALUE_SHAPES = {
    "upload_date": re.compile(r"^[0-9]{4}-[0-9-]*$"),  # "2023-10-05", or "2011-11-" cut short
    "record_id": re.compile(r"^\S+$"),
}


def _fits(field: str, value: str) -> bool:
    """Whether a value can belong to a one-value heading; a donor name is no classification."""
    shape = _VALUE_SHAPES.get(field)
    return bool(shape.match(value)) if shape else not F.has_organization_word(value)


def _join(previous: str | None, line: str) -> str:
    return f"{previous}\n{line}" if previous else line
