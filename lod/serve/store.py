"""The query store: the export's quads in a pyoxigraph store on disk, behind one small interface.

:class:`QueryStore` is all the rest of ``lod serve`` knows of it: :meth:`QueryStore.current`
gives a :class:`Snapshot` (the store's folder, for query workers that open it read-only, and
an open read-only handle for lookups in this process), and a few lookups the linked-data
pages need. Today the store is built from the export folder into a temporary folder, again
whenever the export changes (:meth:`lod.serve.folder.Export.generation`); a store the export
writes itself would only change :meth:`QueryStore._build`.

Contents (the SPARQL dataset):

* one named graph per document, graph IRI = its description IRI ``{base}doc/document/<key>``,
  from the N-Quads dumps (else ``documents/<key>.ttl``);
* the **default graph is the RDF merge of the documents' graphs, stored**: each triple
  once, however many documents state it (from the N-Triples dumps, which hold exactly
  that, else from the same N-Quads or Turtle). So ``SELECT (COUNT(*) AS ?n) {?s ?p ?o}``
  is the VoID ``void:triples`` figure, and ``FROM`` / ``FROM NAMED`` keep their standard
  meaning (a query-time union would repeat shared triples once per graph and override
  ``FROM``).

``void.ttl`` is not in the store (it is served at ``/void``).
"""

from __future__ import annotations

import atexit
import gzip
import os
import re
import shutil
import tempfile
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path

from lod.serve.folder import NQ_MEDIA_TYPE, NT_MEDIA_TYPE, Export
from lod.vocab import RDFS, SCHEMA, SKOS

#: Labels shown beside the IRIs a description points to.
LABELS = (str(RDFS.label), str(SCHEMA.name), str(SKOS.prefLabel))
_FOLDER = re.compile(r"lod-store-(\d+)-[^/]+\Z")


@dataclass(frozen=True)
class Snapshot:
    """One export generation's store: ``path`` for other processes, ``store`` (read-only) here."""

    path: Path
    store: object  # pyoxigraph.Store, opened read-only
    generation: str


def _open(path: Path):
    return gzip.open(path, "rb") if path.name.endswith(".gz") else open(path, "rb")


