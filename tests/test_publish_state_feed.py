"""Incremental export state, the change journal, the Activity Streams feed and the sitemap."""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from lod.iris import Iris
from lod.publish.feed import write_feed, write_sitemap
from lod.publish.state import (
    Change,
    DocumentState,
    JournalEntry,
    State,
    append_journal,
    load_state,
    plan_changes,
    read_journal,
    recover_state,
    save_state,
    utc_now,
)

IRIS = Iris("http://example.org/")
T1, T2, T3 = "2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z"
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def _run(folder: Path, digests: dict[str, str],
         now: str) -> tuple[State, list[Change], list[JournalEntry]]:
    """One export's bookkeeping, in the order the pipeline does it: journal, then state."""
    old, reason = load_state(folder / "state.json")
    assert reason is None
    state, changes = plan_changes(old, digests, now)
    entries = append_journal(folder / "journal.jsonl", changes, (old.seq if old else 0) + 1)
    save_state(folder / "state.json", state)
    return state, changes, entries


# -- state ------------------------------------------------------------------------------------


def test_plan_creates_updates_deletes_and_keeps_times():
    first, changes = plan_changes(None, {"b": "1", "a": "2"}, T1)
    assert changes == [Change("Create", "a", T1), Change("Create", "b", T1)]
    assert first.documents["a"] == DocumentState("2", T1, T1) and first.seq == 2
    second, changes = plan_changes(first, {"a": "2", "b": "changed", "c": "3"}, T2)
    assert changes == [Change("Update", "b", T2), Change("Create", "c", T2)]
    assert second.documents["a"] == first.documents["a"]
    assert second.documents["b"] == DocumentState("changed", T1, T2)
    third, changes = plan_changes(second, {"c": "3"}, T3)
    assert changes == [Change("Delete", "a", T3), Change("Delete", "b", T3)]
    assert set(third.documents) == {"c"} and third.seq == 6


def test_unchanged_run_changes_no_byte(tmp_path):
    _run(tmp_path, {"a": "1", "b": "2"}, T1)
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in tmp_path.iterdir()}
    state, changes, _ = _run(tmp_path, {"b": "2", "a": "1"}, T2)
    assert changes == []
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in tmp_path.iterdir()} == before
    assert not save_state(tmp_path / "state.json", state)


def test_state_round_trips(tmp_path):
    state, _ = plan_changes(None, {"a": "1", "ключ": "2"}, T1)
    assert save_state(tmp_path / "state.json", state)
    assert load_state(tmp_path / "state.json") == (state, None)
    assert load_state(tmp_path / "missing.json") == (None, None)


