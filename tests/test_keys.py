"""Document keys: from the archive's identifiers, else minted from title and date; never shared."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lod.read.fields import parse_date
from lod.read.keys import (
    MINTED, SLUG_MAX, archive_slug, disambiguated, document_key, key_from_url, minted_key, title_identity,
    url_key_form,
)

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "wilson-records.jsonl"
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
#: What the server accepts as a key (lod.serve), and what a path segment may hold.
_KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def test_archive_slug_reproduces_the_archive_landing_pages():
    if not CORPUS.exists():
        pytest.skip("../shared/corpus is not present")
    checked = 0
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        values = json.loads(line)
        if values.get("title"):
            slug = values["document_url"].rstrip("/").rsplit("/", 1)[-1]
            assert archive_slug(values["title"]) == slug, values["title"]
            checked += 1
    assert checked == 14


def test_archive_slug_examples():
    assert archive_slug("Cable, Mao Zedong to Filippov [Stalin]") == "cable-mao-zedong-filippov-stalin"
    assert archive_slug("Note No.084.504 at 10 A.M.") == "note-no084504-10-am"
    assert archive_slug("x" * 200) == "x" * SLUG_MAX
    assert archive_slug("„“ …") == "untitled"


def test_keys_of_records_with_a_url_or_a_record_id_are_the_archives():
    date = parse_date("January 8, 1949")
    url = "https://digitalarchive.wilsoncenter.org/document/cable-mao-zedong-stalin-0"
    assert document_key(url, "300001", "Cable, Mao Zedong to Stalin", date) == "cable-mao-zedong-stalin-0"
    assert document_key("https://digitalarchive.wilsoncenter.org/document/114282", None, "T", date) == "114282"
    assert document_key("https://example.dvincitest.com/node/90321", None, "T", date) == "node-90321"
    assert document_key(None, "300001", "Cable, Mao Zedong to Stalin", date) == "record-300001"


def test_same_title_different_dates_get_different_keys_that_are_no_archive_slug():
    title = "Cable, Mao Zedong to Stalin"
    keys = {minted_key(title, parse_date(d)) for d in ("December 30, 1948", "January 8, 1949", "July 4, 1948")}
    assert keys == {"cable-mao-zedong-stalin--1948-12-30", "cable-mao-zedong-stalin--1949-01-08",
                    "cable-mao-zedong-stalin--1948-07-04"}
    # The archive disambiguates same-titled pages with -0, -1 ...: a minted key is never one of those.
    assert all(not key.startswith(archive_slug(title) + "-0") for key in keys)


def test_undated_month_year_and_uncertain_dates():
    assert minted_key("Memo", None) == "memo--undated"
    assert minted_key("Memo", parse_date("November 1967")) == "memo--1967-11"
    assert minted_key("Memo", parse_date("1949")) == "memo--1949"
    assert minted_key("Memo", parse_date("Spring 195?")) == "memo--spring-195"


def test_titles_in_other_scripts_and_long_titles_do_not_share_keys():
    date = parse_date("1956")
    cyrillic = {minted_key(t, date) for t in ("Запись беседы", "Письмо Сталину", "Телеграмма")}
    assert len(cyrillic) == 3 and all(_KEY.match(k) for k in cyrillic)
    long_a = "Record of Conversation " + "with the delegation " * 6 + "about trade"
    long_b = "Record of Conversation " + "with the delegation " * 6 + "about culture"
    assert archive_slug(long_a) == archive_slug(long_b)
    assert minted_key(long_a, date) != minted_key(long_b, date)
    assert minted_key("Note on Łódź", date) != minted_key("Note on Lodz", date)


def test_disambiguated_keys_depend_on_the_text_only():
    key = minted_key("Telegram", parse_date("May 1, 1960"))
    one, other = disambiguated(key, "first telegram text"), disambiguated(key, "second telegram text")
    assert one != other and one.startswith(key + MINTED) and one == disambiguated(key, "first telegram text")


def test_url_key_forms():
    assert [url_key_form(k) for k in ("114282", "node-90321", "cable-mao-zedong-stalin-0")] == [
        "number", "node", "slug"]


def test_a_bracket_in_the_host_is_no_key():
    assert key_from_url("http://[digitalarchive.wilsoncenter.org/document/1") is None


def test_title_identity_ignores_case_accents_punctuation_and_short_words():
    assert title_identity("Report of the Embassy: Satō’s visit") == title_identity("report embassy sato s visit")
    assert title_identity("Запись беседы") == "запись беседы"


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=300))
def test_archive_slug_is_always_a_clean_short_key(title):
    slug = archive_slug(title)
    assert _SLUG.match(slug) and len(slug) <= SLUG_MAX


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.sampled_from(["", "1950", "May 1950", "May 2, 1950", "Spring 195?"]))
def test_minted_keys_are_server_keys_and_hold_the_separator(title, date):
    key = minted_key(title, parse_date(date))
    assert _KEY.match(key) and len(key) <= 200 and MINTED in key
