"""``lod validate DIR``: check an export against what lod promises.

One pass over ``DIR/documents``: every Turtle file must parse (pyoxigraph, strict),
its JSON-LD twin must hold the very same triples, no triple may hold a blank node,
every class and property in a namespace lod writes must exist in that vocabulary,
no typed literal may be ill-typed (``"1956-13-45"^^xsd:date``), and
``dataset.nt.gz`` must hold every document's triples. Then the SHACL shapes in
``vocab/shapes.ttl`` run once over the union of all documents (one pyshacl run is
what keeps hundreds of documents within a few seconds).

Each problem is one line, ``documents/<shard>/<key>.ttl: <focus node> <path>: <message>``,
sorted, so the output diffs cleanly between runs.
"""

from __future__ import annotations

import gzip
import logging
import re
from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCMITYPE, DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, VOID, XSD

from lod.publish.layout import DATASET_DUMP, DOCUMENTS, document_files
from lod.vocab import PREFIXES, SCHEMA, vocab_path

SHAPES_FILE = "shapes.ttl"

#: Namespaces whose terms must exist: rdflib's closed term lists (lod.vocab.SCHEMA
#: is schema.org in its http:// form, closed over rdflib's list).
CLOSED = (DCTERMS, SCHEMA, SKOS, OWL, RDFS, RDF, PROV, VOID, DCAT)
_HTTPS_SCHEMA = "https://schema.org/"
_RDF_TYPE = str(RDF.type)
_DCTERMS_TYPE = str(DCTERMS.type)
_XSD = str(XSD)
_XSD_STRING = str(XSD.string)
_VALUE_MAX = 80

Triple = ox.Triple


def validate_export(folder: Path) -> list[str]:
    """Every problem in the export at ``folder``, one line each; [] when it is valid."""
    folder = Path(folder)
    documents = folder / DOCUMENTS
    if not documents.is_dir():
        return [f"{DOCUMENTS}/: missing; {folder} is not a lod export (run `lod export --out {folder}`)"]
    problems: list[str] = []
    per_file: dict[str, set[Triple]] = {}
    convert = _Converter()
    ttl_files = sorted(document_files(documents, ".ttl"))
    if not ttl_files:
        problems.append(f"{DOCUMENTS}/: no Turtle documents")
    for path in sorted(document_files(documents, ".jsonld")):
        if not path.with_suffix(".ttl").exists():
            problems.append(f"{_name(folder, path)}: no matching {path.stem}.ttl")
    for path in ttl_files:
        name = _name(folder, path)
        triples = _parse(path, ox.RdfFormat.TURTLE, name, problems)
        if triples is None:
            continue
        per_file[name] = triples
        _check_twin(path, name, triples, problems)
        _check_terms(name, triples, problems, convert)
    _check_dump(folder / DATASET_DUMP, per_file, problems)
    if per_file:
        problems.extend(_shacl(per_file, convert))
    return sorted(dict.fromkeys(problems))


def _name(folder: Path, path: Path) -> str:
    """How problems name a file: its path in the export folder."""
    return path.relative_to(folder).as_posix()


# --- parsing ------------------------------------------------------------------------


def _parse(path: Path, format: ox.RdfFormat, name: str, problems: list[str]) -> set[Triple] | None:
    """The triples of one file, or None (and a problem) when it does not parse."""
    try:
        quads = list(ox.parse(path=path, format=format))
    except SyntaxError as error:
        problems.append(f"{name}: does not parse: {_one_line(str(error))}")
        return None
    except (OSError, ValueError) as error:
        problems.append(f"{name}: cannot be read: {_one_line(str(error))}")
        return None
    if any(not isinstance(q.graph_name, ox.DefaultGraph) for q in quads):
        problems.append(f"{name}: holds named graphs; a document is one graph")
    return {q.triple for q in quads}


def _check_twin(ttl: Path, name: str, triples: set[Triple], problems: list[str]) -> None:
    """The JSON-LD file says exactly what the Turtle file says."""
    twin = ttl.with_suffix(".jsonld")
    twin_name = f"{name.rsplit('/', 1)[0]}/{twin.name}"
    if not twin.exists():
        problems.append(f"{name}: no matching {twin.name}")
        return
    other = _parse(twin, ox.RdfFormat.JSON_LD, twin_name, problems)
    if other is None or other == triples:
        return
    if _has_blank(triples) or _has_blank(other):
        # Set equality cannot match blank nodes across files; graph isomorphism can.
        if isomorphic(_graph(triples), _graph(other)):
            return
    only_ttl, only_jsonld = triples - other, other - triples
    example = sorted(map(_nt, only_ttl or only_jsonld))[0]
    problems.append(f"{twin_name}: not the same graph as {ttl.name}: {len(only_ttl)} triples only "
                    f"in the Turtle, {len(only_jsonld)} only in the JSON-LD (e.g. {example})")


