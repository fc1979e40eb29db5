"""Search, browse and counts over the export's search index (``search.sqlite``, see
:mod:`lod.publish.search`).

A result list is a :class:`Query` (what its URL says: words, facet values, year or decade,
linked or not, order, page). Two engines share the work, each where it is fast:

* **SQLite** matches words (FTS5), ranks and orders the documents, pages through them
  and cuts the snippets. The filters are SQL too (``rowid IN (SELECT document FROM
  facets ...)``), so no list of ids crosses between Python and SQLite for a page.
* **Python**, in memory per export generation (:class:`Catalog`), counts: the documents
  of every facet value, year and decade, as a bitmap (an ``int``, one bit per document
  id; intersected and counted in C) for values that many documents have, as an array
  of ids for the rest. The counts beside each value, the totals and the timeline of a
  result set of any size then cost microseconds per value; the top values of a facet
  are found by visiting values in decreasing order of their count in the whole
  collection, stopping when no later one can enter the top.

Relevance: documents whose title, summary or description hold the words come first,
ranked by BM25 over those fields; then those that hold them only in their text, ranked by
BM25 over every field (title ×10, summary and description ×4, text ×1). Ranking only the
first tier for the first pages keeps a search for a word half the documents hold fast.

Words are data: :func:`match_expression` turns any text into an FTS5 expression of quoted
terms and phrases (so no text is FTS5 syntax, or an error), and every SQL statement takes
its values as parameters.
"""

from __future__ import annotations

import contextlib
import heapq
import re
import sqlite3
import threading
import time
from array import array
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import chain, islice
from pathlib import Path

from lod.publish.search import COLUMNS, ENTITY_FACETS, FACETS, LANGUAGE, MARKS, VERSION, fold
from lod.serve.folder import KEY_RE, KEY_MAX
from lod.vocab import read_lines

PAGE_SIZE = 20
#: The most pages a result list offers (deeper pages of a huge result set are not useful).
MAX_PAGE = 5_000
MAX_QUERY_CHARS = 500
MAX_TERMS = 16
#: Column weights for BM25, in the order of :data:`lod.publish.search.COLUMNS`.
WEIGHTS = (10.0, 4.0, 4.0, 1.0)
HEAD = COLUMNS[:3]  # the first tier of relevance: title, summary, description
SNIPPET_TOKENS = 28
LINKS = ("linked", "unlinked")
SORTS = ("relevance", "oldest", "newest")
LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8}){0,3}\Z")
_WORD = re.compile(r"\w", re.UNICODE)
_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')
_ONE = re.compile("1")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class BadQuery(ValueError):
    """A parameter of a result list's URL that is not one lod makes (answered 400)."""


# -- the query: what a result list's URL says ------------------------------------------------------

