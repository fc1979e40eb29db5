"""Name forms: tokens, surnames and the variants under which a printed name is looked up."""

from __future__ import annotations

import re
from functools import lru_cache

from lod.read.fields import surname_first, fold

_TOKEN = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_INITIAL = re.compile(r"^[^\W\d_]$")


def tokens(text: str) -> list[str]:
    """Word tokens (hyphenated and apostrophe names stay whole; punctuation and digits drop)."""
    return _TOKEN.findall(text)


def surname(name: str) -> str | None:
    """The folded family name of a person's full name (two or more words), else None.

    East Asian names in the ``surname-first`` list keep the family name first
    (``Kim Il Sung`` -> ``kim``); others take the last word (``N. S. Khrushchev``
    -> ``khrushchev``).
    """
    words = [w for w in tokens(name) if not _INITIAL.match(w)]
    if len(tokens(name)) < 2 or not words:
        return None
    first = fold(words[0])
    if first in surname_first() and len(words) > 1:
        return first
    return fold(words[-1])


@lru_cache(maxsize=1 << 12)
def name_parts(name: str) -> tuple[str, tuple[str, ...]]:
    """A person's folded family name and given names (initials as single letters).

    ``Nikita S. Khrushchev`` -> ("khrushchev", ("nikita", "s")); ``Choe Sang-muk`` ->
    ("choe", ("sang muk",)); a single word is a family name: ``Tito`` -> ("tito", ()).
    """
    words = [fold(w) for w in tokens(name)]
    words = [w for w in words if w]
    if not words:
        return "", ()
    if len(words) > 1 and words[0] in surname_first() and all(len(w) > 1 for w in words[1:]):
        return words[0], tuple(words[1:])  # not "Yu. V. Andropov": initials follow a given name
    return words[-1], tuple(words[:-1])


def given_names_agree(short: tuple[str, ...], full: tuple[str, ...]) -> bool:
    """Whether given names can be the same person's: word for word, an initial or an
    abbreviation (``Vyach.``, ``Yu.``) standing for a name that starts so (``S.`` is not ``Nikita``)."""
    return all(b.startswith(a) or len(b) == 1 and a.startswith(b) for a, b in zip(short, full))


@lru_cache(maxsize=1 << 12)
def folded(text: str) -> str:
    return fold(text)


@lru_cache(maxsize=1 << 12)
def variants(name: str, printed: str, alternates: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Folded forms to look a structured value up under, most specific first.

    ``Satō, Eisaku`` gives ``eisaku sato`` and ``sato eisaku``; the printed form and
    alternates (``Jiang Jingguo``, ``Tony Blair``) are tried as well. Cached: authors,
    archives and funders recur from document to document.
    """
    forms = [name, printed, *alternates]
    if printed.count(",") == 1:
        family, given = (part.strip() for part in printed.split(","))
        given = re.sub(r"\s*\(.*?\)\s*", " ", given).strip()
        forms += [f"{given} {family}", f"{family} {given}"]
    return tuple(dict.fromkeys(f for f in map(folded, forms) if f))
