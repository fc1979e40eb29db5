"""The search index an export writes (``search.sqlite``, lod.publish.search) and the search
engine ``lod serve`` runs over it (lod.serve.search), without a server.

The collection is ``tests/site_records.py``'s: invented documents naming real people and
places, with facets the tests can count on.
"""

from __future__ import annotations

import json
import pickle
import shutil
import sqlite3
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import site_records
from conftest import search_rows as rows
from lod import pipeline
from lod.link import offline_linker
from lod.config import Config, ExportOptions
from lod.publish.layout import DOCUMENTS, SEARCH, document_file, document_files
from lod.publish.products import Context, Published
from lod.publish.search import VERSION, _IndexWriter, index_version
from lod.serve.search import (
    FACETS, PAGE_SIZE, BadQuery, Catalog, Query, match_expression,
)

NOW = "2026-01-01T00:00:00Z"
SCHEMA = "http://schema.org/"
MOSCOW_AND_JAPAN = (("place", "moscow"), ("subject", "japan-foreign-relations-soviet-union"))


def export(inputs: list[Path], out: Path):
    return pipeline.export([str(p) for p in inputs], out, Config(), offline_linker(), ExportOptions(now=NOW))


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("site-index")
    export([site_records.write(folder / "in")], folder / "out")
    return folder / "out"


@pytest.fixture(scope="module")
def catalog(site) -> Catalog:
    found = Catalog((site / SEARCH).resolve())
    yield found
    found.close()


# -- what the export writes ----------------------------------------------------------------------

def test_one_row_per_document_with_what_its_description_says(site):
    index = rows(site / SEARCH)
    keys = sorted(p.name[:-4] for p in document_files(site / DOCUMENTS, ".ttl"))
    assert sorted(index["documents"]) == keys and len(keys) == site_records.COUNT
    base = json.loads((site / "manifest.json").read_text())["base"]
    facets = Counter((key, facet, value) for key, facet, value, _, _ in index["facets"])
    assert set(facets.values()) == {1}
    kinds = {f"{SCHEMA}Person": "person", f"{SCHEMA}Place": "place", f"{SCHEMA}Organization": "organization",
             "http://www.w3.org/2004/02/skos/core#Concept": "subject"}
    for key in keys:
        quads = list(ox.parse(path=site / DOCUMENTS / document_file(key, ".ttl"), format=ox.RdfFormat.TURTLE))
        document = f"{base}id/document/{key}"
        types = {(q.subject.value, kinds[q.object.value]) for q in quads
                 if q.predicate.value.endswith("#type") and q.object.value in kinds}
        named = {q.object.value for q in quads if q.subject.value == document}
        expected = {(key, kind, iri.rsplit("/", 1)[1]) for iri, kind in types
                    if iri in named and "#" not in iri}
        expected |= {(key, "language", q.object.value) for q in quads
                     if q.subject.value == document and q.predicate.value == f"{SCHEMA}inLanguage"}
        assert {f for f in facets if f[0] == key} == expected, key
        dates = [q.object.value for q in quads if q.subject.value == document
                 and q.predicate.value == f"{SCHEMA}dateCreated"]
        title, _, _, body, date, year, _, _ = index["documents"][key]
        assert [date] == (dates or [None]) and year == (int(dates[0][:4]) if dates else None)
        assert title == next(q.object.value for q in quads if q.subject.value == document
                             and q.predicate.value == f"{SCHEMA}name")
        assert body == next(q.object.value for q in quads if q.subject.value == document
                            and q.predicate.value == f"{SCHEMA}text")
    labels = {(facet, value): (label, qid) for _, facet, value, label, qid in index["facets"]}
    assert labels["person", "eisaku-sato"] == ("Eisaku Satō", "Q179871")
    assert labels["person", "andrei-gromyko"] == ("Andrei Gromyko", None)  # in the table, no verified QID
    assert labels["language", "ja"] == ("Japanese", None)
    linked = {key for key, row in index["documents"].items() if row[6]}
    assert len(linked) == site_records.COUNT - 8


