"""Field-level parsing shared by every reader: dates, names, lists, keys.

Each function takes the text as the archive prints it and returns model values;
none of them knows which input format the text came from.
"""

from __future__ import annotations

import calendar
import json
import re
import unicodedata
from functools import lru_cache

from lod.model import ORGANIZATION, PERSON, PLACE, Entity, Identifiers, RecordDate, Subject
from lod.read.keys import document_key
from lod.vocab import read_lines

MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))

# [0-9], not \d: the archive prints ASCII digits only, and int() fails on some others.
_DATE_PATTERNS = (
    # October 15, 1956 / October 04, 1961 / Oct. 4, 1961
    (re.compile(rf"^(?P<m>{_MONTH})\.?\s+(?P<d>[0-9]{{1,2}}),?\s+(?P<y>[0-9]{{4}})$", re.I), "day"),
    # 15 October 1956
    (re.compile(rf"^(?P<d>[0-9]{{1,2}})\s+(?P<m>{_MONTH})\.?,?\s+(?P<y>[0-9]{{4}})$", re.I), "day"),
    # November 1967 / April, 1950
    (re.compile(rf"^(?P<m>{_MONTH})\.?,?\s+(?P<y>[0-9]{{4}})$", re.I), "month"),
    (re.compile(r"^(?P<y>[0-9]{4})-(?P<m>[0-9]{2})-(?P<d>[0-9]{2})$"), "day"),
    (re.compile(r"^(?P<y>[0-9]{4})-(?P<m>[0-9]{2})$"), "month"),
    (re.compile(r"^(?P<y>[0-9]{4})$"), "year"),
)

#: A date as the archive prints it on a date line (day, month or year precision).
DATE_TEXT = rf"(?:(?:{_MONTH})\.?\s+[0-9]{{1,2}},?\s+[0-9]{{4}}|(?:{_MONTH})\.?,?\s+[0-9]{{4}}|[0-9]{{4}})"
#: The archive's date line; anything else on a line is not a date line.
DATE_LINE = re.compile(rf"^{DATE_TEXT}$", re.I)


def parse_date(text: str | None) -> RecordDate | None:
    """Parse a document date; keep the printed text, type it only when it is certain."""
    if text is None:
        return None
    printed = " ".join(text.split())
    if not printed:
        return None
    for pattern, precision in _DATE_PATTERNS:
        match = pattern.match(printed)
        if not match:
            continue
        year = int(match["y"])
        if year == 0:  # no year 0 in xsd:date/gYear (XSD 1.0) nor in Python's datetime
            break
        if precision == "year":
            return RecordDate(printed, f"{year:04d}", "year")
        month_text = match["m"]
        month = int(month_text) if month_text.isdigit() else MONTHS[month_text.lower()]
        if not 1 <= month <= 12:
            break
        if precision == "month":
            return RecordDate(printed, f"{year:04d}-{month:02d}", "month")
        day = int(match["d"])
        if not 1 <= day <= calendar.monthrange(year, month)[1]:
            break
        return RecordDate(printed, f"{year:04d}-{month:02d}-{day:02d}", "day")
    return RecordDate(printed)


# Spaces to collapse: tabs, U+00A0 and the other Unicode spaces. Not U+2028/U+2029:
# str.split() would drop them, and they are characters of the text that must survive.
_ODD_SPACES = r"\t\x0b\x0c\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
_SPACES = re.compile(rf"[ {_ODD_SPACES}]+")
_LINE_SPACES = re.compile(rf"[\r\n {_ODD_SPACES}]+")  # one-line values: line breaks too
# Most text has single plain spaces only, which collapse to themselves: a search for
# anything else is cheaper than a substitution that rewrites every space.
_ODD_SPACE = re.compile(rf"[{_ODD_SPACES}]")
_ODD_LINE_SPACE = re.compile(rf"[\r\n{_ODD_SPACES}]")


def _collapsed(text: str, spaces: re.Pattern, odd: re.Pattern) -> str:
    """``spaces.sub(" ", text)``, skipped when there is nothing to collapse."""
    return spaces.sub(" ", text) if "  " in text or odd.search(text) else text


