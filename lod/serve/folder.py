"""Read-only access to an export folder, shared by every part of ``lod serve``.

The web layer holds no mapping logic: it only reads what ``lod export`` / publish
wrote. :class:`Export` is the one object the linked-data routes, the SPARQL endpoint,
the OAI-PMH endpoint and the query store get.

Export folder layout (``DIR``; the names below are the ones serve reads, gathered here)::

    DIR/documents/<shard>/<key>.ttl, .jsonld each document's description (the shard: see
                                              lod.publish.layout.document_file)
    DIR/manifest.json                        {"base": ..., "files": [{path, bytes, sha256, triples,
                                              media_type, encoding, ...}]}
    DIR/dumps/dataset-*.nt.gz                N-Triples: every triple once (the RDF merge)
    DIR/dumps/documents-*.nq.gz              N-Quads: one named graph per document,
                                              graph IRI = {base}doc/document/<key>
    DIR/void.ttl, DIR/void.jsonld            dataset description, dataset IRI {base}id/dataset
    DIR/changes/collection.json, page-*.json Activity Streams change feed
    DIR/sitemap.xml
    DIR/state.json                           {"version": 1, "documents": {key: {digest, first_seen,
                                              modified}}, "checksum": ...}
    DIR/journal.jsonl                        {"seq", "time", "type": Create|Update|Delete, "key"}
    DIR/store/                               the SPARQL store (pyoxigraph, RocksDB), opened read-only

Top-level entries may be symlinks into ``DIR/.lod/current/``, which publish swaps
atomically after each export. So nothing here caches a file handle: paths are
resolved at request time, small files are re-read when their stat changes, and
:meth:`Export.generation` tells when a new export is in place. Nothing under
``DIR/.lod`` is ever reachable through :meth:`Export.resolve`.

Thread safety: every method may be called from worker threads.
"""

from __future__ import annotations

import json
import os
import re
import threading
from pathlib import Path
from typing import Any

from lod.errors import ConfigError, Place
from lod.config import Settings
from lod.iris import Iris
from lod.publish.layout import (
    CHANGES, CHANGES_COLLECTION, CURRENT, DOCUMENTS, DUMPS, HIDDEN, JOURNAL, MANIFEST, SITEMAP, STATE, STORE,
    document_file, document_files, void_file,
)
from lod.publish.layout import SITEMAP_PART as SITEMAP_PART_FILE
from lod.publish.state import CHANGE_TYPES, DELETE
from lod.serialize import N_QUADS, N_TRIPLES, TURTLE
from lod.publish.store import is_store

# The export folder's names are the publish stage's (lod.publish.layout); serve only reads them.
CHANGES_INDEX = f"{CHANGES}/{CHANGES_COLLECTION}"
CHANGES_PAGE = f"{CHANGES}/{{}}"
#: A sitemap part as the server routes it (``sitemap-{part}.xml``).
SITEMAP_PART = SITEMAP_PART_FILE.replace("{:05d}", "{}")
NT_MEDIA_TYPE, NQ_MEDIA_TYPE = N_TRIPLES.media_type, N_QUADS.media_type
#: Without a manifest or documents to read the base from: ``lod export``'s default base.
FALLBACK_BASE = Settings().base

#: A document key (and an entity slug): what ``lod.iris`` mints.
KEY_RE = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
KEY_MAX = 200
#: One path segment of a file the server may hand out (dumps, change pages ...).
_SEGMENT_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")


class NotCached(Exception):
    """Raised by ``probe=True`` reads when answering would need reading a file: the
    caller (on the event loop) retries in a worker thread."""


def _one_copy_of_short_strings():
    """A ``json`` object hook that keeps one copy of each short string value: ``state.json``
    repeats a few time stamps for every document (16 MB less at 100,000 documents)."""
    seen: dict[str, str] = {}

    def hook(values: dict) -> dict:
        for name, value in values.items():
            if type(value) is str and len(value) <= 40:
                values[name] = seen.setdefault(value, value)
        return values

    return hook


