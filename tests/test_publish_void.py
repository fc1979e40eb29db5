"""The dataset description: VoID + a DCAT-AP catalogue + schema.org, the same graph in Turtle and JSON-LD.

Checked against lod's own shapes (``vocab/void-shapes.ttl``) and, when ``../shared`` has
them, against the official DCAT-AP 3.0.1 shapes as the DCAT-AP validator's "full" check
combines them (``shapes.ttl`` + ``range.ttl`` + ``shapes_recommended.ttl`` +
``deprecateduris.ttl``, no inference): no violation, and only the warnings the data
cannot avoid.
"""

from __future__ import annotations

import json
import random
from dataclasses import replace
from pathlib import Path

import pyoxigraph
import pytest
from conftest import SHARED, run_export
from pyld import jsonld as pyld
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SDO, SH, SKOS, VOID, XSD

from lod import serialize
from lod.config import Dataset, Settings, load_config
from lod.errors import ConfigError
from lod.iris import Iris
from lod.publish import layout
from lod.publish.coverage import KEYWORDS, Coverage, CoverageWriter
from lod.publish.dumps import DumpWriter
from lod.publish.products import Context, Published
from lod.publish.void import (
    FORMATS,
    SPDX,
    VCARD,
    DatasetStats,
    catalog_iri,
    describe_dataset,
    distribution_iri,
    publisher_iri,
    vocabularies,
    write_void,
)
from lod.serialize import ntriples
from lod.vocab import SCHEMA, vocab_path

BASE = "http://example.org/"
BASE_URL = "https://data.example.org/export/"
IRIS = Iris(BASE)
MODIFIED = "2024-05-01T12:00:00Z"
ISSUED = "2023-01-02T03:04:05Z"
DATASET = Dataset(contact_email="archive@example.org", publisher_type="NonProfitOrganisation")
COVERAGE = Coverage(start=("1949", "year"), end=("1956-10-15", "day"),
                    places=(("http://www.wikidata.org/entity/Q18808", "Pyongyang"),
                            ("http://www.wikidata.org/entity/Q649", "Moscow")),
                    keywords=("Korean War, 1950-1953", "Cold War"))
DCAT_AP = SHARED / "aggregators" / "dcat-ap-3.0.1"
DCAT_AP_FILES = ("shapes.ttl", "range.ttl", "shapes_recommended.ttl", "deprecateduris.ttl")
#: The warnings the data cannot avoid: no coordinates for the places (dcat:bbox, dcat:centroid),
#: no promise of how long the dumps stay (dcatap:availability), no publisher type unless configured.
UNAVOIDABLE = {str(DCAT.bbox), str(DCAT.centroid), "http://data.europa.eu/r5r/availability", str(DCTERMS.type)}


def _export_files(root: Path, chunk_triples: int):
    writer = DumpWriter(root / "dumps", chunk_triples=chunk_triples, uri_space=f"{BASE}id/")
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
    return files, dataset_stats


def _describe(files, stats, **changes):
    arguments = dict(written=serialize.outputs(serialize.default_outputs()), coverage=COVERAGE, issued=ISSUED)
    return describe_dataset(IRIS, changes.pop("dataset", DATASET), stats, files, BASE_URL, MODIFIED,
                            **{**arguments, **changes})


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """A small real export: dumps written by DumpWriter in chunks of 3 triples, stats from what it wrote."""
    root = tmp_path_factory.mktemp("export")
    files, stats = _export_files(root, chunk_triples=3)
    triples = _describe(files, stats)
    write_void(root, triples, IRIS)
    return root, files, stats, triples


@pytest.fixture(scope="module")
def one_file_each(tmp_path_factory):
    """The same export with each dump in one file."""
    root = tmp_path_factory.mktemp("one-file")
    files, stats = _export_files(root, chunk_triples=1000)
    return root, files, _graph(_describe(files, stats))


