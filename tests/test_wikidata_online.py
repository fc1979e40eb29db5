"""Tests for the online Wikidata client and reconciler, against a local fake API."""

from __future__ import annotations

import csv
import json
import random
import socket
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from lod.config import Config, ExportOptions
from lod.link.reconcile import LINK_THRESHOLD, reconcile
from lod.link.wikidata import (
    DEFAULT_USER_AGENT,
    Entity,
    WikidataClient,
    WikidataUnavailable,
)
from tests.wikidata_fake import WRONG_SHAPES, FakeWikidata

UA = "lod-tests/0.0 (https://github.com/lod-project/lod; lod@example.org) python-requests"

MakeClient = Callable[..., WikidataClient]


@pytest.fixture
def fake() -> Iterator[FakeWikidata]:
    with FakeWikidata() as server:
        yield server


@pytest.fixture
def sleeps() -> list[float]:
    """What the client asked to sleep; the injected sleep returns at once."""
    return []


@pytest.fixture
def make_client(fake: FakeWikidata, sleeps: list[float]) -> Iterator[MakeClient]:
    clients: list[WikidataClient] = []

    def make(**options: object) -> WikidataClient:
        settings: dict[str, object] = {
            "endpoint": fake.url,
            "user_agent": UA,
            "timeout": 2.0,
            "sleep": sleeps.append,
        }
        settings.update(options)
        client = WikidataClient(**settings)  # type: ignore[arg-type]
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


# --- client: answers -------------------------------------------------------


def test_search_and_get_entities(make_client: MakeClient) -> None:
    client = make_client()
    hits = client.search("Kim Il Sung")
    assert [h["id"] for h in hits] == ["Q41117", "Q900000003", "Q900000005"]
    assert hits[0]["label"] == "Kim Il Sung"

    entities = client.get_entities(["Q41117", "Q15180"], languages=("en", "ru"))
    kim, ussr = entities["Q41117"], entities["Q15180"]
    assert kim.labels == {"en": "Kim Il Sung", "ru": "Ким Ир Сен"}  # ko filtered out
    assert kim.aliases["en"] == ("Kim Il-sung",)
    assert kim.instance_of == ("Q5",)
    assert (kim.birth_year, kim.death_year) == (1912, 1994)
    assert (ussr.inception_year, ussr.dissolved_year) == (1922, 1991)
    assert ussr.instance_of == ("Q3024240",)
    assert not kim.missing and kim.redirected_from is None


def test_get_entities_batches_at_most_50_ids(fake: FakeWikidata, make_client: MakeClient) -> None:
    ids = [f"Q{900001000 + n}" for n in range(120)]
    random.Random(1).shuffle(ids)
    entities = make_client().get_entities(ids)

    batches = [r.params["ids"].split("|") for r in fake.requests_for("wbgetentities")]
    assert [len(b) for b in batches] == [50, 50, 20]
    assert sorted(sum(batches, [])) == sorted(ids)
    assert set(entities) == set(ids)


def test_redirect_is_followed_and_reported(make_client: MakeClient) -> None:
    entity = make_client().get_entities(["Q900000099"])["Q900000099"]
    assert entity.qid == "Q41117"
    assert entity.redirected_from == "Q900000099"
    assert entity.labels["en"] == "Kim Il Sung"
    assert entity.birth_year == 1912


def test_missing_item_is_noted(make_client: MakeClient) -> None:
    entities = make_client().get_entities(["Q900000098", "Q423"])
    assert entities["Q900000098"].missing
    assert entities["Q900000098"].labels == {}
    assert not entities["Q423"].missing


# --- client: etiquette and robustness -------------------------------------


def test_user_agent_and_maxlag_sent_on_every_request(
    fake: FakeWikidata, make_client: MakeClient
) -> None:
    fake.fail_next("429", retry_after=1)
    client = make_client()
    client.search("Korea")
    client.get_entities(["Q423"])
    assert len(fake.requests) == 3
    for request in fake.requests:
        assert request.headers["User-Agent"] == UA
        assert request.params["maxlag"] == "5"
        assert request.params["format"] == "json"