def test_an_incremental_index_holds_the_rows_of_one_made_from_scratch(tmp_path):
    records = site_records.records()
    inputs = tmp_path / "in" / "site.jsonl"
    inputs.parent.mkdir()

    def write(chosen):
        inputs.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in chosen), encoding="utf-8")

    def ids(folder: Path) -> dict[str, int]:
        with sqlite3.connect((folder / SEARCH).resolve()) as db:
            return dict(db.execute("SELECT key, id FROM documents"))

    write(records[:40])
    export([inputs], tmp_path / "out")
    first = ids(tmp_path / "out")
    edited = dict(records[3], title="Record of Conversation about the Harvest, edited",
                  associated_places=["Tokyo"], original_publication_date="1990")
    write([*records[:3], edited, records[4], *records[6:45]])  # one edited, one gone, five new
    report = export([inputs], tmp_path / "out")
    assert report.changes == {"Create": 5, "Update": 1, "Delete": 1}
    second = ids(tmp_path / "out")  # the previous index went on: its documents keep their ids, new ones follow
    assert {key: second[key] for key in first if key in second} == {k: v for k, v in first.items() if k in second}
    assert min(second[key] for key in second.keys() - first.keys()) > max(first.values())
    export([inputs], tmp_path / "fresh")
    incremental, fresh = rows(tmp_path / "out" / SEARCH), rows(tmp_path / "fresh" / SEARCH)
    assert incremental == fresh
    assert incremental["documents"][records[3]["record_id"]][0] == edited["title"]
    assert records[5]["record_id"] not in incremental["documents"]


def test_an_export_without_a_readable_index_gets_one_even_when_nothing_changed(tmp_path):
    inputs = site_records.write(tmp_path / "in", count=10)
    export([inputs], tmp_path / "out")
    current = (tmp_path / "out" / SEARCH).resolve()
    current.unlink()  # as an older lod left it
    report = export([inputs], tmp_path / "out")
    assert not any(report.changes.values())
    assert index_version(tmp_path / "out" / SEARCH) == VERSION
    again = (tmp_path / "out" / SEARCH).resolve()
    with sqlite3.connect(again) as db:
        db.execute(f"PRAGMA user_version = {VERSION + 1}")  # as a later lod would write it
    export([inputs], tmp_path / "out")
    assert index_version(tmp_path / "out" / SEARCH) == VERSION
    keys = {r["record_id"] for r in site_records.records()[:10]}
    assert rows(tmp_path / "out" / SEARCH)["documents"].keys() == keys


# -- the search engine --------------------------------------------------------------------------

