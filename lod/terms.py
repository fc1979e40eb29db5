"""RDF terms as plain values: what the mapper makes and every writer reads.

An IRI is a ``str``; a literal is a :data:`Text` tuple made by :func:`literal`.
Both are built, hashed, compared and sorted at C speed, where rdflib's ``URIRef``
and ``Literal`` run Python code for each (that was most of the per-document
cost); and the garbage collector stops tracking a tuple of strings, where a
tuple subclass would stay tracked. A document's triples are a :class:`Triples`
set: each triple once, ready for the writers. :func:`plain` brings rdflib
triples (the VoID, the server, tests) to this form and :func:`to_rdflib` goes
back, for rdflib's own writers and graphs.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Union

from rdflib import Literal, URIRef

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


#: A literal: (lexical form, language tag or "", datatype IRI or ""). The datatype is ""
#: for a plain string and for a tagged one: ``xsd:string`` and ``rdf:langString`` are
#: never spelled out, so one literal has one form.
Text = tuple[str, str, str]
Term = Union[str, Text]
Triple = tuple[str, str, Term]


class Triples(frozenset):
    """A document's distinct triples in plain form; writers use it as it is."""


class Names:
    """A closed namespace's terms as plain IRIs: ``Names(RDF).type`` is the string of ``RDF.type``.

    Unknown terms still raise (the namespace is asked once per term; the string is kept).
    """

    def __init__(self, namespace):
        self._namespace = namespace

    def __getattr__(self, name: str) -> str:
        iri = str(getattr(self._namespace, name))
        setattr(self, name, iri)
        return iri


def literal(value: str, language: str = "", datatype: str = "") -> Text:
    """A literal (a tagged one takes no datatype)."""
    return value, language, datatype


@lru_cache(maxsize=64)
def checked_language(tag: str) -> str:
    """``tag`` when it is a valid BCP 47 language tag ('' for none), else the ValueError rdflib gives."""
    Literal("", lang=tag or None)
    return tag


def plain(triples: Iterable[tuple]) -> Triples:
    """The distinct triples of rdflib or plain triples, in plain form."""
    if type(triples) is Triples:
        return triples
    return Triples((term(s), term(p), term(o)) for s, p, o in triples)


def term(node) -> Term:
    """One rdflib or plain term in plain form (no blank nodes: lod mints an IRI for every node)."""
    kind = type(node)
    if kind is str:
        return node
    if kind is tuple:
        value, language, datatype = node
        return (value, language, "") if datatype and (language or datatype == _XSD_STRING) else node
    if isinstance(node, Literal):
        datatype = "" if node.language or node.datatype is None else str(node.datatype)
        return str(node), node.language or "", "" if datatype == _XSD_STRING else datatype
    if isinstance(node, URIRef):
        return str(node)
    raise TypeError(f"no blank nodes or other terms in lod output: {node!r}")


def to_rdflib(node: Term) -> URIRef | Literal:
    """A plain term as an rdflib term (lexical forms kept as they are)."""
    if type(node) is str:
        return URIRef(node)
    value, language, datatype = node
    if language:
        return Literal(value, lang=language)
    return Literal(value, datatype=URIRef(datatype) if datatype else None, normalize=False)

