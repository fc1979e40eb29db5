"""Turtle, written directly: readable, prefixed, and the same bytes for the same triples.

Subjects: the document first, then the others in IRI order; ``a`` first, then
predicates and objects in a fixed order. Multi-line text uses long strings so
bodies stay readable. Tests prove the result is the same graph as the input
(rdflib, pyoxigraph, rapper) over hostile literals.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache

from lod.serialize.ntriples import escape_control, escape_string
from lod.terms import Text, plain
from lod.vocab import PREFIXES, RDF

_RDF_TYPE = str(RDF.type)
_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_PREFIX_ORDER = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))
_IN_A_NAMESPACE = re.compile("|".join(re.escape(namespace) for _, namespace in _PREFIX_ORDER))
_HEADER = "".join(f"@prefix {name}: <{iri}> .\n" for name, iri in PREFIXES.items())


def _long_escape(text: str) -> str:
    """Escapes for a long string: as N-Triples' but LF, which stays as it is."""
    return escape_control(text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "\\r"))


@lru_cache(maxsize=1 << 12)  # IRIs lod writes are short (lod.limits.URL_CHARS): the cache stays small
def iri(value: str) -> str:
    if not _IN_A_NAMESPACE.match(value):  # most IRIs minted per document: one test, not one per prefix
        return f"<{value}>"
    for name, namespace in _PREFIX_ORDER:
        if value.startswith(namespace):
            local = value[len(namespace):]
            if _LOCAL.match(local):
                return f"{name}:{local}"
    return f"<{value}>"


def _literal(text: Text) -> str:
    value, language, datatype = text
    if "\n" in value:
        lexical = f'"""{_long_escape(value)}"""'
    else:
        lexical = f'"{escape_string(value)}"'
    if language:
        return f"{lexical}@{language}"
    if datatype:
        return f"{lexical}^^{iri(datatype)}"
    return lexical


@lru_cache(maxsize=1 << 10)
def _verb(predicate: str) -> str:
    """The predicate as written, except rdf:type as "" (printed ``a``): sorts first."""
    return "" if predicate == _RDF_TYPE else iri(predicate)


def serialize(triples, root: str | None = None) -> str:
    # One row per triple as written, (subject, verb, object): one sort orders subjects,
    # verbs and objects; the root's run (found by bisection) then moves to the front.
    rows = sorted([(s, _verb(p), iri(o) if type(o) is str else _literal(o)) for s, p, o in plain(triples)])
    if root is not None:
        first, end = bisect_left(rows, (root,)), bisect_left(rows, (root + "\0",))
        rows = rows[first:end] + rows[:first] + rows[end:]
    out = [_HEADER, "\n"]
    subject = verb = None
    for s, v, o in rows:
        if s != subject:
            if subject is not None:
                out.append(" .\n\n")
            out.append(f"{iri(s)}\n    {v or 'a'} {o}")
            subject, verb = s, v
        elif v != verb:
            out.append(f" ;\n    {v or 'a'} {o}")
            verb = v
        else:
            out.append(f", {o}")
    if rows:
        out.append(" .\n")
    return "".join(out)
