"""Wires the stages: read -> link -> map -> serialize -> publish. Used by the CLI and the server.

An export makes three passes, each streaming, so memory does not grow with the input:

1. **identify**: every input record is parsed (in the workers) for the one thing that
   says which records may be captures of one document, its title; records go to an
   on-disk sort by that (:func:`lod.read.merge.group_key`);
2. **render**: each group of records becomes its documents (captures merged, keys made
   distinct, :func:`lod.read.merge.documents`), which are linked, mapped and serialized
   (:func:`lod.render.render`) and written by the workers;
3. **publish**: the publish stage takes the documents in key order and writes the new
   generation (:class:`lod.publish.Edition`).

Whatever one record raises is that record's rejection; only a failure of the export
itself (a full disk, an unwritable folder, another export running) stops it.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from itertools import groupby
from operator import itemgetter
from pathlib import Path

from isal import isal_zlib

from lod import MAPPING_VERSION, __version__
from lod.config import Config, ExportOptions, Settings
from lod.engine import Engine
from lod.errors import LodError, Place, ReadError
from lod.limits import Limits
from lod.map import profiles
from lod.model import Origin, Record
from lod.publish import Edition, Entry, documents, products
from lod.publish.rendered import PACKED_FORMAT, unpacked
from lod.publish.report import Report, error_entry
from lod.publish.runs import KeySorter
from lod.read import Skipped, input_files, parse, reread, split_inputs, title
from lod.read.merge import documents as documents_of, group_key, merge
from lod.read.unit import Unit
from lod.render import Linker, render

GROUPS = ".groups"


class ExportFailed(LodError):
    """The export itself could not go on (a full disk, an unwritable folder); nothing was published."""


class Progress:
    """Silent progress; the CLI passes a bar."""

    def advance(self, count: int = 1) -> None:
        pass

    def skip(self, count: int) -> None:
        """Items a resumed export found done already."""

    def start(self, label: str, total: int) -> None:
        """The next stage: ``total`` items of ``label``."""

    def close(self) -> None:
        pass


@dataclass(frozen=True)
class Job:
    """What every worker needs to read, render and write documents (picklable; sent once).

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
    outputs: products.Outputs | None = None  # what the export writes (None: the default outputs)
    limits: Limits = Limits()

    def identify(self, item):
        """A unit's group: records that may be captures of one document share it (their title,
        however printed; see lod.read.merge). Anything else the input yields (a skipped file, a
        file-level error) passes through. A record that does not parse is rejected when its
        group is rendered."""
        if not isinstance(item, Unit):
            return item
        try:
            return group_key(title(item))
        except OSError:
            raise  # the machine's trouble, not the record's
        except (MemoryError, RecursionError, Exception):  # noqa: BLE001 - the render pass says what is wrong
            return ""

    def render_group(self, units: list[Unit]) -> list:
        """The documents of one group of records, each rendered and written, as
        :meth:`Rendered.packed` tuples; records that fail are ReadErrors in the list."""
        records, results = [], []
        for unit in units:
            record = parse(unit, self.limits)
            (records if isinstance(record, Record) else results).append(record)
        try:
            found = documents_of(records)
        except OSError:
            raise
        except (MemoryError, RecursionError, Exception) as error:  # noqa: BLE001
            return results + [_internal_error(_place(r.origin), "merging captures", error) for r in records]
        for document in found:
            try:
                results.append(self.render_document(document))
            except ReadError as error:  # a rejection with its own reason (see lod.render.render)
                results.extend(ReadError(error.reason, _place(origin), error.hint) for origin in document.origins)
            except OSError:
                raise
            except (MemoryError, RecursionError, Exception) as error:  # noqa: BLE001
                results.extend(_internal_error(_place(origin), "linking, mapping or writing", error)
                               for origin in document.origins)
        return results

    def render_document(self, record: Record, replace_files: bool = False) -> tuple[str, str, bytes]:
        """Render one document, write its files, and pack the rest for the key sort."""
        first_seen, old_digest = self.known.get(record.key, (self.now, None))
        rendered = render(record, self.settings, self.linker, first_seen, self.outputs)
        if replace_files:
            documents.overwrite(self.documents, rendered.key, rendered.files)
            return rendered.packed(True)
        placed = documents.place(self.documents, rendered.key, rendered.digest, rendered.files,
                                 self.previous, old_digest)
        return rendered.packed(placed)


def _place(origin: Origin) -> Place:
    return Place(origin.file, line=origin.line, record=origin.record)


def _internal_error(place: Place, stage: str, error: BaseException) -> ReadError:
    """The rejection of a record that raised something lod did not expect while ``stage``."""
    detail = " ".join(str(error).split())[:200]
    return ReadError(f"failed while {stage} ({type(error).__name__}{': ' + detail if detail else ''})",
                     place, hint="please report this record to lod's maintainers")


