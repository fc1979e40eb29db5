"""The query store: the export's own store (``DIR/store``), opened read-only, behind one small interface.

:class:`QueryStore` is all the rest of ``lod serve`` knows of it: :meth:`QueryStore.current`
gives a :class:`Snapshot` (the store's folder, for the query workers, which open it read-only
themselves, and an open read-only handle for lookups in this process), and a few lookups the
linked-data pages need. The export writes the store into each generation
(:mod:`lod.publish.store`, which describes its contents: one named graph per document, the
default graph their RDF merge, stored); nothing is loaded here. A new generation is opened
when the export changes (:meth:`lod.serve.folder.Export.generation`); its folder is the
generation's real path, so an open store never mixes two generations.

An export written without the store (``lod export --formats`` leaving ``store`` out) has
nothing to query: :meth:`QueryStore.current` raises :class:`NoStore`, which SPARQL and the
entity pages answer with 503 and the reason.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path

from lod.serve.folder import Export
from lod.vocab import RDFS, SCHEMA, SKOS

#: Characters an IRI cannot hold (and a query must not receive).
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
#: Labels shown beside the IRIs a description points to.
LABELS = (str(RDFS.label), str(SCHEMA.name), str(SKOS.prefLabel))
NO_STORE = ("this export has no SPARQL store: it was written with --formats leaving 'store' out; "
            "export again with the default formats (or add 'store') to query it")


class NoStore(Exception):
    """The export was written without its store."""

    def __init__(self):
        super().__init__(NO_STORE)


@dataclass(frozen=True)
class Snapshot:
    """One export generation's store: ``path`` for other processes, ``store`` (read-only) here."""

    path: Path
    store: object  # pyoxigraph.Store, opened read-only
    generation: str


class QueryStore:
    """The store of one export, opened again (read-only) when the export changes."""

    def __init__(self, export: Export):
        self.export = export
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()

    def close(self) -> None:
        self._snapshot = None

    def available(self) -> bool:
        return self.export.store_path() is not None

    def current(self) -> Snapshot:
        """The store of the export as it is now. Raises :class:`NoStore`."""
        generation = self.export.generation()
        snapshot = self._snapshot
        if snapshot is not None and snapshot.generation == generation:
            return snapshot
        with self._lock:
            for attempt in range(3):  # a generation may be switched out between its path and its opening
                generation = self.export.generation()
                if self._snapshot is not None and self._snapshot.generation == generation:
                    return self._snapshot
                path = self.export.store_path()
                if path is None:
                    raise NoStore()
                try:
                    import pyoxigraph as ox

                    self._snapshot = Snapshot(path, ox.Store.read_only(str(path)), generation)
                    return self._snapshot
                except OSError:
                    if attempt == 2 or self.export.generation() == generation:
                        raise
        raise AssertionError("unreachable")  # pragma: no cover

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
        if _NOT_IN_IRI.search(iri):
            return []
        query = (f"SELECT DISTINCT ?g {{ {{ GRAPH ?g {{ <{iri}> ?p ?o }} }} UNION "
                 f"{{ GRAPH ?g {{ ?s ?p <{iri}> }} }} }}")  # in Rust: only the graph names are decoded
        keys = {self.export.key_of_graph(row[0].value) for row in self.current().store.query(query)}
        return sorted(k for k in keys if k)
