"""The linker's fast paths: the mention finder (``lod.link.mentions``) finds exactly what
the plain one did, text names are decided as they were, and the linker's caches stay bounded.

The reference below is the earlier, plainer code: ``\\b`` and lookbehinds first in
the patterns, each name prefix joined and folded again, the word before a match
searched forwards. Hostile text (accents, Cyrillic, CJK, letters that fold to
nothing, apostrophes, hyphens, brackets, capitals-only lines) must give the same
mentions, in the same order, from both.
"""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from lod.link import mentions as M
from lod.link.authority import load_index
from lod.link.names import folded
from lod.link.resolve import TEXT_KINDS, Linker
from lod.model import ORGANIZATION, PERSON, PLACE, Entity

INDEX = load_index()

# --- the reference: the code before the fast paths ------------------------------------

_CAPITALISED = re.compile(r"(?<![^\W\d_])[A-ZÀ-ÖØ-ÞĀ-ſА-Я][^\W\d_]*")
_POSSESSIVE_END = re.compile(r"['’]s\Z")
_BEFORE = re.compile(r"(?P<word>[^\W\d_]+)[ -]\Z")
_LETTER_SPACED = re.compile(r"\b[A-Z](?:(?: [A-Z]){3,}|(?: [a-z]){3,})\b")
_LINE_END_HYPHEN = re.compile(r"([^\W\d_])-[ \t]*\n[ \t]*([a-z])")
_HONORIFIC = (
    r"(?:Cdes?|Coms?|Comrades?|Ambassador|Premier|Chairman|Marshal|General|President|"
    r"Mr|Mrs|Ms|Dr|Counselor|Counsellor|Captain|Colonel|Secretary|Chancellor|"
    r"(?:Deputy|Vice|Foreign|Prime|Defense|Defence)\s+Minister|Minister)"
)
_HONORIFIC_NAME = re.compile(rf"\b{_HONORIFIC}\.?[ \t]+(?:(?:Comrade|Cde)\.?[ \t]+)?(?P<name>{M._NAME})")
_PLURAL_HONORIFIC = re.compile(
    rf"\b(?:comrades|Comrades|Cdes\.|Coms\.)\s+(?P<first>{M._NAME})"
    rf"(?P<rest>(?:\s*,\s*|\s+and\s+)(?:\[[^\]]*\]\s*)?{M._NAME})+"
)
_INITIALS = re.compile(r"(?<![\w.])(?P<name>(?:[A-Z][a-z]{1,12}\.?[ ])?(?:[A-Z]\.[ ]?){1,3}[A-Z][a-z][\w'’\-]+)")
_ROMANIZED = re.compile(r"\b(?P<name>(?:%s)[ ]+[A-Z][a-z]+-[a-z]+)(?![\w-])" % "|".join(
    f"{n.title()}|{n.upper()}" for n in sorted(M.surname_first() - M._ENGLISH_FAMILY_NAMES)))


def reference_find_mentions(text, index):
    text = _LETTER_SPACED.sub(lambda m: m.group().replace(" ", "").title(), text)
    text = _LINE_END_HYPHEN.sub(r"\1\2", text)
    found = {}
    table = reference_gazetteer(text, index)
    cued = [(start, end, m) for start, end, m in reference_cued_persons(text, index)
            if not any(set(range(start, end)) & set(range(begin, stop)) for begin, stop, _ in table)]
    for _, _, mention in (*table, *cued):
        if mention.key and mention.key not in found:
            found[mention.key] = mention
    return list(found.values())


def reference_gazetteer(text, index):
    starts = index.start_tokens
    names = (index.by_name, index.by_context_name, index.by_surname)
    out = []
    position = 0
    for capital in _CAPITALISED.finditer(text):
        if capital.start() < position or folded(capital.group()).split(" ")[0] not in starts:
            continue
        words, best = [], None
        for match in M._SCAN_WORD.finditer(text, capital.start()):
            word = match.group()
            bare = _POSSESSIVE_END.sub("", word)
            if bare != word:
                key = folded(" ".join([*words, bare]))
                if any(key in table for table in names):
                    best = (key, len(words) + 1, match, match.start() + len(bare))
            words.append(word)
            key = folded(" ".join(words))
            if key not in index.prefixes:
                break
            if any(key in table for table in names):
                best = (key, len(words), match, match.end())
        if best is None:
            continue
        key, n, last, stop = best
        kinds = {entry.kind for table in names for entry in table.get(key, ())}
        if _plausible(text, capital, n, key, index) and _fits_context(text, capital.start(), stop,
                                                                       key, kinds, index):
            printed = M._printed(text, capital.start(), stop)
            surname_only = key in index.by_surname and not (key in index.by_name or
                                                            key in index.by_context_name)
            out.append((capital.start(), stop, M.Mention(printed, key, surname_only)))
            position = last.end()
    return out


