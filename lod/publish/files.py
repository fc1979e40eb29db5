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


def gzip_bytes(data: bytes, level: int = 6) -> bytes:
    """Deterministic gzip: no file name and a zero timestamp in the header."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=level, mtime=0, filename="") as out:
        out.write(data)
    return buffer.getvalue()
