"""Readers: page layouts, JSON Lines, CSV, field parsing and bad input (lod.read)."""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lod.errors import ReadError
from lod.model import ORGANIZATION, PERSON
from lod.read import Skipped, csvfile, jsonlines, read_file, read_inputs
from lod.read.fields import (
    MONTHS,
    agent_from_printed,
    parse_date,
    split_list,
    subject_from_printed,
)
from lod.read.page import LAYOUTS
from lod.read.page.old import read_body_only

FIXTURES = Path(__file__).parent / "fixtures"
PAGES = FIXTURES / "pages"
RECORDS = FIXTURES / "records"
BAD = RECORDS / "bad"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
PAGE_EXPECTED = json.loads((PAGES / "expected.json").read_text(encoding="utf-8"))
RECORD_EXPECTED = json.loads((RECORDS / "expected.json").read_text(encoding="utf-8"))


def normalised(text: str | None) -> str | None:
    """Whitespace as expected.json compares it: every run one space, trimmed."""
    return " ".join(text.split()) if text is not None else None


def read(path: Path | str) -> list:
    return list(read_file(str(path)))


def read_one(path: Path | str):
    items = read(path)
    assert len(items) == 1, items
    return items[0]


def records_and_errors(path: Path | str) -> tuple[list, list[ReadError]]:
    items = read(path)
    return ([i for i in items if not isinstance(i, ReadError)],
            [i for i in items if isinstance(i, ReadError)])


def page(tmp_path: Path, text: str, name: str = "page.txt"):
    """Read one page written from ``text``; the record or the ReadError."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_one(path)


# --- page fixtures against expected.json ---------------------------------------------------


def test_every_page_fixture_has_expectations_and_every_layout_a_fixture():
    assert {p.name for p in PAGES.glob("*.txt")} == set(PAGE_EXPECTED)
    assert {e["layout"] for e in PAGE_EXPECTED.values()} == set(LAYOUTS)


@pytest.mark.parametrize("name", sorted(PAGE_EXPECTED))
def test_page_fixture(name):
    expected = PAGE_EXPECTED[name]
    item = read_one(PAGES / name)
    if expected["title"] is None:
        assert isinstance(item, ReadError)
        assert name in str(item) and "no title" in item.reason
        assert "\n" not in str(item)
        return
    assert not isinstance(item, ReadError), str(item)
    got = {
        "layout": item.origin.layout,
        "title": item.title,
        "date": item.date.iso if item.date else None,
        "date_text": item.date.text if item.date else None,
        "summary": normalised(item.summary),
        "description": normalised(item.description),
        "funders": [f.name for f in item.funders],
        "source": normalised(item.source),
        "record_id": item.identifiers.record_id,
        "classification": item.classification,
        "upload_date": item.upload_date,
        "languages": list(item.languages),
        "url": item.identifiers.url,
    }
    for field, value in got.items():
        assert value == expected[field], field
    body = normalised(item.body)
    assert body.startswith(expected["body_starts_with"])
    assert body.endswith(expected["body_ends_with"])


def test_seed_fixture_is_the_bundled_sample():
    sample = Path(__file__).resolve().parents[1] / "samples" / "seed-record.txt"
    assert (PAGES / "seed-record.txt").read_bytes() == sample.read_bytes()


def test_seed_keeps_rights_and_funder_and_no_heading_as_value():
    record = read_one(PAGES / "seed-record.txt")
    assert record.rights.startswith("The History and Public Policy Program welcomes reuse")
    assert record.rights.endswith("HAPP@wilsoncenter.org.")
    assert [f.kind for f in record.funders] == [ORGANIZATION]
    assert record.places == () and record.subjects == () and record.archives == ()
    assert record.source is None


# --- page layouts: shapes the fixtures do not cover (LAYOUTS.md) -----------------------------

LONG_TITLE = "Letter from Khrushchev to Ulbricht Regarding the Situation in Berlin"
CITATION_E = ("“Letter from Khrushchev to Ulbricht Regarding the Situation in Berlin,” , 1961, "
              "History and Public Policy Program Digital Archive, SAPMO-BArch, DY 30/3507. "
              "Translated by Hope Harrison. https://digitalarchive.wilsoncenter.org/document/110206")


def test_le_labels_inside_the_body_stay_body_and_language_is_kept_whole(tmp_path):
    record = page(tmp_path, f"""Digital Archive digitalarchive.wilsoncenter.org International History Declassified