def clean_text(text: str | None) -> str | None:
    """Normalise whitespace the way the archive's captures need it.

    U+00A0 and other odd spaces become plain spaces, trailing spaces go, runs of
    empty lines collapse to one paragraph break. Returns None for empty text.
    """
    if text is None:
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = []
    for line in _collapsed(text, _SPACES, _ODD_SPACE).split("\n"):  # no space run spans lines
        line = line.strip(" ")
        if line or (lines and lines[-1]):
            lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) or None


def clean_line(text: str | None) -> str | None:
    """One-line value: line breaks and runs of spaces (including U+00A0) become one space."""
    if text is None:
        return None
    return _collapsed(text, _LINE_SPACES, _ODD_LINE_SPACE).strip(" ") or None


def split_list(value, separator: str | None = None) -> list[str]:
    """A multi-valued field: JSON array, JSON-encoded array string, or separated text."""
    if value is None:
        return []
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("["):
            try:
                value = json.loads(stripped)
            except json.JSONDecodeError:
                value = [stripped]
        elif separator:
            value = stripped.split(separator)
        else:
            value = [stripped]
    if not isinstance(value, list):
        value = [value]
    items = []
    for item in value:
        item = clean_line(str(item)) if item is not None else None
        if item and item not in items:
            items.append(item)
    return items


# --- names --------------------------------------------------------------------

_NICKNAME = re.compile(r"\s*\(\s*[\"“”']+([^\"“”')]+)[\"“”']+\s*\)")
_PARENS = re.compile(r"\s*\(([^()]+)\)\s*$")
_ABBREVIATION = re.compile(r"^[A-Z][A-Z.&-]{1,9}$")


@lru_cache(maxsize=1)
def _organization_words() -> frozenset[str]:
    return frozenset(word.lower() for word in read_lines("organization-words.txt"))


@lru_cache(maxsize=1)
def surname_first() -> frozenset[str]:
    """Folded family names printed first (Kim, Mao, Chiang): East Asian names keep that order."""
    return frozenset(fold(word) for word in read_lines("surname-first.txt"))


_NOT_ASCII_ALNUM = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=1 << 12)
def fold(text: str) -> str:
    """Comparison key: case- and diacritic-insensitive, punctuation as spaces."""
    if text.isascii():  # most names and words: the same key at C speed
        return " ".join(_NOT_ASCII_ALNUM.sub(" ", text.lower()).split())
    return fold_unicode(text)