def valid_key(key: str) -> bool:
    return isinstance(key, str) and len(key) <= KEY_MAX and KEY_RE.match(key) is not None


class Export:
    """One export folder, read at request time.

    The base IRI comes from ``manifest.json`` (``"base"``), else from the subject IRIs
    of the documents' Turtle files (``…/id/document/<key>``), else ``base`` (what
    ``lod serve --base`` gives, for such a folder), else :data:`FALLBACK_BASE`.
    """

    def __init__(self, folder: Path | str, base: str | None = None):
        self.folder = Path(folder).absolute()
        self._given_base = base
        self._root: str | None = None
        self._json_cache: dict[str, tuple[tuple, Any]] = {}
        self._base_cache: tuple[str, str] | None = None
        self._lock = threading.Lock()
        self._deletions: tuple[tuple, dict[str, str]] | None = None

    # -- identity of the current export -----------------------------------------------------

    def generation(self) -> str:
        """A token that changes whenever a new export is in place.

        ``os.readlink(DIR/.lod/current)`` when publish uses the atomic-swap layout;
        otherwise a signature of the stat of the manifest, state, documents folder and dumps.
        """
        try:
            return "link:" + os.readlink(self.folder / HIDDEN / CURRENT)
        except OSError:
            pass
        parts = []
        for name in (MANIFEST, STATE, void_file("ttl"), DOCUMENTS, DUMPS):
            try:
                st = os.stat(self.folder / name)
                parts.append(f"{name}:{st.st_mtime_ns}:{st.st_size}:{st.st_ino}")
            except OSError:
                parts.append(f"{name}:-")
        try:
            for entry in sorted(os.scandir(self.folder / DUMPS), key=lambda e: e.name):
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
        return self.resolve(f"{DOCUMENTS}/{document_file(key, '.' + ext)}")

    def keys(self) -> list[str]:
        """Document keys, sorted, from the documents' Turtle files."""
        keys = {path.name[:-4] for path in document_files(self.folder / DOCUMENTS, ".ttl")}
        return sorted(key for key in keys if valid_key(key))

    def store_path(self) -> Path | None:
        """The current generation's store folder, its real path (None when the export has none).

        Resolved once, so that a store opened from it stays in one generation even if the
        export switches to the next meanwhile."""
        real = Path(os.path.realpath(self.folder / STORE))
        return real if is_store(real) else None

    def signature(self, relative: str) -> tuple:
        """What changes when the file at ``relative`` does (path, mtime, size, inode)."""
        path = self.resolve(relative)
        if path is None:
            return (relative, None)
        try:
            st = os.stat(path)
        except OSError:
            return (relative, None)
        return (str(path), st.st_mtime_ns, st.st_size, st.st_ino)

    # -- small JSON files -----------------------------------------------------------------------

    def _read_json(self, name: str, default, probe: bool = False, share_strings: bool = False):
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
                value = json.load(handle, object_hook=_one_copy_of_short_strings() if share_strings else None)
        except (OSError, ValueError):
            return default
        self._json_cache[name] = (signature, value)
        return value

    def manifest(self) -> dict:
        value = self._read_json(MANIFEST, {})
        return value if isinstance(value, dict) else {}

    def state(self, probe: bool = False) -> dict:
        """``state.json``: ``{"version": 1, "documents": {key: {digest, first_seen, modified}}}``.

        Re-read when its stat changes; ``probe=True`` raises :class:`NotCached` instead of reading.
        """
        value = self._read_json(STATE, {}, probe, share_strings=True)
        return value if isinstance(value, dict) else {}

    def journal(self) -> list[dict]:
        """The change journal, oldest first: ``{"seq", "time", "type", "key"}`` per entry.

        Lines that are not JSON objects (e.g. a torn last line) are skipped.
        """
        path = self.resolve(JOURNAL)
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

    def withdrawn(self, key: str) -> str | None:
        """When the document ``key`` was withdrawn (its latest journal entry is a ``Delete``
        and it is not in the export), or None. The journal is read again when it changes."""
        signature = self.signature(JOURNAL)
        cached = self._deletions
        if cached is None or cached[0] != signature:
            with self._lock:
                latest: dict[str, tuple[str, str]] = {}
                for entry in self.journal():
                    if entry.get("type") in CHANGE_TYPES and isinstance(entry.get("key"), str):
                        latest[entry["key"]] = (entry["type"], str(entry.get("time") or ""))
                cached = (signature, {k: t for k, (kind, t) in latest.items() if kind == DELETE})
                self._deletions = cached
        moment = cached[1].get(key)
        if moment is None or self.document_path(key, "ttl") is not None:
            return None
        return moment

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
        recorded = self.recorded_base()
        return recorded or self._given_base or FALLBACK_BASE

    def recorded_base(self) -> str | None:
        """The base the export itself records: ``manifest.json``, else its documents."""
        base = self.manifest().get("base")
        if isinstance(base, str) and base.endswith("/"):
            return base
        generation = self.generation()
        if self._base_cache and self._base_cache[0] == generation:
            return self._base_cache[1]
        guessed = self._guess_base()
        self._base_cache = (generation, guessed)
        return guessed

    def check_base(self) -> None:
        """Refuse a given base (``lod serve --base``) that is not the export's own.

        The data names every IRI with the base it was exported with, so serving it
        under another would answer 404 for each of them.
        """
        recorded = self.recorded_base()
        if self._given_base and recorded and recorded != self._given_base:
            raise ConfigError(
                f"--base {self._given_base} is not this export's base IRI ({recorded}): every IRI "
                "in the data is minted from it", Place(str(self.folder / MANIFEST)),
                hint=f"to publish under {self._given_base}, export again with "
                     f"`lod export --base {self._given_base}`; to serve at another address, run "
                     "`lod serve` there or behind a proxy (no --base needed)")

    def check_servable(self) -> None:
        """Refuse an export written without per-document Turtle (``--formats nt``, the dump-only
        path): every document, HTML page and OAI record is served from it, so each would be 404."""
        outputs = self.manifest().get("outputs")
        if isinstance(outputs, list) and TURTLE.name not in outputs:
            raise ConfigError(
                f"this export was written without its documents' Turtle (--formats {','.join(map(str, outputs))}): "
                "lod serve answers with those files", Place(str(self.folder / MANIFEST)),
                hint=f"export again with the default formats or with {TURTLE.name} added; the dumps in "
                     f"{self.folder / DUMPS} load into any SPARQL store as they are")

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

    def iris(self) -> Iris:
        return Iris(self.base)

    def document_iri(self, key: str) -> str:
        return self.iris().document(key)

    def description_iri(self, key: str) -> str:
        """Also the document's named-graph IRI in the N-Quads dump and the store."""
        return self.iris().description(key)

    def dataset_iri(self) -> str:
        return self.iris().dataset()

    def key_of_graph(self, graph_iri: str) -> str | None:
        prefix = self.description_iri("")
        if graph_iri.startswith(prefix) and valid_key(graph_iri[len(prefix):]):
            return graph_iri[len(prefix):]
        return None

    # -- dumps ----------------------------------------------------------------------------------

    def dump_paths(self, media_type: str) -> list[Path]:
        """The dump files of one media type that exist: from the manifest, else by name in
        ``DIR/dumps`` (``*.nq[.gz]`` / ``*.nt[.gz]``)."""
        paths = []
        for entry in self.manifest().get("files") or []:
            if (isinstance(entry, dict) and isinstance(entry.get("path"), str)
                    and entry.get("media_type") == media_type):
                paths.append(self.resolve(entry["path"]))
        if not any(paths):
            suffixes = {NQ_MEDIA_TYPE: (".nq.gz", ".nq"), NT_MEDIA_TYPE: (".nt.gz", ".nt")}[media_type]
            try:
                names = sorted(n for n in os.listdir(self.folder / DUMPS) if n.endswith(suffixes))
            except OSError:
                names = []
            paths = [self.resolve(f"{DUMPS}/{name}") for name in names]
        return [p for p in paths if p is not None]
