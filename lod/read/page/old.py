"""The old site (L-C1, L-C2, L-C3) and its body-only captures (L-D).

The old design prints the properly cased title only inside the citation (C1 and C3
print it in upper case above as well, C2 not at all); the date line may be missing,
and then the citation's date stands. The header is furniture (search box, citation
and share buttons) around one block holding the summary and the citation; the body
follows the ``English HTML`` line.
"""

from __future__ import annotations

import re

from lod.read import fields as F
from lod.read.page.blocks import FUNDING, content_indexes, is_date_line, is_sentence, joined
from lod.read.page.citation import URL, find_citation, read_citation

#: Buttons, tabs and labels of the old design, as the text extractions print them.
FURNITURE = re.compile(
    r"^(?:[•·–-]\s*)?(?:search in|add search filter cancel search filter|"
    r"digital archive international history declassified|citation share download-?|citation|"
    r"get citation|share document|share|download|view document in|english html)$",
    re.I,
)
_SEPARATOR = "·"  # the design's dots, printed on lines of their own between blocks


def read(lines: list[str], layout: str) -> dict:
    """Date, [UPPER CASE title], [funding], the summary and citation block, then the body."""
    body_start = next((i for i, line in enumerate(lines) if line.strip().lower() == "english html"), None)
    values: dict = {}
    upper_title = None
    blocks: list[list[str]] = [[]]
    for line in (line.strip() for line in lines[:body_start]):
        if is_date_line(line) and "date" not in values:
            values["date"] = line
        elif FUNDING.match(line) and "credit" not in values:
            values["credit"] = line
        elif line and line != _SEPARATOR and not FURNITURE.match(line):
            blocks[-1].append(line)
            continue
        blocks.append([])
    previous: list[str] = []  # the text block before, the summary when the citation stands alone
    for block in filter(None, blocks):
        before, citation = find_citation("\n".join(block)) if "citation" not in values else ("", {})
        if citation:
            values.update(citation)
            if before or (previous and not all(map(_is_upper_title, previous))):
                values["summary"] = joined(before.split("\n") if before else previous)
        elif URL.fullmatch(block[0]) and "url" not in values:
            values["url"] = block[0]  # C1 prints the address again under "share document"
        elif upper_title is None and all(map(_is_upper_title, block)):
            upper_title = joined(block)
        previous = block
    if "title" not in values and upper_title:
        values["title"] = upper_title  # the heading in upper case, only when there is no citation
    if body_start is not None:
        body = (line.strip() for line in lines[body_start + 1:] if line.strip() != _SEPARATOR)
        values["body"] = "\n".join(body)
    return values


def _is_upper_title(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and all(not c.islower() for c in letters)


# --- L-D: old site, body only -----------------------------------------------------------


def read_body_only(lines: list[str], layout: str) -> dict:
    """Date, indented summary, then a citation, a repeat of the date or nothing, then the body.

    No title line: the title is the citation's, and a capture without a citation has
    none (the body's first heading is close to the title at best, never known to be it).
    """
    content = content_indexes(lines)
    values: dict = {"date": lines[content[0]].strip()}
    position = 1
    if position < len(content) and _is_summary(lines[content[position]]):
        summary, citation = find_citation(lines[content[position]])
        values["summary"] = summary or None
        values.update(citation)
        position += 1
    if position < len(content) and "citation" not in values:
        candidate = lines[content[position]].strip()
        if citation := read_citation(candidate):
            values.update(citation)
            position += 1
        elif _same_date(candidate, values["date"]):
            position += 1
    if position < len(content) and lines[content[position]].strip().lower() == "english html":
        position += 1
    if position < len(content):
        values["body"] = "\n".join(line.strip() for line in lines[content[position]:])
    return values


def _is_summary(line: str) -> bool:
    """The line under the date: indented, or (where a capture lost the indent) a long sentence."""
    return line != line.lstrip() or is_sentence(line)


def _same_date(text: str, date_line: str) -> bool:
    """A repeat of the date line, even printed another way (``July 3`` / ``July 03``)."""
    if text == date_line:
        return True
    repeat = F.parse_date(text)
    return bool(repeat and repeat.iso and repeat.iso == F.parse_date(date_line).iso)
