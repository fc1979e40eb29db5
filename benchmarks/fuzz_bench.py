"""Fuzzed records through ``lod export``: what hostile input does to a whole export.

Writes ``--records`` (10,000) records in the shapes of the real corpus, mutated the ways
``hostile.py`` knows (byte flips, type swaps, deletions, huge and deeply nested values,
odd encodings, brackets in URLs, control and bidi characters ...), in folders of
``--per-folder`` records; exports them with ``lod export`` in a subprocess (the limits
of ``hostile.LIMITS`` in a lod.toml); and prints

* tracebacks: in stderr, and records lod's safety net rejected (an exception lod did not
  expect, "failed while ..."): must be 0;
* records unaccounted for (written, less published, merged and rejected; and report.json's
  ``read`` must be the records written): must be 0;
* unparseable outputs (pyoxigraph and rdflib, every file; ill-typed literals): must be 0;
* the exit status against the rule of docs/operations.md;
* the rejection reasons by class.

    python benchmarks/fuzz_bench.py [--records N] [--hostility P] [--seed S] [--keep DIR]

Exits 1 when any of the first three is not 0.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import hostile  # noqa: E402  (beside this file)

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--per-folder", type=int, default=50, help="records per generated folder")
    parser.add_argument("--hostility", type=float, default=0.5, help="chance a record is mutated")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, help="lod export --workers (default: lod's)")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep it (default: a temporary folder)")
    args = parser.parse_args(argv)

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="lod-fuzz-"))
    try:
        return run(args, work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def run(args, work: Path) -> int:
    shutil.rmtree(work / "in", ignore_errors=True)
    shutil.rmtree(work / "out", ignore_errors=True)
    rng = random.Random(f"lod-fuzz-{args.seed}")
    started = time.monotonic()
    expected = 0
    for number, first in enumerate(range(0, args.records, args.per_folder)):
        count = min(args.per_folder, args.records - first)
        files = hostile.corpus(rng, count, args.hostility, first)
        expected += hostile.write(work / "in" / f"f{number:05d}", files)
    generated = time.monotonic() - started
    config = work / "lod.toml"
    config.write_text("[limits]\n" + "".join(f"{k} = {v}\n" for k, v in hostile.LIMITS.items()),
                      encoding="utf-8")
    command = [sys.executable, "-m", "lod", "export", str(work / "in"), "--out", str(work / "out"),
               "--config", str(config)] + (["--workers", str(args.workers)] if args.workers else [])
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path, "SOURCE_DATE_EPOCH": "1767225600"}
    started = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=work)
    exported = time.monotonic() - started
    report_path = work / "out" / "report.json"
    report = json.loads(report_path.read_text(encoding="utf-8")) if report_path.exists() else None
    started = time.monotonic()
    tracebacks = result.stderr.count("Traceback")
    if report is None:
        print(result.stderr[-3000:])
        print("no report.json: the export did not finish")
        return 1
    internal = [e for e in report["rejected"] if e["reason"].startswith(hostile.INTERNAL)]
    unaccounted = abs(expected - hostile.accounted(report)) + abs(expected - report["read"])
    with ProcessPoolExecutor() as pool:  # rdflib takes ~40 ms a document
        unparseable = hostile.unparseable(work / "out", lambda check, paths: pool.map(check, paths,
                                                                                       chunksize=64))
    checked = time.monotonic() - started
    documented = 2 if report["exported"] == 0 else 1 if report["rejected"] else 0

    print(f"lod fuzz bench: {args.records:,} records (hostility {args.hostility}, seed {args.seed}); "
          f"generated in {generated:.1f} s, exported in {exported:.1f} s, outputs checked in {checked:.1f} s")
    print(f"| tracebacks | {tracebacks + len(internal)} |")
    print(f"| records unaccounted for | {unaccounted} |")
    print(f"| unparseable outputs | {len(unparseable)} |")
    print(f"| exit status | {result.returncode} (documented: {documented}) |")
    print(f"| read / published / merged / rejected | {report['read']:,} / {report['exported']:,} / "
          f"{report['merged_count']:,} / {report['rejected_count']:,} |")
    print("\n| rejections by class | records |\n|---|---:|")
    for reason, count in Counter(hostile.reason_class(e["reason"]) for e in report["rejected"]).most_common():
        print(f"| {reason} | {count:,} |")
    for problem in [*(str(e) for e in internal[:5]), *unparseable[:5]]:
        print(f"problem: {problem}")
    failed = tracebacks or internal or unaccounted or unparseable or result.returncode != documented
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
