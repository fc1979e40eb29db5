"""Wires the stages: read -> link -> map -> serialize -> publish. Used by the CLI and the server.

:func:`render` is the pure per-record step (record in, bytes out). :func:`export`
streams records through it (in worker processes when asked), writes each
document as it comes, feeds the dumps, and publishes a complete new generation
of the export folder (:mod:`lod.publish.layout`): manifest, VoID, change journal,
feed, sitemap, links and report. Bad records never stop good ones; duplicate keys
are resolved by content, so the result does not depend on input order.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from lod import MAPPING_VERSION, __version__
from lod.config import Dataset
from lod.errors import ReadError
from lod.map import Settings, map_record
from lod.model import Record
from lod.publish.dumps import DumpWriter, write_manifest
from lod.publish.feed import write_feed, write_sitemap
from lod.publish.files import write_text
from lod.publish.layout import Layout
from lod.publish.links import LINKS, link_rows, render_links
from lod.publish.state import (
    append_journal, load_state, plan_changes, read_journal, recover_state, save_state, utc_now,
)
from lod.publish.void import DatasetStats, describe_dataset, vocabularies, write_void
from lod.read import Skipped, read_inputs
from lod.serialize import jsonld, ntriples, turtle

DOCUMENTS = "documents"
DUMPS = "dumps"
DATASET_DUMP = "dataset.nt.gz"
REPORT = "report.json"
STATE = "state.json"
JOURNAL = "journal.jsonl"
DOCUMENT_FORMATS = {".ttl": turtle.serialize, ".jsonld": jsonld.serialize}
#: What an export writes: per-document Turtle and JSON-LD, the N-Triples and N-Quads dumps.
FORMATS = ("ttl", "jsonld", "nt", "nq")

Linker = Callable[[Record], Record]


@dataclass
class Rendered:
    """Everything one record becomes, in a form that is cheap to send between processes."""

    key: str
    digest: str  # SHA-256 of the sorted N-Triples: the document's content identity
    files: dict[str, bytes]
    nt: bytes  # the document's N-Triples, sorted, one statement per line
    links: str  # its rows of links.csv (no header)
    origin: object
    warnings: tuple[str, ...]

    @property
    def lines(self) -> list[str]:
        """The N-Triples lines (split on LF only: U+2028 inside a literal is no line end)."""
        return [line + "\n" for line in self.nt.decode("utf-8").split("\n")[:-1]]


def render(record: Record, settings: Settings, linker: Linker | None = None,
           first_seen: str | None = None, formats: tuple[str, ...] = FORMATS) -> Rendered:
    """Link, map and serialize one record. Pure: same record, settings and time, same bytes."""
    if linker is not None:
        record = linker(record)
    triples = map_record(record, settings, first_seen)
    root = settings.iris.document(record.key)
    nt = "".join(ntriples.lines(triples)).encode("utf-8")
    digest = hashlib.sha256(nt).hexdigest()
    files = {ext: write(triples, root).encode("utf-8") for ext, write in DOCUMENT_FORMATS.items()
             if ext[1:] in formats}
    links = render_links(link_rows(record, settings.iris)).split("\n", 1)[1]
    return Rendered(record.key, digest, files, nt, links, record.origin, record.warnings)


@dataclass
class Report:
    """What an export did; written as report.json and summarised by the CLI."""

    exported: int = 0
    rejected: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    duplicates: int = 0
    triples: int = 0
    changes: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    report_path: Path | None = None  # where report.json went when not in the export folder

    @property
    def status(self) -> int:
        """Exit status: 0 all exported, 1 some rejected, 2 nothing exported."""
        if self.exported == 0:
            return 2
        return 1 if self.rejected else 0

    def as_json(self) -> dict:
        return {
            "lod_version": __version__,
            "mapping_version": MAPPING_VERSION,
            "exported": self.exported,
            "rejected_count": len(self.rejected),
            "duplicates": self.duplicates,
            "triples": self.triples,
            "rejected": sorted(self.rejected, key=_place_order),
            "skipped": sorted(self.skipped, key=_place_order),
            "warnings": sorted(self.warnings, key=_place_order),
        }


def _place_order(item: dict) -> tuple:
    return item.get("file", ""), item.get("line") or 0, item.get("record") or 0, item.get("reason", "")


def _error_entry(error: ReadError) -> dict:
    place = error.place
    entry = {"file": place.file if place else "", "reason": error.reason}
    if place and place.line is not None:
        entry["line"] = place.line
    if place and place.record is not None:
        entry["record"] = place.record
    if place and place.field:
        entry["field"] = place.field
    if error.hint:
        entry["hint"] = error.hint
    return entry


class Progress:
    """Silent progress; the CLI passes a bar."""

    def advance(self, count: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


@dataclass(frozen=True)
class Job:
    """What every worker needs to render records (picklable)."""

    settings: Settings
    linker: Linker | None
    first_seen: dict[str, str]
    now: str
    formats: tuple[str, ...] = FORMATS

    def __call__(self, item):
        if not isinstance(item, Record):
            return item
        return render(item, self.settings, self.linker, self.first_seen.get(item.key, self.now),
                      self.formats)


_JOB: Job | None = None


def _start_worker(job: Job) -> None:
    global _JOB
    _JOB = job


def _work_batch(batch: list) -> list:
    return [_JOB(item) for item in batch]


def _render_batch(job: Job, batch: list) -> list:
    return [job(item) for item in batch]


def _rendered_on_dask(items: Iterable, job: Job, client, batch_size: int = 256) -> Iterator:
    """Render on a Dask cluster: batches of records go out, results come back in input order.

    At most a few batches per worker are in flight, so the driver's memory stays flat.
    Workers only render; the driver writes, so the output is the local run's, byte for byte.
    """
    from itertools import islice

    shared = client.scatter(job, broadcast=True)
    window = max(2, 3 * len(client.scheduler_info().get("workers", {})))
    pending: list = []
    iterator = iter(items)
    while True:
        while len(pending) < window:
            batch = list(islice(iterator, batch_size))
            if not batch:
                break
            pending.append(client.submit(_render_batch, shared, batch, pure=False))
        if not pending:
            return
        yield from pending.pop(0).result()


def _rendered(items: Iterable, job: Job, workers: int, engine=None) -> Iterator:
    """Render in input order: in ``workers`` processes (1: in this process) or on ``engine``.

    The job (settings, linker, first-seen times) goes to each worker once, at start.
    """
    if engine is not None:
        yield from _rendered_on_dask(items, job, engine)
        return
    if workers <= 1:
        yield from map(job, items)
        return
    from concurrent.futures import ProcessPoolExecutor
    from itertools import islice

    # Submit batches with a bounded window (Executor.map would read all input up front).
    with ProcessPoolExecutor(workers, initializer=_start_worker, initargs=(job,)) as pool:
        iterator, pending = iter(items), []
        while True:
            while len(pending) < 4 * workers:
                batch = list(islice(iterator, 32))
                if not batch:
                    break
                pending.append(pool.submit(_work_batch, batch))
            if not pending:
                return
            yield from pending.pop(0).result()


def export(inputs: Iterable[str], out: Path, settings: Settings, linker: Linker | None = None,
           progress: Progress | None = None, on_error: Callable[[str], None] | None = None,
           dataset: Dataset = Dataset(), workers: int = 1, chunk_triples: int = 500_000,
           now: str | None = None, formats: tuple[str, ...] = FORMATS, engine=None) -> Report:
    """Export every readable record of ``inputs`` into ``out`` as a new complete generation.

    ``engine``: a ``dask.distributed.Client`` to render on a cluster instead of local processes.
    """
    inputs = list(inputs)
    progress = progress or Progress()
    now = now or utc_now()
    report = Report()
    layout = Layout(out)
    previous = layout.current()
    old_state, journal = _previous_state(previous, report)
    staging = layout.start()
    try:
        documents = staging / DOCUMENTS
        documents.mkdir()
        if "nt" not in formats:
            raise ValueError("the N-Triples dump is always written: formats must include 'nt'")
        dump = DumpWriter(staging / DUMPS, chunk_triples=chunk_triples, uri_space=f"{settings.base}id/",
                          quads="nq" in formats)
        links = _SortedRows(staging / ".links.tmp")
        winners: dict[str, tuple[str, _Kept]] = {}  # key -> (digest, origin and warnings)
        late_winner = False
        job = Job(settings, linker,
                  {k: d.first_seen for k, d in old_state.documents.items()} if old_state else {}, now,
                  formats)
        for item in _rendered(_records(inputs, report, on_error), job, workers, engine):
            progress.advance()
            if isinstance(item, ReadError):
                report.rejected.append(_error_entry(item))
                if on_error:
                    on_error(str(item))
                continue
            keep = _keep_one_per_key(item, winners, report, on_error)
            if keep is None:
                continue
            late_winner |= keep
            _write_document(item, documents, previous, old_state)
            dump.add(settings.iris.description(item.key), item.nt)
            links.add(item.key, item.links)
        progress.close()
        if late_winner:
            dump = _redo_dump(dump, inputs, job, winners, workers, engine)
        files = dump.close()
        _finish(staging, out, settings, dataset, report, winners, files, dump, links, old_state,
                journal, now, previous)
    except BaseException:
        layout.discard(staging)
        raise
    if report.exported == 0 and previous is not None:
        # Bad or missing input must not wipe a good export: keep it, report beside it.
        report.report_path = layout.hidden / REPORT
        shutil.copyfile(staging / REPORT, report.report_path)
        layout.discard(staging)
        report.notes.append("nothing was exported: the previous export was kept as it is")
    elif _unchanged(previous, staging, report):
        layout.discard(staging)
        report.notes.append("nothing changed: the current export was kept as it is")
    else:
        layout.switch(staging)
    return report


def _records(inputs: Iterable[str], report: Report, on_error) -> Iterator:
    for item in read_inputs(inputs):
        if isinstance(item, Skipped):
            report.skipped.append({"file": item.path, "reason": item.reason})
            continue
        yield item


def _previous_state(previous: Path | None, report: Report):
    """The last export's state and journal; a damaged state means a full re-export."""
    if previous is None:
        return None, []
    journal = read_journal(previous / JOURNAL) if (previous / JOURNAL).exists() else []
    state, reason = load_state(previous / STATE)
    if reason:
        report.notes.append(f"state file unusable ({reason}): every document is re-exported")
        state = recover_state(journal) if journal else None
        state = state and _forget_digests(state)
    return state, journal


