"""Bulk dumps a triple store loads as-is: gzip N-Triples (all) and N-Quads (a graph per document).

The writer is fed documents in key order (the export sorts them on disk first,
:mod:`lod.publish.runs`) and streams them out, so memory does not grow with the
dataset. Each document comes as its *own* lines (statements about its own nodes:
the document, its description, its parts; no other document has them) and its
*shared* lines (about entities, concepts, activities that other documents describe
too). The N-Triples dump holds every triple once: the documents' own lines in key
order, then the shared lines, de-duplicated and sorted. The N-Quads dump holds each
document's graph whole, in key order. Both are cut into chunks of at most
``chunk_triples`` lines. The same documents give the same bytes; there are no blank
nodes, so chunks can be loaded, concatenated or merged in any order.

Chunks are compressed with ISA-L (``isal``: standard gzip, several times faster than
zlib, and it releases the GIL) at its level 2; docs/performance.md has
the figures behind the choice. Each chunk is written to a temporary name and renamed
into place; a chunk that would come out byte-identical is left untouched (same
bytes, same mtime), as in :mod:`lod.publish.files`. The set of chunks is not switched atomically: write into a
staging folder when readers must never see a half-updated set.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import re
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

from isal import igzip

from lod import serialize
from lod.publish.files import write_text
from lod.publish.layout import MANIFEST
from lod.serialize import Format

ENCODING = "gzip"
_GRAPH = re.compile(r'[^\x00-\x20<>"{}|^`\\]+\Z')
_RDF_TYPE = b"http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
# The rest of each line is matched too, so the search resumes at the next line instead of
# trying every position of long literals for a line start.
_STATEMENT = re.compile(rb"^<([^>]*)> <([^>]*)> (?:<([^>]*)>)?[^\n]*", re.M)


@dataclass(frozen=True)
class DumpFile:
    """One written chunk, as listed in ``manifest.json`` and described in VoID/DCAT."""

    path: str  # relative to the export root, e.g. "dumps/dataset-00001.nt.gz"
    bytes: int
    sha256: str
    triples: int
    media_type: str  # of the content; the gzip is the encoding
    graphs: dict[str, int] | None = None  # N-Quads: graph IRI -> triples in this file
    written: bool = True  # False when the file already held exactly these bytes
    format: str = ""  # the name of the format (lod.serialize) it is a dump of


@dataclass(frozen=True)
class DumpStats:
    """Figures of the N-Triples dump, counted while it is written (the caller builds VoID from them)."""

    triples: int
    distinct_subjects: int
    entities: int  # distinct subjects in ``uri_space``
    predicates: tuple[str, ...]
    classes: tuple[str, ...]  # objects of rdf:type


class LineStats(NamedTuple):
    """What VoID needs from a block of N-Triples lines; counted where the lines are made."""

    triples: int
    subjects: int  # distinct
    entities: int  # distinct subjects in the URI space
    predicates: frozenset[bytes]
    classes: frozenset[bytes]


def line_stats(blob: bytes, uri_space: bytes) -> LineStats:
    """Count the statements, distinct subjects, predicates and classes of N-Triples lines."""
    rows = _STATEMENT.findall(blob)
    subjects = set(map(itemgetter(0), rows))
    return LineStats(len(rows), len(subjects), len([s for s in subjects if s.startswith(uri_space)]),
                     frozenset(map(itemgetter(1), rows)),
                     frozenset([obj for _, predicate, obj in rows if predicate == _RDF_TYPE and obj]))


class DumpWriter:
    """Writes the dump chunks into ``folder`` from documents added in key order.

    ``uri_space`` (e.g. ``{base}id/``) only affects :attr:`stats`.entities.
    """

    def __init__(self, folder: Path, dumps: Iterable[Format] = (serialize.N_TRIPLES, serialize.N_QUADS),
                 chunk_triples: int = 500_000, level: int = 2, uri_space: str = ""):
        if chunk_triples < 1:
            raise ValueError("chunk_triples must be at least 1")
        dumps = list(dumps)
        views = [f for f in dumps if f.profiles is not None]  # dumps of other profiles' triples (EDM)
        dumps = [f for f in dumps if f.profiles is None]
        every_triple_once = [f for f in dumps if not f.dump.graphs]
        if not every_triple_once:
            raise ValueError("a dump that holds every triple once (N-Triples) is always written")
        if any(f.dump.graphs for f in views):
            raise ValueError("a dump of other profiles' triples holds every triple once")
        self.folder = Path(folder)
        self.chunk_triples = chunk_triples
        self.level = level
        self.uri_space = uri_space.encode("utf-8")
        self.stats: DumpStats | None = None
        self.removed: list[str] = []  # stale chunk files deleted by close()
        self._shared: set[bytes] = set()
        self._counts = [0, 0, 0]  # triples, subjects, entities of the documents' own lines
        self._predicates: set[bytes] = set()
        self._classes: set[bytes] = set()
        self._last_graph = ""
        self._closed = False
        self.folder.mkdir(parents=True, exist_ok=True)
        chunk, temporary = _chunk_names()
        for leftover in self.folder.iterdir():  # from an export that was killed
            if temporary.match(leftover.name):
                leftover.unlink()
        self._chunk_name = chunk
        writers = {f.name: _ThreadedChunks(_ChunkWriter(self.folder, f, chunk_triples, level)) for f in dumps}
        self._triples = [writers[f.name] for f in every_triple_once]
        self._graphs = [writers[f.name] for f in dumps if f.dump.graphs]
        self._views = {f.name: _ThreadedChunks(_ChunkWriter(self.folder, f, chunk_triples, level)) for f in views}
        self._view_shared: dict[str, set[bytes]] = {name: set() for name in self._views}

    def add(self, graph: str, own: bytes | list[str], shared: bytes | list[str] = b"",
            stats: LineStats | None = None, views: dict[str, tuple[bytes, bytes]] | None = None) -> None:
        """One document: its named-graph IRI, its own lines and its shared lines.

        Lines end in " .\\n" and have an IRI subject; they may come as a list of lines
        or as one UTF-8 blob (cheap to pass between processes). ``stats`` are
        :func:`line_stats` of ``own`` when the caller has them already. ``views``: the own and
        shared lines of each dump of other profiles (by format name), which the dataset's
        figures do not count.
        """
        if self._closed:
            raise ValueError("DumpWriter is closed")
        if not _GRAPH.match(graph):
            raise ValueError(f"not an IRI that N-Quads can hold: {graph!r}")
        if graph <= self._last_graph:
            raise ValueError(f"documents must come in order: {graph!r} after {self._last_graph!r}")
        self._last_graph = graph
        own, shared = _blob(own), _blob(shared)
        stats = stats or line_stats(own, self.uri_space)
        self._counts[0] += stats.triples
        self._counts[1] += stats.subjects
        self._counts[2] += stats.entities
        self._predicates |= stats.predicates
        self._classes |= stats.classes
        self._shared.update(shared.split(b"\n"))
        for chunks in self._triples:
            chunks.add(graph, own, stats.triples)
        for chunks in self._graphs:
            chunks.add(graph, own + shared, stats.triples + shared.count(b"\n"))
        for name, (view_own, view_shared) in (views or {}).items():
            view_own = _blob(view_own)
            self._views[name].add(graph, view_own, view_own.count(b"\n"))
            self._view_shared[name].update(_blob(view_shared).split(b"\n"))

    def discard(self) -> None:
        """Drop everything; the writer cannot be used again."""
        self._closed = True
        self._shared = set()
        for chunks in (*self._triples, *self._graphs, *self._views.values()):
            chunks.discard()

    def close(self) -> list[DumpFile]:
        """Write the shared lines, finish the chunks, delete stale ones; N-Triples files first."""
        if self._closed:
            raise ValueError("DumpWriter is closed")
        self._closed = True
        try:
            self._shared.discard(b"")
            shared = b"".join(line + b"\n" for line in sorted(self._shared))
            self._shared = set()
            extra = line_stats(shared, self.uri_space)
            for chunks in self._triples:
                chunks.add("", shared, extra.triples)
            for name, chunks in self._views.items():
                lines = self._view_shared[name] - {b""}
                chunks.add("", b"".join(line + b"\n" for line in sorted(lines)), len(lines))
            self._view_shared = {}
            files = [file for chunks in (*self._triples, *self._graphs, *self._views.values())
                     for file in chunks.finish()]
        except BaseException:
            self.discard()
            raise
        triples, subjects, entities = self._counts
        self.stats = DumpStats(triples + extra.triples, subjects + extra.subjects, entities + extra.entities,
                               _decoded(self._predicates | extra.predicates),
                               _decoded(self._classes | extra.classes))
        written = {Path(f.path).name for f in files}
        for path in sorted(self.folder.iterdir()):
            if self._chunk_name.match(path.name) and path.name not in written:
                path.unlink()
                self.removed.append(path.name)
        return files


def _blob(lines: bytes | list[str]) -> bytes:
    """N-Triples lines as one blob. A list is checked line by line; a blob (as the
    export's own N-Triples writer makes them, one line per statement) only at its ends."""
    if isinstance(lines, bytes):
        blob = lines
    else:
        if any(line.count("\n") != 1 or not line.startswith("<") or not line.endswith(" .\n")
               for line in lines):
            raise ValueError("each item must be one N-Triples line with an IRI subject, ending in a newline")
        blob = "".join(lines).encode("utf-8")
    if blob and not (blob.startswith(b"<") and blob.endswith(b" .\n")):
        raise ValueError(f"not N-Triples lines with IRI subjects: {blob[:200]!r}")
    return blob


def chunk_files(folder: Path, format: Format) -> list[Path]:
    """The chunks of one dump format in ``folder``, in order."""
    return sorted(path for path in folder.glob(f"{format.dump.stem}-*{format.extension}.gz")
                  if _chunk_names()[0].match(path.name))


def _chunk_names() -> tuple[re.Pattern, re.Pattern]:
    """Names of the chunks of every registered dump format, and of their temporary files."""
    names = "|".join(re.escape(f.dump.stem) + r"-\d{5,}" + re.escape(f.dump_extension)
                     for f in serialize.formats() if f.dump)
    return re.compile(rf"({names})\.gz\Z"), re.compile(rf"\.(({names})\.gz\..+)\.tmp\Z")


class _ChunkWriter:
    """Streams lines into numbered chunk files of at most ``limit`` lines."""

    def __init__(self, folder: Path, format: Format, limit: int, level: int):
        self.folder, self.format, self.media_type = folder, format, format.dump_media_type
        self.name = f"{format.dump.stem}-{{:05d}}{format.dump_extension}.gz"
        self.limit, self.level = limit, level
        self.files: list[DumpFile] = []
        self.chunk: _Chunk | None = None

    def write(self, blob: bytes, lines: int, graph: str | None = None) -> None:
        while lines:
            if self.chunk is None:
                self.chunk = _Chunk(self.folder / self.name.format(len(self.files) + 1),
                                    self.format, self.level)
            room = self.limit - self.chunk.triples
            if lines > room:  # rare: split at the room-th line end
                cut = _nth_line_end(blob, room)
                self.chunk.write(blob[:cut], room, graph)
                blob, lines = blob[cut:], lines - room
            else:
                self.chunk.write(blob, lines, graph)
                lines = 0
            if self.chunk.triples == self.limit:
                self.close_chunk()

    def close_chunk(self) -> None:
        if self.chunk is not None:
            self.files.append(self.chunk.finish())
            self.chunk = None

    def finish(self) -> list[DumpFile]:
        self.close_chunk()
        return self.files

    def discard(self) -> None:
        if self.chunk is not None:
            self.chunk.discard()
            self.chunk = None


class _ThreadedChunks:
    """A :class:`_ChunkWriter` fed through a queue and compressed in its own thread.

    ISA-L releases the GIL, so the dumps compress on other cores while the main
    thread prepares the next documents. A dump with a graph per document (N-Quads):
    each document's lines get its graph, and a graph starts a new chunk rather than
    straddle two (unless it is larger than a chunk by itself).
    """

    def __init__(self, chunks: _ChunkWriter):
        self.chunks = chunks
        self.graphs = chunks.format.dump.graphs
        self.queue: queue.Queue = queue.Queue(maxsize=64)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name=f"lod-{chunks.media_type}", daemon=True)
        self.thread.start()

    def add(self, graph: str, lines: bytes, count: int) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put((graph, lines, count))

    def _run(self) -> None:
        try:
            while (item := self.queue.get()) is not None:
                graph, lines, count = item
                if not self.graphs:
                    self.chunks.write(lines, count)
                    continue
                chunk = self.chunks.chunk
                if chunk is not None and chunk.triples + count > self.chunks.limit:
                    self.chunks.close_chunk()
                # Each " .\n" (line end) becomes " <graph> .\n": split and join give what
                # bytes.replace gives, in about 60 % of its time on these many short lines.
                line_end = b" <%s> .\n" % graph.encode("utf-8")
                quads = line_end.join(lines.split(b" .\n"))
                self.chunks.write(quads, count, graph)
        except BaseException as error:  # reported to the writer's thread
            self.error = error
            while self.queue.get() is not None:
                pass

    def finish(self) -> list[DumpFile]:
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error
        return self.chunks.finish()

    def discard(self) -> None:
        if self.thread.is_alive():
            self.queue.put(None)
            self.thread.join()
        self.chunks.discard()