@dataclass(frozen=True)
class Query:
    """One state of a result list. ``filters``: (facet, value) pairs, sorted, each once."""

    text: str = ""
    filters: tuple[tuple[str, str], ...] = ()
    year: int | None = None
    decade: int | None = None
    links: str | None = None
    sort: str = ""  # "" = relevance with words, else oldest first
    page: int = 1

    @classmethod
    def from_params(cls, params: Mapping[str, list[str]]) -> Query:
        """The query of a URL's parameters (``q``, one parameter per facet, ``year``,
        ``decade``, ``links``, ``sort``, ``page``); others are ignored."""
        def one(name: str) -> str | None:
            values = [v for v in params.get(name, []) if v != ""]
            if len(values) > 1:
                raise BadQuery(f"parameter {name!r} given more than once")
            return values[0] if values else None

        text = " ".join(_CONTROL.sub(" ", one("q") or "").split())[:MAX_QUERY_CHARS]
        filters = set()
        for facet in FACETS:
            for value in params.get(facet, []):
                if value == "":
                    continue
                valid = LANGUAGE_TAG.match(value) if facet == LANGUAGE else \
                    len(value) <= KEY_MAX and KEY_RE.match(value)
                if not valid:
                    raise BadQuery(f"{facet}={value!r} is not a value of that facet")
                filters.add((facet, value))
        year, decade = _number(one("year"), "year"), _number(one("decade"), "decade")
        if decade is not None and decade % 10:
            raise BadQuery("decade must be a year ending in 0 (decade=1950)")
        links = one("links")
        if links is not None and links not in LINKS:
            raise BadQuery("links must be 'linked' or 'unlinked'")
        sort = one("sort") or ""
        if sort and sort not in SORTS:
            raise BadQuery(f"sort must be one of {', '.join(SORTS)}")
        page = _number(one("page"), "page")
        page = 1 if page is None else page
        if not 1 <= page <= MAX_PAGE:
            raise BadQuery(f"page must be between 1 and {MAX_PAGE}")
        return cls(text, tuple(sorted(filters)), year, decade, links, sort, page)

    @property
    def order(self) -> str:
        """The order the results come in: ``relevance`` only with words."""
        if self.sort in ("oldest", "newest") or (self.sort == "relevance" and self.text):
            return self.sort
        return "relevance" if self.text else "oldest"

    @property
    def narrowed(self) -> bool:
        """Whether anything narrows the collection (words or a filter)."""
        return bool(self.text or self.filters or self.year is not None or self.decade is not None or self.links)

    def params(self) -> list[tuple[str, str]]:
        """The URL parameters, in a fixed order (one state, one URL)."""
        params = [("q", self.text)] if self.text else []
        params += list(self.filters)
        params += [(name, str(value)) for name, value in (("year", self.year), ("decade", self.decade),
                                                           ("links", self.links), ("sort", self.sort))
                   if value not in (None, "")]
        if self.page > 1:
            params.append(("page", str(self.page)))
        return params

    def but(self, **changes) -> Query:
        """Another state; back to the first page unless ``page`` is given."""
        changes.setdefault("page", 1)
        return replace(self, **changes)

    def adding(self, facet: str, value: str) -> Query:
        if facet == "year":
            return self.but(year=int(value), decade=None)
        if facet == "decade":
            return self.but(decade=int(value), year=None)
        if facet == "links":
            return self.but(links=value)
        return self.but(filters=tuple(sorted({*self.filters, (facet, value)})))

    def removing(self, facet: str, value: str | None = None) -> Query:
        if facet in ("year", "decade", "links"):
            return self.but(**{facet: None})
        if facet == "q":
            return self.but(text="", sort="" if self.sort == "relevance" else self.sort)
        return self.but(filters=tuple(f for f in self.filters if f != (facet, value)))


def _number(value: str | None, name: str) -> int | None:
    if value is None:
        return None
    if not (value.isascii() and value.isdigit() and len(value) <= 7):
        raise BadQuery(f"{name} must be a number")
    return int(value)


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    return frozenset(read_lines("search-stopwords.txt"))


def match_expression(text: str, columns: tuple[str, ...] = ()) -> str | None:
    """An FTS5 match expression for what a person typed, or None when it holds no word.

    Quoted passages are phrases, other words terms (all must match); a word ending in
    ``*`` matches as a prefix; letters are folded as the index folds them. Every term and
    phrase is an FTS5 string (``"..."``, its quotes doubled), so operators, column names
    and brackets in the text are only words. Very common words
    (``vocab/search-stopwords.txt``) outside phrases are left out when other words remain.
    ``columns``: match in these columns only.
    """
    terms: list[tuple[str, bool, bool]] = []  # (text, phrase, prefix)
    text = _CONTROL.sub(" ", text[:MAX_QUERY_CHARS])  # FTS5 reads its expression as a C string: NUL ends it
    for phrase, word in _TOKEN.findall(text):
        if phrase:
            terms.append((phrase, True, False))
        elif word:
            prefix = word.endswith("*") and len(word.rstrip("*")) > 1
            terms.append((word.rstrip("*") or word, False, prefix))
    terms = [t for t in terms if _WORD.search(t[0])][:MAX_TERMS]
    stop = _stopwords()
    content = [t for t in terms if t[1] or t[2] or t[0].casefold() not in stop]
    terms = content or terms
    if not terms:
        return None
    expression = " ".join('"' + fold(words).replace('"', '""') + '"' + (" *" if prefix else "")
                          for words, _, prefix in terms)
    if columns:
        return "{" + " ".join(columns) + "} : (" + expression + ")"
    return expression


