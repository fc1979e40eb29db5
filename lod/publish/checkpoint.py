"""Resuming a killed export from what its key sort already holds on disk.

Results reach the key sort (:mod:`lod.publish.runs`) in input order, so each time
the sort spills a run, everything it holds is exactly the first ``consumed`` input
units. The export then writes a checkpoint beside the runs: that count, the runs
(name, size, CRC-32), the errors reported so far, the time stamp of the run, and a
fingerprint of everything the result depends on (lod and mapping versions, settings,
formats, authority table, the previous export, every input file's path, size and
modification time). A later export whose fingerprint matches adopts the staging
folder, checks every run's bytes, skips the units already done and goes on; on any
mismatch it starts over. A checkpoint is written to a temporary file and renamed: it
is whole or absent.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from lod.publish.files import write_text
from lod.publish.runs import Run

CHECKPOINT = "checkpoint.json"


@dataclass
class Checkpoint:
    fingerprint: str
    now: str  # the interrupted run's time stamp: the resumed run keeps it
    consumed: int  # input units (records, errors, skipped files) whose results are in ``runs``
    runs: list[Run] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)

    def save(self, folder: Path) -> None:
        write_text(folder / CHECKPOINT, json.dumps(asdict(self), ensure_ascii=False, sort_keys=True))


def load(folder: Path, fingerprint: str) -> Checkpoint | None:
    """The checkpoint in ``folder`` if it belongs to the same export and its runs are intact."""
    try:
        data = json.loads((folder / CHECKPOINT).read_text(encoding="utf-8"))
        checkpoint = Checkpoint(**{**data, "runs": [Run(*run) for run in data["runs"]]})
    except (OSError, ValueError, TypeError, KeyError):
        return None
    if checkpoint.fingerprint != fingerprint or not all(run.intact(folder) for run in checkpoint.runs):
        return None
    return checkpoint


def fingerprint(files: list[str], **depends_on: object) -> str:
    """What a resumed run must share with the killed one: the input files as they are now
    (path, size, modification time) and ``depends_on`` (JSON-serialisable values)."""
    described = []
    for path in files:
        try:
            status = os.stat(path)
            described.append([os.path.abspath(path), status.st_size, status.st_mtime_ns])
        except OSError:
            described.append([os.path.abspath(path), None, None])
    text = json.dumps({"files": described, **depends_on}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