August 01, 1961 Letter from Khrushchev to Ulbricht Regarding the Situation in Berlin
Citation:
{CITATION_E}
Summary:
Khrushchev agrees to the border measures.
Credits:
This document was made possible with support from the Leon Levy Foundation.
Original Language:
Old Church Slavonic
Contents:
English Translation [Scan of Original Document] [Polish Transcription]
Dear Comrade Ulbricht! Summary: the measures follow.
Contents: one, two.
""")
    assert record.title == "Letter from Khrushchev to Ulbricht Regarding the Situation in Berlin"
    assert record.date.iso == "1961-08-01"
    assert record.summary == "Khrushchev agrees to the border measures."
    assert record.languages == ("Old Church Slavonic",)
    assert record.body == "Dear Comrade Ulbricht! Summary: the measures follow.\nContents: one, two."
    assert record.source == "SAPMO-BArch, DY 30/3507. Translated by Hope Harrison."
    assert record.identifiers.url.endswith("/document/110206")


def test_le_flattened_labels_inline_and_the_title_is_the_citations(tmp_path):
    record = page(tmp_path, "Digital Archive digitalarchive.wilsoncenter.org International History "
                  "Declassified August 01, 1961 Letter from Khrushchev to Ulbricht Citation: "
                  f"{CITATION_E} Summary: Khrushchev agrees. Credits: This document was made possible "
                  "with support from the Leon Levy Foundation and the Henry Luce Foundation. Original "
                  "Language: Serbo-Croatian Contents: English Translation Scan of Original Document "
                  "Dear Comrade Ulbricht!")
    assert record.origin.layout == "L-E"
    assert record.title == LONG_TITLE  # the header line is cut short; the citation prints it whole
    assert record.summary == "Khrushchev agrees."
    assert [f.name for f in record.funders] == ["Leon Levy Foundation", "Henry Luce Foundation"]
    assert record.languages == ("Serbo-Croatian",)
    assert record.body == "Dear Comrade Ulbricht!"


def test_le_scribd_copy_without_citation_and_contents_labels(tmp_path):
    record = page(tmp_path, f"""Digital Archive digitalarchive.wilsoncenter.
August 01, 1961 Letter from Khrushchev to Ulbricht
{CITATION_E}
Summary:
Khrushchev agrees.
Original Language:
English Translation
Dear Comrade Ulbricht! The body.
""")
    assert record.title == LONG_TITLE
    assert record.date.iso == "1961-08-01"
    assert record.languages == ()
    assert record.body == "Dear Comrade Ulbricht! The body."
    assert record.source == "SAPMO-BArch, DY 30/3507. Translated by Hope Harrison."


@pytest.mark.parametrize("banner", ["You are on page 1of 19", "<<"])
def test_le_other_banners_keep_the_header_date(tmp_path, banner):
    record = page(tmp_path, f"""{banner}
Digital Archive digitalarchive.wilsoncenter.org International History Declassified
August 01, 1961 Letter from Khrushchev to Ulbricht
Citation:
{CITATION_E}
Contents:
English Translation
The body.
""")
    assert record.origin.layout == "L-E"
    assert (record.title, record.date.iso) == (LONG_TITLE, "1961-08-01")


def test_le_without_date_line_takes_title_and_date_from_the_citation(tmp_path):
    record = page(tmp_path, "Digital Archive digitalarchive.wilsoncenter.org International History "
                  f"Declassified Citation: {CITATION_E} Contents: English Translation The body.")
    assert record.title == LONG_TITLE
    assert (record.date.text, record.date.iso, record.date.precision) == ("1961", "1961", "year")


def old_site(citation: str, summary: str = "A summary of the conversation.") -> str:
    return f"""Search in