def test_default_user_agent_names_tool_contact_and_library() -> None:
    assert DEFAULT_USER_AGENT.startswith("lod/")
    assert "(https://github.com/lod-project/lod; lod@example.org)" in DEFAULT_USER_AGENT
    assert "python-requests/" in DEFAULT_USER_AGENT


def test_429_then_success_honours_retry_after(
    fake: FakeWikidata, make_client: MakeClient, sleeps: list[float]
) -> None:
    fake.fail_next("429", retry_after=7)
    hits = make_client().search("Kim Il Sung")
    assert hits[0]["id"] == "Q41117"
    assert sleeps == [7.0]
    assert len(fake.requests) == 2


def test_503_without_retry_after_backs_off_exponentially(
    fake: FakeWikidata, make_client: MakeClient, sleeps: list[float]
) -> None:
    fake.fail_next("503", times=2)
    assert make_client().get_entities(["Q423"])["Q423"].labels["en"] == "North Korea"
    assert sleeps == [1.0, 2.0]


@pytest.mark.parametrize(("retry_after", "expected_sleep"), [(8, 8.0), (1, 5.0)])
def test_maxlag_error_then_success(
    fake: FakeWikidata,
    make_client: MakeClient,
    sleeps: list[float],
    retry_after: int,
    expected_sleep: float,
) -> None:
    """Manual:Maxlag asks for at least 5 s, whatever Retry-After says."""
    fake.fail_next("maxlag", retry_after=retry_after)
    hits = make_client().search("DPRK")
    assert [h["id"] for h in hits] == ["Q423"]
    assert sleeps == [expected_sleep]


def test_retry_after_longer_than_max_wait_gives_up_at_once(
    fake: FakeWikidata, make_client: MakeClient, sleeps: list[float]
) -> None:
    fake.fail_next("429", retry_after=3600)
    with pytest.raises(WikidataUnavailable, match="3600"):
        make_client(max_wait=60.0).search("Korea")
    assert sleeps == []
    assert len(fake.requests) == 1


def test_timeouts_are_retried_then_reported(
    fake: FakeWikidata, make_client: MakeClient, sleeps: list[float]
) -> None:
    fake.fail_always("slow")
    with pytest.raises(WikidataUnavailable, match="timeout") as info:
        make_client(timeout=0.2, max_retries=2).search("Korea")
    assert len(fake.requests) == 3
    assert sleeps == [1.0, 2.0]
    assert "\n" not in str(info.value)


