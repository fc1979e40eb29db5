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

from lod.errors import Place, ReadError
from lod.model import Origin, Record
from lod.read import fields as F
from lod.read.text import decode_utf8

LAYOUTS = ("L-A", "L-B0", "L-B1", "L-C1", "L-C2", "L-D", "L-E")

#: Headings of the trailing metadata block, as the current site prints them.
PILL_HEADINGS = {
    "author(s):": "authors",
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
VALUE_HEADINGS = {
    "source": "source",
    "rights": "rights",
    "original uploaded date": "upload_date",
    "record id": "record_id",
    "original classification": "classification",
}
SECTION_HEADINGS = {"document information"}
ALL_HEADINGS = set(PILL_HEADINGS) | set(VALUE_HEADINGS) | SECTION_HEADINGS

_FUNDING = re.compile(r"^This document was made possible with support from\b", re.I)
_RIGHTS_START = re.compile(
    r"^(The History and Public Policy Program welcomes reuse|To enquire about this document)", re.I
)
_CLOUDFLARE_EMAIL = "[email\u00a0protected]"
_CITATION = re.compile(
    r"^[\"“”](?P<title>.+?),?[\"“”]\s*,?\s*(?P<date>.*?)\s*,\s*"
    r"History and Public Policy Program Digital Archive,?\s*(?P<rest>.*)$",
    re.S,
)
_URL = re.compile(r"https?://\S+")
_PDF_BANNER = re.compile(r"^(Digital Archive\s+digitalarchive\.wilsoncenter|<<|You are on page)", re.I)
_PDF_LABELS = ("Citation:", "Summary:", "Credits:", "Original Language:", "Contents:")
_RENDERINGS = re.compile(
    r"^(?:\s*\[?(?:English Translation|Scan of Original Document|Original Scan|"
    r"(?:Chinese|Russian|Korean|German|Romanian|Hungarian|Japanese) Transcription)\]?)+\s*",
    re.I,
)
_DATE_PREFIX = re.compile(rf"^(?P<date>(?:{F._MONTH})\.?\s+\d{{1,2}},?\s+\d{{4}})\s+(?P<rest>.+)$", re.I)


def read(path: str, data: bytes) -> Iterator[Record | ReadError]:
    """Yield the one record of a page capture, or the error that stopped it."""
    place = Place(path)
    try:
        text = decode_utf8(data, path)
        if "\x00" in text:
            raise ReadError("contains NUL bytes; not a text page", place)
        yield parse_page(text, path)
    except ReadError as error:
        yield error


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
    date_text = values.get("date")
    date = F.parse_date(date_text)
    warnings = ()
    if date and date.iso is None:
        warnings = (f"date {date.text!r} is not a date; kept as text",)
    body = F.clean_text(values.get("body"))
    record_id = F.clean_line(values.get("record_id"))
    url = values.get("url")
    funders = [*F.funders_from_credit(values.get("credit")), *values.get("donors", [])]
    return Record(
        title=title,
        identifiers=F.identifiers(url, record_id, title, F.document_numbers(body)),
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
        funders=tuple(F.agent_from_printed(n, "organization") for n in dict.fromkeys(funders)),
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
    key = F.clean_line(line)
    if key is None:
        return None
    key = key.lower()
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
    """Date, title, [funding], body, summary, then the "Document Information" block."""
    content = [line for line in lines if line.strip()]
    values: dict = {}
    position = 0
    if layout == "L-A":
        position = 1  # "Skip to content"
    if layout == "L-B1":
        values["description"] = content[0]
        position = 1
    values["date"] = content[position].strip()
    values["title"] = content[position + 1] if len(content) > position + 1 else None
    start = _index_of_nth_content(lines, position + 2)
    rest = lines[start:] if start is not None else []
    first = next((line for line in rest if line.strip()), "")
    if _FUNDING.match(first.strip()):
        values["credit"] = first.strip()
        rest = rest[rest.index(first) + 1:]
    end = next((i for i, line in enumerate(rest) if _heading(line)), None)
    body_lines = rest if end is None else rest[:end]
    if end is not None:
        # The summary is the last block before the metadata headings, with no heading.
        blocks = _paragraphs(body_lines) if layout == "L-A" else [
            line.rstrip() for line in body_lines if line.strip()]
        if blocks:
            values["summary"] = blocks.pop()
        if blocks and blocks[-1].strip() == "###":
            blocks.pop()
        values["body"] = ("\n\n" if layout == "L-A" else "\n").join(blocks)
        values.update(_metadata_block(rest[end:]))
    else:
        values["body"] = "\n".join(body_lines)
    return values


def _index_of_nth_content(lines: list[str], n: int) -> int | None:
    seen = 0
    for i, line in enumerate(lines):
        if line.strip():
            if seen == n:
                return i
            seen += 1
    return None


def _metadata_block(lines: list[str]) -> dict:
    """Read headings and their values; a heading never takes another heading as value."""
    values: dict = {}
    current: str | None = None
    saw_information = False
    pending: list[str] = []  # lines under no heading (L-A without "Source"/"Rights")

    for raw in lines:
        line = F.clean_line(raw)
        if not line:
            continue
        heading = _heading(line)
        if heading:
            current = heading
            saw_information = saw_information or heading in SECTION_HEADINGS
            continue
        line = line.replace(_CLOUDFLARE_EMAIL.replace("\u00a0", " "), "HAPP@wilsoncenter.org")
        if _RIGHTS_START.match(line):
            values["rights"] = _join(values.get("rights"), line)
            current = "rights"
            continue
        if current in PILL_HEADINGS:
            values.setdefault(PILL_HEADINGS[current], []).append(line)
        elif current in ("source", "rights"):
            if current == "rights" and "rights" in values and not _RIGHTS_START.match(line) \
                    and values["rights"].count("\n") >= 1:
                pending.append(line)  # past the two fixed paragraphs: a donor or stray value
            else:
                values[current] = _join(values.get(current), line)
        elif current in VALUE_HEADINGS:
            values[VALUE_HEADINGS[current]] = line
            current = None
        elif current in SECTION_HEADINGS and "source" not in values:
            values["source"] = line  # L-A without a "Source" heading
        else:
            pending.append(line)
    # A name printed alone after the last value, with no heading, is a donor (L-A 016).
    if pending:
        values.setdefault("donors", []).extend(pending)
    return values


def _join(previous: str | None, line: str) -> str:
    return f"{previous}\n{line}" if previous else line


# --- L-C1, L-C2: the old site ------------------------------------------------------


def _old_site(lines: list[str], layout: str) -> dict:
    content = [line for line in lines if line.strip() and line.strip() != "·"]
    values: dict = {}
    date_index = next((i for i, line in enumerate(content) if F.DATE_LINE.match(line.strip())), None)
    if date_index is None:
        return values
    values["date"] = content[date_index].strip()
    index = date_index + 1
    if layout == "L-C1" and index < len(content) and _is_upper_title(content[index]):
        values["title"] = content[index].strip()
        index += 1
    if index < len(content) and _FUNDING.match(content[index].strip()):
        values["credit"] = content[index].strip()
    body_start = next((i for i, line in enumerate(content)
                       if line.strip().lower() == "english html"), None)
    header = content[:body_start] if body_start is not None else content
    for i, line in enumerate(header):
        stripped = line.strip()
        if _CITATION.match(stripped):
            values.update(_citation(stripped))
            previous = header[i - 1].strip()
            if previous.lower() != "get citation" and not previous.startswith("•"):
                values["summary"] = previous
        elif _URL.fullmatch(stripped) and "url" not in values:
            values["url"] = stripped
    if body_start is not None:
        values["body"] = "\n".join(line.strip() for line in content[body_start + 1:])
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
    values["source"] = rest.rstrip(". ") + "." if rest else None
    date = match["date"].strip(" ,")
    if date:
        values["citation_date"] = date
    return values


# --- L-D: old site, body only -----------------------------------------------------------


def _body_only(lines: list[str], layout: str) -> dict:
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
        elif candidate == values["date"] or F.parse_date(candidate) == F.parse_date(values["date"]):
            position += 1
    if position < len(content_index):
        values["body"] = "\n".join(line.strip() for line in lines[content_index[position]:])
    return values


# --- L-E: PDF export copies --------------------------------------------------------------


def _pdf_export(lines: list[str], layout: str) -> dict:
    """Split on the PDF's labels; works for the line layout and docslib's one paragraph."""
    text = "\n".join(line.strip() for line in lines if line.strip())
    banner = _PDF_BANNER.match(text)
    text = text[banner.end():] if banner else text
    text = re.sub(r"^[^\n]*?International History Declassified\s*", "", text, count=1)
    labels = "|".join(re.escape(label) for label in _PDF_LABELS)
    parts = re.split(rf"\s*({labels})\s*", text)
    values: dict = {}
    head = parts[0].strip()
    match = _DATE_PREFIX.match(head)
    if match:
        values["date"] = match["date"]
        values["title"] = match["rest"].strip()
    for label, value in zip(parts[1::2], parts[2::2]):
        value = value.strip()
        if label == "Citation:":
            citation = _citation(" ".join(value.split()))
            values.setdefault("title", citation.get("title"))
            values.update({k: v for k, v in citation.items() if k != "title"})
        elif label == "Summary:":
            values["summary"] = value
        elif label == "Credits:":
            values["credit"] = " ".join(value.split())
        elif label == "Original Language:":
            first, _, rest = value.partition("\n")
            language = first.strip()
            if " " in language and "\n" not in value:  # flattened: "German Contents: ..." split off
                language = language.split()[0]
            if language and not _RENDERINGS.match(language):
                values["languages"] = [language]
        elif label == "Contents:":
            first, _, rest = value.partition("\n")
            if rest:
                values["body"] = rest
            else:
                values["body"] = _RENDERINGS.sub("", value, count=1)
    if "date" not in values and values.get("citation_date"):
        values["date"] = values["citation_date"]
    return values
