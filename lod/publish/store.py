"""The SPARQL store: the generation's graphs in a pyoxigraph (RocksDB) store, written by the export.

``lod serve`` and each of its SPARQL workers open ``DIR/store`` read-only, so nothing is
loaded when the server starts; ``oxigraph serve-read-only --location DIR/store`` works too.

Contents (the SPARQL dataset):

* one named graph per document, named by its description IRI (``{base}doc/document/<key>``),
  holding the document's N-Triples (its own statements and those it shares with others);
* the **default graph: the RDF merge of the documents' graphs, stored** (each triple once,
  however many documents state it), so ``SELECT (COUNT(*) AS ?n) {?s ?p ?o}`` is VoID's
  ``void:triples`` and ``FROM`` keeps its standard meaning.

How it is written (a product, :mod:`lod.publish.products`: documents come in key order):

* **update**, when the previous generation has a store: ``Store.backup`` copies it (a RocksDB
  checkpoint: hard links to its immutable files, so it is cheap and leaves the previous store
  as it was); each changed or deleted document's graph is moved aside (SPARQL ``MOVE``), the
  new graph and its triples (in the default graph) are bulk-loaded; at the end, the triples
  of the graphs moved aside that no graph states any more leave the default graph, one
  moved graph at a time. Unchanged documents cost nothing.
* **build**, the first time, or when more than a quarter of the first :data:`SAMPLE`
  documents changed (a new mapping version, another base: replacing nearly every graph one
  by one costs more than loading them all): a new store; the named graphs are bulk-loaded
  as the documents come, the default graph from the N-Triples dump (every triple once).

Both ways give the same quads (tested). Bulk loads run in a thread beside the pass (pyoxigraph
releases the GIL), :data:`BATCH` quads at a time, which bounds their memory. The store is
written into the staging generation and switched with it: a killed export leaves the previous
generation's store as it was, and the next run writes it again.
"""

from __future__ import annotations

import queue
import threading
from pathlib import Path

from isal import igzip

from lod import serialize
from lod.iris import Iris
from lod.publish.dumps import chunk_files
from lod.publish.layout import DUMPS, STORE
from lod.publish.products import Context, Product, Published, register

#: Documents seen before choosing between updating the previous store and building anew,
#: and the share of them that may have changed (or gone) for an update.
SAMPLE = 1000
UPDATE_SHARE = 0.25
#: Quads per bulk load: pyoxigraph's loader holds a batch in memory (about 0.5 KB a quad).
BATCH = 100_000
#: Where a changed document's previous graph waits until the default graph is pruned (never published).
_MOVED = "urn:x-lod:replaced:"
_PRUNE = """DELETE {{ ?s ?p ?o }} WHERE {{
  GRAPH <{moved}> {{ ?s ?p ?o }}
  FILTER NOT EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (?g != <{moved}>) }}
}} ;
DROP SILENT GRAPH <{moved}>"""


def is_store(path: Path) -> bool:
    """Whether ``path`` holds a store (a RocksDB folder)."""
    return (path / "CURRENT").is_file()


class _Loader:
    """Bulk loads of N-Quads in a thread of their own, :data:`BATCH` lines at a time."""

    def __init__(self, store):
        self.store = store
        self.parts: list[bytes] = []
        self.lines = 0
        self.error: BaseException | None = None
        self.queue: queue.Queue = queue.Queue(maxsize=2)
        self.thread = threading.Thread(target=self._run, name="lod-store", daemon=True)
        self.thread.start()

    def add(self, quads: bytes, lines: int) -> None:
        self.parts.append(quads)
        self.lines += lines
        if self.lines >= BATCH:
            self._send()

    def _send(self) -> None:
        if self.error is not None:
            raise self.error
        if self.parts:
            self.queue.put(b"".join(self.parts))
            self.parts, self.lines = [], 0

    def _run(self) -> None:
        import pyoxigraph as ox

        while (quads := self.queue.get()) is not None:
            if self.error is None:  # after an error: drain, so the writer's thread never blocks
                try:
                    self.store.bulk_load(quads, ox.RdfFormat.N_QUADS)
                except BaseException as error:  # reported to the writer's thread
                    self.error = error

    def finish(self) -> None:
        """Load what is left and wait for every load to end."""
        try:
            self._send()
        finally:
            self.queue.put(None)
            self.thread.join()
        if self.error is not None:
            raise self.error

    def discard(self) -> None:
        self.parts = []
        if self.thread.is_alive():
            self.error = self.error or RuntimeError("discarded")
            self.queue.put(None)
            self.thread.join()


