"""Archive page text (``.txt``): every layout in LAYOUTS.md, detected from the content.

A page capture is one record. The layout is recognised from its first lines
(``Skip to content`` -> L-A, ``Search in`` -> L-C1/L-C2, the PDF banner -> L-E, a
date line -> L-B0 or L-D, a sentence then a date line -> L-B1); each layout has a
small function that finds title, date, summary, body and the trailing
"Document Information" block. Headings whose values the capture lost stay empty:
a heading is never read as the value of the heading before it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import groupby
from typing import BinaryIO

from lod.errors import Place, ReadError
from lod.model import Origin, Record
from lod.read import fields as F
from lod.read.text import decode_utf8
from lod.read.unit import Unit

LAYOUTS = ("L-A", "L-B0", "L-B1", "L-C1", "L-C2", "L-D", "L-E")

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
}
SECTION_HEADINGS = {"document information"}
ALL_HEADINGS = set(PILL_HEADINGS) | TEXT_HEADINGS | set(VALUE_HEADINGS) | SECTION_HEADINGS

_FUNDING = re.compile(r"^This document was made possible with support from\b", re.I)
_RIGHTS_START = re.compile(
    r"^(The History and Public Policy Program welcomes reuse|To enquire about this document)", re.I
)
# Cloudflare's e-mail obfuscation in the fixed rights text; the space may be U+00A0.
_CLOUDFLARE_EMAIL = re.compile(r"\[email\s+protected\]")
_RIGHTS_EMAIL = "HAPP@wilsoncenter.org"
# Title greedy up to the closing quote before the date: titles may hold quotes themselves.
_CITATION = re.compile(
    r"^[\"“”](?P<title>.+)[\"“”]\s*,?\s*(?P<date>[^\"“”]*?)\s*,\s*"
    r"History and Public Policy Program Digital Archive,?\s*(?P<rest>.*)$",
    re.S,
)
_URL = re.compile(r"https?://\S+")
_PDF_BANNER = re.compile(r"^(Digital Archive\s+digitalarchive\.wilsoncenter|<<|You are on page)", re.I)
_PDF_LABEL = re.compile(r"(?<!\S)(Citation|Summary|Credits|Original Language|Contents):(?!\S)")
_PDF_LABELS = ("Citation", "Summary", "Credits", "Original Language", "Contents")
_RENDERINGS = re.compile(
    r"^(?:\s*\[?(?:English Translation|Scan of Original Document|Original Scan|"
    r"\w+ Transcription)\]?)+\s*",
    re.I,
)
_DATE_PREFIX = re.compile(rf"^(?P<date>{F.DATE_TEXT})\s+(?P<rest>.+)$", re.I)


def split(path: str, handle: BinaryIO) -> Iterator[Unit]:
    """A page is one record, and small: read whole."""
    yield Unit(".txt", path, None, None, handle.read())


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
    """The layout code for a page, from its first non-empty lines."""
    content = [line.strip() for line in lines if line.strip()]
    if not content:
        raise ValueError("empty page")
    first = content[0]
    if first.lower() == "skip to content":
        return "L-A"
    if first.lower() == "search in":
        second = content[1] if len(content) > 1 else ""
        return "L-C1" if second.upper().startswith("ADD SEARCH FILTER") else "L-C2"
    if _PDF_BANNER.match(first):
        return "L-E"
    if F.DATE_LINE.match(first):
        following = lines[_index_of(lines, first) + 1:]
        if following and not following[0].strip():
            return "L-D"
        return "L-B0"
    if len(content) > 1 and F.DATE_LINE.match(content[1]):
        return "L-B1"
    raise ValueError("no archive page layout recognised (first line is neither a date, "
                     "'Skip to content', 'Search in' nor the PDF banner)")


def _index_of(lines: list[str], stripped: str) -> int:
    return next(i for i, line in enumerate(lines) if line.strip() == stripped)


def parse_page(text: str, path: str) -> Record:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    try:
        layout = detect_layout(lines)
    except ValueError as error:
        raise ReadError(str(error), Place(path, line=1)) from None
    parser = {"L-A": _current_site, "L-B0": _current_site, "L-B1": _current_site,
              "L-C1": _old_site, "L-C2": _old_site, "L-D": _body_only, "L-E": _pdf_export}[layout]
    values = parser(lines, layout)
    title = F.clean_line(values.get("title"))
    if not title:
        raise ReadError(f"page ({layout}) has no title and no citation to take one from",
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


def _heading(line: str) -> str | None:
    """The heading a line is (``Author(s):`` and ``Author(s)`` alike), or None."""
    key = F.clean_line(line)
    if key is None:
        return None
    key = key.rstrip(":").strip().lower()
    return key if key in ALL_HEADINGS else None


def _paragraphs(lines: list[str]) -> list[str]:
    """Blocks separated by empty (or U+00A0-only) lines."""
    blocks, current = [], []
    for line in lines:
        if line.strip():
            current.append(line.rstrip())
        elif current:
            blocks.append("\n".join(current))
            current = []
    if current:
        blocks.append("\n".join(current))
    return blocks


# --- L-A, L-B0, L-B1: the current site -------------------------------------------


def _current_site(lines: list[str], layout: str) -> dict:
    """[Description], date, title, [funding], body, summary, then the metadata headings."""
    content = [line for line in lines if line.strip()]
    values: dict = {}
    position = 0 if layout == "L-B0" else 1  # past "Skip to content" or the description
    if layout == "L-B1":
        values["description"] = content[0]
    if position < len(content) and F.DATE_LINE.match(content[position].strip()):
        values["date"] = content[position].strip()
        position += 1
    values["title"] = content[position] if position < len(content) else None
    start = _index_of_nth_content(lines, position + 1)
    rest = lines[start:] if start is not None else []
    first = next((line for line in rest if line.strip()), "")
    if _FUNDING.match(first.strip()):
        values["credit"] = first.strip()
        rest = rest[rest.index(first) + 1:]
    end = _metadata_start(rest)
    if end is None:
        values["body"] = "\n".join(rest)
        return values
    # The summary is the last block before the metadata headings, with no heading.
    body_lines = rest[:end]
    blocks = _paragraphs(body_lines) if layout == "L-A" else [
        line.rstrip() for line in body_lines if line.strip()]
    if blocks:
        values["summary"] = blocks.pop()
    if blocks and blocks[-1].strip() == "###":
        blocks.pop()
    values["body"] = ("\n\n" if layout == "L-A" else "\n").join(blocks)
    values.update(_metadata_block(_blocks(rest[end:], layout)))
    return values


def _index_of_nth_content(lines: list[str], n: int) -> int | None:
    seen = 0
    for i, line in enumerate(lines):
        if line.strip():
            if seen == n:
                return i
            seen += 1
    return None


def _metadata_start(lines: list[str]) -> int | None:
    """Where the trailing headings begin, or None when the capture was cut before them.

    Walking back from "Document Information" (or the end), the block holds headings
    and at most short pill values; the first sentence stops it. So a body line that
    happens to read "Source" or "Language" does not end the body.
    """
    content = [i for i, line in enumerate(lines) if line.strip()]
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


def _blocks(lines: list[str], layout: str) -> list[str]:
    """The metadata's units: L-A paragraphs (wrapped lines joined), L-B lines; headings alone."""
    if layout != "L-A":
        return [F.clean_line(line) for line in lines if line.strip()]
    blocks: list[str] = []
    for paragraph in _paragraphs(lines):
        for is_heading, run in groupby(paragraph.split("\n"), key=lambda line: bool(_heading(line))):
            run = [F.clean_line(line) for line in run]
            blocks.extend(run if is_heading else [" ".join(run)])
    return blocks


