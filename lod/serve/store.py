"""Read-only access to an export folder, shared by every part of ``lod serve``.

The web layer holds no mapping logic: it only reads what ``lod export`` / publish
wrote. :class:`Export` is the one object the linked-data routes (``app.py``), the
SPARQL endpoint (``sparql.py``) and the OAI-PMH endpoint (``oai.py``) get.

Export folder layout (``DIR``)::

    DIR/documents/<key>.ttl, <key>.jsonld     each document's description
    DIR/manifest.json                        {"base": ..., "files": [{path, bytes, sha256, triples,
                                              media_type, encoding, ...}]}
    DIR/dumps/*.nt.gz, DIR/dumps/*.nq.gz     N-Quads: one named graph per document,
                                              graph IRI = {base}doc/document/<key>
    DIR/void.ttl, DIR/void.jsonld            dataset description, dataset IRI {base}id/dataset
    DIR/changes/collection.json, page-*.json Activity Streams change feed
    DIR/sitemap.xml
    DIR/state.json                           {"version": 1, "documents": {key: {digest, first_seen,
                                              modified}}, "checksum": ...}
    DIR/journal.jsonl                        {"seq", "time", "type": Create|Update|Delete, "key"}

Top-level entries may be symlinks into ``DIR/.lod/current/``, which publish swaps
atomically after each export. So nothing here caches a file handle: paths are
resolved at request time, small files are re-read when their stat changes, and the
embedded store is rebuilt when :meth:`Export.generation` changes. Nothing under
``DIR/.lod`` is ever reachable through :meth:`Export.resolve`.

Thread safety: every method may be called from worker threads (Starlette's
``run_in_threadpool``). The embedded store is built under a lock and swapped in
whole; callers holding the previous :class:`pyoxigraph.Store` keep a consistent
snapshot.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import threading
from pathlib import Path
from typing import Any

from lod.map.iris import Iris

#: A document key (and an entity slug): what ``lod.map.iris`` mints.
KEY_RE = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
KEY_MAX = 200
#: One path segment of a file the server may hand out (dumps, change pages ...).
_SEGMENT_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")
#: The usual entity kinds under ``{base}id/<kind>/<slug>`` (the server answers for any kind
#: the store knows as a subject, e.g. ``activity/`` or ``linking/`` too).
ENTITY_KINDS = ("person", "organization", "place", "concept")


class NotCached(Exception):
    """Raised by ``probe=True`` reads when answering would need reading a file: the
    caller (on the event loop) retries in a worker thread."""


def valid_key(key: str) -> bool:
    return isinstance(key, str) and len(key) <= KEY_MAX and KEY_RE.match(key) is not None


class Export:
    """One export folder, read at request time.

    ``base`` may be given to override the base IRI; otherwise it comes from
    ``manifest.json`` (``"base"``), else from the subject IRIs of the documents'
    Turtle files (``…/id/document/<key>``).

    ``options`` holds the server options passed to ``create_app(folder, **options)``
    / ``serve(...)`` that the web layer itself does not use, so every part of the
    service reads its settings from here (e.g. ``options.get("sparql_timeout")``).
    """

    def __init__(self, folder: Path | str, base: str | None = None, options: dict | None = None):
        self.folder = Path(folder).absolute()
        self._base_override = base
        self.options: dict = dict(options or {})
        self._root: str | None = None
        self._lock = threading.RLock()
        self._json_cache: dict[str, tuple[tuple, Any]] = {}
        self._store = None
        self._store_generation: str | None = None
        self._base_cache: tuple[str, str] | None = None

    # -- identity of the current export -----------------------------------------------------

    def generation(self) -> str:
        """A token that changes whenever a new export is in place.

        ``os.readlink(DIR/.lod/current)`` when publish uses the atomic-swap layout;
        otherwise a signature of the stat of the manifest, state, documents folder and dumps.
        """
        current = self.folder / ".lod" / "current"
        try:
            return "link:" + os.readlink(current)
        except OSError:
            pass
        parts = []
        for name in ("manifest.json", "state.json", "void.ttl", "documents", "dumps"):
            try:
                st = os.stat(self.folder / name)
                parts.append(f"{name}:{st.st_mtime_ns}:{st.st_size}:{st.st_ino}")
            except OSError:
                parts.append(f"{name}:-")
        dumps = self.folder / "dumps"
        try:
            for entry in sorted(os.scandir(dumps), key=lambda e: e.name):
                st = entry.stat()
                parts.append(f"{entry.name}:{st.st_mtime_ns}:{st.st_size}")
        except OSError:
            pass
        return "stat:" + "|".join(parts)

    # -- safe paths ---------------------------------------------------------------------------

    def resolve(self, relative: str) -> Path | None:
        """``DIR/<relative>`` if it is a regular file inside DIR, else None.

        Each segment must be a plain name (letters, digits, ``._-``, not starting with
        a dot): no ``..``, no ``.lod``, no backslash, no NUL, no absolute path. The
        resolved real path must still lie inside DIR (symlinks into ``DIR/.lod/current``
        are fine; symlinks leaving DIR are refused).
        """
        if not isinstance(relative, str) or not relative or len(relative) > 1024:
            return None
        segments = relative.split("/")
        if any(not _SEGMENT_RE.match(segment) for segment in segments):
            return None
        try:
            real = os.path.realpath(os.path.join(self.folder, *segments))
            root = self._root or os.path.realpath(self.folder)
            if not real.startswith(root + os.sep):
                root = os.path.realpath(self.folder)  # DIR itself may have moved: check afresh
            self._root = root
        except (OSError, ValueError):
            return None
        if not real.startswith(root + os.sep) or not os.path.isfile(real):
            return None
        return Path(real)

    def document_path(self, key: str, ext: str) -> Path | None:
        """The file of one document's description (``ext`` = ``ttl`` / ``.jsonld`` ...), or None."""
        ext = ext.lstrip(".")
        if not valid_key(key) or not _SEGMENT_RE.match(ext):
            return None
        return self.resolve(f"documents/{key}.{ext}")

    def keys(self) -> list[str]:
        """Document keys, sorted, from ``DIR/documents/*.ttl``."""
        documents = self.folder / "documents"
        try:
            names = os.listdir(documents)
        except OSError:
            return []
        keys = {name[:-4] for name in names if name.endswith(".ttl")}
        return sorted(key for key in keys if valid_key(key))

    # -- small JSON files -----------------------------------------------------------------------

    def _read_json(self, name: str, default, probe: bool = False):
        path = self.resolve(name)
        if path is None:
            return default
        try:
            st = os.stat(path)
            signature = (str(path), st.st_mtime_ns, st.st_size, st.st_ino)
            cached = self._json_cache.get(name)
            if cached and cached[0] == signature:
                return cached[1]
            if probe:
                raise NotCached(name)
            with open(path, encoding="utf-8") as handle:
                value = json.load(handle)
        except (OSError, ValueError):
            return default
        self._json_cache[name] = (signature, value)
        return value

    def manifest(self) -> dict:
        value = self._read_json("manifest.json", {})
        return value if isinstance(value, dict) else {}

    def state(self, probe: bool = False) -> dict:
        """``state.json``: ``{"version": 1, "documents": {key: {digest, first_seen, modified}}}``.

        Re-read when its stat changes; ``probe=True`` raises :class:`NotCached` instead of reading.
        """
        value = self._read_json("state.json", {}, probe)
        return value if isinstance(value, dict) else {}

    def journal(self) -> list[dict]:
        """The change journal, oldest first: ``{"seq", "time", "type", "key"}`` per entry.

        Lines that are not JSON objects (e.g. a torn last line) are skipped.
        """
        path = self.resolve("journal.jsonl")
        if path is None:
            return []
        entries = []
        try:
            with open(path, encoding="utf-8") as handle:
                for line in handle:
                    line = line.strip()
                    if not line:
                        continue
                    try:
                        entry = json.loads(line)
                    except ValueError:
                        continue
                    if isinstance(entry, dict):
                        entries.append(entry)
        except OSError:
            return []
        return entries

    def modified(self, key: str, probe: bool = False) -> str | None:
        """The document's last-modified time (ISO 8601, ``Z``) from the state file, if known."""
        entry = (self.state(probe).get("documents") or {}).get(key)
        if isinstance(entry, dict) and isinstance(entry.get("modified"), str):
            return entry["modified"]
        return None

    # -- IRIs ---------------------------------------------------------------------------------

    @property
    def base(self) -> str:
        """The base IRI (ends in ``/``)."""
        if self._base_override:
            return self._base_override
        base = self.manifest().get("base")
        if isinstance(base, str) and base.endswith("/"):
            return base
        generation = self.generation()
        if self._base_cache and self._base_cache[0] == generation:
            return self._base_cache[1]
        guessed = self._guess_base() or "http://localhost:8080/"
        self._base_cache = (generation, guessed)
        return guessed

    def _guess_base(self) -> str | None:
        for key in self.keys()[:1]:
            path = self.document_path(key, "ttl")
            if path is None:
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except OSError:
                continue
            match = re.search(r"<(https?://[^<>\s]*/)id/document/" + re.escape(key) + ">", text)
            if match:
                return match.group(1)
        return None

    def document_iri(self, key: str) -> str:
        return Iris(self.base).document(key)

    def description_iri(self, key: str) -> str:
        """Also the document's named-graph IRI in the N-Quads dump and the store."""
        return Iris(self.base).description(key)

    def dataset_iri(self) -> str:
        return Iris(self.base).dataset()

    @property
    def void_graph(self) -> str:
        """Named graph holding ``void.ttl`` in the store (kept apart from the document graphs)."""
        return f"{self.base}void"

    def key_of_graph(self, graph_iri: str) -> str | None:
        prefix = f"{self.base}doc/document/"
        if graph_iri.startswith(prefix) and valid_key(graph_iri[len(prefix):]):
            return graph_iri[len(prefix):]
        return None

    # -- the embedded store ---------------------------------------------------------------------

    def dump_files(self, media_type: str | None = None) -> list[dict]:
        """Manifest entries of the dump files (optionally of one media type) that exist."""
        files = []
        for entry in self.manifest().get("files") or []:
            if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
                continue
            if media_type and entry.get("media_type") != media_type:
                continue
            if self.resolve(entry["path"]) is not None:
                files.append(entry)
        return files

    def _nquads_paths(self) -> list[Path]:
        paths = [self.resolve(e["path"]) for e in self.dump_files("application/n-quads")]
        if not paths:
            dumps = self.folder / "dumps"
            try:
                names = sorted(n for n in os.listdir(dumps) if n.endswith((".nq.gz", ".nq")))
            except OSError:
                names = []
            paths = [self.resolve(f"dumps/{name}") for name in names]
        return [p for p in paths if p is not None]

    def store(self):
        """The embedded ``pyoxigraph.Store`` for the current export, built on first use.

        Contents: one named graph per document (graph IRI = the description IRI
        ``{base}doc/document/<key>``), from the N-Quads dumps, or, when there are none,
        from ``documents/<key>.ttl``; plus ``void.ttl`` in the named graph
        :attr:`void_graph` (``{base}void``). The default graph is empty: query with
        ``use_default_graph_as_union=True`` (and exclude :attr:`void_graph` when counting
        the data's triples) or with ``GRAPH`` patterns.

        Rebuilt (whole, then swapped in) when the export changes; treat it as read-only.
        """
        generation = self.generation()
        store = self._store
        if store is not None and self._store_generation == generation:
            return store
        with self._lock:
            generation = self.generation()
            if self._store is not None and self._store_generation == generation:
                return self._store
            store = self._build_store()
            self._store, self._store_generation = store, generation
            return store

    def _build_store(self):
        import pyoxigraph as ox

        store = ox.Store()
        nquads = self._nquads_paths()
        if nquads:
            for path in nquads:
                opener = gzip.open if path.name.endswith(".gz") else open
                with opener(path, "rb") as handle:
                    store.bulk_load(input=handle, format=ox.RdfFormat.N_QUADS)
        else:
            for key in self.keys():
                path = self.document_path(key, "ttl")
                if path is None:
                    continue
                with open(path, "rb") as handle:
                    store.bulk_load(input=handle, format=ox.RdfFormat.TURTLE,
                                    to_graph=ox.NamedNode(self.description_iri(key)))
        void = self.resolve("void.ttl")
        if void is not None:
            with open(void, "rb") as handle:
                store.bulk_load(input=handle, format=ox.RdfFormat.TURTLE,
                                to_graph=ox.NamedNode(self.void_graph))
        return store

    def describe(self, iri: str) -> list:
        """All distinct triples (``pyoxigraph.Triple``) whose subject is ``iri``, over the
        document graphs and the VoID graph (the publisher, distributions ...), plus the
        ``rdfs:label`` / ``schema:name`` / ``skos:prefLabel`` of the IRIs they point to (so
        a description can be shown with names). Empty when the IRI is not known."""
        import pyoxigraph as ox

        store = self.store()
        subject = ox.NamedNode(iri)
        seen, triples = set(), []
        for quad in store.quads_for_pattern(subject, None, None, None):
            triple = ox.Triple(quad.subject, quad.predicate, quad.object)
            if triple not in seen:
                seen.add(triple)
                triples.append(triple)
        labels = [ox.NamedNode(p) for p in (
            "http://www.w3.org/2000/01/rdf-schema#label", "http://schema.org/name",
            "http://www.w3.org/2004/02/skos/core#prefLabel")]
        for triple in list(triples):
            if isinstance(triple.object, ox.NamedNode) and triple.object != subject:
                for predicate in labels:
                    for quad in store.quads_for_pattern(triple.object, predicate, None, None):
                        extra = ox.Triple(quad.subject, quad.predicate, quad.object)
                        if extra not in seen:
                            seen.add(extra)
                            triples.append(extra)
        return triples

    def knows(self, iri: str) -> bool:
        """Whether ``iri`` is the subject of some triple in the store."""
        import pyoxigraph as ox

        node = ox.NamedNode(iri)
        return next(iter(self.store().quads_for_pattern(node, None, None, None)), None) is not None

    def mentioned_in(self, iri: str) -> list[str]:
        """Keys of the documents whose graph mentions ``iri`` (as subject or object), sorted."""
        import pyoxigraph as ox

        store = self.store()
        node = ox.NamedNode(iri)
        graphs = {q.graph_name for q in store.quads_for_pattern(None, None, node, None)}
        graphs |= {q.graph_name for q in store.quads_for_pattern(node, None, None, None)}
        keys = {self.key_of_graph(g.value) for g in graphs if isinstance(g, ox.NamedNode)}
        return sorted(k for k in keys if k)