class QueryStore:
    """The store of one export, rebuilt (whole, then swapped in) when the export changes.

    ``directory``: where store folders go (default: the system's temporary folder). The
    folders are removed by :meth:`close`, at the latest when the interpreter exits, and
    folders left by servers that were killed are swept at start.
    """

    def __init__(self, export: Export, directory: str | os.PathLike | None = None):
        self.export = export
        _sweep_stale(directory)
        self._root = Path(tempfile.mkdtemp(prefix=f"lod-store-{os.getpid()}-", dir=directory))
        self._folders: list[Path] = [self._root]
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()
        self._counter = 0
        self._finalizer = weakref.finalize(self, _remove, self._folders, self._lock)
        atexit.register(self._finalizer)

    def close(self) -> None:
        self._snapshot = None
        self._finalizer()

    def current(self) -> Snapshot:
        """The store for the export as it is now (built on first use, rebuilt when it changed)."""
        generation = self.export.generation()
        snapshot = self._snapshot
        if snapshot is not None and snapshot.generation == generation:
            return snapshot
        with self._lock:
            generation = self.export.generation()
            if self._snapshot is not None and self._snapshot.generation == generation:
                return self._snapshot
            if not self._folders:
                raise RuntimeError("the query store is closed")
            import pyoxigraph as ox

            self._counter += 1
            folder = self._root / f"store-{self._counter}"
            self._folders.append(folder)
            self._build(folder)
            self._snapshot = Snapshot(folder, ox.Store.read_only(str(folder)), generation)
            # Keep the previous store for queries already on their way to a worker; older
            # ones go (a process still holding one open keeps reading the unlinked files).
            for stale in self._folders[1:-2]:
                shutil.rmtree(stale, ignore_errors=True)
            self._folders[1:-2] = []
            return self._snapshot

    def _build(self, folder: Path) -> None:
        import pyoxigraph as ox

        export = self.export
        store = ox.Store(str(folder))
        try:
            quads, triples = export.dump_paths(NQ_MEDIA_TYPE), export.dump_paths(NT_MEDIA_TYPE)
            for path in quads:
                with _open(path) as handle:
                    store.bulk_load(input=handle, format=ox.RdfFormat.N_QUADS)
            for path in triples:
                with _open(path) as handle:
                    store.bulk_load(input=handle, format=ox.RdfFormat.N_TRIPLES)
            if quads and not triples:  # the merge from the documents' graphs: a store is a set
                for path in quads:
                    with _open(path) as handle:
                        store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object)
                                          for q in ox.parse(handle, ox.RdfFormat.N_QUADS))
            elif not quads and not triples:
                for key in export.keys():
                    path = export.document_path(key, "ttl")
                    if path is None:
                        continue
                    for graph in (ox.NamedNode(export.description_iri(key)), ox.DefaultGraph()):
                        with open(path, "rb") as handle:
                            store.bulk_load(input=handle, format=ox.RdfFormat.TURTLE, to_graph=graph)
            store.flush()
        finally:
            del store

    # -- lookups for the linked-data pages (the default graph: each triple once) -----------------

    def objects(self, subject: str, predicate: str) -> list:
        import pyoxigraph as ox

        store = self.current().store
        return [q.object for q in store.quads_for_pattern(
            ox.NamedNode(subject), ox.NamedNode(predicate), None, ox.DefaultGraph())]

    def describe(self, iri: str) -> list:
        """The triples (``pyoxigraph.Triple``) whose subject is ``iri``, plus the labels
        (:data:`LABELS`) of the IRIs they point to, so a description can show names.
        Empty when the IRI is not a subject in the data."""
        import pyoxigraph as ox

        store = self.current().store
        subject, default = ox.NamedNode(iri), ox.DefaultGraph()
        triples = [q.triple for q in store.quads_for_pattern(subject, None, None, default)]
        seen = set(triples)
        labels = [ox.NamedNode(p) for p in LABELS]
        for triple in list(triples):
            if isinstance(triple.object, ox.NamedNode) and triple.object != subject:
                for predicate in labels:
                    for quad in store.quads_for_pattern(triple.object, predicate, None, default):
                        if quad.triple not in seen:
                            seen.add(quad.triple)
                            triples.append(quad.triple)
        return triples

    def knows(self, iri: str) -> bool:
        """Whether ``iri`` is the subject of some triple in the data."""
        import pyoxigraph as ox

        quads = self.current().store.quads_for_pattern(ox.NamedNode(iri), None, None, ox.DefaultGraph())
        return next(iter(quads), None) is not None

    def mentioned_in(self, iri: str) -> list[str]:
        """Keys of the documents whose graph mentions ``iri`` (as subject or object), sorted."""
        import pyoxigraph as ox

        store = self.current().store
        node = ox.NamedNode(iri)
        graphs = {q.graph_name for q in store.quads_for_pattern(None, None, node, None)}
        graphs |= {q.graph_name for q in store.quads_for_pattern(node, None, None, None)}
        keys = {self.export.key_of_graph(g.value) for g in graphs if isinstance(g, ox.NamedNode)}
        return sorted(k for k in keys if k)


def _sweep_stale(parent) -> None:
    """Remove store folders left behind by servers that were killed (their pid is gone)."""
    try:
        entries = list(os.scandir(Path(parent or tempfile.gettempdir())))
    except OSError:
        return
    for entry in entries:
        match = _FOLDER.match(entry.name)
        if not match or not entry.is_dir(follow_symlinks=False):
            continue
        try:
            if entry.stat(follow_symlinks=False).st_uid != os.getuid():
                continue
            os.kill(int(match.group(1)), 0)
        except ProcessLookupError:
            shutil.rmtree(entry.path, ignore_errors=True)
        except (OSError, ValueError, OverflowError):
            continue


def _remove(folders: list[Path], lock: threading.Lock) -> None:
    locked = lock.acquire(timeout=60)  # let a store being built finish first
    try:
        for folder in reversed(folders):  # the root (first) last
            shutil.rmtree(folder, ignore_errors=True)
        folders.clear()
    finally:
        if locked:
            lock.release()
