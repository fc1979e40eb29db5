"""Stage 3, map: a linked Record -> its RDF triples, in the vocabularies of the chosen profiles.

:func:`map_record` is a pure function: the same record and settings always give the
same triples, and every node has an IRI. The profiles (:mod:`lod.map.profiles`: Dublin
Core, schema.org ...) say which field goes to which property and how entities are typed;
this module applies their rules and adds what every description has whatever the
profiles: entities' labels and ``owl:sameAs`` links with their provenance, subject
concepts (SKOS), and the description's own provenance (PROV). Terms are plain strings
and tuples (:mod:`lod.terms`), not rdflib's (whose constructors cost more than the rest
of the mapping).
"""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import quote

from lod import MAPPING_VERSION, __version__
from lod.config import Settings
from lod.limits import text_cache
from lod.iris import Iris, safe_url, slug
from lod.map.profiles import Rule, chosen
from lod.model import Entity, Record
from lod.terms import Names, Term, Triple, Triples, checked_language, literal
from lod.vocab import OWL, PROV, RDF, RDFS, SKOS, WD, XSD, language_tag, read_tsv

rdf, rdfs, owl, prov, skos, xsd = map(Names, (RDF, RDFS, OWL, PROV, SKOS, XSD))
WIKIDATA = str(WD)

DATE_TYPES = {"day": xsd.date, "month": xsd.gYearMonth, "year": xsd.gYear}
#: Input records are named by tag URIs under this prefix (RFC 4151; lod.invalid is no host).
INPUT_TAG = "tag:lod.invalid,2026:input/"


@lru_cache(maxsize=1)
def _rights_table() -> tuple[tuple[re.Pattern, str], ...]:
    return tuple((re.compile(row["pattern"], re.I), row["uri"]) for row in read_tsv("rights.tsv"))


@text_cache(maxsize=256, measure=lambda text: len(text or ""))
def rights_uri(text: str | None) -> str | None:
    """The rights statement URI ``vocab/rights.tsv`` gives a rights text, if any (rights
    texts recur from record to record, and each is asked for twice: kept)."""
    if not text:
        return None
    normalised = " ".join(text.split())
    return next((uri for pattern, uri in _rights_table() if pattern.search(normalised)), None)


def map_record(record: Record, settings: Settings = Settings(), generated_at: str | None = None) -> Triples:
    """All triples for one document: the document, its entities, concepts and provenance.

    ``generated_at`` (an ISO 8601 UTC time) dates the description when the record
    has no upload date of its own; it must be stable across re-runs (the first time
    the document was seen), so unchanged input keeps unchanged bytes.
    """
    iris = settings.iris
    subject = iris.document(record.key)
    triples: list[Triple] = []
    add = triples.append
    text = checked_language(settings.text_language)
    profiles = chosen(settings.profiles)
    describing = any(profile.describes for profile in profiles)  # else an output's own profile: no PROV
    for profile in profiles:
        for rule in profile.rules:
            for obj in _objects(rule, record, iris, text):
                add((subject, rule.predicate, obj))
        if profile.document is not None:
            profile.document(add, record, settings)
    typing = [profile.entity for profile in profiles if profile.entity is not None]
    linked: dict[str, Entity] = {}
    for role, entity in record.entities():
        node = iris.entity(record, entity)
        _entity_triples(add, node, entity, text)
        for hook in typing:
            hook(add, node, entity, role, text)
        if entity.qid and describing and (node not in linked or _link_rank(entity) < _link_rank(linked[node])):
            linked[node] = entity
    for node, entity in linked.items():
        _link_provenance(add, iris, record, node, entity)
    for subject_heading in record.subjects:
        _concept_triples(add, iris, subject_heading.parts, text)
    if describing:
        _description_provenance(add, iris, record, subject, generated_at)
    return Triples(triples)


def _objects(rule: Rule, record: Record, iris: Iris, text: str) -> Iterable[Term]:
    term = rule.term
    if term == "const":
        return (rule.value,)
    if term == "entity":
        return [iris.entity(record, e) for e in getattr(record, rule.field)]
    if term == "concept":
        return [iris.concept("--".join(s.parts)) for s in record.subjects if s.parts]
    if term == "property":
        return (iris.part(record, rule.field),) if getattr(record, rule.field) else ()
    values = _field_values(rule.field, record, iris)
    if term == "text":
        return [literal(v, text) for v in values]
    if term == "string":
        return [literal(v) for v in values]
    if term == "iri":
        return values
    if term == "language":
        return [literal(tag) for tag in dict.fromkeys(filter(None, map(language_tag, values)))]
    if term in ("date", "date or text"):
        date = record.date
        if date is None:
            return ()
        if date.iso is None:
            return (literal(date.text),) if term == "date or text" else ()
        return (literal(date.iso, "", DATE_TYPES[date.precision]),)
    raise ValueError(f"unknown term kind {term!r} in rule {rule}")


def _field_values(field: str, record: Record, iris: Iris) -> tuple[str, ...]:
    if field == "identifiers":
        ids = (record.identifiers.record_id, *record.identifiers.document_numbers)
        return tuple(dict.fromkeys(i for i in ids if i))
    if field == "record_id":
        return (record.identifiers.record_id,) if record.identifiers.record_id else ()
    if field == "url":
        url = safe_url(record.identifiers.url)
        return (url,) if url else ()
    if field == "rights_uri":
        uri = rights_uri(record.rights)
        return (uri,) if uri else ()
    if field == "dataset":
        return (iris.dataset(),)
    value = getattr(record, field)
    if value is None:
        return ()
    return tuple(value) if isinstance(value, tuple) else (value,)


