"""``benchmarks/synthetic.py`` and ``benchmarks/export_bench.py``: shapes and a smoke run, no timings."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from conftest import load_benchmark as _load

from lod.config import Config, ExportOptions
from lod.model import Record
from lod.read import read_inputs

BENCHMARKS = ROOT / "benchmarks"
synthetic = _load("synthetic")


def _records(paths: list[Path]) -> list[Record]:
    items = list(read_inputs([str(p) for p in paths]))
    problems = [item for item in items if not isinstance(item, Record)]
    assert not problems, problems[:5]
    return items


def test_generate_is_deterministic_and_every_file_reads(tmp_path):
    stats: dict = {}
    first = synthetic.generate(400, tmp_path / "a", seed=0, stats=stats)
    second = synthetic.generate(400, tmp_path / "b", seed=0)
    assert [p.relative_to(tmp_path / "a") for p in first] == [p.relative_to(tmp_path / "b") for p in second]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(first, second))
    assert {p.suffix for p in first} == {".jsonl", ".csv", ".txt"}
    assert stats["jsonl"] + stats["csv"] + stats["txt"] == 400 and stats["txt"] > 0

    records = _records(first)
    assert len(records) == 400
    assert len({r.key for r in records}) == 400
    assert len({r.identifiers.record_id for r in records}) == 400
    assert {r.origin.layout for r in records if r.origin.file.endswith(".txt")} == {"L-B0"}
    assert not [r for r in records if r.warnings]
    text = "".join((r.body or "") + r.title for r in records)
    for script in ("Ж", "国", "한", "ō", "ü", "ș", "ğ"):  # Cyrillic, CJK, Hangul, diacritics
        assert any(ch in text for ch in script), script
    assert not [p for p in first if re.search(r"\bQ[1-9][0-9]*\b", p.read_text(encoding="utf-8"))]  # no QIDs


def test_generate_is_a_prefix_for_any_n(tmp_path):
    small = {r.key: r for r in _records(synthetic.generate(60, tmp_path / "small"))}
    large = {r.key: r for r in _records(synthetic.generate(300, tmp_path / "large"))}
    assert small.keys() <= large.keys()
    assert all(small[k].title == large[k].title and small[k].body == large[k].body for k in small)


def test_names_hit_and_miss_the_authority_table(tmp_path):
    from lod.link import offline_linker

    linker = offline_linker()
    statuses = {e.link.status for r in _records(synthetic.generate(100, tmp_path / "in"))
                for _, e in linker(r).entities() if e.link}
    assert {"linked", "unknown"} <= statuses


@pytest.mark.slow
def test_export_bench_smoke_run_prints_the_table(tmp_path):
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "export_bench.py"), "--docs", "200", "--reference-docs", "50",
         "--keep", str(tmp_path / "work")],
        capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "machine: " in out and " cores " in out and "Python " in out
    assert "| run | docs | wall s | CPU s | docs/s | ms/doc | peak RSS MB |" in out
    assert "| lod export, default outputs | 200 |" in out
    assert "| lod export, default outputs (N/10) | 20 |" in out
    assert "| naive reference (rdflib + pyld) | 50 |" in out
    assert "| lod export --formats nt (dump only) |" in out
    assert "reference / lod, time per document: " in out
    assert "peak RSS of lod export: " in out and "growth " in out
    assert "floor: lod's stages in one process on 50 records, nothing written, CPU ms per document: read " in out
    assert "cores would export at most " in out and " docs/s dump-only" in out
    assert "lod export, default outputs: exit status 0, 200 documents exported, 0 rejected" in out
    assert "naive reference (rdflib + pyld): exit status 0, 50 documents exported, 0 rejected" in out
    assert (tmp_path / "work" / "out-reference" / "dataset.nt.gz").exists()


def test_floor_covers_every_stage_and_bounds_throughput_by_the_cores(tmp_path):
    export_bench = _load("export_bench")
    floor = export_bench.stage_floor([str(path) for path in synthetic.generate(30, tmp_path / "in")])
    assert floor["documents"] == 30
    assert list(floor["ms"]) == list(export_bench.STAGES) and all(ms >= 0 for ms in floor["ms"].values())
    # 1 ms per document in all, 0.5 ms up to N-Triples: 2 cores make 2,000 and 4,000 docs/s
    lines = export_bench.floor_lines(
        {"documents": 30, "ms": {"read": 0.1, "link": 0.2, "map": 0.1, "nt": 0.1, "ttl": 0.2, "jsonld": 0.3}}, 2)
    assert "sum 1.00 (dump-only 0.50)" in lines[0]
    assert lines[1].endswith("2 cores would export at most 2,000 docs/s with the default outputs "
                             "and 4,000 docs/s dump-only")


def test_compression_bench_compares_the_codecs_on_the_dump(sample_export, capsys):
    compression_bench = _load("compression_bench")
    assert compression_bench.main([str(sample_export.out), "--megabytes", "1"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| ") and "level" in line]
    assert [row.split(" | ")[0][2:] for row in rows] == [name for name, _, _ in compression_bench.CANDIDATES]
    assert all(re.search(r"\| [\d.]+ % \|$", row) for row in rows)


PAGE_FIXTURES = ROOT / "tests" / "fixtures" / "pages"
PAGE_MANIFEST = ROOT / "tests" / "fixtures" / "pages-manifest.tsv"


def test_pages_eval_scores_the_page_fixtures(capsys):
    pages_eval = _load("pages_eval")
    assert pages_eval.main([str(PAGE_FIXTURES), "--manifest", str(PAGE_MANIFEST)]) == 0
    out = capsys.readouterr().out
    assert "pages read: 15 records from 16 pages (15 print a title)" in out
    assert "titles exact: 16/16 (100.0 %)" in out and "dates exact: 16/16 (100.0 %)" in out
    assert "layouts as the manifest: 15/16 (93.8 %)" in out  # the rejected page has no layout
    assert "pages rejected: 1\n  ld-date-repeat.txt [L-D] page (L-D) prints no title" in out
    assert "mismatches: 0\n" in out
    # The collection: every titled page a document, same-titled ones apart, the same bytes in any order.
    assert "documents published: 15 of 15 expected\n" in out
    assert "junk person/organization nodes: 0/" in out
    assert re.search(r"5 exports with shuffled input order: byte-identical \(\d+ files each\)", out)


def test_pages_eval_lists_what_does_not_match(tmp_path, capsys):
    pages_eval = _load("pages_eval")
    rows = PAGE_MANIFEST.read_text(encoding="utf-8").split("\n")
    changed = [row.replace("\tJune 07, 1955", "\tJune 7, 1955")  # the same date printed another way
               .replace("\tMarch 03, 1959", "\tMarch 4, 1959")
               .replace("Telegram, Embassy of", "Telegram,  Embassy of")  # spaces are collapsed
               .replace("Ciphered Telegram, Mao", "Cable, Mao") for row in rows]
    changed.append("missing.txt\tL-A\tA Title\tMay 1, 1950")
    manifest = tmp_path / "manifest.tsv"
    manifest.write_text("\n".join(changed), encoding="utf-8")
    assert pages_eval.main([str(PAGE_FIXTURES), "--manifest", str(manifest), "--no-export"]) == 0
    out = capsys.readouterr().out
    assert "documents published" not in out
    assert "titles exact: 15/17 (88.2 %)" in out and "dates exact: 15/17 (88.2 %)" in out
    assert "  missing.txt [L-A] file missing (NOT expected)" in out
    assert "mismatches: 2\n  le-docslib-first-line.txt [L-E read as L-E] date expected 'March 4, 1959', " \
           "got 'March 03, 1959'\n  le-pdf-export.txt [L-E read as L-E] title\n" \
           "      expected 'Cable, Mao Zedong to Filippov [Stalin]'" in out


def test_pages_eval_without_its_folder_says_so_and_succeeds(tmp_path, capsys):
    pages_eval = _load("pages_eval")
    assert pages_eval.main([str(tmp_path / "absent")]) == 0
    assert "MANIFEST.tsv not found; nothing to score" in capsys.readouterr().out


@pytest.mark.slow
def test_serve_scale_smoke_run_prints_the_tables(tmp_path):
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "serve_scale.py"), "--docs", "200", "--baseline", "none",
         "--keep", str(tmp_path / "work")],
        capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    out = result.stdout
    assert "| `lod export` (the store included) |" in out and "| `lod serve` | store written by the export |" in out
    assert re.search(r"Its update for the re-export \(\d+ documents changed\), the store product alone: \*\*", out)
    for row in ("first SPARQL answer", "SPARQL: count of persons: first", "entity page (HTML): first",
                "RSS, server + SPARQL workers"):
        assert f"| {row}" in out, row


def test_serve_scale_reports_a_server_that_does_not_answer_instead_of_dying(tmp_path):
    import os

    serve_scale = _load("serve_scale")
    result = serve_scale.serve_and_measure("nothing to serve", tmp_path / "absent", ROOT, dict(os.environ),
                                           "key", "http://example.org/id/document/key", "doc/person/x", wait=30)
    assert result.started is None and result.failures
    assert "did not answer" in result.failures[0]
    assert serve_scale.ms(None) == "no answer"


@pytest.mark.slow
def test_export_ab_smoke_run_prints_the_ratios():
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "export_ab.py"), "--baseline", "HEAD", "--docs", "30", "--rounds", "1"],
        capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "| | baseline HEAD | current | current / baseline |" in result.stdout
    for row in ("wall s", "CPU s", "peak RSS MB"):
        assert re.search(rf"^\| {row} \| [\d,.]+ \| [\d,.]+ \| \d+\.\d\d \|$", result.stdout, re.M), row


@pytest.mark.slow
def test_serve_load_search_smoke_run_reports_searches_against_the_document_get():
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "serve_load.py"), "--search", "40", "--requests", "30",
         "--search-concurrency", "1,2", "--json"], capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr[-3000:] + result.stdout[-3000:]
    answer = json.loads(result.stdout)
    assert answer["documents"] == 40 and answer["index_bytes"] > 0
    assert sorted(answer["results"]) == sorted(f"{load}, c={c}" for c in (1, 2) for load in (
        "document GET (HTML)", "search (HTML)", "search (JSON)"))
    for load in answer["results"].values():
        assert load["requests"] == 30 and load["errors"] == 0 and load["p50_ms"] <= load["p99_ms"]


def test_search_paths_are_a_historians_mix():
    serve_load = _load("serve_load")
    facets = {"/search/person": ["Eisaku Satō", "Kim Il Sung"], "/search/place": ["Moscow"],
              "/search/subject": ["Korea (North)--Foreign relations--China"]}
    answers = {path: {"values": [{"label": label, "value": label.lower().replace(" ", "-")} for label in labels]}
               for path, labels in facets.items()}
    paths = serve_load.search_paths(answers.__getitem__, 200)
    assert len(paths) == 200 and all(path.startswith("/search?q=") for path in paths)
    distinct = set(paths)
    assert "/search?q=Eisaku+Sat%C5%8D" in distinct and "/search?q=Sato" in distinct  # with and without
    assert "/search?q=Kim+Il+Sung&place=moscow" in distinct and "/search?q=China" in distinct
    assert "/search?q=%22shipment+of+grain%22" in distinct and "/search?q=delegation&page=2" in distinct


def test_search_index_bench_writes_the_index_three_ways(tmp_path, capsys):
    import site_records
    from lod import pipeline
    from lod.link import offline_linker
    from lod.config import Settings

    pipeline.export([str(site_records.write(tmp_path / "in"))], tmp_path / "out", Config(), offline_linker(),
                    ExportOptions(now="2026-01-01T00:00:00Z"))
    bench = _load("search_index_bench")
    assert bench.main([str(tmp_path / "out"), "--changed", "0.1"]) == 0
    out = capsys.readouterr().out
    assert f"search index of {site_records.COUNT} documents" in out
    for run in ("from scratch", "incremental, 7 changed", "incremental, none changed"):
        assert f"\n{run} " in out, run
