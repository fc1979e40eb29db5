"""Writing files so that a crash never leaves half a file behind.

Every file goes to a temporary name in the same folder and is renamed into place
(atomic on POSIX). A file whose bytes would not change is not touched at all, so
an unchanged re-run keeps every byte and every modification time.
"""

from __future__ import annotations

import gzip
import io
import os
import tempfile
from pathlib import Path


def write_bytes(path: Path, data: bytes) -> bool:
    """Atomically write ``data`` to ``path``; return False when it already held exactly that."""
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return True


def write_text(path: Path, text: str) -> bool:
    return write_bytes(path, text.encode("utf-8"))


class StreamedFile:
    """A file written piece by piece to a temporary name, then renamed into place.

    Like :func:`write_bytes` for content too large to hold in memory: on :meth:`close`
    a file that already held exactly these bytes is left alone (``written`` is False).
    """

    def __init__(self, path: Path):
        self.path = path
        self.written = False
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        self._temp = Path(temp)
        self._out = os.fdopen(handle, "wb")

    def write(self, data: bytes) -> None:
        self._out.write(data)

    def close(self) -> bool:
        """Put the file in place; True when its bytes changed."""
        try:
            self._out.close()
            if not _same_content(self._temp, self.path):
                os.chmod(self._temp, 0o644)
                os.replace(self._temp, self.path)
                self.written = True
        finally:
            self._temp.unlink(missing_ok=True)
        return self.written

    def discard(self) -> None:
        self._out.close()
        self._temp.unlink(missing_ok=True)


def _same_content(new: Path, old: Path) -> bool:
    try:
        if old.stat().st_size != new.stat().st_size:
            return False
    except FileNotFoundError:
        return False
    with new.open("rb") as a, old.open("rb") as b:
        while True:
            block = a.read(1 << 20)
            if block != b.read(1 << 20):
                return False
            if not block:
                return True


def gzip_bytes(data: bytes, level: int = 6) -> bytes:
    """Deterministic gzip: no file name and a zero timestamp in the header."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=level, mtime=0, filename="") as out:
        out.write(data)
    return buffer.getvalue()
