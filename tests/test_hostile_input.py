"""Hostile input (issue 19): each class of bad record is rejected with its own reason — or read,
when it can be — and the good records beside it are still published.

Each case is a file of invented records in the archive's shapes: the hostile one between
good ones. The export must finish (no hang: an alarm fails the test instead), account for
every record, and write only output that parses.
"""

from __future__ import annotations

import codecs
import contextlib
import json
import os
import signal
import socket
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef

import lod.render as rendering
from lod import pipeline
from lod.config import Config, ExportOptions, load_config
from lod.errors import ConfigError, ReadError
from lod.limits import Limits
from lod.link import offline_linker
from lod.map import Settings
from lod.model import Record
from lod.publish.validate import validate_export
from lod.read import fields, read_file, read_inputs
from conftest import NOW, document_file, document_files

DCTERMS = "http://purl.org/dc/terms/"
SCHEMA = "http://schema.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"


def good(number: int, **fields_) -> dict:
    """An invented record in the archive's field names."""
    return {"title": f"Telegram No. {number} from the Embassy in Pyongyang", "record_id": str(900_000 + number),
            "document_url": f"https://digitalarchive.example.org/document/{900_000 + number}",
            "original_publication_date": "March 5, 1965", "authors": ["Puzanov, Aleksandr"],
            "associated_places": '["Pyongyang", "Moscow"]', "summary": "The ambassador reports a talk.",
            "original_upload_date": "2023-10-05", **fields_}


def jsonl(path: Path, *records: dict | str) -> Path:
    """``records`` one a line (a str is written as it is)."""
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records),
                    encoding="utf-8")
    return path


CSV_HEADER = "title,record_id,original_publication_date,text_body,authors"


def csv_rows(path: Path, *rows: str, encoding: str = "utf-8") -> Path:
    path.write_bytes("".join(f"{row}\n" for row in (CSV_HEADER, *rows)).encode(encoding))
    return path


@contextlib.contextmanager
def deadline(seconds: int = 60):
    """Fail instead of hanging (a FIFO read blocks forever)."""
    def stop(*_):
        raise TimeoutError(f"the export did not finish within {seconds} s")
    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def export(inputs, out: Path, limits: Limits = Limits()) -> dict:
    """Export (offline, one process) and give report.json, after checking every output parses."""
    with deadline():
        pipeline.export([str(i) for i in inputs], out, Config(limits=limits), offline_linker(),
                        ExportOptions(now=NOW))
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    for turtle in document_files(out, ".ttl"):
        ox.parse(turtle.read_bytes(), format=ox.RdfFormat.TURTLE)
        ox.parse((turtle.with_suffix(".jsonld")).read_bytes(), format=ox.RdfFormat.JSON_LD)
    return report


def rejected(report: dict) -> dict[tuple[str, int | None], dict]:
    return {(Path(e["file"]).name, e.get("line")): e for e in report["rejected"]}


def titles(out: Path) -> set[str]:
    graph = Graph()
    for turtle in document_files(out, ".ttl"):
        graph.parse(turtle)
    return {str(o) for o in graph.objects(None, URIRef(DCTERMS + "title"))}


def records_and_errors(path: Path, limits: Limits = Limits()) -> tuple[list[Record], list[ReadError]]:
    items = list(read_file(str(path), limits))
    return [i for i in items if isinstance(i, Record)], [i for i in items if isinstance(i, ReadError)]


# --- URLs ------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["http://[::1", "https://digitalarchive.example.org]/document/5",
                                 "https://[digitalarchive.example.org/document/5"])
def test_a_bracket_that_makes_the_url_unusable_falls_back_to_the_record_id_with_a_warning(tmp_path, url):
    path = jsonl(tmp_path / "r.jsonl", good(1), good(2, document_url=url), good(3))
    report = export([path], tmp_path / "out")
    assert report["exported"] == 3 and report["rejected"] == []
    (warning,) = report["warnings"]
    assert warning["line"] == 2 and warning["key"] == "record-900002" and "is not a URL" in warning["reason"]
    turtle = document_file(tmp_path / "out", "record-900002", ".ttl").read_text(encoding="utf-8")
    assert "schema:url" not in turtle


