"""Names in running text: title, summary, description and body.

Two sources of mentions, both precision first:

* the authority table's names, matched on word tokens (longest match wins,
  case- and accent-insensitive, starting at a capitalised word); short
  abbreviations (``US``, ``UN``) must be printed in capitals and not sit inside an
  all-capitals telegram line;
* person names with a cue that they are persons: an honorific (``Cde.``,
  ``Comrade``, ``comrades X and Y``, ``Ambassador``, ``Premier`` ...) or initials
  (``A.I. Mikoyan``, ``N. S. Khrushchev``).

Letter-spaced capitals (``S H T Y K O V``) are closed up first. Bracketed glosses
(``Filippov [Stalin]``, ``[Chinese Minister of Defense] Peng Dehuai``) need no
special case: brackets are not words, so both names are seen. Adjectives the
table lists as demonyms (``Chinese``, ``Soviet``) name their state, within its
period: ``German`` links nothing in 1956, when there were two German states.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from lod.link.authority import AuthorityIndex
from lod.link.names import folded
from lod.read.fields import surname_first
from lod.model import ORGANIZATION, PERSON, PLACE
from lod.vocab import read_lines

_SCAN_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")  # hyphens split: Soviet-Chinese, Il-sung
_NEXT_SCAN_WORD = re.compile(rf"[\W\d_]*+({_SCAN_WORD.pattern})")  # what _SCAN_WORD.search finds next
_INITIAL_BEFORE = re.compile(r"(?<![^\W\d_])[A-Z]\.\s?\Z")
_POSSESSIVE_ENDINGS = ("'s", "’s")
_APOSTROPHES = ("'", "’")
_APOSTROPHE_LETTER = re.compile(r"['’][^\W\d_]")
# re tries a pattern that opens with an assertion (\b, a lookbehind) at every position
# of the text, but jumps straight to the possible first characters of one that opens
# with a letter: several times faster. So the patterns below check "not after a letter"
# just after their first letter (``[A-Z](?<!\w[A-Z])`` is ``\b[A-Z]``), or after the
# character that must follow it, which most capitals already fail (``[A-Z] (?<!\w[A-Z] )``),
# and the honorific ones, which open with many words, leave ``\b`` to _word_start_matches.
_CAPITALISED = re.compile(r"[A-ZÀ-ÖØ-ÞĀ-ſА-Я](?<![^\W\d_].)[^\W\d_]*")
_BEFORE_BACKWARDS = re.compile(r"[ -](?P<word>[^\W\d_]+)")  # see _word_before
_AFTER = re.compile(r"(?:['’]s)?[ -](?P<word>[^\W\d_]+)")
_LETTER_SPACED = re.compile(r"[A-Z] (?<!\w[A-Z] )(?:[A-Z](?: [A-Z]){2,}|[a-z](?: [a-z]){2,})\b")
_HONORIFIC = (  # every alternative opens with a letter (see above)
    r"(?:Cdes?|Coms?|Comrades?|Ambassador|Premier|Chairman|Marshal|General|President|"
    r"Mr|Mrs|Ms|Dr|Counselor|Counsellor|Captain|Colonel|Secretary|Chancellor|"
    r"Deputy\s+Minister|Vice\s+Minister|Foreign\s+Minister|Prime\s+Minister|"
    r"Defense\s+Minister|Defence\s+Minister|Minister)"
)
_NAME = r"[A-Z][\w'’\-]*[a-z][\w'’\-]*(?:[ \t]+(?:[A-Z]\.[ \t]*)?[A-Z][\w'’\-]*[a-z][\w'’\-]*){0,2}"
_NAME_PATTERN = re.compile(_NAME)
_BRACKETED = re.compile(r"\[[^\]]*\]")
_HONORIFIC_NAME = re.compile(rf"{_HONORIFIC}\.?[ \t]+(?:(?:Comrade|Cde)\.?[ \t]+)?(?P<name>{_NAME})")
_PLURAL_HONORIFIC = re.compile(
    rf"(?:comrades|Comrades|Cdes\.|Coms\.)\s+(?P<first>{_NAME})"
    rf"(?P<rest>(?:\s*,\s*|\s+and\s+)(?:\[[^\]]*\]\s*)?{_NAME})+"
)
# Initials and a family name (``A.I. Mikoyan``), with the given name or its abbreviation printed
# before them (``Nikita S. Khrushchev``, ``Vyach. M. Molotov``), so no initial is taken for the first.
_INITIALS = re.compile(r"(?P<name>[A-Z](?<![\w.][A-Z])(?:[a-z]{1,12}\.?[ ][A-Z]\.|\.)[ ]?(?:[A-Z]\.[ ]?){0,2}"
                       r"[A-Z][a-z][\w'’\-]+)")
_ENGLISH_FAMILY_NAMES = frozenset("he ma ye do so an go ha".split())
_WORD_CHARACTER = re.compile(r"\w")
_DOTTED_ABBREVIATION = re.compile(r"(?:^|\s)(?:[A-Z]\.)+[A-Z]$")
_LINE_END_HYPHEN = re.compile(r"-(?<=[^\W\d_]-)[ \t]*\n[ \t]*(?=[a-z])")
#: Words that are never part of a person's name (offices, ranks, document parts, function words).
_NOT_A_NAME = frozenset(folded(word) for word in read_lines("not-name-words.txt"))
_POSSESSIVE = re.compile(r"['’]s?$")


_INSTITUTION_WORDS = frozenset(
    "center centre university institute international national foundation library museum prize award academy college "
    "school program programme project memorial archive archives hall square street avenue "
    "boulevard road bridge park airport stadium station plaza society fund".split()
)
_QUALIFIERS = frozenset("west east north south western eastern northern southern upper lower latin anglo pan "
                        "greater outer inner".split())
_BODY_WORDS = frozenset("committee committees party university institute academy college council bureau "
                        "library museum archive archives school soviet".split())
_LOCAL_WORDS = frozenset("city municipal regional provincial district town oblast".split())
_CURRENCY_WORDS = frozenset("dollar dollars cents ruble rubles rouble roubles yen yuan".split())
_ORGAN_WORDS = frozenset("central cc politburo presidium secretariat political department".split())
_HONORIFIC_WORDS = frozenset(
    "cde cdes com coms comrade comrades ambassador premier chairman marshal general president "
    "mr mrs ms dr counselor counsellor captain colonel secretary chancellor minister deputy vice "
    "foreign prime defense defence".split()
)


@dataclass(frozen=True)
class Mention:
    """A name found in text: as printed, the folded lookup key, and whether it is surely a person."""

    printed: str
    key: str
    person: bool


def find_mentions(text: str, index: AuthorityIndex) -> list[Mention]:
    """Every distinct mention in ``text``, in order of first appearance.

    A cued name inside a table name's match is the same mention (``Comrade Kim Il Sung``),
    or a piece of it (``Kim Il`` when ``Kim Il Sung`` wraps at a line end): the table's wins.
    """
    text = _LETTER_SPACED.sub(lambda m: m.group().replace(" ", "").title(), text)
    if "\n" in text:  # "Khru-\nshchev": a word hyphenated at a line end is one word
        text = _LINE_END_HYPHEN.sub("", text)
    found: dict[str, Mention] = {}
    table = _gazetteer(text, index)
    starts = [start for start, _, _ in table]  # in order, and the spans do not overlap
    cued = [m for start, end, m in _cued_persons(text, index)
            if not _inside_any(table, starts, start, end)]
    for mention in (*(m for _, _, m in table), *cued):
        if mention.key and mention.key not in found:
            found[mention.key] = mention
    return list(found.values())


def find_table_names(text: str, index: AuthorityIndex) -> list[Mention]:
    """The table's names in ``text`` alone (no cued persons): what a citation adds."""
    return [mention for _, _, mention in _gazetteer(text, index)]


