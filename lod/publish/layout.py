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

import os
import shutil
from collections.abc import Callable
from pathlib import Path

HIDDEN = ".lod"
CURRENT = "current"

#: Everything lod publishes at the top of DIR (all symlinks into the current generation).
PUBLISHED = (
    "documents", "dumps", "dataset.nt.gz", "manifest.json", "void.ttl", "void.jsonld", "changes",
    "sitemap.xml", "report.json", "links.csv", "state.json", "journal.jsonl",
)


class Layout:
    def __init__(self, root: Path):
        self.root = root
        self.hidden = root / HIDDEN

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
        self._link_published(generation)
        for old in self.hidden.glob("gen-*"):
            if old != generation:
                shutil.rmtree(old, ignore_errors=True)
        return generation

    def _link_published(self, generation: Path) -> None:
        """``DIR/name`` -> ``.lod/current/name`` for each published entry (made once, never swapped)."""
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