def _fits_context(text, start, stop, key, kinds, index):
    after = M._AFTER.match(text, stop)
    following = after.group("word").lower() if after else ""
    before = _BEFORE.search(text, max(0, start - 40), start)
    preceding = before.group("word").lower() if before else ""
    if PERSON in kinds and following in M._INSTITUTION_WORDS:
        return False
    if PLACE in kinds and preceding in M._QUALIFIERS:
        return False
    if PLACE in kinds and following in M._CURRENCY_WORDS:
        return False
    if PLACE in kinds and key not in index.demonyms:
        body = [w.lower() for w in _following_words(text, stop)]
        if body[:1] and (body[0] in M._BODY_WORDS or body[0] in M._LOCAL_WORDS and body[1:2]
                         and body[1] in M._BODY_WORDS):
            return False
    if ORGANIZATION in kinds and following in M._ORGAN_WORDS:
        return False
    if key in index.by_surname and M._INITIAL_BEFORE.search(text, max(0, start - 4), start):
        return False
    return True


def _following_words(text, stop):
    """The next two words, each joined to the one before by a space or hyphen (as _AFTER reads)."""
    words = []
    for _ in range(2):
        match = re.match(r"(?:['’]s)?[ -]([^\W\d_]+)", text[stop:])
        if not match:
            break
        words.append(match[1])
        stop += match.end()
    return words


def _plausible(text, first, n, key, index):
    if n > 1:
        return True
    word = first.group()
    before = _BEFORE.search(text, max(0, first.start() - 40), first.start())
    after = M._AFTER.match(text, first.end())
    neighbours = [m.group("word") for m in (before, after) if m]
    if key in index.by_surname and key not in index.by_name:
        return not any(w[0].isupper() and w.lower() not in M._HONORIFIC_WORDS
                       and w.lower() not in M._NOT_A_NAME for w in neighbours)
    if len(word) > 3:
        return True
    if not word.isupper():
        return False
    return not any(w.isupper() and len(w) > 1 for w in neighbours)


def reference_cued_persons(text, index):
    spans = []
    for pattern in (_HONORIFIC_NAME, _INITIALS, _ROMANIZED):
        spans += [match.span("name") for match in pattern.finditer(text)]
    for match in _PLURAL_HONORIFIC.finditer(text):
        spans.append(match.span("first"))
        rest = re.sub(r"\[[^\]]*\]", lambda m: " " * len(m.group()), match["rest"])
        spans += [(match.start("rest") + m.start(), match.start("rest") + m.end())
                  for m in re.finditer(M._NAME, rest)]
    out = []
    for start, end in spans:
        if re.match(r"\?\w", text[end:]):
            continue
        mention = M._person(text[start:end])
        words = mention.key.split()
        if len(mention.key) > 2 and len(words[-1]) > 1 and not set(words) & M._NOT_A_NAME \
                and not any(PLACE in index.kinds_by_name.get(w, ()) for w in words):
            out.append((start, end, mention))
    return out


# --- hostile text -----------------------------------------------------------------------

_TABLE_NAMES = sorted({name for entry in INDEX.entries.values()
                       for name in (entry.label, *entry.aliases, *entry.context_aliases)})
_WORDS = [
    "The", "the", "and", "of", "Cde.", "Comrade", "comrades", "Comrades", "Cdes.", "Coms.",
    "Ambassador", "Deputy Minister", "Foreign  Minister", "Minister", "Mr.", "Premier", "General",
    "A.I.", "N. S.", "S.", "X.Y.", "S H T Y K O V", "K I M", "West", "North", "University",
    "Center", "Central Committee", "Politburo", "KGB", "US", "UN", "UNITED STATES OF AMERICA",
    "Иванов", "ИВАНОВ", "Москва", "毛泽东", "O'Brien", "O’Neill", "Kim Il-sung", "Il-Sung",
    "ͺ", "ﹰ", "Ⅻ", "²", "ǅemal", "İstanbul", "Straße", "Āsia", "ōkubo", "Ōkubo", "Zhou Enlai’s",
    "Filippov", "[Stalin]", "[Chinese Minister of Defense]", "Peng Dehuai", "Li Peng", "Ivanov",
    "Khrushchev", "Mikoyan", "Woodrow Wilson", "Berlin", "German", "Soviet-Chinese",
    # cued persons
    "Cde. Ivanov", "Comrade Kim Il Sung", "Ambassador Cde. Puzanov", "Foreign Minister Chen Yi",
    "Deputy\tMinister Li Xiannian’s", "Mr. Smith-Jones", "comrades Kim, Peng and Zhou",
    "Cdes. Mao and [Chinese] Zhou Enlai", "Coms. Ulbricht , Grotewohl", "A.I. Mikoyan",
    "N. S. Khrushchev's", "X.Y.Z. Abcdef", "General Secretary Brezhnev", "Premier The Party",
]
_JOINERS = [" ", " ", " ", "  ", "-", "\n", ", ", ". ", "'s ", "’s ", "'", "’", "[", "] ", "(", ") ",
            "", "\t", "\u00a0", "_", "1", " and ", ": "]


@st.composite
def _variant(draw, name):
    form = draw(st.sampled_from(["same", "upper", "lower", "accents", "possessive"]))
    if form == "upper":
        return name.upper()
    if form == "lower":
        return name.lower()
    if form == "accents":
        return name.replace("o", "ó").replace("a", "ä").replace("e", "ē")
    if form == "possessive":
        return name + draw(st.sampled_from(["'s", "’s", "'", "s'"]))
    return name