·
Digital Archive International History Declassified
·
August 14, 1957
·
  • Citation
·
    get citation
·
    {summary}
    {citation}
  • share document
·
English HTML
·
    First paragraph of the body.

    Second paragraph.
"""


@pytest.mark.parametrize("citation, title, source", [
    ('"Record of a Conversation with Zhou Enlai," August 14, 1957, History and Public Policy '
     'Program Digital Archive, AVP RF, Fond 0100. Translated by Yelena Orlova.',
     "Record of a Conversation with Zhou Enlai", "AVP RF, Fond 0100. Translated by Yelena Orlova."),
    ('“Record of a Conversation with Zhou Enlai,” August 14, 1957, History and Public Policy '
     'Program Digital Archive, AVP RF, Fond 0100.',
     "Record of a Conversation with Zhou Enlai", "AVP RF, Fond 0100."),
    ('“Letter from Khrushchev to Ulbricht Regarding the Situation in Berlin,” , 1961, History and '
     'Public Policy Program Digital Archive, SAPMO-BArch, DY 30/3507.',
     "Letter from Khrushchev to Ulbricht Regarding the Situation in Berlin", "SAPMO-BArch, DY 30/3507."),
    ('"Report on "Operation Anadyr"," August 14, 1957, History and Public Policy Program Digital '
     'Archive, RGANI, Fond 5. Translated by X.',
     'Report on "Operation Anadyr"', "RGANI, Fond 5. Translated by X."),
])
def test_old_site_citation_forms(tmp_path, citation, title, source):
    record = page(tmp_path, old_site(citation))
    assert record.origin.layout == "L-C2"
    assert (record.title, record.source) == (title, source)
    assert record.date.iso == "1957-08-14"  # the date line, not the citation
    assert record.summary == "A summary of the conversation."
    assert record.body == "First paragraph of the body.\n\nSecond paragraph."


def test_old_site_without_summary(tmp_path):
    text = old_site('"A Title," August 14, 1957, History and Public Policy Program Digital Archive, '
                    'AVP RF.').replace("    A summary of the conversation.\n", "")
    record = page(tmp_path, text)
    assert (record.title, record.summary) == ("A Title", None)


def test_ld_date_repeat_printed_another_way_is_not_body(tmp_path):
    text = """July 03, 1958


    Khrushchev and Mao discuss the radio station.
    July 3, 1958
    Record of the First Conversation between Khrushchev and Mao
    Top Secret
"""
    error = page(tmp_path, text)  # L-D without a citation has no title: rejected, as expected.json says
    assert isinstance(error, ReadError) and "(L-D)" in error.reason and "no title" in error.reason
    values = read_body_only(text.split("\n"), "L-D")  # what the layout found before the title check
    assert values["summary"] == "Khrushchev and Mao discuss the radio station."
    assert values["body"].startswith("Record of the First Conversation")


def test_ld_with_citation_and_nothing(tmp_path):
    with_citation = page(tmp_path, """June 07, 1955


    Molotov and Nehru talk.
    "Record of Conversation between V.M. Molotov and Jawaharlal Nehru," June 07, 1955, History and Public Policy Program Digital Archive, AVP RF, Fond 06.
    Secret
""")
    assert with_citation.title == "Record of Conversation between V.M. Molotov and Jawaharlal Nehru"
    assert (with_citation.summary, with_citation.body) == ("Molotov and Nehru talk.", "Secret")
    nothing = page(tmp_path, "June 07, 1955\n\n\n    Molotov and Nehru talk.\n    Secret\n")
    assert isinstance(nothing, ReadError) and "no title" in nothing.reason


CURRENT_SITE = """Skip to content
\u00a0
March 24, 1950

A Title of the Document

