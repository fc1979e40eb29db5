"""The mapping (``lod.map.map_record``) on records built by hand: cases the readers and the
linker reach only at scale."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS

from lod.config import Settings
from lod.map import map_record
from lod.model import Entity, Identifiers, LinkDecision, Origin, Record, Subject
from lod.terms import to_rdflib
from lod.vocab import vocab_path

SETTINGS = Settings(base="http://example.org/")
STALIN = "Q855"  # a verified row of vocab/authorities.tsv


def stalin(printed: str, method: str, score: float = 1.0) -> Entity:
    return Entity(printed, printed, "person", qid=STALIN, key="person/joseph-stalin",
                  link=LinkDecision("linked", method, score, STALIN))


def graph_of(record: Record) -> Graph:
    graph = Graph()
    for triple in map_record(record, SETTINGS, "2026-01-01T00:00:00Z"):
        graph.add(tuple(map(to_rdflib, triple)))
    return graph


def one_document(**fields) -> Record:
    return Record(title="Telegram", identifiers=Identifiers(key="telegram--1950-01-02"),
                  origin=Origin("records.jsonl", 1), **fields)


@pytest.mark.parametrize("swap", [False, True])
def test_one_link_statement_per_entity_when_a_document_reaches_it_twice(swap):
    """Stalin named in a structured field (alias) and as Filippov in the text (in context):
    one node, one reified link with one method, whatever the order of the names."""
    named = [stalin("Stalin", "authority:alias"), stalin("Filippov", "authority:in-context")]
    record = one_document(associated=(named[0],), mentions=(named[1],)) if not swap else \
        one_document(associated=(named[1],), mentions=(named[0],))
    graph = graph_of(record)
    statements = list(graph.subjects(RDF.type, RDF.Statement))
    assert len(statements) == 1
    (statement,) = statements
    assert list(graph.objects(statement, PROV.wasGeneratedBy)) == [
        URIRef("http://example.org/id/linking/authority-alias")]
    assert list(graph.objects(statement, RDFS.comment)) == [Literal("authority:alias (score 1.00)", lang="en")]
    assert list(graph.objects(statement, RDF.object)) == [URIRef(f"http://www.wikidata.org/entity/{STALIN}")]
    node = URIRef("http://example.org/id/person/joseph-stalin")
    assert (node, OWL.sameAs, URIRef(f"http://www.wikidata.org/entity/{STALIN}")) in graph
    assert set(graph_of(record)) == set(graph)  # the same triples every time


def test_the_link_statement_prefers_the_stronger_method_then_the_higher_score():
    weak = stalin("Stalin", "wikidata-api", 0.95)
    strong = stalin("Joseph Stalin", "authority:unique-surname")
    graph = graph_of(one_document(authors=(weak,), mentions=(strong,)))
    (statement,) = graph.subjects(RDF.type, RDF.Statement)
    assert list(graph.objects(statement, PROV.wasGeneratedBy)) == [
        URIRef("http://example.org/id/linking/authority-unique-surname")]
    scores = [stalin("Stalin", "wikidata-api", 0.91), stalin("J. Stalin", "wikidata-api", 0.97)]
    graph = graph_of(one_document(authors=(scores[0],), mentions=(scores[1],)))
    assert list(graph.objects(None, RDFS.comment)) == [Literal("wikidata-api (score 0.97)", lang="en")]


def test_link_statements_reached_twice_conform_to_the_shapes():
    pyshacl = pytest.importorskip("pyshacl")
    record = one_document(associated=(stalin("Stalin", "authority:alias"),),
                          mentions=(stalin("Filippov", "authority:in-context"),),
                          places=(Entity("Moscow", "Moscow", "place", qid="Q649", key="place/moscow",
                                         link=LinkDecision("linked", "authority:alias", 1.0, "Q649")),))
    shapes = Graph().parse(vocab_path("shapes.ttl"), format="turtle")
    conforms, _, text = pyshacl.validate(graph_of(record), shacl_graph=shapes)
    assert conforms, text


def test_a_core_schema_org_type_beside_the_pending_archive_component():
    graph = graph_of(one_document())
    document = URIRef("http://example.org/id/document/telegram--1950-01-02")
    assert set(graph.objects(document, RDF.type)) == {URIRef("http://schema.org/ArchiveComponent"),
                                                       URIRef("http://schema.org/CreativeWork")}


def test_the_classification_is_a_condition_of_access():
    """schema:additionalProperty is no CreativeWork property; conditionsOfAccess is the archival one."""
    document = URIRef("http://example.org/id/document/telegram--1950-01-02")
    conditions = URIRef("http://schema.org/conditionsOfAccess")
    graph = graph_of(one_document(classification="Top Secret"))
    assert list(graph.objects(document, conditions)) == [Literal("Original classification: Top Secret")]
    assert not list(graph.triples((None, URIRef("http://schema.org/additionalProperty"), None)))
    assert not list(graph_of(one_document()).objects(document, conditions))


def test_the_document_names_its_description_as_the_page_it_is_the_main_entity_of():
    """schema:mainEntity would need a CreativeWork subject; the description has no schema.org type."""
    graph = graph_of(one_document())
    assert list(graph.subject_objects(URIRef("http://schema.org/mainEntityOfPage"))) == [
        (URIRef("http://example.org/id/document/telegram--1950-01-02"),
         URIRef("http://example.org/doc/document/telegram--1950-01-02"))]
    assert not list(graph.triples((None, URIRef("http://schema.org/mainEntity"), None)))


def test_subject_headings_are_schema_org_things_too():
    """schema:about takes a Thing: a heading is also a schema:DefinedTerm, named as it is labelled."""
    graph = graph_of(one_document(subjects=(Subject("Cold War--Diplomacy", ("Cold War", "Diplomacy")),)))
    for label, slug in (("Cold War--Diplomacy", "cold-war-diplomacy"), ("Cold War", "cold-war")):
        node = URIRef(f"http://example.org/id/concept/{slug}")
        assert set(graph.objects(node, RDF.type)) == {URIRef("http://www.w3.org/2004/02/skos/core#Concept"),
                                                       URIRef("http://schema.org/DefinedTerm"),
                                                       URIRef("http://schema.org/Intangible")}
        assert list(graph.objects(node, URIRef("http://schema.org/name"))) == [Literal(label, lang="en")]
