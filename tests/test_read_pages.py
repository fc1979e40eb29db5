"""Page layouts read from their structure (lod.read.page): wrapped titles, the citation against a
damaged header, the date and title on one line, L-A2, L-C3, L-E flattened, L-F, pages with no title.

The shapes are those of the shared corpus (its README describes them); every text here is
invented. ``tests/fixtures/pages`` holds one whole page per layout (checked in test_read.py).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lod.errors import ReadError
from lod.read import read_file
from lod.read.page import detect_layout
from lod.read.page.citation import find_citation

FIXTURES = Path(__file__).parent / "fixtures" / "pages"


def page(tmp_path: Path, text: str, name: str = "page.txt"):
    """Read one page written from ``text``; the record or the ReadError."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    items = list(read_file(str(path)))
    assert len(items) == 1, items
    return items[0]


def read_text(text: str):
    """:func:`page` for property tests, which cannot take pytest's tmp_path."""
    with tempfile.TemporaryDirectory() as folder:
        return page(Path(folder), text)


TITLE = "Record of a Conversation between Enver Hoxha and the Soviet Ambassador on the Situation in Berlin"
SOURCE = "AQPPSH, MPP Kina, D5, V. 1961. Obtained and translated by Ardit Bela."
URL = "http://digitalarchive.wilsoncenter.org/document/300991"
STRAIGHT = '""'  # the old site's quotes; the export's are curly


def citation(title: str = TITLE, date: str = "March 09, 1961", quotes: str = "“”") -> str:
    return (f"{quotes[0]}{title},{quotes[1]} {date}, History and Public Policy Program Digital Archive, "
            f"{SOURCE} {URL}")


def export_page(header: str, cite: str = citation(), contents: str = "English Translation\nThe body.") -> str:
    """The PDF export as docslib copies it line by line (L-E)."""
    return (f"Digital Archive digitalarchive.wilsoncenter.org International History Declassified\n{header}\n"
            f"Citation:\n{cite}\nSummary:\nHoxha and the ambassador talk.\nOriginal Language:\nAlbanian\n"
            f"Contents:\n{contents}\n")


# Titles of several words, and where a page wraps them: any set of word boundaries.
WORDS = st.lists(st.sampled_from(["Record", "of", "Conversation", "between", "Zhou", "Enlai", "and",
                                  "Pham", "Van", "Dong", "[Premier]", "Ambassador", "Telegram,",
                                  "No.", "76.020,", "Note", "on", "the", "Visit", "(Excerpts)"]),
                 min_size=3, max_size=16).filter(lambda words: not words[-1].endswith((",", ".")))
# (The archive's titles end neither with a comma nor like a sentence; a long block that does is read
# as a summary, see test_summary_that_lost_its_indentation_is_no_title.)


def wrapped(words: list[str], breaks: set[int]) -> str:
    """The words with a line break before each index in ``breaks``."""
    return "".join(("\n" if i in breaks else " ") + word if i else word for i, word in enumerate(words))


def title_and_breaks():
    return WORDS.flatmap(lambda words: st.tuples(
        st.just(words), st.sets(st.integers(min_value=1, max_value=len(words) - 1))))


# --- wrapped titles ------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(title_and_breaks(), st.sampled_from(["Skip to content\n\n", ""]))
def test_current_site_title_wrapped_at_any_word_boundary_reads_back_whole(case, skip_link):
    words, breaks = case
    record = read_text(f"{skip_link}June 20, 1966\n\n{wrapped(words, breaks)}\n\nThis document was made "
                       "possible with support from Leon Levy Foundation\n\nThe body.\n")
    assert record.origin.layout == ("L-A" if skip_link else "L-A2")
    assert record.title == " ".join(words)
    assert record.body == "The body."
    assert [f.name for f in record.funders] == ["Leon Levy Foundation"]


def test_current_site_funding_line_right_under_the_title_is_not_title(tmp_path):
    record = page(tmp_path, "Skip to content\n\nJune 20, 1966\n\nA Title\nThis document was made "
                  "possible with support from Leon Levy Foundation\n\nThe body.\n")
    assert (record.title, record.credit) == (
        "A Title", "This document was made possible with support from Leon Levy Foundation")


@settings(max_examples=60, deadline=None)
@given(title_and_breaks())
def test_export_header_title_wrapped_reads_back_whole_without_a_citation(case):
    words, breaks = case
    record = read_text(export_page(f"March 09, 1961 {wrapped(words, breaks)}", cite="(cut)"))
    assert record.origin.layout == "L-E"
    assert (record.title, record.date.iso) == (" ".join(words), "1961-03-09")