{funding}Body paragraph one.
\u00a0
\u00a0
Body paragraph two.

The summary, with no heading.

Associated People & Organizations

Associated Places

Associated Topics

Document Information

{tail}"""
RIGHTS_1 = ("The History and Public Policy Program welcomes reuse of Digital Archive materials for "
            "research and educational purposes.")
RIGHTS_2 = ("To enquire about this document's rights status or request permission for commercial use, "
            "please contact the History and Public Policy Program at {email}.")


@pytest.mark.parametrize("email", ["[email\u00a0protected]", "[email protected]", "HAPP@wilsoncenter.org"])
def test_la_without_source_and_rights_headings(tmp_path, email):
    tail = f"""RGANI, Fond 5, Opis 30,
Delo 1. Obtained by Sergey Radchenko.

{RIGHTS_1}

{RIGHTS_2.format(email=email)}

Original Uploaded Date

Record ID

300518
"""
    record = page(tmp_path, CURRENT_SITE.format(funding="", tail=tail))
    assert record.origin.layout == "L-A"
    assert record.source == "RGANI, Fond 5, Opis 30, Delo 1. Obtained by Sergey Radchenko."
    assert record.rights == f"{RIGHTS_1}\n{RIGHTS_2.format(email='HAPP@wilsoncenter.org')}"
    assert "protected" not in record.rights
    assert (record.identifiers.record_id, record.upload_date, record.funders) == ("300518", None, ())
    assert record.summary == "The summary, with no heading."
    assert record.body == "Body paragraph one.\n\nBody paragraph two."


@pytest.mark.parametrize("classification, expected", [("Top Secret\n\n", "Top Secret"), ("", None)])
def test_la_donor_alone_at_the_end(tmp_path, classification, expected):
    tail = f"""Source

RGANI, Fond 5.

Rights

{RIGHTS_1}

{RIGHTS_2.format(email="[email protected]")}

Original Uploaded Date

2011-11-

Record ID

Original Classification

{classification}Leon Levy Foundation
"""
    funding = "This document was made possible with support from Leon Levy Foundation\u00a0\n\n"
    record = page(tmp_path, CURRENT_SITE.format(funding=funding, tail=tail))
    assert record.classification == expected
    assert record.upload_date == "2011-11-"
    assert record.identifiers.record_id is None
    assert [f.name for f in record.funders] == ["Leon Levy Foundation"]  # credit and donor: once
    assert record.source == "RGANI, Fond 5."
    assert record.body == "Body paragraph one.\n\nBody paragraph two."


def test_headings_without_values_take_no_heading_as_value(tmp_path):
    record = page(tmp_path, """May 19, 1965
A Title
Body line.
The summary.
Author(s):
Associated People & Organizations
Associated Places
Associated Topics
Subjects Discussed
Related Documents
Document Contributors
Document Information
Source
Original Archive
Language
Donors
Rights
Original Uploaded Date
Record ID
Original Classification
""")
    assert record.origin.layout == "L-B0"
    assert (record.summary, record.body) == ("The summary.", "Body line.")
    for field in ("authors", "associated", "places", "subjects", "archives", "funders", "contributors",
                  "languages"):
        assert getattr(record, field) == (), field
    assert (record.source, record.rights, record.classification, record.upload_date) == (None,) * 4
    assert record.identifiers.record_id is None


def test_body_line_that_reads_like_a_heading_stays_body(tmp_path):
    record = page(tmp_path, """May 19, 1965
A Title
Sender: Hanoi
Source
The delegation reached the source of the river.
Language
Last line of the body
The summary.
Author(s):
Associated Places
Document Information
Source
Rights
""" + RIGHTS_1 + "\n")
    assert record.summary == "The summary."
    assert record.body.split("\n") == ["Sender: Hanoi", "Source",
                                       "The delegation reached the source of the river.",
                                       "Language", "Last line of the body"]
    assert (record.source, record.languages) == (None, ())


def test_pill_values_when_a_capture_has_them(tmp_path):
    record = page(tmp_path, """May 19, 1965