def fold_unicode(text: str) -> str:
    """:func:`fold` for any text (the general rule the ASCII fast path must agree with)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join(letters.split())


def looks_like_organization(name: str) -> bool:
    """Heuristic kind for an agent name that no authority entry knows.

    Corporate headings (``Japan. Foreign Ministry``), abbreviations (``KGB``) and
    names containing an organization word (Ministry, Party, Foundation ...) are
    organizations; everything else is taken for a person.
    """
    if _ABBREVIATION.match(name):
        return True
    if re.search(r"\w\.\s+[A-Z]\w+", name) and not re.match(r"^(?:[A-Z]\.\s*)+\w", name):
        words = re.findall(r"[A-Za-z]+", name)
        if len(words) > 1 and not re.match(r"^[^,]+,\s*[A-Z][a-z]", name):
            return True
    return has_organization_word(name)


def has_organization_word(name: str) -> bool:
    """Whether the name holds a word such as Ministry, Party or Foundation."""
    words = {w.lower() for w in re.findall(r"[^\W\d_]+", name)}
    return bool(words & _organization_words())


@lru_cache(maxsize=1 << 12)
def agent_from_printed(printed: str, kind: str | None = None) -> Entity:
    """A person or organization from the archive's pill text.

    ``Satō, Eisaku`` -> ``Eisaku Satō``; ``Chiang, Ching-kuo (Jiang Jingguo)`` ->
    ``Chiang Ching-kuo`` with the alternate kept (Chinese and Korean names stay
    surname first); ``Blair, Anthony Charles Lynton ("Tony")`` keeps ``Tony Blair``
    as an alternate. Organizations are kept as printed. Cached, as are places and
    subjects: the same pills recur on document after document.
    """
    printed = clean_line(printed) or ""
    if kind is None:
        kind = ORGANIZATION if looks_like_organization(printed) else PERSON
    if kind != PERSON:
        alternates: tuple[str, ...] = ()
        match = _PARENS.search(printed)
        if match and _ABBREVIATION.match(match[1]):
            alternates = (match[1],)
        return Entity(name=printed, printed=printed, kind=kind, alternates=alternates)
    alternates = []
    rest = printed
    nickname = _NICKNAME.search(rest)
    if nickname:
        rest = (rest[: nickname.start()] + rest[nickname.end():]).strip()
    alternate = _PARENS.search(rest)
    if alternate:
        rest = rest[: alternate.start()].strip()
        alternates.append(alternate[1].strip())
    name = rest
    surname = None
    if rest.count(",") == 1:
        surname, given = (part.strip() for part in rest.split(","))
        if surname and given:
            if fold(surname) in surname_first() and not given.endswith("."):
                name = f"{surname} {given}"
            else:
                name = f"{given} {surname}"
    if nickname:
        last = surname or name.split()[-1]
        alternates.insert(0, f"{nickname[1].strip()} {last}")
    return Entity(name=name, printed=printed, kind=PERSON, alternates=tuple(alternates))


@lru_cache(maxsize=1 << 12)
def place_from_printed(printed: str) -> Entity:
    name = clean_line(printed) or ""
    return Entity(name=name, printed=name, kind=PLACE)


@lru_cache(maxsize=1 << 12)
def subject_from_printed(printed: str) -> Subject:
    label = clean_line(printed) or ""
    parts = tuple(part.strip() for part in label.split("--") if part.strip())
    return Subject(label=label, parts=parts)


# --- funders ------------------------------------------------------------------

_CREDIT = re.compile(r"made possible with (?:the )?support (?:from|of)\s+(?P<who>.+?)\.?\s*$", re.I)


def funders_from_credit(credit: str | None) -> list[str]:
    """Funder names from "This document was made possible with support from X[, Y | and the Y]".

    The sentence ends at its full stop: a flattened PDF export runs on into the next
    field ("... Leon Levy Foundation. Original Language: Russian"). A piece that reads
    as a sentence (a cut-off rights notice) is no funder.
    """
    if not credit:
        return []
    match = _CREDIT.search(" ".join(credit.split()))
    if not match:
        return []
    who = _SENTENCE_END.split(match["who"], maxsplit=1)[0]
    names = re.split(r",\s+(?:and\s+)?(?:the\s+)?|\s+and\s+the\s+", who)
    names = [re.sub(r"^the\s+", "", name.strip(), flags=re.I) for name in names]
    return [name for name in names if name and not _reads_as_sentence(name)]


_SENTENCE_END = re.compile(r"(?<![A-Z])(?<!\b[A-Z][a-z])\.\s+(?=[A-Z])")
_NAME_PARTICLES = frozenset("of the and for de du la von van".split())


def _reads_as_sentence(name: str) -> bool:
    """Two or more lower-case words that are not particles (``of``, ``the``): a sentence."""
    return sum(1 for word in name.split() if word.islower() and word not in _NAME_PARTICLES) >= 2


def unique_names(names: list[str]) -> list[str]:
    """Each name once, compared folded: donor pills and the credit sentence repeat funders."""
    kept: dict[str, str] = {}
    for name in names:
        kept.setdefault(fold(name), name)
    return list(kept.values())


# --- identifiers ----------------------------------------------------------------


def identifiers(url: str | None, record_id: str | None, title: str, date: RecordDate | None,
                numbers: tuple[str, ...] = ()) -> Identifiers:
    url = clean_line(url)
    record_id = clean_line(record_id)
    return Identifiers(record_id=record_id, document_numbers=numbers, url=url,
                       key=document_key(url, record_id, title, date))


_DOCUMENT_NUMBER = re.compile(r"^No\.\s*([0-9][\w./-]*)$")


def document_numbers(body: str | None) -> tuple[str, ...]:
    """Registry numbers printed alone on a line of the body (``No. 25-C-2236``)."""
    if not body or "No." not in body:  # most bodies: no line to look at
        return ()
    found = []
    for line in body.split("\n"):
        match = _DOCUMENT_NUMBER.match(line.strip())
        if match and match[1] not in found:
            found.append(match[1])
    return tuple(found)
