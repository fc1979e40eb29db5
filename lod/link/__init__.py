"""Stage 2, link: persons, organizations and places -> Wikidata items, precision first.

The offline linker (the default) knows only the authority table in ``vocab/``
(plus a local table from ``lod review accept``). ``--online`` adds the Wikidata
reconciler as a second opinion for names the table does not know at all; names
the table knows, even ambiguously, are never sent.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from lod.link.authority import load_index
from lod.link.reconcile import reconcile
from lod.link.resolve import Linker
from lod.link.wikidata import WikidataClient
from lod.model import PERSON, Entity, LinkDecision, Record
from lod.vocab import language_tag


def offline_linker(authorities: str | None = None) -> Linker:
    """The default linker: the packaged authority table plus an optional local one."""
    return Linker(load_index(authorities))


class OnlineFallback:
    """Asks the Wikidata reconciler about unknown names; stops asking once the service is down.

    ``unchecked`` collects the names it could not check, so the export can say so.
    """

    def __init__(self, client: WikidataClient):
        self.client = client
        self.down: str | None = None
        self.unchecked: list[str] = []

    def __call__(self, entity: Entity, record: Record) -> Entity:
        if entity.kind == PERSON and " " not in entity.name.strip():
            return entity  # a bare surname is never enough for the reconciler
        if self.down:
            return self._unchecked(entity, self.down)
        year = int(record.date.iso[:4]) if record.date and record.date.iso else None
        languages = ("en", *filter(None, (language_tag(name) for name in record.languages)))
        result = reconcile(entity.name, entity.kind, self.client, languages, year)
        candidates = tuple(c.qid for c in result.candidates)
        if result.status == "unchecked":
            self.down = result.reason
            return self._unchecked(entity, result.reason)
        if result.status == "linked":
            return replace(entity, qid=result.qid, link=LinkDecision(
                "linked", "wikidata-api", result.score, result.qid, candidates, result.reason))
        status = "ambiguous" if result.status == "review" else "unknown"
        return replace(entity, link=LinkDecision(status, "wikidata-api", result.score, None,
                                                 candidates, result.reason))

    def _unchecked(self, entity: Entity, reason: str) -> Entity:
        self.unchecked.append(entity.name)
        return replace(entity, link=LinkDecision("unchecked", "wikidata-api", 0.0, note=reason))


def online_linker(authorities: str | None = None, endpoint: str | None = None,
                  user_agent: str | None = None, cache: Path | None = None,
                  timeout: float = 10.0) -> tuple[Linker, OnlineFallback]:
    options = {"cache_path": cache, "timeout": timeout}
    if endpoint:
        options["endpoint"] = endpoint
    if user_agent:
        options["user_agent"] = user_agent
    fallback = OnlineFallback(WikidataClient(**options))
    return Linker(load_index(authorities), fallback), fallback
