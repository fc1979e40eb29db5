"""Turtle, written directly: readable, prefixed, and the same bytes for the same triples.

Subjects: the document first, then the others in IRI order; ``a`` first, then
predicates and objects in a fixed order. Multi-line text uses long strings so
bodies stay readable. Tests prove the result is the same graph as the input
(rdflib, pyoxigraph, rapper) over hostile literals.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache

from rdflib import Literal, URIRef
from lod.vocab import RDF, XSD

from lod.serialize.ntriples import escape_string
from lod.vocab import PREFIXES

_RDF_TYPE = str(RDF.type)
_XSD_STRING = str(XSD.string)
_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_PREFIX_ORDER = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))
_LONG_ESCAPE = re.compile(r'[\\"\x00-\x09\x0b-\x1f\x7f]')
_HEADER = "".join(f"@prefix {name}: <{iri}> .\n" for name, iri in PREFIXES.items())


def _long_escape(match: re.Match) -> str:
    char = match.group()
    return {"\\": "\\\\", '"': '\\"', "\r": "\\r"}.get(char) or f"\\u{ord(char):04X}"


@lru_cache(maxsize=1 << 12)
def iri(value: str) -> str:
    for name, namespace in _PREFIX_ORDER:
        if value.startswith(namespace):
            local = value[len(namespace):]
            if _LOCAL.match(local):
                return f"{name}:{local}"
    return f"<{value}>"


def term(node) -> str:
    if isinstance(node, URIRef):
        return iri(str(node))
    if isinstance(node, Literal):
        text = str(node)
        if "\n" in text:
            lexical = f'"""{_LONG_ESCAPE.sub(_long_escape, text)}"""'
        else:
            lexical = f'"{escape_string(text)}"'
        if node.language:
            return f"{lexical}@{node.language}"
        if node.datatype is not None and str(node.datatype) != _XSD_STRING:
            return f"{lexical}^^{iri(str(node.datatype))}"
        return lexical
    raise TypeError(f"no blank nodes or other terms in lod output: {node!r}")


def serialize(triples, root: str | None = None) -> str:
    by_subject: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for s, p, o in triples:  # objects kept as their Turtle text: strings hash fast, and it dedupes
        by_subject[str(s)][str(p)].add(term(o))
    subjects = sorted(by_subject, key=lambda s: (s != root, s))
    blocks = []
    for subject in subjects:
        predicates = by_subject[subject]
        lines = []
        for predicate in sorted(predicates, key=lambda p: (p != _RDF_TYPE, iri(p))):
            objects = sorted(predicates[predicate])
            verb = "a" if predicate == _RDF_TYPE else iri(predicate)
            lines.append(f"    {verb} {', '.join(objects)}")
        blocks.append(f"{iri(subject)}\n" + " ;\n".join(lines) + " .\n")
    return _HEADER + "\n" + "\n".join(blocks)
