"""Wires the stages: read -> link -> map -> serialize -> publish. Used by the CLI and the server.

:func:`render` is the pure per-record step (record in, bytes out). :func:`export`
streams records through it (in worker processes when asked) and writes each
document's files as they come; everything else a document contributes goes to an
on-disk sort by key (:mod:`lod.publish.runs`). A second, streaming pass in key
order writes the dumps, links, state, change journal, feed and sitemap, then
manifest, VoID and report complete the new generation of the export folder
(:mod:`lod.publish.layout`). Memory holds neither the dataset nor a per-document
index beyond one small entry per key. Bad records never stop good ones; duplicate
keys are resolved by content, so the result does not depend on input order. Each
run the sort spills is a checkpoint: a killed export resumes from the last one
(:mod:`lod.publish.checkpoint`).
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import groupby, islice
from operator import itemgetter
from pathlib import Path

from isal import isal_zlib

from lod import MAPPING_VERSION, __version__
from lod.config import Dataset
from lod.errors import Place, ReadError
from lod.limits import STATEMENT_BYTES, Limits
from lod.map import Settings, map_record
from lod.model import Record
from lod.orphans import die_with_parent
from lod.publish.dumps import DumpWriter, LineStats, line_stats, write_manifest
from lod.publish.feed import write_feed_from_journal, write_sitemap_rows
from lod.publish.files import StreamedFile, write_text
from lod.publish.layout import Layout
from lod.publish.links import LINKS, link_rows, render_links
from lod.publish.runs import KeySorter
from lod.publish.state import (
    DocumentState, JournalWriter, StateWriter, changes_in_key_order, iter_journal, load_state, quoted,
    recover_state, utc_now, valid_time,
)
from lod.publish import checkpoint, documents
from lod.publish.void import DatasetStats, describe_dataset, vocabularies, write_void
from lod.read import Skipped, input_files, parse, split_inputs
from lod.read.unit import Unit
from lod.serialize import jsonld, ntriples, turtle

DOCUMENTS = "documents"
DUMPS = "dumps"
DATASET_DUMP = "dataset.nt.gz"
REPORT = "report.json"
STATE = "state.json"
JOURNAL = "journal.jsonl"
SORT = ".sort"
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
    nt: bytes  # the document's N-Triples: its own lines sorted, then its shared lines sorted
    own: int  # bytes of ``nt`` that are the document's own lines (see lod.publish.dumps)
    stats: LineStats  # of the own lines
    links: str  # its rows of links.csv (no header)
    origin: object
    warnings: tuple[str, ...]

    @property
    def lines(self) -> list[str]:
        """The N-Triples lines (split on LF only: U+2028 inside a literal is no line end)."""
        return [line + "\n" for line in self.nt.decode("utf-8").split("\n")[:-1]]

    def packed(self, placed: bool) -> tuple[str, str, bytes]:
        """(key, digest, the rest pickled and compressed) once the files are written: the main
        process only stores the rest for the pass in key order. ``placed``: see lod.publish.documents.

        Compressed by the worker (ISA-L level 0: ~25 us for a document's ~37 KB, a sixth of
        the size), the rest crosses the pipe and goes through the key sort's runs on disk at
        a sixth of the bytes: 0.6 GB instead of 3.7 GB at 100,000 documents.
        """
        rest = (self.nt, self.own, self.stats, self.links, self.origin, self.warnings, placed)
        return self.key, self.digest, isal_zlib.compress(pickle.dumps(rest, pickle.HIGHEST_PROTOCOL), 0)


#: The form of :meth:`Rendered.packed`'s payload, as kept in the key sort's runs: a killed
#: export's runs are only adopted by a lod that reads them the same way.
PACKED_FORMAT = 2


def unpacked(rest: bytes) -> tuple:
    """The rest of :meth:`Rendered.packed`."""
    return pickle.loads(isal_zlib.decompress(rest))


def render(record: Record, settings: Settings, linker: Linker | None = None,
           first_seen: str | None = None, formats: tuple[str, ...] = FORMATS) -> Rendered:
    """Link, map and serialize one record. Pure: same record, settings and time, same bytes.

    Raises ReadError for a record with a statement too long for RDF stores to load
    (:data:`lod.limits.STATEMENT_BYTES`): the dumps it would be in must stay loadable.
    """
    if linker is not None:
        record = linker(record)
    triples = map_record(record, settings, first_seen)
    iris = settings.iris
    root = iris.document(record.key)
    description = iris.description(record.key)
    mine = (f"<{root}>", f"<{root}#", f"<{description}>")
    lines = ntriples.lines(triples)
    own, shared, digest = _own_and_shared(lines, mine)
    if len(own) + len(shared) > STATEMENT_BYTES - len(description) - 3:  # one line might be
        _check_statements(lines, len(description) + 3, record)
    stats = line_stats(own, f"{settings.base}id/".encode("utf-8"))
    files = {ext: write(triples, root).encode("utf-8") for ext, write in DOCUMENT_FORMATS.items()
             if ext[1:] in formats}
    links = render_links(link_rows(record, iris)).split("\n", 1)[1]
    return Rendered(record.key, digest, files, own + shared, len(own), stats, links, record.origin,
                    record.warnings)


def _check_statements(lines: list[str], graph: int, record: Record) -> None:
    """Raise ReadError when a line, with its named graph (``graph`` characters more in the
    N-Quads dump), would be over :data:`STATEMENT_BYTES` in UTF-8."""
    most = STATEMENT_BYTES - graph
    longest = max(len(line.encode("utf-8")) for line in lines)
    if longest > most:
        origin = record.origin
        raise ReadError(f"a statement would be {longest + graph:,} bytes in the N-Quads dump, over the "
                        f"{STATEMENT_BYTES + 1:,} RDF stores such as Oxigraph read as one line",
                        Place(origin.file, origin.line, origin.record),
                        hint="lower field_bytes under [limits] in lod.toml, or shorten the text")


def _own_and_shared(lines: list[str], mine: tuple[str, ...]) -> tuple[bytes, bytes, str]:
    """The lines that start with one of ``mine`` (none of which starts another) and the
    others, as UTF-8, and the SHA-256 of all the lines in their sorted order.

    The lines are sorted, so those with one prefix are one run, found by bisection: no
    line is tested, and each is encoded once.
    """
    runs = sorted((bisect_left(lines, prefix), bisect_left(lines, prefix[:-1] + chr(ord(prefix[-1]) + 1)))
                  for prefix in mine)
    digest = hashlib.sha256()
    own, shared, start = [], [], 0
    for begin, end in [*runs, (len(lines), len(lines))]:
        between = "".join(lines[start:begin]).encode("utf-8")
        run = "".join(lines[begin:end]).encode("utf-8")
        digest.update(between)
        digest.update(run)
        shared.append(between)
        own.append(run)
        start = end
    return b"".join(own), b"".join(shared), digest.hexdigest()


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

    def skip(self, count: int) -> None:
        """Records a resumed export found done already."""

    def start(self, label: str, total: int) -> None:
        """The next stage: ``total`` items of ``label``."""

    def close(self) -> None:
        pass


@dataclass(frozen=True)
class Job:
    """What every worker needs to render records and write their files (picklable).

    ``known``: the previous export's documents, key -> (first seen, digest).
    ``documents``/``previous``: the staging and the current generation's documents folders
    (on a cluster, a file system the workers share).
    """

    settings: Settings
    linker: Linker | None
    known: dict[str, tuple[str, str]]
    now: str
    documents: Path
    previous: Path | None = None
    formats: tuple[str, ...] = FORMATS
    limits: Limits = Limits()

    def __call__(self, item):
        """A Unit is parsed, rendered, its files written, and it becomes its
        :meth:`Rendered.packed` tuple; a Unit that does not parse becomes its ReadError;
        anything else passes through.

        Whatever goes wrong with one record (a bug lod has not met, a value too deep for
        the stack) is that record's rejection, never the export's: the error names the
        record and the stage, and every other record is still exported.
        """
        if not isinstance(item, (Unit, Record)):
            return item
        stage = "reading"
        try:
            if isinstance(item, Unit):
                item = parse(item, self.limits)
                if not isinstance(item, Record):
                    return item
            stage = "linking, mapping or writing"
            return self._render(item)
        except ReadError as error:  # a rejection with its own reason (see render)
            return error
        except (MemoryError, RecursionError, Exception) as error:  # noqa: BLE001 - isolated per record
            return _internal_error(item, stage, error)

    def _render(self, item: Record):
        first_seen, old_digest = self.known.get(item.key, (self.now, None))
        rendered = render(item, self.settings, self.linker, first_seen, self.formats)
        placed = documents.place(self.documents, rendered.key, rendered.digest, rendered.files,
                                 self.previous, old_digest)
        return rendered.packed(placed)


def _internal_error(item: Unit | Record, stage: str, error: BaseException) -> ReadError:
    """The rejection of a record that raised something lod did not expect while ``stage``."""
    if isinstance(item, Record):
        place = Place(item.origin.file, line=item.origin.line, record=item.origin.record)
    else:
        place = Place(item.path, line=item.line, record=item.record)
    detail = " ".join(str(error).split())[:200]
    return ReadError(f"failed while {stage} ({type(error).__name__}{': ' + detail if detail else ''})",
                     place, hint="please report this record to lod's maintainers")


_JOB: Job | None = None


def _start_worker(job: Job) -> None:
    global _JOB
    _JOB = job
    die_with_parent()  # a killed export leaves no workers behind


def _work_batch(batch: list) -> list:
    return [_JOB(item) for item in batch]


def _render_batch(job: Job, batch: list) -> list:
    return [job(item) for item in batch]


def _rendered_on_dask(items: Iterable, job: Job, client, batch_size: int = 256) -> Iterator:
    """Render on a Dask cluster: batches of records go out, results come back in input order.

    At most a few batches per worker are in flight, so the driver's memory stays flat.
    Workers only render; the driver writes, so the output is the local run's, byte for byte.
    """
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
    """Apply the job (parse, render, write the document) in input order: in ``workers``
    processes (1: in this process) or on ``engine``.

    The job (settings, linker, the previous export's times and digests) goes to each worker once, at start.
    """
    if engine is not None:
        yield from _rendered_on_dask(items, job, engine)
        return
    if workers <= 1:
        yield from map(job, items)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # Workers start as fresh interpreters, not as forks of this process: they do not
    # inherit (and count again) whatever this one holds.
    context = multiprocessing.get_context("spawn")
    # Submit batches with a bounded window (Executor.map would read all input up front).
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                             initargs=(job,)) as pool:
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
           now: str | None = None, formats: tuple[str, ...] = FORMATS, engine=None,
           resume: bool = True, sort_bytes: int = 16 << 20, limits: Limits = Limits()) -> Report:
    """Export every readable record of ``inputs`` into ``out`` as a new complete generation.

    ``engine``: a ``dask.distributed.Client`` to render on a cluster instead of local processes.
    ``resume``: carry on from a killed run of this same export (see lod.publish.checkpoint);
    False starts over (this run still leaves checkpoints for the next).
    ``sort_bytes``: memory for the key sort; each time it fills, a run goes to disk (and a checkpoint).
    ``limits``: what one input record may hold (lod.limits).
    """
    if "nt" not in formats:
        raise ValueError("the N-Triples dump is always written: formats must include 'nt'")
    inputs = list(inputs)
    progress = progress or Progress()
    report = Report()
    layout = Layout(out)
    previous = layout.current()
    old_state = _previous_state(previous, report, now or utc_now())
    identity = _fingerprint(inputs, settings, linker, formats, previous, now, limits)
    resumed: list[checkpoint.Checkpoint] = []

    def adopt(folder: Path) -> bool:
        found = checkpoint.load(folder / SORT, identity) if identity and resume else None
        resumed.extend(filter(None, [found]))
        return found is not None

    staging, adopted = layout.start(adopt)
    done = resumed[0] if adopted else checkpoint.Checkpoint(identity or "", now or utc_now(), 0)
    now = done.now
    try:
        if adopted:
            _keep_only_rendered(staging)
            report.rejected += done.rejected
            report.skipped += done.skipped
            report.notes.append(f"resumed an interrupted export: the first {done.consumed} input "
                                "records were done already")
            progress.skip(done.consumed)
        else:
            (staging / DOCUMENTS).mkdir()
        sorter = KeySorter(staging / SORT, sort_bytes, done.runs)
        job = Job(settings, linker,
                  {k: (d.first_seen, d.digest) for k, d in old_state.documents.items()} if old_state else {},
                  now, staging / DOCUMENTS, previous / DOCUMENTS if previous else None, formats, limits)
        consumed = done.consumed
        for item in _rendered(islice(split_inputs(inputs, limits), consumed, None), job, workers, engine):
            consumed += 1
            progress.advance()
            if isinstance(item, Skipped):
                report.skipped.append({"file": item.path, "reason": item.reason})
            elif isinstance(item, ReadError):
                report.rejected.append(_error_entry(item))
                if on_error:
                    on_error(str(item))
            elif sorter.add(item[0], bytes.fromhex(item[1]), item[2]) and identity:
                checkpoint.Checkpoint(identity, now, consumed, sorter.runs, report.rejected,
                                      report.skipped).save(sorter.folder)
        progress.close()
        progress.start("documents published", len(sorter))
        _publish(staging, sorter, settings, dataset, report, old_state, previous, now, formats,
                 chunk_triples, on_error, progress)
    except BaseException as error:
        if not (isinstance(error, KeyboardInterrupt) and (staging / SORT / checkpoint.CHECKPOINT).exists()):
            layout.discard(staging)  # an interrupted run with a checkpoint stays, to be resumed
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


def _fingerprint(inputs: list[str], settings: Settings, linker: Linker | None, formats: tuple[str, ...],
                 previous: Path | None, now: str | None, limits: Limits) -> str | None:
    """Everything the export's result depends on; None (no resuming) for a linker that cannot say."""
    linking = getattr(linker, "fingerprint", None) if linker is not None else "none"
    if linking is None:
        return None
    return checkpoint.fingerprint(
        [item for item in input_files(inputs) if isinstance(item, str)], inputs=inputs, lod=__version__,
        mapping=MAPPING_VERSION, packed=PACKED_FORMAT, settings=repr(settings), linker=linking, formats=formats,
        limits=repr(limits),
        previous=previous.name if previous else None,
        now=now if now is not None else os.environ.get("SOURCE_DATE_EPOCH"))


def _keep_only_rendered(staging: Path) -> None:
    """A resumed run keeps the documents and the key sort; whatever else the killed run began
    writing (dumps, state...) is written again from the start."""
    for entry in staging.iterdir():
        if entry.name not in (DOCUMENTS, SORT):
            shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()


def _previous_state(previous: Path | None, report: Report, now: str):
    """The last export's state. A missing or damaged state file is rebuilt from what that
    export published (see :func:`lod.publish.state.recover_state`): its documents, read back
    (keys and digests: only real changes are announced), and its journal (times; damaged
    lines left out). The change history is kept; the report's notes say what happened."""
    if previous is None:
        return None
    state, reason = load_state(previous / STATE)
    if state is not None:
        return state
    damaged: list[str] = []
    entries = list(iter_journal(previous / JOURNAL, damaged))
    found = documents.read_back(previous / DOCUMENTS)
    published = None if found is None else {
        key: DocumentState(digest, *(2 * (time if time and valid_time(time) else now,)))
        for key, (digest, time) in found.items()}
    unknown = sum(not d.digest for d in published.values()) if published is not None else None
    report.notes.append(
        f"the previous export's {reason or 'state file is missing'}: its state was rebuilt from "
        + (f"its {len(published)} documents and " if published is not None else "")
        + f"its journal ({len(entries)} entries); the change history is kept"
        + (f"; {unknown} documents whose files did not read back are announced as updated" if unknown
           else "" if published is not None else "; every document is announced as updated"))
    return recover_state(entries, published)


def _winners(sorter: KeySorter, report: Report, on_error,
             progress: Progress) -> Iterator[tuple[str, bytes, tuple]]:
    """Each key's record in key order: of two with one key, identical ones count once and
    different ones keep the smaller digest (whatever the input order); the other is reported."""
    for key, group in groupby(sorter, key=itemgetter(0)):
        _, digest, rest = next(group)
        winner = unpacked(rest)
        progress.advance()
        for _, other_digest, other_rest in group:
            progress.advance()
            report.duplicates += 1
            if other_digest == digest:
                continue
            origin, other = unpacked(other_rest)[4], winner[4]
            reason = (f"duplicate document key {key!r}: a different record "
                      f"({other.file}, line {other.line}) has the same key")
            report.rejected.append({k: v for k, v in {"file": origin.file, "line": origin.line,
                                                      "reason": reason}.items() if v is not None})
            if on_error:
                on_error(f"{origin.file}, line {origin.line}: {reason}")
        report.exported += 1
        yield key, digest, winner


def _publish(staging: Path, sorter: KeySorter, settings: Settings, dataset: Dataset, report: Report,
             old_state, previous: Path | None, now: str, formats: tuple[str, ...], chunk_triples: int,
             on_error, progress: Progress) -> None:
    """The pass in key order: dumps, links, state, journal, feed, sitemap; then VoID, manifest, report."""
    iris = settings.iris
    dump = DumpWriter(staging / DUMPS, chunk_triples=chunk_triples, uri_space=f"{settings.base}id/",
                      quads="nq" in formats)
    links = StreamedFile(staging / LINKS)
    links.write(render_links([]).encode("utf-8"))
    state = StateWriter(staging / STATE)
    journal = JournalWriter(staging / JOURNAL, previous / JOURNAL if previous else None,
                            (old_state.seq if old_state else 0) + 1)
    if journal.damaged:
        report.notes.append(f"the previous export's journal is damaged ({'; '.join(journal.damaged[:3])}"
                            f"{'; ...' if len(journal.damaged) > 3 else ''}): those lines were left out, "
                            "the other entries are kept")
    sitemap = StreamedFile(staging / ".sitemap.tmp")
    examples: list[str] = []
    extensions = tuple(ext for ext in DOCUMENT_FORMATS if ext[1:] in formats)
    report.changes = dict.fromkeys(("Create", "Update", "Delete"), 0)

    def published() -> Iterator[tuple[str, str]]:
        for key, digest, (nt, own, stats, rows, origin, warnings, placed) in _winners(sorter, report, on_error, progress):
            if not placed:
                documents.settle(staging / DOCUMENTS, key, digest.hex(), extensions)
            dump.add(iris.description(key), nt[:own], nt[own:], stats)
            links.write(rows.encode("utf-8"))
            report.warnings.extend({"file": origin.file, "line": origin.line, "key": key, "reason": warning}
                                   for warning in warnings)
            if len(examples) < 3:
                examples.append(iris.document(key))
            yield key, digest.hex()

    try:
        for key, document, change in changes_in_key_order(old_state, published(), now):
            if document is not None:
                state.add(key, document)
                sitemap.write(f"[{quoted(key)}, {quoted(document.modified)}]\n".encode())  # a JSON row
            if change is not None:
                journal.add(change)
                report.changes[change.type] += 1
        files = dump.close()
        progress.close()
    except BaseException:
        dump.discard()
        links.discard()
        sitemap.discard()
        raise
    finally:
        sorter.close()
    documents.clean(staging / DOCUMENTS)
    links.close()
    state.close((old_state.seq if old_state else 0) + journal.added)
    journal.close()
    sitemap.close()
    write_feed_from_journal(staging, staging / JOURNAL, journal.count, iris)
    with (staging / ".sitemap.tmp").open("rb") as rows:
        write_sitemap_rows(staging, (json.loads(row) for row in rows), iris)
    (staging / ".sitemap.tmp").unlink()
    stats = dump.stats
    report.triples = stats.triples
    description = describe_dataset(
        iris, dataset, DatasetStats(stats.triples, stats.entities, stats.distinct_subjects,
                                    report.exported, tuple(examples),
                                    vocabularies((*stats.predicates, *stats.classes)),
                                    iris.dataset()),
        files, settings.base, journal.last_time or now)
    write_void(staging, description, iris)
    _concatenate([staging / f.path for f in files if f.path.endswith(".nt.gz")], staging / DATASET_DUMP)
    write_manifest(staging, files, base=settings.base)
    write_text(staging / REPORT, json.dumps(report.as_json(), indent=2, ensure_ascii=False) + "\n")


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