class _Chunk:
    """One gzip file being streamed to a temporary name (deterministic header: no name, mtime 0)."""

    def __init__(self, path: Path, format: Format, level: int):
        self.path = path
        self.media_type, self.format = format.dump_media_type, format.name
        self.triples = 0
        self.graphs: dict[str, int] | None = {} if format.dump.graphs else None
        handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        self._temp = Path(temp)
        self._raw = os.fdopen(handle, "wb")
        self._gzip = igzip.GzipFile(fileobj=self._raw, mode="wb", compresslevel=level, mtime=0,
                                    filename="")

    def write(self, blob: bytes, lines: int, graph: str | None) -> None:
        self.triples += lines
        if graph is not None:
            self.graphs[graph] = self.graphs.get(graph, 0) + lines
        self._gzip.write(blob)

    def discard(self) -> None:
        self._gzip.close()
        self._raw.close()
        self._temp.unlink(missing_ok=True)

    def finish(self) -> DumpFile:
        try:
            self._gzip.close()
            self._raw.close()
            size, digest = _file_digest(self._temp)
            written = not (self.path.is_file() and _file_digest(self.path) == (size, digest))
            if written:
                os.chmod(self._temp, 0o644)
                os.replace(self._temp, self.path)
        finally:
            self._temp.unlink(missing_ok=True)
        relative = f"{self.path.parent.name}/{self.path.name}"
        return DumpFile(relative, size, digest, self.triples, self.media_type, self.graphs, written, self.format)