def _forget_digests(state):
    """Digests unknown: every document is rewritten and announced as an Update."""
    return replace(state, documents={k: replace(d, digest="") for k, d in state.documents.items()})


def _keep_one_per_key(rendered: Rendered, winners: dict, report: Report, on_error) -> bool | None:
    """Two records with one key: identical -> one document; different -> the smaller digest wins.

    Returns None when ``rendered`` loses, False when it is the first with its key, True
    when it replaces an earlier record (the dumps must then be rebuilt).
    """
    current = winners.get(rendered.key)
    mine = (rendered.digest, _Kept(rendered.origin, rendered.warnings))
    if current is None:
        winners[rendered.key] = mine
        report.exported += 1
        return False
    report.duplicates += 1
    if current[0] == rendered.digest:
        return None
    (keep_digest, keep), (_, drop) = sorted((current, mine), key=lambda pair: pair[0])
    winners[rendered.key] = (keep_digest, keep)
    origin, other = drop.origin, keep.origin
    reason = (f"duplicate document key {rendered.key!r}: a different record "
              f"({other.file}, line {other.line}) has the same key")
    report.rejected.append({k: v for k, v in {"file": origin.file, "line": origin.line,
                                              "reason": reason}.items() if v is not None})
    if on_error:
        on_error(f"{origin.file}, line {origin.line}: {reason}")
    return None if keep is current[1] else True


