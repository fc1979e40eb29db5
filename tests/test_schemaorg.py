"""Every schema.org term lod writes is used within its definition in the schema.org release
(``../shared/aggregators/schema.org``; skipped when absent): the documents of each export and
its dataset description, read together (an object's types may be stated in another file)."""

from __future__ import annotations

import gzip

import pytest
from conftest import SHARED
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from schemaorg import SchemaOrg

from lod.publish import layout

RELEASE = SHARED / "aggregators" / "schema.org" / "schemaorg-all-http-30.0.ttl"
S = "http://schema.org/"


@pytest.fixture(scope="module")
def schema_org() -> SchemaOrg:
    if not RELEASE.exists():
        pytest.skip(f"schema.org release not present: {RELEASE}")
    return SchemaOrg(RELEASE)


@pytest.fixture(scope="module", params=["sample", "corpus", "synthetic_1000"])
def export_graph(request) -> Graph:
    """Every triple of an export: the N-Triples dump (every document) and the dataset description."""
    export = request.getfixturevalue(f"{request.param}_export")
    graph = Graph()
    graph.parse(data=gzip.decompress((export.out / layout.DATASET_DUMP).read_bytes()).decode("utf-8"),
                format="nt")
    graph.parse(export.out / layout.VOID_TURTLE, format="turtle")
    return graph


def test_every_schema_org_term_is_used_within_its_definition(schema_org, export_graph):
    assert schema_org.problems(export_graph) == []


def test_the_checker_names_each_misuse(schema_org):
    """The misuses lod once made, and the other kinds the checker knows."""
    document, page, place, person = (URIRef(f"http://example.org/{n}") for n in ("doc", "page", "place", "kim"))
    graph = Graph()
    for triple in [
        (document, RDF.type, URIRef(S + "ArchiveComponent")),  # a pending type alone
        (document, URIRef(S + "additionalProperty"), URIRef("http://example.org/doc#classification")),
        (page, URIRef(S + "mainEntity"), document),  # a subject with no schema.org type
        (document, URIRef(S + "spatialCoverage"), Literal("Pyongyang")),  # a literal for a Place
        (document, URIRef(S + "spatialCoverage"), place),  # an IRI of no type for a Place
        (document, URIRef(S + "dateCreated"), Literal("1956-10-15")),  # Text for a Date
        (document, URIRef(S + "name"), person),  # an IRI for Text
        (document, URIRef(S + "nosuchProperty"), Literal("x")),
        (person, RDF.type, URIRef(S + "NoSuchType")),
        (person, RDF.type, URIRef("https://schema.org/Person")),
    ]:
        graph.add(triple)
    problems = "\n".join(schema_org.problems(graph))
    for expected in [
        "<http://example.org/doc>: only pending schema.org types (http://schema.org/ArchiveComponent)",
        "<http://example.org/doc> <http://schema.org/additionalProperty>: the subject "
        "(http://schema.org/ArchiveComponent) is outside the domain",
        "<http://example.org/page> <http://schema.org/mainEntity>: the subject (no schema.org type) is outside",
        "<http://schema.org/spatialCoverage> \"Pyongyang\": the value is outside the range "
        "(http://schema.org/Place)",
        "<http://schema.org/spatialCoverage> <http://example.org/place>: the value is outside the range",
        "<http://schema.org/dateCreated> \"1956-10-15\": the value is outside the range",
        "<http://schema.org/name> <http://example.org/kim>: the value is outside the range",
        "<http://schema.org/nosuchProperty>: no such schema.org property",
        "<http://example.org/kim> rdf:type <http://schema.org/NoSuchType>: no such schema.org type",
        "<https://schema.org/Person>: schema.org as https://",
    ]:
        assert expected in problems
    fixed = Graph()
    for triple in [
        (document, RDF.type, URIRef(S + "ArchiveComponent")), (document, RDF.type, URIRef(S + "CreativeWork")),
        (document, URIRef(S + "mainEntityOfPage"), page),
        (document, URIRef(S + "spatialCoverage"), place), (place, RDF.type, URIRef(S + "Place")),
        (document, URIRef(S + "dateCreated"), Literal("1956-10-15", datatype=XSD.date)),
        (document, URIRef(S + "dateCreated"), Literal("1956", datatype=XSD.gYear)),
        (document, URIRef(S + "name"), Literal("Telegram", lang="en")),
        (document, URIRef(S + "license"), URIRef("http://rightsstatements.org/vocab/InC-EDU/1.0/")),
    ]:
        fixed.add(triple)
    assert schema_org.problems(fixed) == []