@settings(max_examples=60, deadline=None)
@given(title_and_breaks())
def test_citation_wrapped_at_any_word_boundary_gives_the_whole_title(case):
    words, breaks = case
    title = " ".join(words)
    folded = wrapped(citation(title).split(" "), breaks)  # the title's words come first
    record = read_text(export_page("March 09, 1961 Record of", cite=folded))
    assert record.title == title
    assert record.source == SOURCE and record.identifiers.url == URL


@settings(max_examples=40, deadline=None)
@given(title_and_breaks())
def test_old_site_citation_wrapped_in_its_indented_block(case):
    words, breaks = case
    title = " ".join(words)
    cite = wrapped(citation(title, quotes=STRAIGHT).split(" "), breaks).replace("\n", "\n    ")
    record = read_text(f"""Search in

Digital Archive International History Declassified

March 09, 1961

  • Citation

    get citation

    Hoxha and the ambassador talk about "the Berlin question" at length.
    {cite}
  • share document

English HTML

The body.
""")
    assert record.origin.layout == "L-C2"
    assert record.title == title
    assert record.summary == 'Hoxha and the ambassador talk about "the Berlin question" at length.'
    assert record.body == "The body."


# --- the citation against a damaged header (L-E) -------------------------------------------------


def test_header_that_lost_words_gives_way_to_the_citation(tmp_path):
    record = page(tmp_path, export_page("March 09, 1961 Record of a Conversation between and the Soviet "
                                        "Ambassador on the Situation in , 09"))
    assert record.title == TITLE
    assert record.date.text == "March 09, 1961"


@pytest.mark.parametrize("damaged", [", 1961", "09, 1961", ""])
def test_citation_date_that_lost_its_month_gives_way_to_the_header(tmp_path, damaged):
    record = page(tmp_path, export_page("March 09, 1961 Record of a Conversation",
                                        cite=citation(date=damaged)))
    assert (record.title, record.date.iso) == (TITLE, "1961-03-09")


def test_without_a_header_date_the_citation_date_stands(tmp_path):
    record = page(tmp_path, export_page("", cite=citation(date="1961")))
    assert (record.title, record.date.iso, record.date.precision) == (TITLE, "1961", "year")


def test_header_date_alone_and_title_on_the_next_lines(tmp_path):
    record = page(tmp_path, export_page("March 09, 1961\nRecord of a Conversation between\nEnver Hoxha",
                                        cite="(cut)"))
    assert (record.title, record.date.iso) == ("Record of a Conversation between Enver Hoxha", "1961-03-09")
    record = page(tmp_path, export_page("March 09, 1961", cite=citation(date="")))
    assert (record.title, record.date.iso) == (TITLE, "1961-03-09")


def test_undated_citation_without_the_date_and_its_comma(tmp_path):
    cite = citation().replace(" March 09, 1961,", "")
    record = page(tmp_path, export_page("", cite=cite))
    assert (record.title, record.date, record.source) == (TITLE, None, SOURCE)


# --- the date and the title on one line (docslib, flattened) --------------------------------------


FLAT = ("Digital Archive digitalarchive.wilsoncenter.org International History Declassified March 09, 1961 "
        f"{TITLE} Citation: {citation()} Summary: Hoxha and the ambassador talk. Credits: This document was "
        "made possible with support from the Leon Levy Foundation. Original Language: Albanian Contents: "
        "English Translation Scan of Original Document RECORD OF CONVERSATION Tirana, 9 March 1961")


@pytest.mark.parametrize("before", [
    "",  # the flattened export alone
    "\n",  # a page that starts with an empty line
    "March 09, 1961 Record of a Conversation between Enver Hoxha and\nTotal Page:16\n"
    "File Type:pdf, Size:1020Kb\n",  # the header line cut mid-title, then the site's file facts
    "March 09, 1961 Record Of A Conversation Between Enver Hoxha And The Soviet Ambassador\n\n"
    "March 09, 1961 Record Of A Conversation Between Enver Hoxha And The Soviet Ambassador\n\n",  # re-cased
])
def test_flattened_export_with_date_and_title_lines_above(tmp_path, before):
    record = page(tmp_path, before + FLAT)
    assert record.origin.layout == "L-E"
    assert (record.title, record.date.text) == (TITLE, "March 09, 1961")
    assert record.summary == "Hoxha and the ambassador talk."
    assert record.languages == ("Albanian",)
    assert [f.name for f in record.funders] == ["Leon Levy Foundation"]
    assert record.body == "RECORD OF CONVERSATION Tirana, 9 March 1961"
    assert record.source == SOURCE