def brute_force(site: Path, query: Query) -> tuple[set[str], Counter, Counter]:
    """The documents of a query, their facet values and years, counted the plain way in SQL."""
    with sqlite3.connect(f"{(site / SEARCH).resolve().as_uri()}?mode=ro", uri=True) as db:
        documents = {key: (year, linked)
                     for key, year, linked in db.execute("SELECT key, year, linked FROM documents")}
        facets = list(db.execute("SELECT d.key, f.facet, f.value FROM facets f "
                                 "JOIN documents d ON d.id = f.document"))
        keys = set(documents)
        expression = match_expression(query.text)
        if query.text:
            keys &= {row[0] for row in db.execute(
                "SELECT key FROM documents WHERE id IN (SELECT rowid FROM text WHERE text MATCH ?)",
                (expression,))} if expression else set()
    for wanted in query.filters:
        keys &= {key for key, *value in facets if tuple(value) == wanted}
    if query.year is not None:
        keys = {k for k in keys if documents[k][0] == query.year}
    if query.decade is not None:
        keys = {k for k in keys if documents[k][0] is not None and documents[k][0] // 10 * 10 == query.decade}
    if query.links:
        keys = {k for k in keys if bool(documents[k][1]) == (query.links == "linked")}
    counts = Counter((facet, value) for key, facet, value in facets if key in keys)
    years = Counter(documents[k][0] for k in keys if documents[k][0] is not None)
    return keys, counts, years


QUERIES = [Query(), Query(text="Sato"), Query(text="fishing grounds"), Query(text='"fishing grounds" harvest'),
           Query(filters=MOSCOW_AND_JAPAN), Query(text="Satō", filters=(("language", "ja"),)),
           Query(decade=1960), Query(year=1966), Query(links="unlinked"), Query(text="zarubin*"),
           Query(text="Gromyko", links="linked", filters=(("place", "moscow"),)),
           Query(text="nowhere-to-be-found")]


@pytest.mark.parametrize("query", QUERIES, ids=[repr(q.params()) for q in QUERIES])
def test_counts_years_and_pages_are_exact(site, catalog, query):
    keys, counts, years = brute_force(site, query)
    results = catalog.search(query)
    assert results.total == len(keys)
    assert dict(results.years) == dict(years) and results.undated == len(keys) - sum(years.values())
    for facet in FACETS:
        shown = catalog.search(query, facet_limit=1000).facets[facet]
        expected = sorted(((value, n) for (f, value), n in counts.items()
                           if f == facet and (f, value) not in query.filters), key=lambda item: -item[1])
        assert sorted((c.value, c.count) for c in shown) == sorted(expected)
        assert [c.count for c in shown] == sorted((c.count for c in shown), reverse=True)
        top = results.facets[facet]
        assert [(c.value, c.count) for c in top] == [(c.value, c.count) for c in shown[:len(top)]]
    seen = []
    for number in range(1, results.pages + 1):
        seen += [hit.key for hit in catalog.search(query.but(page=number)).hits]
    assert sorted(seen) == sorted(keys) and len(seen) == len(set(seen))


def test_a_name_is_found_with_and_without_its_diacritics(site, catalog):
    found = {text: {hit.key for n in range(1, 4) for hit in catalog.search(Query(text=text, page=n)).hits}
             for text in ("Satō", "Sato", "sato", "SATŌ", "satō")}
    assert len({frozenset(keys) for keys in found.values()}) == 1
    keys = found["Sato"]
    assert len(keys) == 56
    by_key = {r["record_id"]: r for r in site_records.records()}
    printed = {key: json.dumps(by_key[key], ensure_ascii=False) for key in keys}
    assert any("Satō" not in text for text in printed.values())  # printed only without the macron
    assert any("Sato" not in text.replace("Satō", "") for text in printed.values())  # only with it
    hit = catalog.search(Query(text="sato", filters=(("person", "eisaku-sato"),))).hits[0]
    assert "\ue000Satō\ue001" in hit.title_marked + hit.snippet or "\ue000Sato\ue001" in hit.snippet


def test_words_in_titles_summaries_and_descriptions_rank_first(site, catalog):
    query = Query(text="Satō")
    ranked = [hit for n in range(1, 4) for hit in catalog.search(query.but(page=n)).hits]
    by_key = {r["record_id"]: r for r in site_records.records()}
    in_head = ["Satō" in by_key[h.key]["title"] + by_key[h.key]["summary"] for h in ranked]
    assert in_head.index(False) == sum(in_head) > PAGE_SIZE  # every head match first; more than a page of them


def small_index(folder: Path, texts: dict[str, dict]) -> Catalog:
    """An index of a few documents written by the export's own writer."""
    writer = _IndexWriter(folder, Context(None, "http://example.org/"))
    for key, fields in texts.items():
        row = {"key": key, "title": "", "summary": "", "description": "", "body": "", "date": "1950",
               "year": 1950, "linked": False, "facets": [], **fields}
        writer.add(Published(key, "", b"", 0, {"search": pickle.dumps(row)}, "Create"))
    writer.close()
    return Catalog(folder / SEARCH)


def test_relevance_puts_a_title_before_a_text_that_repeats_the_word(tmp_path):
    found = small_index(tmp_path, {
        "a": {"title": "Minutes of a meeting", "body": "treaty " * 50},
        "b": {"title": "The treaty of friendship", "body": "Nothing else."},
        "c": {"title": "A telegram", "body": "No match here."},
    })
    try:
        assert [hit.key for hit in found.search(Query(text="treaty")).hits] == ["b", "a"]
        assert [hit.key for hit in found.search(Query(text="treaty", sort="oldest")).hits] == ["a", "b"]
    finally:
        found.close()


def test_letters_without_a_decomposition_are_found_without_their_stroke(tmp_path):
    found = small_index(tmp_path, {
        "pl": {"title": "Letter from Lech Wałęsa", "body": "ŁÓDŹ, the strike committee of Gdańsk."},
        "de": {"title": "Telegram", "body": "Franz Josef Strauß met the delegation in Ærøskøbing."},
    })
    try:
        for typed, key in (("Walesa", "pl"), ("wałęsa", "pl"), ("LODZ", "pl"), ("lodz gdansk", "pl"),
                           ('"lech walesa"', "pl"), ("Strauss", "de"), ("STRAUß", "de"), ("aeroskobing", "de"),
                           ("Ærøskøbing", "de")):
            assert [hit.key for hit in found.search(Query(text=typed)).hits] == [key], typed
        (hit,) = found.search(Query(text="walesa")).hits
        assert hit.title_marked == "Letter from Lech \ue000Wałęsa\ue001"  # the printed word marked
        (hit,) = found.search(Query(text="strauss delegation")).hits
        assert "Josef \ue000Strauß\ue001 met the \ue000delegation\ue001" in hit.snippet
    finally:
        found.close()


# -- words are data ------------------------------------------------------------------------------

@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=80) | st.lists(st.sampled_from(
    ['"', "*", "(", ")", "AND", "OR", "NOT", "NEAR", "^", ":", "{", "}", "title", "-", "+", "'", "Satō", "sato",
     "the", ";", "--", "\\", "\x00", "\ue000", "DROP TABLE documents"]), max_size=8).map(" ".join))
