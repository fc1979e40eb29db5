"""An external sort by document key: records go to disk in sorted runs and come back merged.

The export renders documents in input order but publishes them in key order, so the
output does not depend on the order of the input. Memory holds at most ``spill_bytes``
of records (plus a read buffer per run when merging); everything else waits on disk.
Each run is described by its name, size and CRC-32 (:class:`Run`), so a later export
can check and adopt the runs of one that was killed (:mod:`lod.publish.checkpoint`).
"""

from __future__ import annotations

import heapq
import shutil
import struct
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

#: Runs merged at once; more are first merged in groups so open files stay few. With
#: 16 MB runs, 256 of them (4 GB, about 700,000 documents of lod's benchmark) merge in one
#: pass; the read buffers of a merge (256 x 32 KB) take 8 MB.
MAX_OPEN_RUNS = 256
_HEADER = struct.Struct("<III")  # key, digest and payload lengths
_BUFFER = 1 << 15

Item = tuple[str, bytes, bytes]  # (key, digest, payload)


class Run(NamedTuple):
    """A sorted run on disk: its file name in the sort folder, records, size in bytes and CRC-32."""

    name: str
    count: int
    size: int
    crc: int

    def intact(self, folder: Path) -> bool:
        """True when the file is still there with the same bytes (checked before a run is adopted)."""
        path = Path(folder) / self.name
        if not path.is_file() or path.stat().st_size != self.size:
            return False
        crc = 0
        with path.open("rb") as run:
            while chunk := run.read(1 << 20):
                crc = zlib.crc32(chunk, crc)
        return crc == self.crc


class KeySorter:
    """Collects ``(key, digest, payload)`` records; iterating yields them sorted by key, then digest.

    Records with one key come together, the smallest digest first (the export keeps that one).
    The folder is created for the runs and removed by :meth:`close`; ``runs`` are runs
    already in it (adopted from a killed export).
    """

    def __init__(self, folder: Path, spill_bytes: int = 16 << 20, runs: Iterable[Run] = ()):
        self.folder = Path(folder)
        self.spill_bytes = spill_bytes
        self._items: list[Item] = []
        self._buffered = 0
        self.runs: list[Run] = list(runs)
        self._made = len(self.runs)
        self.folder.mkdir(parents=True, exist_ok=True)

    def add(self, key: str, digest: bytes, payload: bytes) -> None:
        """Add a record (in memory until :meth:`spill_if_full`)."""
        self._items.append((key, digest, payload))
        self._buffered += len(payload) + len(key) + 64

    def spill_if_full(self) -> bool:
        """When memory is full, write everything added so far to disk as one run; True if so.

        The caller chooses when: a checkpoint after a spill must describe whole units of work.
        """
        if self._buffered < self.spill_bytes:
            return False
        self.runs.append(self._write_run(sorted(self._items)))
        self._items, self._buffered = [], 0
        return True

    def __len__(self) -> int:
        return sum(run.count for run in self.runs) + len(self._items)

    def __iter__(self) -> Iterator[Item]:
        runs = [self.folder / run.name for run in self.runs]
        while len(runs) + 1 > MAX_OPEN_RUNS:
            group, runs = runs[:MAX_OPEN_RUNS], runs[MAX_OPEN_RUNS:]
            runs.append(self.folder / self._write_run(heapq.merge(*map(_read_run, group))).name)
            for path in group:
                path.unlink()
        return heapq.merge(*map(_read_run, runs), sorted(self._items))

    def close(self) -> None:
        """Delete the runs (the records are gone after this)."""
        self._items = []
        shutil.rmtree(self.folder, ignore_errors=True)

    def _write_run(self, items) -> Run:
        self._made += 1
        name = f"run-{self._made:05d}"
        count = size = crc = 0
        with (self.folder / name).open("wb", buffering=_BUFFER) as out:
            for key, digest, payload in items:
                encoded = key.encode("utf-8")
                # The payload (a document's N-Triples, mostly) is written and checksummed
                # as it is, not first copied into one framed record.
                head = _HEADER.pack(len(encoded), len(digest), len(payload)) + encoded + digest
                out.write(head)
                out.write(payload)
                count += 1
                size += len(head) + len(payload)
                crc = zlib.crc32(payload, zlib.crc32(head, crc))
        return Run(name, count, size, crc)


def _read_run(path: Path) -> Iterator[Item]:
    with path.open("rb", buffering=_BUFFER) as run:
        while header := run.read(_HEADER.size):
            key_length, digest_length, payload_length = _HEADER.unpack(header)
            yield (run.read(key_length).decode("utf-8"), run.read(digest_length), run.read(payload_length))
