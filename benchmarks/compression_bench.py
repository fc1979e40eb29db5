"""Which gzip for the dumps: zlib (the standard library) or ISA-L (``isal``), at which level.

    python benchmarks/compression_bench.py EXPORT_DIR [--megabytes 300]

Decompresses the N-Quads dump of an export (``lod export ... --out EXPORT_DIR``; up
to ``--megabytes`` of it) and compresses it again with each candidate, in this
process: CPU seconds (single thread), MB/s of input and the size as a share of the
input. Both produce standard gzip that every reader (gzip, zlib, Virtuoso, rapper)
accepts; the export uses ISA-L level 2 (``lod.publish.dumps``).
"""

from __future__ import annotations

import argparse
import gzip
import time
import zlib
from pathlib import Path

from isal import isal_zlib

GZIP_WINDOW = 31  # deflate with a gzip header and trailer

CANDIDATES = [
    *((f"zlib level {level}", zlib.compressobj, level) for level in (1, 3, 6)),
    *((f"isal level {level}", isal_zlib.compressobj, level) for level in (0, 1, 2, 3)),
]


def sample(export: Path, megabytes: int) -> bytes:
    """The first ``megabytes`` of the export's N-Quads, uncompressed."""
    data = bytearray()
    for chunk in sorted((export / "dumps").glob("documents-*.nq.gz")):
        data += gzip.decompress(chunk.read_bytes())
        if len(data) >= megabytes * 1_000_000:
            break
    if not data:
        raise SystemExit(f"no N-Quads dump in {export / 'dumps'}: run lod export first")
    return bytes(data[: megabytes * 1_000_000])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("export", type=Path)
    parser.add_argument("--megabytes", type=int, default=300)
    args = parser.parse_args(argv)
    data = sample(args.export, args.megabytes)
    print(f"input: {len(data) / 1e6:,.0f} MB of lod's N-Quads")
    print("| codec | CPU s | MB/s | size |")
    print("|---|---:|---:|---:|")
    for name, make, level in CANDIDATES:
        started = time.process_time()
        compressor = make(level, zlib.DEFLATED, GZIP_WINDOW)
        size = len(compressor.compress(data)) + len(compressor.flush())
        seconds = time.process_time() - started
        print(f"| {name} | {seconds:.2f} | {len(data) / seconds / 1e6:,.0f} | {100 * size / len(data):.1f} % |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
