"""The ``lod`` command: exit status, messages, report.json, in process and as a subprocess."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lod import __version__
from lod.cli import main
from conftest import document_files
from lod.map.profiles import registered

ROOT = Path(__file__).resolve().parents[1]
RECORDS = Path(__file__).parent / "fixtures" / "records"
BAD = RECORDS / "bad"
ERROR_LINE = re.compile(r"^lod: error: (?P<file>.+?)(?:, line (?P<line>\d+))?(?:, field '[^']+')?: "
                        r"(?P<reason>.+)$")
SUMMARY = re.compile(r"^lod export: (?P<read>\d+) records read: (?P<exported>\d+) documents exported"
                     r"(?:, (?P<merged>\d+) merged into other captures)?, (?P<rejected>\d+) rejected; "
                     r"(?P<skipped>\d+) files skipped, \d+ triples(?: \([^)]*\))? -> ")


@pytest.fixture(autouse=True)
def in_empty_folder(tmp_path, monkeypatch):
    """Run where no lod.toml or authorities.tsv can change the outcome."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def mixed_folder(tmp_path) -> Path:
    """Good files, files with some bad records, wholly bad files and a file of unknown type."""
    folder = tmp_path / "inputs"
    folder.mkdir()
    for path in [RECORDS / "sample.jsonl", RECORDS / "sample.csv", *BAD.iterdir()]:
        shutil.copy(path, folder / path.name)
    return folder


# Good records of the mixed folder: 6 + 4 sample records, lines 1 and 3 of bad-json-line,
# line 2 of missing-title, the undated bad-date record and the hostile record.
MIXED_EXPORTED = 6 + 4 + 2 + 1 + 1 + 1
MIXED_REJECTED = {
    ("bad-json-line.jsonl", 2), ("missing-title.jsonl", 1), ("latin1.txt", 6), ("nul-bytes.jsonl", 1),
    ("empty.jsonl", None), ("wrong-header.csv", 1),
}


def report_of(out: Path) -> dict:
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def documents(out: Path, extension: str) -> list[Path]:
    return document_files(out, extension)


def check_export(out: Path, stdout: str, exported: int) -> dict:
    """One summary line that agrees with report.json, and every document written whole."""
    lines = stdout.splitlines()
    assert len(lines) == 1, stdout
    summary = SUMMARY.match(lines[0])
    assert summary, lines[0]
    report = report_of(out)
    assert report["exported"] == int(summary["exported"]) == exported
    assert len(report["rejected"]) == int(summary["rejected"]) == report["rejected_count"]
    assert report["read"] == int(summary["read"])
    assert report["merged_count"] == int(summary["merged"] or 0)
    # Every record read is published, merged into another capture, or rejected.
    assert report["read"] == report["exported"] + report["merged_count"] + report["rejected_count"]
    assert len(documents(out, ".ttl")) == len(documents(out, ".jsonld")) == exported
    assert {p.suffix for p in (out / "documents").rglob("*") if p.is_file()} <= {".ttl", ".jsonld"}  # no temp files
    return report


def check_errors(stderr: str, report: dict) -> None:
    """One ``lod: error: <file>, line N: <reason>`` line per rejected record, nothing else (in the order
    the export met them: file-level errors while reading, record errors while rendering)."""
    lines = stderr.splitlines()
    assert "\r" not in stderr  # no progress bar when stderr is not a terminal
    assert len(lines) == len(report["rejected"]), stderr
    printed = []
    for line in lines:
        match = ERROR_LINE.match(line)
        assert match, line
        printed.append((match["file"], match["line"], match["reason"]))
    for entry in report["rejected"]:
        place = (entry["file"], str(entry["line"]) if "line" in entry else None)
        assert any(p[:2] == place and entry["reason"] in p[2] for p in printed), entry


def rejected_places(report: dict) -> set:
    return {(Path(e["file"]).name, e.get("line")) for e in report["rejected"]}


# --- in process: lod.cli.main ----------------------------------------------------------------


