"""Polite, cached, retrying client for the Wikidata Action API.

Only the two modules a reconciler needs are wrapped: ``wbsearchentities``
(label/alias prefix search) and ``wbgetentities`` (item data, at most 50 ids
per request).  Wikimedia's etiquette is built in rather than left to callers:
a contactable User-Agent and ``maxlag`` on every request, serial requests,
and back-off that honours ``Retry-After``.  Successful answers are stored in a
sqlite3 file so that a re-run of an export asks Wikidata nothing twice.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

import lod

__all__ = [
    "DEFAULT_ENDPOINT",
    "DEFAULT_USER_AGENT",
    "MAX_IDS_PER_REQUEST",
    "Entity",
    "WikidataClient",
    "WikidataUnavailable",
]

DEFAULT_ENDPOINT = "https://www.wikidata.org/w/api.php"
DEFAULT_USER_AGENT = (
    f"lod/{getattr(lod, '__version__', '0')} "
    "(https://github.com/lod-project/lod; lod@example.org) "
    f"python-requests/{requests.__version__}"
)
#: wbgetentities refuses more ids than this per request (without bot rights).
MAX_IDS_PER_REQUEST = 50
#: wbsearchentities' own cap on ``limit`` for ordinary clients.
MAX_SEARCH_LIMIT = 50
#: Manual:Maxlag asks clients to wait at least this long after a maxlag error.
MIN_MAXLAG_WAIT = 5.0
#: Transient HTTP statuses worth retrying; other non-200 answers fail at once.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: API error codes that mean "come back later" rather than "your request is wrong".
RETRY_API_ERRORS = frozenset({"maxlag", "ratelimited"})

_QID = re.compile(r"^Q[1-9][0-9]*$")
_YEAR = re.compile(r"^([+-])0*([0-9]+)-")


class WikidataUnavailable(Exception):
    """Wikidata could not give a usable answer, even after retrying.

    Callers treat this as "could not check", never as "no match".
    """

    def __init__(self, reason: str) -> None:
        super().__init__(f"Wikidata unavailable: {reason}")
        self.reason = reason


@dataclass(frozen=True)
class Entity:
    """The parts of a Wikidata item a reconciler scores on.

    ``qid`` is the item actually returned; when the requested id was merged
    into another item, ``redirected_from`` holds the requested id.  Years come
    from best-ranked statements: the earliest start (birth, inception) and the
    latest end (death, dissolution), so date checks only reject an item when
    every claimed date contradicts the document.
    """

    qid: str
    labels: Mapping[str, str] = field(default_factory=dict)
    descriptions: Mapping[str, str] = field(default_factory=dict)
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    instance_of: tuple[str, ...] = ()
    birth_year: int | None = None
    death_year: int | None = None
    inception_year: int | None = None
    dissolved_year: int | None = None
    redirected_from: str | None = None
    missing: bool = False

    def names(self) -> tuple[str, ...]:
        """All labels and aliases, in every language fetched."""
        return tuple(self.labels.values()) + tuple(
            alias for group in self.aliases.values() for alias in group
        )


class _Retry(Exception):
    """Internal: one attempt failed in a way worth retrying."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class WikidataClient:
    """Client for wbsearchentities/wbgetentities with retries and a disk cache.

    ``max_retries`` counts retries after the first attempt.  Waits come from
    ``Retry-After`` when the server sends one, else exponential back-off
    (1, 2, 4 … s); a requested wait longer than ``max_wait`` aborts at once
    instead of stalling an export.  Without ``cache_path`` answers are still
    memoised in memory for the client's lifetime.
    """

    def __init__(
        self,
        endpoint: str = DEFAULT_ENDPOINT,
        user_agent: str = DEFAULT_USER_AGENT,
        cache_path: Path | None = None,
        timeout: float = 10.0,
        max_retries: int = 4,
        maxlag: int = 5,
        sleep: Callable[[float], None] = time.sleep,
        max_wait: float = 120.0,
    ) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self.max_retries = max_retries
        self.maxlag = maxlag
        self.max_wait = max_wait
        self._sleep = sleep
        self._session = requests.Session()
        self._session.headers["User-Agent"] = user_agent
        if cache_path is not None:
            Path(cache_path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(":memory:" if cache_path is None else str(cache_path))
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS responses (key TEXT PRIMARY KEY, body TEXT NOT NULL)"
        )
        self._db.commit()

    def close(self) -> None:
        """Release the HTTP session and the cache file."""
        self._session.close()
        self._db.close()

    def __enter__(self) -> WikidataClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def search(self, name: str, language: str = "en", limit: int = 10) -> list[dict[str, Any]]:
        """Items whose label or alias in ``language`` starts with ``name``."""
        if not 1 <= limit <= MAX_SEARCH_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_SEARCH_LIMIT}, got {limit}")
        payload = self._call(
            {
                "action": "wbsearchentities",
                "search": name,
                "language": language,
                "uselang": language,
                "type": "item",
                "limit": str(limit),
            },
            expect="search",
        )
        return list(payload["search"])

    def get_entities(
        self, qids: Iterable[str], languages: Iterable[str] = ("en",)
    ) -> dict[str, Entity]:
        """Fetch items by QID, keyed by the id asked for.

        Ids are deduplicated and sorted numerically before batching so the
        requests (and therefore the cache keys) do not depend on input order.
        Missing or deleted items come back with ``missing=True``.
        """
        unique = set(qids)
        bad = sorted(q for q in unique if not _QID.match(q))
        if bad:
            raise ValueError(f"not item ids: {', '.join(bad)}")
        wanted = sorted(unique, key=lambda q: int(q[1:]))
        langs = "|".join(dict.fromkeys(languages))
        found: dict[str, Entity] = {}
        for start in range(0, len(wanted), MAX_IDS_PER_REQUEST):
            batch = wanted[start : start + MAX_IDS_PER_REQUEST]
            payload = self._call(
                {
                    "action": "wbgetentities",
                    "ids": "|".join(batch),
                    "props": "info|labels|aliases|descriptions|claims",
                    "languages": langs,
                },
                expect="entities",
            )
            records = payload["entities"]
            for qid in batch:
                record = records.get(qid)
                found[qid] = (
                    Entity(qid=qid, missing=True) if record is None else _parse_entity(qid, record)
                )
        return found

    def _call(self, params: Mapping[str, str], expect: str) -> dict[str, Any]:
        """One API call: from the cache, else over HTTP with retries, then cached."""
        key = json.dumps([self.endpoint, sorted(params.items())], ensure_ascii=False)
        row = self._db.execute("SELECT body FROM responses WHERE key = ?", (key,)).fetchone()
        if row is not None:
            cached: dict[str, Any] = json.loads(row[0])
            return cached
        query = {**params, "format": "json", "maxlag": str(self.maxlag)}
        retries = 0
        while True:
            try:
                payload = self._attempt(query, expect)
                break
            except _Retry as failure:
                if retries == self.max_retries:
                    raise WikidataUnavailable(
                        f"{failure.reason} (gave up after {retries + 1} attempts)"
                    ) from None
                delay = failure.retry_after
                if delay is None:
                    delay = float(2**retries)
                if delay > self.max_wait:
                    raise WikidataUnavailable(
                        f"{failure.reason}; server asks to wait {delay:g} s, "
                        f"more than max_wait={self.max_wait:g} s"
                    ) from None
                self._sleep(delay)
                retries += 1
        self._db.execute(
            "INSERT OR REPLACE INTO responses (key, body) VALUES (?, ?)",
            (key, json.dumps(payload, ensure_ascii=False, sort_keys=True)),
        )
        self._db.commit()
        return payload

    def _attempt(self, query: Mapping[str, str], expect: str) -> dict[str, Any]:
        """A single HTTP request; raises _Retry for transient failures."""
        try:
            response = self._session.get(self.endpoint, params=query, timeout=self.timeout)
        except requests.Timeout:
            raise _Retry(f"timeout after {self.timeout:g} s") from None
        except requests.ConnectionError as exc:
            raise _Retry(f"connection error ({type(exc).__name__})") from None
        retry_after = _retry_after(response.headers.get("Retry-After"))
        if response.status_code in RETRY_STATUSES:
            raise _Retry(f"HTTP {response.status_code}", retry_after)
        if response.status_code != 200:
            raise WikidataUnavailable(f"HTTP {response.status_code} from {self.endpoint}")
        try:
            payload = response.json()
        except ValueError:
            raise _Retry("invalid JSON in response") from None
        if not isinstance(payload, dict):
            raise _Retry("invalid JSON in response (not an object)")
        error = payload.get("error")
        if isinstance(error, dict):
            code = str(error.get("code", "unknown"))
            info = str(error.get("info", "")).strip()
            if code == "maxlag":
                raise _Retry(f"maxlag: {info}", max(retry_after or 0.0, MIN_MAXLAG_WAIT))
            if code in RETRY_API_ERRORS:
                raise _Retry(f"API error {code}: {info}", retry_after)
            raise WikidataUnavailable(f"API error {code}: {info}")
        if not isinstance(payload.get(expect), (dict, list)):
            raise _Retry(f"response lacks '{expect}'")
        return payload


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header; None when absent or not a number."""
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


def _parse_entity(requested: str, record: Mapping[str, Any]) -> Entity:
    """Turn one ``entities`` record of wbgetentities into an Entity.

    A merged item is answered under the requested key with the target's
    ``id`` and a ``redirects: {from, to}`` member.
    """
    if "missing" in record:
        return Entity(qid=requested, missing=True)
    qid = str(record.get("id", requested))
    claims = record.get("claims") or {}
    return Entity(
        qid=qid,
        labels={lang: v["value"] for lang, v in (record.get("labels") or {}).items()},
        descriptions={lang: v["value"] for lang, v in (record.get("descriptions") or {}).items()},
        aliases={
            lang: tuple(a["value"] for a in group)
            for lang, group in (record.get("aliases") or {}).items()
        },
        instance_of=tuple(
            dict.fromkeys(v["id"] for v in _best_values(claims, "P31") if isinstance(v, dict))
        ),
        birth_year=_year(claims, "P569", min),
        death_year=_year(claims, "P570", max),
        inception_year=_year(claims, "P571", min),
        dissolved_year=_year(claims, "P576", max),
        redirected_from=requested if qid != requested else None,
    )


def _best_values(claims: Mapping[str, Any], prop: str) -> list[Any]:
    """Datavalues of the truthy statements (preferred if any, else normal rank)."""
    statements = [s for s in claims.get(prop) or [] if s.get("rank") != "deprecated"]
    preferred = [s for s in statements if s.get("rank") == "preferred"]
    values = []
    for statement in preferred or statements:
        snak = statement.get("mainsnak") or {}
        if snak.get("snaktype", "value") == "value" and "datavalue" in snak:
            values.append(snak["datavalue"].get("value"))
    return values


def _year(
    claims: Mapping[str, Any], prop: str, pick: Callable[[list[int]], int]
) -> int | None:
    """The year of a time property (``+1912-04-15T00:00:00Z`` → 1912)."""
    years = []
    for value in _best_values(claims, prop):
        match = _YEAR.match(value.get("time", "")) if isinstance(value, dict) else None
        if match:
            year = int(match.group(2))
            years.append(-year if match.group(1) == "-" else year)
    return pick(years) if years else None