def _metadata_block(blocks: list[str]) -> dict:
    """Read headings and their values; a heading never takes another heading as value.

    Blocks under no heading, or that cannot be the value of the heading above them (a
    foundation after an empty "Original Classification"), are donors printed alone (L-A 016).
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


# --- L-C1, L-C2: the old site ------------------------------------------------------


def _old_site(lines: list[str], layout: str) -> dict:
    """Date, [UPPER CASE title], [funding], the citation block, then the body after "English HTML"."""
    lines = [line for line in lines if line.strip() != "·"]
    content = [line.strip() for line in lines if line.strip()]
    values: dict = {}
    date_index = next((i for i, line in enumerate(content) if F.DATE_LINE.match(line)), None)
    if date_index is not None:  # else the citation's date stands
        values["date"] = content[date_index]
    index = len(content) if date_index is None else date_index + 1
    if layout == "L-C1" and index < len(content) and _is_upper_title(content[index]):
        values["title"] = content[index]
        index += 1
    if index < len(content) and _FUNDING.match(content[index]):
        values["credit"] = content[index]
    body_start = next((i for i, line in enumerate(lines) if line.strip().lower() == "english html"), None)
    header = [line.strip() for line in lines[:body_start] if line.strip()]
    for i, line in enumerate(header):
        if _CITATION.match(line):
            values.update(_citation(line))
            previous = header[i - 1] if i else "get citation"
            if previous.lower() != "get citation" and not previous.startswith("•"):
                values["summary"] = previous
        elif _URL.fullmatch(line) and "url" not in values:
            values["url"] = line
    if body_start is not None:
        values["body"] = "\n".join(line.strip() for line in lines[body_start + 1:])
    return values


def _is_upper_title(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and all(not c.islower() for c in letters) and not line.strip().startswith(
        ("CITATION", "•"))


def _citation(text: str) -> dict:
    """Title, date, source and URL from the archive's citation line."""
    match = _CITATION.match(text)
    if not match:
        return {}
    values = {"citation": text, "title": match["title"].strip().rstrip(",")}
    rest = match["rest"].strip()
    url = _URL.search(rest)
    if url:
        values["url"] = url.group().rstrip(".")
        rest = (rest[: url.start()] + rest[url.end():]).strip()
    rest = rest.rstrip(". ")
    values["source"] = f"{rest}." if rest else None
    date = match["date"].strip(" ,")
    if date:
        values["citation_date"] = date
    return values