@dataclass(frozen=True)
class _Kept:
    """What the export keeps of each written document: small, so memory stays flat."""

    origin: object
    warnings: tuple[str, ...]


def _write_document(rendered: Rendered, documents: Path, previous: Path | None, old_state) -> None:
    """Hard-link an unchanged document from the previous generation, else write it."""
    old = old_state.documents.get(rendered.key) if old_state else None
    for extension, data in rendered.files.items():
        target = documents / f"{rendered.key}{extension}"
        target.unlink(missing_ok=True)
        source = previous / DOCUMENTS / target.name if previous else None
        if old is not None and old.digest == rendered.digest and source and source.exists():
            os.link(source, target)
        else:  # a plain write: the staging folder is invisible until it is switched in whole
            with open(target, "wb") as out:
                out.write(data)


def _redo_dump(dump: DumpWriter, inputs: list[str], job: Job, winners: dict, workers: int,
               engine=None) -> DumpWriter:
    """Rare path: a record replaced an earlier one with its key after the loser's triples went in.

    The dumps are built again from a second pass over the inputs, keeping only each key's
    winner: correct for every format and still streaming, at the cost of reading twice.
    """
    dump.discard()
    fresh = DumpWriter(dump.folder, chunk_triples=dump.chunk_triples, uri_space=dump.uri_space.decode(),
                       quads=dump.quads)
    added: set[str] = set()
    only_lines = replace(job, formats=("nt",))
    for item in _rendered(_records(inputs, Report(), None), only_lines, workers, engine):
        if isinstance(item, Rendered) and item.key not in added and winners[item.key][0] == item.digest:
            added.add(item.key)
            fresh.add(job.settings.iris.description(item.key), item.nt)
    return fresh