A Title
Body line.
The summary.
Associated Places
Japan
Taiwan
Subjects Discussed
Japan--Foreign relations--Taiwan
Donors
Henry Luce Foundation
Document Information
Source
Diplomatic Archives, File 1.
Original Archive
Diplomatic Archives of the Ministry of Foreign Affairs of Japan
Rights
""" + RIGHTS_1 + "\nLeon Levy Foundation\n")
    assert (record.summary, record.body) == ("The summary.", "Body line.")
    assert [p.name for p in record.places] == ["Japan", "Taiwan"]
    assert [s.parts for s in record.subjects] == [("Japan", "Foreign relations", "Taiwan")]
    assert [a.name for a in record.archives] == [
        "Diplomatic Archives of the Ministry of Foreign Affairs of Japan"]
    assert record.source == "Diplomatic Archives, File 1."
    assert [f.name for f in record.funders] == ["Henry Luce Foundation", "Leon Levy Foundation"]


def test_lb1_description_is_not_the_summary(tmp_path):
    record = page(tmp_path, "Decision to entrust Vyshinsky with the talks.\nMarch 5, 1950\nA Title\n"
                  "Body.\nThe real summary.\nAssociated Places\n")
    assert record.origin.layout == "L-B1"
    assert record.description == "Decision to entrust Vyshinsky with the talks."
    assert (record.summary, record.body) == ("The real summary.", "Body.")


def test_page_without_a_layout_is_an_error(tmp_path):
    error = page(tmp_path, "Just some notes\nwithout any date.\n")
    assert isinstance(error, ReadError) and "no archive page layout" in error.reason


# --- JSON Lines and CSV against records/expected.json ---------------------------------------


@pytest.mark.parametrize("name", sorted(RECORD_EXPECTED))
def test_record_file(name):
    records, errors = records_and_errors(RECORDS / name)
    assert errors == []
    assert len(records) == len(RECORD_EXPECTED[name])
    for record, expected in zip(records, RECORD_EXPECTED[name]):
        assert record.identifiers.record_id == expected["record_id"]
        assert record.title == expected["title"]
        assert (record.date.iso, record.date.text) == (expected["date"], expected["date_text"])
        counts = {"authors": record.authors, "places": record.places, "subjects": record.subjects,
                  "people": record.associated, "contributors": record.contributors}
        assert {k: len(v) for k, v in counts.items()} == {k: expected[k] for k in counts}


def test_list_fields_as_arrays_and_as_json_encoded_strings_read_alike():
    lines = (RECORDS / "sample.jsonl").read_text(encoding="utf-8").splitlines()
    raw = [json.loads(line) for line in lines]
    assert isinstance(raw[0]["associated_places"], list)
    assert isinstance(raw[1]["associated_places"], str)
    records, _ = records_and_errors(RECORDS / "sample.jsonl")
    for values, record in zip(raw, records):
        places = values["associated_places"]
        places = json.loads(places) if isinstance(places, str) else places
        assert [p.name for p in record.places] == places


def test_split_list_forms():
    assert split_list(["Japan", "Taiwan"]) == ["Japan", "Taiwan"]
    assert split_list('["Sat\\u014d, Eisaku", "Japan"]') == ["Satō, Eisaku", "Japan"]
    assert split_list("Japan|Taiwan", "|") == ["Japan", "Taiwan"]
    assert split_list("Japan") == ["Japan"]
    assert split_list(None) == [] and split_list("[]") == []
    assert split_list(["Japan", " Japan ", None, ""]) == ["Japan"]


def test_csv_cells_keep_newlines_quotes_and_commas():
    records, errors = records_and_errors(RECORDS / "sample.csv")
    assert errors == []
    body = records[0].body
    assert "\n" in body and '"great friend of the peoples"' in body and ", " in body
    assert all(r.origin.record == n for n, r in enumerate(records, start=1))


def test_jsonl_records_know_their_line():
    records, _ = records_and_errors(RECORDS / "sample.jsonl")
    assert [r.origin.line for r in records] == list(range(1, 7))


# --- names, subjects, dates -------------------------------------------------------------------


@pytest.mark.parametrize("printed, name, alternates", [
    ("Satō, Eisaku", "Eisaku Satō", ()),
    ("Chiang, Ching-kuo (Jiang Jingguo)", "Chiang Ching-kuo", ("Jiang Jingguo",)),
    ("Mao, Zedong", "Mao Zedong", ()),
    ("Hồ, Chí Minh", "Hồ Chí Minh", ()),
    ('Blair, Anthony Charles Lynton ("Tony")', "Anthony Charles Lynton Blair", ("Tony Blair",)),
    ("Guterres, António Manuel de Oliveira", "António Manuel de Oliveira Guterres", ()),
])
def test_person_names(printed, name, alternates):
    entity = agent_from_printed(printed)
    assert (entity.kind, entity.name, entity.alternates, entity.printed) == (
        PERSON, name, alternates, printed)


@pytest.mark.parametrize("printed", [
    "Japan. Foreign Ministry", "Poland. Embassy (Canada)", "Japan. Foreign Ministry. Asian Affairs Bureau",
    "Japan-China Import-Export Association",
])
def test_corporate_names_stay_organizations_as_printed(printed):
    entity = agent_from_printed(printed)
    assert (entity.kind, entity.name) == (ORGANIZATION, printed)


def test_subjects_kept_whole_and_split():
    subject = subject_from_printed("China--History--Cultural Revolution, 1966-1976")
    assert subject.label == "China--History--Cultural Revolution, 1966-1976"
    assert subject.parts == ("China", "History", "Cultural Revolution, 1966-1976")
    assert subject_from_printed("Ukraine--Economic policy--1991-").parts == (
        "Ukraine", "Economic policy", "1991-")


@pytest.mark.parametrize("text, iso, precision", [
    ("October 15, 1956", "1956-10-15", "day"),
    ("October 04, 1961", "1961-10-04", "day"),
    ("Sept. 4, 1961", "1961-09-04", "day"),
    ("November 1967", "1967-11", "month"),
    ("April, 1950", "1950-04", "month"),
    ("1949", "1949", "year"),
    ("2023-10-05", "2023-10-05", "day"),
    ("February 30, 1956", None, None),
    ("Spring 195?", None, None),
    ("0000", None, None),
    ("24.III.50", None, None),
])
def test_dates(text, iso, precision):
    date = parse_date(text)
    assert (date.text, date.iso, date.precision) == (text, iso, precision)


def test_no_date():
    assert parse_date(None) is None and parse_date(" \u00a0") is None


# --- archive slugs ------------------------------------------------------------------------------


def corpus_records() -> Path:
    path = CORPUS / "wilson-records.jsonl"
    if not path.exists():
        pytest.skip("../shared/corpus is not present")
    return path


def test_corpus_complete_records_read_and_partial_rows_are_rejected():
    records, errors = records_and_errors(corpus_records())
    assert len(records) == 14 and len(errors) == 9
    assert all(e.reason == "record has no title" and e.place.line for e in errors)
    for record in records:
        assert record.key == record.identifiers.url.rstrip("/").rsplit("/", 1)[-1]
        assert record.date.iso is not None


# --- bad input ----------------------------------------------------------------------------------


def one_line(error: ReadError, path: Path) -> str:
    text = str(error)
    assert "\n" not in text and str(path) in text
    return text


def test_bad_json_line_rejects_only_that_line():
    path = BAD / "bad-json-line.jsonl"
    records, errors = records_and_errors(path)
    assert [r.origin.line for r in records] == [1, 3]
    assert len(errors) == 1 and errors[0].place.line == 2
    assert "invalid JSON" in errors[0].reason
    assert "line 2" in one_line(errors[0], path)


def test_missing_title():
    path = BAD / "missing-title.jsonl"
    records, errors = records_and_errors(path)
    assert [r.origin.line for r in records] == [2]
    assert len(errors) == 1 and errors[0].place.line == 1 and "no title" in errors[0].reason
    one_line(errors[0], path)


def test_bad_date_keeps_the_text_and_warns():
    record = read_one(BAD / "bad-date.jsonl")
    assert (record.date.text, record.date.iso, record.date.precision) == ("Spring 195?", None, None)
    assert any("Spring 195?" in w for w in record.warnings)


def test_csv_without_the_title_column():
    path = BAD / "wrong-header.csv"
    error = read_one(path)
    assert isinstance(error, ReadError) and "'title'" in error.reason and error.place.line == 1
    one_line(error, path)


def test_latin1_is_not_utf8_and_the_line_is_named():
    path = BAD / "latin1.txt"
    data = path.read_bytes()
    line = data[: data.index(b"\xfc")].count(b"\n") + 1
    error = read_one(path)
    assert isinstance(error, ReadError) and "not UTF-8" in error.reason
    assert error.place.line == line and f"line {line}" in one_line(error, path)


def test_nul_bytes_are_rejected():
    path = BAD / "nul-bytes.jsonl"
    error = read_one(path)
    assert isinstance(error, ReadError) and "NUL" in error.reason
    one_line(error, path)


def test_nul_bytes_in_a_page_are_rejected(tmp_path):
    path = tmp_path / "nul.txt"
    path.write_bytes(b"March 5, 1965\nA Title\x00\nBody\n")
    error = read_one(path)
    assert isinstance(error, ReadError) and "NUL" in error.reason


@pytest.mark.parametrize("field, value", [
    ("title", "Lone \ud800 surrogate"),
    ("associated_places", ["Japan", "Lone \udfff"]),
    ("summary", "NUL \x00 here"),
    ("subjects_discussed", ["NUL \x00 in a list"]),
])
def test_text_no_utf8_output_can_hold_rejects_its_record(tmp_path, field, value):
    """JSON escapes these (json.dumps does too); the record goes, the file's others stay."""
    path = tmp_path / "records.jsonl"
    lines = [json.dumps({"title": "A Title", "record_id": "1", field: value}),
             json.dumps({"title": "Fine \U0001F600", "record_id": "2"})]  # a surrogate pair
    path.write_text("\n".join(lines) + "\n", encoding="ascii")
    records, errors = records_and_errors(path)
    assert [r.title for r in records] == ["Fine 😀"]
    assert len(errors) == 1 and (errors[0].place.line, errors[0].place.field) == (1, field)
    assert "NUL" in errors[0].reason or "surrogate" in errors[0].reason