def test_connection_refused_is_unavailable(sleeps: list[float]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with WikidataClient(
        endpoint=f"http://127.0.0.1:{port}/w/api.php", max_retries=1, sleep=sleeps.append
    ) as client:
        with pytest.raises(WikidataUnavailable, match="connection error"):
            client.search("Korea")
    assert sleeps == [1.0]


def test_garbage_json_is_retried_then_unavailable(
    fake: FakeWikidata, make_client: MakeClient
) -> None:
    fake.fail_always("garbage")
    with pytest.raises(WikidataUnavailable, match="invalid JSON"):
        make_client(max_retries=2).get_entities(["Q423"])
    assert len(fake.requests) == 3


def test_garbage_json_once_is_recovered(fake: FakeWikidata, make_client: MakeClient) -> None:
    fake.fail_next("garbage")
    assert make_client().get_entities(["Q423"])["Q423"].qid == "Q423"
    assert len(fake.requests) == 2


# --- client: cache ---------------------------------------------------------


def test_cache_answers_repeats_and_survives_a_new_client(
    fake: FakeWikidata, make_client: MakeClient, tmp_path: Path
) -> None:
    cache = tmp_path / "cache" / "wikidata.sqlite"
    first = make_client(cache_path=cache)
    hits = first.search("Kim Il Sung")
    entities = first.get_entities(["Q41117", "Q15180"])
    assert len(fake.requests) == 2

    assert first.search("Kim Il Sung") == hits
    assert first.get_entities(["Q15180", "Q41117"]) == entities  # order does not matter
    assert len(fake.requests) == 2

    second = make_client(cache_path=cache)
    assert second.search("Kim Il Sung") == hits
    assert second.get_entities(["Q41117", "Q15180"]) == entities
    assert len(fake.requests) == 2

    second.search("Kim Il Sung", language="ru")  # different parameters, new request
    assert len(fake.requests) == 3


def test_failures_are_not_cached(
    fake: FakeWikidata, make_client: MakeClient, tmp_path: Path
) -> None:
    cache = tmp_path / "wikidata.sqlite"
    fake.fail_next("503", times=2)
    with pytest.raises(WikidataUnavailable):
        make_client(cache_path=cache, max_retries=1).search("Korea")
    assert [h["id"] for h in make_client(cache_path=cache).search("Korea")] == [
        "Q18097",
        "Q900000002",
    ]
    assert len(fake.requests) == 3


# --- reconcile -------------------------------------------------------------


def test_person_name_links_to_the_human(make_client: MakeClient) -> None:
    result = reconcile("Kim Il Sung", "person", make_client(), year=1956)
    assert result.status == "linked"
    assert result.qid == "Q41117"
    assert result.score == pytest.approx(1.0)
    # the namesake born in 1990 and the square are rejected, not merely outscored
    assert [c.qid for c in result.candidates] == ["Q41117"]
    assert result.candidates[0].matched == "Kim Il Sung"


def test_person_without_year_ties_with_namesake_and_goes_to_review(
    make_client: MakeClient,
) -> None:
    result = reconcile("Kim Il Sung", "person", make_client())
    assert result.status == "review"
    assert result.qid is None
    assert [(c.qid, c.score) for c in result.candidates] == [
        ("Q41117", pytest.approx(0.9)),
        ("Q900000003", pytest.approx(0.9)),
    ]


def test_same_name_as_place_does_not_link(make_client: MakeClient) -> None:
    result = reconcile("Kim Il Sung", "place", make_client(), year=1956)
    assert result.status == "review"
    assert result.qid is None
    assert all(c.score < LINK_THRESHOLD for c in result.candidates)


def test_near_miss_korea_goes_to_review(make_client: MakeClient) -> None:
    """A document's "Korea" (meaning the DPRK) must not auto-link to an item labelled Korea."""
    result = reconcile("Korea", "place", make_client(), year=1956)
    assert result.status == "review"
    assert result.qid is None
    assert [c.qid for c in result.candidates] == ["Q18097", "Q900000002"]  # tie: numeric QID
    assert "within" in result.reason


def test_place_alias_links_and_respects_inception(make_client: MakeClient) -> None:
    client = make_client()
    linked = reconcile("DPRK", "place", client, year=1956)
    assert (linked.status, linked.qid) == ("linked", "Q423")
    assert linked.candidates[0].label == "North Korea"
    before = reconcile("DPRK", "place", client, year=1947)
    assert (before.status, before.candidates) == ("unknown", ())


def test_place_dissolved_before_the_document_is_rejected(make_client: MakeClient) -> None:
    client = make_client()
    assert reconcile("USSR", "place", client, year=1956).qid == "Q15180"
    assert reconcile("USSR", "place", client, year=1995).status == "unknown"


def test_organization_links_with_the_weaker_type_rule(make_client: MakeClient) -> None:
    client = make_client()
    result = reconcile("CPSU Central Committee", "organization", client, year=1956)
    assert (result.status, result.qid) == ("linked", "Q1971373")
    assert result.score == pytest.approx(0.9)
    assert reconcile("CPSU Central Committee", "person", client).status == "unknown"


def test_person_born_after_document_year_is_rejected(make_client: MakeClient) -> None:
    client = make_client()
    rejected = reconcile("Ivan Fakeov", "person", client, year=1956)
    assert rejected.status == "unknown"
    assert rejected.candidates == ()
    assert reconcile("Ivan Fakeov", "person", client, year=1990).qid == "Q900000004"


def test_searches_every_language_and_fetches_once(
    fake: FakeWikidata, make_client: MakeClient
) -> None:
    client = make_client()
    result = reconcile("Ким Ир Сен", "person", client, languages=("en", "ru"), year=1956)
    assert (result.status, result.qid) == ("linked", "Q41117")
    assert result.candidates[0].label == "Kim Il Sung"
    assert [r.params["language"] for r in fake.requests_for("wbsearchentities")] == ["en", "ru"]
    fetches = fake.requests_for("wbgetentities")
    assert [r.params["languages"] for r in fetches] == ["en|ru"]


class StubClient:
    """Offline EntitySource: every search finds the same items, so only scoring is tested."""

    def __init__(self, *entities: Entity) -> None:
        self.entities = {e.qid: e for e in entities}

    def search(self, name: str, language: str = "en", limit: int = 10) -> list[dict[str, Any]]:
        return [{"id": qid} for qid in self.entities]

    def get_entities(
        self, qids: Iterable[str], languages: Iterable[str] = ("en",)
    ) -> dict[str, Entity]:
        return {qid: self.entities[qid] for qid in qids}


FAKEOV = Entity(
    qid="Q900000004", labels={"en": "Ivan Fakeov"}, instance_of=("Q5",), birth_year=1970
)


@pytest.mark.parametrize(
    ("name", "status", "score"),
    [
        ("IVAN FÁKEOV", "linked", 1.0),  # case and diacritics ignored
        ("Ivan  Fakeov.", "linked", 1.0),  # punctuation and spacing ignored
        ("Fakeov, Ivan", "review", 0.8),  # same words, other order: weaker evidence
        ("Ivan Fakeov Jr", "review", 0.4),  # only type and date agree
    ],
)
def test_name_evidence(name: str, status: str, score: float) -> None:
    result = reconcile(name, "person", StubClient(FAKEOV), year=1990)
    assert result.status == status
    assert result.score == pytest.approx(score)


def test_ties_are_ordered_by_numeric_qid() -> None:
    twins = [
        Entity(qid=qid, labels={"en": "Ivan Fakeov"}, instance_of=("Q5",))
        for qid in ("Q9000000010", "Q900000009")
    ]
    result = reconcile("Ivan Fakeov", "person", StubClient(*twins))
    assert result.status == "review"
    assert [c.qid for c in result.candidates] == ["Q900000009", "Q9000000010"]  # not string order


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="kind"):
        reconcile("Ivan Fakeov", "ship", StubClient(FAKEOV))


