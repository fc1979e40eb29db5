"""Online reconciliation of person, organization and place names to Wikidata.

A name is searched (wbsearchentities) in each of the document's languages,
the merged candidates are fetched in one batched wbgetentities call, and each
candidate is scored on three pieces of evidence:

* **name** — a label or alias (in any fetched language) equal to the whole
  name after case folding, diacritic stripping and punctuation/whitespace
  collapsing: 0.6; the same set of words in another order ("Kim, Il Sung"):
  0.4; otherwise 0.0.
* **type** (P31, instance of; direct values only, no subclass walk):
  person: Q5 (human) gives +0.3, and a candidate that is not a human scores 0
  outright, so a person is never linked to a namesake building or ship;
  place: one of ``PLACE_CLASSES`` gives +0.3;
  organization: at least one P31 value that is neither Q5 nor a place class
  gives +0.2.  This is deliberately weaker: organizations have too many
  classes to list, so the rule only says "not obviously a person or place".
* **date** (only when the document ``year`` is given): a person born after
  the year, or more than ``MAX_AGE`` years before it, scores 0; an
  organization or place founded after the year, or dissolved before it,
  scores 0; otherwise (including when the item states no dates) +0.1.

Candidates that score 0 are rejected and dropped.  The best candidate is
linked only if it scores at least ``LINK_THRESHOLD`` and beats the runner-up
by at least ``MIN_MARGIN``; with such weights that means an exact name match
of the right type that no other candidate matches as well.  Anything else
with surviving candidates goes to "review", best first (score descending,
then numeric QID ascending, so the order is deterministic).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from lod.link.wikidata import Entity, WikidataUnavailable

__all__ = [
    "KINDS",
    "LINK_THRESHOLD",
    "MIN_MARGIN",
    "PLACE_CLASSES",
    "Candidate",
    "EntitySource",
    "Reconciliation",
    "reconcile",
]

LINK_THRESHOLD = 0.9
MIN_MARGIN = 0.15
#: A person cannot be mentioned as a contemporary more than this many years after birth.
MAX_AGE = 110
SEARCH_LIMIT = 10
KINDS = ("person", "organization", "place")

HUMAN = "Q5"
#: Direct P31 classes accepted as places (countries, states, regions, cities).
PLACE_CLASSES = frozenset(
    {
        "Q6256",  # country
        "Q3624078",  # sovereign state
        "Q3024240",  # historical country
        "Q515",  # city
        "Q5119",  # capital
        "Q1549591",  # big city
        "Q82794",  # region
        "Q35657",  # U.S. state
        "Q10864048",  # first-level administrative country subdivision
        "Q486972",  # human settlement
        "Q7275",  # state
        "Q1637706",  # city with millions of inhabitants
    }
)

EXACT_NAME = 0.6
TOKEN_SET_NAME = 0.4
PERSON_TYPE = 0.3
PLACE_TYPE = 0.3
ORGANIZATION_TYPE = 0.2
DATE_PLAUSIBLE = 0.1


class EntitySource(Protocol):
    """What reconcile needs from a client; WikidataClient is the real one."""

    def search(self, name: str, language: str = ..., limit: int = ...) -> list[dict[str, Any]]:
        ...

    def get_entities(
        self, qids: Iterable[str], languages: Iterable[str] = ...
    ) -> dict[str, Entity]:
        ...


@dataclass(frozen=True)
class Candidate:
    """A scored Wikidata item; ``matched`` is the label or alias that matched the name."""

    qid: str
    label: str
    description: str
    score: float
    matched: str | None


@dataclass(frozen=True)
class Reconciliation:
    """Outcome for one name: "linked", "review", "unknown" or "unchecked"."""

    status: str
    qid: str | None
    score: float
    candidates: tuple[Candidate, ...]
    reason: str


def reconcile(
    name: str,
    kind: str,
    client: EntitySource,
    languages: Sequence[str] = ("en",),
    year: int | None = None,
) -> Reconciliation:
    """Decide whether ``name`` (a ``kind``) can be linked to a Wikidata item.

    Network failure is reported as "unchecked" rather than raised, so an
    export can go on and retry the name later.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    if not _tokens(name):
        raise ValueError("name is empty")
    languages = tuple(dict.fromkeys(languages))
    try:
        qids: dict[str, None] = {}
        for language in languages:
            for hit in client.search(name, language=language, limit=SEARCH_LIMIT):
                qids[hit["id"]] = None
        entities = client.get_entities(qids, languages=languages) if qids else {}
    except WikidataUnavailable as exc:
        return Reconciliation("unchecked", None, 0.0, (), str(exc))
    if not entities:
        return Reconciliation(
            "unknown", None, 0.0, (), f"no search results in {'|'.join(languages)}"
        )

    scored: dict[str, Candidate] = {}
    for entity in entities.values():
        if entity.missing or entity.qid in scored:
            continue
        candidate = _score(name, kind, entity, languages, year)
        if candidate.score > 0:
            scored[entity.qid] = candidate
    candidates = tuple(sorted(scored.values(), key=lambda c: (-c.score, int(c.qid[1:]))))
    if not candidates:
        return Reconciliation(
            "unknown", None, 0.0, (), f"all {len(entities)} search result(s) rejected for {kind}"
        )

    best = candidates[0]
    runner_up = candidates[1].score if len(candidates) > 1 else 0.0
    margin = round(best.score - runner_up, 6)
    if best.score >= LINK_THRESHOLD and margin >= MIN_MARGIN:
        return Reconciliation(
            "linked",
            best.qid,
            best.score,
            candidates,
            f"{best.qid} scored {best.score:.2f}, runner-up {runner_up:.2f}",
        )
    if best.score < LINK_THRESHOLD:
        reason = f"best {best.qid} scored {best.score:.2f} < {LINK_THRESHOLD}"
    else:
        reason = (
            f"best {best.qid} scored {best.score:.2f} but {candidates[1].qid} "
            f"is within {MIN_MARGIN} ({runner_up:.2f})"
        )
    return Reconciliation("review", None, best.score, candidates, reason)


