"""Bulk dumps a triple store loads as-is: gzip N-Triples (all) and N-Quads (a graph per document).

Both are sorted byte-wise (= code point order) and cut into chunks of at most
``chunk_triples`` lines, so the same documents give the same files whatever order
they arrive in. Memory stays bounded by sorting runs of ``spill_every`` documents
into temporary files and merging them at the end (an external merge sort). There
are no blank nodes, so chunks can be loaded, concatenated or merged in any order.

Each chunk is written to a temporary name and renamed into place; a chunk that
would come out byte-identical is left untouched (same bytes, same mtime), as in
:mod:`lod.publish.files`. The set of chunks is not switched atomically: write into a
staging folder when readers must never see a half-updated set.
"""

from __future__ import annotations

import gzip
import hashlib
import heapq
import io
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

from lod.publish.files import write_text

NT_MEDIA_TYPE = "application/n-triples"
NQ_MEDIA_TYPE = "application/n-quads"
ENCODING = "gzip"
MANIFEST = "manifest.json"
NT_NAME = "dataset-{:05d}.nt.gz"
NQ_NAME = "documents-{:05d}.nq.gz"
#: Runs merged at once; more are first merged in groups so open files stay few.
MAX_OPEN_RUNS = 64

_CHUNK = re.compile(r"(dataset-\d{5,}\.nt|documents-\d{5,}\.nq)\.gz\Z")
_TEMP = re.compile(r"\.(run-\d+\.n[tq]|(dataset|documents)-\d{5,}\.n[tq]\.gz\..+)\.tmp\Z")
_GRAPH = re.compile(r'[^\x00-\x20<>"{}|^`\\]+\Z')
_RDF_TYPE = b"http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_BATCH = 4096


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


@dataclass(frozen=True)
class DumpStats:
    """Figures of the N-Triples dump, counted while it is written (the caller builds VoID from them)."""

    triples: int
    distinct_subjects: int
    entities: int  # distinct subjects in ``uri_space``
    predicates: tuple[str, ...]
    classes: tuple[str, ...]  # objects of rdf:type