def test_a_url_too_long_for_an_iri_keeps_its_key_and_gives_no_schema_url(tmp_path):
    url = "https://digitalarchive.example.org/" + "x/" * 1_100 + "document/900002"
    path = jsonl(tmp_path / "r.jsonl", good(1), good(2, document_url=url))
    report = export([path], tmp_path / "out")
    assert report["exported"] == 2 and "over the 2,048 lod writes as an IRI" in report["warnings"][0]["reason"]
    turtle = document_file(tmp_path / "out", "900002", ".ttl").read_text(encoding="utf-8")
    assert "schema:url" not in turtle and "x/x/" not in turtle


def test_brackets_in_the_path_of_a_url_are_escaped_and_the_url_kept(tmp_path):
    path = jsonl(tmp_path / "r.jsonl", good(1, document_url="https://digitalarchive.example.org/document/[5]"))
    report = export([path], tmp_path / "out")
    assert report["exported"] == 1 and report["warnings"] == []
    assert "/document/%5B5%5D" in document_files(tmp_path / "out", ".ttl")[0].read_text("utf-8")


# --- JSON: escapes, nesting, types ------------------------------------------------------------


DEEP = "[" * 1_000 + "]" * 1_000


@pytest.mark.parametrize("record, field, reason", [
    (good(2, authors='["Kim Il Sung", "\\ud800"]'), "authors", "lone surrogate"),
    (good(2, associated_places='["Seoul", "\\u0000"]'), "associated_places", "NUL"),
    (good(2, authors=DEEP), "authors", "nested too deeply"),
    (good(2, wikidata='{"Kim Il Sung": ' + DEEP + "}"), "wikidata", "nested too deeply"),
    (good(2, authors=[{"name": "Kim Il Sung"}]), "authors", "value 1 is an object"),
    (good(2, authors=["Kim Il Sung", ["Choe Yong-gon"]]), "authors", "value 2 is a list"),
    (good(2, authors='[["Choe Yong-gon"]]'), "authors", "value 1 is a list"),
    (good(2, authors=[True]), "authors", "a boolean (true)"),
    (good(2, title=True), "title", "should be text, not a boolean (true)"),
    (good(2, title={"en": "A title"}), "title", "not an object"),
    (good(2, summary=["A", "list"]), "summary", "not a list"),
    ('{"title": 1e999, "record_id": "2"}', "title", "not the number inf"),
    (good(2, wikidata={"Kim Il Sung": ["Q41117"]}), "wikidata", "must map names to QIDs"),
])
def test_a_value_of_the_wrong_json_type_is_rejected_by_field(tmp_path, record, field, reason):
    path = jsonl(tmp_path / "r.jsonl", good(1), record, good(3))
    records, errors = records_and_errors(path)
    assert [r.identifiers.record_id for r in records] == ["900001", "900003"]
    (error,) = errors
    assert (error.place.line, error.place.field) == (2, field) and reason in error.reason, error
    assert str(error).startswith(f"{path}, line 2, field '{field}': ")


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(tmp_path, constant):
    path = jsonl(tmp_path / "r.jsonl", good(1), '{"title": %s, "record_id": "2"}' % constant,
                 '{"title": "T", "record_id": "3", "authors": "[%s]"}' % constant)
    records, errors = records_and_errors(path)
    assert [e.place.line for e in errors] == [2]
    assert f"{constant} is not a JSON value" in errors[0].reason
    # in a JSON-encoded list it is no list: the text is one value, as other text is
    assert records[1].authors[0].printed == f"[{constant}]"


def test_json_nested_a_thousand_levels_deep_in_any_field_is_rejected(tmp_path):
    path = jsonl(tmp_path / "r.jsonl", good(1), '{"title": "T", "_provenance": %s}' % DEEP, good(3))
    records, errors = records_and_errors(path)
    assert len(records) == 2 and "nested too deeply" in errors[0].reason and errors[0].place.line == 2


# --- limits ----------------------------------------------------------------------------------


