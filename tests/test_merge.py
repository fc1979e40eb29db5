"""Captures of one document become one document; different documents that share a title stay apart."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from lod.model import Origin
from lod.read.archive_fields import record_from_fields
from lod.read.merge import documents, group_key

BODY = ("The Soviet Ambassador received Comrade Kim Il Sung at his request. Kim Il Sung said that the "
        "delegation would leave for Moscow on the fifth and asked that the embassy inform Moscow of the "
        "composition of the delegation, which was approved by the Presidium of the Central Committee.")
OTHER_BODY = ("Comrade Pak Chang-ok visited the embassy and informed us that the plenum had been postponed "
              "until the end of the month because several members of the Central Committee were abroad.")


def record(line: int, file: str = "captures.jsonl", **fields):
    values = {"title": "Record of Conversation with Kim Il Sung", "original_publication_date": "June 5, 1956",
              **fields}
    return record_from_fields(values, Origin(file, line=line, record=line))


def test_a_cut_off_capture_and_a_complete_one_are_one_document_with_every_field():
    cut = record(1, text_body=BODY[:150])
    whole = record(2, file="other.jsonl", text_body=BODY, summary="Kim Il Sung informs the embassy.",
                   citation='"Record of Conversation with Kim Il Sung," June 5, 1956, ...')
    (document,) = documents([cut, whole])
    assert document.body == BODY and document.summary and document.citation
    assert set(document.origins) == {cut.origin, whole.origin}
    assert document.key == "record-conversation-kim-il-sung--1956-06-05"


def test_the_complete_capture_wins_whatever_the_order():
    cut, whole = record(1, text_body=BODY[:150]), record(2, text_body=BODY)
    for order in ([cut, whole], [whole, cut]):
        (document,) = documents(order)
        assert document.body == BODY


def test_same_title_different_dates_are_different_documents():
    first = record(1, original_publication_date="December 30, 1948", text_body=BODY)
    second = record(2, original_publication_date="January 8, 1949", text_body=BODY)
    keys = sorted(d.key for d in documents([first, second]))
    assert keys == ["record-conversation-kim-il-sung--1948-12-30", "record-conversation-kim-il-sung--1949-01-08"]


def test_same_title_and_date_but_different_texts_are_both_published_with_keys_of_their_own():
    one, other = record(1, text_body=BODY), record(2, text_body=OTHER_BODY)
    keys = [d.key for d in documents([one, other])]
    assert len(set(keys)) == 2
    assert all(k.startswith("record-conversation-kim-il-sung--1956-06-05--") for k in keys)
    # A document's key depends on its own text, not on which other record came first.
    assert {d.body: d.key for d in documents([other, one])} == {d.body: d.key for d in documents([one, other])}


def test_two_slugs_the_archive_gave_same_titled_pages_are_two_documents():
    base = "https://digitalarchive.wilsoncenter.org/document/record-conversation-kim-il-sung"
    one, other = record(1, document_url=base, text_body=BODY), record(2, document_url=base + "-0", text_body=BODY)
    assert sorted(d.key for d in documents([one, other])) == [
        "record-conversation-kim-il-sung", "record-conversation-kim-il-sung-0"]


def test_the_old_numeric_address_and_the_slug_of_one_document_merge_under_the_slug():
    slug = "https://digitalarchive.wilsoncenter.org/document/record-conversation-kim-il-sung"
    number = "http://digitalarchive.wilsoncenter.org/document/114282"
    (document,) = documents([record(1, document_url=number, text_body=BODY),
                             record(2, document_url=slug, text_body=BODY[:200])])
    assert document.key == "record-conversation-kim-il-sung"
    assert document.identifiers.url == slug and document.identifiers.other_urls == (number,)


def test_one_record_id_is_one_document_and_two_are_two():
    a = record(1, record_id="300001", original_publication_date="1956", text_body=BODY)
    b = record(2, record_id="300001", text_body=OTHER_BODY)
    c = record(3, record_id="300002", text_body=BODY)
    assert sorted(d.key for d in documents([a, b, c])) == ["record-300001", "record-300002"]


def test_lists_are_united_and_the_most_precise_date_is_kept():
    a = record(1, original_publication_date="1956", authors='["Ivanov, Vasily"]', text_body=BODY)
    b = record(2, authors='["Ivanov, Vasily", "Kim Il Sung"]', associated_places='["Moscow"]')
    (document,) = documents([a, b])
    assert [e.name for e in document.authors] == ["Vasily Ivanov", "Kim Il Sung"]
    assert [e.name for e in document.places] == ["Moscow"] and document.date.iso == "1956-06-05"


def test_captures_of_a_pdf_copy_whose_words_run_together_agree_with_the_page():
    run_together = (BODY.replace("Comrade Kim", "ComradeKim").replace(" at his", "at his")
                    .replace("Moscow on", "Mos-\ncow on"))
    assert len(documents([record(1, text_body=BODY), record(2, text_body=run_together)])) == 1


def test_group_keys_ignore_how_the_title_was_printed():
    assert group_key(record(1).title) == group_key("RECORD OF CONVERSATION WITH KIM IL SUNG")


texts = st.sampled_from([BODY, BODY[:160], OTHER_BODY, None])
dates = st.sampled_from(["June 5, 1956", "June 1956", "1956", "June 6, 1956", None])
urls = st.sampled_from([None, "https://digitalarchive.wilsoncenter.org/document/record-conversation-kim-il-sung",
                        "https://digitalarchive.wilsoncenter.org/document/record-conversation-kim-il-sung-0",
                        "http://digitalarchive.wilsoncenter.org/document/114282"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(texts, dates, urls), min_size=1, max_size=5))
def test_documents_do_not_depend_on_input_order_and_keys_are_distinct(specs):
    records = [record(i, text_body=body, original_publication_date=date, document_url=url)
               for i, (body, date, url) in enumerate(specs, start=1)]
    results = {tuple(sorted((d.key, d.body or "", tuple(sorted(d.origins, key=str))) for d in documents(order)))
               for order in itertools.islice(itertools.permutations(records), 6)}
    assert len(results) == 1
    (result,) = results
    keys = [key for key, _, _ in result]
    assert len(keys) == len(set(keys))
    assert sorted(str(o) for _, _, origins in result for o in origins) == sorted(str(r.origin) for r in records)


# --- in an export ------------------------------------------------------------------------------

PAGE = """Skip to content

