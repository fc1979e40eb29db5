"""Disambiguation: which authority entry (and so which Wikidata item) a name is.

Precision first. A name links only when exactly one entity fits:

1. its kind agrees with where the name stands (a place field never links to a
   person; text names link to persons, organizations or places only);
2. the item fits the document's date (``from``/``until`` in the table), so
   ``China`` in 1949 and in 1967 are different items;
3. a bare surname (``Ivanov``, ``Khrushchev``) links only when the same document
   names exactly one such person in full, or when only one entity in the table
   has that surname; context aliases (``Korea`` for the DPRK, ``Filippov`` for
   Stalin) link only when the document names that entity in full.

Everything else stays unlinked but is still an entity: names the table knows get
its shared IRI, full names of unknown people and organizations get an IRI from
their name, and bare or ambiguous names get an IRI inside their document (the
same surname in two documents may be two people).
"""

from __future__ import annotations

from collections.abc import Callable
import re
from dataclasses import replace
from functools import lru_cache

from lod.link.authority import Authority, AuthorityIndex
from lod.link.mentions import Mention, find_mentions, find_table_names
from lod.link.names import folded, given_names_agree, name_parts, variants
from lod.iris import slug
from lod.read.fields import surname_first, looks_like_organization
from lod.model import (
    AGENT_ROLES, ARCHIVE, FUNDER, ORGANIZATION, PERSON, PLACE, PLACES, Entity, LinkDecision, Record,
)

#: Entity kinds a name may resolve to, by the field it stands in.
ALLOWED_KINDS = {
    **{role: (PERSON, ORGANIZATION) for role in AGENT_ROLES},
    PLACES: (PLACE,),
    ARCHIVE: (ORGANIZATION,),
    FUNDER: (ORGANIZATION,),
}
TEXT_KINDS = (PERSON, ORGANIZATION, PLACE)
_GLOSS = re.compile(r"[\[\]()]")
#: First words that make a printed form a title with a name, not a name (``Premier Zhou``).
_TITLES = frozenset("cde cdes com comrade comrades ambassador premier chairman marshal general president "
                    "mr mrs ms dr secretary minister chancellor prime foreign deputy vice".split())

#: Optional second opinion for names the table does not know (the online reconciler).
Fallback = Callable[[Entity, Record], Entity]


def date_range(record: Record) -> tuple[tuple[int, int], tuple[int, int]] | None:
    if record.date is None or record.date.iso is None:
        return None
    year, *rest = (int(part) for part in record.date.iso.split("-"))
    if rest:
        return (year, rest[0]), (year, rest[0])
    return (year, 1), (year, 12)