def test_empty_file():
    error = read_one(BAD / "empty.jsonl")
    assert isinstance(error, ReadError) and error.reason == "file is empty"


def test_unknown_type_named_directly_is_an_error():
    path = BAD / "unknown.xyz"
    items = list(read_inputs([str(path)]))
    assert len(items) == 1 and isinstance(items[0], ReadError)
    assert "unknown file type" in one_line(items[0], path)


def test_unknown_type_inside_a_folder_is_skipped():
    items = list(read_inputs([str(BAD)]))
    skipped = [i for i in items if isinstance(i, Skipped)]
    assert [Path(s.path).name for s in skipped] == ["unknown.xyz"]
    errors = [i for i in items if isinstance(i, ReadError)]
    assert not any("unknown.xyz" in str(e) for e in errors)
    # Every bad file gives exactly its errors; the good records in them still come through.
    assert sorted(Path(e.place.file).name for e in errors) == sorted([
        "bad-json-line.jsonl", "empty.jsonl", "latin1.txt", "missing-title.jsonl", "nul-bytes.jsonl",
        "wrong-header.csv"])
    assert len([i for i in items if not isinstance(i, (ReadError, Skipped))]) == 5


def test_missing_input_is_an_error(tmp_path):
    items = list(read_inputs([str(tmp_path / "nothing-here.jsonl")]))
    assert len(items) == 1 and "no such file" in items[0].reason


