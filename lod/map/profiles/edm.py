"""Europeana Data Model: the document as an ``edm:ProvidedCHO`` with its ``ore:Aggregation``.

The EDM outputs (``--formats +edm``: :mod:`lod.serialize.edm`) map it on their own; it never
joins the descriptions (``describes=False``). EDM is a delivery form with Europeana's
constraints (dates as text, since its date elements take no datatype; one ``skos:prefLabel``;
the aggregation's providers), not a better description, and one EDM record stays the same
whatever profiles the descriptions use. What it writes is what ``EDM.xsd`` has a place for:
Dublin Core elements on the document, persons and organizations as ``edm:Agent``, places as
``edm:Place``; subjects are the SKOS concepts every description has.
"""

from __future__ import annotations

from lod.config import is_iri
from lod.iris import safe_url
from lod.map import rights_uri
from lod.map.profiles import Profile, Rule, register
from lod.model import AGENT_ROLES, ORGANIZATION, PERSON, PLACE, PLACES
from lod.terms import Names, literal
from lod.vocab import DC, DCMITYPE, DCTERMS, EDM, ORE, OWL, RDF, SKOS, WD

edm, ore, dc, dcterms, rdf, skos, owl = map(Names, (EDM, ORE, DC, DCTERMS, RDF, SKOS, OWL))
WIKIDATA = str(WD)
#: The node of a document's aggregation: ``…/id/document/KEY#aggregation``.
AGGREGATION = "aggregation"
#: Europeana's content type of every document lod describes.
CONTENT_TYPE = "TEXT"
KIND_CLASSES = {PERSON: edm.Agent, ORGANIZATION: edm.Agent, PLACE: edm.Place}
#: The roles whose entities the ProvidedCHO names (the rules below): only those are described.
ROLES = frozenset((*AGENT_ROLES, PLACES))


def provider(value: str):
    """A provider as EDM takes it: a link for an IRI, else the name."""
    return value if is_iri(value) else literal(value)


def aggregation(add, record, settings) -> None:
    """The document's `ore:Aggregation` (`…/id/document/KEY#aggregation`): the document it aggregates, the data provider and provider (lod.toml `[providers]`, IRIs or names), the landing page (`edm:isShownAt`), the rights notice (`dc:rights`) and its rights statement (`edm:rights`); on the document, `edm:type "TEXT"` and the date as `dcterms:created` (ISO when certain, else as printed)."""
    iris = settings.iris
    document = iris.document(record.key)
    node = iris.part(record, AGGREGATION)
    add((node, rdf.type, ore.Aggregation))
    add((node, edm.aggregatedCHO, document))
    add((node, edm.dataProvider, provider(settings.providers.data_provider)))
    add((node, edm.provider, provider(settings.providers.delivered_by)))
    landing_page = safe_url(record.identifiers.url)
    if landing_page:
        add((node, edm.isShownAt, landing_page))
    if record.rights:
        add((node, dc.rights, literal(" ".join(record.rights.split()), settings.text_language)))
    statement = rights_uri(record.rights)
    if statement:
        add((node, edm.rights, statement))
    add((document, edm.type, literal(CONTENT_TYPE)))
    if record.date is not None:
        add((document, dcterms.created, literal(record.date.iso or record.date.text)))


def contextual_entity(add, node: str, entity, role: str, text: str) -> None:
    """Persons and organizations the document names (authors, contributors, the people it is about) as `edm:Agent`, its places as `edm:Place`: `skos:prefLabel` and `skos:altLabel`s in the text language, `owl:sameAs` Wikidata."""
    if role not in ROLES:
        return
    add((node, rdf.type, KIND_CLASSES[entity.kind]))
    add((node, skos.prefLabel, literal(entity.name, text)))
    for alternate in entity.alternates:
        add((node, skos.altLabel, literal(alternate, text)))
    if entity.qid:
        add((node, owl.sameAs, WIKIDATA + entity.qid))


PROFILE = register(Profile("edm", "Europeana Data Model", (
    Rule("type", rdf.type, "const", edm.ProvidedCHO),
    Rule("title", dc.title, "text"),
    Rule("description", dc.description, "text"),
    Rule("summary", dc.description, "text"),
    Rule("authors", dc.creator, "entity"),
    Rule("contributors", dc.contributor, "entity"),
    Rule("associated", dc.subject, "entity"),
    Rule("subjects", dc.subject, "concept"),
    Rule("type", dc.type, "const", str(DCMITYPE.Text)),
    Rule("languages", dc.language, "language"),
    Rule("identifiers", dc.identifier, "string"),
    Rule("source", dc.source, "text"),
    Rule("places", dcterms.spatial, "entity"),
), document=aggregation, entity=contextual_entity, describes=False))