def test_unknown_name(make_client: MakeClient) -> None:
    result = reconcile("Nobody Anywhere", "person", make_client())
    assert (result.status, result.qid, result.candidates) == ("unknown", None, ())


def test_service_down_is_unchecked(fake: FakeWikidata, make_client: MakeClient) -> None:
    fake.fail_always("503")
    result = reconcile("Kim Il Sung", "person", make_client(max_retries=1), year=1956)
    assert result.status == "unchecked"
    assert result.qid is None
    assert "HTTP 503" in result.reason


# --- the online path degrades, never aborts ------------------------------------------------


HOSTILE = ("wrong-shape", "drop", "broken-chunked", "bad-gzip", "garbage")


@pytest.mark.parametrize("fault", HOSTILE + ("redirect-loop",))
@pytest.mark.parametrize("call", ["search", "get_entities"])
def test_every_broken_answer_is_unavailable_and_never_cached(
    fake: FakeWikidata, make_client: MakeClient, tmp_path: Path, fault: str, call: str
) -> None:
    cache = tmp_path / "wikidata.sqlite"
    fake.fail_always(fault)
    client = make_client(cache_path=cache, max_retries=len(WRONG_SHAPES["wbsearchentities"]))
    ask = (lambda c: c.search("Kim Il Sung")) if call == "search" else (lambda c: c.get_entities(["Q41117"]))
    with pytest.raises(WikidataUnavailable) as info:
        ask(client)
    assert "\n" not in str(info.value)
    assert sqlite3.connect(cache).execute("SELECT count(*) FROM responses").fetchone() == (0,)
    fake.fail_always(None)
    assert ask(make_client(cache_path=cache))  # the next run asks again, and gets an answer


@pytest.mark.parametrize("fault", HOSTILE)
def test_a_broken_answer_once_is_retried(fake: FakeWikidata, make_client: MakeClient, fault: str) -> None:
    fake.fail_next(fault)
    assert make_client().get_entities(["Q423"])["Q423"].labels["en"] == "North Korea"


def test_an_answer_that_drips_in_is_cut_at_the_timeout(fake: FakeWikidata, make_client: MakeClient) -> None:
    """Each byte comes well within a read timeout; the whole answer never would."""
    fake.fail_always("drip")
    with pytest.raises(WikidataUnavailable, match="timeout after 0.5 s"):
        make_client(timeout=0.5, max_retries=1).search("Kim Il Sung")
    assert len(fake.requests) == 2 and 0 < max(fake.dripped) < len(json.dumps(fake._answer(
        fake.requests[0].params)))  # given up before the answer was through