def test_hostile_record_keeps_its_characters():
    path = BAD / "hostile.jsonl"
    values = json.loads(path.read_text(encoding="utf-8").split("\n")[0])
    record = read_one(path)
    assert record.title == values["title"]
    assert record.source == values["source"]
    for kept in ("\u2028", "\u2029", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀 🇰🇵", "<script>", "C:\\Archive\\Fond 5", "\\n is not",
                 '"""triple"""', "\n"):
        assert kept in record.body, kept
    assert "\u2028" in record.summary and "𝔘😀" in record.summary
    assert record.authors[0].printed == 'O\'Hara, "Quoted" <Name> \\ Backslash'
    assert record.places[0].name == '<Nowhere> "Land"'


# --- properties -------------------------------------------------------------------------------

months = st.sampled_from(sorted(MONTHS) + ["Sept.", "Oct.", "MARCH", "Febuary"])
printed_dates = st.one_of(
    st.text(max_size=40),
    st.builds("{} {}, {:04d}".format, months, st.integers(0, 40), st.integers(0, 9999)),
    st.builds("{} {:02d} {:04d}".format, months, st.integers(0, 99), st.integers(0, 9999)),
    st.builds("{}, {:04d}".format, months, st.integers(0, 9999)),
    st.builds("{:04d}-{:02d}-{:02d}".format, st.integers(0, 9999), st.integers(0, 99), st.integers(0, 99)),
    st.builds("{:04d}-{:02d}".format, st.integers(0, 9999), st.integers(0, 99)),
    st.builds("{:04d}".format, st.integers(0, 9999)),
)


