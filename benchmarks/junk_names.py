"""Junk person and organization names in an export: what a librarian would send back.

    python benchmarks/junk_names.py EXPORT_DIR

Each rule is a named predicate over (name, kind) with an example it catches. The
rules are the judge, so they keep their own short word lists rather than the
linker's: a name the linker lets through is checked against words it never saw.
They look at the names and alternate names the documents publish
(``schema:name``/``schema:alternateName`` in the documents' Turtle files).

``same-person-twice`` is the one rule over a document rather than a name: two
person nodes of one document whose family names agree and whose given names do not
disagree (``Tito`` and ``J. Tito``; ``Gromyko`` and ``A. A. Gromyko``), or a lone given
name beside the full name (``Leonid`` and ``Leonid Brezhnev``).
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import RDF

from lod.publish.layout import DOCUMENTS, document_files
from lod.vocab import SCHEMA

KINDS = {SCHEMA.Person: "person", SCHEMA.Organization: "organization", SCHEMA.Place: "place"}
NAME, ALTERNATE = SCHEMA.name, SCHEMA.alternateName

#: Words for an office, a rank, a form of address or a part of a document: never a whole name,
#: and never the first or last word of a person's name.
ROLE_WORDS = frozenset("""
    adviser advisor aide ambassador assistant attache attaché cadre captain cde cdes chairman chief
    chancellor colonel com comrade comrades consul consulate correspondent counsellor counselor
    delegate delegates delegation deputy director dr envoy extraordinaire extraordinary general
    generals head heads interpreter leader leaders lieutenant major marshal member members minister
    mr mrs ms official officials plenipotentiary premier president representative secretary staff
    stenographer translator vice
    annex appendix attachment cable conversation copy diary enclosure excerpt extract letter meeting
    memo memorandum minutes note notes notepad original page questions record report summary
    talks telegram transcript translation type untitled
    national international central foreign political economic military state people public
""".split())
#: Lower-case words that may sit inside a name (``Party of Labor``, ``Charles de Gaulle``).
NAME_PARTICLES = frozenset("of the and for de del della der di du la le van von y bin al".split())
#: Adjectives of nationality: an alternate name must be a name, not ``French`` for France.
DEMONYM = re.compile(r"(?:ese|ian|ish|ean|ic|ch|an)$|^(?:soviet|thai|swiss|greek|dutch|french|czech)$")
_LETTERS = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(name: str) -> list[str]:
    return _LETTERS.findall(name)


def _only_role_words(name: str, kind: str) -> bool:
    found = [fold(w) for w in words(name)]
    return bool(found) and all(w in ROLE_WORDS or w in NAME_PARTICLES for w in found)


def _role_word_glued(name: str, kind: str) -> bool:
    found = [fold(w) for w in words(name)]
    return (kind == "person" and len(found) > 1 and not _only_role_words(name, kind)
            and (found[0] in ROLE_WORDS or found[-1] in ROLE_WORDS))


def _broken_text(name: str, kind: str) -> bool:
    return ("\n" in name or "\t" in name or "?" in name or name.count("[") != name.count("]")
            or name.count("(") != name.count(")") or ("[" in name and kind == "person")
            or bool(re.search(r"^[\W_]|[-,;:/]$", name)))


def _sentence(name: str, kind: str) -> bool:
    found = words(name)
    lower = [w for w in found if w.islower() and w not in NAME_PARTICLES]
    return len(found) > 12 or len(lower) >= 2


def _fragment(name: str, kind: str) -> bool:
    found = words(name)
    letters = sum(len(w) for w in found)
    if letters < 2 and kind == "person" or not found:
        return True
    if re.search(r"(?:^|\s)(?:[A-Z]\.){1,3}[A-Z]$", name):  # "U.S" lost its last dot
        return True
    initials = [w for w in found[:-1] if len(w) == 1]
    return bool(kind == "person" and initials and len(initials) == len(found) - 1
                and fold(found[-1]) in ROLE_WORDS)


def _place_as_person(name: str, kind: str) -> bool:
    return kind == "person" and fold(name) in _place_names()


@lru_cache(maxsize=1)
def _place_names() -> frozenset[str]:
    """Names of places and nationalities from the packaged authority table."""
    from lod.link.authority import load_index  # the table lists the places the linker knows
    index = load_index()
    return frozenset(fold(alias) for entry in index.entries.values() if entry.kind == "place"
                     for alias in (entry.label, *entry.aliases, *entry.context_aliases))


def _demonym(name: str, kind: str) -> bool:
    found = words(name)
    return len(found) == 1 and found[0][0].isupper() and bool(DEMONYM.search(fold(found[0]))) \
        and fold(name) in _demonyms()


@lru_cache(maxsize=1)
def _demonyms() -> frozenset[str]:
    from lod.link.authority import read_rows, TABLE
    from lod.vocab import vocab_path
    return frozenset(fold(d.strip()) for row in read_rows(vocab_path(TABLE))
                     for d in (row.get("demonyms") or "").split("|") if d.strip())


@dataclass(frozen=True)
class Rule:
    name: str
    check: Callable[[str, str], bool]
    example: tuple[str, str]  # (name, kind) the rule catches
    doc: str


RULES = (
    Rule("role-word", _only_role_words, ("Staff", "person"),
         "an office, rank, address or document word as the whole name (Consulate, Heads, Cde, Original)"),
    Rule("role-word-glued", _role_word_glued, ("Ivanov Head", "person"),
         "a person's name that starts or ends with such a word (General Petrov, Mao Zedong Meeting)"),
    Rule("broken-text", _broken_text, ("Kim [Il Sung", "person"),
         "a line break, an unbalanced or editorial bracket, a damaged character or a dangling mark"),
    Rule("sentence", _sentence, ("Some documents may be subject to copyright", "organization"),
         "a run of lower-case words: a sentence, not a name"),
    Rule("fragment", _fragment, ("U.S. National", "person"),
         "too short, an abbreviation cut before its last dot, or initials before a common word"),
    Rule("place-as-person", _place_as_person, ("Korea", "person"),
         "a country or city typed as a person"),
    Rule("demonym", _demonym, ("French", "place"),
         "an adjective of nationality published as a name"),
)


def broken_rules(name: str, kind: str) -> list[str]:
    return [rule.name for rule in RULES if rule.check(name, kind)]


# --- one document -----------------------------------------------------------------------------

def _family_and_given(name: str) -> tuple[str, list[str]]:
    """``Choe Sang-muk`` -> ("choe", ["sang-muk"]); ``A. A. Gromyko`` -> ("gromyko", ["a", "a"])."""
    found = [fold(w) for w in words(name)]
    if len(found) > 1 and found[0] in surname_first():
        return found[0], found[1:]
    return (found[-1], found[:-1]) if found else ("", [])


@lru_cache(maxsize=1)
def surname_first() -> frozenset[str]:
    from lod.vocab import read_lines  # family names printed first (Kim, Mao): data, not the linker's logic
    return frozenset(fold(word) for word in read_lines("surname-first.txt"))


def _compatible(a: list[str], b: list[str]) -> bool:
    """Given names that do not disagree: ``a`` (shorter) matches the start of ``b`` word for word,
    an initial standing for any word with that letter."""
    return all(x == y or (len(x) == 1 or len(y) == 1) and x[0] == y[0] or y.startswith(x) or x.startswith(y)
               for x, y in zip(a, b))


def same_person_twice(people: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(node, name) pairs of person nodes that exactly one other node of the document names more fully."""
    found = []
    given_names = {_family_and_given(name)[1][0] for _, name in people if len(words(name)) > 1
                   and len(_family_and_given(name)[1][0]) > 1}
    for node, name in people:
        family, given = _family_and_given(name)
        if not given and family in given_names:  # "Leonid" beside "Leonid Brezhnev"
            found.append((node, name))
            continue
        if not family or len(family) < 3:
            continue
        fuller = {other for other, other_name in people if other != node
                  and (_family_and_given(other_name)[0], True) == (family, _compatible(
                      given, _family_and_given(other_name)[1]))
                  and (len(_family_and_given(other_name)[1]), other_name) > (len(given), name)}
        if len(fuller) == 1:  # "Kim" beside two Kims is ambiguous, not a second node of one person
            found.append((node, name))
    return found