June 5, 1956

Record of Conversation with Kim Il Sung

{body}
"""


def test_an_export_publishes_every_document_once_and_accounts_for_every_record(exporter, tmp_path):
    """Two captures of one page (one cut off), two same-titled documents of other days, and one
    landing page printed with two titles (captures that only meet in the pass in key order)."""
    import json

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "cut.txt").write_text(PAGE.format(body=BODY[:140]), encoding="utf-8")
    (folder / "whole.txt").write_text(PAGE.format(body=BODY), encoding="utf-8")
    (folder / "other-day.txt").write_text(PAGE.replace("June 5", "June 9").format(body=OTHER_BODY),
                                          encoding="utf-8")
    url = "https://digitalarchive.wilsoncenter.org/document/114999"
    rows = [{"title": "Telegram from Pyongyang to Moscow", "document_url": url, "text_body": BODY},
            {"title": "Telegram, Pyongyang to Moscow (cut)", "document_url": url, "summary": "A summary."}]
    (folder / "records.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    export = exporter([folder], "merged")
    report = json.loads((export.out / "report.json").read_text(encoding="utf-8"))
    assert (report["read"], report["exported"], report["merged_count"], report["rejected_count"]) == (5, 3, 2, 0)
    keys = sorted(p.stem for p in export.files(".ttl"))
    assert keys == ["114999", "record-conversation-kim-il-sung--1956-06-05",
                    "record-conversation-kim-il-sung--1956-06-09"]
    merged = export.file("114999", ".ttl").read_text(encoding="utf-8")
    assert "A summary." in merged and "Presidium" in merged
    assert "records.jsonl#114999" in merged
    page = export.file("record-conversation-kim-il-sung--1956-06-05", ".ttl").read_text(encoding="utf-8")
    assert "Central Committee.\"" in page or "Central Committee." in page  # the whole body, not the cut one
    assert "input/cut.txt#" in page and "input/whole.txt#" in page