class _StoreWriter:
    """Writes ``generation/store`` from the documents of the pass in key order."""

    def __init__(self, generation: Path, context: Context):
        self.path = generation / STORE
        self.dumps = generation / DUMPS
        self.iris = Iris(context.base)
        previous = context.previous / STORE if context.previous else None
        self.previous = previous if previous is not None and is_store(previous) else None
        self.sample: list[Published | str] = []  # documents (and deleted keys) before the choice
        self.changed = 0
        self.updating: bool | None = None  # None until chosen
        self.store = None
        self.loader: _Loader | None = None
        self.moved: list[str] = []
        if self.previous is None:
            self._start(updating=False)

    # -- the pass ---------------------------------------------------------------------------------

    def add(self, document: Published) -> None:
        if self.updating is None:
            self._hold(document, document.change is not None)
        elif self.updating:
            if document.change is not None:
                self._move_aside(document.key)
                self._load(document, default_graph=True)
        else:
            self._load(document, default_graph=False)

    def delete(self, key: str) -> None:
        if self.updating is None:
            self._hold(key, True)
        elif self.updating:
            self._move_aside(key)

    def close(self) -> None:
        try:
            if self.updating is None:
                self._choose()
            if not self.updating:
                self._load_default_graph()
            self.loader.finish()
            for moved in self.moved:  # one at a time: each a small transaction
                self.store.update(_PRUNE.format(moved=moved))
            self.store.flush()
        except BaseException:
            self.discard()
            raise
        self.loader = self.store = None  # closes it: the generation may be switched in now

    def discard(self) -> None:
        if self.loader is not None:
            self.loader.discard()
        self.loader = self.store = None

    # -- the two ways -------------------------------------------------------------------------------

    def _hold(self, item: Published | str, changed: bool) -> None:
        self.sample.append(item)
        self.changed += changed
        if len(self.sample) >= SAMPLE:
            self._choose()

    def _choose(self) -> None:
        """Update the previous store unless more than :data:`UPDATE_SHARE` of the sample changed."""
        self._start(updating=self.changed <= UPDATE_SHARE * len(self.sample))
        held, self.sample = self.sample, []
        for item in held:
            self.delete(item) if isinstance(item, str) else self.add(item)

    def _start(self, updating: bool) -> None:
        import pyoxigraph as ox

        if updating:
            previous = ox.Store.read_only(str(self.previous))
            previous.backup(str(self.path))
            del previous
        self.store = ox.Store(str(self.path))
        self.loader = _Loader(self.store)
        self.updating = updating

    def _move_aside(self, key: str) -> None:
        moved = f"{_MOVED}{key}"
        self.store.update(f"MOVE SILENT GRAPH <{self.iris.description(key)}> TO <{moved}>")
        self.moved.append(moved)

    def _load(self, document: Published, default_graph: bool) -> None:
        """The document's graph; and its triples in the default graph when ``default_graph``."""
        nt = document.nt
        lines = nt.count(b"\n")
        graph = b" <%s> .\n" % self.iris.description(document.key).encode("utf-8")
        # N-Triples escape line breaks in literals, so " .\n" only ends a line.
        quads = graph.join(nt.split(b" .\n"))
        self.loader.add(quads + nt if default_graph else quads, 2 * lines if default_graph else lines)

    def _load_default_graph(self) -> None:
        """A new store's default graph: the N-Triples dump, which holds every triple once."""
        for path in chunk_files(self.dumps, serialize.N_TRIPLES):
            with igzip.open(path, "rb") as handle:
                while lines := handle.readlines(16 << 20):
                    self.loader.add(b"".join(lines), len(lines))


PRODUCT = register(Product("store", None, _StoreWriter, label="SPARQL store", optional=True))
