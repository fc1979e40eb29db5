"""``search.sqlite``: the index ``lod serve`` searches, browses and counts (a product).

Each document's piece (:func:`index_row`, made in the export's workers) is one row: its
key, title, summary, description, text, date and year, and the facet values it has (the
people, organizations, places and subjects it names — by their IRI's last segment, with
their label and Wikidata QID — and the languages of its original), pickled (a thirtieth
of the time JSON takes; only lod reads it back). The writer puts the rows in an SQLite
database:

* ``documents``: one row per document (``id`` is the rowid the other tables refer to);
  ``sort`` is the browse order (date, undated last, then key);
* ``facets``: one row per (facet, value, document);
* ``text``: an FTS5 full-text index over title, summary, description and text, with the
  ``unicode61`` tokenizer folding case and diacritics (``Sato`` finds ``Satō``). It indexes
  the text as :func:`fold` gives it (letters with no decomposition, ``ł`` ``ø`` ``ß``, which
  the tokenizer keeps: ``Walesa`` finds ``Wałęsa``); its content is the ``documents`` table
  (external content), so snippets and highlights mark the words of the stored, unfolded
  text (folding keeps every word one word) and the index stores no copy of it. So the
  index is written by lod alone (FTS5's ``rebuild`` would index the unfolded text).

Incremental like the rest of the export: the previous generation's index is copied and
only created, updated and deleted documents are written (an unchanged document costs
nothing; copying the file is far cheaper than indexing every text again — the figures are
in docs/output.md). The rows go to SQLite in a thread of their own, so the pass in key order
does not wait for the indexing (``sqlite3`` releases the GIL while it works).

An index made incrementally holds the same rows as one made from scratch, but not the same
bytes (SQLite's pages and FTS5's segments depend on the order of the writes); an export
from scratch, or the same sequence of exports, gives the same bytes.
"""

from __future__ import annotations

import pickle
import queue
import re
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path

from lod.iris import Iris
from lod.model import ORGANIZATION, PERSON, PLACE, Record
from lod.publish.layout import SEARCH
from lod.publish.products import Context, Product, Published, register
from lod.terms import Triples
from lod.vocab import SCHEMA, read_tsv

#: Bumped whenever the tables change: a previous index of another version is not reused.
VERSION = 1
#: Facets over the names a document holds, and the kind of IRI (``{base}id/<kind>/<value>``) of each.
ENTITY_FACETS = {"person": PERSON, "organization": ORGANIZATION, "place": PLACE, "subject": "concept"}
LANGUAGE = "language"
_FACET_OF_KIND = {kind: facet for facet, kind in ENTITY_FACETS.items()}
FACETS = (*ENTITY_FACETS, LANGUAGE)
#: The full-text columns, in the order of the FTS5 table.
COLUMNS = ("title", "summary", "description", "body")
TOKENIZER = "unicode61 remove_diacritics 2"
#: Private-use characters that mark highlights in FTS5's snippets; kept out of the indexed text.
MARKS = ("\ue000", "\ue001")
UNDATED = "~"  # sorts after every date

_SCHEMA = f"""
PRAGMA user_version = {VERSION};
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    description TEXT NOT NULL,
    body TEXT NOT NULL,
    date TEXT,
    year INTEGER,
    linked INTEGER NOT NULL,
    sort TEXT NOT NULL
);
CREATE INDEX documents_in_order ON documents (sort);
CREATE INDEX documents_by_year ON documents (year);
CREATE TABLE facets (
    document INTEGER NOT NULL,
    facet TEXT NOT NULL,
    value TEXT NOT NULL,
    label TEXT NOT NULL,
    qid TEXT,
    PRIMARY KEY (document, facet, value)
) WITHOUT ROWID;
CREATE VIRTUAL TABLE text USING fts5 (
    {", ".join(COLUMNS)}, content='documents', content_rowid='id', tokenize='{TOKENIZER}'
);
"""
#: Who has a value. An index made from scratch gets it once its rows are in (a sort, where
#: each row inserted in value order would cost a step through a B-tree that outgrows memory).
_BY_VALUE = "CREATE INDEX facets_by_value ON facets (facet, value, document)"
_IN_LANGUAGE = str(SCHEMA.inLanguage)


