"""Incremental export, atomic generations and recovery (issue: publish for harvesters)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import document_files, published
from lod import pipeline
from lod.link import offline_linker
from lod.config import Config, ExportOptions

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "fixtures" / "records" / "sample.jsonl"


def export(inputs, out: Path, now: str):
    return pipeline.export([str(p) for p in inputs], out, Config(), offline_linker(), ExportOptions(now=now))


def snapshot(out: Path) -> dict[str, tuple[bytes, int, int]]:
    """Every published file: bytes, inode and modification time (through the symlinks)."""
    root = (out / ".lod" / "current").resolve()
    return {str(p.relative_to(root)): (p.read_bytes(), p.stat().st_ino, p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file()}


def journal(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "journal.jsonl").read_text().splitlines()]


@pytest.fixture
def records(tmp_path) -> Path:
    copy = tmp_path / "in" / "records.jsonl"
    copy.parent.mkdir()
    copy.write_bytes(SAMPLE.read_bytes())
    return copy


def test_unchanged_rerun_changes_no_byte_and_no_time(tmp_path, records):
    out = tmp_path / "out"
    export([records], out, "2026-01-01T00:00:00Z")
    before = snapshot(out)
    report = export([records], out, "2026-02-01T00:00:00Z")
    assert snapshot(out) == before
    assert not any(report.changes.values())


def test_editing_one_record_changes_exactly_its_files_and_adds_one_update(tmp_path, records):
    out = tmp_path / "out"
    export([records], out, "2026-01-01T00:00:00Z")
    before = snapshot(out)
    lines = records.read_text(encoding="utf-8").splitlines(keepends=True)
    edited = json.loads(lines[1])
    edited["summary"] = "An edited summary."
    lines[1] = json.dumps(edited, ensure_ascii=False) + "\n"
    records.write_text("".join(lines), encoding="utf-8")
    report = export([records], out, "2026-02-01T00:00:00Z")
    after = snapshot(out)
    changed = {name for name in after if before.get(name) != after[name]}
    documents = {name for name in changed if name.startswith("documents/")}
    assert len(documents) == 2 and all(Path(d).stem == Path(sorted(documents)[0]).stem for d in documents)
    key = Path(sorted(documents)[0]).stem
    # unchanged documents are the very same files (hard links): same inode, same mtime
    for name in after:
        if name.startswith("documents/") and name not in documents:
            assert after[name] == before[name]
    assert {"manifest.json", "void.ttl", "state.json", "journal.jsonl"} <= changed
    assert report.changes == {"Create": 0, "Update": 1, "Delete": 0}
    assert journal(out)[-1]["type"] == "Update" and journal(out)[-1]["key"] == key
    feed = json.loads((out / "changes" / "page-00001.json").read_text())
    assert feed["orderedItems"][-1]["type"] == "Update"


def test_deleting_a_record_adds_a_delete_tombstone(tmp_path, records):
    out = tmp_path / "out"
    export([records], out, "2026-01-01T00:00:00Z")
    keys = {p.stem for p in document_files(out, ".ttl")}
    lines = records.read_text(encoding="utf-8").splitlines(keepends=True)
    records.write_text("".join(lines[1:]), encoding="utf-8")
    report = export([records], out, "2026-02-01T00:00:00Z")
    gone = keys - {p.stem for p in document_files(out, ".ttl")}
    assert len(gone) == 1 and report.changes["Delete"] == 1
    last = journal(out)[-1]
    assert last["type"] == "Delete" and last["key"] in gone
    feed = json.loads((out / "changes" / "page-00001.json").read_text())
    tombstone = feed["orderedItems"][-1]
    assert tombstone["type"] == "Delete" and tombstone["object"]["id"].endswith(last["key"])


def current_file(out: Path, name: str) -> Path:
    return (out / ".lod" / "current" / name).resolve()


DAMAGES = {
    "missing": lambda path: path.unlink(),
    "edited": lambda path: path.write_text(path.read_text().replace('"digest": "', '"digest": "0', 1)),
    "cut": lambda path: path.write_bytes(path.read_bytes()[:100]),
}


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_lost_state_file_is_rebuilt_from_the_published_documents_and_history_is_kept(tmp_path, records, damage):
    """Never a wrong delta (the damaged file is not trusted), never history rewritten as Creates."""
    out = tmp_path / "out"
    export([records], out, "2026-01-01T00:00:00Z")
    before = snapshot(out)
    DAMAGES[damage](current_file(out, "state.json"))
    report = export([records], out, "2026-02-01T00:00:00Z")
    assert any("its state was rebuilt from its 6 documents" in note for note in report.notes), report.notes
    assert not any(report.changes.values())
    assert snapshot(out)["journal.jsonl"][0] == before["journal.jsonl"][0]
    assert snapshot(out)["state.json"][0] == before["state.json"][0]  # rebuilt byte for byte
    # and an edit after it is one Update, as always
    lines = records.read_text(encoding="utf-8").splitlines(keepends=True)
    records.write_text(lines[0].replace('"summary": "', '"summary": "Edited. ', 1) + "".join(lines[1:]),
                       encoding="utf-8")
    report = export([records], out, "2026-03-01T00:00:00Z")
    assert report.changes == {"Create": 0, "Update": 1, "Delete": 0} and len(journal(out)) == 7


def test_a_damaged_journal_loses_its_damaged_lines_and_every_later_export_works(tmp_path, records):
    out = tmp_path / "out"
    export([records], out, "2026-01-01T00:00:00Z")
    path = current_file(out, "journal.jsonl")
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join([lines[0], "{not a journal entry\n", *lines[2:]])[:-3], encoding="utf-8")
    lines = records.read_text(encoding="utf-8").splitlines(keepends=True)
    records.write_text("".join(lines[1:]), encoding="utf-8")
    report = export([records], out, "2026-02-01T00:00:00Z")
    (note,) = report.notes
    assert "journal is damaged (line 2 is not a journal entry" in note and "line 6 is cut off" in note
    assert [(e["seq"], e["type"]) for e in journal(out)] == [(1, "Create"), (3, "Create"), (4, "Create"),
                                                            (5, "Create"), (7, "Delete")]
    report = export([records], out, "2026-03-01T00:00:00Z")
    assert not [note for note in report.notes if "damaged" in note] and len(journal(out)) == 5


def test_with_state_and_journal_lost_the_documents_alone_keep_the_history_from_restarting(tmp_path, records):
    out = tmp_path / "out"
    export([records], out, "2026-01-01T00:00:00Z")
    current_file(out, "state.json").unlink()
    current_file(out, "journal.jsonl").unlink()
    report = export([records], out, "2026-02-01T00:00:00Z")
    assert not any(report.changes.values()) and not (out / "journal.jsonl").exists()


def test_a_dump_only_export_without_its_state_announces_updates_not_creates(tmp_path, records):
    out = tmp_path / "out"
    pipeline.export([str(records)], out, Config(), offline_linker(),
                    ExportOptions(now="2026-01-01T00:00:00Z", outputs=("nt",)))
    current_file(out, "state.json").unlink()
    report = pipeline.export([str(records)], out, Config(), offline_linker(),
                             ExportOptions(now="2026-02-01T00:00:00Z", outputs=("nt",)))
    assert report.changes == {"Create": 0, "Update": 6, "Delete": 0}
    assert "every document is announced as updated" in report.notes[0]


def test_a_document_file_that_does_not_read_back_is_announced_as_updated(tmp_path, records):
    out = tmp_path / "out"
    export([records], out, "2026-01-01T00:00:00Z")
    current_file(out, "state.json").unlink()
    damaged = document_files(out, ".ttl")[0].resolve()
    damaged.unlink()
    damaged.write_text("@prefix broken", encoding="utf-8")
    report = export([records], out, "2026-02-01T00:00:00Z")
    assert report.changes == {"Create": 0, "Update": 1, "Delete": 0}
    assert journal(out)[-1]["key"] == damaged.stem


@pytest.mark.slow
def test_kill_9_mid_export_leaves_the_previous_export_readable_and_the_next_run_completes(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import synthetic

    inputs = synthetic.generate(2000, tmp_path / "in")
    out = tmp_path / "out"
    small = [inputs[0]]
    export(small, out, "2026-01-01T00:00:00Z")
    before = snapshot(out)
    process = subprocess.Popen([sys.executable, "-m", "lod", "export", *map(str, inputs), "--out", str(out),
                                "--workers", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not list((out / ".lod").glob("staging-*/documents/*/*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert list((out / ".lod").glob("staging-*")), "the run was killed before it wrote anything"
    assert snapshot(out) == before  # the previous export, untouched and complete
    report = export(inputs, out, "2026-02-01T00:00:00Z")
    assert report.exported == 2000
    assert not list((out / ".lod").glob("staging-*"))
    assert len(document_files(out, ".ttl")) == 2000
    manifest = json.loads((out / "manifest.json").read_text())
    assert sum(f["triples"] for f in manifest["files"] if f["path"].endswith(".nt.gz")) == report.triples
    os.sync()


# --- resuming a killed export ------------------------------------------------------------------

NOW = "2026-03-01T00:00:00Z"


class InterruptAfter(pipeline.Progress):
    """Ctrl-C after ``count`` records rendered (each a document of its own here)."""

    def __init__(self, count: int):
        self.left = count
        self.rendering = False

    def start(self, label: str, total: int) -> None:
        self.rendering = label == "records rendered"

    def advance(self, count: int = 1) -> None:
        if self.rendering:
            self.left -= count
            if self.left < 0:
                raise KeyboardInterrupt


@pytest.fixture(scope="module")
def synthetic_inputs(tmp_path_factory) -> list[Path]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import synthetic

    return synthetic.generate(60, tmp_path_factory.mktemp("synthetic"))


def interrupted(inputs, out: Path, after: int, resume: bool = True) -> None:
    with pytest.raises(KeyboardInterrupt):
        pipeline.export([str(p) for p in inputs], out, Config(), offline_linker(),
                        ExportOptions(now=NOW, sort_bytes=1, resume=resume), progress=InterruptAfter(after))
    (checkpoint,) = (out / ".lod").glob("staging-*/.sort/checkpoint.json")
    assert json.loads(checkpoint.read_text())["consumed"] == after


def test_an_interrupted_export_resumes_from_its_checkpoint_with_the_same_bytes(tmp_path, synthetic_inputs):
    clean = pipeline.export([str(p) for p in synthetic_inputs], tmp_path / "clean", Config(), offline_linker(),
                            ExportOptions(now=NOW))
    out = tmp_path / "out"
    interrupted(synthetic_inputs, out, after=37)
    report = pipeline.export([str(p) for p in synthetic_inputs], out, Config(), offline_linker(),
                             ExportOptions(now=NOW, sort_bytes=1))
    assert any("the first 37 groups of records (a record and its other captures) were done already" in note for note in report.notes)
    assert report.exported == clean.exported == 60
    assert (report.triples, report.changes) == (clean.triples, clean.changes)
    assert published(out) == published(tmp_path / "clean")
    assert not list((out / ".lod").glob("staging-*"))


@pytest.mark.parametrize("change", ["touch an input", "other time", "no resume", "runs of another lod"])
def test_a_checkpoint_of_another_export_is_not_resumed(tmp_path, synthetic_inputs, change, monkeypatch):
    inputs = [tmp_path / "in" / p.name for p in synthetic_inputs if p.is_file()]
    (tmp_path / "in").mkdir()
    for source, copy in zip([p for p in synthetic_inputs if p.is_file()], inputs):
        copy.write_bytes(source.read_bytes())
    out = tmp_path / "out"
    interrupted(inputs, out, after=20)
    now, resume = NOW, True
    if change == "touch an input":
        os.utime(inputs[0], ns=(inputs[0].stat().st_atime_ns, inputs[0].stat().st_mtime_ns + 1))
    elif change == "other time":
        now = "2026-03-02T00:00:00Z"
    elif change == "runs of another lod":  # its runs hold documents packed another way
        monkeypatch.setattr(pipeline, "PACKED_FORMAT", pipeline.PACKED_FORMAT + 1)
    else:
        resume = False
    report = pipeline.export([str(p) for p in inputs], out, Config(), offline_linker(),
                             ExportOptions(now=now, resume=resume))
    assert not any("resumed" in note for note in report.notes)
    pipeline.export([str(p) for p in inputs], tmp_path / "clean", Config(), offline_linker(), ExportOptions(now=now))
    assert published(out) == published(tmp_path / "clean")
    if change == "no resume":  # a run that starts over still leaves checkpoints for the next
        interrupted(inputs, tmp_path / "again", after=20, resume=False)


def children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_kill_9_with_two_workers_then_the_same_command_resumes_to_the_same_bytes(tmp_path):
    """Also: the workers do not outlive the killed export."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import synthetic

    inputs = [str(p) for p in synthetic.generate(600, tmp_path / "in")]
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    command = [sys.executable, "-m", "lod", "export", *inputs, "--workers", "2", "--sort-memory", "0.1"]
    subprocess.run([*command, "--out", str(tmp_path / "clean")], env=env, check=True, capture_output=True)
    out = tmp_path / "out"
    process = subprocess.Popen([*command, "--out", str(out)], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    checkpoint = None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        found = list((out / ".lod").glob("staging-*/.sort/checkpoint.json"))
        if found and json.loads(found[0].read_text())["consumed"] >= 150:
            checkpoint = found[0]
            break
        time.sleep(0.02)
    workers = children(process.pid)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert checkpoint is not None, "the run ended before a checkpoint with 150 records"
    assert len(workers) >= 2
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(pid) for pid in workers), "worker processes outlived the killed export"
    consumed = json.loads(checkpoint.read_text())["consumed"]
    assert len(list(checkpoint.parent.parent.glob("documents/*/*.ttl"))) > consumed  # leftovers past it
    result = subprocess.run([*command, "--out", str(out)], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "600 records read: 600 documents exported" in result.stdout
    assert f"resumed an interrupted export: the first {consumed} groups of records" in result.stderr
    assert published(out) == published(tmp_path / "clean")
