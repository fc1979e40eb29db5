"""The dataset description: VoID + DCAT + schema.org, the same graph in Turtle and JSON-LD."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pyoxigraph
import pytest
from pyld import jsonld as pyld
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS, SDO, VOID, XSD

from lod.config import Dataset
from lod.iris import Iris
from lod.publish.dumps import DumpWriter
from lod.publish.void import (
    FORMATS,
    SPDX,
    DatasetStats,
    describe_dataset,
    distribution_iri,
    publisher_iri,
    vocabularies,
    write_void,
)
from lod import serialize
from lod.serialize import ntriples
from lod.vocab import SCHEMA, vocab_path

BASE = "http://example.org/"
BASE_URL = "https://data.example.org/export/"
IRIS = Iris(BASE)
MODIFIED = "2024-05-01T12:00:00Z"
DATASET = Dataset()


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """A small real export: dumps written by DumpWriter, stats from what it wrote."""
    root = tmp_path_factory.mktemp("export")
    writer = DumpWriter(root / "dumps", chunk_triples=3, uri_space=f"{BASE}id/")
    keys = ["a-doc", "b-doc"]
    for key in keys:
        subject = URIRef(IRIS.document(key))
        writer.add(IRIS.description(key), ntriples.lines([
            (subject, RDF.type, SCHEMA.ArchiveComponent),
            (subject, SCHEMA.name, Literal(f"Document {key}", lang="en")),
            (subject, DCTERMS.title, Literal(f"Document {key}", lang="en")),
            (subject, SCHEMA.mentions, URIRef(f"{BASE}id/person/someone")),
        ]), ntriples.lines([(URIRef(f"{BASE}id/person/someone"), SCHEMA.name, Literal("Someone"))]))
    files = writer.close()
    stats = writer.stats
    dataset_stats = DatasetStats(
        triples=stats.triples, entities=stats.entities, distinct_subjects=stats.distinct_subjects,
        documents=len(keys), example_resources=tuple(IRIS.document(k) for k in sorted(keys)),
        vocabularies=vocabularies(stats.predicates + stats.classes),
        root_resource=IRIS.document("a-doc"))
    triples = describe_dataset(IRIS, DATASET, dataset_stats, files, BASE_URL, MODIFIED,
                               serialize.outputs(serialize.default_outputs()))
    write_void(root, triples, IRIS)
    return root, files, dataset_stats, triples


def _rdflib_from_jsonld(path: Path) -> Graph:
    nquads = pyld.to_rdf(json.loads(path.read_text(encoding="utf-8")), {"format": "application/n-quads"})
    return Graph().parse(data=nquads, format="nt")


def test_turtle_and_jsonld_are_the_same_graph_as_the_triples(written):
    root, _, _, triples = written
    turtle = Graph().parse(root / "void.ttl", format="turtle")
    from_jsonld = _rdflib_from_jsonld(root / "void.jsonld")
    expected = Graph().parse(data=ntriples.serialize(triples), format="nt")
    assert len(turtle) == len(triples)
    assert isomorphic(turtle, expected)
    assert isomorphic(from_jsonld, expected)
    oxigraph = list(pyoxigraph.parse(path=str(root / "void.ttl"), format=pyoxigraph.RdfFormat.TURTLE))
    assert len(oxigraph) == len(triples)


def test_no_blank_nodes(written):
    root, _, _, triples = written
    graph = Graph().parse(root / "void.ttl", format="turtle") + _rdflib_from_jsonld(root / "void.jsonld")
    assert not any(isinstance(term, BNode) for triple in graph for term in triple)
    assert not any(isinstance(term, BNode) for triple in triples for term in triple)


def test_figures_are_the_inputs(written):
    root, files, stats, _ = written
    graph = Graph().parse(root / "void.ttl", format="turtle")
    dataset = URIRef(IRIS.dataset())

    def value(subject, predicate):
        values = list(graph.objects(subject, predicate))
        assert len(values) == 1, (subject, predicate, values)
        return values[0]

    assert set(graph.objects(dataset, RDF.type)) == {VOID.Dataset, DCAT.Dataset, URIRef(SCHEMA.Dataset)}
    for predicate, expected in [(VOID.triples, stats.triples), (VOID.entities, stats.entities),
                                (VOID.distinctSubjects, stats.distinct_subjects),
                                (VOID.documents, stats.documents)]:
        literal = value(dataset, predicate)
        assert literal.datatype == XSD.integer and literal.toPython() == expected
    assert stats.triples == 9 and stats.distinct_subjects == 3 and stats.entities == 3
    assert value(dataset, VOID.uriSpace) == Literal(f"{BASE}id/")
    assert value(dataset, VOID.rootResource) == URIRef(IRIS.document("a-doc"))
    assert set(graph.objects(dataset, VOID.exampleResource)) == {URIRef(IRIS.document(k))
                                                                 for k in ("a-doc", "b-doc")}
    assert set(map(str, graph.objects(dataset, VOID.vocabulary))) == {
        "http://purl.org/dc/terms/", "http://schema.org/", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"}
    assert set(graph.objects(dataset, VOID.feature)) == {
        URIRef(f"http://www.w3.org/ns/formats/{name}")
        for name in ("N-Triples", "N-Quads", "Turtle", "JSON-LD")}
    assert value(dataset, DCTERMS.title) == Literal(DATASET.title, lang=DATASET.title_language)
    assert value(dataset, DCTERMS.license) == URIRef(DATASET.license)
    assert value(dataset, DCTERMS.modified) == Literal(MODIFIED, datatype=XSD.dateTime)
    publisher = value(dataset, DCTERMS.publisher)
    assert publisher == URIRef(publisher_iri(IRIS, DATASET.publisher))
    assert publisher == value(dataset, URIRef(SCHEMA.publisher))
    assert str(publisher).startswith(f"{BASE}id/organization/")
    assert value(publisher, RDF.type) == URIRef(SCHEMA.Organization)
    assert value(publisher, RDFS.label) == Literal(DATASET.publisher, lang="en")

    assert set(graph.objects(dataset, VOID.dataDump)) == {URIRef(BASE_URL + f.path) for f in files}
    assert len(files) == 7  # 9 triples in chunks of 3; two graphs of 5 quads, each split 3 + 2
    distributions = set(graph.objects(dataset, DCAT.distribution))
    assert distributions == set(graph.objects(dataset, URIRef(SCHEMA.distribution)))
    assert distributions == {URIRef(distribution_iri(IRIS, f)) for f in files}
    for file in files:
        node = URIRef(distribution_iri(IRIS, file))
        assert str(node).startswith(f"{IRIS.dataset()}/distribution/")
        assert set(graph.objects(node, RDF.type)) == {DCAT.Distribution, URIRef(SCHEMA.DataDownload)}
        url = URIRef(BASE_URL + file.path)
        assert value(node, DCAT.downloadURL) == url == value(node, URIRef(SCHEMA.contentUrl))
        assert value(node, DCAT.mediaType) == URIRef(
            f"https://www.iana.org/assignments/media-types/{file.media_type}")
        assert value(node, DCAT.compressFormat) == URIRef(
            "https://www.iana.org/assignments/media-types/application/gzip")
        size = value(node, DCAT.byteSize)
        assert size.datatype == XSD.nonNegativeInteger and size.toPython() == file.bytes
        assert size.toPython() == (root / file.path).stat().st_size
        checksum = value(node, URIRef(SPDX.checksum))
        assert value(checksum, URIRef(SPDX.algorithm)) == URIRef(SPDX.checksumAlgorithm_sha256)
        assert str(value(checksum, URIRef(SPDX.checksumValue))) == file.sha256
        assert str(value(node, URIRef(SCHEMA.sha256))) == file.sha256
        assert str(value(node, URIRef(SCHEMA.encodingFormat))) == file.media_type


def test_every_term_exists(written):
    """Each predicate and class is a term of its (closed) vocabulary."""
    _, _, _, triples = written
    namespaces = {str(ns._NS): ns for ns in (VOID, DCAT, DCTERMS, RDF, RDFS, SDO, SPDX, FORMATS, XSD)}
    namespaces["http://schema.org/"] = SCHEMA
    terms = {p for _, p, _ in triples} | {o for _, p, o in triples if p == RDF.type}
    terms |= {o for _, p, o in triples if p in (VOID.feature, URIRef(SPDX.algorithm))}
    terms |= {o.datatype for _, _, o in triples if isinstance(o, Literal) and o.datatype}
    for term in terms:
        namespace = max((ns for ns in namespaces if str(term).startswith(ns)), key=len)
        local = str(term)[len(namespace):]
        assert local in namespaces[namespace].__annotations__, term


def test_shapes_accept_the_description(written):
    pyshacl = pytest.importorskip("pyshacl")
    root, _, _, _ = written
    data = Graph().parse(root / "void.ttl", format="turtle")
    shapes = Graph().parse(vocab_path("void-shapes.ttl"), format="turtle")
    conforms, _, report = pyshacl.validate(data, shacl_graph=shapes)
    assert conforms, report
    broken = Graph() + data
    broken.remove((None, DCAT.byteSize, None))
    assert not pyshacl.validate(broken, shacl_graph=shapes)[0]


def test_same_bytes_whatever_the_order_of_inputs(written, tmp_path):
    root, files, stats, _ = written
    shuffled = replace(stats, example_resources=stats.example_resources[::-1],
                       vocabularies=stats.vocabularies[::-1])
    triples = describe_dataset(IRIS, DATASET, shuffled, files[::-1], BASE_URL, MODIFIED,
                               serialize.outputs(serialize.default_outputs())[::-1])
    assert write_void(tmp_path, triples, IRIS) == 2
    for name in ("void.ttl", "void.jsonld"):
        assert (tmp_path / name).read_bytes() == (root / name).read_bytes()
    assert write_void(tmp_path, triples, IRIS) == 0  # unchanged: nothing rewritten


def test_dataset_is_the_jsonld_root(written):
    root, _, _, _ = written
    tree = json.loads((root / "void.jsonld").read_text(encoding="utf-8"))
    assert tree["@id"] == IRIS.dataset()
    assert (root / "void.ttl").read_text(encoding="utf-8").split("\n\n")[1].startswith(
        f"<{IRIS.dataset()}>")


def test_dates_and_bad_arguments(written):
    _, files, stats, _ = written
    day = describe_dataset(IRIS, DATASET, stats, files, BASE_URL, "2024-05-01")
    assert (URIRef(IRIS.dataset()), DCTERMS.modified, Literal("2024-05-01", datatype=XSD.date)) in day
    with pytest.raises(ValueError):
        describe_dataset(IRIS, DATASET, stats, files, BASE_URL, "May 1, 2024")
    with pytest.raises(ValueError):
        describe_dataset(IRIS, DATASET, stats, files, "https://data.example.org/no-slash", MODIFIED)
    with pytest.raises(ValueError):
        describe_dataset(IRIS, DATASET, stats, files + files[:1], BASE_URL, MODIFIED)


def test_vocabularies_are_namespaces():
    assert vocabularies(["http://schema.org/name", "http://schema.org/Person",
                         "http://www.w3.org/2004/02/skos/core#prefLabel",
                         "http://example.org/ns/thing", "http://example.org/onto#Term"]) == (
        "http://example.org/ns/", "http://example.org/onto#", "http://schema.org/",
        "http://www.w3.org/2004/02/skos/core#")
