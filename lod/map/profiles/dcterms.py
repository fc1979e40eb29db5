"""Dublin Core terms: the document described with ``dcterms:`` (and typed ``dcmitype:Text``)."""

from __future__ import annotations

from lod.map.profiles import Profile, Rule, register
from lod.terms import Names
from lod.vocab import DCMITYPE, DCTERMS

dcterms = Names(DCTERMS)
_DCTERMS = str(DCTERMS)
#: The Dublin Core element each property of this profile refines, where it is not the one of the
#: same name (DCMI Metadata Terms, each term's ``rdfs:subPropertyOf``): simple Dublin Core
#: (OAI-PMH's oai_dc) writes the values there.
REFINES = {dcterms.abstract: "description", dcterms.spatial: "coverage",
           dcterms.bibliographicCitation: "identifier", dcterms.isPartOf: "relation"}


def element(predicate: str) -> str:
    """The simple Dublin Core element of one of this profile's properties (``dcterms:abstract`` ->
    ``description``)."""
    return REFINES.get(predicate) or predicate[len(_DCTERMS):]

PROFILE = register(Profile("dcterms", "Dublin Core terms", (
    Rule("type", dcterms.type, "const", str(DCMITYPE.Text)),
    Rule("title", dcterms.title, "text"),
    Rule("description", dcterms.description, "text"),
    Rule("summary", dcterms.abstract, "text"),
    Rule("date", dcterms.date, "date"),
    Rule("identifiers", dcterms.identifier, "string"),
    Rule("authors", dcterms.creator, "entity"),
    Rule("contributors", dcterms.contributor, "entity"),
    Rule("subjects", dcterms.subject, "concept"),
    Rule("places", dcterms.spatial, "entity"),
    Rule("source", dcterms.source, "string"),
    Rule("citation", dcterms.bibliographicCitation, "string"),
    Rule("rights_uri", dcterms.rights, "iri"),
    Rule("languages", dcterms.language, "language"),
    Rule("dataset", dcterms.isPartOf, "iri"),
)))