def _score(
    name: str, kind: str, entity: Entity, languages: Sequence[str], year: int | None
) -> Candidate:
    """Score one entity against the name; see the module docstring."""
    name_score, matched = _name_score(name, entity)
    type_score = _type_score(kind, entity)
    date_score: float | None
    if year is None:
        date_score = 0.0
    elif _dates_plausible(kind, entity, year):
        date_score = DATE_PLAUSIBLE
    else:
        date_score = None
    rejected = date_score is None or (kind == "person" and type_score == 0.0)
    total = 0.0 if rejected else round(name_score + type_score + (date_score or 0.0), 6)
    return Candidate(
        qid=entity.qid,
        label=_first(entity.labels, languages),
        description=_first(entity.descriptions, languages),
        score=total,
        matched=matched,
    )


def _name_score(name: str, entity: Entity) -> tuple[float, str | None]:
    """Best name evidence over all labels and aliases, with the string that gave it."""
    wanted = _tokens(name)
    token_match = None
    for candidate in entity.names():
        tokens = _tokens(candidate)
        if tokens == wanted:
            return EXACT_NAME, candidate
        if token_match is None and set(tokens) == set(wanted):
            token_match = candidate
    return (TOKEN_SET_NAME, token_match) if token_match is not None else (0.0, None)


def _type_score(kind: str, entity: Entity) -> float:
    """Type evidence from direct P31 values; see the module docstring."""
    classes = set(entity.instance_of)
    if kind == "person":
        return PERSON_TYPE if HUMAN in classes else 0.0
    if kind == "place":
        return PLACE_TYPE if classes & PLACE_CLASSES else 0.0
    others = classes - PLACE_CLASSES - {HUMAN}
    return ORGANIZATION_TYPE if others else 0.0


def _dates_plausible(kind: str, entity: Entity, year: int) -> bool:
    """False when a stated date makes the item impossible in a ``year`` document."""
    if kind == "person":
        born = entity.birth_year
        return born is None or year - MAX_AGE <= born <= year
    start, end = entity.inception_year, entity.dissolved_year
    return (start is None or start <= year) and (end is None or end >= year)


def _tokens(text: str) -> tuple[str, ...]:
    """Words without case, diacritics or punctuation: "Kim Il-sung" → (kim, il, sung)."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return tuple(re.findall(r"\w+", stripped.casefold()))


def _first(texts: Mapping[str, str], languages: Sequence[str]) -> str:
    """The text in the first document language that has one, else any, else ""."""
    for language in languages:
        if language in texts:
            return texts[language]
    return next(iter(texts.values()), "")
