"""Structures every page layout is made of: content lines, blank-line blocks, the funding line.

A capture's lines may hold only U+00A0 or other spaces; ``str.strip`` treats them as
empty, so every test for "empty line" here goes through it.
"""

from __future__ import annotations

import re

from lod.read import fields as F

#: The funding line the site prints under the title (and the PDF export under "Credits:").
FUNDING = re.compile(r"^This document was made possible with (?:the )?support (?:from|of)\b", re.I)
#: A date printed at the start of a line, before the title. A space may be lost where a
#: copy joined two lines (``1959Premier``), so a letter may follow the year directly.
DATE_PREFIX = re.compile(rf"^(?P<date>{F.DATE_TEXT})(?:\s+|(?=[^\W\d_]))(?P<rest>.*)$", re.I | re.S)


def content_indexes(lines: list[str]) -> list[int]:
    """Indexes of the lines that hold anything but white space."""
    return [i for i, line in enumerate(lines) if line.strip()]


def is_date_line(line: str) -> bool:
    return bool(F.DATE_LINE.match(line.strip()))


#: Titles are not sentences: a block this long that ends like one is a summary.
_SENTENCE_WORDS = 12


def is_sentence(text: str) -> bool:
    """Whether text reads as a sentence of some length (a summary), not as a title."""
    text = " ".join(text.split())
    return text.endswith((".", "!", "?")) and len(text.split()) >= _SENTENCE_WORDS


def paragraphs(lines: list[str]) -> list[str]:
    """Blocks separated by empty (or white-space-only) lines, their lines kept apart by ``\\n``."""
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


def block_end(lines: list[str], start: int, stop: re.Pattern | None = None) -> int:
    """Where the block starting at ``start`` ends: the next empty line, or a line ``stop`` matches.

    A title the site wraps over several lines is one block; a funding line printed
    right under it, with no empty line between, is not part of it.
    """
    end = start + 1
    while end < len(lines) and lines[end].strip() and not (stop and stop.match(lines[end].strip())):
        end += 1
    return end


def joined(lines: list[str]) -> str:
    """Lines of one wrapped value as one line."""
    return " ".join(line.strip() for line in lines if line.strip())