def _inside_any(table: list, starts: list[int], start: int, end: int) -> bool:
    """Whether ``start``-``end`` overlaps one of the table matches (the last one starting before ``end``
    is the only one that can: they are in order and apart)."""
    i = bisect_left(starts, end) - 1
    return i >= 0 and table[i][1] > start


def _gazetteer(text: str, index: AuthorityIndex) -> list[tuple[int, int, Mention]]:
    """Longest table names starting at capitalised words (only those are visited: fast).

    The capital, folded for the start check, is the first word unless an apostrophe
    runs on (``O'Brien``); the lookup key then grows a folded word at a time (folding
    words joined by spaces is joining their folds), so no prefix is joined and folded again.
    """
    starts, prefixes, known = index.start_tokens, index.prefixes, index.names
    backwards = None  # the reversed text, made once a name is found (see _word_before)
    out = []
    position = 0
    for capital in _CAPITALISED.finditer(text):
        start, end = capital.span()
        if start < position:
            continue
        first = folded(capital.group())
        if first not in starts and (" " not in first or first.split(" ")[0] not in starts):
            continue  # (a start token holds no space: most words need no split)
        if text.startswith(_APOSTROPHES, end) and _APOSTROPHE_LETTER.match(text, end):
            key, count, best, scan_from = "", 0, None, start
        elif first not in prefixes:
            continue
        else:
            key, count, scan_from = first, 1, end
            best = (key, count, end, end) if key in known else None
        while match := _NEXT_SCAN_WORD.match(text, scan_from):
            word = match[1]
            scan_from = match.end()
            count += 1
            if word.endswith(_POSSESSIVE_ENDINGS):  # "Kim Il Sung's": the name may end before it
                bare = _extend(key, folded(word[:-2]))
                if bare in known:
                    best = (bare, count, scan_from, scan_from - 2)
            key = _extend(key, folded(word))
            if key not in prefixes:
                break
            if key in known:
                best = (key, count, scan_from, scan_from)
        if best is None:
            continue
        key, n, last_end, stop = best
        kinds = index.kinds_by_name[key]
        preceding = ""  # only one-word names and places look at the word before
        if n == 1 or PLACE in kinds:
            if backwards is None:
                backwards = text[::-1]
            preceding = _word_before(backwards, start)
        if _plausible(text, capital, n, key, index, preceding) and _fits_context(
                text, start, stop, key, kinds, index, preceding):
            out.append((start, stop, _mention(_printed(text, start, stop), key, key in index.surname_only)))
            position = last_end
    return out