# -- helpers ------------------------------------------------------------------------------------


def _nth_line_end(blob: bytes, lines: int) -> int:
    """The offset just past the ``lines``-th LF of ``blob``."""
    end = -1
    for _ in range(lines):
        end = blob.index(b"\n", end + 1)
    return end + 1


def _file_digest(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


def _decoded(values: set[bytes]) -> tuple[str, ...]:
    return tuple(sorted(value.decode("utf-8") for value in values))


def manifest_entry(file: DumpFile) -> dict:
    return {"path": file.path, "bytes": file.bytes, "sha256": file.sha256, "triples": file.triples,
            "media_type": file.media_type, "encoding": ENCODING, "graphs": file.graphs}


def write_manifest(root: Path, files: list[DumpFile], extra: Iterable[dict] = (),
                   base: str | None = None, outputs: Iterable[str] | None = None) -> bool:
    """Write ``root/manifest.json``: every dump file (plus ``extra`` entries) in path order.

    ``base`` (the base IRI) and ``outputs`` (the ``--formats`` names written) are recorded
    for the server, which reads them from here.
    """
    entries = sorted([manifest_entry(file) for file in files] + [dict(e) for e in extra],
                     key=lambda entry: entry["path"])
    paths = [entry["path"] for entry in entries]
    if len(set(paths)) != len(paths):
        raise ValueError("manifest lists a path twice")
    manifest: dict = {"files": entries}
    if base is not None:
        manifest["base"] = base
    if outputs is not None:
        manifest["outputs"] = list(outputs)
    return write_text(root / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True,
                                                  ensure_ascii=False) + "\n")