def test_a_line_over_line_bytes_is_rejected_and_never_held_whole(tmp_path):
    limits = Limits(line_bytes=4_096)
    path = jsonl(tmp_path / "r.jsonl", good(1), good(2, text_body="x" * 100_000), good(3))
    records, errors = records_and_errors(path, limits)
    assert [r.identifiers.record_id for r in records] == ["900001", "900003"]
    assert errors[0].place.line == 2 and "longer than 4,096 bytes (limits.line_bytes)" in errors[0].reason


@pytest.mark.parametrize("record, field, reason", [
    (good(2, text_body="x" * 5_000), "text_body", "5,000 bytes of text, over the 4,096 a field may hold"),
    (good(2, text_body="ж" * 2_100), "text_body", "4,200 bytes of text"),
    (good(2, authors=["x" * 5_000]), "authors", "over the 4,096 a field may hold"),
    (good(2, authors=[f"Person {n}" for n in range(11)]), "authors", "11 values, over the 10 a list may hold"),
    (good(2, associated_places="[" + ",".join(['"P"'] * 11) + "]"), "associated_places", "11 values"),
    (good(2, subjects_discussed=["--".join(["Korea"] * 9)]), "subjects_discussed",
     "9 '--' parts, over the 8 a heading may have"),
])
def test_a_field_over_its_limit_is_rejected_by_field(tmp_path, record, field, reason):
    limits = Limits(field_bytes=4_096, list_items=10, subject_parts=8)
    path = jsonl(tmp_path / "r.jsonl", good(1), record, good(3))
    records, errors = records_and_errors(path, limits)
    assert len(records) == 2
    (error,) = errors
    assert (error.place.line, error.place.field) == (2, field) and reason in error.reason, error


def test_limits_hold_pages_too(tmp_path):
    page = tmp_path / "page.txt"
    page.write_text("March 5, 1965\nA Telegram\n" + "Body text. " * 1_000 + "\n", encoding="utf-8")
    assert len(records_and_errors(page)[0]) == 1
    (error,) = records_and_errors(page, Limits(page_bytes=1_000))[1]
    assert "over the 1,000 a page may have (limits.page_bytes)" in error.reason
    (error,) = records_and_errors(page, Limits(field_bytes=1_000))[1]
    assert error.place.field == "text_body"


def test_a_subject_heading_of_a_thousand_parts_is_rejected_or_written_without_recursion(tmp_path):
    heading = "--".join(f"Part {n}" for n in range(1_000))
    path = jsonl(tmp_path / "r.jsonl", good(1), good(2, subjects_discussed=[heading]), good(3))
    report = export([path], tmp_path / "out")
    assert report["exported"] == 2 and "subject_parts" in rejected(report)[("r.jsonl", 2)]["reason"]
    report = export([path], tmp_path / "raised", Limits(subject_parts=1_000))
    assert report["exported"] == 3  # JSON-LD nests 64 levels at most, then refers by @id
    turtle = set(ox.parse(document_file(tmp_path / "raised", "900002", ".ttl").read_bytes(),
                          format=ox.RdfFormat.TURTLE))
    jsonld = document_file(tmp_path / "raised", "900002", ".jsonld").read_bytes()
    assert set(ox.parse(jsonld, format=ox.RdfFormat.JSON_LD)) == turtle


def test_a_statement_too_long_for_rdf_stores_rejects_its_record(tmp_path, monkeypatch):
    """Oxigraph reads a line into a 16 MiB buffer: a longer statement would make the dump unloadable."""
    monkeypatch.setattr(rendering, "STATEMENT_BYTES", 20_000)
    path = jsonl(tmp_path / "r.jsonl", good(1), good(2, text_body="\x01" * 5_000), good(3))
    report = export([path], tmp_path / "out")
    assert report["exported"] == 2
    reason = rejected(report)[("r.jsonl", 2)]["reason"]
    assert "a statement would be" in reason and "RDF stores such as Oxigraph" in reason


