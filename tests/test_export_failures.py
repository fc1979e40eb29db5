"""When the export itself cannot go on: exit 2, one line, the previous export untouched.

A full disk, an unwritable folder or a second export into the same folder stop an export
(records never do); the previous generation stays readable and byte for byte the same,
and a later run completes to the bytes a clean run gives.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import published
from lod.cli import main
from lod.publish.layout import HIDDEN, PUBLISHED, Layout

ROOT = Path(__file__).resolve().parents[1]
RECORDS = ROOT / "tests" / "fixtures" / "records"
SAMPLE = ROOT / "samples" / "seed-record.txt"
ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600",
       "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}




def lod(*args: str, limit_bytes: int | None = None, **options) -> subprocess.CompletedProcess:
    def limited():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    return subprocess.run([sys.executable, "-m", "lod", *args], env=ENV, capture_output=True, text=True,
                          preexec_fn=limited if limit_bytes else None, **options)


def test_a_disk_that_fills_up_stops_the_export_with_one_line_and_keeps_the_previous_one(tmp_path):
    out = tmp_path / "out"
    first = lod("export", str(SAMPLE), "--out", str(out))
    assert first.returncode == 0, first.stderr
    before = published(out)
    inputs = [str(SAMPLE), str(RECORDS / "sample.jsonl"), str(RECORDS / "sample.csv")]
    full = lod("export", *inputs, "--out", str(out), "--workers", "1", limit_bytes=20_000)
    assert full.returncode == 2
    (line,) = full.stderr.splitlines()
    assert line.startswith("lod: error: ") and "cannot write the export" in line and "Traceback" not in line
    assert published(out) == before
    assert not list((out / HIDDEN).glob("staging-*"))
    again = lod("export", *inputs, "--out", str(out), "--workers", "1")
    clean = lod("export", *inputs, "--out", str(tmp_path / "clean"), "--workers", "1")
    assert again.returncode == clean.returncode == 0, again.stderr
    assert published(out).keys() == published(tmp_path / "clean").keys()
    assert {k: v for k, v in published(out).items() if "journal" not in k and "changes" not in k
            and "state" not in k} == {k: v for k, v in published(tmp_path / "clean").items()
                                      if "journal" not in k and "changes" not in k and "state" not in k}


@pytest.mark.skipif(os.geteuid() != 0 or not Path("/proc/mounts").exists(), reason="mounting a tmpfs needs root")
def test_no_space_left_on_a_real_full_disk(tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(disk)]).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        run = lod("export", str(RECORDS / "sample.jsonl"), str(ROOT / "tests" / "fixtures" / "pages"),
                  "--out", str(disk / "out"), "--workers", "1")
        assert run.returncode == 2 and "Traceback" not in run.stderr
        (line,) = [line for line in run.stderr.splitlines() if "cannot write" in line]
        assert line.startswith(f"lod: error: {disk / 'out'}") and "No space left on device" in line
        assert not (disk / "out" / "void.ttl").exists()
    finally:
        subprocess.run(["umount", str(disk)])


def test_a_second_export_into_the_same_folder_is_refused_and_the_first_finishes(tmp_path):
    out = tmp_path / "out"
    held = Layout(out).lock()  # as a running export holds it
    try:
        run = lod("export", str(SAMPLE), "--out", str(out))
        assert run.returncode == 2
        (line,) = run.stderr.splitlines()
        assert line.startswith("lod: error: another export is writing into")
    finally:
        Layout.unlock(held)
    assert lod("export", str(SAMPLE), "--out", str(out)).returncode == 0


def test_a_running_export_is_not_harmed_by_a_second_one(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import synthetic

    inputs = [str(p) for p in synthetic.generate(400, tmp_path / "in")]
    out = tmp_path / "out"
    first = subprocess.Popen([sys.executable, "-m", "lod", "export", *inputs, "--out", str(out), "--workers", "1"],
                             env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not list((out / HIDDEN).glob("staging-*")) and time.monotonic() < deadline:
        time.sleep(0.02)
    second = lod("export", str(SAMPLE), "--out", str(out))
    stdout, stderr = first.communicate(timeout=300)
    assert second.returncode == 2 and "another export is writing" in second.stderr
    assert first.returncode == 0, stderr
    assert json.loads((out / "report.json").read_text())["exported"] == 400


def test_a_first_export_killed_between_its_switch_and_its_links_gets_them_from_the_next_run(tmp_path):
    out = tmp_path / "out"
    assert main(["export", str(SAMPLE), "--out", str(out)]) == 0
    for name in PUBLISHED:  # as if killed right after the switch of a first export
        if (out / name).is_symlink():
            (out / name).unlink()
    assert not (out / "void.ttl").exists()
    assert main(["export", str(SAMPLE), "--out", str(out)]) == 0  # nothing changed
    assert (out / "void.ttl").is_file() and (out / "documents").is_dir()


@pytest.mark.parametrize("argv", [
    ["export", "--workers", "0"], ["export", "--workers", "-3"], ["export", "--chunk-triples", "x"],
    ["export", "--sort-memory", "-1"], ["serve", "--port", "99999"], ["serve", "--sparql-limit", "0"],
])
def test_bad_numbers_on_the_command_line_are_usage_errors(argv, capsys):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


def test_an_internal_error_is_one_line_unless_debug(tmp_path, monkeypatch, capsys):
    import lod.pipeline

    def broken(*args, **kwargs):
        raise RuntimeError("something lod did not expect")

    monkeypatch.setattr(lod.pipeline, "export", broken)
    assert main(["export", str(SAMPLE), "--out", str(tmp_path / "out")]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line == ("lod: error: internal error: RuntimeError: something lod did not expect "
                    "(run again with --debug for the traceback)")
    with pytest.raises(RuntimeError):
        main(["export", str(SAMPLE), "--out", str(tmp_path / "out"), "--debug"])