@pytest.mark.parametrize("damage", [
    lambda text: text.replace('"digest": "1"', '"digest": "9"'),  # edited content
    lambda text: text[: len(text) // 2],  # truncated
    lambda text: "",  # empty
    lambda text: "[]",
    lambda text: text.replace('"version": 1', '"version": 2'),
    lambda text: json.dumps({"version": 1}),
])
def test_corrupt_state_is_detected(tmp_path, damage):
    path = tmp_path / "state.json"
    state, _ = plan_changes(None, {"a": "1"}, T1)
    save_state(path, state)
    path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8")
    loaded, reason = load_state(path)
    assert loaded is None and reason


@pytest.mark.parametrize("payload", [
    {"version": 1, "seq": "1", "documents": {"a": {"digest": "1", "first_seen": T1, "modified": T1}}},
    {"version": 1, "seq": 1, "documents": {"a": {"digest": 1, "first_seen": T1, "modified": T1}}},
    {"version": 1, "seq": 1, "documents": {"a": {"digest": "1", "first_seen": T1}}},
    {"version": 1, "seq": 1, "documents": {}, "extra": True},
])
def test_ill_formed_state_with_a_valid_checksum_is_refused(tmp_path, payload):
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    path = tmp_path / "state.json"
    path.write_text(json.dumps({**payload, "checksum": hashlib.sha256(canonical.encode()).hexdigest()}),
                    encoding="utf-8")
    loaded, reason = load_state(path)
    assert loaded is None and reason


def test_corrupt_state_recovers_from_the_journal(tmp_path):
    _run(tmp_path, {"a": "1", "b": "2", "c": "3"}, T1)
    _run(tmp_path, {"a": "1", "b": "changed"}, T2)
    (tmp_path / "state.json").write_text("{garbage", encoding="utf-8")
    old, reason = load_state(tmp_path / "state.json")
    assert old is None and reason
    recovered = recover_state(read_journal(tmp_path / "journal.jsonl"))
    assert recovered.documents == {"a": DocumentState("", T1, T1), "b": DocumentState("", T1, T2)}
    assert recovered.seq == 5
    state, changes = plan_changes(recovered, {"a": "1", "b": "changed", "d": "4"}, T3)
    # digests are unknown: every live document is announced again, first-seen times survive
    assert changes == [Change("Update", "a", T3), Change("Update", "b", T3), Change("Create", "d", T3)]
    assert state.documents["a"] == DocumentState("1", T1, T3)
    entries = append_journal(tmp_path / "journal.jsonl", changes, recovered.seq + 1)
    assert [e.seq for e in entries] == list(range(1, 9))


def test_plan_refuses_a_badly_formatted_time():
    with pytest.raises(ValueError):
        plan_changes(None, {"a": "1"}, "2024-01-01 00:00:00")
    assert plan_changes(None, {}, utc_now())[1] == []


# -- journal ----------------------------------------------------------------------------------


def test_journal_appends_in_order(tmp_path):
    _run(tmp_path, {"a": "1", "b": "2"}, T1)
    _run(tmp_path, {"a": "x"}, T2)
    lines = (tmp_path / "journal.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [
        {"seq": 1, "time": T1, "type": "Create", "key": "a"},
        {"seq": 2, "time": T1, "type": "Create", "key": "b"},
        {"seq": 3, "time": T2, "type": "Update", "key": "a"},
        {"seq": 4, "time": T2, "type": "Delete", "key": "b"},
    ]
    assert read_journal(tmp_path / "journal.jsonl")[2] == JournalEntry(3, T2, "Update", "a")


def test_journal_of_an_interrupted_run_is_replaced_not_repeated(tmp_path):
    _run(tmp_path, {"a": "1"}, T1)
    old, _ = load_state(tmp_path / "state.json")
    _, changes = plan_changes(old, {"a": "2"}, T2)
    append_journal(tmp_path / "journal.jsonl", changes, old.seq + 1)  # killed before save_state
    _, changes, entries = _run(tmp_path, {"a": "2"}, T3)
    assert [(e.seq, e.type, e.time) for e in entries] == [(1, "Create", T1), (2, "Update", T3)]
    assert read_journal(tmp_path / "journal.jsonl") == entries


@pytest.mark.parametrize("line", [
    "not json",
    '{"seq": 1, "time": "2024-01-01T00:00:00Z", "type": "Move", "key": "a"}',
    '{"seq": 1, "time": "yesterday", "type": "Create", "key": "a"}',
    '{"seq": 1, "time": "2024-01-01T00:00:00Z", "type": "Create"}',
])
def test_damaged_journal_is_an_error(tmp_path, line):
    path = tmp_path / "journal.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(ValueError):
        read_journal(path)


def test_journal_with_a_torn_last_line_is_an_error(tmp_path):
    path = tmp_path / "journal.jsonl"
    append_journal(path, [Change("Create", "a", T1), Change("Create", "b", T1)], 1)
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(ValueError):
        read_journal(path)


def test_journal_keys_may_hold_any_character(tmp_path):
    path = tmp_path / "journal.jsonl"
    entries = append_journal(path, [Change("Create", "a\u2028b\nc", T1), Change("Create", "d", T1)], 1)
    assert read_journal(path) == entries and len(entries) == 2


def test_journal_out_of_order_is_an_error(tmp_path):
    path = tmp_path / "journal.jsonl"
    entry = {"seq": 2, "time": T1, "type": "Create", "key": "a"}
    path.write_text(json.dumps(entry) + "\n" + json.dumps({**entry, "seq": 1}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError):
        read_journal(path)


def test_no_changes_no_journal_file(tmp_path):
    assert append_journal(tmp_path / "journal.jsonl", [], 1) == []
    assert not (tmp_path / "journal.jsonl").exists()


# -- feed -------------------------------------------------------------------------------------


def _entries(count: int) -> list[JournalEntry]:
    kinds = ["Create", "Update", "Delete"]
    return [JournalEntry(n, f"2024-01-01T00:00:{n % 60:02d}Z", kinds[n % 3], f"doc-{n:03d}")
            for n in range(1, count + 1)]


def _load(root: Path, iri: str) -> dict:
    assert iri.startswith(IRIS.base)
    return json.loads((root / iri[len(IRIS.base):]).read_text(encoding="utf-8"))


def test_feed_pages_chain_and_count(tmp_path):
    entries = _entries(23)
    assert write_feed(tmp_path, entries, IRIS, page_size=10) == 4
    collection = json.loads((tmp_path / "changes" / "collection.json").read_text(encoding="utf-8"))
    assert list(collection)[0] == "@context"
    assert collection["@context"][-1] == "http://iiif.io/api/discovery/1/context.json"
    assert collection["type"] == "OrderedCollection" and collection["totalItems"] == 23
    assert collection["id"] == f"{IRIS.base}changes/collection.json"
    assert collection["first"] == {"id": f"{IRIS.base}changes/page-00001.json",
                                   "type": "OrderedCollectionPage"}
    assert collection["last"]["id"] == f"{IRIS.base}changes/page-00003.json"
    # walk forwards
    items, page, previous = [], _load(tmp_path, collection["first"]["id"]), None
    while True:
        assert page["type"] == "OrderedCollectionPage" and page["partOf"]["id"] == collection["id"]
        assert page["startIndex"] == len(items) and page["orderedItems"]
        assert page.get("prev", {}).get("id") == previous
        items += page["orderedItems"]
        if "next" not in page:
            break
        previous = page["id"]
        page = _load(tmp_path, page["next"]["id"])
    assert page["id"] == collection["last"]["id"]
    assert [(a["type"], a["object"]["id"], a["endTime"]) for a in items] == [
        (e.type, IRIS.document(e.key), e.time) for e in entries]
    # walk backwards, as a harvester does
    backwards, page = [], _load(tmp_path, collection["last"]["id"])
    while True:
        backwards = page["orderedItems"] + backwards
        if "prev" not in page:
            break
        page = _load(tmp_path, page["prev"]["id"])
    assert backwards == items


def test_deletes_are_tombstones(tmp_path):
    entries = [JournalEntry(1, T1, "Create", "a"), JournalEntry(2, T2, "Delete", "a")]
    write_feed(tmp_path, entries, IRIS)
    items = json.loads((tmp_path / "changes" / "page-00001.json").read_text())["orderedItems"]
    create, delete = items
    assert create["object"] == {"id": IRIS.document("a"), "type": "Text",
                                "seeAlso": [{"id": IRIS.description("a"), "type": "Dataset"}]}
    assert delete == {"type": "Delete", "object": {"id": IRIS.document("a"), "type": "Text"},
                      "endTime": T2}


def test_feed_is_stable_and_grows_at_the_end(tmp_path):
    entries = _entries(25)
    write_feed(tmp_path, entries[:15], IRIS, page_size=10)
    first_page = (tmp_path / "changes" / "page-00001.json").read_bytes()
    stamp = (tmp_path / "changes" / "page-00001.json").stat().st_mtime_ns
    assert write_feed(tmp_path, entries, IRIS, page_size=10) == 3  # collection, page 2, page 3
    assert (tmp_path / "changes" / "page-00001.json").read_bytes() == first_page
    assert (tmp_path / "changes" / "page-00001.json").stat().st_mtime_ns == stamp
    assert write_feed(tmp_path, entries, IRIS, page_size=10) == 0
    write_feed(tmp_path, entries[:5], IRIS, page_size=10)  # shorter journal: stale pages go
    assert sorted(p.name for p in (tmp_path / "changes").iterdir()) == ["collection.json",
                                                                      "page-00001.json"]
    write_feed(tmp_path, [], IRIS)
    assert list((tmp_path / "changes").iterdir()) == []


def test_feed_from_the_journal_end_to_end(tmp_path):
    _run(tmp_path, {"a": "1", "b": "2"}, T1)
    _run(tmp_path, {"a": "2"}, T2)
    entries = read_journal(tmp_path / "journal.jsonl")
    write_feed(tmp_path, entries, IRIS)
    page = json.loads((tmp_path / "changes" / "page-00001.json").read_text())
    assert [(a["type"], a["object"]["id"]) for a in page["orderedItems"]] == [
        ("Create", IRIS.document("a")), ("Create", IRIS.document("b")),
        ("Update", IRIS.document("a")), ("Delete", IRIS.document("b"))]


# -- sitemap ----------------------------------------------------------------------------------


def test_sitemap_lists_live_documents(tmp_path):
    state, _ = plan_changes(None, {"b": "1", "a": "2", "ä&<": "3"}, T1)
    state, _ = plan_changes(state, {"b": "1", "a": "changed", "ä&<": "3"}, T2)
    assert write_sitemap(tmp_path, state, IRIS) == 1
    tree = ET.parse(tmp_path / "sitemap.xml")
    assert tree.getroot().tag == f"{SITEMAP_NS}urlset"
    urls = [(u.find(f"{SITEMAP_NS}loc").text, u.find(f"{SITEMAP_NS}lastmod").text)
            for u in tree.getroot()]
    assert urls == [(IRIS.description("a"), T2), (IRIS.description("b"), T1),
                    (f"{IRIS.base}doc/document/%C3%A4&%3C", T1)]
    assert write_sitemap(tmp_path, state, IRIS) == 0


def test_sitemap_index_beyond_the_limit(tmp_path):
    state, _ = plan_changes(None, {f"doc-{n}": str(n) for n in range(5)}, T1)
    write_sitemap(tmp_path, state, IRIS, per_file=2)
    index = ET.parse(tmp_path / "sitemap.xml").getroot()
    assert index.tag == f"{SITEMAP_NS}sitemapindex"
    locations = [s.find(f"{SITEMAP_NS}loc").text for s in index]
    assert locations == [f"{IRIS.base}sitemap-0000{n}.xml" for n in (1, 2, 3)]
    counts = [len(ET.parse(tmp_path / f"sitemap-0000{n}.xml").getroot()) for n in (1, 2, 3)]
    assert counts == [2, 2, 1]
    write_sitemap(tmp_path, state, IRIS)  # back under the limit: the parts go
    assert sorted(p.name for p in tmp_path.glob("sitemap*.xml")) == ["sitemap.xml"]
    assert len(ET.parse(tmp_path / "sitemap.xml").getroot()) == 5


def test_empty_sitemap_is_well_formed(tmp_path):
    write_sitemap(tmp_path, State(), IRIS)
    assert len(ET.parse(tmp_path / "sitemap.xml").getroot()) == 0


@pytest.mark.parametrize("documents", range(8))
def test_sitemap_files_at_every_boundary(tmp_path, documents):
    """Streamed a file at a time: one file up to the limit, an index of full files beyond it."""
    state, _ = plan_changes(None, {f"doc-{n}": str(n) for n in range(documents)}, T1)
    write_sitemap(tmp_path, state, IRIS, per_file=3)
    root = ET.parse(tmp_path / "sitemap.xml").getroot()
    parts = sorted(tmp_path.glob("sitemap-*.xml"))
    if documents <= 3:
        assert root.tag == f"{SITEMAP_NS}urlset" and len(root) == documents and not parts
    else:
        assert root.tag == f"{SITEMAP_NS}sitemapindex" and len(root) == len(parts) == -(-documents // 3)
        counts = [len(ET.parse(part).getroot()) for part in parts]
        assert counts == [3] * (documents // 3) + ([documents % 3] if documents % 3 else [])