# -- results --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Hit:
    """One document in a result list; ``title_marked`` / ``snippet`` hold :data:`MARKS` around matches."""

    key: str
    title: str
    date: str | None
    summary: str
    title_marked: str
    snippet: str


@dataclass(frozen=True)
class Count:
    facet: str
    value: str
    label: str
    count: int
    qid: str | None = None


@dataclass(frozen=True)
class Results:
    query: Query
    total: int
    hits: list[Hit]
    facets: dict[str, list[Count]]
    years: list[tuple[int, int]]  # (year, documents), every year with documents, in order
    undated: int
    links: dict[str, int]

    @property
    def pages(self) -> int:
        return min(MAX_PAGE, max(1, -(-self.total // PAGE_SIZE)))

    @property
    def offset(self) -> int:
        return (self.query.page - 1) * PAGE_SIZE


# -- document sets ----------------------------------------------------------------------------------

def ids_of(bitmap: int) -> list[int]:
    """The ids in a bitmap, in order."""
    return [match.start() for match in _ONE.finditer(bin(bitmap)[:1:-1])]


def mask_of(ids, size: int) -> int:
    """The bitmap (bit ``i`` for document id ``i``) of some ids below ``size``."""
    flags = bytearray(b"0") * size
    for i in ids:
        flags[i] = 49  # "1"
    return int(flags[::-1], 2) if size else 0


@dataclass
class Value:
    """One facet value in one export: who has it (ids; a bitmap too when many do)."""

    facet: str
    value: str
    label: str
    qid: str | None
    ids: array
    bitmap: int | None = None
    index: int = 0  # in its catalog

    @property
    def count(self) -> int:
        return len(self.ids)

    def within(self, documents: Documents) -> int:
        """How many of ``documents`` have this value."""
        if self.bitmap is not None:
            return (self.bitmap & documents.bitmap).bit_count()
        flags = documents.flags
        return sum(map(flags.__getitem__, self.ids)) - 48 * len(self.ids)

    def mask(self, size: int) -> int:
        return self.bitmap if self.bitmap is not None else mask_of(self.ids, size)


@dataclass
class Documents:
    """A set of documents as a bitmap, with its bytes of ``0``/``1`` per id when needed."""

    bitmap: int
    size: int
    _flags: bytes | None = field(default=None, repr=False)

    @property
    def count(self) -> int:
        return self.bitmap.bit_count()

    @property
    def flags(self) -> bytes:
        if self._flags is None:
            self._flags = bin(self.bitmap)[:1:-1].encode("ascii").ljust(self.size, b"0")
        return self._flags


# -- one generation's index ----------------------------------------------------------------------

class Catalog:
    """The search index of one export generation, read-only, and its counts in memory.

    Connections are pooled (a read-only SQLite connection per thread at work); :meth:`close`
    closes them, and those still in use when they come back.
    """

    #: A value's bitmap is kept when at least 1/DENSE of the documents have it (it is then
    #: faster to intersect than its ids are to look up, and there are at most DENSE times
    #: the facet values per document of them).
    DENSE = 32
    #: Up to this many documents (or a quarter of them all), their values are counted one by
    #: one; above it, the top values come from the bitmaps, visited most frequent first.
    FEW = 5_000

    def __init__(self, path: Path):
        self.path = path
        self._pool: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._closed = False
        with self.connection() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version != VERSION:
                raise sqlite3.DatabaseError(f"search index version {version}, this lod reads {VERSION}")
            self._load(db)

    # connections ------------------------------------------------------------------------------

    @contextlib.contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            db = self._pool.pop() if self._pool else None
        if db is None:
            db = sqlite3.connect(f"{self.path.as_uri()}?mode=ro&immutable=1", uri=True, check_same_thread=False)
        try:
            yield db
        finally:
            with self._lock:
                if self._closed:
                    db.close()
                else:
                    self._pool.append(db)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            pool, self._pool = self._pool, []
        for db in pool:
            db.close()

    # loading ----------------------------------------------------------------------------------

    def _load(self, db: sqlite3.Connection) -> None:
        rows = db.execute("SELECT id, key, year, linked FROM documents ORDER BY id").fetchall()
        self.size = size = (rows[-1][0] + 1) if rows else 0
        self.total = len(rows)
        self.keys = {key: id_ for id_, key, _, _ in rows}
        by_year: dict[int, list[int]] = {}
        linked = []
        for id_, _, year, is_linked in rows:
            if year is not None:
                by_year.setdefault(year, []).append(id_)
            if is_linked:
                linked.append(id_)
        self.all = Documents(mask_of(self.keys.values(), size), size)
        self.year_bitmaps = {year: mask_of(ids, size) for year, ids in sorted(by_year.items())}
        self.linked = mask_of(linked, size)
        self.values: dict[tuple[str, str], Value] = {}
        dense = max(1, self.total // self.DENSE)
        held: list[list[int]] = [[] for _ in range(size)]  # each document's values, by index
        for facet, value, label, top, qid, ids in db.execute(
                "SELECT facet, value, min(label), max(label), max(qid), group_concat(document) "
                "FROM facets GROUP BY facet, value"):
            documents = array("i", map(int, ids.split(",")))
            found = Value(facet, value, label, qid, documents,
                          mask_of(documents, size) if len(documents) >= dense else None, len(self.values))
            if top != label:  # printed differently in different documents: the most frequent form
                found.label = db.execute(
                    "SELECT label FROM facets WHERE facet = ? AND value = ? GROUP BY label "
                    "ORDER BY count(*) DESC, label LIMIT 1", (facet, value)).fetchone()[0]
            self.values[facet, value] = found
            for document in documents:
                held[document].append(found.index)
        self.held = [array("i", indexes) for indexes in held]
        self.by_index = list(self.values.values())
        self.by_facet: dict[str, list[Value]] = {facet: [] for facet in FACETS}
        for found in self.by_index:
            self.by_facet[found.facet].append(found)
        for values in self.by_facet.values():
            values.sort(key=_order)

    # sets -----------------------------------------------------------------------------------------

    def matching(self, db: sqlite3.Connection, expression: str) -> int:
        found = db.execute("SELECT group_concat(rowid) FROM text WHERE text MATCH ?", (expression,)).fetchone()[0]
        return mask_of(map(int, found.split(",")), self.size) if found else 0

    def selected(self, query: Query, db: sqlite3.Connection) -> Documents:
        """The documents of a query (words and filters), whatever the page."""
        bitmap = self.all.bitmap
        for facet, value in query.filters:
            found = self.values.get((facet, value))
            bitmap &= found.mask(self.size) if found else 0
        if query.year is not None:
            bitmap &= self.year_bitmaps.get(query.year, 0)
        if query.decade is not None:
            decade = 0
            for year in range(query.decade, query.decade + 10):
                decade |= self.year_bitmaps.get(year, 0)
            bitmap &= decade
        if query.links:
            bitmap &= self.linked if query.links == "linked" else ~self.linked
        expression = match_expression(query.text)
        if query.text:
            bitmap &= self.matching(db, expression) if expression else 0
        return Documents(bitmap, self.size)

    # counting -------------------------------------------------------------------------------------

    def counted(self, documents: Documents) -> dict[str, list[tuple[Value, int]]] | None:
        """Each facet's values among a few documents, counted document by document (None
        for more than :attr:`FEW`, or a quarter of the collection)."""
        if documents.count > max(self.FEW, self.total // 4) or documents.bitmap == self.all.bitmap:
            return None
        by_facet: dict[str, list[tuple[Value, int]]] = {facet: [] for facet in FACETS}
        counts = Counter(chain.from_iterable(map(self.held.__getitem__, ids_of(documents.bitmap))))
        for index, count in counts.items():
            value = self.by_index[index]
            by_facet[value.facet].append((value, count))
        return by_facet

    def top(self, documents: Documents, facet: str, limit: int, offset: int = 0,
            leave_out: tuple[tuple[str, str], ...] = (),
            counted: dict[str, list[tuple[Value, int]]] | None = None) -> list[Count]:
        """The values of ``facet`` the most of ``documents`` have (most first, then by label).

        ``counted``: :meth:`counted` of the same documents, when there are few.
        """
        wanted = limit + offset
        if documents.bitmap == self.all.bitmap:  # the whole collection: the values' own counts, in order
            ranked = list(islice(((v, v.count) for v in self.by_facet.get(facet, [])
                                  if (facet, v.value) not in leave_out), wanted))
        elif counted is not None:
            found = [(value, count) for value, count in counted[facet] if (facet, value.value) not in leave_out]
            least = min(heapq.nlargest(wanted, [count for _, count in found]), default=0)
            ranked = sorted(((value, count) for value, count in found if count >= least),
                            key=lambda item: (-item[1], item[0].label.casefold(), item[0].value))
        else:
            best: list[tuple[int, _Reverse, _Reverse, Value]] = []  # a heap: the one to drop first on top
            for value in self.by_facet.get(facet, []):
                if len(best) >= wanted and value.count < best[0][0]:
                    break  # no later value, held by fewer documents in all, can enter the top
                if (facet, value.value) in leave_out:
                    continue
                count = value.within(documents)
                if count:
                    item = (count, _Reverse(value.label.casefold()), _Reverse(value.value), value)
                    if len(best) < wanted:
                        heapq.heappush(best, item)
                    elif item[:3] > best[0][:3]:
                        heapq.heapreplace(best, item)
            ranked = [(v, count) for count, _, _, v in
                      sorted(best, key=lambda item: (-item[0], item[3].label.casefold(), item[3].value))]
        return [Count(facet, v.value, v.label, count, v.qid) for v, count in ranked[offset:offset + limit]]

    def years(self, documents: Documents) -> list[tuple[int, int]]:
        counts = [(year, (bitmap & documents.bitmap).bit_count()) for year, bitmap in self.year_bitmaps.items()]
        return [(year, count) for year, count in counts if count]

    def links(self, documents: Documents) -> dict[str, int]:
        linked = (self.linked & documents.bitmap).bit_count()
        return {"linked": linked, "unlinked": documents.count - linked}

    def value(self, facet: str, value: str) -> Value | None:
        return self.values.get((facet, value))

    # the page of results ------------------------------------------------------------------------

    def search(self, query: Query, facet_limit: int = 10) -> Results:
        with self.connection() as db:
            documents = self.selected(query, db)
            total = documents.count
            offset = (query.page - 1) * PAGE_SIZE
            ids = self._page(db, query, documents, offset) if total > offset else []
            hits = self._hits(db, query, ids)
        counted = self.counted(documents)
        facets = {facet: self.top(documents, facet, facet_limit, leave_out=query.filters, counted=counted)
                  for facet in FACETS}
        years = self.years(documents)
        return Results(query, total, hits, facets, years, total - sum(c for _, c in years), self.links(documents))

    def _filters_sql(self, query: Query, column: str) -> tuple[str, list]:
        clauses, values = [], []
        for facet, value in query.filters:
            clauses.append(f"{column} IN (SELECT document FROM facets WHERE facet = ? AND value = ?)")
            values += [facet, value]
        if query.year is not None:
            clauses.append(f"{column} IN (SELECT id FROM documents WHERE year = ?)")
            values.append(query.year)
        if query.decade is not None:
            clauses.append(f"{column} IN (SELECT id FROM documents WHERE year BETWEEN ? AND ?)")
            values += [query.decade, query.decade + 9]
        if query.links:
            clauses.append(f"{column} IN (SELECT id FROM documents WHERE linked = ?)")
            values.append(int(query.links == "linked"))
        return "".join(f" AND {clause}" for clause in clauses), values

    def _page(self, db: sqlite3.Connection, query: Query, documents: Documents, offset: int) -> list[int]:
        expression = match_expression(query.text)
        if query.order != "relevance" or expression is None:
            where, values = self._filters_sql(query, "id")
            if expression is not None:
                where += " AND id IN (SELECT rowid FROM text WHERE text MATCH ?)"
                values.append(expression)
            direction = "DESC" if query.order == "newest" else ""
            return [row[0] for row in db.execute(
                f"SELECT id FROM documents WHERE 1{where} ORDER BY sort {direction} LIMIT ? OFFSET ?",
                (*values, PAGE_SIZE, offset))]
        # "+rowid": SQLite would otherwise ask FTS5 for each id of a filter, a full-text query each.
        where, values = self._filters_sql(query, "+rowid")
        weights = ", ".join(map(str, WEIGHTS))
        head = match_expression(query.text, HEAD)
        first_tier = (self.matching(db, head) & documents.bitmap).bit_count()
        ids = []
        if offset < first_tier:
            ids = [row[0] for row in db.execute(
                f"SELECT rowid FROM text WHERE text MATCH ?{where} ORDER BY bm25(text, {weights}), rowid "
                "LIMIT ? OFFSET ?", (head, *values, PAGE_SIZE, offset))]
        if len(ids) < PAGE_SIZE:
            ids += [row[0] for row in db.execute(
                f"SELECT rowid FROM text WHERE text MATCH ?{where} AND rowid NOT IN "
                f"(SELECT rowid FROM text WHERE text MATCH ?) ORDER BY bm25(text, {weights}), rowid "
                "LIMIT ? OFFSET ?",
                (expression, *values, head, PAGE_SIZE - len(ids), max(0, offset - first_tier)))]
        return ids

    def _hits(self, db: sqlite3.Connection, query: Query, ids: list[int]) -> list[Hit]:
        if not ids:
            return []
        marks = {}
        expression = match_expression(query.text)
        places = ", ".join("?" * len(ids))
        if expression is not None:
            start, end = MARKS
            for row in db.execute(
                    f"SELECT rowid, highlight(text, 0, ?, ?), "
                    + ", ".join(f"snippet(text, {i}, ?, ?, '…', {SNIPPET_TOKENS})"
                                for i in range(1, len(COLUMNS)))
                    + f" FROM text WHERE text MATCH ? AND rowid IN ({places})",
                    (start, end, *[start, end] * (len(COLUMNS) - 1), expression, *ids)):
                snippet = next((s for s in row[2:] if start in s), "")
                marks[row[0]] = (row[1], snippet)
        found = {row[0]: row[1:] for row in db.execute(
            f"SELECT id, key, title, date, summary FROM documents WHERE id IN ({places})", ids)}
        hits = []
        for id_ in ids:
            key, title, date, summary = found[id_]
            title_marked, snippet = marks.get(id_, (title, ""))
            hits.append(Hit(key, title, date, summary, title_marked, snippet))
        return hits

    # lookups ----------------------------------------------------------------------------------------

    @property
    def span(self) -> tuple[int, int] | None:
        """The first and last year of the collection's dated documents."""
        years = list(self.year_bitmaps)
        return (years[0], years[-1]) if years else None

    def naming(self, facet: str, value: str) -> list[str]:
        """The keys of the documents that have a facet value, in key order."""
        with self.connection() as db:
            return [row[0] for row in db.execute(
                "SELECT key FROM documents WHERE id IN (SELECT document FROM facets WHERE facet = ? AND value = ?) "
                "ORDER BY key", (facet, value))]

    def titles(self, keys: list[str]) -> dict[str, tuple[str, str | None]]:
        """Title and date of documents by key."""
        with self.connection() as db:
            return {key: (title, date) for key, title, date in db.execute(
                f"SELECT key, title, date FROM documents WHERE key IN ({', '.join('?' * len(keys))})", keys)}


def _order(value: Value) -> tuple:
    """Most documents first, then by label."""
    return -value.count, value.label.casefold(), value.value


class _Reverse:
    """Orders strings backwards (so a min-heap of counts keeps the first labels on ties)."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def __lt__(self, other: _Reverse) -> bool:
        return self.text > other.text

    def __eq__(self, other) -> bool:
        return isinstance(other, _Reverse) and self.text == other.text


def entity_facet(kind: str) -> str | None:
    """The facet of an entity kind in IRIs (``concept`` -> ``subject``), or None."""
    return next((facet for facet, k in ENTITY_FACETS.items() if k == kind), None)


# -- the current generation's catalog -----------------------------------------------------------------

class SearchIndex:
    """The catalog of the export as it is now: opened, and its counts loaded, once per generation."""

    def __init__(self, export):
        self.export = export
        self._catalog: tuple[Path, Catalog | None] | None = None
        self._lock = threading.Lock()
        self._idle = threading.Event()  # set: the counts are not being read in the background
        self._idle.set()

    def current(self) -> Catalog | None:
        """The current generation's catalog, or None when the export has no index this lod reads."""
        from lod.publish.layout import SEARCH

        path = self.export.resolve(SEARCH)
        cached = self._catalog
        if cached is not None and cached[0] == path:
            return cached[1]
        with self._lock:
            cached = self._catalog
            if cached is not None and cached[0] == path:
                return cached[1]
            try:
                catalog = Catalog(path) if path is not None else None
            except sqlite3.DatabaseError:
                catalog = None
            if cached is not None and cached[1] is not None:
                cached[1].close()
            self._catalog = (path, catalog)
            return catalog

    def read_in_background(self, log) -> None:
        """Read the counts in a thread of their own (seconds for a large index); :meth:`loaded`
        does not wait for them longer than it is told."""
        self._idle.clear()

        def read():
            started = time.monotonic()
            try:
                self.current()
                log.info("search index read in %.1fs", time.monotonic() - started)
            except Exception:  # a broken index must not stop the files from being served
                log.exception("could not read the search index; search and browse will fail")
            finally:
                self._idle.set()

        threading.Thread(target=read, name="lod-search-index", daemon=True).start()

    @property
    def reading(self) -> bool:
        """Whether the counts are being read in the background now."""
        return not self._idle.is_set()

    def peek(self) -> Catalog | None:
        """The current generation's catalog if its counts are read; None otherwise. Never reads
        nor waits (for the event loop)."""
        from lod.publish.layout import SEARCH

        cached = self._catalog
        return cached[1] if cached is not None and cached[0] == self.export.resolve(SEARCH) else None

    def loaded(self, wait: float) -> Catalog | None:
        """:meth:`current`, unless the counts are still being read in the background after
        ``wait`` seconds: then None (for pages that can do without them)."""
        return self.current() if self._idle.wait(wait) else None

    def close(self) -> None:
        with self._lock:
            if self._catalog is not None and self._catalog[1] is not None:
                self._catalog[1].close()
            self._catalog = None
