"""schema.org: the document, its people, organizations and places in schema.org's terms."""

from __future__ import annotations

from lod.map.profiles import Profile, Rule, register
from lod.model import ARCHIVE, ORGANIZATION, PERSON, PLACE
from lod.terms import Names, literal
from lod.vocab import RDF, SCHEMA, WD

schema, rdf = Names(SCHEMA), Names(RDF)
WIKIDATA = str(WD)
KIND_TYPES = {PERSON: schema.Person, ORGANIZATION: schema.Organization, PLACE: schema.Place}


def document_nodes(add, record, settings) -> None:
    """The document is ``schema:mainEntityOfPage`` its description (``schema:mainEntity`` would make the
    description a CreativeWork); the original security classification is a condition of access, as in
    archival description (ISAD(G) 3.4.1): ``schema:conditionsOfAccess "Original classification: Top
    Secret"``; the subject headings are also ``schema:DefinedTerm`` (and ``schema:Intangible``, its core
    supertype: DefinedTerm is pending) with a ``schema:name``, so that ``schema:about`` points to Things."""
    iris, text = settings.iris, settings.text_language
    document = iris.document(record.key)
    add((document, schema.mainEntityOfPage, iris.description(record.key)))
    if record.classification:
        add((document, schema.conditionsOfAccess, literal(f"Original classification: {record.classification}")))
    for heading in record.subjects:
        for depth in range(1, len(heading.parts) + 1):
            label = "--".join(heading.parts[:depth])
            node = iris.concept(label)
            add((node, rdf.type, schema.DefinedTerm))
            add((node, rdf.type, schema.Intangible))
            add((node, schema.name, literal(label, text)))


def typed_entity(add, node: str, entity, role: str, text: str) -> None:
    """``schema:Person``/``Organization``/``Place`` (archives also ``ArchiveOrganization``), its name and
    alternate names in the text language (the forms the translation prints), ``schema:sameAs`` Wikidata."""
    add((node, rdf.type, KIND_TYPES[entity.kind]))
    if role == ARCHIVE:
        add((node, rdf.type, schema.ArchiveOrganization))
    add((node, schema.name, literal(entity.name, text)))
    for alternate in entity.alternates:
        add((node, schema.alternateName, literal(alternate, text)))
    if entity.qid:
        add((node, schema.sameAs, WIKIDATA + entity.qid))


PROFILE = register(Profile("schema", "schema.org", (
    Rule("type", rdf.type, "const", schema.ArchiveComponent),
    Rule("type", rdf.type, "const", schema.CreativeWork),  # ArchiveComponent is a pending term
    Rule("title", schema.name, "text"),
    Rule("description", schema.description, "text"),
    Rule("summary", schema.abstract, "text"),
    Rule("date", schema.dateCreated, "date"),
    Rule("body", schema.text, "text"),
    Rule("record_id", schema.identifier, "string"),
    Rule("authors", schema.author, "entity"),
    Rule("contributors", schema.contributor, "entity"),
    Rule("associated", schema.about, "entity"),
    Rule("subjects", schema.about, "concept"),
    Rule("places", schema.spatialCoverage, "entity"),
    Rule("archives", schema.holdingArchive, "entity"),
    Rule("funders", schema.funder, "entity"),
    Rule("mentions", schema.mentions, "entity"),
    Rule("rights", schema.copyrightNotice, "text"),
    Rule("rights_uri", schema.license, "iri"),
    Rule("credit", schema.creditText, "text"),
    Rule("languages", schema.inLanguage, "language"),
    Rule("url", schema.url, "iri"),
    Rule("dataset", schema.isPartOf, "iri"),
), document=document_nodes, entity=typed_entity))