@lru_cache(maxsize=1 << 12)
def _mention(printed: str, key: str, person: bool) -> Mention:
    """A table name's mention, cached: the same names recur from document to document, and
    building a frozen dataclass costs more than looking it up."""
    return Mention(printed, key, person)


def _extend(key: str, word_key: str) -> str:
    """The folded key of a name one word longer (a word that folds to nothing, such as
    U+037A or an Arabic presentation form, adds nothing: so did the fold of the whole)."""
    return f"{key} {word_key}" if key and word_key else key or word_key


def _word_before(backwards: str, start: int) -> str:
    """The word ending a space or hyphen before ``start`` (same line, 40 characters back at most).

    Matched once in the reversed text (``backwards``); searching forwards for a word
    that ends there tries each of the 40 positions, which costs more than the rest of
    the checks on a match.
    """
    end = len(backwards)
    match = _BEFORE_BACKWARDS.match(backwards, end - start, end - max(0, start - 40))
    return match["word"][::-1] if match else ""


def _fits_context(text: str, start: int, stop: int, key: str, kinds: set[str],
                  index: AuthorityIndex, preceding: str) -> bool:
    """Words around a match that show it names something else.

    ``Woodrow Wilson Center`` and ``Kim Il Sung University`` are institutions, not
    persons; ``West Berlin`` is not Berlin, nor is ``Moscow City Committee`` Moscow,
    nor ``US dollars`` the United States; ``CCP Central Committee`` and ``SED
    Politburo`` are organs, not the party; ``S. Khrushchev`` is not Nikita.
    """
    after = _AFTER.match(text, stop)
    following = after.group("word").lower() if after else ""
    if PERSON in kinds and following in _INSTITUTION_WORDS:
        return False
    if PLACE in kinds and preceding.lower() in _QUALIFIERS:
        return False
    if PLACE in kinds and (following in _CURRENCY_WORDS or key not in index.demonyms
                           and _names_a_body(text, after, following)):
        return False
    if ORGANIZATION in kinds and following in _ORGAN_WORDS:
        return False
    if key in index.by_surname and _INITIAL_BEFORE.search(text, max(0, start - 4), start):
        return False
    return True


def _names_a_body(text: str, after: re.Match | None, following: str) -> bool:
    """Whether the words after a place make it part of a body's name (``Moscow City Committee``)."""
    if following in _LOCAL_WORDS and after is not None:
        after = _AFTER.match(text, after.end())
        following = after.group("word").lower() if after else ""
    return following in _BODY_WORDS


def _printed(text: str, start: int, stop: int) -> str:
    """A match as a name is written: on one line, its brackets paired, an abbreviation whole.

    A gloss keeps its closing bracket (``Filippov [Stalin]``); a bracket left open by an
    editor's insertion goes (``Leonid] Brezhnev`` -> ``Leonid Brezhnev``); ``Central
    Committee`` + line break + ``of the CPSU`` is one line; ``U.S`` before its dot -> ``U.S.``.
    """
    printed = text[start:stop]
    if _DOTTED_ABBREVIATION.search(printed) and text.startswith(".", stop):
        printed += "."
    if "[" in printed or "(" in printed or "]" in printed:
        for opening, closing in ("[]", "()"):
            if printed.count(opening) > printed.count(closing) and text[stop:stop + 1] == closing:
                printed += closing
        if printed.count("[") != printed.count("]"):
            printed = printed.replace("[", " ").replace("]", " ")
    if "\n" in printed or "  " in printed:
        printed = " ".join(printed.split())
    return printed


