"""EDM for Europeana: the edm profile, the EDM RDF/XML writer, the EDM outputs of an export.

The record files must pass Europeana's own ``EDM.xsd`` and Schematron (``../shared/aggregators``;
those tests skip without it) or ``lod check --for europeana`` must say why not; the dump must say
what the files say; EDM is mapped only when an EDM output is chosen, and never joins the
descriptions.
"""

from __future__ import annotations

import gzip
from dataclasses import replace
from pathlib import Path

import pytest
import rdflib
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st
from rdflib import Graph, Literal, URIRef

from lod.config import Providers, Settings, load_config
from lod.errors import ConfigError
from lod.map import map_record
from lod.map.profiles import chosen, registered
from lod.publish import products
from lod.publish.check import check
from lod.model import Record
from lod.read import read_file
from lod.render import render
from lod.serialize import EDM_RDF_XML, edm, outputs
from lod.terms import literal
from lod.vocab import DC, DCMITYPE, EDM, ORE, OWL, RDF, SKOS

from tests.conftest import CORPUS, PAGES, document_file, document_files

RECORDS = Path(__file__).parent / "fixtures" / "records"
FIXTURES = [RECORDS / "sample.jsonl", RECORDS / "sample.csv"]
WITH_EDM = ("ttl", "jsonld", "nt", "nq", "edm")
BASE = "http://localhost:8080/"
NEHRU = "letter-jawaharlal-nehru-zhou-enlai-sino-indian-boundary"
EDM_NS = rdflib.Namespace(str(EDM._NS))
ORE_NS = rdflib.Namespace(str(ORE._NS))


def records(path: Path = RECORDS / "sample.jsonl") -> list[Record]:
    return [record for record in read_file(str(path)) if isinstance(record, Record)]


def edm_graph(path: Path) -> Graph:
    return Graph().parse(path, format="xml")


def dump_graph(out: Path) -> Graph:
    graph = Graph()
    for chunk in sorted((out / "dumps").glob("edm-*.ttl.gz")):
        graph.parse(data=gzip.decompress(chunk.read_bytes()), format="turtle")
    return graph


@pytest.fixture(scope="module")
def fixtures_export(exporter):
    return exporter(FIXTURES, "edm-fixtures", formats=WITH_EDM)


# --- the profile -------------------------------------------------------------------------------


def test_edm_is_a_registered_profile_for_its_output_only():
    profile = next(p for p in registered() if p.name == "edm")
    assert not profile.describes and "edm" not in Settings().profiles
    with pytest.raises(ConfigError, match=r"--formats \+edm"):
        chosen(("dcterms", "edm"), descriptions=True)
    assert chosen(("edm",)) == (profile,)


def test_a_record_in_edm(fixtures_export):
    """The Nehru letter: everything Europeana takes, under EDM's names, and nothing else."""
    graph = edm_graph(document_file(fixtures_export.out, NEHRU, ".edm.xml"))
    cho = URIRef(f"{BASE}id/document/{NEHRU}")
    aggregation = URIRef(f"{cho}#aggregation")
    assert set(graph.subjects(rdflib.RDF.type, EDM_NS.ProvidedCHO)) == {cho}
    assert set(graph.subjects(rdflib.RDF.type, ORE_NS.Aggregation)) == {aggregation}
    assert graph.value(aggregation, EDM_NS.aggregatedCHO) == cho
    assert graph.value(aggregation, EDM_NS.dataProvider) == Literal(Providers().data_provider)
    assert graph.value(aggregation, EDM_NS.provider) == Literal(Providers().data_provider)
    assert graph.value(aggregation, EDM_NS.isShownAt) == URIRef(
        f"https://digitalarchive.wilsoncenter.org/document/{NEHRU}")
    assert graph.value(aggregation, EDM_NS.rights) == URIRef("http://rightsstatements.org/vocab/InC-EDU/1.0/")
    assert str(graph.value(aggregation, rdflib.DC.rights)).startswith("The History and Public Policy Program")
    assert graph.value(cho, EDM_NS.type) == Literal("TEXT")
    assert graph.value(cho, rdflib.DC.type) == URIRef(str(DCMITYPE.Text))
    assert graph.value(cho, rdflib.DC.language) == Literal("en")
    assert graph.value(cho, rdflib.DCTERMS.created) == Literal("1959-12-14")  # EDM takes no datatype
    nehru = graph.value(cho, rdflib.DC.creator)
    assert (nehru, rdflib.RDF.type, EDM_NS.Agent) in graph
    assert graph.value(nehru, rdflib.SKOS.prefLabel) == Literal("Jawaharlal Nehru", lang="en")
    assert graph.value(nehru, rdflib.OWL.sameAs) == URIRef("http://www.wikidata.org/entity/Q1047")
    places = set(graph.objects(cho, rdflib.DCTERMS.spatial))
    assert len(places) == 3 and all((p, rdflib.RDF.type, EDM_NS.Place) in graph for p in places)
    subjects = set(graph.objects(cho, rdflib.DC.subject))
    assert {graph.value(s, rdflib.SKOS.prefLabel).value for s in subjects} >= {"China--Boundaries--India",
                                                                               "Zhou Enlai"}
    namespaces = {str(p).rpartition("#")[0] or str(p).rpartition("/")[0] for p in graph.predicates()}
    assert not any("schema.org" in n or "prov" in n for n in namespaces)
    assert rdflib.RDFS.label not in set(graph.predicates())