class Linker:
    """Links one record at a time; holds only the (read-only) authority index."""

    def __init__(self, index: AuthorityIndex, fallback: Fallback | None = None):
        self.index = index
        self.fallback = fallback

    @property
    def fingerprint(self) -> str:
        """What decides the links: the table, and whether a second opinion is asked."""
        return f"{self.index.fingerprint}+{type(self.fallback).__name__ if self.fallback else 'offline'}"

    def __call__(self, record: Record) -> Record:
        when = date_range(record)
        resolved: dict[str, Authority] = {}  # entities the document names in full
        roles = {}
        for role in (*AGENT_ROLES, PLACES, ARCHIVE, FUNDER):
            roles[role] = [self._structured(e, role, when, resolved) for e in getattr(record, role)
                           if role != FUNDER or self._could_fund(e)]
        text = "\n".join(filter(None, (record.title, record.description, record.summary, record.body)))
        mentions = find_mentions(text, self.index)
        full = [(m, self._full(m.key, TEXT_KINDS, when)) for m in mentions]
        if record.citation:  # a citation adds its places (where it was written, where it is kept)
            known = {m.key for m in mentions}
            full += [(m, places) for m in find_table_names(record.citation, self.index) if m.key not in known
                     and (places := self._full(m.key, (PLACE,), when))]
        for mention, candidates in full:
            if len(candidates) == 1 and mention.key not in self.index.demonyms:
                resolved[candidates[0].key] = candidates[0]  # an adjective names no one in full
        for role in roles:
            roles[role] = [self._contextual(e, when, resolved, ALLOWED_KINDS[role])
                           for e in roles[role]]
        named = [e for entities in roles.values() for e in entities]
        texts: list[Entity] = []
        for mention, candidates in full:
            entity = self._text(mention, candidates, when, resolved)
            if entity is not None:
                texts.append(_own_names(entity, self.index.demonyms))
        texts = _one_per_person(texts, named)
        seen = {e.key for e in named}
        texts = [e for e in texts if not (e.key in seen or seen.add(e.key))]
        linked = replace(record, mentions=tuple(texts), **{r: tuple(es) for r, es in roles.items()})
        if self.fallback is not None:
            linked = self._second_opinion(linked)
        return linked

    # --- lookups ---------------------------------------------------------------

    def _full(self, key: str, kinds, when) -> list[Authority]:
        entries = self.index.by_name.get(key)
        if entries is None:  # most names are not in the table: nothing to filter
            return []
        return [a for a in entries if a.kind in kinds and a.fits(when)]

    def _surname(self, key: str, kinds, when, resolved: dict[str, Authority]) -> tuple[list, str]:
        """Candidates for a bare surname or context alias, and the rule that found them."""
        in_context = [a for a in resolved.values() if a.kind in kinds and (
            a in self.index.by_surname.get(key, ()) or a in self.index.by_context_name.get(key, ()))]
        if in_context:
            return in_context, "authority:in-context"
        if PERSON in kinds and key in self.index.explicit_surnames:
            # Only verified people: a bare "Ivanov" must not claim the unverified ambassador.
            table = [a for a in self.index.by_surname.get(key, ()) if a.fits(when) and a.qid]
            if table:
                return table, "authority:unique-surname"
        return [], ""

    # --- structured fields -------------------------------------------------------

    def _structured(self, entity: Entity, role: str, when, resolved) -> Entity:
        if entity.qid:  # the input said which item it is
            return replace(entity, key=entity.key or _own_key(entity))
        kinds = ALLOWED_KINDS[role]
        for form in variants(entity.name, entity.printed, entity.alternates):
            candidates = self._full(form, kinds, when)
            if candidates:
                decided = self._decide(entity, candidates, "authority:alias", kinds)
                if decided.link.status in ("linked", "unverified"):
                    resolved[decided.key] = self.index.entries[decided.key]
                return decided
        return entity  # surname and context rules run once the whole document is known

    def _contextual(self, entity: Entity, when, resolved, kinds) -> Entity:
        if entity.link is not None:
            return entity
        key = folded(entity.name)
        candidates, method = self._surname(key, kinds, when, resolved) if " " not in key else ([], "")
        if candidates:
            return self._decide(entity, candidates, method, kinds, in_document=True)
        return _unknown(entity)

    # --- text ----------------------------------------------------------------------

    def _text(self, mention: Mention, candidates, when, resolved) -> Entity | None:
        if candidates:
            return _named_in_text(self, mention, tuple(a.key for a in candidates))
        kinds = (PERSON,) if mention.person else TEXT_KINDS
        family, given = name_parts(mention.printed) if mention.person else (mention.key, ())
        found, method = self._surname(family if given else mention.key, kinds, when, resolved)
        if given:
            found = [a for a in found if _given_names_fit(a, given)]
            if not found:
                found, method = self._by_given_names(family, given, when)
        kind = PERSON if mention.person else (found[0].kind if found else PERSON)
        entity = Entity(name=mention.printed, printed=mention.printed, kind=kind)
        if found:
            if len({a.kind for a in found}) > 1:
                entity = replace(entity, kind=PERSON)
            return self._decide(entity, found, method, kinds, in_document=True)
        if mention.person:
            return _unknown(entity)
        return None  # a table name that does not fit this document (period, kind): not a mention

    def _by_given_names(self, family: str, given: tuple[str, ...], when) -> tuple[list, str]:
        """Verified people of that family name whose given names fit (``E. Honecker``,
        ``Nikita S. Khrushchev``). Not for family names printed first (``Kim``): their
        given names are not initialled, and a wrong reading is a wrong person."""
        if family in surname_first() or not family:
            return [], ""
        found = [a for a in self.index.by_surname.get(family, ())
                 if a.kind == PERSON and a.qid and a.fits(when) and _given_names_fit(a, given)]
        return found, "authority:unique-surname"

    def _could_fund(self, entity: Entity) -> bool:
        """Whether a funder value can be a funder: the table knows it, or it reads as a body.

        The page reader takes a block under no heading for a donor printed alone; one
        such as ``Original`` or ``Meeting Minutes`` names no one and is dropped.
        """
        return bool(entity.qid) or looks_like_organization(entity.name) or any(
            self.index.by_name.get(form) for form in variants(entity.name, entity.printed, entity.alternates))

    # --- decisions -------------------------------------------------------------------

    def _decide(self, entity: Entity, candidates: list[Authority], method: str, kinds,
                in_document: bool = False) -> Entity:
        distinct = {a.key: a for a in candidates if a.kind in kinds}
        if len(distinct) == 1:
            return _linked(entity, next(iter(distinct.values())), method)
        ambiguous = tuple(sorted(a.qid or a.key for a in distinct.values()))
        return replace(entity, key=_unknown_key(entity, in_document),
                       link=LinkDecision("ambiguous", method, 0.0, None, ambiguous))

    def _second_opinion(self, record: Record) -> Record:
        """Ask the fallback (online reconciler) about names the table did not know."""
        changes = {}
        for role in (*AGENT_ROLES, PLACES, ARCHIVE, FUNDER, "mentions"):
            entities = getattr(record, role)
            updated = tuple(self.fallback(e, record) if e.link and e.link.status == "unknown" else e
                            for e in entities)
            if updated != entities:
                changes[role] = updated
        return replace(record, **changes) if changes else record


