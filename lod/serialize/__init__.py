"""Stage 4, serialize: triples -> text, one registry by name, media type and extension.

The direct writers (Turtle, JSON-LD, N-Triples) are the fast path used for output;
RDF/XML goes through rdflib. Every writer takes a document's triples (plain, see
:mod:`lod.terms`, or rdflib's) and the IRI of the node to put first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lod.serialize import jsonld, ntriples, turtle


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str
    extension: str
    write: Callable[..., str]


def _rdfxml(triples, root=None) -> str:
    from rdflib import Graph

    from lod.terms import plain, to_rdflib
    from lod.vocab import PREFIXES

    graph = Graph()
    for name, namespace in PREFIXES.items():
        graph.bind(name, namespace)
    for triple in plain(triples):
        graph.add(tuple(map(to_rdflib, triple)))
    return graph.serialize(format="pretty-xml")


FORMATS = (
    Format("turtle", "text/turtle", ".ttl", turtle.serialize),
    Format("jsonld", "application/ld+json", ".jsonld", jsonld.serialize),
    Format("ntriples", "application/n-triples", ".nt", lambda triples, root=None: ntriples.serialize(triples)),
    Format("rdfxml", "application/rdf+xml", ".rdf", _rdfxml),
)
_LOOKUP = {key: f for f in FORMATS for key in (f.name, f.media_type, f.extension, f.extension[1:])}
_LOOKUP.update({"ttl": _LOOKUP["turtle"], "json-ld": _LOOKUP["jsonld"], "nt": _LOOKUP["ntriples"],
                "xml": _LOOKUP["rdfxml"]})


def get(key: str) -> Format:
    """A format by name (``turtle``), alias (``ttl``), media type or extension."""
    try:
        return _LOOKUP[key.lower()]
    except KeyError:
        names = ", ".join(f.name for f in FORMATS)
        raise KeyError(f"unknown format {key!r}; known: {names}") from None
