"""Golden files: the seed document's Turtle and JSON-LD, byte for byte.

A change to the mapping or the writers shows up here as a diff to review. When it is
intended, regenerate with ``LOD_UPDATE_GOLDEN=1 pytest tests/test_golden.py`` and
bump ``lod.MAPPING_VERSION`` if the triples changed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, XSD

from conftest import document_file
from lod import pipeline
from lod.link import offline_linker
from lod.config import Config, ExportOptions

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
SEED = ROOT / "samples" / "seed-record.txt"
KEY = "communist-party-soviet-union-central-committee-report-8-october-conversation-between-322d94e2--1956-10-15"
NOW = "2026-01-01T00:00:00Z"


@pytest.fixture(scope="module")
def seed_export(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("golden") / "out"
    report = pipeline.export([str(SEED)], out, Config(), offline_linker(), ExportOptions(now=NOW))
    assert report.exported == 1
    return out


@pytest.mark.parametrize("extension", [".ttl", ".jsonld"])
def test_seed_document_matches_its_golden_file(seed_export, extension):
    produced = document_file(seed_export, KEY, extension).read_bytes()
    golden = GOLDEN / f"seed{extension}"
    if os.environ.get("LOD_UPDATE_GOLDEN"):
        golden.write_bytes(produced)
    assert produced == golden.read_bytes()


def test_golden_seed_says_what_the_issue_asks():
    graph = Graph().parse(GOLDEN / "seed.ttl", format="turtle")
    document = URIRef(f"http://localhost:8080/id/document/{KEY}")
    title = ("Communist Party of the Soviet Union Central Committee Report on 8 October "
             "Conversation between Ambassador Ivanov and Kim Il Sung")
    assert graph.value(document, DCTERMS.title) == Literal(title, lang="en")
    assert graph.value(document, DCTERMS.date) == Literal("1956-10-15", datatype=XSD.date)
    assert str(graph.value(document, DCTERMS.abstract)).startswith("Report on Kim Il Sung's rejection")
    assert graph.value(document, DCTERMS.rights) == URIRef("http://rightsstatements.org/vocab/InC-EDU/1.0/")
    funders = [graph.value(f, URIRef("http://schema.org/name"))
               for f in graph.objects(document, URIRef("http://schema.org/funder"))]
    assert funders == [Literal("Leon Levy Foundation", lang="en")]
