"""JSON-LD: a framed, compact tree per document, written directly against the fixed context.

The document node is on top; entities, concepts and other nodes it points to are
embedded where first referenced (depth first, in sorted order) and referenced by
IRI afterwards. Each value uses the context term whose coercion matches it
exactly, else the compact IRI with a value object, so expansion gives back the
very triples that went in (tests check this with pyld over hostile input).
The context is inlined: every file is self-contained and parses offline. It uses
nothing of JSON-LD 1.1 (no ``@version``), so 1.0 and 1.1 processors read the same triples.
"""

from __future__ import annotations

import json
from collections import defaultdict
from functools import lru_cache

from lod.terms import plain
from lod.vocab import RDF, vocab_path

CONTEXT_FILE = "context-v1.jsonld"
_RDF_TYPE = str(RDF.type)


@lru_cache(maxsize=1)
def context() -> dict:
    """The dataset's JSON-LD context (the object under ``@context``)."""
    return json.loads(vocab_path(CONTEXT_FILE).read_text(encoding="utf-8"))["@context"]


class _Terms:
    """Chooses, for an IRI and a value, the context term that round-trips it."""

    def __init__(self, ctx: dict):
        self.default_language = ctx.get("@language")
        self.prefixes = sorted(
            ((value, key) for key, value in ctx.items()
             if isinstance(value, str) and not key.startswith("@") and value.endswith(("/", "#"))),
            key=lambda item: -len(item[0]),
        )
        self.by_iri: dict[str, list[tuple[str, dict]]] = defaultdict(list)
        for key, value in ctx.items():
            if key.startswith("@") or (isinstance(value, str) and value.endswith(("/", "#"))):
                continue
            definition = {"@id": value} if isinstance(value, str) else dict(value)
            iri = self.expand(definition.get("@id", key))
            self.by_iri[iri].append((key, definition))

    def expand(self, compact: str) -> str:
        prefix, _, local = compact.partition(":")
        for namespace, name in self.prefixes:
            if name == prefix:
                return namespace + local
        return compact

    def compact(self, iri: str) -> str:
        for namespace, name in self.prefixes:
            if iri.startswith(namespace) and len(iri) > len(namespace):
                return f"{name}:{iri[len(namespace):]}"
        return iri

    @lru_cache(maxsize=1024)
    def type_name(self, iri: str) -> str:
        for key, definition in self.by_iri.get(iri, ()):
            if set(definition) == {"@id"}:
                return key
        return self.compact(iri)

    @lru_cache(maxsize=4096)
    def key(self, predicate: str, is_iri: bool, language: str | None,
            datatype: str | None) -> tuple[str, bool]:
        """The key for a value of this shape, and whether the value can be written plain.

        Depends only on the shape (IRI or literal, language, datatype), so it is cached.
        """
        for key, definition in self.by_iri.get(predicate, ()):
            if self._fits(definition, is_iri, language, datatype):
                return key, True
        key = self.compact(predicate)
        if key in {k for k, _ in self.by_iri.get(predicate, ())}:
            key = predicate  # the compact IRI is a term with another coercion: use the full IRI
        return key, False

    def _fits(self, definition: dict, is_iri: bool, language: str | None, datatype: str | None) -> bool:
        coercion = definition.get("@type")
        if is_iri:
            return coercion == "@id"
        if coercion is not None:
            return coercion != "@id" and self.expand(coercion) == datatype
        if datatype is not None:
            return False
        default = definition["@language"] if "@language" in definition else self.default_language
        return (default or None) == (language or None)


@lru_cache(maxsize=1)
def _terms() -> _Terms:
    return _Terms(context())


def _frame(triples, root: str) -> dict:
    """The framed node tree for one document, ``root`` on top (no context)."""
    terms = _terms()
    # Per subject, each triple as its sort key (predicate, 0 for an IRI / 1 for a literal,
    # object): plain strings and tuples of them, fast to sort.
    by_subject: dict[str, list[tuple]] = defaultdict(list)
    for s, p, o in plain(triples):
        by_subject[s].append((p, 0, o) if type(o) is str else (p, 1, o))
    placed: set[str] = set()

    def node(iri: str) -> dict:
        placed.add(iri)
        types: list[str] = []
        values: dict[str, list] = {}
        for predicate, kind, obj in sorted(by_subject.get(iri, ())):
            if kind == 0:
                text = obj
                if predicate == _RDF_TYPE:  # to "@type" (a literal rdf:type, never ours, is a value)
                    types.append(terms.type_name(text))
                    continue
                key, plain_value = terms.key(predicate, True, None, None)
                if text in by_subject and text not in placed:
                    value = node(text)
                else:
                    value = text if plain_value else {"@id": text}
            else:
                text, language, datatype = obj
                key, plain_value = terms.key(predicate, False, language or None, datatype or None)
                if plain_value:
                    value = text
                elif language:
                    value = {"@value": text, "@language": language}
                elif datatype:
                    value = {"@value": text, "@type": datatype}
                else:
                    value = {"@value": text}
            if key in values:
                values[key].append(value)
            else:
                values[key] = [value]
        out: dict = {"@id": iri}
        if types:
            types.sort()
            out["@type"] = types[0] if len(types) == 1 else types
        for key in sorted(values):
            items = values[key]
            out[key] = items[0] if len(items) == 1 else items
        return out

    tree = node(root)
    rest = [node(s) for s in sorted(by_subject) if s not in placed]
    return {"@graph": [tree, *rest]} if rest else tree


def _dumps(value) -> str:
    """Compact JSON (one line): the C encoder is ~5x faster than an indented dump. Trees
    are built fresh and each node is placed once, so there is no cycle to look for."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), check_circular=False)


@lru_cache(maxsize=1)
def _context_head() -> str:
    """``{"@context":…,``: the same in every file, so encoded once."""
    return '{"@context":' + _dumps(context()) + ","


def serialize(triples, root: str) -> str:
    """The document as one line: the encoded context, then the tree's members."""
    return _context_head() + _dumps(_frame(triples, root))[1:] + "\n"