class _SortedRows:
    """links.csv rows, spilled to disk as they come and written sorted by document key."""

    def __init__(self, path: Path):
        self.path = path
        self.handle = path.open("w+b")
        self.index: dict[str, tuple[int, int]] = {}

    def add(self, key: str, text: str) -> None:
        data = text.encode("utf-8")
        self.index[key] = (self.handle.tell(), len(data))
        self.handle.write(data)

    def write(self, target: Path, header: str) -> None:
        with target.open("wb") as out:
            out.write(header.encode("utf-8"))
            for key in sorted(self.index):
                start, length = self.index[key]
                self.handle.seek(start)
                out.write(self.handle.read(length))
        self.handle.close()
        self.path.unlink()


def _finish(staging: Path, out: Path, settings: Settings, dataset: Dataset, report: Report,
            winners: dict, files, dump: DumpWriter, links: _SortedRows, old_state, journal,
            now: str, previous: Path | None) -> None:
    iris = settings.iris
    digests = {key: digest for key, (digest, _) in winners.items()}
    state, changes = plan_changes(old_state, digests, now)
    report.changes = {kind: sum(1 for c in changes if c.type == kind) for kind in ("Create", "Update", "Delete")}
    if journal:
        shutil.copyfile(previous / JOURNAL, staging / JOURNAL)
    entries = append_journal(staging / JOURNAL, changes, (old_state.seq if old_state else 0) + 1) \
        if changes or not journal else journal
    save_state(staging / STATE, state)
    write_feed(staging, entries, iris)
    write_sitemap(staging, state, iris)
    stats = dump.stats
    report.triples = stats.triples
    examples = tuple(iris.document(key) for key in sorted(winners)[:3])
    description = describe_dataset(
        iris, dataset, DatasetStats(stats.triples, stats.entities, stats.distinct_subjects,
                                    len(winners), examples,
                                    vocabularies((*stats.predicates, *stats.classes)),
                                    iris.dataset()),
        files, settings.base, _last_change(entries, now))
    write_void(staging, description, iris)
    _concatenate([staging / f.path for f in files if f.path.endswith(".nt.gz")], staging / DATASET_DUMP)
    write_manifest(staging, files, base=settings.base)
    links.write(staging / LINKS, render_links([]))
    for key, (_, kept) in sorted(winners.items()):
        for warning in kept.warnings:
            report.warnings.append({"file": kept.origin.file, "line": kept.origin.line,
                                    "key": key, "reason": warning})
    write_text(staging / REPORT, json.dumps(report.as_json(), indent=2, ensure_ascii=False) + "\n")


def _last_change(entries, now: str) -> str:
    """``dcterms:modified``: the time of the latest change, so an unchanged run keeps it."""
    return entries[-1].time if entries else now


def _concatenate(chunks: list[Path], target: Path) -> None:
    """``dataset.nt.gz``: the N-Triples chunks end to end (a valid multi-member gzip file)."""
    with target.open("wb") as out:
        for chunk in chunks:
            with chunk.open("rb") as source:
                shutil.copyfileobj(source, out)


def _unchanged(previous: Path | None, staging: Path, report: Report) -> bool:
    """True when the new generation would be byte-identical to the current one."""
    if previous is None or any(report.changes.values()):
        return False
    for name in ("manifest.json", STATE, "void.ttl", LINKS, REPORT, JOURNAL):
        old, new = previous / name, staging / name
        if not old.exists() or old.read_bytes() != new.read_bytes():
            return False
    return True