class DumpWriter:
    """Collects documents' N-Triples lines; :meth:`close` writes the chunks into ``folder``.

    ``uri_space`` (e.g. ``{base}id/``) only affects :attr:`stats`.entities.
    """

    def __init__(self, folder: Path, chunk_triples: int = 500_000, level: int = 3,
                 spill_every: int = 20_000, uri_space: str = "", quads: bool = True,
                 spill_bytes: int = 24 << 20):
        if chunk_triples < 1 or spill_every < 1:
            raise ValueError("chunk_triples and spill_every must be at least 1")
        self.folder = Path(folder)
        self.chunk_triples = chunk_triples
        self.level = level
        self.spill_every = spill_every
        self.uri_space = uri_space.encode("utf-8")
        self.quads = quads  # False: the N-Triples dump only (lod export --formats nt)
        self.spill_bytes = spill_bytes  # also spill at this many bytes of lines: memory stays flat
        self._buffered = 0
        self.stats: DumpStats | None = None
        self.removed: list[str] = []  # stale chunk files deleted by close()
        self._documents: list[tuple[bytes, list[bytes]]] = []
        self._runs: list[tuple[Path, Path]] = []  # (triples, quads) per spilled run
        self._temps: list[Path] = []
        self._closed = False
        self.folder.mkdir(parents=True, exist_ok=True)
        for leftover in self.folder.iterdir():  # from an export that was killed
            if _TEMP.match(leftover.name):
                leftover.unlink()

    def add(self, graph: str, lines: list[str] | bytes) -> None:
        """One document: its named-graph IRI and its N-Triples lines (each ending in " .\\n").

        ``lines`` may also come as one UTF-8 blob of such lines (cheap to pass between
        processes); either way each line must be one N-Triples statement.
        """
        if self._closed:
            raise ValueError("DumpWriter is closed")
        if not _GRAPH.match(graph):
            raise ValueError(f"not an IRI that N-Quads can hold: {graph!r}")
        if not isinstance(lines, bytes) and any(line.count("\n") != 1 for line in lines):
            raise ValueError("each item of lines must be one line ending in a newline")
        blob = lines if isinstance(lines, bytes) else "".join(lines).encode("utf-8")
        if blob[-1:] not in (b"", b"\n"):
            raise ValueError(f"N-Triples lines must end with a newline: {blob[-200:]!r}")
        encoded = [line + b"\n" for line in blob.split(b"\n")[:-1]]
        for line in encoded:
            if not line.endswith(b" .\n") or not line.startswith(b"<"):
                raise ValueError(f"not one N-Triples line with an IRI subject: {line!r}")
        self._documents.append((graph.encode("utf-8"), encoded))
        self._buffered += len(blob)
        if len(self._documents) >= self.spill_every or self._buffered >= self.spill_bytes:
            self._spill()

    def discard(self) -> None:
        """Drop everything added so far (runs included); the writer cannot be used again."""
        self._closed = True
        self._documents = []
        for temp in self._temps:
            temp.unlink(missing_ok=True)

    def close(self) -> list[DumpFile]:
        """Merge, write the chunks, delete stale chunks and temporary files; N-Triples files first."""
        if self._closed:
            raise ValueError("DumpWriter is closed")
        self._closed = True
        try:
            triples = self._merged(0, _sorted_triples(self._documents))
            quads = self._merged(1, _sorted_quads(self._documents)) if self.quads else None
            self._documents = []
            # The N-Quads dump is merged and compressed in a second thread: zlib releases the
            # GIL, so the two gzip streams use two cores.
            with ThreadPoolExecutor(1) as pool:
                nq = pool.submit(self._write_chunks, NQ_NAME, NQ_MEDIA_TYPE, _graphs(quads), True) \
                    if quads is not None else None
                files = self._write_chunks(NT_NAME, NT_MEDIA_TYPE, _batches(self._counted(triples)), False)
                files += nq.result() if nq is not None else []
        finally:
            for temp in self._temps:
                temp.unlink(missing_ok=True)
        written = {Path(f.path).name for f in files}
        for path in sorted(self.folder.iterdir()):
            if _CHUNK.match(path.name) and path.name not in written:
                path.unlink()
                self.removed.append(path.name)
        return files

    # -- runs ---------------------------------------------------------------------------------

    def _run_path(self, kind: str) -> Path:
        path = self.folder / f".run-{len(self._temps) + 1:04d}.{kind}.tmp"
        self._temps.append(path)
        return path

    def _spill(self) -> None:
        triples, quads = self._run_path("nt"), self._run_path("nq")
        _write_run(triples, _sorted_triples(self._documents))
        _write_run(quads, _sorted_quads(self._documents) if self.quads else [])
        self._runs.append((triples, quads))
        self._documents = []
        self._buffered = 0

    def _merged(self, kind: int, in_memory: list[bytes]) -> Iterator[bytes]:
        """The sorted, de-duplicated union of the spilled runs of one kind and ``in_memory``."""
        runs = [run[kind] for run in self._runs]
        while len(runs) + 1 > MAX_OPEN_RUNS:
            group, runs = runs[:MAX_OPEN_RUNS], runs[MAX_OPEN_RUNS:]
            merged = self._run_path("nt" if kind == 0 else "nq")
            _write_run(merged, _unique(heapq.merge(*map(_read_run, group))))
            for path in group:
                path.unlink()
            runs.append(merged)
        return _unique(heapq.merge(*map(_read_run, runs), in_memory))

    # -- chunks -------------------------------------------------------------------------------

    def _counted(self, lines: Iterator[bytes]) -> Iterator[bytes]:
        """Pass the sorted N-Triples through, counting what VoID needs (subjects arrive grouped)."""
        triples = subjects = entities = 0
        predicates: set[bytes] = set()
        classes: set[bytes] = set()
        previous = b""
        for line in lines:
            triples += 1
            end = line.index(b">")
            subject = line[1:end]
            if subject != previous:
                previous = subject
                subjects += 1
                entities += subject.startswith(self.uri_space)
            start = end + 3  # past "> <"
            end = line.index(b">", start)
            predicate = line[start:end]
            predicates.add(predicate)
            if predicate == _RDF_TYPE and line[end + 2:end + 3] == b"<":
                classes.add(line[end + 3:line.index(b">", end + 3)])
            yield line
        self.stats = DumpStats(triples, subjects, entities, _decoded(predicates), _decoded(classes))

    def _write_chunks(self, name: str, media_type: str, groups: Iterable[tuple[str | None, list[bytes]]],
                      keep_together: bool) -> list[DumpFile]:
        """Cut the lines into chunk files; with ``keep_together`` a group starts a new chunk
        rather than straddle two, unless it is larger than a chunk by itself."""
        files: list[DumpFile] = []
        chunk: _Chunk | None = None
        for graph, lines in groups:
            if keep_together and chunk and chunk.triples + len(lines) > self.chunk_triples:
                files.append(chunk.finish())
                chunk = None
            while lines:
                if chunk is None:
                    chunk = _Chunk(self.folder / name.format(len(files) + 1), media_type, self.level)
                room = self.chunk_triples - chunk.triples
                chunk.write(lines[:room], graph)
                lines = lines[room:]
                if chunk.triples == self.chunk_triples:
                    files.append(chunk.finish())
                    chunk = None
        if chunk:
            files.append(chunk.finish())
        return files


