"""The readers' fast paths give what the plain code gave.

Whitespace cleaning skips the substitution when there is nothing to collapse and
cleans a text in one pass instead of line by line; the reference below is the
earlier code. Hostile text mixes every space the cleaner knows with line breaks,
U+2028, accents, Cyrillic and CJK.
"""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from lod.read import archive_fields as A
from lod.read import fields as F

_SPACES = re.compile(r"[\t\x0b\x0c \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_DOCUMENT_NUMBER = re.compile(r"^No\.\s*([0-9][\w./-]*)$")


def _collapse(line):
    return _SPACES.sub(" ", line).strip(" ")


def reference_clean_text(text):
    if text is None:
        return None
    lines = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = _collapse(line)
        if line or (lines and lines[-1]):
            lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) or None


def reference_clean_line(text):
    if text is None:
        return None
    return _collapse(re.sub(r"[\r\n]+", " ", text)) or None


def reference_document_numbers(body):
    if not body:
        return ()
    found = []
    for line in body.split("\n"):
        match = _DOCUMENT_NUMBER.match(line.strip())
        if match and match[1] not in found:
            found.append(match[1])
    return tuple(found)


_PIECES = st.sampled_from([
    " ", "  ", "\t", "\x0b", "\x0c", "\u00a0", "\u1680", "\u2000", "\u2005", "\u200a", "\u202f",
    "\u205f", "\u3000", "\r", "\n", "\r\n", "\n\n", "\u2028", "\u2029", "\x85", "\u200b",
    "No.", "No. 25-C-2236", "Kim Il Sung", "Satō", "Москва", "毛泽东", "'", "-", "[", "]", "a", "1",
])
hostile = st.one_of(st.lists(_PIECES, max_size=40).map("".join), st.text(max_size=120))


@settings(max_examples=800, deadline=None)
@given(hostile)
@example("  a\u00a0 b \r\n\r\n\r\n c\t\n \n")
@example("No. 12\n No. 12 \nNo.3")
def test_cleaning_and_document_numbers_match_the_plain_code(text):
    assert F.clean_text(text) == reference_clean_text(text)
    assert F.clean_line(text) == reference_clean_line(text)
    assert F.document_numbers(text) == reference_document_numbers(text)


def reference_unwritable(value):
    for text in A._strings(value):
        if "\x00" in text:
            return "contains a NUL byte"
        if re.search("[\ud800-\udfff]", text):
            return "contains a lone surrogate (an escaped \\ud800-\\udfff), which UTF-8 cannot hold"
    return None


_FIELD_TEXT = st.one_of(hostile, st.text(max_size=30),
                        st.sampled_from(["\x00", "\ud800", "a\udfffb", "Satō\x00"]))
field_values = st.recursive(
    st.one_of(_FIELD_TEXT, st.integers(), st.none()),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_FIELD_TEXT, inner, max_size=3)),
    max_leaves=8,
)


@settings(max_examples=800, deadline=None)
@given(field_values)
@example("Kim Il Sung\ud800")
@example(["ok", {"Satō": ["\x00"]}])
def test_unwritable_text_is_found_as_the_plain_code_found_it(value):
    """ASCII strings skip the surrogate search, a plain string the walk over nested values."""
    assert A._unwritable(value) == reference_unwritable(value)


def test_reader_caches_are_bounded():
    """Memory stays flat over any number of documents: every cache has a size limit."""
    for cached in (F.fold, F.agent_from_printed, F.place_from_printed, F.subject_from_printed):
        assert 0 < cached.cache_info().maxsize <= 4096, cached