def test_limits_are_read_from_lod_toml(tmp_path):
    config = tmp_path / "lod.toml"
    config.write_text("[limits]\nfield_bytes = 2048\nlist_items = 5\n", encoding="utf-8")
    assert load_config(str(config)).limits == Limits(field_bytes=2_048, list_items=5)
    assert load_config(str(tmp_path / "lod.toml")).limits.line_bytes == Limits().line_bytes
    for bad, message in (("field_bytes = 0", "at least 1"), ("field_bytes = true", "at least 1"),
                         ('field_bytes = "1M"', "must be a int"), ("depth = 3", "unknown key 'limits.depth'")):
        config.write_text(f"[limits]\n{bad}\n", encoding="utf-8")
        with pytest.raises(ConfigError, match=message):
            load_config(str(config))


# --- CSV -------------------------------------------------------------------------------------


def test_a_csv_cell_over_128_kib_is_read_and_the_rows_after_it_too(tmp_path):
    path = csv_rows(tmp_path / "r.csv", "First,1,1956,short,A", f"Second,2,1957,\"{'x' * 140_000}\",B",
                    "Third,3,1958,short,C")
    records, errors = records_and_errors(path)
    assert not errors and [r.title for r in records] == ["First", "Second", "Third"]
    assert len(records[1].body) == 140_000


def test_an_unbalanced_quote_rejects_its_row_and_the_rows_after_it_are_read(tmp_path):
    path = csv_rows(tmp_path / "r.csv", "First,1,1956,a,A", '"Second,2,1957,b,B', "Third,3,1958,c,C",
                    "Fourth,4,1959,d,D")
    records, errors = records_and_errors(path)
    assert [r.title for r in records] == ["First", "Third", "Fourth"]
    (error,) = errors
    assert error.place.line == 3 and "malformed CSV" in error.reason and "read again as rows" in error.reason


def test_an_unbalanced_quote_that_meets_a_later_quote_merges_nothing(tmp_path):
    path = csv_rows(tmp_path / "r.csv", '"First,1,1956,a,A', 'Second,2,1957,"b, with a comma",B',
                    "Third,3,1958,c,C")
    records, errors = records_and_errors(path)
    assert [r.title for r in records] == ["Second", "Third"] and [e.place.line for e in errors] == [2]


def test_csv_cells_may_still_span_lines(tmp_path):
    path = csv_rows(tmp_path / "r.csv", 'First,1,1956,"a\nbody, in ""two"" lines",A', "Second,2,1957,b,B")
    records, errors = records_and_errors(path)
    assert not errors and records[0].body == 'a\nbody, in "two" lines'
    assert [r.origin.line for r in records] == [2, 4]  # a row is named by its first line


@pytest.mark.parametrize("row, reason", [
    ("Short,2,1957", "row has 3 cells; the header has 5"),
    ('"Quoted" text,2,1957,b,B', "malformed CSV"),
])
def test_a_row_with_the_wrong_cells_is_rejected_alone(tmp_path, row, reason):
    path = csv_rows(tmp_path / "r.csv", "First,1,1956,a,A", row, "Third,3,1958,c,C")
    records, errors = records_and_errors(path)
    assert [r.title for r in records] == ["First", "Third"]
    assert [(e.place.line, reason in e.reason) for e in errors] == [(3, True)]


def test_a_csv_row_over_line_bytes_is_rejected(tmp_path):
    path = csv_rows(tmp_path / "r.csv", "First,1,1956,a,A", f"Second,2,1957,\"{'x' * 5_000}\",B",
                    "Third,3,1958,c,C")
    records, errors = records_and_errors(path, Limits(line_bytes=4_096))
    assert [r.title for r in records] == ["First", "Third"] and "limits.line_bytes" in errors[0].reason


