"""Copies of the archive's PDF export (L-E: docslib, scribd; L-F: vdocument's transcript).

The export is a banner, a ``<date> <title>`` header, then labelled sections in a fixed
order (``Citation:``, ``Summary:``, ``Credits:``, ``Original Language:``,
``Contents:``); the body follows the list of renderings after ``Contents:``. Copies
print it line by line, flatten it into one paragraph, repeat or cut the header line,
drop words from it, or join lines without a space. So the title is the citation's
whenever there is one, and the date the header's whenever it parses (the citation's
date may have lost its month or day).
"""

from __future__ import annotations

import re

from lod.read.page.blocks import DATE_PREFIX, is_date_line, joined
from lod.read.page.citation import find_citation

#: The export's banner, in the orders and spacings the copies print it.
BANNER = re.compile(
    r"Digital\s*Archive\s*(?:digitalarchive\.wilsoncenter\.(?:org)?\s*)?"
    r"(?:International\s*History\s*Declassified\s*)?(?:digitalarchive\.wilsoncenter\.org)?",
    re.I,
)
#: Lines the copying sites add before the export: page counters, file facts.
_SITE_LINES = re.compile(r"^(?:<<|>>|You are on page\b.*|Total Page:.*|File Type:.*|\d+)$", re.I)
LABELS = ("Citation", "Summary", "Credits", "Original Language", "Contents")
# A label counts where a line or a word starts; a copy may run the value on without a space.
_LABEL = re.compile(r"(?<!\S)(Citation|Summary|Credits|Original\s+Language|Contents):")
_RENDERINGS = re.compile(
    r"^(?:\s*\[?(?:English Translation|Scan of Original Document|Original Scan|"
    r"\w+ Transcription)\]?)+\s*",
    re.I,
)
#: vdocument's own lines between its copy of the export header and the transcript.
_VDOCUMENT_LINES = re.compile(r"^(?:Upload:.*|Post on\b.*|[0-9,]+ views?|Category:.*|[0-9,]+ downloads?)$",
                              re.I)
TRANSCRIPT = "TRANSCRIPT"
_PAGE_MARK = re.compile(r"^Page [0-9]+:")


def is_banner(text: str) -> bool:
    """Whether the banner is in the text (more than the words "Digital Archive", which
    every citation holds)."""
    return any(_is_banner_match(match) for match in BANNER.finditer(text))


def _is_banner_match(match: re.Match) -> bool:
    return "wilsoncenter" in match[0].lower() or "declassified" in match[0].lower()


def read(lines: list[str], layout: str) -> dict:
    """The head (date and title), then the labelled sections; the body follows "Contents:".

    Works for the line layout and docslib's one paragraph, and for the scribd copy
    that has no "Citation:" label (the citation is in the head) and no "Contents:".
    """
    text = "\n".join(line.strip() for line in lines if line.strip())
    head, sections = _sections(text)
    values = _head(head)
    if "Citation" in sections:
        _, citation = find_citation(sections["Citation"])
        values.update(citation)
    header_title = values.pop("header_title", None)
    values["title"] = values.get("title") or header_title
    if "Summary" in sections:
        values["summary"] = sections["Summary"]
    if "Credits" in sections:
        values["credit"] = joined(sections["Credits"].split("\n"))
    language, runs_on = _original_language(sections.get("Original Language", ""))
    if language:
        values["languages"] = [language]
    body = sections.get("Contents", runs_on)
    if body:
        values["body"] = _after_renderings(body)
    return values


