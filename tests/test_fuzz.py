"""Fuzzing (issue 19): hostile records in the shapes of the real corpus, through ``lod export``.

Hypothesis draws which mutations ``benchmarks/hostile.py`` makes to realistic records, in
which order and how often (byte flips, type swaps, deletions, huge and deeply nested values,
odd encodings, brackets in URLs, control and bidi characters ...), and the seed of the
records themselves. Whatever it draws: no traceback, the
exit status the README gives, every record accounted for, every output parsing in rdflib
and pyoxigraph; and with a Wikidata that fails in every way it can, the names are left
unchecked and nothing but a well-formed answer is cached. ``benchmarks/fuzz_bench.py``
runs the same over 10,000 records.
"""

from __future__ import annotations

import contextlib
import csv
import importlib.util
import io
import json
import random
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lod.config import Config, ExportOptions
from lod import pipeline
from lod.cli import main
from lod.limits import Limits
from lod.link import OnlineFallback
from lod.link.authority import load_index
from lod.link.resolve import Linker
from lod.link.wikidata import WikidataClient
from lod.map import Settings
from tests.wikidata_fake import FAULTS, FakeWikidata

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _load(name: str):
    sys.path.insert(0, str(BENCHMARKS))  # hostile.py imports synthetic.py beside it
    try:
        spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules.setdefault(name, module)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(BENCHMARKS))


hostile = _load("hostile")
FUZZ = settings(deadline=None, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def export_with_cli(folder: Path, files: dict) -> tuple[int, dict, str, int]:
    """``lod export`` in process: exit status, report.json, stderr, records to account for."""
    expected = hostile.write(folder / "in", files)
    config = folder / "lod.toml"
    config.write_text("[limits]\n" + "".join(f"{k} = {v}\n" for k, v in hostile.LIMITS.items()), encoding="utf-8")
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        status = main(["export", str(folder / "in"), "--out", str(folder / "out"), "--workers", "1",
                       "--config", str(config)])
    report_path = folder / "out" / "report.json"
    if not report_path.exists():  # nothing exported over a previous export: the report beside it
        report_path = folder / "out" / ".lod" / "report.json"
    return status, json.loads(report_path.read_text(encoding="utf-8")), err.getvalue(), expected


SEEDS = st.integers(0, 2**32 - 1)
KINDS = st.lists(st.sampled_from(hostile.KINDS), max_size=6).map(tuple)


@settings(FUZZ, max_examples=40)
@given(SEEDS, st.sampled_from([0.2, 0.5, 0.9]), KINDS)
def test_hostile_records_never_stop_the_export(seed, hostility, kinds):
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        files = hostile.corpus(random.Random(seed), 10, hostility, kinds=kinds)
        status, report, stderr, expected = export_with_cli(folder, files)
        assert hostile.problems(folder / "out", report, expected, status) == []
        lines = stderr.splitlines()
        assert all(line.startswith("lod: ") for line in lines), stderr  # no traceback, one line each
        assert sum(line.startswith("lod: error: ") for line in lines) == len(report["rejected"])


def test_the_accounting_helper_sums_what_report_json_gives():
    report = {"read": 9, "exported": 3, "merged_count": 2, "rejected_count": 4, "rejected": []}
    assert hostile.accounted(report) == 9
    assert hostile.problems(Path("/nowhere"), {**report, "exported": 0, "rejected_count": 7}, 9) == []
    assert hostile.problems(Path("/nowhere"), {**report, "exported": 0, "rejected_count": 6}, 9) != []


def test_a_corpus_of_good_records_is_published_whole():
    """The good records beside the hostile ones are published: with no mutation, all of them."""
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        status, report, stderr, expected = export_with_cli(folder, hostile.corpus(random.Random(7), 20, 0.0))
        assert (status, report["exported"], report["rejected"], stderr) == (0, expected, [], "")
        assert hostile.problems(folder / "out", report, expected, status) == []


@pytest.mark.parametrize("workers", [2])
def test_hostile_records_in_worker_processes(tmp_path, workers):
    """The same promises when records are parsed in worker processes (the default)."""
    files = hostile.corpus(random.Random(11), 40, 0.7)
    expected = hostile.write(tmp_path / "in", files)
    report = pipeline.export([str(tmp_path / "in")], tmp_path / "out", Config(limits=Limits(**hostile.LIMITS)),
                             options=ExportOptions(now="2026-01-01T00:00:00Z", workers=workers))
    written = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert hostile.problems(tmp_path / "out", written, expected, report.status) == []


def test_the_fuzz_benchmark_runs_and_finds_nothing(tmp_path):
    result = subprocess.run([sys.executable, str(BENCHMARKS / "fuzz_bench.py"), "--records", "40",
                             "--workers", "1", "--keep", str(tmp_path)], capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "| tracebacks | 0 |" in result.stdout and "| records unaccounted for | 0 |" in result.stdout
    assert "| unparseable outputs | 0 |" in result.stdout and "| rejections by class | records |" in result.stdout


# --- a Wikidata that fails in every way ------------------------------------------------------


@pytest.fixture(scope="module")
def fake():
    with FakeWikidata(drip_seconds=0.02) as server:
        yield server


FAULTY = [f for f in FAULTS if f not in ("slow",)]  # "slow" is "drip" with one long pause


@settings(FUZZ, max_examples=8)
@given(SEEDS, st.lists(st.tuples(st.sampled_from(FAULTY), st.integers(1, 4)), max_size=4), st.booleans())
def test_an_online_export_with_a_faulty_wikidata_completes_and_caches_only_good_answers(
        fake, seed, schedule, always):
    fake.fail_always(None)
    with fake._lock:
        fake._faults.clear()
    for fault, times in schedule:
        fake.fail_next(fault, times=times)
    if always and schedule:
        fake.fail_always(schedule[-1][0])
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        files = hostile.corpus(random.Random(seed), 6, 0.3)
        files["fakeov.jsonl"] = (json.dumps({"title": "On Ivan Fakeov", "original_publication_date": "1975",
                                             "associated_people_orgs": ["Fakeov, Ivan"]}).encode() + b"\n", 1)
        expected = hostile.write(folder / "in", files)
        cache = folder / "cache.sqlite"
        client = WikidataClient(endpoint=fake.url, user_agent="lod-tests/0 (lod@example.org)", timeout=0.2,
                                max_retries=1, sleep=lambda seconds: None, cache_path=cache, deadline=20)
        fallback = OnlineFallback(client)
        report = pipeline.export([str(folder / "in")], folder / "out", Config(limits=Limits(**hostile.LIMITS)),
                                 Linker(load_index(), fallback), ExportOptions(now="2026-01-01T00:00:00Z"))
        client.close()
        written = json.loads((folder / "out" / "report.json").read_text(encoding="utf-8"))
        assert hostile.problems(folder / "out", written, expected, report.status) == []
        with (folder / "out" / "links.csv").open(encoding="utf-8", newline="") as rows:
            statuses = {row["status"] for row in csv.DictReader(rows) if row["method"] == "wikidata-api"}
        assert ("unchecked" in statuses) == bool(fallback.down)
        with contextlib.closing(sqlite3.connect(cache)) as db:
            for key, body in db.execute("SELECT key, body FROM responses"):
                params = dict(json.loads(key)[1])
                assert json.loads(body) == json.loads(json.dumps(fake._answer(params))), params
