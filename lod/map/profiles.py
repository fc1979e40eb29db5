"""The vocabulary profiles: one field -> property table per vocabulary.

A profile is data: a tuple of :class:`Rule`. :func:`lod.map.map_record` applies
each profile's rules to a record; the README's mapping tables are printed from
these tuples (``lod mapping``), so documentation and behaviour cannot drift.
"""

from __future__ import annotations

from typing import NamedTuple

from rdflib import URIRef

from lod.vocab import DCMITYPE, DCTERMS, RDF, SCHEMA


class Rule(NamedTuple):
    """Record field -> predicate. ``term`` says how values become RDF terms.

    term: ``text`` (literal in the text language), ``string`` (plain literal),
    ``date`` (xsd:date / gYearMonth / gYear by precision), ``language`` (BCP 47),
    ``iri`` (an IRI value), ``entity`` (the role's entities), ``concept``
    (subjects as skos:Concept), ``const`` (the fixed IRI in ``value``).
    """

    field: str
    predicate: URIRef
    term: str
    value: URIRef | None = None


DCTERMS_PROFILE = (
    Rule("type", DCTERMS.type, "const", DCMITYPE.Text),
    Rule("title", DCTERMS.title, "text"),
    Rule("description", DCTERMS.description, "text"),
    Rule("summary", DCTERMS.abstract, "text"),
    Rule("date", DCTERMS.date, "date"),
    Rule("identifiers", DCTERMS.identifier, "string"),
    Rule("authors", DCTERMS.creator, "entity"),
    Rule("contributors", DCTERMS.contributor, "entity"),
    Rule("subjects", DCTERMS.subject, "concept"),
    Rule("places", DCTERMS.spatial, "entity"),
    Rule("source", DCTERMS.source, "string"),
    Rule("citation", DCTERMS.bibliographicCitation, "string"),
    Rule("rights_uri", DCTERMS.rights, "iri"),
    Rule("languages", DCTERMS.language, "language"),
    Rule("dataset", DCTERMS.isPartOf, "iri"),
)

SCHEMA_PROFILE = (
    Rule("type", RDF.type, "const", SCHEMA.ArchiveComponent),
    Rule("type", RDF.type, "const", SCHEMA.CreativeWork),  # ArchiveComponent is a pending term
    Rule("title", SCHEMA.name, "text"),
    Rule("description", SCHEMA.description, "text"),
    Rule("summary", SCHEMA.abstract, "text"),
    Rule("date", SCHEMA.dateCreated, "date"),
    Rule("body", SCHEMA.text, "text"),
    Rule("record_id", SCHEMA.identifier, "string"),
    Rule("authors", SCHEMA.author, "entity"),
    Rule("contributors", SCHEMA.contributor, "entity"),
    Rule("associated", SCHEMA.about, "entity"),
    Rule("subjects", SCHEMA.about, "concept"),
    Rule("places", SCHEMA.spatialCoverage, "entity"),
    Rule("archives", SCHEMA.holdingArchive, "entity"),
    Rule("funders", SCHEMA.funder, "entity"),
    Rule("mentions", SCHEMA.mentions, "entity"),
    Rule("rights", SCHEMA.copyrightNotice, "text"),
    Rule("rights_uri", SCHEMA.license, "iri"),
    Rule("credit", SCHEMA.creditText, "text"),
    Rule("languages", SCHEMA.inLanguage, "language"),
    Rule("url", SCHEMA.url, "iri"),
    Rule("classification", SCHEMA.conditionsOfAccess, "string"),
    Rule("dataset", SCHEMA.isPartOf, "iri"),
)

#: Profiles by name, in the order they run.
PROFILES = {"dcterms": DCTERMS_PROFILE, "schema": SCHEMA_PROFILE}