def _plausible(text: str, first: re.Match, n: int, key: str, index: AuthorityIndex,
               preceding: str) -> bool:
    """Guards for one-word matches, the riskiest kind.

    Short all-capitals abbreviations only count when printed so, outside
    capitals-only telegram lines; a bare surname does not count when it is part of
    a longer capitalised name (``Peng`` in ``Li Peng``).
    """
    if n > 1:
        return True
    word = first.group()
    after = _AFTER.match(text, first.end())
    neighbours = [w for w in (preceding, after and after.group("word")) if w]
    if key in index.by_surname and key not in index.by_name:
        return not any(w[0].isupper() and w.lower() not in _HONORIFIC_WORDS
                       and w.lower() not in _NOT_A_NAME for w in neighbours)
    if len(word) > 3:
        return True
    if not word.isupper():
        return False
    return not any(w.isupper() and len(w) > 1 for w in neighbours)


def _cued_persons(text: str, index: AuthorityIndex) -> list[tuple[int, int, Mention]]:
    """Persons named with a cue: an honorific, initials, or a romanized East Asian name.

    A name whose match runs into a damaged character (``Stanis?aw``) is cut: dropped;
    a name holding a place the table knows (``S. Korea``) is no person's.
    """
    spans = [match.span("name") for match in _word_start_matches(_HONORIFIC_NAME, text)]
    spans += [match.span("name") for match in _INITIALS.finditer(text)]
    spans += [match.span("name") for match in _word_start_matches(_romanized(), text)]
    plural_cue = "omrades" in text or "Cdes." in text or "Coms." in text  # each match holds one
    for match in _word_start_matches(_PLURAL_HONORIFIC, text) if plural_cue else ():
        spans.append(match.span("first"))
        start = match.start("rest")
        rest = _BRACKETED.sub(lambda gloss: " " * len(gloss.group()), match["rest"])
        spans += [(start + name.start(), start + name.end()) for name in _NAME_PATTERN.finditer(rest)]
    out = []
    for start, end in spans:
        if text.startswith("?", end) and _WORD_CHARACTER.match(text, end + 1):
            continue
        mention = _cued_person(text[start:end])
        if mention is not None and not _holds_a_place(mention.key, index):
            out.append((start, end, mention))
    return out


@lru_cache(maxsize=1 << 12)
def _holds_a_place(key: str, index: AuthorityIndex) -> bool:
    return any(PLACE in index.kinds_by_name.get(word, ()) for word in key.split())


@lru_cache(maxsize=1)
def _romanized() -> re.Pattern:
    """A family name printed first, then a hyphenated given name: ``Kim Tu-bong``, ``KIM Jong-pil``.

    Family names from ``vocab/surname-first.txt``, less those that are English words
    at a sentence start (``He``, ``Ma``).
    """
    families = sorted(name for name in surname_first() if name not in _ENGLISH_FAMILY_NAMES)
    alternatives = "|".join(f"{name.title()}|{name.upper()}" for name in families)
    return re.compile(rf"(?P<name>(?:{alternatives})[ ]+[A-Z][a-z]+-[a-z]+)(?![\w-])")


def _word_start_matches(pattern: re.Pattern, text: str) -> Iterator[re.Match]:
    """``pattern.finditer(text)`` as if the pattern opened with ``\\b`` (see ``_CAPITALISED``)."""
    position = 0
    while match := pattern.search(text, position):
        start = match.start()
        if start and _WORD_CHARACTER.match(text, start - 1):
            position = start + 1  # inside a word: look again from the next character
            continue
        yield match
        position = match.end()


@lru_cache(maxsize=1 << 12)
def _cued_person(printed: str) -> Mention | None:
    """The person a cue names, unless too short or a word that names no one.

    Cached (mentions are immutable): the same names recur from document to document,
    and trimming titles and possessives costs more than a lookup.
    """
    mention = _person(printed)
    words = mention.key.split()
    if len(mention.key) < 3 or len(words[-1]) < 2 or set(words) & _NOT_A_NAME:
        return None  # too short, initials alone ("U.S."), or a role word inside
    return mention


def _person(printed: str) -> Mention:
    """The name without the titles and role words around it (``Chairman Mao Zedong Meeting``)."""
    words = []
    for word in printed.split():
        words.append(_POSSESSIVE.sub("", word))
        if words[-1] != word:
            break  # "Zhou Enlai’s Conversation": the name ends at the possessive
    while words and folded(words[0]) in _NOT_A_NAME:
        words.pop(0)
    while words and folded(words[-1]) in _NOT_A_NAME:
        words.pop()
    if words and words[0].isupper() and len(words[0]) > 1 and words[0].lower() in surname_first():
        words[0] = words[0].title()  # "KIM Jong-pil"
    printed = " ".join(words)
    return Mention(printed, folded(printed), True)