def read_transcript(lines: list[str], layout: str) -> dict:
    """vdocument (L-F): its copy of the flattened export header, then ``TRANSCRIPT`` and the
    export page by page (``Page N: <title cut short>`` lines), words run together at line joins.

    The header copy is cleaner; the transcript holds the body (and the header's fields
    when the copy of the header is missing).
    """
    stripped = [line.strip() for line in lines]
    start = stripped.index(TRANSCRIPT)
    cover = stripped[:start]
    banner = next((i for i, line in enumerate(cover) if is_banner(line)), None)
    values: dict = {}
    if banner is not None:
        end = next((i for i in range(banner, start) if _VDOCUMENT_LINES.match(cover[i])), start)
        values = read(cover[banner:end], layout)
    pages = read([line for line in stripped[start + 1:] if not _PAGE_MARK.match(line)], layout)
    if pages.get("body"):
        values["body"] = pages["body"]
    for name, value in pages.items():
        if value and not values.get(name):
            values[name] = value
    return values


def _sections(text: str) -> tuple[str, dict[str, str]]:
    """The head and each labelled section; a label counts once and only in the export's order,
    so "Summary:" or "Contents:" inside a later section or the body is text."""
    sections: dict[str, str] = {}
    expected = list(LABELS)
    label, value_start, head_end = None, 0, len(text)
    for match in _LABEL.finditer(text):
        found = " ".join(match[1].split())
        if found not in expected:
            continue
        if label is None:
            head_end = match.start()
        else:
            sections[label] = text[value_start:match.start()].strip()
        label, value_start = found, match.end()
        expected = expected[expected.index(label) + 1:]
        if label == "Contents":
            break
    if label is not None:
        sections[label] = text[value_start:].strip()
    return text[:head_end], sections


def _head(head: str) -> dict:
    """Date and title from the export's header, after its (last) banner: the date, then the
    title, wrapped over as many lines as it takes; a citation here when the copy lost the
    "Citation:" label. Lines the copying site adds, and earlier copies of the header
    line (cut or re-cased), come before the banner."""
    banners = [match for match in BANNER.finditer(head) if _is_banner_match(match)]
    if banners:
        head = head[banners[-1].end():]
    lines = [line for line in head.split("\n") if line.strip() and not _SITE_LINES.match(line.strip())]
    header, citation = find_citation("\n".join(lines))
    values = dict(citation)
    lines = header.split("\n")
    first = next((i for i, line in enumerate(lines) if DATE_PREFIX.match(line) or is_date_line(line)), None)
    if first is not None:
        header = "\n".join(lines[first:])
        match = DATE_PREFIX.match(header)  # no match: a date line alone, the title lost
        values["date"] = match["date"] if match else header.strip()
        values["header_title"] = joined(match["rest"].split("\n")) if match else None
    return values


def _original_language(value: str) -> tuple[str | None, str]:
    """The language and what runs on after it; scribd prints the renderings and no language."""
    if not value or _RENDERINGS.match(value):
        return None, value
    language, _, rest = value.partition("\n")
    return language.strip() or None, rest


def _after_renderings(value: str) -> str:
    """The body after the list of renderings (``English Translation [Scan of ...]``).

    In the line layout the whole first line is that list; docslib runs it into the body,
    and so do scans whose first line is the document's own heading.
    """
    first, _, rest = value.partition("\n")
    match = _RENDERINGS.match(first)
    if rest and match and match.end() == len(first):
        return rest
    return _RENDERINGS.sub("", value, count=1)


def starts_export(head: list[str]) -> bool:
    """Whether the first lines of a page are the export's: the banner or a copying site's
    counter first, or the banner or a ``<date> <title>`` line above the export's labels."""
    first = head[0]
    if is_banner(first) or (_SITE_LINES.match(first) and not first.isdigit()):
        return True
    text = "\n".join(head)
    return bool(_LABEL.search(text)) and (is_banner(text) or bool(DATE_PREFIX.match(first)))


def is_transcript(lines: list[str]) -> bool:
    """vdocument's page: a ``TRANSCRIPT`` line, then the export page by page (``Page 1: ...``)."""
    stripped = [line.strip() for line in lines]
    if TRANSCRIPT not in stripped:
        return False
    return any(_PAGE_MARK.match(line) for line in stripped[stripped.index(TRANSCRIPT):])