@lru_cache(maxsize=1 << 12)
def _named_in_text(linker: Linker, mention: Mention, candidate_keys: tuple[str, ...]) -> Entity:
    """A mention in a document's text that names table entries (``candidate_keys``), decided.

    Cached: document after document names the same entries the same ways, and the
    decision depends on nothing else (the entries are the linker's read-only table's).
    """
    candidates = [linker.index.entries[key] for key in candidate_keys]
    kind = PERSON if mention.person else candidates[0].kind
    entity = Entity(name=mention.printed, printed=mention.printed, kind=kind)
    return linker._decide(entity, candidates, "authority:alias", TEXT_KINDS, in_document=True)


@lru_cache(maxsize=1 << 12)
def _linked(entity: Entity, authority: Authority, method: str) -> Entity:
    """The entity as the authority names it.

    Cached (entities are immutable): document after document names the same entries
    the same ways, and building the entity costs more than looking it up.
    """
    status = "linked" if authority.qid else "unverified"
    alternates = tuple(dict.fromkeys(n for n in (entity.name, *entity.alternates) if n != authority.label))
    return replace(entity, name=authority.label, kind=authority.kind, qid=authority.qid,
                   key=authority.key, alternates=alternates,
                   link=LinkDecision(status, method, 1.0, authority.qid))


def _given_names_fit(authority: Authority, given: tuple[str, ...]) -> bool:
    """Whether printed given names or initials fit one of the entry's full names."""
    return any(given_names_agree(given, name_parts(name)[1])
               for name in (authority.label, *authority.aliases) if " " in name.strip())


def _own_names(entity: Entity, demonyms: frozenset[str]) -> Entity:
    """A text entity's alternate names, less what is no name of it.

    The printed form is kept as an alternate name only when it is one: not an
    adjective (``French``), not a title with a name (``Chairman Mao``), not a name with
    a gloss (``Filippov [Stalin]``), not the label in other capitals.
    """
    if not entity.alternates:
        return entity
    kept = tuple(a for a in entity.alternates if _is_own_name(a, entity.name, demonyms))
    return entity if kept == entity.alternates else replace(entity, alternates=kept)


@lru_cache(maxsize=1 << 12)
def _is_own_name(alternate: str, label: str, demonyms: frozenset[str]) -> bool:
    key = folded(alternate)
    first = key.split(" ")[0] if key else ""
    return bool(key) and key != folded(label) and key not in demonyms and first not in _TITLES \
        and not _GLOSS.search(alternate)


