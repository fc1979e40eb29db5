"""The archive's citation: ``"Title," Date, History and Public Policy Program Digital Archive, Source. [URL]``.

Every layout but the current site prints it (old site, body-only captures, PDF
export and its copies), and on most of them it is the only place the title is
printed whole: copies of the PDF export drop words from their header line, the old
site prints the title only here or in upper case.
"""

from __future__ import annotations

import re

_QUOTES = "\"“”"
#: The archive's name as the citation prints it; a copy that joined lines may have lost
#: the spaces in it (``Historyand Public Policy``).
_ARCHIVE = r"History\s*and\s*Public\s*Policy\s*Program\s*Digital\s*Archive"
# Title greedy up to the closing quote before the date: titles may hold quotes themselves.
# The date may be empty (``," , 1961,``) or missing with its comma (an undated document).
CITATION = re.compile(
    rf"^[{_QUOTES}](?P<title>.+)[{_QUOTES}]\s*,?\s*(?P<date>[^{_QUOTES}]*?)\s*,?\s*{_ARCHIVE},?\s*(?P<rest>.*)$",
    re.S,
)
URL = re.compile(r"https?://\S+")
_SENTENCE_END = re.compile(r"[.!?][\"”’')\]]*$")
# Where a citation can start inside a block: at a line start, else where a sentence starts
# after the summary's last one, even with no space between them (``...North Vietnam."Telegram``);
# an opening quote is followed by the title's first letter (a closing one by a space).
_LINE_START = re.compile(rf"^[{_QUOTES}]", re.M)
_SENTENCE_START = re.compile(rf"(?<=[.!?])\s*([{_QUOTES}])(?=\S)")


def read_citation(text: str) -> dict:
    """Title, date, source and URL of a citation; {} when the text is not one.

    The URL ends the citation: what a page prints after it (`` - Share``) is not source.
    """
    text = " ".join(text.split())
    match = CITATION.match(text)
    if not match:
        return {}
    title = match["title"].strip().rstrip(",").strip()
    if not title or title[0] in _QUOTES:
        return {}
    values = {"title": title}
    rest = match["rest"]
    url = URL.search(rest)
    if url:
        values["url"] = url.group().rstrip(".")
        text = text[: match.start("rest") + url.end()]
        rest = rest[: url.start()]
    values["citation"] = text
    rest = rest.strip().rstrip(" ,")
    if rest:  # the source as one sentence: a period added only where none ends it
        values["source"] = rest if _SENTENCE_END.search(rest) else f"{rest}."
    date = match["date"].strip(" ,")
    if date:
        values["citation_date"] = date
    return values


def find_citation(block: str) -> tuple[str, dict]:
    """The text before the citation in a block, and the citation's values ({} if none).

    The citation may wrap over several lines of the block, and may follow the summary
    on the same line with no space between them. Of the places a citation could start,
    the last one that reads as a citation wins: a quotation in the summary before it
    is no title.
    """
    starts = sorted({*(match.start() for match in _LINE_START.finditer(block)),
                     *(match.start(1) for match in _SENTENCE_START.finditer(block))}, reverse=True)
    for start in starts:
        values = read_citation(block[start:])
        if values:
            return block[:start].strip(), values
    return block.strip(), {}
