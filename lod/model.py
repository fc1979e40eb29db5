"""The typed, vocabulary-neutral record every reader produces and every later stage reads.

Nothing here knows about RDF: readers fill these frozen dataclasses from pages, JSON
Lines or CSV; the linker adds Wikidata decisions; the mapper turns them into triples.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PERSON = "person"
ORGANIZATION = "organization"
PLACE = "place"
KINDS = (PERSON, ORGANIZATION, PLACE)

# Where an entity was named in the record; the mapper gives each role its property.
AUTHOR = "authors"
CONTRIBUTOR = "contributors"
ASSOCIATED = "associated"
PLACES = "places"
ARCHIVE = "archives"
FUNDER = "funders"
MENTION = "mentions"
ROLES = (AUTHOR, CONTRIBUTOR, ASSOCIATED, PLACES, ARCHIVE, FUNDER, MENTION)
AGENT_ROLES = (AUTHOR, CONTRIBUTOR, ASSOCIATED)


@dataclass(frozen=True)
class RecordDate:
    """A document date as printed, with its ISO form and precision when it parses."""

    text: str
    iso: str | None = None  # "1956-10-15", "1967-11" or "1949"
    precision: str | None = None  # "day", "month" or "year"


@dataclass(frozen=True)
class LinkDecision:
    """How an entity was (or was not) linked to Wikidata, for review and provenance."""

    status: str  # "linked", "unverified", "ambiguous", "unknown" or "unchecked"
    method: str  # e.g. "input", "authority:alias", "authority:surname-in-context", "wikidata-api"
    score: float = 0.0
    qid: str | None = None
    candidates: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Entity:
    """A person, organization or place named in a record.

    ``name`` is the normalised display form (``Eisaku Satō``), ``printed`` the form in
    the source (``Satō, Eisaku``). ``key`` is set by the linker: the stable part of
    the entity's IRI. ``qid`` is a verified Wikidata item or None.
    """

    name: str
    printed: str
    kind: str
    alternates: tuple[str, ...] = ()
    qid: str | None = None
    key: str | None = None
    link: LinkDecision | None = None


@dataclass(frozen=True)
class Subject:
    """An LCSH-style subject heading, kept whole and split on ``--``."""

    label: str
    parts: tuple[str, ...]


@dataclass(frozen=True)
class Identifiers:
    record_id: str | None = None
    document_numbers: tuple[str, ...] = ()
    url: str | None = None  # the landing page on the archive's site
    key: str = ""  # stable document key; the last segment of the document's IRIs
    other_urls: tuple[str, ...] = ()  # other addresses of the same document (merged captures)


@dataclass(frozen=True)
class Origin:
    """Where the record came from: the input file and its line or record number."""

    file: str
    line: int | None = None
    record: int | None = None
    layout: str | None = None  # page layout code (L-A ... L-E) for page text


@dataclass(frozen=True)
class Record:
    title: str
    identifiers: Identifiers
    origin: Origin
    description: str | None = None
    summary: str | None = None
    body: str | None = None
    date: RecordDate | None = None
    authors: tuple[Entity, ...] = ()
    contributors: tuple[Entity, ...] = ()
    associated: tuple[Entity, ...] = ()
    places: tuple[Entity, ...] = ()
    archives: tuple[Entity, ...] = ()
    funders: tuple[Entity, ...] = ()
    mentions: tuple[Entity, ...] = ()
    subjects: tuple[Subject, ...] = ()
    citation: str | None = None
    source: str | None = None
    classification: str | None = None
    rights: str | None = None
    credit: str | None = None
    languages: tuple[str, ...] = ()
    upload_date: str | None = None
    warnings: tuple[str, ...] = field(default=(), compare=False)
    #: Other captures of the same document merged into this record (see lod.read.merge).
    merged: tuple[Origin, ...] = ()

    @property
    def key(self) -> str:
        return self.identifiers.key

    @property
    def origins(self) -> tuple[Origin, ...]:
        """Every input record this document was read from, its own first."""
        return (self.origin, *self.merged)

    def entities(self):
        """Every (role, entity) pair, in a fixed order."""
        for role in ROLES:
            for entity in getattr(self, role):
                yield role, entity
