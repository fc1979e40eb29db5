"""An external sort by document key: records go to disk in sorted runs and come back merged.

The export renders documents in input order but publishes them in key order, so the
output does not depend on the order of the input. Memory holds at most ``spill_bytes``
of records (plus a read buffer per run when merging); everything else waits on disk.
"""

from __future__ import annotations

import heapq
import shutil
import struct
from collections.abc import Iterator
from pathlib import Path

#: Runs merged at once; more are first merged in groups so open files stay few.
MAX_OPEN_RUNS = 128
_HEADER = struct.Struct("<III")  # key, digest and payload lengths
_BUFFER = 1 << 16

Item = tuple[str, bytes, bytes]  # (key, digest, payload)


class KeySorter:
    """Collects ``(key, digest, payload)`` records; iterating yields them sorted by key, then digest.

    Records with one key come together, the smallest digest first (the export keeps that one).
    The folder is created for the runs and removed by :meth:`close`.
    """

    def __init__(self, folder: Path, spill_bytes: int = 16 << 20):
        self.folder = Path(folder)
        self.spill_bytes = spill_bytes
        self._items: list[Item] = []
        self._buffered = 0
        self._runs: list[Path] = []
        self._made = 0
        self.folder.mkdir(parents=True, exist_ok=True)

    def add(self, key: str, digest: bytes, payload: bytes) -> None:
        self._items.append((key, digest, payload))
        self._buffered += len(payload) + len(key) + 64
        if self._buffered >= self.spill_bytes:
            self._runs.append(self._write_run(sorted(self._items)))
            self._items, self._buffered = [], 0

    def __iter__(self) -> Iterator[Item]:
        runs = self._runs
        while len(runs) + 1 > MAX_OPEN_RUNS:
            group, runs = runs[:MAX_OPEN_RUNS], runs[MAX_OPEN_RUNS:]
            runs.append(self._write_run(heapq.merge(*map(_read_run, group))))
            for path in group:
                path.unlink()
        self._runs = runs
        return heapq.merge(*map(_read_run, runs), sorted(self._items))

    def close(self) -> None:
        """Delete the runs (the records are gone after this)."""
        self._items = []
        shutil.rmtree(self.folder, ignore_errors=True)

    def _write_run(self, items) -> Path:
        self._made += 1
        path = self.folder / f"run-{self._made:05d}"
        with path.open("wb", buffering=_BUFFER) as out:
            for key, digest, payload in items:
                encoded = key.encode("utf-8")
                out.write(_HEADER.pack(len(encoded), len(digest), len(payload)))
                out.write(encoded)
                out.write(digest)
                out.write(payload)
        return path


def _read_run(path: Path) -> Iterator[Item]:
    with path.open("rb", buffering=_BUFFER) as run:
        while header := run.read(_HEADER.size):
            key_length, digest_length, payload_length = _HEADER.unpack(header)
            yield (run.read(key_length).decode("utf-8"), run.read(digest_length), run.read(payload_length))