_TOKENS = st.one_of(st.sampled_from(_TABLE_NAMES).flatmap(_variant), st.sampled_from(_WORDS),
                    st.text(max_size=6))
hostile_texts = st.one_of(
    st.lists(st.tuples(_TOKENS, st.sampled_from(_JOINERS)), max_size=25).map(
        lambda pairs: "".join(token + joiner for token, joiner in pairs)),
    st.text(max_size=200),
)

SETTINGS = settings(max_examples=500, deadline=None)
SAMPLES = ["Kim Il Sung's talk with Cde. Filippov [Stalin] and N. S. Khrushchev in West Berlin.",
           "COMRADES KIM IL SUNG AND PENG DEHUAI. S H T Y K O V REPORTS. The US and UN.",
           "Xaver Mr Smith, AMinister Mr Jones; comrades Kim and [Chinese] Peng Dehuai ͺ ﹰKim"]


@SETTINGS
@given(hostile_texts)
@example(SAMPLES[0])
@example(SAMPLES[1])
@example(SAMPLES[2])
def test_fast_mention_finder_finds_exactly_what_the_reference_finds(text):
    assert M._gazetteer(text, INDEX) == reference_gazetteer(text, INDEX)
    assert M._cued_persons(text, INDEX) == reference_cued_persons(text, INDEX)
    assert M.find_mentions(text, INDEX) == reference_find_mentions(text, INDEX)


@SETTINGS
@given(hostile_texts)
def test_patterns_with_the_boundary_after_the_first_letter_match_where_the_originals_did(text):
    def spans(matches):
        return [(m.span(), m.groupdict()) for m in matches]

    assert spans(M._CAPITALISED.finditer(text)) == spans(_CAPITALISED.finditer(text))
    assert spans(M._LETTER_SPACED.finditer(text)) == spans(_LETTER_SPACED.finditer(text))
    assert spans(M._INITIALS.finditer(text)) == spans(_INITIALS.finditer(text))
    assert spans(M._word_start_matches(M._HONORIFIC_NAME, text)) == spans(_HONORIFIC_NAME.finditer(text))
    assert spans(M._word_start_matches(M._PLURAL_HONORIFIC, text)) == spans(
        _PLURAL_HONORIFIC.finditer(text))
    backwards = text[::-1]
    for start in range(len(text) + 1):
        before = _BEFORE.search(text, max(0, start - 40), start)
        assert M._word_before(backwards, start) == (before["word"] if before else "")


@SETTINGS
@given(hostile_texts)
def test_the_next_scan_word_is_the_one_a_search_finds(text):
    for position in range(len(text) + 1):
        following = M._NEXT_SCAN_WORD.match(text, position)
        searched = M._SCAN_WORD.search(text, position)
        assert (following.span(1) if following else None) == (searched.span() if searched else None)


def test_kinds_and_surname_only_names_are_those_the_three_tables_give():
    tables = (INDEX.by_name, INDEX.by_context_name, INDEX.by_surname)
    for name in INDEX.names:
        assert INDEX.kinds_by_name[name] == {entry.kind for table in tables for entry in table.get(name, ())}
        assert (name in INDEX.surname_only) == (
            name in INDEX.by_surname and not (name in INDEX.by_name or name in INDEX.by_context_name))


_DATES = [None, ((1949, 1), (1949, 12)), ((1956, 10), (1956, 10)), ((1967, 1), (1967, 12)), ((1991, 12), (1991, 12))]


@SETTINGS
@given(hostile_texts, st.sampled_from(_DATES))
@example(SAMPLES[0], None)
def test_text_names_the_table_knows_are_decided_as_the_plain_code_decided_them(text, when):
    """The cached decision (keyed by the mention and its candidates' keys) is the one made afresh."""
    linker = Linker(INDEX)
    for mention in M.find_mentions(text, INDEX):
        candidates = linker._full(mention.key, TEXT_KINDS, when)
        if candidates:
            kind = PERSON if mention.person else candidates[0].kind
            entity = Entity(name=mention.printed, printed=mention.printed, kind=kind)
            assert linker._text(mention, candidates, when, {}) == linker._decide(
                entity, candidates, "authority:alias", TEXT_KINDS, in_document=True)


def test_a_word_before_longer_than_the_window_is_cut_as_the_search_cut_it():
    text = "x" * 60 + " Berlin"
    assert M._word_before(text[::-1], 61) == "x" * 39


def test_linker_caches_are_bounded():
    """Memory stays flat over any number of documents: every cache has a size limit."""
    from lod.link import names, resolve
    from lod.read import fields

    for cached in (fields.fold, names.folded, names.variants, resolve._linked, resolve._unknown,
                   resolve._named_in_text, resolve._is_own_name, resolve._same_person, names.name_parts,
                   M._cued_person, M._mention, M._holds_a_place):
        assert 0 < cached.cache_info().maxsize <= 4096, cached