class _Chunk:
    """One gzip file being streamed to a temporary name (deterministic header: no name, mtime 0)."""

    def __init__(self, path: Path, media_type: str, level: int):
        self.path = path
        self.media_type = media_type
        self.triples = 0
        self.graphs: dict[str, int] | None = {} if media_type == NQ_MEDIA_TYPE else None
        handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        self._temp = Path(temp)
        self._raw = os.fdopen(handle, "wb")
        self._gzip = gzip.GzipFile(fileobj=self._raw, mode="wb", compresslevel=level, mtime=0,
                                   filename="")

    def write(self, lines: list[bytes], graph: str | None) -> None:
        self.triples += len(lines)
        if graph is not None:
            self.graphs[graph] = self.graphs.get(graph, 0) + len(lines)
        self._gzip.write(b"".join(lines))

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
        return DumpFile(relative, size, digest, self.triples, self.media_type, self.graphs, written)


# -- helpers ------------------------------------------------------------------------------------


def _sorted_triples(documents: list[tuple[bytes, list[bytes]]]) -> list[bytes]:
    return sorted({line for _, lines in documents for line in lines})


def _sorted_quads(documents: list[tuple[bytes, list[bytes]]]) -> list[bytes]:
    """N-Quads lines in (graph, triple) order.

    The sort key is ``graph TAB line`` kept in front of the quad: TAB sorts before
    every character an IRI may hold, so plain byte order is (graph, line) order.
    """
    return sorted({b"%s\t%s <%s> .\n" % (graph, line[:-3], graph)
                   for graph, lines in documents for line in lines})


def _graphs(quads: Iterator[bytes]) -> Iterator[tuple[str, list[bytes]]]:
    """The quads grouped by graph, without their sort key."""
    for graph, group in groupby(quads, key=lambda quad: quad[:quad.index(b"\t")]):
        start = len(graph) + 1
        yield graph.decode("utf-8"), [quad[start:] for quad in group]


def _batches(lines: Iterable[bytes]) -> Iterator[tuple[None, list[bytes]]]:
    batch: list[bytes] = []
    for line in lines:
        batch.append(line)
        if len(batch) == _BATCH:
            yield None, batch
            batch = []
    if batch:
        yield None, batch


def _unique(lines: Iterable[bytes]) -> Iterator[bytes]:
    previous = None
    for line in lines:
        if line != previous:
            previous = line
            yield line


def _write_run(path: Path, lines: Iterable[bytes]) -> None:
    with gzip.open(path, "wb", compresslevel=1) as out:
        for _, batch in _batches(lines):
            out.write(b"".join(batch))


def _read_run(path: Path) -> Iterator[bytes]:
    with gzip.open(path, "rb") as raw, io.BufferedReader(raw, 1 << 16) as lines:
        yield from lines


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
                   base: str | None = None) -> bool:
    """Write ``root/manifest.json``: every dump file (plus ``extra`` entries) in path order.

    ``base`` (the base IRI) is recorded for the server, which reads it from here.
    """
    entries = sorted([manifest_entry(file) for file in files] + [dict(e) for e in extra],
                     key=lambda entry: entry["path"])
    paths = [entry["path"] for entry in entries]
    if len(set(paths)) != len(paths):
        raise ValueError("manifest lists a path twice")
    manifest: dict = {"files": entries}
    if base is not None:
        manifest["base"] = base
    return write_text(root / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True,
                                                  ensure_ascii=False) + "\n")