@lru_cache(maxsize=1)
def _folding() -> tuple[re.Pattern, Callable[[re.Match], str]]:
    letters = {row["letter"]: row["as"] for row in read_tsv("search-folding.tsv")}
    return re.compile(f"[{''.join(letters)}]"), lambda match: letters[match.group()]


def fold(text: str) -> str:
    """Text as the full-text index holds it: the letters of ``vocab/search-folding.tsv`` folded
    (``Wałęsa`` -> ``Walęsa``; the tokenizer does the rest). Words stay words, one for one."""
    foldable, letters = _folding()
    return foldable.sub(letters, text)  # a scan in C, Python only at each such letter


@lru_cache(maxsize=1)
def language_names() -> dict[str, str]:
    """BCP 47 tag -> the language's name (``vocab/languages.tsv``)."""
    return {row["tag"]: row["name"] for row in read_tsv("languages.tsv")}


def _text(value: str | None) -> str:
    value = value or ""
    for mark in MARKS:  # str.replace scans in C; str.translate would look every character up
        value = value.replace(mark, "")
    return value


def index_row(record: Record, triples: Triples, iris: Iris) -> bytes:
    """The document's row of the index (pickled): its text, date and facet values.

    Names come from the linked record, under the IRIs the mapper gives them; a name only
    this document can resolve (``…/id/document/K#person-x``) has no page or facet of its
    own. Languages are the tags the description states (``schema:inLanguage``).
    """
    document = iris.document(record.key)
    prefix = iris.uri_space()
    facets: dict[tuple[str, str], tuple[str, str]] = {}
    linked = False
    for _, entity in record.entities():
        linked = linked or bool(entity.qid)
        iri = iris.entity(record, entity)
        kind, _, value = iri[len(prefix):].partition("/") if iri.startswith(prefix) else ("", "", "")
        facet = _FACET_OF_KIND.get(kind) if kind == entity.kind else None
        if facet and value and "/" not in value and "#" not in value:
            facets.setdefault((facet, value), (entity.name, entity.qid or ""))
    for heading in record.subjects:
        if heading.parts:
            label = "--".join(heading.parts)
            value = iris.concept(label)[len(prefix) + len("concept/"):]
            facets.setdefault(("subject", value), (label, ""))
    names = language_names()
    for tag in [o[0] for s, p, o in triples if p == _IN_LANGUAGE and s == document and isinstance(o, tuple)]:
        facets.setdefault((LANGUAGE, tag), (names.get(tag, tag), ""))
    date = record.date.iso if record.date and record.date.iso else None
    row = {
        "key": record.key, "title": _text(record.title), "summary": _text(record.summary),
        "description": _text(record.description), "body": _text(record.body), "date": date,
        "year": int(date[:4]) if date else None, "linked": linked,
        "facets": [[facet, value, label, qid] for (facet, value), (label, qid) in sorted(facets.items())],
    }
    return pickle.dumps(row, pickle.HIGHEST_PROTOCOL)


def index_version(path: Path) -> int | None:
    """The version of the index at ``path``, or None when there is none (or it is not one)."""
    if not path.is_file():
        return None
    try:
        connection = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            return connection.execute("PRAGMA user_version").fetchone()[0]
        finally:
            connection.close()
    except sqlite3.DatabaseError:
        return None


def same_index(previous: Path, staging: Path) -> bool:
    """Whether the previous generation's index can stand for the new one when no document
    changed: both have one of the same version (its rows follow the documents), or neither."""
    return index_version(previous / SEARCH) == index_version(staging / SEARCH)


_DONE = object()