@pytest.fixture(params=["chunks", "one file each"])
def description(request, written, one_file_each) -> Graph:
    """The description of the small export, its dumps in chunks or in one file each."""
    if request.param == "chunks":
        return Graph().parse(written[0] / "void.ttl", format="turtle")
    return one_file_each[2]


def _graph(triples) -> Graph:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph


def _rdflib_from_jsonld(path: Path) -> Graph:
    nquads = pyld.to_rdf(json.loads(path.read_text(encoding="utf-8")), {"format": "application/n-quads"})
    return Graph().parse(data=nquads, format="nt")


def value(graph, subject, predicate):
    values = list(graph.objects(subject, predicate))
    assert len(values) == 1, (subject, predicate, values)
    return values[0]


# --- the same graph everywhere, no blank nodes, deterministic ------------------------------------

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


def test_same_bytes_whatever_the_order_of_inputs(written, tmp_path):
    root, files, stats, _ = written
    shuffled = replace(stats, example_resources=stats.example_resources[::-1],
                       vocabularies=stats.vocabularies[::-1])
    triples = _describe(files[::-1], shuffled, written=serialize.outputs(serialize.default_outputs())[::-1])
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


# --- VoID ---------------------------------------------------------------------------------------

def test_void_figures_are_the_inputs(written):
    root, files, stats, _ = written
    graph = Graph().parse(root / "void.ttl", format="turtle")
    dataset = URIRef(IRIS.dataset())
    assert set(graph.objects(dataset, RDF.type)) == {VOID.Dataset, DCAT.Dataset, URIRef(SCHEMA.Dataset)}
    for predicate, expected in [(VOID.triples, stats.triples), (VOID.entities, stats.entities),
                                (VOID.distinctSubjects, stats.distinct_subjects),
                                (VOID.documents, stats.documents)]:
        literal = value(graph, dataset, predicate)
        assert literal.datatype == XSD.integer and literal.toPython() == expected
    assert stats.triples == 9 and stats.distinct_subjects == 3 and stats.entities == 3
    assert value(graph, dataset, VOID.uriSpace) == Literal(f"{BASE}id/")
    assert value(graph, dataset, VOID.rootResource) == URIRef(IRIS.document("a-doc"))
    assert set(graph.objects(dataset, VOID.exampleResource)) == {URIRef(IRIS.document(k))
                                                                 for k in ("a-doc", "b-doc")}
    assert set(map(str, graph.objects(dataset, VOID.vocabulary))) == {
        "http://purl.org/dc/terms/", "http://schema.org/", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"}
    assert set(graph.objects(dataset, VOID.feature)) == {
        URIRef(f"http://www.w3.org/ns/formats/{name}")
        for name in ("N-Triples", "N-Quads", "Turtle", "JSON-LD")}


@pytest.mark.parametrize("formats, features", [
    (("nt",), {"N-Triples"}),
    (("ttl", "nt"), {"N-Triples", "Turtle"}),
    (("nt", "nq", "edm"), {"N-Triples", "N-Quads", "RDF_XML"}),
])
def test_void_says_what_was_written_and_nothing_else(tmp_path, formats, features):
    """A dump-only export once claimed Turtle, JSON-LD and N-Quads in its VoID."""
    from lod.vocab import SAMPLES_DIR

    out = tmp_path / "out"
    run_export([SAMPLES_DIR / "seed-record.txt"], out, formats=formats)
    graph = Graph().parse(out / layout.VOID_TURTLE, format="turtle")
    dataset = URIRef(Iris(Settings().base).dataset())
    assert set(graph.objects(dataset, VOID.feature)) == {URIRef(f"http://www.w3.org/ns/formats/{name}")
                                                        for name in features}
    media = {str(m) for d in graph.objects(dataset, DCAT.distribution) for m in graph.objects(d, DCAT.mediaType)}
    written = {f["media_type"] for f in json.loads((out / layout.MANIFEST).read_text())["files"]}
    assert media == {f"https://www.iana.org/assignments/media-types/{m}" for m in written}
    assert json.loads((out / layout.MANIFEST).read_text())["outputs"] == list(formats)


def test_void_data_dump_is_the_dump_that_holds_every_triple_once(written):
    """Not the N-Quads too: a harvester loading every void:dataDump would load each triple twice."""
    root, files, _, _ = written
    graph = Graph().parse(root / "void.ttl", format="turtle")
    nt = [f for f in files if f.media_type == serialize.N_TRIPLES.media_type]
    assert len(nt) == 3 and len(files) == 7  # 9 triples in chunks of 3; two graphs of 5 quads, 3 + 2 each
    assert set(graph.objects(URIRef(IRIS.dataset()), VOID.dataDump)) == {URIRef(BASE_URL + f.path) for f in nt}


# --- DCAT: catalogue, publisher, contact point, coverage -------------------------------------------

def test_the_catalogue_holds_the_dataset(written):
    root, _, _, _ = written
    graph = Graph().parse(root / "void.ttl", format="turtle")
    catalog, dataset = URIRef(catalog_iri(IRIS)), URIRef(IRIS.dataset())
    assert str(catalog).startswith(f"{IRIS.dataset()}/")  # lod serve answers it
    assert set(graph.subjects(RDF.type, DCAT.Catalog)) == {catalog}
    assert value(graph, catalog, DCAT.dataset) == dataset
    assert value(graph, dataset, URIRef(SCHEMA.includedInDataCatalog)) == catalog
    assert value(graph, catalog, DCTERMS.title) == Literal(DATASET.title, lang=DATASET.title_language)
    assert value(graph, catalog, DCTERMS.publisher) == value(graph, dataset, DCTERMS.publisher)
    assert value(graph, catalog, DCTERMS.language) == URIRef(
        "http://publications.europa.eu/resource/authority/language/ENG")
    assert value(graph, catalog, FOAF.homepage) == URIRef(BASE_URL) == value(graph, dataset, DCAT.landingPage)
    for node in (catalog, dataset):
        assert value(graph, node, DCTERMS.modified) == Literal(MODIFIED, datatype=XSD.dateTime)
        assert value(graph, node, DCTERMS.issued) == Literal(ISSUED, datatype=XSD.dateTime)
    scheme = value(graph, catalog, DCAT.themeTaxonomy)
    themes = set(graph.objects(dataset, DCAT.theme))
    assert {str(t).rsplit("/", 1)[1] for t in themes} == set(DATASET.themes)
    for theme in themes:
        assert value(graph, theme, SKOS.inScheme) == scheme
        assert value(graph, theme, SKOS.prefLabel).language == "en"


def test_the_publisher_is_an_agent_with_a_contact_point(written):
    root, _, _, _ = written
    graph = Graph().parse(root / "void.ttl", format="turtle")
    dataset = URIRef(IRIS.dataset())
    publisher = value(graph, dataset, DCTERMS.publisher)
    assert publisher == URIRef(publisher_iri(IRIS, DATASET.publisher))
    assert publisher == value(graph, dataset, URIRef(SCHEMA.publisher))
    assert {FOAF.Agent, URIRef(SCHEMA.Organization)} <= set(graph.objects(publisher, RDF.type))
    assert value(graph, publisher, FOAF.name) == Literal(DATASET.publisher, lang="en")
    assert value(graph, publisher, RDFS.label) == Literal(DATASET.publisher, lang="en")
    assert value(graph, publisher, DCTERMS.type) == URIRef(
        "http://purl.org/adms/publishertype/NonProfitOrganisation")
    contact = value(graph, dataset, DCAT.contactPoint)
    assert contact == value(graph, publisher, URIRef(SCHEMA.contactPoint))
    assert URIRef(VCARD.Kind) in set(graph.objects(contact, RDF.type))
    assert value(graph, contact, URIRef(VCARD.hasEmail)) == URIRef("mailto:archive@example.org")
    assert value(graph, contact, URIRef(SCHEMA.email)) == Literal("archive@example.org")
    assert value(graph, contact, URIRef(VCARD.hasURL)) == URIRef(DATASET.publisher_url)
    license_ = value(graph, dataset, DCTERMS.license)
    assert value(graph, license_, RDF.type) == DCTERMS.LicenseDocument
    assert value(graph, license_, DCTERMS.type) == URIRef("http://purl.org/adms/licencetype/PublicDomain")


def test_without_contact_email_or_publisher_type_nothing_is_made_up(written):
    _, files, stats, _ = written
    graph = _graph(_describe(files, stats, dataset=Dataset()))
    contact = value(graph, URIRef(IRIS.dataset()), DCAT.contactPoint)
    assert not list(graph.objects(contact, URIRef(VCARD.hasEmail)))
    publisher = URIRef(publisher_iri(IRIS, Dataset().publisher))
    assert not list(graph.objects(publisher, DCTERMS.type))


def test_coverage_in_dcat_and_schema_org(written):
    root, _, _, _ = written
    graph = Graph().parse(root / "void.ttl", format="turtle")
    dataset = URIRef(IRIS.dataset())
    period = value(graph, dataset, DCTERMS.temporal)
    assert value(graph, period, RDF.type) == DCTERMS.PeriodOfTime
    assert value(graph, period, DCAT.startDate) == Literal("1949", datatype=XSD.gYear)
    assert value(graph, period, DCAT.endDate) == Literal("1956-10-15", datatype=XSD.date)
    assert value(graph, dataset, URIRef(SCHEMA.temporalCoverage)) == Literal("1949/1956-10-15")
    keywords = {Literal(k, lang="en") for k in COVERAGE.keywords}
    assert set(graph.objects(dataset, DCAT.keyword)) == keywords
    assert set(graph.objects(dataset, URIRef(SCHEMA.keywords))) == keywords
    places = {URIRef(iri) for iri, _ in COVERAGE.places}
    assert set(graph.objects(dataset, DCTERMS.spatial)) == places
    assert set(graph.objects(dataset, URIRef(SCHEMA.spatialCoverage))) == places
    for iri, name in COVERAGE.places:
        assert {DCTERMS.Location, URIRef(SCHEMA.Place)} <= set(graph.objects(URIRef(iri), RDF.type))
        assert value(graph, URIRef(iri), URIRef(SCHEMA.name)) == Literal(name, lang="en")


def test_an_export_without_dates_places_or_subjects_has_no_coverage(written):
    _, files, stats, _ = written
    graph = _graph(_describe(files, stats, coverage=Coverage(), issued=None))
    dataset = URIRef(IRIS.dataset())
    for predicate in (DCTERMS.temporal, DCTERMS.spatial, DCAT.keyword, DCTERMS.issued):
        assert not list(graph.objects(dataset, predicate))


# --- one distribution per format ---------------------------------------------------------------------

def test_one_distribution_per_dump_format_with_its_chunks_as_download_urls(written):
    root, files, _, _ = written
    graph = Graph().parse(root / "void.ttl", format="turtle")
    dataset = URIRef(IRIS.dataset())
    distributions = set(graph.objects(dataset, DCAT.distribution))
    assert distributions == set(graph.objects(dataset, URIRef(SCHEMA.distribution)))
    assert distributions == {URIRef(distribution_iri(IRIS, f)) for f in (serialize.N_TRIPLES, serialize.N_QUADS)}
    for format in (serialize.N_TRIPLES, serialize.N_QUADS):
        node = URIRef(distribution_iri(IRIS, format))
        chunks = [f for f in files if f.media_type == format.media_type]
        urls = {URIRef(BASE_URL + f.path) for f in chunks}
        assert set(graph.objects(node, RDF.type)) == {DCAT.Distribution, URIRef(SCHEMA.DataDownload)}
        assert set(graph.objects(node, DCAT.downloadURL)) == urls
        assert set(graph.objects(node, URIRef(SCHEMA.contentUrl))) == urls
        assert set(graph.objects(node, DCAT.accessURL)) == urls
        assert value(graph, node, DCAT.mediaType) == URIRef(
            f"https://www.iana.org/assignments/media-types/{format.media_type}")
        assert value(graph, node, DCAT.compressFormat) == URIRef(
            "https://www.iana.org/assignments/media-types/application/gzip")
        assert value(graph, node, DCTERMS.format) == URIRef(
            f"http://publications.europa.eu/resource/authority/file-type/{format.file_type}")
        size = value(graph, node, DCAT.byteSize)
        assert size.datatype == XSD.nonNegativeInteger
        assert size.toPython() == sum(f.bytes for f in chunks)
        assert size.toPython() == sum((root / f.path).stat().st_size for f in chunks)
        assert str(value(graph, node, URIRef(SCHEMA.encodingFormat))) == format.media_type
        assert f"in {len(chunks)} files" in str(value(graph, node, DCTERMS.description))
        assert value(graph, node, FOAF.page) == URIRef(BASE_URL + layout.MANIFEST)
        assert not list(graph.objects(node, URIRef(SPDX.checksum)))  # several files: manifest.json has theirs


def test_a_distribution_of_one_file_has_its_checksum(one_file_each):
    root, files, graph = one_file_each
    assert len(files) == 2
    for file in files:
        node = URIRef(distribution_iri(IRIS, serialize.get(file.media_type)))
        checksum = value(graph, node, URIRef(SPDX.checksum))
        assert value(graph, checksum, URIRef(SPDX.algorithm)) == URIRef(SPDX.checksumAlgorithm_sha256)
        assert value(graph, URIRef(SPDX.checksumAlgorithm_sha256), RDF.type) == URIRef(SPDX.ChecksumAlgorithm)
        assert str(value(graph, checksum, URIRef(SPDX.checksumValue))) == file.sha256
        assert str(value(graph, node, URIRef(SCHEMA.sha256))) == file.sha256
        assert value(graph, node, DCAT.downloadURL) == URIRef(BASE_URL + file.path)


# --- vocabularies and shapes ----------------------------------------------------------------------------

def test_every_term_exists(written):
    """Each predicate and class is a term of its (closed) vocabulary."""
    _, _, _, triples = written
    namespaces = {str(ns._NS): ns for ns in (VOID, DCAT, DCTERMS, RDF, RDFS, SDO, SPDX, FORMATS, XSD, FOAF, SKOS,
                                             VCARD)}
    namespaces["http://schema.org/"] = SCHEMA
    terms = {p for _, p, _ in triples} | {o for _, p, o in triples if p == RDF.type}
    terms |= {o for _, p, o in triples if p in (VOID.feature, URIRef(SPDX.algorithm))}
    terms |= {o.datatype for _, _, o in triples if isinstance(o, Literal) and o.datatype}
    for term in terms:
        namespace = max((ns for ns in namespaces if str(term).startswith(ns)), key=len)
        local = str(term)[len(namespace):]
        assert local in namespaces[namespace].__annotations__, term


def _lod_shapes():
    return Graph().parse(vocab_path("void-shapes.ttl"), format="turtle")


def test_lod_shapes_accept_the_description(description):
    pyshacl = pytest.importorskip("pyshacl")
    conforms, _, report = pyshacl.validate(description, shacl_graph=_lod_shapes())
    assert conforms, report


@pytest.mark.parametrize("broken", ["no byte size", "no catalogue", "two checksums", "untyped licence"])
def test_lod_shapes_catch_a_broken_description(written, broken):
    pyshacl = pytest.importorskip("pyshacl")
    data = Graph().parse(written[0] / "void.ttl", format="turtle")
    node = URIRef(distribution_iri(IRIS, serialize.N_TRIPLES))
    if broken == "no byte size":
        data.remove((None, DCAT.byteSize, None))
    elif broken == "no catalogue":
        data.remove((None, DCAT.dataset, None))
    elif broken == "two checksums":
        data.add((node, URIRef(SPDX.checksum), URIRef(f"{node}#one")))
        data.add((node, URIRef(SPDX.checksum), URIRef(f"{node}#two")))
    else:
        data.remove((URIRef(DATASET.license), RDF.type, None))
    assert not pyshacl.validate(data, shacl_graph=_lod_shapes())[0]


def dcat_ap_report(data: Graph) -> tuple[list, list]:
    """(violations, warnings) of the DCAT-AP 3.0.1 shapes, each a (focus node, path) pair."""
    pyshacl = pytest.importorskip("pyshacl")
    if not DCAT_AP.is_dir():
        pytest.skip(f"DCAT-AP shapes not present: {DCAT_AP}")
    shapes = Graph()
    for name in DCAT_AP_FILES:
        shapes.parse(DCAT_AP / name, format="turtle")
    _, results, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none")
    found: dict = {SH.Violation: [], SH.Warning: [], SH.Info: []}
    for result in results.subjects(RDF.type, SH.ValidationResult):
        found[results.value(result, SH.resultSeverity)].append(
            (str(results.value(result, SH.focusNode)), str(results.value(result, SH.resultPath))))
    return found[SH.Violation], found[SH.Warning]


def test_dcat_ap_3_shapes_find_no_violation(description):
    violations, warnings = dcat_ap_report(description)
    assert violations == []
    assert {path for _, path in warnings} <= UNAVOIDABLE - {str(DCTERMS.type)}  # the publisher type is set here
    assert len(warnings) == 2 + 2 * len(COVERAGE.places)  # availability per distribution; bbox, centroid


@pytest.mark.parametrize("name, without", [
    ("sample", {str(DCAT.keyword), str(DCTERMS.spatial)}),  # its page names no topic and no place
    ("corpus", set()), ("synthetic_1000", set())])
def test_dcat_ap_3_shapes_accept_an_export(name, without, request):
    """The sample, the shared corpus and 1,000 synthetic records, exported as lod export does."""
    export = request.getfixturevalue(f"{name}_export")
    data = Graph().parse(export.out / layout.VOID_TURTLE, format="turtle")
    violations, warnings = dcat_ap_report(data)
    assert violations == []
    assert {path for _, path in warnings} <= UNAVOIDABLE | without
    conforms, _, report = pytest.importorskip("pyshacl").validate(data, shacl_graph=_lod_shapes())
    assert conforms, report


def test_dcat_ap_3_shapes_would_see_the_old_description(written):
    """Untyped licence and media types, a publisher that is no foaf:Agent: violations."""
    data = Graph().parse(written[0] / "void.ttl", format="turtle")
    for typed in (DCTERMS.LicenseDocument, DCTERMS.MediaType, FOAF.Agent):
        data.remove((None, RDF.type, typed))
    violations, _ = dcat_ap_report(data)
    assert {path for _, path in violations} == {str(DCTERMS.license), str(DCAT.mediaType),
                                                str(DCAT.compressFormat), str(DCTERMS.publisher)}


# --- from the export: coverage gathered in the pass, issued kept across exports --------------------------

def test_coverage_folds_documents_in_any_order():
    pieces = [
        {"date": ["1956-10-15", "day"], "places": [["Q649", "Moscow"]], "subjects": ["Cold War"]},
        {"date": ["1949", "year"], "places": [["Q649", "Moscow"], ["Q18808", "Pyongyang"]],
         "subjects": ["Cold War", "Korean War"]},
        {"date": ["1949-12", "month"], "places": [["Q649", "Moskva"]], "subjects": []},
        {"date": ["1956", "year"], "places": [], "subjects": ["Korean War"]},
        {"date": None, "places": [["Q18808", "Pyongyang"]], "subjects": ["Atomic bomb"]},
    ]
    results = set()
    for seed in range(6):
        random.Random(seed).shuffle(pieces)
        writer = CoverageWriter(Path("."), Context(None, BASE))
        for index, piece in enumerate(pieces):
            writer.add(Published(f"k{index}", "", b"", 0, {"coverage": json.dumps(piece).encode()}, None))
        writer.close()
        results.add(writer.coverage)
    assert results == {Coverage(start=("1949", "year"), end=("1956", "year"),  # 1956 ends after 1956-10-15
                                places=(("http://www.wikidata.org/entity/Q18808", "Pyongyang"),
                                        ("http://www.wikidata.org/entity/Q649", "Moscow")),  # the most used name
                                keywords=("Cold War", "Korean War", "Atomic bomb"))}


def test_keywords_are_the_most_frequent_subjects():
    writer = CoverageWriter(Path("."), Context(None, BASE))
    for count in range(1, KEYWORDS + 6):
        for copy in range(count):
            piece = {"date": None, "places": [], "subjects": [f"Subject {count:02d}"]}
            writer.add(Published(f"k{count}-{copy}", "", b"", 0, {"coverage": json.dumps(piece).encode()}, None))
    writer.close()
    assert writer.coverage.keywords == tuple(f"Subject {n:02d}" for n in range(KEYWORDS + 5, 5, -1))


def test_an_export_states_its_coverage_and_keeps_its_issue_date(tmp_path):
    records = [
        {"title": "Telegram from Pyongyang", "original_publication_date": "October 15, 1956",
         "associated_places": ["Pyongyang", "Moscow"], "subjects_discussed": ["Korean War, 1950-1953--Armistices"],
         "record_id": "990101"},
        {"title": "Letter about the year", "original_publication_date": "1949",
         "subjects_discussed": ["Cold War"], "record_id": "990102"},
    ]
    source = tmp_path / "records.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records[:1]), encoding="utf-8")
    out = tmp_path / "out"
    run_export([source], out, Settings(base=BASE), now="2026-01-01T00:00:00Z")
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    run_export([source], out, Settings(base=BASE), now="2026-02-01T00:00:00Z")
    graph = Graph().parse(out / layout.VOID_TURTLE, format="turtle")
    dataset = URIRef(IRIS.dataset())
    assert value(graph, dataset, DCTERMS.issued) == Literal("2026-01-01T00:00:00Z", datatype=XSD.dateTime)
    assert value(graph, dataset, DCTERMS.modified) == Literal("2026-02-01T00:00:00Z", datatype=XSD.dateTime)
    period = value(graph, dataset, DCTERMS.temporal)
    assert value(graph, period, DCAT.startDate) == Literal("1949", datatype=XSD.gYear)
    assert value(graph, period, DCAT.endDate) == Literal("1956-10-15", datatype=XSD.date)
    assert set(graph.objects(dataset, DCAT.keyword)) == {Literal("Cold War", lang="en"),
                                                         Literal("Korean War, 1950-1953", lang="en")}
    # the authority table's verified items for the two places
    assert set(graph.objects(dataset, DCTERMS.spatial)) == {URIRef("http://www.wikidata.org/entity/Q18808"),
                                                            URIRef("http://www.wikidata.org/entity/Q649")}


# --- configuration ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("table, message", [
    ('contact_email = "nobody"', "not an e-mail address"),
    ('themes = ["INTR", "HISTORY"]', "unknown 'HISTORY'; choose from AGRI"),
    ('themes = "INTR"', "must be a list"),
    ('publisher_type = "Museum"', "unknown 'Museum'; choose from Academia-ScientificOrganisation"),
])
def test_dataset_configuration_is_checked(tmp_path, table, message):
    path = tmp_path / "lod.toml"
    path.write_text(f"[dataset]\n{table}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(str(path))


def test_dataset_configuration_is_read(tmp_path):
    path = tmp_path / "lod.toml"
    path.write_text('[dataset]\ncontact_email = "archive@example.org"\nthemes = ["GOVE"]\n'
                    'publisher_type = "Company"\n', encoding="utf-8")
    dataset = load_config(str(path)).dataset
    assert (dataset.contact_email, dataset.themes, dataset.publisher_type) == (
        "archive@example.org", ("GOVE",), "Company")


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

