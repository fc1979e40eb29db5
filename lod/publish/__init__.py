"""Stage 5, publish: a new generation of the export folder, from the rendered documents to the switch.

:class:`Edition` is the stage's one entry point. Entered, it holds the folder (one export
at a time), starts a staging generation (or adopts a killed run's, to resume it) and reads
what the previous export published. Rendered documents go to an on-disk sort by key
(:meth:`Edition.add`); :meth:`Edition.publish` then streams them in key order into the
dumps, the products (``links.csv``, the search index), state, change journal, feed and
sitemap, writes VoID, manifest and report, and makes the generation current in one atomic step (:mod:`lod.publish.layout`).
Memory holds neither the dataset nor a per-document index. Each run the sort spills is a
checkpoint a killed export resumes from (:mod:`lod.publish.checkpoint`).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from itertools import groupby
from operator import itemgetter
from pathlib import Path

from lod import serialize
from lod.config import Dataset
from lod.config import Settings
from lod.publish import checkpoint, coverage, documents, links, search, store  # noqa: F401 - products, registered on import
from lod.publish.dumps import DumpWriter, write_manifest
from lod.publish.feed import write_feed_from_journal, write_sitemap_rows
from lod.publish.files import StreamedFile, write_text
from lod.publish.layout import (
    DATASET_DUMP, DOCUMENTS, DUMPS, JOURNAL, LINKS, MANIFEST, PUBLISHED, REPORT, STATE, VOID_TURTLE, Layout,
)
from lod.publish.products import Context, Outputs, Published, registered
from lod.publish.rendered import unpacked
from lod.publish.report import Report
from lod.publish.runs import KeySorter
from lod.publish.state import (
    DocumentState, JournalWriter, StateWriter, changes_in_key_order, iter_journal, load_state, quoted,
    recover_state, utc_now, valid_time,
)
from lod.publish.void import DatasetStats, describe_dataset, vocabularies, write_void

SORT = ".sort"

#: What the pass in key order gets for one key: (digest, unpacked rest) of each rendered document.
Entry = tuple[bytes, tuple]
#: Decides one document from several rendered under one key (captures that only meet here).
Resolver = Callable[[str, list[Entry]], Entry]


class Edition:
    """One export's new generation of ``out``. Use as a context manager around the whole export.

    ``formats``: names in :mod:`lod.serialize`; ``products``: the optional products to write
    (:mod:`lod.publish.products`). ``fingerprint``: everything the result depends on (None:
    never resume); ``now``: the export's clock (None: the time now, or the killed run's when
    resuming).
    """

    def __init__(self, out: Path, settings: Settings, report: Report, *, dataset: Dataset = Dataset(),
                 formats: tuple[str, ...], products: tuple[str, ...] = (), chunk_triples: int = 500_000,
                 sort_bytes: int = 16 << 20,
                 fingerprint: str | None = None, resume: bool = True, now: str | None = None):
        self.layout = Layout(Path(out))
        self.settings, self.report, self.dataset = settings, report, dataset
        self.outputs = Outputs(formats, products)
        self.formats, self.chunk_triples, self.sort_bytes = formats, chunk_triples, sort_bytes
        self.fingerprint, self.resume, self.now = fingerprint, resume, now
        self.late_rejections: list[dict] = []

    # --- the generation's life -----------------------------------------------------------

    def __enter__(self) -> Edition:
        self._lock = self.layout.lock()
        try:
            self.previous = self.layout.current()
            self.old_state = self._previous_state()
            resumed: list[checkpoint.Checkpoint] = []

            def adopt(folder: Path) -> bool:
                found = checkpoint.load(folder / SORT, self.fingerprint) if self.fingerprint and self.resume \
                    else None
                resumed.extend(filter(None, [found]))
                return found is not None

            self.staging, adopted = self.layout.start(adopt)
        except BaseException:
            self.layout.unlock(self._lock)
            raise
        done = resumed[0] if adopted else checkpoint.Checkpoint(self.fingerprint or "", self.now or utc_now(), 0)
        self.now, self.done = done.now, done.consumed
        if adopted:
            _keep_only_rendered(self.staging)
            self.late_rejections = list(done.rejected)
            self.report.rejected += done.rejected
            self.report.notes.append(f"resumed an interrupted export: the first {done.consumed} "
                                     "groups of records (a record and its other captures) were done already")
        else:
            (self.staging / DOCUMENTS).mkdir()
        self.sorter = KeySorter(self.staging / SORT, self.sort_bytes, done.runs)
        return self

    def __exit__(self, kind, error, traceback) -> None:
        try:
            if error is not None and not (isinstance(error, KeyboardInterrupt)
                                          and (self.staging / SORT / checkpoint.CHECKPOINT).exists()):
                self.layout.discard(self.staging)  # an interrupted run with a checkpoint stays, to be resumed
        finally:
            self.layout.unlock(self._lock)

    @property
    def documents(self) -> Path:
        """Where this generation's per-document files go (workers write them directly)."""
        return self.staging / DOCUMENTS

    @property
    def previous_documents(self) -> Path | None:
        return self.previous / DOCUMENTS if self.previous else None

    @property
    def known(self) -> dict[str, tuple[str, str]]:
        """The previous export's documents: key -> (first seen, digest)."""
        if not self.old_state:
            return {}
        return {key: (doc.first_seen, doc.digest) for key, doc in self.old_state.documents.items()}

    # --- documents in ------------------------------------------------------------------------

    def add(self, key: str, digest: str, rest: bytes) -> None:
        """One rendered document (its :meth:`lod.render.Rendered.packed` form)."""
        self.sorter.add(key, bytes.fromhex(digest), rest)

    def reject(self, entry: dict) -> None:
        """A record rejected after it was read (kept in checkpoints: a resumed run does not meet it again)."""
        self.late_rejections.append(entry)
        self.report.rejected.append(entry)

    def checkpoint(self, consumed: int) -> None:
        """``consumed`` units of work are whole in the sort: spill when memory is full, and then
        write a checkpoint a killed export can resume from."""
        if self.sorter.spill_if_full() and self.fingerprint:
            checkpoint.Checkpoint(self.fingerprint, self.now, consumed, self.sorter.runs,
                                  self.late_rejections).save(self.sorter.folder)

    # --- the pass in key order -----------------------------------------------------------------

    def publish(self, progress, on_error: Callable[[str], None] | None, resolve: Resolver) -> None:
        """Write the generation from the sorted documents and make it current (or keep the current
        one when nothing changed or nothing was exported)."""
        progress.start("documents published", len(self.sorter))
        self._write(progress, resolve)
        report, layout = self.report, self.layout
        if report.exported == 0 and self.previous is not None:
            # Bad or missing input must not wipe a good export: keep it, report beside it.
            report.report_path = layout.hidden / REPORT
            shutil.copyfile(self.staging / REPORT, report.report_path)
            layout.discard(self.staging)
            report.notes.append("nothing was exported: the previous export was kept as it is")
        elif self._unchanged():
            layout.discard(self.staging)
            report.notes.append("nothing changed: the current export was kept as it is")
        else:
            self.previous = layout.switch(self.staging)
        if self.previous is not None:
            layout.link_published(self.previous)

    def _documents(self, progress, resolve: Resolver) -> Iterator[tuple[str, bytes, tuple]]:
        """Each key's document, in key order: several rendered under one key are one document's
        captures that only met here (one landing page printed with two titles), resolved into one."""
        for key, group in groupby(self.sorter, key=itemgetter(0)):
            entries = [(digest, unpacked(rest)) for _, digest, rest in group]
            progress.advance(len(entries))
            yield (key, *(entries[0] if len(entries) == 1 else resolve(key, entries)))

    def _write(self, progress, resolve: Resolver) -> None:
        staging, settings, report, old_state = self.staging, self.settings, self.report, self.old_state
        iris = settings.iris
        outputs = serialize.outputs(self.formats)
        dump = DumpWriter(staging / DUMPS, [f for f in outputs if f.dump], chunk_triples=self.chunk_triples,
                          uri_space=iris.uri_space())
        context = Context(self.previous, settings.base)
        products = {product.name: product.writer(staging, context)
                    for product in registered() if self.outputs.writes(product)}
        writers = list(products.values())
        state = StateWriter(staging / STATE)
        journal = JournalWriter(staging / JOURNAL, self.previous / JOURNAL if self.previous else None,
                                (old_state.seq if old_state else 0) + 1)
        if journal.damaged:
            report.notes.append(f"the previous export's journal is damaged ({'; '.join(journal.damaged[:3])}"
                                f"{'; ...' if len(journal.damaged) > 3 else ''}): those lines were left out, "
                                "the other entries are kept")
        sitemap = StreamedFile(staging / ".sitemap.tmp")
        examples: list[str] = []
        extensions = tuple(f.extension for f in outputs if f.per_document)
        report.changes = dict.fromkeys(("Create", "Update", "Delete"), 0)

        current: dict[str, tuple] = {}  # the document published() last gave, for its products

        def published() -> Iterator[tuple[str, str]]:
            for key, digest, (nt, own, stats, pieces, origins, warnings, views, placed) in self._documents(
                    progress, resolve):
                if not placed:
                    documents.settle(staging / DOCUMENTS, key, digest.hex(), extensions)
                dump.add(iris.description(key), nt[:own], nt[own:], stats,
                         {name: (lines[:mine], lines[mine:]) for name, (lines, mine) in views.items()})
                current[key] = (digest.hex(), nt, own, pieces)
                report.add_document(key, origins)
                report.warnings.extend({"file": origins[0].file, "line": origins[0].line, "key": key,
                                        "reason": warning} for warning in warnings)
                if len(examples) < 3:
                    examples.append(iris.document(key))
                yield key, digest.hex()

        try:
            for key, document, change in changes_in_key_order(old_state, published(), self.now):
                if document is not None:
                    state.add(key, document)
                    sitemap.write(f"[{quoted(key)}, {quoted(document.modified)}]\n".encode())  # a JSON row
                    digest, nt, own, pieces = current.pop(key)
                    for writer in writers:
                        writer.add(Published(key, digest, nt, own, pieces, change and change.type))
                else:
                    for writer in writers:
                        writer.delete(key)
                if change is not None:
                    journal.add(change)
                    report.changes[change.type] += 1
            files = dump.close()
            for writer in writers:
                writer.close()
            progress.close()
        except BaseException:
            dump.discard()
            for writer in writers:
                writer.discard()
            sitemap.discard()
            raise
        finally:
            self.sorter.close()
        documents.clean(staging / DOCUMENTS)
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
            iris, self.dataset, DatasetStats(stats.triples, stats.entities, stats.distinct_subjects,
                                             report.exported, tuple(examples),
                                             vocabularies((*stats.predicates, *stats.classes)),
                                             iris.dataset()),
            files, settings.base, journal.last_time or self.now, outputs,
            coverage=products[coverage.PRODUCT.name].coverage, issued=journal.first_time,
            text_language=settings.text_language)
        write_void(staging, description, iris)
        _concatenate([staging / f.path for f in files if f.media_type == serialize.N_TRIPLES.media_type],
                     staging / DATASET_DUMP)
        write_manifest(staging, files, base=settings.base, outputs=self.outputs.names)
        write_text(staging / REPORT, json.dumps(report.as_json(), indent=2, ensure_ascii=False) + "\n")

    # --- what the previous export left ----------------------------------------------------------

    def _previous_state(self):
        """The last export's state. A missing or damaged state file is rebuilt from what that
        export published (see :func:`lod.publish.state.recover_state`): its documents, read back
        (keys and digests: only real changes are announced), and its journal (times; damaged
        lines left out). The change history is kept; the report's notes say what happened."""
        if self.previous is None:
            return None
        state, reason = load_state(self.previous / STATE)
        if state is not None:
            return state
        entries = list(iter_journal(self.previous / JOURNAL, damaged=[]))  # the JournalWriter says what
        found = documents.read_back(self.previous / DOCUMENTS)
        now = self.now or utc_now()
        published = None if found is None else {
            key: DocumentState(digest, *(2 * (time if time and valid_time(time) else now,)))
            for key, (digest, time) in found.items()}
        unknown = sum(not d.digest for d in published.values()) if published is not None else None
        self.report.notes.append(
            f"the previous export's {reason or 'state file is missing'}: its state was rebuilt from "
            + (f"its {len(published)} documents and " if published is not None else "")
            + f"its journal ({len(entries)} entries); the change history is kept"
            + (f"; {unknown} documents whose files did not read back are announced as updated" if unknown
               else "" if published is not None else "; every document is announced as updated"))
        return recover_state(entries, published)

    def _unchanged(self) -> bool:
        """True when the new generation would be byte-identical to the current one."""
        if self.previous is None or any(self.report.changes.values()):
            return False
        def entries(generation: Path) -> set[str]:
            return {name for name in PUBLISHED if (generation / name).exists()}

        if entries(self.previous) != entries(self.staging):
            return False  # an output added or left out (--formats): the store, say
        for name in (MANIFEST, STATE, VOID_TURTLE, LINKS, REPORT, JOURNAL):
            old, new = self.previous / name, self.staging / name
            if not old.exists() or old.read_bytes() != new.read_bytes():
                return False
        return search.same_index(self.previous, self.staging)


def _keep_only_rendered(staging: Path) -> None:
    """A resumed run keeps the documents and the key sort; whatever else the killed run began
    writing (dumps, state...) is written again from the start."""
    for entry in staging.iterdir():
        if entry.name not in (DOCUMENTS, SORT):
            shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()


def _concatenate(chunks: list[Path], target: Path) -> None:
    """``dataset.nt.gz``: the N-Triples chunks end to end (a valid multi-member gzip file)."""
    with target.open("wb") as out:
        for chunk in chunks:
            with chunk.open("rb") as source:
                shutil.copyfileobj(source, out)