def test_any_text_is_a_search_never_an_error(catalog, text):
    expression = match_expression(text)
    results = catalog.search(Query(text=" ".join(text.split())[:500]))
    assert results.total >= 0
    if expression is not None:
        assert expression.startswith('"') and expression.count('"') % 2 == 0


def test_a_query_of_operators_matches_them_as_words():
    assert match_expression('Sato OR "fishing grounds" NOT (x*') == '"Sato" "fishing grounds" "NOT" "(x" *'
    assert match_expression("the") == '"the"'  # only common words: kept
    assert match_expression("the Moscow treaty") == '"Moscow" "treaty"'
    assert match_expression('"of the"') == '"of the"'  # a phrase keeps them
    assert match_expression('say "hi') == '"say" "hi"'
    assert match_expression('b"c') == '"b""c"'  # a quote inside a word is doubled
    assert match_expression("... --- ***") is None
    assert match_expression("Sato", ("title",)) == '{title} : ("Sato")'


# -- the URL of a result list ----------------------------------------------------------------------

values = st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True)
queries = st.builds(
    Query,
    text=st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=40).map(lambda t: " ".join(t.split())),
    filters=st.lists(st.tuples(st.sampled_from(FACETS[:4]), values), max_size=4).map(
        lambda found: tuple(sorted(set(found)))),
    year=st.none() | st.integers(1000, 2100), decade=st.none() | st.integers(100, 210).map(lambda d: d * 10),
    links=st.none() | st.sampled_from(["linked", "unlinked"]),
    sort=st.sampled_from(["", "relevance", "oldest", "newest"]),
    page=st.integers(1, 5000))


@given(queries)
def test_a_result_list_is_one_url_and_back(query):
    params: dict[str, list[str]] = {}
    for name, value in query.params():
        params.setdefault(name, []).append(value)
    assert Query.from_params(params) == query


@pytest.mark.parametrize("params", [{"year": ["19x6"]}, {"decade": ["1955"]}, {"links": ["maybe"]},
                                    {"sort": ["random"]}, {"page": ["0"]}, {"page": ["99999999"]},
                                    {"person": ["Bad Value"]}, {"language": ["x"]}, {"q": ["a", "b"]},
                                    {"place": ["../etc"]}])
def test_parameters_lod_does_not_make_are_refused(params):
    with pytest.raises(BadQuery):
        Query.from_params(params)
