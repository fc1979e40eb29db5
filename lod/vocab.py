"""Namespaces, closed term lists and the data files in ``vocab/``, declared once.

Every vocabulary term the mapper writes goes through a closed namespace: a typo or
a term that does not exist in Dublin Core / schema.org raises at import or first
use instead of reaching the output.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

from rdflib import Namespace, URIRef
from rdflib.namespace import DCAT as _RDFLIB_DCAT
from rdflib.namespace import XSD as _RDFLIB_XSD
from rdflib.namespace import DC, DCMITYPE, SDO, VOID, DefinedNamespace
from rdflib.namespace import DCTERMS as _DCTERMS
from rdflib.namespace import FOAF as _FOAF
from rdflib.namespace import OWL as _OWL
from rdflib.namespace import PROV as _PROV
from rdflib.namespace import RDF as _RDF
from rdflib.namespace import RDFS as _RDFS
from rdflib.namespace import SKOS as _SKOS

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(installed: str, source: str) -> Path:
    """Data shipped in the wheel (``lod/_vocab``) or, in a source checkout, the top-level folder."""
    packaged = _PACKAGE / installed
    return packaged if packaged.is_dir() else _PACKAGE.parent / source


VOCAB_DIR = _data_dir("_vocab", "vocab")
SAMPLES_DIR = _data_dir("_samples", "samples")


def vocab_path(name: str) -> Path:
    return VOCAB_DIR / name


def read_lines(name: str) -> list[str]:
    """Non-empty, non-comment lines of a plain list file in ``vocab/``."""
    lines = vocab_path(name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def read_tsv(name: str) -> list[dict[str, str]]:
    """Rows of a tab-separated table in ``vocab/`` (header row first, ``#`` comments skipped)."""
    with vocab_path(name).open(encoding="utf-8", newline="") as handle:
        rows = (line for line in handle if line.strip() and not line.startswith("#"))
        return [dict(row) for row in csv.DictReader(rows, delimiter="\t", quoting=csv.QUOTE_NONE)]


def _closed(name: str, base: str, terms) -> type[DefinedNamespace]:
    """A closed namespace whose terms are plain class attributes.

    Known terms resolve at attribute-lookup speed (rdflib's own namespaces go through
    ``__getattr__`` on every use, slow in the per-record path); unknown ones still
    raise, through :class:`DefinedNamespace`.
    """
    return type(name, (DefinedNamespace,), {
        "__annotations__": {term: URIRef for term in terms},
        "_NS": Namespace(base),
        "_fail": True,
        **{term: URIRef(base + term) for term in terms if term.isidentifier()},
    })


#: rdflib leaves DCAT and XSD open (any attribute is a term); these close them.
DCAT = _closed("DCAT", str(_RDFLIB_DCAT), _RDFLIB_DCAT.__annotations__)
XSD = _closed("XSD", str(_RDFLIB_XSD), _RDFLIB_XSD.__annotations__)
#: The namespaces the mapper uses for every record, as fast closed namespaces.
RDF = _closed("RDF", str(_RDF), _RDF.__annotations__)
RDFS = _closed("RDFS", str(_RDFS), _RDFS.__annotations__)
OWL = _closed("OWL", str(_OWL), _OWL.__annotations__)
PROV = _closed("PROV", str(_PROV), _PROV.__annotations__)
SKOS = _closed("SKOS", str(_SKOS), _SKOS.__annotations__)
DCTERMS = _closed("DCTERMS", str(_DCTERMS), _DCTERMS.__annotations__)
FOAF = _closed("FOAF", str(_FOAF), _FOAF.__annotations__)

#: schema.org in its ``http://`` form (DESIGN.md), closed over rdflib's schema.org term list.
SCHEMA = _closed("SCHEMA", "http://schema.org/", SDO.__annotations__)

#: SPDX terms DCAT 3 uses for checksums, and the W3C format IRIs for ``void:feature``.
SPDX = _closed("SPDX", "http://spdx.org/rdf/terms#",
               ("checksum", "Checksum", "algorithm", "checksumValue", "checksumAlgorithm_sha256",
                "ChecksumAlgorithm"))
#: The vCard terms of a DCAT contact point.
VCARD = _closed("VCARD", "http://www.w3.org/2006/vcard/ns#", ("Kind", "Organization", "fn", "hasEmail", "hasURL"))
FORMATS = _closed("FORMATS", "http://www.w3.org/ns/formats/", (
    "N-Triples", "N-Quads", "Turtle", "JSON-LD", "RDF_XML",
    "SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV"))
#: The SPARQL 1.1 service description terms ``lod serve`` describes its endpoint with.
SD = _closed("SD", "http://www.w3.org/ns/sparql-service-description#", (
    "Service", "endpoint", "supportedLanguage", "SPARQL11Query", "feature", "UnionDefaultGraph",
    "defaultDataset", "Dataset", "defaultGraph", "namedGraph", "Graph", "resultFormat"))

#: The Europeana Data Model and OAI-ORE terms lod's EDM profile and writer use (EDM.xsd's classes and
#: properties; the rest of EDM is not written, so a term outside this list is a typo).
EDM = _closed("EDM", "http://www.europeana.eu/schemas/edm/", (
    "ProvidedCHO", "WebResource", "Agent", "Place", "TimeSpan", "type", "aggregatedCHO", "dataProvider",
    "provider", "intermediateProvider", "isShownAt", "isShownBy", "object", "hasView", "rights",
    "currentLocation", "hasMet", "hasType", "isRelatedTo", "begin", "end"))
ORE = _closed("ORE", "http://www.openarchives.org/ore/terms/", ("Aggregation", "Proxy", "proxyFor", "proxyIn"))

WD = Namespace("http://www.wikidata.org/entity/")
#: Controlled vocabularies DCAT-AP portals read (vocab/catalogue.tsv): each scheme's IRI; a
#: concept is ``{scheme}/{code}`` (EU Vocabularies) or ``{scheme}{code}`` (ADMS).
EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"
CATALOGUE_SCHEMES = {
    "data-theme": EU_AUTHORITY + "data-theme",
    "file-type": EU_AUTHORITY + "file-type",
    "language": EU_AUTHORITY + "language",
    "licence-type": "http://purl.org/adms/licencetype/",
    "publisher-type": "http://purl.org/adms/publishertype/",
}
RIGHTS = Namespace("http://rightsstatements.org/vocab/")

#: XML namespaces of the protocols ``lod serve`` answers in (not RDF vocabularies).
SPARQL_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"
OAI_PMH_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI_QDC_NS = "http://worldcat.org/xmlschemas/qdc-1.0/"
OAI_IDENTIFIER_NS = "http://www.openarchives.org/OAI/2.0/oai-identifier"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XML_NS = "http://www.w3.org/XML/1998/namespace"

#: Prefixes written in Turtle and used in the JSON-LD context, in output order.
PREFIXES = {
    "dcterms": str(DCTERMS),
    "dcmitype": str(DCMITYPE),
    "schema": str(SCHEMA._NS),
    "owl": str(OWL),
    "prov": str(PROV),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "skos": str(SKOS),
    "void": str(VOID),
    "dcat": str(DCAT),
    "spdx": str(SPDX._NS),
    "foaf": str(FOAF),
    "vcard": str(VCARD._NS),
    "wd": str(WD),
    "xsd": str(XSD),
}

__all__ = [
    "DC", "DCAT", "DCTERMS", "DCMITYPE", "EDM", "ORE", "FOAF", "FORMATS", "OWL", "PROV", "RDF", "RDFS", "SCHEMA",
    "SD", "SKOS", "SPDX", "VCARD", "VOID", "WD", "EU_AUTHORITY", "CATALOGUE_SCHEMES", "catalogue_terms",
    "eu_language", "SPARQL_RESULTS_NS", "OAI_PMH_NS", "OAI_DC_NS", "OAI_QDC_NS", "OAI_IDENTIFIER_NS", "XSI_NS",
    "XML_NS",
    "XSD", "RIGHTS", "PREFIXES", "VOCAB_DIR", "SAMPLES_DIR", "vocab_path", "read_lines", "read_tsv",
    "language_tag", "languages",
]


def language_tag(name: str) -> str | None:
    """BCP 47 tag for a language name as the archive prints it (``Japanese`` -> ``ja``); a valid tag passes
    through."""
    tag = languages().get(name.casefold())
    if tag:
        return tag
    return name if re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", name) else None


@lru_cache(maxsize=1)
def languages() -> dict[str, str]:
    """Language names as the archive prints them -> BCP 47 tags (``vocab/languages.tsv``)."""
    table = {}
    for row in read_tsv("languages.tsv"):
        for name in [row["name"], *filter(None, row["aliases"].split("|"))]:
            table[name.casefold()] = row["tag"]
    return table


@lru_cache(maxsize=1)
def catalogue_terms() -> dict[str, dict[str, dict[str, str]]]:
    """``vocab/catalogue.tsv`` by scheme and code: each concept's IRI, English label and
    (licence types) the licences of that type."""
    table: dict[str, dict[str, dict[str, str]]] = {scheme: {} for scheme in CATALOGUE_SCHEMES}
    for row in read_tsv("catalogue.tsv"):
        scheme = CATALOGUE_SCHEMES[row["scheme"]]
        iri = f"{scheme}{row['code']}" if scheme.endswith("/") else f"{scheme}/{row['code']}"
        table[row["scheme"]][row["code"]] = {"iri": iri, "label": row["label"], "licences": row["licences"]}
    return table


def eu_language(tag: str) -> str | None:
    """The EU Vocabularies language IRI of a BCP 47 tag's language (``en-GB`` -> ``…/language/ENG``)."""
    primary = tag.split("-")[0].casefold()
    code = next((row["eu"] for row in read_tsv("languages.tsv") if row["tag"] == primary), "")
    return f"{CATALOGUE_SCHEMES['language']}/{code}" if code else None