class _IndexWriter:
    """Writes the generation's index from the documents in key order (in a thread of its own)."""

    def __init__(self, generation: Path, context: Context):
        self.path = generation / SEARCH
        self.temporary = generation / f".{SEARCH}.tmp"
        previous = context.previous / SEARCH if context.previous else None
        self.incremental = previous is not None and index_version(previous) == VERSION
        if self.incremental:
            shutil.copyfile(previous, self.temporary)
        else:
            self.temporary.unlink(missing_ok=True)
        self.queue: queue.Queue = queue.Queue(maxsize=256)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="lod-search-index", daemon=True)
        self.thread.start()

    def add(self, document: Published) -> None:
        if not self.incremental or document.change is not None:
            self._put((document.key, document.pieces["search"]))

    def delete(self, key: str) -> None:
        if self.incremental:
            self._put((key, None))

    def close(self) -> None:
        self._put(_DONE)
        self.thread.join()
        if self.error is not None:
            self.temporary.unlink(missing_ok=True)
            raise self.error
        self.temporary.replace(self.path)

    def discard(self) -> None:
        if self.thread.is_alive():
            self.error = self.error or RuntimeError("discarded")
            self._drain()
            self.queue.put(_DONE)
            self.thread.join()
        self.temporary.unlink(missing_ok=True)

    def _put(self, item) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put(item)

    def _drain(self) -> None:
        try:
            while True:
                self.queue.get_nowait()
        except queue.Empty:
            pass

    def _items(self) -> Iterator:
        while (item := self.queue.get()) is not _DONE:
            yield item

    def _run(self) -> None:
        try:
            connection = sqlite3.connect(self.temporary, isolation_level=None, check_same_thread=False)
            try:
                connection.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")
                if not self.incremental:
                    connection.executescript(_SCHEMA)
                connection.execute("PRAGMA cache_size = -65536")  # 64 MiB: the facets' B-tree stays in memory
                connection.execute("BEGIN")
                for key, piece in self._items():
                    if self.error is not None:
                        continue
                    freed = _remove(connection, key) if self.incremental else None
                    if piece is not None:
                        _insert(connection, pickle.loads(piece), freed)
                if self.error is None:
                    if not self.incremental:
                        connection.execute(_BY_VALUE)
                    connection.execute("COMMIT")
            finally:
                connection.close()
        except BaseException as error:  # noqa: BLE001 - handed to the pass in key order
            self.error = error
            self._drain()


def _remove(connection: sqlite3.Connection, key: str) -> int | None:
    """Take a document out of the index, if it is in it (FTS5 is told the folded text it indexed);
    its id, for the document's new version (ids stay dense)."""
    found = connection.execute(f"SELECT id, {', '.join(COLUMNS)} FROM documents WHERE key = ?", (key,)).fetchone()
    if found is None:
        return None
    connection.execute(f"INSERT INTO text (text, rowid, {', '.join(COLUMNS)}) "
                       f"VALUES ('delete', ?{', ?' * len(COLUMNS)})",
                       (found[0], *map(fold, found[1:])))
    connection.execute("DELETE FROM documents WHERE id = ?", (found[0],))
    connection.execute("DELETE FROM facets WHERE document = ?", (found[0],))
    return found[0]


def _insert(connection: sqlite3.Connection, row: dict, document: int | None = None) -> None:
    texts = [row[column] for column in COLUMNS]
    document = connection.execute(
        f"INSERT INTO documents (id, key, {', '.join(COLUMNS)}, date, year, linked, sort) "
        f"VALUES (?, ?{', ?' * (len(COLUMNS) + 4)})",
        (document, row["key"], *texts, row["date"], row["year"], int(row["linked"]),
         f"{row['date'] or UNDATED} {row['key']}"),
    ).lastrowid
    connection.execute(f"INSERT INTO text (rowid, {', '.join(COLUMNS)}) VALUES (?{', ?' * len(COLUMNS)})",
                       (document, *map(fold, texts)))
    connection.executemany("INSERT INTO facets (document, facet, value, label, qid) VALUES (?, ?, ?, ?, ?)",
                           [(document, facet, value, label, qid or None)
                            for facet, value, label, qid in row["facets"]])


PRODUCT = register(Product("search", index_row, _IndexWriter, label="search index", optional=True))