def test_a_csv_header_that_is_not_utf8_rejects_the_file_in_words_report_json_can_hold(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("tïtle,record_id\nCafé,1\n".encode("latin-1"))
    report = export([path, jsonl(tmp_path / "ok.jsonl", good(1))], tmp_path / "out")
    assert report["exported"] == 1
    assert rejected(report)[("latin1.csv", 1)]["reason"] == "CSV header: not UTF-8 (byte 0xef)"


# --- encodings -------------------------------------------------------------------------------


RECORDS = [good(1, title="Überblick über Pjöngjang 🇰🇵"), good(2, authors=["Satō, Eisaku"])]


@pytest.mark.parametrize("encoding, bom", [
    ("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE),
    ("utf-16-le", b""), ("utf-16-be", b""), ("utf-32-le", codecs.BOM_UTF32_LE), ("utf-32-be", b""),
])
def test_every_reader_reads_utf16_and_utf32_and_boms(tmp_path, encoding, bom):
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in RECORDS)
    (tmp_path / "r.jsonl").write_bytes(bom + lines.encode(encoding))
    rows = "title,record_id,authors\r\n" + "".join(f"\"{r['title']}\",{r['record_id']},\"{r['authors'][0]}\"\r\n"
                                                   for r in RECORDS)
    (tmp_path / "r.csv").write_bytes(bom + rows.encode(encoding))
    page = "March 5, 1965\nÜberblick über Pjöngjang 🇰🇵\nThe ambassador reports.\n"
    (tmp_path / "p.txt").write_bytes(bom + page.encode(encoding))
    items = list(read_inputs([str(tmp_path)]))
    assert not [i for i in items if not isinstance(i, Record)], items
    by_file = {}
    for record in items:
        by_file.setdefault(Path(record.origin.file).name, []).append(record.title)
    assert by_file == {"r.jsonl": [r["title"] for r in RECORDS], "r.csv": [r["title"] for r in RECORDS],
                       "p.txt": [RECORDS[0]["title"]]}


def test_a_spreadsheets_unicode_text_is_read_tab_separated_utf16(tmp_path):
    path = tmp_path / "export.csv"
    rows = ["title\trecord_id\tauthors", "Überblick, mit Komma\t1\tSatō, Eisaku|Kim Il Sung", "Second\t2\t"]
    path.write_bytes(codecs.BOM_UTF16_LE + "\r\n".join(rows).encode("utf-16-le") + "\r\n".encode("utf-16-le"))
    records, errors = records_and_errors(path)
    assert not errors and [r.title for r in records] == ["Überblick, mit Komma", "Second"]
    assert [a.name for a in records[0].authors] == ["Eisaku Satō", "Kim Il Sung"]


def test_a_line_that_is_not_valid_utf16_is_rejected_alone(tmp_path):
    lines = [json.dumps(good(n)).encode("utf-16-le") + "\n".encode("utf-16-le") for n in (1, 2, 3)]
    lines[1] = lines[1][:10] + b"\x00\xd8" + lines[1][10:]  # a lone high surrogate
    path = tmp_path / "r.jsonl"
    path.write_bytes(codecs.BOM_UTF16_LE + b"".join(lines))
    records, errors = records_and_errors(path)
    assert len(records) == 2 and errors[0].place.line == 2 and "not valid UTF-16LE" in errors[0].reason


def test_a_page_that_is_not_valid_utf16_is_rejected_saying_so(tmp_path):
    path = tmp_path / "p.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + "March 5, 1965\nTitle\n".encode("utf-16-le") + b"\x00\xdc")
    (error,) = records_and_errors(path)[1]
    assert "not valid UTF-16LE" in error.reason and error.place.line == 3


def test_a_file_of_utf16_white_space_is_empty(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_bytes(codecs.BOM_UTF16_LE + " \n\n".encode("utf-16-le"))
    (error,) = records_and_errors(path)[1]
    assert error.reason == "file is empty"


# --- files that are not regular --------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifos_devices_sockets_and_broken_links_in_a_folder_are_skipped_not_read(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    jsonl(folder / "a.jsonl", good(1))
    os.mkfifo(folder / "fifo.jsonl")
    (folder / "zero.jsonl").symlink_to("/dev/zero")
    (folder / "gone.csv").symlink_to(folder / "nowhere.csv")
    server = socket.socket(socket.AF_UNIX)
    with contextlib.closing(server):
        server.bind(str(folder / "socket.jsonl"))
        report = export([folder], tmp_path / "out")
    assert report["exported"] == 1 and report["rejected"] == []
    assert {Path(s["file"]).name: s["reason"] for s in report["skipped"]} == {
        "fifo.jsonl": "a named pipe (FIFO); lod reads regular files only",
        "zero.jsonl": "a character device; lod reads regular files only",
        "gone.csv": "a broken symbolic link; lod reads regular files only",
        "socket.jsonl": "a socket; lod reads regular files only",
    }


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_named_on_the_command_line_is_an_error_not_a_hang(tmp_path):
    os.mkfifo(tmp_path / "fifo.jsonl")
    report = export([tmp_path / "fifo.jsonl", jsonl(tmp_path / "a.jsonl", good(1))], tmp_path / "out")
    assert report["exported"] == 1
    assert rejected(report)[("fifo.jsonl", None)]["reason"] == "a named pipe (FIFO); lod reads regular files only"


# --- dates -----------------------------------------------------------------------------------


def test_an_uncertain_date_is_kept_as_plain_text_and_the_export_validates(tmp_path):
    path = jsonl(tmp_path / "r.jsonl", good(1), good(2, original_publication_date="Spring 195?"))
    export([path], tmp_path / "out")
    graph = Graph().parse(document_file(tmp_path / "out", "900002", ".ttl"))
    document = URIRef("http://localhost:8080/id/document/900002")
    assert list(graph.objects(document, URIRef(DCTERMS + "date"))) == [Literal("Spring 195?")]
    assert list(graph.objects(document, URIRef(SCHEMA + "dateCreated"))) == []
    assert validate_export(tmp_path / "out") == []


@pytest.mark.parametrize("upload", ["2023-02-30", "0000-01-01", "2023-13-01", "٢٠٢٣-١٠-٠٥",
                                    "2023-10-05T25:00"])
def test_an_impossible_upload_date_gives_no_ill_typed_literal_and_a_warning(tmp_path, upload):
    path = jsonl(tmp_path / "r.jsonl", good(1, original_upload_date=upload))
    report = export([path], tmp_path / "out")
    assert "upload date" in report["warnings"][0]["reason"]
    graph = Graph().parse(document_files(tmp_path / "out", ".ttl")[0])
    typed = [o for o in graph.objects() if isinstance(o, Literal) and o.datatype]
    assert typed and not [o for o in typed if o.ill_typed]
    (when,) = graph.objects(None, URIRef("http://www.w3.org/ns/prov#generatedAtTime"))
    assert when == Literal(NOW, datatype=URIRef(XSD + "dateTime"))


# --- caches ----------------------------------------------------------------------------------


def test_name_caches_keep_only_short_names():
    before = fields.agent_from_printed.cache_info().currsize
    long_name = "Kim " + "x" * 10_000
    assert fields.agent_from_printed(long_name).name == long_name
    assert fields.agent_from_printed.cache_info().currsize == before
    fields.agent_from_printed("Kim, Il Sung")
    assert fields.agent_from_printed.cache_info().currsize <= before + 1


# --- names -----------------------------------------------------------------------------------


def test_a_file_name_that_is_not_utf8_is_skipped_and_the_report_can_say_so(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    jsonl(folder / "a.jsonl", good(1))
    latin1 = Path(os.fsdecode(bytes(folder) + b"/caf\xe9.jsonl"))
    latin1.write_text(json.dumps(good(2)) + "\n", encoding="utf-8")
    report = export([folder], tmp_path / "out")
    assert report["exported"] == 1
    assert report["skipped"] == [{"file": f"{folder}/caf\\xe9.jsonl",
                                  "reason": "file name is not UTF-8; rename the file to read it"}]


def test_an_error_about_a_file_whose_name_holds_a_line_break_is_still_one_line(tmp_path):
    path = tmp_path / "two\nlines.jsonl"
    path.write_text("{not json\n", encoding="utf-8")
    (error,) = records_and_errors(path)[1]
    assert "\n" not in str(error) and "two\\nlines.jsonl, line 1: invalid JSON" in str(error)
    header = tmp_path / "h.csv"
    header.write_text('"a\nb",c\nx,y\n', encoding="utf-8")
    (error,) = records_and_errors(header)[1]
    assert "\n" not in str(error) and "'a\\nb'" in str(error)
