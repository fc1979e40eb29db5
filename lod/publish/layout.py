"""The export folder: complete generations, switched atomically.

Every export is written into a new folder ``DIR/.lod/staging-<pid>`` and becomes
current with one atomic rename of the ``DIR/.lod/current`` symlink; the entries
users see (``DIR/documents``, ``DIR/void.ttl`` ...) are symlinks through it. A run
killed at any point leaves the previous complete export readable, and the next
run removes its leftovers, or resumes from them when they belong to the same export
(:mod:`lod.publish.checkpoint`). Unchanged documents are hard links to the previous
generation's files, so they keep their bytes, inode and modification time.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

from lod.errors import LodError

HIDDEN = ".lod"
CURRENT = "current"
LOCK = "lock"

# The export folder's published entries, each named once (serve and every writer import these).
DOCUMENTS = "documents"
DUMPS = "dumps"
DATASET_DUMP = "dataset.nt.gz"
MANIFEST = "manifest.json"
VOID = "void"  # the dataset description, void.<format> (written as Turtle and JSON-LD, served in every format)
VOID_TURTLE = f"{VOID}.ttl"
VOID_JSONLD = f"{VOID}.jsonld"
CHANGES = "changes"
CHANGES_COLLECTION = "collection.json"  # in changes/: the feed's entry point
CHANGES_PAGE = "page-{:05d}.json"  # in changes/: its pages
SITEMAP = "sitemap.xml"
SITEMAP_PART = "sitemap-{:05d}.xml"  # beside sitemap.xml when there are more URLs than one file holds
REPORT = "report.json"
LINKS = "links.csv"
STATE = "state.json"
JOURNAL = "journal.jsonl"
STORE = "store"
SEARCH = "search.sqlite"

#: Everything lod publishes at the top of DIR (all symlinks into the current generation).
PUBLISHED = (DOCUMENTS, DUMPS, DATASET_DUMP, MANIFEST, VOID_TURTLE, VOID_JSONLD, CHANGES, SITEMAP, REPORT,
             LINKS, STATE, JOURNAL, STORE, SEARCH)


def void_file(extension: str) -> str:
    """``void.ttl``, ``void.jsonld`` ... (``extension`` without the dot)."""
    return f"{VOID}.{extension}"


def document_file(key: str, extension: str) -> str:
    """Where a document's file is, relative to ``documents/``: ``<shard>/<key><extension>``.

    The shard is the first byte (two hex digits) of the key's SHA-256, so 256 folders share
    the documents evenly whatever the keys look like: two files per document keep each
    folder under 10,000 entries up to about a million documents. The IRIs do not change.
    Everything that reads or writes a document's file asks here.
    """
    return f"{hashlib.sha256(key.encode('utf-8')).hexdigest()[:2]}/{key}{extension}"


def document_files(documents: Path, extension: str) -> Iterator[Path]:
    """Every document file with ``extension`` under ``documents`` (in no particular order)."""
    return documents.glob(f"[0-9a-f][0-9a-f]/*{extension}")


class ExportRunning(LodError):
    """Another export is writing into the same folder."""


class Layout:
    def __init__(self, root: Path):
        self.root = root
        self.hidden = root / HIDDEN

    def lock(self) -> int:
        """Hold the folder for this export (released when the process ends, however it ends).

        A second export into the same folder is refused instead of removing the first
        one's work in progress.
        """
        self.hidden.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self.hidden / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            raise ExportRunning(f"another export is writing into {self.root}",
                                hint="wait for it to finish, or export into another folder") from None
        return descriptor

    @staticmethod
    def unlock(descriptor: int) -> None:
        os.close(descriptor)  # closing the descriptor releases the lock

    def current(self) -> Path | None:
        """The current generation, or None before the first export."""
        link = self.hidden / CURRENT
        return link.resolve() if link.is_symlink() and link.resolve().is_dir() else None

    def start(self, adopt: Callable[[Path], bool] = lambda folder: False) -> tuple[Path, bool]:
        """The staging folder, and whether it is a killed run's that ``adopt`` accepted
        (to resume); other leftovers of killed runs are removed."""
        self.hidden.mkdir(parents=True, exist_ok=True)
        staging = self.hidden / f"staging-{os.getpid()}"
        stale = sorted(self.hidden.glob("staging-*"))
        kept = next((folder for folder in stale if folder.is_dir() and adopt(folder)), None)
        for folder in stale:
            if folder != kept:
                shutil.rmtree(folder, ignore_errors=True)
        if kept is None:
            staging.mkdir()
        elif kept != staging:
            kept.rename(staging)
        return staging, kept is not None

    def discard(self, staging: Path) -> None:
        shutil.rmtree(staging, ignore_errors=True)

    def switch(self, staging: Path) -> Path:
        """Make ``staging`` the current generation in one atomic step, then tidy up."""
        number = 1 + max((int(p.name[4:]) for p in self.hidden.glob("gen-*") if p.name[4:].isdigit()),
                         default=0)
        generation = self.hidden / f"gen-{number:06d}"
        staging.rename(generation)
        temporary = self.hidden / f"{CURRENT}.{os.getpid()}.tmp"
        temporary.unlink(missing_ok=True)
        temporary.symlink_to(generation.name)
        os.replace(temporary, self.hidden / CURRENT)
        self.link_published(generation)
        for old in self.hidden.glob("gen-*"):
            if old != generation:
                shutil.rmtree(old, ignore_errors=True)
        return generation

    def link_published(self, generation: Path) -> None:
        """``DIR/name`` -> ``.lod/current/name`` for each published entry (made once, never swapped).

        Also called when an export keeps the current generation: a first export killed
        between its switch and these links gets them from the next run.
        """
        names = set(PUBLISHED) | {p.name for p in generation.glob("sitemap-*.xml")}
        for name in sorted(names):
            entry = self.root / name
            target = Path(HIDDEN) / CURRENT / name
            if entry.is_symlink():
                if not (generation / name).exists():
                    entry.unlink()
                continue
            if entry.exists():  # a plain file or folder from an older lod: ours to replace
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
            if (generation / name).exists():
                entry.symlink_to(target)