def test_export_labels_under_a_date_and_title_line_without_banner(tmp_path):
    record = page(tmp_path, f"March 09, 1961 {TITLE}\nCitation:\n{citation()}\nContents:\nEnglish "
                  "Translation\nThe body.\n")
    assert (record.origin.layout, record.title, record.body) == ("L-E", TITLE, "The body.")


def test_rendering_list_runs_into_the_documents_own_heading(tmp_path):
    record = page(tmp_path, export_page("March 09, 1961 A Title",
                                        contents="Scan of Original Document NOTE GIVEN BY THE MINISTRY\n"
                                                 "The body."))
    assert record.body == "NOTE GIVEN BY THE MINISTRY\nThe body."


# --- body-only captures whose first heading is the title (L-A2) and those with none (L-D) -------


def test_date_line_then_the_title_block_is_the_current_site_without_skip_link(tmp_path):
    record = page(tmp_path, "June 20, 1966\n\nReport on a Meeting between Enver Hoxha and the Ambassador\n\n"
                  "\n\nThe ambassador said he was leaving Albania.\n\n\nHoxha thanked him.\n")
    assert record.origin.layout == "L-A2"
    assert record.title == "Report on a Meeting between Enver Hoxha and the Ambassador"
    assert record.body == "The ambassador said he was leaving Albania.\n\nHoxha thanked him."


def test_body_only_capture_without_citation_is_rejected_whatever_its_body_opens_with(tmp_path):
    for body in ("At the meeting took part comrades Enver Hoxha and Hysni Kapo.",
                 "RECORD OF CONVERSATION\nAt the meeting took part comrades Enver Hoxha and Hysni Kapo."):
        error = page(tmp_path, f"February 10, 1961\n\n\n    Hoxha and the delegation talk.\n{body}\n")
        assert isinstance(error, ReadError)
        assert "(L-D) prints no title" in error.reason and error.place.field == "title"


def test_summary_that_lost_its_indentation_is_no_title(tmp_path):
    error = page(tmp_path, "February 10, 1961\n\n\nEnver Hoxha and the Korean delegation emphasize the "
                 "friendship between their parties and peoples.\nAt the meeting took part comrades Enver Hoxha "
                 "and Hysni Kapo.\n")
    assert isinstance(error, ReadError) and "(L-D) prints no title" in error.reason
    record = page(tmp_path, "February 10, 1961\n\n\nEnver Hoxha and the Korean delegation emphasize the "
                  f"friendship between their parties and peoples.\n{citation(quotes=STRAIGHT)}\nThe body.\n")
    assert (record.origin.layout, record.title, record.body) == ("L-D", TITLE, "The body.")
    assert record.summary.startswith("Enver Hoxha and the Korean delegation")


def test_body_only_capture_with_the_citation_run_on_after_the_summary(tmp_path):
    record = page(tmp_path, f"March 09, 1961\n\n\n    Hoxha and the ambassador talk.{citation(quotes=STRAIGHT)}\n"
                  "English HTML\n\nThe body.\n")
    assert (record.origin.layout, record.title) == ("L-D", TITLE)
    assert (record.summary, record.body) == ("Hoxha and the ambassador talk.", "The body.")


# --- L-C3: the old site without its search header --------------------------------------------------


def c3_page(summary_and_citation: str) -> str:
    return f"""{TITLE.upper()}
This document was made possible with support from the Leon Levy Foundation
CITATION SHARE DOWNLOAD-
Citation
get citation
{summary_and_citation}
- Download
VIEW DOCUMENT IN
English HTML
The body, first line.
March 10, 1961
"""


@pytest.mark.parametrize("summary", [
    "Hoxha and the ambassador talk.",
    'Hoxha calls the talks "a betrayal." The ambassador disagrees!',  # quotations before the citation
    "",
])
def test_lc3_summary_run_on_into_the_citation_ending_with_share(tmp_path, summary):
    record = page(tmp_path, c3_page(f'{summary}{citation(quotes=STRAIGHT)} - Share'))
    assert record.origin.layout == "L-C3"
    assert record.title == TITLE  # the citation's case, not the upper-case heading
    assert record.date.text == "March 09, 1961"  # the citation's; the body's date line is body
    assert record.summary == (summary or None)
    assert (record.source, record.identifiers.url) == (SOURCE, URL)
    assert record.citation.endswith(URL)
    assert record.body == "The body, first line.\nMarch 10, 1961"
    assert [f.name for f in record.funders] == ["Leon Levy Foundation"]


