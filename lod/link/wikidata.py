"""Polite, cached, retrying client for the Wikidata Action API.

Only the two modules a reconciler needs are wrapped: ``wbsearchentities``
(label/alias prefix search) and ``wbgetentities`` (item data, at most 50 ids
per request).  Wikimedia's etiquette is built in rather than left to callers:
a contactable User-Agent and ``maxlag`` on every request, serial requests,
and back-off that honours ``Retry-After``.  Successful answers are stored in a
sqlite3 file so that a re-run of an export asks Wikidata nothing twice.

Whatever the service does, a call either returns a well-formed answer or raises
:class:`WikidataUnavailable`: a dropped connection, a broken chunked body, bad gzip,
a redirect loop, an answer that trickles in past ``timeout`` or the client's whole
``deadline``, JSON that is malformed or of the wrong shape. Only a well-formed answer
is cached; a cached answer is checked again when it is read (an older lod may have
stored a bad one), and a cache file that is not a database is set aside.
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
import urllib3

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
#: The largest answer read (50 items with all their statements stay far below).
MAX_ANSWER_BYTES = 64 << 20

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


class _Malformed(Exception):
    """Internal: an answer that is JSON but not of the shape the API gives."""


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
    instead of stalling an export.  ``timeout`` bounds each attempt as a whole
    (connecting, waiting, and reading however slowly the answer drips in);
    ``deadline`` (seconds, None for none) bounds all the client's requests and
    waits together, from its first request.  Without ``cache_path`` answers
    are still memoised in memory for the client's lifetime.  ``notes`` says
    what went wrong with the cache file, if anything.
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
        deadline: float | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self.max_retries = max_retries
        self.maxlag = maxlag
        self.max_wait = max_wait
        self.deadline = deadline
        self.notes: list[str] = []
        self._sleep = sleep
        self._ends: float | None = None  # the monotonic time the deadline ends, once started
        self._session = requests.Session()
        self._session.headers["User-Agent"] = user_agent
        self._db = _open_cache(cache_path, self.notes)

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
        cached = self._cached(key, expect)
        if cached is not None:
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
                if self._ends is not None and time.monotonic() + delay > self._ends:
                    raise WikidataUnavailable(
                        f"{failure.reason}; no time left to retry within the deadline "
                        f"of {self.deadline:g} s"
                    ) from None
                self._sleep(delay)
                retries += 1
        self._store(key, payload)
        return payload

    def _cached(self, key: str, expect: str) -> dict[str, Any] | None:
        """The cached answer, when there is a well-formed one (a bad one is deleted)."""
        try:
            row = self._db.execute("SELECT body FROM responses WHERE key = ?", (key,)).fetchone()
            if row is None:
                return None
            try:
                payload = json.loads(row[0])
                _check_shape(payload, expect)
                return payload
            except (ValueError, RecursionError, _Malformed):
                self._db.execute("DELETE FROM responses WHERE key = ?", (key,))
                self._db.commit()
                self._note("held a malformed answer, deleted")
        except sqlite3.Error as error:
            self._note(f"could not be read ({error})")
        return None

    def _store(self, key: str, payload: dict[str, Any]) -> None:
        try:
            self._db.execute(
                "INSERT OR REPLACE INTO responses (key, body) VALUES (?, ?)",
                (key, json.dumps(payload, ensure_ascii=False, sort_keys=True)),
            )
            self._db.commit()
        except sqlite3.Error as error:  # a full disk: the answer is used, not kept
            self._note(f"could not be written ({error})")

    def _note(self, what: str) -> None:
        note = f"the Wikidata cache {what}"
        if note not in self.notes:
            self.notes.append(note)

    def _attempt(self, query: Mapping[str, str], expect: str) -> dict[str, Any]:
        """A single HTTP request; raises _Retry for transient failures."""
        now = time.monotonic()
        if self.deadline is not None and self._ends is None:
            self._ends = now + self.deadline
        if self._ends is not None and now >= self._ends:
            raise WikidataUnavailable(f"the deadline of {self.deadline:g} s for Wikidata is spent")
        ends = now + self.timeout if self._ends is None else min(now + self.timeout, self._ends)
        try:
            with self._session.get(
                self.endpoint, params=query, timeout=max(ends - now, 0.001), stream=True
            ) as response:
                retry_after = _retry_after(response.headers.get("Retry-After"))
                if response.status_code in RETRY_STATUSES:
                    raise _Retry(f"HTTP {response.status_code}", retry_after)
                if response.status_code != 200:
                    raise WikidataUnavailable(f"HTTP {response.status_code} from {self.endpoint}")
                body = _read(response, ends)
        except (requests.Timeout, urllib3.exceptions.TimeoutError):
            raise _Retry(f"timeout after {self.timeout:g} s") from None
        except requests.TooManyRedirects:
            raise WikidataUnavailable(f"redirect loop at {self.endpoint}") from None
        except requests.ConnectionError as exc:
            raise _Retry(f"connection error ({type(exc).__name__})") from None
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise _Retry(f"broken answer ({type(exc).__name__})") from None  # cut short, bad gzip ...
        try:
            payload = json.loads(body)
        except (ValueError, RecursionError):
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
        try:
            _check_shape(payload, expect)
        except _Malformed as malformed:
            raise _Retry(f"malformed answer ({malformed})") from None
        return payload


def _read(response: requests.Response, ends: float) -> bytes:
    """The body (decompressed), read as it comes until ``ends`` (monotonic): a server that
    sends a byte now and then never trips the per-read timeout, so the whole answer has its
    own. (``read1`` returns what has come, where ``read(n)`` would wait for n bytes.)"""
    chunks, size = [], 0
    while chunk := response.raw.read1(1 << 16, decode_content=True):
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            raise _Retry(f"answer over {MAX_ANSWER_BYTES >> 20} MiB")
        if time.monotonic() > ends:
            raise requests.Timeout()
    return b"".join(chunks)


def _check_shape(payload: Any, expect: str) -> None:
    """Raise _Malformed unless ``payload`` has the shape the client reads: search hits
    with item ids, or entity records :func:`_parse_entity` can read."""
    if not isinstance(payload, dict):
        raise _Malformed("not a JSON object")
    if expect == "search":
        hits = payload.get("search")
        if not isinstance(hits, list):
            raise _Malformed("'search' is not a list")
        for hit in hits:
            if not isinstance(hit, dict) or not isinstance(hit.get("id"), str) or not _QID.match(hit["id"]):
                raise _Malformed("a search hit without an item id")
    else:
        records = payload.get("entities")
        if not isinstance(records, dict):
            raise _Malformed("'entities' is not an object")
        for qid, record in records.items():
            try:
                _parse_entity(qid, record)
            except (AttributeError, KeyError, TypeError, ValueError):
                raise _Malformed(f"entity {str(qid)[:20]!r} is not an item record") from None


def _open_cache(path: Path | None, notes: list[str]) -> sqlite3.Connection:
    """The answer cache; a file that is not a usable database is set aside (``.corrupt``)
    and a new one begun, said in ``notes``."""
    if path is None:
        return _cache_table(sqlite3.connect(":memory:"))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    try:
        return _cache_table(sqlite3.connect(str(path)))
    except sqlite3.DatabaseError as error:
        aside = Path(path).with_name(Path(path).name + ".corrupt")
        Path(path).replace(aside)
        notes.append(f"the Wikidata cache {path} was damaged ({error}); it was moved to {aside} "
                     "and a new one begun")
        return _cache_table(sqlite3.connect(str(path)))


def _cache_table(db: sqlite3.Connection) -> sqlite3.Connection:
    try:
        db.execute("CREATE TABLE IF NOT EXISTS responses (key TEXT PRIMARY KEY, body TEXT NOT NULL)")
        db.execute("SELECT key, body FROM responses LIMIT 1").fetchall()
        db.commit()
    except sqlite3.DatabaseError:
        db.close()
        raise
    return db


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
    if not _QID.match(qid):
        raise ValueError(f"not an item id: {qid[:20]!r}")
    claims = record.get("claims") or {}
    return Entity(
        qid=qid,
        labels={lang: _text(v["value"]) for lang, v in (record.get("labels") or {}).items()},
        descriptions={lang: _text(v["value"]) for lang, v in (record.get("descriptions") or {}).items()},
        aliases={
            lang: tuple(_text(a["value"]) for a in group)
            for lang, group in (record.get("aliases") or {}).items()
        },
        instance_of=tuple(
            dict.fromkeys(_text(v["id"]) for v in _best_values(claims, "P31") if isinstance(v, dict))
        ),
        birth_year=_year(claims, "P569", min),
        death_year=_year(claims, "P570", max),
        inception_year=_year(claims, "P571", min),
        dissolved_year=_year(claims, "P576", max),
        redirected_from=requested if qid != requested else None,
    )


def _text(value: Any) -> str:
    """A string of the answer; anything else is a malformed answer."""
    if not isinstance(value, str):
        raise TypeError(f"expected a string, not {type(value).__name__}")
    return value


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
        if match and len(match.group(2)) <= 9:  # a longer year fits no document (nor int())
            year = int(match.group(2))
            years.append(-year if match.group(1) == "-" else year)
    return pick(years) if years else None