# --- an export --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Node:
    document: str
    iri: str
    kind: str
    name: str
    alternates: tuple[str, ...]
    rules: tuple[str, ...]  # the rules its name or an alternate breaks (empty: clean)


def nodes(folder: Path) -> list[Node]:
    """Every person, organization and place node of every document, with the rules it breaks."""
    out = []
    for path in sorted(document_files(folder / DOCUMENTS, ".ttl"), key=lambda path: path.name):
        graph = Graph().parse(path, format="turtle")
        people = []
        document_nodes = []
        for type_, kind in KINDS.items():
            for subject in sorted(set(graph.subjects(RDF.type, type_))):
                names = sorted(str(n) for n in graph.objects(subject, NAME))
                alternates = tuple(sorted(str(n) for n in graph.objects(subject, ALTERNATE)))
                name = names[0] if names else ""
                rules = {r for text in (name, *alternates) for r in broken_rules(text, kind)}
                if kind == "person":
                    people.append((str(subject), name))
                document_nodes.append([path.stem, str(subject), kind, name, alternates, rules])
        twice = {node for node, _ in same_person_twice(people)}
        for entry in document_nodes:
            if entry[1] in twice:
                entry[5].add("same-person-twice")
            out.append(Node(*entry[:5], tuple(sorted(entry[5]))))
    return out


def summary(found: list[Node], out=sys.stdout, show: bool = True) -> float:
    """Print the junk person/organization nodes and return their share of all such nodes."""
    agents = [n for n in found if n.kind in ("person", "organization")]
    junk = [n for n in agents if n.rules]
    places = [n for n in found if n.kind == "place" and n.rules]
    if show:
        for node in junk + places:
            print(f"  {node.document:<28} {node.kind:<12} {node.name!r} {list(node.alternates) or ''} "
                  f"-> {', '.join(node.rules)}", file=out)
    rate = len(junk) / len(agents) if agents else 0.0
    print(f"junk person/organization nodes: {len(junk)}/{len(agents)} = {rate:.1%}; "
          f"places with a bad name or alternate: {len(places)}", file=out)
    return rate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("export", type=Path)
    parser.add_argument("--quiet", action="store_true", help="only the summary line")
    args = parser.parse_args(argv)
    summary(nodes(args.export), show=not args.quiet)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
