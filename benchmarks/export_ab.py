"""``lod export`` now against an earlier commit, on the same input, interleaved in one run.

    python benchmarks/export_ab.py --baseline REV [--docs N] [--rounds R] [--formats LIST] [--workers W]

Generates N synthetic records (``benchmarks/synthetic.py``) once, checks REV out with
``git worktree add`` into a temporary folder, then exports the records R times with each
side, alternating (baseline, current, baseline, ...), each into a fresh folder, so that
the machine's drift over the run falls on both sides alike. Prints each side's median
wall time, CPU time (the process and its reaped workers) and peak RSS, and the ratios
current / baseline: below 1.00 is faster. ``--formats`` is given to both sides (default:
the formats both have, so that the same files are written).

Everything printed on stdout is meant for docs/performance.md; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import synthetic  # noqa: E402
from export_bench import MB, Run, machine, measure  # noqa: E402

#: What an export wrote before the store and the search index were products of it.
COMMON_FORMATS = "ttl,jsonld,nt,nq"


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def export(side: Path, inputs: Path, out: Path, docs: int, formats: str, workers: int | None) -> Run:
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, "-m", "lod", "export", str(inputs), "--out", str(out), "--formats", formats]
    if workers:
        command += ["--workers", str(workers)]
    os.environ["PYTHONPATH"] = str(side)  # this side's lod, whatever the environment has installed
    run = measure(side.name, command, side, docs)
    if run.returncode != 0:
        raise RuntimeError(f"export at {side} failed: {run.stderr[-2000:]}")
    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", required=True, metavar="REV", help="the commit to compare with")
    parser.add_argument("--docs", type=int, default=5_000, metavar="N", help="records (default 5,000)")
    parser.add_argument("--rounds", type=int, default=3, metavar="R", help="exports per side (default 3)")
    parser.add_argument("--formats", default=COMMON_FORMATS, metavar="LIST",
                        help=f"--formats for both sides (default {COMMON_FORMATS})")
    parser.add_argument("--workers", type=int, metavar="W", help="--workers for both sides (default: lod's)")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="lod-export-ab-"))
    worktree = work / "baseline"
    header = machine(os.getloadavg()[0])
    try:
        progress(f"generating {args.docs:,} records ...")
        inputs = work / "in"
        synthetic.generate(args.docs, inputs)
        subprocess.run(["git", "worktree", "add", "--detach", str(worktree), args.baseline], cwd=ROOT,
                       check=True, capture_output=True)
        runs: dict[str, list[Run]] = {"baseline": [], "current": []}
        for round_ in range(args.rounds):
            for name, side in (("baseline", worktree), ("current", ROOT)):
                progress(f"round {round_ + 1}/{args.rounds}: {name} ...")
                runs[name].append(export(side, inputs, work / f"out-{name}", args.docs, args.formats,
                                         args.workers))
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(worktree)], cwd=ROOT, capture_output=True)
        shutil.rmtree(work, ignore_errors=True)

    def median(name: str, value) -> float:
        return statistics.median(value(run) for run in runs[name])

    measures = (("wall s", lambda r: r.wall, "{:,.1f}"), ("CPU s", lambda r: r.cpu, "{:,.1f}"),
                ("peak RSS MB", lambda r: r.peak_rss / MB, "{:,.0f}"))
    lines = [header, "",
             f"`python benchmarks/export_ab.py --baseline {args.baseline} --docs {args.docs} --rounds {args.rounds}"
             f" --formats {args.formats}`: medians of {args.rounds} interleaved exports per side.", "",
             "| | baseline " + args.baseline + " | current | current / baseline |", "|---|---:|---:|---:|"]
    for label, value, fmt in measures:
        before, after = median("baseline", value), median("current", value)
        lines.append(f"| {label} | {fmt.format(before)} | {fmt.format(after)} | "
                     f"{after / before if before else 0:.2f} |")
    lines.append(f"| documents/s | {args.docs / median('baseline', lambda r: r.wall):,.0f} | "
                 f"{args.docs / median('current', lambda r: r.wall):,.0f} | |")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
