"""Per-document files (``documents/<shard>/KEY.ttl``, ``.jsonld``), written by the workers that render them.

Workers write straight into the staging folder, so file creation (slow on a busy
disk) runs in parallel and the bytes never pass through the main process. Two
records may share a key: the first to create ``KEY.ttl`` (an exclusive create, so
concurrent workers cannot both succeed) owns the name, any other puts its files
under ``.duplicates/`` named by digest (whole or absent: temporary file and rename).
When the key sort later picks the winner (the smallest digest), :func:`settle` moves
it into place if it was not there. A name claimed by a killed run's leftover file is
taken like one claimed by another record: the files go aside and are settled, so a
resumed export overwrites whatever the killed one left half-written.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from lod.publish.files import write_bytes
from lod.publish.layout import document_file

DUPLICATES = ".duplicates"


def place(documents: Path, key: str, digest: str, files: dict[str, bytes],
          previous: Path | None = None, old_digest: str | None = None) -> bool:
    """Write (or hard-link from ``previous``, when the content is unchanged) a document's files.

    Returns True when they went under the key's own name, False when another record
    with the key got there first (they went under ``.duplicates/``).
    """
    unchanged = previous is not None and old_digest == digest
    try:  # the first file's exclusive create claims the key
        for ext, data in files.items():
            name = document_file(key, ext)
            _create(documents / name, data, previous / name if unchanged else None)
        return True
    except FileExistsError:
        pass
    for ext, data in files.items():  # named by content, so an identical record's files are these
        write_bytes(documents / DUPLICATES / f"{key}.{digest}{ext}", data)
    return False


def _create(path: Path, data: bytes, source: Path | None) -> None:
    """Create ``path`` exclusively: a hard link to an unchanged ``source``, else the bytes."""
    path.parent.mkdir(exist_ok=True)  # the key's shard
    if source is not None:
        try:
            os.link(source, path)
            return
        except FileNotFoundError:
            pass
        except FileExistsError:
            if not _same_file(source, path):  # else: this link, made by a killed run of this export
                raise
            return
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(descriptor, "wb") as out:
        out.write(data)


def settle(documents: Path, key: str, digest: str, extensions: tuple[str, ...]) -> None:
    """Put the winning record's files under the key's name (they were placed aside).

    A file no longer aside was moved already, by a killed run of this same export.
    """
    for ext in extensions:
        try:
            target = documents / document_file(key, ext)
            target.parent.mkdir(exist_ok=True)
            os.replace(documents / DUPLICATES / f"{key}.{digest}{ext}", target)
        except FileNotFoundError:
            pass


def _same_file(one: Path, other: Path) -> bool:
    try:
        return os.path.samefile(one, other)
    except OSError:
        return False


def clean(documents: Path) -> None:
    """Remove the losers' files."""
    shutil.rmtree(documents / DUPLICATES, ignore_errors=True)


def overwrite(documents: Path, key: str, files: dict[str, bytes]) -> None:
    """Put a document's files under its key, replacing what is there (each file whole or absent)."""
    for ext, data in files.items():
        write_bytes(documents / document_file(key, ext), data)