def test_the_deadline_bounds_every_request_and_retry_together(
    fake: FakeWikidata, make_client: MakeClient
) -> None:
    fake.fail_always("drip")
    client = make_client(timeout=0.4, max_retries=100, deadline=1.0, sleep=time.sleep)
    with pytest.raises(WikidataUnavailable, match="no time left to retry within the deadline of 1 s"):
        client.search("Kim Il Sung")  # a retry would wait 1 s: past the deadline
    assert len(fake.requests) == 1
    time.sleep(1.0)
    with pytest.raises(WikidataUnavailable, match="deadline of 1 s for Wikidata is spent"):
        client.search("Korea")
    assert len(fake.requests) == 1


def test_a_malformed_answer_in_the_cache_is_deleted_and_asked_again(
    fake: FakeWikidata, make_client: MakeClient, tmp_path: Path
) -> None:
    """An older lod cached what it was given; this one checks what it reads."""
    cache = tmp_path / "wikidata.sqlite"
    client = make_client(cache_path=cache)
    client.search("Kim Il Sung")
    client.close()
    with sqlite3.connect(cache) as db:
        db.execute("UPDATE responses SET body = ?", (json.dumps(WRONG_SHAPES["wbsearchentities"][0]),))
    client = make_client(cache_path=cache)
    assert [h["id"] for h in client.search("Kim Il Sung")][0] == "Q41117"
    assert len(fake.requests) == 2 and "malformed answer" in client.notes[0]


def test_a_cache_file_that_is_no_database_is_set_aside(fake: FakeWikidata, make_client: MakeClient,
                                                      tmp_path: Path) -> None:
    cache = tmp_path / "wikidata.sqlite"
    cache.write_bytes(b"this is not sqlite" * 100)
    client = make_client(cache_path=cache)
    assert client.search("Kim Il Sung")[0]["id"] == "Q41117"
    assert (tmp_path / "wikidata.sqlite.corrupt").read_bytes().startswith(b"this is not sqlite")
    assert "was damaged" in client.notes[0]
    assert sqlite3.connect(cache).execute("SELECT count(*) FROM responses").fetchone() == (1,)


@pytest.mark.parametrize("fault", HOSTILE + ("drip", "503"))
def test_an_online_export_with_a_broken_wikidata_leaves_names_unchecked(
    fake: FakeWikidata, tmp_path: Path, fault: str
) -> None:
    from lod import pipeline
    from lod.link import OnlineFallback
    from lod.link.authority import load_index
    from lod.link.resolve import Linker
    from lod.map import Settings

    records = tmp_path / "records.jsonl"
    records.write_text(json.dumps({"title": "Report on Ivan Fakeov", "record_id": "77",
                                   "original_publication_date": "1975",
                                   "associated_people_orgs": ["Fakeov, Ivan"]}) + "\n", encoding="utf-8")

    def export(out: Path) -> tuple[pipeline.Report, OnlineFallback, list[dict]]:
        client = WikidataClient(endpoint=fake.url, user_agent=UA, timeout=0.5, max_retries=1,
                                sleep=lambda seconds: None, cache_path=tmp_path / "cache.sqlite")
        fallback = OnlineFallback(client)
        report = pipeline.export([str(records)], out, Config(), Linker(load_index(), fallback),
                                 ExportOptions(now="2026-01-01T00:00:00Z"))
        client.close()
        with (out / "links.csv").open(encoding="utf-8") as rows:
            return report, fallback, [r for r in csv.DictReader(rows) if r["name"] == "Ivan Fakeov"]

    fake.fail_always(fault)
    report, fallback, (row,) = export(tmp_path / "down")
    assert report.exported == 1 and report.rejected == [] and fallback.down
    assert row["status"] == "unchecked" and fallback.unchecked == ["Ivan Fakeov"]
    fake.fail_always(None)
    report, fallback, (row,) = export(tmp_path / "up")
    assert (row["status"], row["qid"]) == ("linked", "Q900000004") and not fallback.down