def test_lc3_without_citation_keeps_the_upper_case_heading(tmp_path):
    record = page(tmp_path, c3_page("Hoxha and the ambassador talk."))
    assert record.title == TITLE.upper() and record.date is None


def test_current_site_page_whose_title_line_is_lost_has_no_title(tmp_path):
    error = page(tmp_path, "May 19, 1965\nThis document was made possible with support from Leon Levy "
                 "Foundation\nBody line.\n")
    assert isinstance(error, ReadError) and "(L-B0) prints no title" in error.reason


def test_old_site_summary_in_a_block_of_its_own(tmp_path):
    record = page(tmp_path, f"""Search in
·
August 14, 1957
·
  • Citation
·
    get citation
·
    Hoxha and the ambassador talk.
·
    {citation(quotes=STRAIGHT)}
  • share document
·
English HTML
·
The body.
""")
    assert (record.title, record.summary, record.body) == (TITLE, "Hoxha and the ambassador talk.", "The body.")


def test_old_site_page_cut_before_its_citation_has_no_title(tmp_path):
    error = page(tmp_path, "Search in\n\nDigital Archive International History Declassified\n\n"
                 "March 09, 1961\n\n  • Citation\n\n    get citation\n\n    Hoxha and the ambassador talk")
    assert isinstance(error, ReadError) and "(L-C2) prints no title" in error.reason


# --- L-F: vdocument's transcript of the export -------------------------------------------------------


def transcript_page(cover: str) -> str:
    return f"""{TITLE.lower()[:50]}

14
{cover}

Upload: happ-mirror

Post on 02-Feb-2022

12 views

Category:

Documents

1 download

TRANSCRIPT

Page 1: {TITLE[:50]}

Digital ArchiveInternational History Declassified

digitalarchive.wilsoncenter.org

March 09, 1961{TITLE[:50]}

{TITLE[50:].strip()}

Citation:{citation().replace("History and", "Historyand")}

Summary:Hoxha and the ambassador talk.

Original Language:Albanian

Contents:English Translation

Page 2: {TITLE[:50]}

RECORD OF CONVERSATION

Tirana, 9 March 1961
"""


@pytest.mark.parametrize("cover", [FLAT.split(" Contents:")[0] + " Contents: English Translation", ""])
def test_lf_transcript_with_or_without_the_cover_copy(tmp_path, cover):
    record = page(tmp_path, transcript_page(cover))
    assert record.origin.layout == "L-F"
    assert (record.title, record.date.text) == (TITLE, "March 09, 1961")
    assert record.summary == "Hoxha and the ambassador talk."
    assert record.languages == ("Albanian",)
    assert (record.source, record.identifiers.url) == (SOURCE, URL)
    assert record.body == "RECORD OF CONVERSATION\nTirana, 9 March 1961"  # no "Page 2:" line


# --- detection --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.txt")))
def test_leading_empty_lines_and_windows_line_ends_change_nothing(tmp_path, name):
    text = (FIXTURES / name).read_text(encoding="utf-8")
    original, moved = page(tmp_path, text, "a.txt"), page(tmp_path, "\n\n" + text.replace("\n", "\r\n"), "b.txt")
    if isinstance(original, ReadError):
        assert isinstance(moved, ReadError) and moved.reason == original.reason
        return
    assert detect_layout(text.split("\n")) == original.origin.layout == moved.origin.layout
    for field in ("title", "date", "summary", "body", "source", "citation", "credit", "languages"):
        assert getattr(moved, field) == getattr(original, field), field


def test_stray_metadata_value_is_no_funder(tmp_path):
    record = page(tmp_path, """Skip to content

April 3, 1971

A Title

The body.

The summary.

Document Information

Original Uploaded Date

Conversation Record

Type

Letter

Record ID

113067
""")
    assert record.funders == ()
    assert record.identifiers.record_id == "113067"


# --- the citation inside a block ----------------------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abc XYZ,.!?'\"“”")), max_size=60), st.sampled_from(["", " ", "\n"]))
def test_citation_found_after_any_summary(sentence, joint):
    """Whatever the summary holds (quotations, sentence ends), the citation after it gives the title,
    also when the two run together with no space."""
    summary = f"{sentence.strip()}."
    before, values = find_citation(f"{summary}{joint}{citation(quotes=STRAIGHT)}")
    assert (before, values["title"]) == (summary, TITLE)