def test_providers_from_lod_toml_iris_or_names(tmp_path):
    config = tmp_path / "lod.toml"
    config.write_text('[providers]\ndata_provider = "https://archive.example.org/"\nprovider = "An Aggregator"\n',
                      encoding="utf-8")
    providers = load_config(str(config)).settings.providers
    assert providers == Providers("https://archive.example.org/", "An Aggregator")
    record = records()[0]
    triples = map_record(record, replace(Settings(providers=providers), profiles=("edm",)))
    aggregation = f"{BASE}id/document/{record.key}#aggregation"
    assert (aggregation, str(EDM.dataProvider), "https://archive.example.org/") in triples
    assert (aggregation, str(EDM.provider), literal("An Aggregator")) in triples
    config.write_text('[dataset]\npublisher = "A Publisher"\n', encoding="utf-8")
    assert load_config(str(config)).settings.providers == Providers("A Publisher")  # the publisher provides
    for bad in ('data_provider = ""', 'data_provider = "https://bad iri/"', 'provider = " padded "',
                "data_provider = 3", 'nonsense = "x"'):
        config.write_text(f"[providers]\n{bad}\n", encoding="utf-8")
        with pytest.raises(ConfigError, match="providers"):
            load_config(str(config))


# --- the writer --------------------------------------------------------------------------------


def test_the_dump_says_what_the_files_say(fixtures_export):
    files = fixtures_export.files(EDM_RDF_XML.extension)
    assert len(files) == fixtures_export.report.exported == 10
    union = Graph()
    for path in files:
        union += edm_graph(path)
    assert set(dump_graph(fixtures_export.out)) == set(union)


def test_edm_file_and_its_triples_agree_on_every_record(fixtures_export):
    """render's EDM file and edm.selected of the same mapping are one graph."""
    settings = fixtures_export.settings
    for record in records():
        triples = map_record(record, replace(settings, profiles=("edm",)))
        view = edm.selected(triples)
        xml = Graph().parse(data=edm.serialize(view), format="xml")
        assert set(xml) == {tuple(_rdflib(t) for t in triple) for triple in view}
        assert edm.selected(view) == view  # selecting twice changes nothing


def _rdflib(term):
    if isinstance(term, str):
        return URIRef(term)
    value, language, datatype = term
    return Literal(value, lang=language or None, datatype=URIRef(datatype) if datatype else None)


def test_only_what_edm_has_a_place_for():
    cho, agent = "http://x.example/id/document/a", "http://x.example/id/person/p"
    triples = {
        (cho, str(RDF.type), str(EDM.ProvidedCHO)), (cho, str(DC.title), literal("T", "en")),
        (cho, str(EDM.type), literal("TEXT")), (cho, str(EDM.type), literal("PAINTING")),  # not a code
        (cho, str(DC.date), literal("1956-10-15", "", "http://www.w3.org/2001/XMLSchema#date")),  # no datatype
        (cho, str(DC.title), "http://x.example/not-a-literal"),  # dc:title is a literal
        (cho, "http://schema.org/name", literal("T", "en")),  # not EDM
        (agent, str(RDF.type), str(EDM.Agent)), (agent, str(SKOS.prefLabel), literal("P", "en")),
        (agent, str(OWL.sameAs), "http://www.wikidata.org/entity/Q1"),
        (agent, "http://www.w3.org/2000/01/rdf-schema#label", literal("P", "en")),  # not EDM
        ("http://x.example/untyped", str(DC.title), literal("U")),  # no EDM class
    }
    assert edm.selected(triples) == {
        (cho, str(RDF.type), str(EDM.ProvidedCHO)), (cho, str(DC.title), literal("T", "en")),
        (cho, str(EDM.type), literal("TEXT")),
        (agent, str(RDF.type), str(EDM.Agent)), (agent, str(SKOS.prefLabel), literal("P", "en")),
        (agent, str(OWL.sameAs), "http://www.wikidata.org/entity/Q1"),
    }
    xml = edm.serialize(triples, cho)
    assert xml.index("<edm:ProvidedCHO") < xml.index("<edm:Agent")
    assert xml.index("<dc:title") < xml.index("<edm:type>")  # EDM.xsd's order: edm:type after Dublin Core


TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)


@hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=TEXT, label=TEXT, lang=st.sampled_from(["en", "de", "zh-Hans"]))
def test_hostile_text_survives_the_xml(title, label, lang):
    """Quotes, markup, CR, controls XML 1.0 cannot hold (replaced, in the triples as in the XML)."""
    cho, agent = "http://x.example/id/document/a?b=1&c=2", "http://x.example/id/person/p#x"
    triples = {(cho, str(RDF.type), str(EDM.ProvidedCHO)), (cho, str(DC.title), literal(title, lang)),
               (cho, str(DC.creator), agent), (agent, str(RDF.type), str(EDM.Agent)),
               (agent, str(SKOS.prefLabel), literal(label))}
    view = edm.selected(triples)
    parsed = Graph().parse(data=edm.serialize(view, cho), format="xml")
    assert set(parsed) == {tuple(_rdflib(t) for t in triple) for triple in view}


# --- the export --------------------------------------------------------------------------------


def test_edm_is_mapped_only_when_an_edm_output_is_chosen(fixtures_export):
    record = records()[0]
    plain = render(record, Settings())
    assert plain.views == {} and not any(ext.endswith(".xml") for ext in plain.files)
    with_edm = render(record, Settings(), outputs=products.choose(WITH_EDM))
    assert set(with_edm.views) == {"edm"} and EDM_RDF_XML.extension in with_edm.files
    assert with_edm.nt == plain.nt  # the descriptions are the same
    assert with_edm.digest != plain.digest  # the document's files are not
    other = render(record, Settings(providers=Providers("Someone Else")), outputs=products.choose(WITH_EDM))
    assert other.nt == with_edm.nt and other.digest != with_edm.digest  # so a re-export rewrites the file
    assert "edm" in {f.name for f in outputs(WITH_EDM)}


def test_the_dump_is_declared_as_turtle(fixtures_export):
    import json

    manifest = json.loads((fixtures_export.out / "manifest.json").read_text(encoding="utf-8"))
    edm_files = [f for f in manifest["files"] if f["path"].startswith("dumps/edm-")]
    assert [f["media_type"] for f in edm_files] == ["text/turtle"]
    void = Graph().parse(fixtures_export.out / "void.ttl")
    url = URIRef(f"{BASE}{edm_files[0]['path']}")
    (distribution,) = void.subjects(rdflib.DCAT.downloadURL, url)
    assert distribution == URIRef(f"{BASE}id/dataset/distribution/edm")
    assert void.value(distribution, rdflib.DCAT.mediaType) == URIRef("https://www.iana.org/assignments/media-types/text/turtle")
    assert void.value(distribution, rdflib.DCTERMS.conformsTo) == URIRef(str(EDM._NS))  # how Europeana finds it
    assert url not in set(void.objects(None, rdflib.VOID.dataDump))  # VoID's dump is the dataset's own triples
    assert len(dump_graph(fixtures_export.out)) == edm_files[0]["triples"]


def test_every_fixture_record_passes_europeanas_schema_and_schematron(fixtures_export, europeana_files):
    for path in fixtures_export.files(EDM_RDF_XML.extension):
        assert europeana_files.failures(path.read_bytes()) == [], path.name


def _agree(folder: Path, official: Path) -> None:
    """lod check's own rules and Europeana's files reject the same records, and lod says why."""
    report = check(folder, "europeana", official)
    assert report.official and report.checked
    for checked in report.checked:
        reasons = [f.reason for f in checked.findings if f.level == "rejected"]
        assert bool(reasons) == bool(checked.official), (checked.file, reasons, checked.official)


def test_the_shared_corpus_passes_or_lod_check_says_why(exporter, aggregator_files, europeana_files):
    if not PAGES.exists():
        pytest.skip(f"shared pages not present: {PAGES}")
    export = exporter([PAGES, CORPUS], "edm-corpus", formats=WITH_EDM)
    _agree(export.out, aggregator_files)


@pytest.mark.slow
def test_a_thousand_synthetic_records_pass_or_lod_check_says_why(tmp_path, exporter, aggregator_files,
                                                                 europeana_files):
    """1,000 records in every input format (benchmarks/synthetic.py): about 30 s on a busy machine."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("synthetic", Path(__file__).parents[1] / "benchmarks" / "synthetic.py")
    synthetic = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("synthetic", synthetic)  # its dataclasses look their module up there
    spec.loader.exec_module(synthetic)
    inputs = synthetic.generate(1000, tmp_path / "input")
    export = exporter(inputs, "edm-synthetic", formats=WITH_EDM)
    assert export.report.exported == 1000
    _agree(export.out, aggregator_files)


def test_formats_plus_edm_adds_edm_to_the_default_outputs(tmp_path):
    from lod.cli import _formats, main

    assert _formats("+edm") == ("ttl", "jsonld", "nt", "nq", "edm", "search", "store")
    assert main(["export", str(RECORDS / "sample.jsonl"), "--out", str(tmp_path / "out"), "--formats", "+edm",
                 "--workers", "1"]) == 0
    out = tmp_path / "out"
    assert len(document_files(out, ".edm.xml")) == len(document_files(out, ".ttl")) == 6
