"""What the search index costs an export: made from scratch, or the previous one copied and changed.

Reads the rows of an export's ``search.sqlite`` back into the pieces the export's workers
make (:func:`lod.publish.search.index_row`'s form), then drives the product's own writer
(:mod:`lod.publish.search`) as the pass in key order does, three ways:

* from scratch (no previous index: every document written);
* incremental, ``--changed`` of the documents (1 %) updated: the previous index copied, those rewritten;
* incremental, nothing changed: the previous index copied.

Prints wall and CPU seconds (this process: the writer's thread and the copy), per document,
and the index's size; the index an export writes is the same.

    python benchmarks/search_index_bench.py EXPORT_DIR [--changed 0.01]
"""

from __future__ import annotations

import argparse
import pickle
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from lod.publish.layout import SEARCH
from lod.publish.products import Context, Published
from lod.publish.search import PRODUCT


def pieces(index: Path) -> list[tuple[str, bytes]]:
    """Each document's piece, in key order, from an index's rows."""
    with sqlite3.connect(f"{index.resolve().as_uri()}?mode=ro", uri=True) as db:
        facets: dict[int, list] = {}
        for document, facet, value, label, qid in db.execute(
                "SELECT document, facet, value, label, qid FROM facets"):
            facets.setdefault(document, []).append([facet, value, label, qid or ""])
        return [(key, pickle.dumps({"key": key, "title": title, "summary": summary, "description": description,
                                    "body": body, "date": date, "year": year, "linked": bool(linked),
                                    "facets": facets.get(id_, [])}, pickle.HIGHEST_PROTOCOL))
                for id_, key, title, summary, description, body, date, year, linked in db.execute(
                    "SELECT id, key, title, summary, description, body, date, year, linked FROM documents "
                    "ORDER BY key")]


def write(generation: Path, previous: Path | None, rows: list[tuple[str, bytes]], changed: set[int]) -> dict:
    generation.mkdir()
    started, cpu = time.perf_counter(), time.process_time()
    writer = PRODUCT.writer(generation, Context(previous, "http://localhost:8080/"))
    for number, (key, piece) in enumerate(rows):
        change = "Update" if previous is None or number in changed else None
        writer.add(Published(key, "", b"", 0, {PRODUCT.name: piece}, change))
    writer.close()
    return {"wall": time.perf_counter() - started, "cpu": time.process_time() - cpu,
            "bytes": (generation / SEARCH).stat().st_size}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("export", type=Path, help="an export folder (its search.sqlite is read)")
    parser.add_argument("--changed", type=float, default=0.01, help="share of documents updated (0.01)")
    args = parser.parse_args(argv)
    if not (args.export / SEARCH).exists():
        parser.error(f"no {SEARCH} in {args.export}")
    rows = pieces(args.export / SEARCH)
    step = max(1, round(1 / args.changed)) if args.changed > 0 else len(rows) + 1
    changed = set(range(0, len(rows), step))
    with tempfile.TemporaryDirectory(prefix="lod-search-index-") as scratch:
        root = Path(scratch)
        results = {"from scratch": write(root / "scratch", None, rows, set())}
        results[f"incremental, {len(changed):,} changed"] = write(root / "changed", root / "scratch", rows, changed)
        results["incremental, none changed"] = write(root / "unchanged", root / "scratch", rows, set())
    print(f"search index of {len(rows):,} documents ({args.export}), Python {sys.version.split()[0]}")
    print(f"{'run':<28}{'wall s':>9}{'CPU s':>9}{'CPU ms/doc':>12}{'MB':>8}")
    for name, r in results.items():
        print(f"{name:<28}{r['wall']:>9.2f}{r['cpu']:>9.2f}{r['cpu'] / len(rows) * 1000:>12.3f}"
              f"{r['bytes'] / 1e6:>8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