def export(inputs: Iterable[str], out: Path, config: Config = Config(), linker: Linker | None = None,
           options: ExportOptions = ExportOptions(), *, progress: Progress | None = None,
           on_error: Callable[[str], None] | None = None, engine=None) -> Report:
    """Export every readable record of ``inputs`` into ``out`` as a new complete generation.

    ``config``: what the export produces (settings, dataset description, limits: lod.toml);
    ``options``: how it runs (outputs, workers, memory, resuming, clock: the command line).
    ``engine``: a ``dask.distributed.Client`` to render on a cluster instead of local processes.
    """
    settings, limits, now = config.settings, config.limits, options.now
    outputs = products.choose(options.outputs or products.default_outputs())
    formats = outputs.formats
    profiles.chosen(settings.profiles, descriptions=True)  # a configuration error before anything starts
    inputs = list(inputs)
    progress = progress or Progress()
    report = Report()
    edition = Edition(out, settings, report, dataset=config.dataset, formats=formats, products=outputs.products,
                      chunk_triples=options.chunk_triples, sort_bytes=options.sort_bytes, resume=options.resume,
                      now=now, fingerprint=_fingerprint(inputs, settings, linker, outputs.names, out, now, limits))
    try:
        with edition:
            job = Job(settings, linker, edition.known, edition.now, edition.documents,
                      edition.previous_documents, outputs, limits)
            with Engine(job, options.workers, engine) as running:
                groups = _identify(running, inputs, limits, edition, report, progress, on_error)
                _render(running, groups, edition, progress, on_error)
                edition.publish(progress, on_error, _resolver(job, report, on_error))
    except OSError as error:
        raise ExportFailed(f"cannot write the export ({error.strerror or error})",
                           Place(error.filename or str(out)), hint=_UNCHANGED) from error
    except BrokenProcessPool as error:
        raise ExportFailed(f"a worker process died ({error}); the machine may be out of memory",
                           Place(str(out)), hint=_UNCHANGED) from error
    return report


_UNCHANGED = "the previous export is unchanged; fix the cause and run the export again"


def _identify(engine: Engine, inputs: list[str], limits: Limits, edition: Edition, report: Report, progress,
              on_error) -> Iterator[list[Unit]]:
    """Pass 1: every input record, sorted on disk by group; yields the groups (a resumed export:
    those after the ones it had done)."""
    sorter = KeySorter(edition.staging / GROUPS, edition.sort_bytes)
    for item, result in engine.pairs("identify", split_inputs(inputs, limits)):
        progress.advance()
        if isinstance(result, Skipped):
            report.skipped.append({"file": result.path, "reason": result.reason})
            continue
        report.read += 1
        if isinstance(result, ReadError):
            report.reject(result)
            if on_error:
                on_error(str(result))
        else:
            sorter.add(result, b"", isal_zlib.compress(pickle.dumps(item, pickle.HIGHEST_PROTOCOL), 1))
            sorter.spill_if_full()
    progress.close()
    progress.start("records rendered", report.read - len(report.rejected))
    for number, (_, group) in enumerate(groupby(sorter, key=itemgetter(0))):
        if number < edition.done:
            progress.skip(sum(1 for _ in group))
        else:
            yield [pickle.loads(isal_zlib.decompress(payload)) for _, _, payload in group]
    sorter.close()


def _render(engine: Engine, groups: Iterator[list[Unit]], edition: Edition, progress, on_error) -> None:
    """Pass 2: each group's documents rendered and written, into the publish stage's key sort."""
    consumed = edition.done
    for units, results in engine.pairs("render_group", groups):
        consumed += 1
        progress.advance(len(units))
        for result in results:
            if isinstance(result, ReadError):
                edition.reject(error_entry(result))
                if on_error:
                    on_error(str(result))
            else:
                edition.add(*result)
        edition.checkpoint(consumed)
    progress.close()


def _resolver(job: Job, report: Report, on_error) -> Callable[[str, list[Entry]], Entry]:
    """Pass 3's rare case: documents rendered under one key from different groups are captures of one
    document (one landing page, two printed titles). They are read again, merged and rendered here."""

    def resolve(key: str, entries: list[Entry]) -> Entry:
        origins = [origin for _, rest in entries for origin in rest[4]]
        records = [r for r in reread(origins, job.limits) if isinstance(r, Record)]
        if len(records) == len(origins):
            merged = merge(records)
            merged = replace(merged, identifiers=replace(merged.identifiers, key=key))
            _, digest, rest = job.render_document(merged, replace_files=True)
            return bytes.fromhex(digest), unpacked(rest)
        kept, *others = entries  # an input file changed under the export: keep one, say so
        for _, rest in others:
            for origin in rest[4]:
                error = ReadError(f"another record has the document key {key!r} and the captures could not "
                                  "be merged (the input changed during the export)", _place(origin))
                report.reject(error)
                if on_error:
                    on_error(str(error))
        return kept

    return resolve


def _fingerprint(inputs: list[str], settings: Settings, linker: Linker | None, formats: tuple[str, ...],
                 out: Path, now: str | None, limits: Limits) -> str | None:
    """Everything the export's result depends on; None (no resuming) for a linker that cannot say."""
    from lod.publish import checkpoint, products
    from lod.publish.layout import Layout

    linking = getattr(linker, "fingerprint", None) if linker is not None else "none"
    if linking is None:
        return None
    previous = Layout(Path(out)).current()
    return checkpoint.fingerprint(
        [item for item in input_files(inputs) if isinstance(item, str)], inputs=inputs, lod=__version__,
        mapping=MAPPING_VERSION, packed=PACKED_FORMAT, products=[p.name for p in products.registered()],
        settings=repr(settings), linker=linking, formats=formats, limits=repr(limits),
        previous=previous.name if previous else None,
        now=now if now is not None else os.environ.get("SOURCE_DATE_EPOCH"))