# --- L-D: old site, body only -----------------------------------------------------------


def _body_only(lines: list[str], layout: str) -> dict:
    """Date, indented summary, then a citation, a repeat of the date or nothing, then the body."""
    content_index = [i for i, line in enumerate(lines) if line.strip()]
    values: dict = {"date": lines[content_index[0]].strip()}
    position = 1
    indented = [i for i in content_index[1:] if lines[i].startswith("    ")]
    if indented and indented[0] == content_index[1]:
        values["summary"] = lines[indented[0]].strip()
        position = 2
    if position < len(content_index):
        candidate = lines[content_index[position]].strip()
        if _CITATION.match(candidate):
            values.update(_citation(candidate))
            position += 1
        elif _same_date(candidate, values["date"]):
            position += 1
    if position < len(content_index):
        values["body"] = "\n".join(line.strip() for line in lines[content_index[position]:])
    return values


def _same_date(text: str, date_line: str) -> bool:
    """A repeat of the date line, even printed another way (``July 3`` / ``July 03``)."""
    if text == date_line:
        return True
    repeat = F.parse_date(text)
    return bool(repeat and repeat.iso and repeat.iso == F.parse_date(date_line).iso)


# --- L-E: PDF export copies --------------------------------------------------------------


def _pdf_export(lines: list[str], layout: str) -> dict:
    """The head (date and title), then the labelled sections; the body follows "Contents:".

    Works for the line layout and docslib's one paragraph, and for the scribd copy
    that has no "Citation:" label (the citation is in the head) and no "Contents:".
    """
    text = "\n".join(line.strip() for line in lines if line.strip())
    head, sections = _pdf_sections(text)
    values = _pdf_head(head)
    if "Citation" in sections:
        _add_citation(values, " ".join(sections["Citation"].split()))
    if "Summary" in sections:
        values["summary"] = sections["Summary"]
    if "Credits" in sections:
        values["credit"] = " ".join(sections["Credits"].split())
    language, runs_on = _original_language(sections.get("Original Language", ""))
    if language:
        values["languages"] = [language]
    body = sections.get("Contents", runs_on)
    if body:
        values["body"] = _after_renderings(body)
    return values


def _pdf_sections(text: str) -> tuple[str, dict[str, str]]:
    """The head and each labelled section; a label counts once and only in the PDF's order,
    so "Summary:" or "Contents:" inside a later section or the body is text."""
    sections: dict[str, str] = {}
    expected = list(_PDF_LABELS)
    label, value_start, head_end = None, 0, len(text)
    for match in _PDF_LABEL.finditer(text):
        if match[1] not in expected:
            continue
        if label is None:
            head_end = match.start()
        else:
            sections[label] = text[value_start:match.start()].strip()
        label, value_start = match[1], match.end()
        expected = expected[expected.index(label) + 1:]
        if label == "Contents":
            break
    if label is not None:
        sections[label] = text[value_start:].strip()
    return text[:head_end], sections


def _pdf_head(head: str) -> dict:
    """Date and title after the banner: ``<date> <title>`` on one line (or the title below
    a date line alone); a citation line here when the copy lost the "Citation:" label."""
    head = re.sub(r"^.*?International History Declassified", "", head, count=1, flags=re.S)
    lines = [line.strip() for line in head.split("\n") if line.strip()]
    values: dict = {}
    for i, line in enumerate(lines):
        if _CITATION.match(line):
            _add_citation(values, line)
        elif "date" in values:
            continue
        elif F.DATE_LINE.match(line) and i + 1 < len(lines) and not _CITATION.match(lines[i + 1]):
            values["date"], values["title"] = line, lines[i + 1]
        elif match := _DATE_PREFIX.match(line):
            values["date"], values["title"] = match["date"], match["rest"]
    return values


def _add_citation(values: dict, line: str) -> None:
    """The citation's fields; the title printed on the date line stays (LAYOUTS.md: E)."""
    for name, value in _citation(line).items():
        if name != "title" or "title" not in values:
            values[name] = value


def _original_language(value: str) -> tuple[str | None, str]:
    """The language and what runs on after it; scribd prints the renderings and no language."""
    if not value or _RENDERINGS.match(value):
        return None, value
    language, _, rest = value.partition("\n")
    return language.strip() or None, rest


def _after_renderings(value: str) -> str:
    """The body after the list of renderings (``English Translation [Scan of ...]``).

    In the line layout the whole first line is that list; docslib runs it into the body.
    """
    first, _, rest = value.partition("\n")
    if rest and _RENDERINGS.match(first):
        return rest
    return _RENDERINGS.sub("", value, count=1)