def _one_per_person(texts: list[Entity], named: list[Entity]) -> list[Entity]:
    """One node per person: a shorter form joins the fuller name the document prints.

    ``Andrei Andreyevich Gromyko`` joins the table's Gromyko, then ``Gromyko`` joins
    him too; ``Leonid`` joins ``Leonid Brezhnev``; each only when exactly one person of
    the document fits. ``Kim`` beside ``Kim Tu-bong`` and ``Kim Chang-man`` stays apart,
    even when the table knows one of them.
    """
    if not any(_open(e) or e.link is not None and e.link.method == "authority:in-context" for e in texts):
        return texts
    people = [e for e in (*named, *texts) if e.kind == PERSON and e.key]
    if len(people) < 2:
        return texts
    texts = [_unless_another(e, people) for e in texts]
    people = [e for e in (*named, *texts) if e.kind == PERSON and e.key]
    fuller = _Names(people)
    first = {e.key: fuller.of(e) for e in texts if _open(e) and name_parts(e.name)[1]}
    texts = [first.get(e.key, e) for e in texts]
    fuller = _Names([first.get(e.key, e) for e in people])
    return [fuller.of(e) if _open(e) else e for e in texts]


def _open(entity: Entity) -> bool:
    return entity.kind == PERSON and entity.link is not None and entity.link.status in ("unknown", "ambiguous")


def _unless_another(entity: Entity, people: list[Entity]) -> Entity:
    """A bare surname linked to the one table person the document names in full is not
    his when the document also names someone else of that family the table does not know."""
    if entity.link is None or entity.link.method != "authority:in-context" or entity.kind != PERSON \
            or " " in entity.printed.strip():
        return entity
    family = name_parts(entity.printed)[0]
    if any(o.key != entity.key and o.link is not None and o.link.status == "unknown"
           and name_parts(o.name)[0] == family and name_parts(o.name)[1] for o in people):
        return _unknown(Entity(name=entity.printed, printed=entity.printed, kind=PERSON))
    return entity


class _Names:
    """The persons of a document by family name and by first given name (a lone ``Leonid``)."""

    def __init__(self, people: list[Entity]):
        self.by_family: dict[str, list] = {}
        self.by_given: dict[str, list] = {}
        for person in people:
            known = person.link is not None and person.link.status in ("linked", "unverified")
            for name in (person.name, *person.alternates) if known else (person.name,):
                family, given = name_parts(name)
                self.by_family.setdefault(family, []).append((person, name, known))
                if given:
                    self.by_given.setdefault(given[0], []).append((person, name, known))

    def of(self, entity: Entity) -> Entity:
        """The one person of the document that ``entity`` names more briefly, else ``entity``."""
        family, given = name_parts(entity.name)
        candidates = self.by_family.get(family, []) + ([] if given else self.by_given.get(family, []))
        linked, unknown = {}, {}
        for other, name, known in candidates:
            if other.key != entity.key and _same_person(entity.name, name, known):
                (linked if known else unknown)[other.key] = other
        fits = {**linked, **{e.key: e for e in unknown.values() if not any(
            o is not e and _same_person(e.name, o.name, False) for o in unknown.values())}}
        return next(iter(fits.values())) if len(fits) == 1 else entity


@lru_cache(maxsize=1 << 12)
def _same_person(short: str, full: str, known: bool) -> bool:
    """Whether ``short`` can name the person ``full`` names, and ``full`` says more (or is
    ``known``: a table entry's name): a bare family name, or a lone given name (``Leonid``
    for ``Leonid Brezhnev``), or given names that agree."""
    family, given = name_parts(short)
    full_family, full_given = name_parts(full)
    if not given:
        return family == full_family and bool(full_given) or (
            len(family) > 2 and full_given[:1] == (family,) and full_family not in surname_first())
    if family != full_family or not given_names_agree(given, full_given):
        return False
    return known or (sum(map(len, full_given)), len(full_given)) > (sum(map(len, given)), len(given))


def _own_key(entity: Entity) -> str:
    return f"{entity.kind}/{slug(entity.name)}"


_UNKNOWN = LinkDecision("unknown", "authority:none", 0.0)


@lru_cache(maxsize=1 << 12)
def _unknown(entity: Entity) -> Entity:
    """An unlinked entity of a document (cached like :func:`_linked`)."""
    return replace(entity, key=_unknown_key(entity, in_document=True), link=_UNKNOWN)


def _unknown_key(entity: Entity, in_document: bool) -> str:
    """Full names get a shared IRI, bare names one inside the document (if there is one)."""
    if " " in entity.name.strip() or entity.kind != PERSON or not in_document:
        return _own_key(entity)
    return f"#{entity.kind}-{slug(entity.name)}"