def test_export_without_input_exports_the_bundled_sample(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["export", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    report = check_export(out, captured.out, exported=1)
    assert report["rejected"] == [] and captured.err == ""
    assert (out / "dataset.nt.gz").stat().st_size > 0


def test_folder_with_good_and_bad_files_exits_1(tmp_path, capsys, mixed_folder):
    out = tmp_path / "out"
    assert main(["export", str(mixed_folder), "--out", str(out)]) == 1
    captured = capsys.readouterr()
    report = check_export(out, captured.out, exported=MIXED_EXPORTED)
    assert rejected_places(report) == MIXED_REJECTED
    assert all(entry["reason"] and entry["file"].startswith(str(mixed_folder))
               for entry in report["rejected"])
    assert [Path(s["file"]).name for s in report["skipped"]] == ["unknown.xyz"]
    check_errors(captured.err, report)


def test_only_bad_input_exits_2(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["export", str(BAD / "empty.jsonl"), str(BAD / "wrong-header.csv"),
                 "--out", str(out)]) == 2
    captured = capsys.readouterr()
    report = check_export(out, captured.out, exported=0)
    assert rejected_places(report) == {("empty.jsonl", None), ("wrong-header.csv", 1)}
    check_errors(captured.err, report)


def test_unknown_file_named_directly_is_an_error_not_a_skip(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["export", str(BAD / "unknown.xyz"), "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert "unknown file type" in captured.err and report_of(out)["skipped"] == []


def test_missing_input_exits_2(tmp_path, capsys):
    assert main(["export", str(tmp_path / "no-such.jsonl"), "--out", str(tmp_path / "out")]) == 2
    assert "no such file or folder" in capsys.readouterr().err


def test_options_are_never_abbreviated(tmp_path, capsys):
    """`lod link --online` once meant --online-deadline and asked for a number."""
    with pytest.raises(SystemExit) as exited:
        main(["export", "--onl", "--out", str(tmp_path / "out")])
    assert exited.value.code == 2
    assert "unrecognized arguments: --onl" in capsys.readouterr().err
    from lod.cli import build_parser
    assert build_parser().parse_args(["link", "--online"]).online_deadline == 1800.0


def test_bad_base_iri_is_a_usage_error(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["export", "--base", "not-an-iri", "--out", str(out)]) == 2
    captured = capsys.readouterr()
    [line] = captured.err.splitlines()
    assert line.startswith("lod: error: --base: ") and "not-an-iri" in line and "IRI" in line
    assert captured.out == "" and not out.exists()


def test_a_good_base_iri_is_used(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["export", "--base", "https://example.org/lod/", "--out", str(out)]) == 0
    [turtle] = documents(out, ".ttl")
    assert "https://example.org/lod/id/document/" in turtle.read_text(encoding="utf-8")


@pytest.mark.parametrize("argv", [[], ["export", "--no-such-option"], ["no-such-command"]])
def test_command_line_usage_errors_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    assert "usage: lod" in capsys.readouterr().err


def test_mapping_prints_every_registered_profile(capsys):
    assert main(["mapping"]) == 0
    out = capsys.readouterr().out
    assert out.count("| record field | property | value |") == len(registered()) >= 2
    assert all(f"Profile `{p.name}` ({p.title}" in out for p in registered())
    assert "`dcterms:title`" in out and "`schema:name`" in out and "`dc:title`" in out
    assert "Profile `edm` (Europeana Data Model; for its own output only, `--formats +edm`):" in out


def test_version(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"lod {__version__}"


# --- as a subprocess: python -m lod ----------------------------------------------------------


def run_lod(*args: str, cwd: Path, **options) -> subprocess.CompletedProcess:
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path}  # this checkout's lod, installed or not
    return subprocess.run([sys.executable, "-m", "lod", *args], cwd=cwd, env=env, timeout=300,
                          **{"capture_output": True, "text": True, **options})


def test_subprocess_sample_export_into_the_default_folder(tmp_path):
    result = run_lod("export", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    check_export(tmp_path / "output", result.stdout, exported=1)
    assert result.stderr == ""


def test_subprocess_mixed_folder(tmp_path, mixed_folder):
    out = tmp_path / "out"
    result = run_lod("export", str(mixed_folder), "--out", str(out), cwd=tmp_path)
    assert result.returncode == 1
    report = check_export(out, result.stdout, exported=MIXED_EXPORTED)
    check_errors(result.stderr, report)


def test_subprocess_only_bad_input_and_bad_base(tmp_path):
    result = run_lod("export", str(BAD / "empty.jsonl"), "--out", str(tmp_path / "a"), cwd=tmp_path)
    assert result.returncode == 2 and "file is empty" in result.stderr
    result = run_lod("export", "--base", "not-an-iri", "--out", str(tmp_path / "b"), cwd=tmp_path)
    assert result.returncode == 2 and result.stderr.startswith("lod: error: --base: ")


def test_subprocess_version_and_mapping(tmp_path):
    result = run_lod("--version", cwd=tmp_path)
    assert (result.returncode, result.stdout.strip()) == (0, f"lod {__version__}")
    result = run_lod("mapping", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.count("| record field |") == len(registered())


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_progress_bar_only_on_a_terminal(tmp_path):
    """The other tests capture stderr and see no bar; with a terminal as stderr, one is drawn."""
    leader, follower = os.openpty()
    try:
        result = run_lod("export", "--out", str(tmp_path / "out"), cwd=tmp_path,
                         stderr=follower, capture_output=False, stdout=subprocess.PIPE)
    finally:
        os.close(follower)
    drawn = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the terminal has no writer left
            break
        if not chunk:
            break
        drawn += chunk
    os.close(leader)
    assert result.returncode == 0
    assert b"\r[" in drawn and b"1/1 records" in drawn and b"1/1 documents published" in drawn
    assert "\r" not in result.stdout


@pytest.mark.parametrize("workers", ["1", "2"])
def test_records_of_one_landing_page_are_merged_whatever_the_order(tmp_path, capsys, workers):
    """Records with one landing page are one document: merged, never rejected as duplicates; where
    they disagree, the same capture's value wins in any order, and a warning says so."""
    line = json.loads((RECORDS / "sample.jsonl").read_text(encoding="utf-8").split("\n")[0])
    variants = [dict(line, summary=f"Variant {n}.") for n in range(3)]
    rows = [variants[0], variants[1], variants[0], variants[2]]
    outputs = []
    for name, order in (("forward", rows), ("backward", rows[::-1])):
        folder = tmp_path / f"in-{name}"
        folder.mkdir()
        (folder / "same-key.jsonl").write_text("".join(json.dumps(r) + "\n" for r in order), encoding="utf-8")
        out = tmp_path / f"out-{name}"
        assert main(["export", str(folder), "--out", str(out), "--workers", workers]) == 0
        capsys.readouterr()
        report = report_of(out)
        assert report["read"] == 4 and report["exported"] == 1 and report["merged_count"] == 3
        assert report["rejected"] == [] and [len(m["captures"]) for m in report["merged"]] == [4]
        assert any("captures disagree on summary" in w["reason"] for w in report["warnings"])
        assert not (out / "documents" / ".duplicates").exists()
        (turtle,) = documents(out, ".ttl")
        assert len([v for v in variants if v["summary"].encode() in turtle.read_bytes()]) == 1
        outputs.append({p.name: p.read_bytes() for p in (out / "documents").rglob("*") if p.is_file()})
        outputs[-1]["nq"] = b"".join(p.read_bytes() for p in sorted((out / "dumps").glob("*.nq.gz")))
    assert outputs[0] == outputs[1]


def test_serve_takes_the_oai_address_from_lod_toml(tmp_path, monkeypatch, capsys):
    from lod.serve.oai import NOT_SERVED
    out = tmp_path / "out"
    assert main(["export", "--out", str(out)]) == 0
    config = tmp_path / "lod.toml"
    config.write_text('[dataset]\ncontact_email = "archive@example.org"\n', encoding="utf-8")
    served = []
    monkeypatch.setattr("lod.serve.server.serve", lambda folder, host, port, options: served.append(options))
    assert main(["serve", str(out), "--config", str(config)]) == 0
    assert served[-1].oai.admin_email == "archive@example.org"
    assert NOT_SERVED not in capsys.readouterr().err
    assert main(["serve", str(out), "--config", str(config), "--oai-admin-email", "oai@example.org"]) == 0
    assert served[-1].oai.admin_email == "oai@example.org"
    monkeypatch.chdir(tmp_path / "out")  # no lod.toml here: no address, and serve says so
    capsys.readouterr()
    assert main(["serve", "."]) == 0
    assert served[-1].oai.admin_email is None and NOT_SERVED in capsys.readouterr().err