def _entity_triples(add, node: str, entity: Entity, text: str) -> None:
    """What every profile shares: the entity's label (the form the translation prints, in the text
    language) and its Wikidata item."""
    add((node, rdfs.label, literal(entity.name, text)))
    if entity.qid:
        add((node, owl.sameAs, WIKIDATA + entity.qid))


def generation_time(record: Record, first_seen: str | None) -> str | None:
    """When the description counts as made: the archive's upload date (when it is a real
    day: ``2023-02-30`` would be an ill-typed xsd:dateTime), else when lod first saw it."""
    if record.upload_date and _ISO_DAY.fullmatch(record.upload_date):
        try:
            datetime.date.fromisoformat(record.upload_date)
            return f"{record.upload_date}T00:00:00Z"
        except ValueError:
            pass
    return first_seen


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _description_provenance(add, iris: Iris, record: Record, thing: str, first_seen: str | None) -> None:
    """PROV for the description (the named graph of the document): its source, time and maker."""
    description = iris.description(record.key)
    activity = iris.activity(__version__, MAPPING_VERSION)
    add((description, rdf.type, prov.Entity))
    for source in source_iris(record):
        add((description, prov.wasDerivedFrom, source))
    add((description, prov.wasGeneratedBy, activity))
    when = generation_time(record, first_seen)
    if when:
        add((description, prov.generatedAtTime, literal(when, "", xsd.dateTime)))
    add((activity, rdf.type, prov.Activity))
    add((activity, rdfs.label, literal(f"lod {__version__}, mapping version {MAPPING_VERSION}", "en")))


def source_iris(record: Record) -> list[str]:
    """Where the description comes from: the document's landing page(s) and every input file it
    was read from, as a tag URI naming the file and the document (``tag:lod.invalid,2026:input/
    FILE#KEY``). Not the line: a record added or removed above it in its file would then change
    every later document's description, and the change feed would announce them all as updated
    (``report.json`` and ``links.csv`` give the lines)."""
    pages = (safe_url(url) for url in (record.identifiers.url, *record.identifiers.other_urls))
    inputs = (f"{INPUT_TAG}{quote(os.path.basename(origin.file), safe='._-')}#{record.key}"
              for origin in record.origins)
    return [*dict.fromkeys(filter(None, pages)), *dict.fromkeys(inputs)]


def _link_rank(entity: Entity) -> tuple:
    """Which of a document's ways to one linked entity its link statement gives: the strongest
    method (in the order of :data:`LINKING_METHODS`), then the highest score."""
    decision = entity.link
    method = decision.method if decision else "input"
    order = list(LINKING_METHODS).index(method) if method in LINKING_METHODS else len(LINKING_METHODS)
    return order, -(decision.score if decision else 1.0), method, entity.qid


def _link_provenance(add, iris: Iris, record: Record, node: str, entity: Entity) -> None:
    """How the ``owl:sameAs`` link was made, as PROV on a reified statement (no blank nodes).

    The statement IRI lives inside the document (``…/id/document/K#link-…``), so each
    document says for itself why it links the entity: one statement per entity, with one
    method (:func:`_link_rank`) when the document names it twice, by two methods; the
    method is a ``prov:Activity`` shared by every link made the same way.
    """
    decision = entity.link
    method = decision.method if decision else "input"
    statement = iris.part(record, f"link-{slug(entity.key or entity.name)}")
    activity = iris.linking_method(method)
    add((statement, rdf.type, rdf.Statement))
    add((statement, rdf.type, prov.Entity))
    add((statement, rdf.subject, node))
    add((statement, rdf.predicate, owl.sameAs))
    add((statement, rdf.object, WIKIDATA + entity.qid))
    add((statement, prov.wasGeneratedBy, activity))
    score = decision.score if decision else 1.0
    add((statement, rdfs.comment, literal(f"{method} (score {score:.2f})", "en")))
    add((activity, rdf.type, prov.Activity))
    add((activity, rdfs.label, literal(LINKING_METHODS.get(method, method), "en")))


#: Human descriptions of the linking methods, for the PROV activities and docs/linking.md.
LINKING_METHODS = {
    "input": "QID given in the input record",
    "authority:alias": "authority table: the name is an alias of exactly one entity of the right kind and period",
    "authority:in-context": "authority table: bare surname or context alias of an entity the document names in full",
    "authority:unique-surname": "authority table: the only entity in the table with that surname",
    "wikidata-api": "Wikidata reconciler: label, type and dates scored above the link threshold",
}


def _concept_triples(add, iris: Iris, parts: tuple[str, ...], text: str) -> None:
    """A heading and each of its ``--`` prefixes, linked narrower -> broader."""
    for depth in range(len(parts), 0, -1):
        label = "--".join(parts[:depth])
        node = iris.concept(label)
        add((node, rdf.type, skos.Concept))
        add((node, skos.prefLabel, literal(label, text)))
        if depth > 1:
            add((node, skos.broader, iris.concept("--".join(parts[: depth - 1]))))