@settings(max_examples=400, deadline=None)
@given(printed_dates)
def test_parse_date_never_raises_and_types_only_real_dates(text):
    date = parse_date(text)
    if date is None:
        assert not text.split()
        return
    assert date.text == " ".join(text.split())
    if date.iso is None:
        assert date.precision is None
    elif date.precision == "day":
        assert datetime.date.fromisoformat(date.iso).isoformat() == date.iso
    elif date.precision == "month":
        assert re.fullmatch(r"[0-9]{4}-(0[1-9]|1[0-2])", date.iso) and date.iso[:4] != "0000"
    else:
        assert date.precision == "year"
        assert re.fullmatch(r"[0-9]{4}", date.iso) and date.iso != "0000"


def test_a_csv_row_that_is_not_utf8_is_rejected_and_the_rows_after_it_are_read(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"title,original_publication_date\n"
                     b"First,1956-10-15\n"
                     b"Caf\xe9 Talks,1957-01-02\n"
                     b"Third,1958-03-04\n")
    records, errors = records_and_errors(path)
    assert [r.title for r in records] == ["First", "Third"]
    (error,) = errors
    assert "not UTF-8 (byte 0xe9)" in error.reason and error.place.line == 3
    one_line(error, path)


@pytest.mark.parametrize("reader, header", [(jsonlines, []), (csvfile, [b"title,record_id\n"])])
def test_record_files_are_streamed_a_line_at_a_time(reader, header):
    """A reader pulls lines as it yields records, never the whole file (memory stays flat)."""
    pulled = []

    def lines():
        yield from header
        for number in range(1_000):
            pulled.append(number)
            yield (json.dumps({"title": f"T{number}", "record_id": str(number)}) + "\n").encode() \
                if reader is jsonlines else f"T{number},{number}\n".encode()

    records = map(reader.parse, reader.split("big", lines()))
    assert next(records).title == "T0"
    assert len(pulled) <= 2
    assert sum(1 for _ in records) == 999


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=30))
def test_fold_fast_path_for_ascii_agrees_with_the_unicode_rule(text):
    from lod.read.fields import fold, fold_unicode

    assert fold(text) == fold_unicode(text)