def _check_dump(path: Path, per_file: dict[str, set[Triple]], problems: list[str]) -> None:
    """The dump holds every document triple (it may hold more, e.g. the dataset's own)."""
    if not per_file:
        return
    if not path.exists():
        problems.append(f"{DATASET_DUMP}: missing")
        return
    try:
        dump = {q.triple for q in ox.parse(gzip.decompress(path.read_bytes()), format=ox.RdfFormat.N_TRIPLES)}
    except (OSError, EOFError, SyntaxError, ValueError) as error:
        problems.append(f"{DATASET_DUMP}: does not parse: {_one_line(str(error))}")
        return
    for name, triples in per_file.items():
        missing = [t for t in triples - dump if not _has_blank((t,))]
        if missing:
            problems.append(f"{DATASET_DUMP}: lacks {len(missing)} triples of {name} "
                            f"(e.g. {min(map(_nt, missing))})")


# --- per-triple checks ----------------------------------------------------------------


def _check_terms(name: str, triples: set[Triple], problems: list[str], convert: _Converter) -> None:
    """No blank nodes; every predicate and class in a closed namespace exists; no ill-typed literal."""
    for s, p, o in triples:
        if isinstance(o, ox.Literal) and o.datatype.value.startswith(_XSD) and convert(o, 0).ill_typed:
            problems.append(f"{name}: {_show(s)} {_path(p)}: ill-typed literal {_shorten(str(o))}")
        if isinstance(s, ox.BlankNode) or isinstance(o, ox.BlankNode):
            where = "subject" if isinstance(s, ox.BlankNode) else "object"
            problems.append(f"{name}: {_show(s)} {_path(p)}: blank node as {where} "
                            f"(lod writes IRIs for every node)")
        unknown = _unknown_term(p.value)
        if unknown:
            problems.append(f"{name}: {_show(s)} {_path(p)}: property {unknown}")
        if isinstance(o, ox.NamedNode) and p.value == _RDF_TYPE:
            unknown = _unknown_term(o.value)
            if unknown:
                problems.append(f"{name}: {_show(s)} rdf:type: class {unknown}")
        elif isinstance(o, ox.NamedNode) and p.value == _DCTERMS_TYPE:
            unknown = _unknown_term(o.value, (DCMITYPE,))
            if unknown:
                problems.append(f"{name}: {_show(s)} dcterms:type: type {unknown}")


@lru_cache(maxsize=4096)
def _unknown_term(iri: str, namespaces: tuple = CLOSED) -> str | None:
    """Why ``iri`` is not a term of its vocabulary, or None (also for other vocabularies)."""
    if iri.startswith(_HTTPS_SCHEMA):
        return f"<{iri}> uses https://schema.org/; lod writes schema.org as http://schema.org/"
    for namespace in namespaces:
        base = str(namespace._NS)
        if iri.startswith(base):
            # ``in`` looks the name up in the closed term list without warning or raising.
            return None if iri in namespace else f"<{iri}> is not a term of <{base}>"
    return None


def _has_blank(triples: Iterable[Triple]) -> bool:
    return any(isinstance(s, ox.BlankNode) or isinstance(o, ox.BlankNode) for s, _, o in triples)


# --- SHACL ------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _shapes() -> Graph:
    return Graph().parse(vocab_path(SHAPES_FILE), format="turtle")


def _shacl(per_file: dict[str, set[Triple]], convert: _Converter) -> list[str]:
    """Run the shapes once over the union; report each result against its documents."""
    from pyshacl import validate

    # Blank nodes get a per-file label so two files' _:b0 stay two nodes. Entities
    # repeat across documents: de-duplicate before rdflib sees them (adding to an
    # rdflib graph is a large part of the time).
    merged: set[Triple] = set()
    for index, triples in enumerate(per_file.values()):
        if _has_blank(triples):
            merged.update((convert(s, index), convert(p, index), convert(o, index)) for s, p, o in triples)
        else:
            merged.update(triples)
    union = Graph()
    union.addN((convert(s, 0), convert(p, 0), convert(o, 0), union) for s, p, o in merged)
    conforms, results, _ = validate(union, shacl_graph=_shapes(), inference="none",
                                    advanced=False, abort_on_first=False, allow_warnings=False,
                                    meta_shacl=False, debug=False)
    if conforms:
        return []
    subjects: dict[object, list[str]] = defaultdict(list)
    objects: dict[object, list[str]] = defaultdict(list)
    for index, (name, triples) in enumerate(per_file.items()):
        for s, _, o in triples:
            subjects[convert(s, index)].append(name)
            objects[convert(o, index)].append(name)
    lines = []
    # Only the report's own results: nested sh:detail results repeat them less clearly.
    for result in results.objects(None, SH.result):
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        messages = sorted(str(m) for m in results.objects(result, SH.resultMessage))
        component = str(results.value(result, SH.sourceConstraintComponent) or "")
        component = component.rpartition("#")[2].removesuffix("ConstraintComponent")
        message = messages[0] if messages else "does not conform"
        if component:
            message += f" [{component[:1].lower()}{component[1:]}]"
        if value is not None and (focus != value or path is not None):
            message += f" (value: {_shorten(_show(value))})"
        where = f"{_show(focus)} {_show_path(path)}" if path is not None else _show(focus)
        for name in sorted(set(subjects.get(focus) or objects.get(focus) or [f"{DOCUMENTS}/"])):
            lines.append(f"{name}: {where}: {message}")
    return lines


class _Converter:
    """pyoxigraph terms -> rdflib terms (pyshacl works on rdflib graphs), cached."""

    def __init__(self):
        self.cache: dict = {}

    def __call__(self, node, index: int):
        if isinstance(node, (URIRef, BNode, Literal)):
            return node  # already converted
        if isinstance(node, ox.BlankNode):
            return BNode(f"f{index}b{node.value}")
        known = self.cache.get(node)
        if known is not None:
            return known
        if isinstance(node, ox.NamedNode):
            term = URIRef(node.value)
        elif node.language:
            term = Literal(node.value, lang=node.language)
        elif node.datatype.value == _XSD_STRING:
            term = Literal(node.value)
        else:
            with _quiet_rdflib():  # an ill-typed literal is a reported problem, not a log trace
                # normalize=False: check and report the lexical form as written.
                term = Literal(node.value, datatype=URIRef(node.datatype.value), normalize=False)
        self.cache[node] = term
        return term


@contextmanager
def _quiet_rdflib():
    logger = logging.getLogger("rdflib.term")
    disabled, logger.disabled = logger.disabled, True
    try:
        yield
    finally:
        logger.disabled = disabled


def _graph(triples: set[Triple]) -> Graph:
    graph = Graph()
    convert = _Converter()
    for s, p, o in triples:
        graph.add((convert(s, 0), convert(p, 0), convert(o, 0)))
    return graph


# --- formatting --------------------------------------------------------------------------

_FILE_LABEL = re.compile(r"^f[0-9]+b")
_PREFIX_ORDER = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))


def _path(predicate) -> str:
    return _compact(predicate.value)


def _compact(iri: str) -> str:
    for name, namespace in _PREFIX_ORDER:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{name}:{iri[len(namespace):]}"
    return f"<{iri}>"


def _show(node) -> str:
    """A node, N-Triples style, predicates and classes compacted; pyoxigraph or rdflib."""
    if isinstance(node, ox.BlankNode):
        return f"_:{node.value}"
    if isinstance(node, BNode):
        return "_:" + _FILE_LABEL.sub("", str(node))  # the label as in the file
    if isinstance(node, (ox.NamedNode, ox.Literal)):
        return str(node)
    if isinstance(node, URIRef):
        return f"<{node}>"
    return node.n3()


def _show_path(path) -> str:
    if isinstance(path, URIRef):
        return _compact(str(path))
    return path.n3() if not isinstance(path, BNode) else "(complex path)"


def _nt(triple: Triple) -> str:
    return f"{triple} ."


def _shorten(text: str) -> str:
    text = _one_line(text)
    return text if len(text) <= _VALUE_MAX else text[: _VALUE_MAX - 1] + "…"


def _one_line(text: str) -> str:
    return " ".join(text.split())
