"""Export benchmark (issue 6): ``lod export`` against a naive rdflib + pyld exporter, same run.

    python benchmarks/export_bench.py --docs N [--workers W] [--reference-docs M] [--keep DIR] [--seed S]

1. Generates N synthetic records (``benchmarks/synthetic.py``: JSON Lines, CSV and
   page text, realistic body lengths, non-ASCII text, names in and out of the
   authority table), and N/10 for the memory-growth figure.
2. Measures ``python -m lod export INPUT --out OUT`` (default outputs) as a
   subprocess on N and on N/10 records, and ``--formats nt`` (the dump-only path)
   when ``lod export --help`` offers it; ``--workers W`` is passed only when lod has
   that option. Wall seconds; CPU seconds of the child and its reaped workers
   (``os.wait4``); peak RSS summed over the process tree (``/proc``, every 50 ms;
   shared pages of forked workers count once per process, so this is an upper bound).
3. Measures the naive reference on the first M records of the same input (default
   min(N, 2,000); the generator's first M records are the same for any N): lod's
   readers and offline linker give the Records, ``lod.map.map_record`` the triples;
   one rdflib Graph holds the whole set and is written as ``dataset.nt.gz``; each
   document gets an rdflib Graph serialized as Turtle and a pyld
   ``compact(from_rdf(...))`` with ``vocab/context-v1.jsonld``. Per-document time is
   compared with lod's.
4. Measures the floor: the CPU time per document of lod's own stages (read, link, map,
   and each serialization) in one process on the same M records, with nothing written.
   Divided into the cores, it bounds what any amount of tuning around those stages
   (I/O, the key sort, the dumps, the transfer between processes) could reach.

Everything printed on stdout is meant to be pasted into docs/performance.md; progress goes to
stderr. Both sides include interpreter start-up and imports in their times.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import synthetic  # noqa: E402

POLL_SECONDS = 0.05
TREE_EVERY = 10  # rescan /proc for new worker processes every 10 polls (0.5 s)
PSS_SECONDS = 1.0  # PSS is costly to read (see pss_bytes): near the RSS peak, when RSS grew 10 % or 1 s on
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
REFERENCE_DEFAULT = 2_000
MB = 1024 * 1024


# --- measuring a process tree ---------------------------------------------------------------


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = defaultdict(list)
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                data = handle.read()
        except OSError:
            continue
        ppid = int(data[data.rindex(b")") + 2:].split()[1])
        children[ppid].append(int(entry.name))
    return children


def process_tree(root: int) -> list[int]:
    """``root`` and all its descendants (from /proc; just ``root`` where there is no /proc)."""
    if not os.path.isdir("/proc"):
        return [root]
    children = _children_map()
    tree, queue = [], [root]
    while queue:
        pid = queue.pop()
        tree.append(pid)
        queue.extend(children.get(pid, ()))
    return tree


def rss_bytes(pid: int) -> int:
    """Resident set size of one process (``/proc/PID/statm``: cheap at any size)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:
            return int(handle.read().split()[1]) * PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return 0


def pss_bytes(pid: int) -> int:
    """Proportional set size (pages shared with forked workers split among them).

    ``smaps_rollup`` walks the page tables (~30 ms for 2 GB) and takes the process's
    memory lock, so it is read only near the RSS peak: when RSS grew by 10 % since the last
    reading, else at most once per PSS_SECONDS.
    """
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle.read().splitlines()[1:4]:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0


@dataclass
class Run:
    label: str
    docs: int
    wall: float = 0.0
    cpu: float = 0.0
    peak_rss: int = 0  # bytes, summed over the process tree
    peak_pss: int = 0  # bytes, summed over the process tree (sampled at most once a second)
    processes: int = 1  # most processes seen at once
    returncode: int = 0
    stdout: str = ""
    stderr: str = ""
    note: str = ""
    info: dict = field(default_factory=dict)

    @property
    def docs_per_second(self) -> float:
        return self.docs / self.wall if self.wall else 0.0

    @property
    def ms_per_doc(self) -> float:
        return 1000 * self.wall / self.docs if self.docs else 0.0

    @property
    def cpu_ms_per_doc(self) -> float:
        return 1000 * self.cpu / self.docs if self.docs else 0.0


def measure(label: str, command: list[str], cwd: Path, docs: int) -> Run:
    """Run ``command``; wall, CPU (child + reaped descendants) and peak RSS of the whole tree."""
    run = Run(label, docs)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        pids, tick, last_pss, rss_at_pss = [process.pid], 0, 0.0, 0
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if tick % TREE_EVERY == 0:
                pids = process_tree(process.pid)
                run.processes = max(run.processes, len(pids))
            rss = sum(rss_bytes(p) for p in pids)
            now = time.perf_counter()
            if rss >= 0.95 * run.peak_rss and (now - last_pss >= PSS_SECONDS or rss > 1.1 * rss_at_pss):
                run.peak_pss = max(run.peak_pss, sum(pss_bytes(p) for p in pids))
                last_pss, rss_at_pss = now, rss
            run.peak_rss = max(run.peak_rss, rss)
            tick += 1
            time.sleep(POLL_SECONDS)
        run.wall = time.perf_counter() - started
        process.returncode = run.returncode = os.waitstatus_to_exitcode(status)
        run.cpu = usage.ru_utime + usage.ru_stime
        # ru_maxrss (KiB on Linux): the largest single process; a floor for runs shorter than a poll.
        run.peak_rss = max(run.peak_rss, usage.ru_maxrss * 1024)
        out.seek(0)
        err.seek(0)
        run.stdout = out.read().decode("utf-8", "replace")
        run.stderr = err.read().decode("utf-8", "replace")
    return run


# --- lod export -----------------------------------------------------------------------------


def lod_command(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "lod", "export", *arguments]


def export_options(cwd: Path) -> set[str]:
    """The optional flags this lod's ``export`` has (``--workers``, ``--formats``)."""
    result = subprocess.run(lod_command("--help"), cwd=cwd, capture_output=True, text=True, check=False)
    return {flag for flag in ("--workers", "--formats") if flag in result.stdout}


def run_lod(label: str, input_dir: Path, out: Path, docs: int, cwd: Path, extra: list[str]) -> Run:
    if out.exists():
        shutil.rmtree(out)
    run = measure(label, lod_command(str(input_dir), "--out", str(out), *extra), cwd, docs)
    report = out / "report.json"
    if report.exists():
        values = json.loads(report.read_text(encoding="utf-8"))
        run.info = {"exported": values.get("exported"), "rejected": values.get("rejected_count"),
                    "triples": values.get("triples")}
    return run


# --- the naive reference exporter -----------------------------------------------------------


def reference_export(inputs: list[str], out: Path) -> dict:
    """What an rdflib + pyld exporter does: whole-set Graph, per-document rdflib Turtle and pyld."""
    import gzip

    from pyld import jsonld
    from rdflib import Graph

    from lod.config import load_config
    from lod.link import offline_linker
    from lod.map import map_record
    from lod.model import Record
    from lod.read import read_inputs
    from lod.terms import to_rdflib
    from lod.vocab import PREFIXES, vocab_path

    def graph() -> Graph:
        g = Graph()
        for prefix, namespace in PREFIXES.items():
            g.bind(prefix, namespace)
        return g

    settings = load_config(None).settings
    context = json.loads(vocab_path("context-v1.jsonld").read_text(encoding="utf-8"))
    linker = offline_linker()
    records, rejected = [], 0
    for item in read_inputs(inputs):
        if isinstance(item, Record):
            records.append(linker(item))
        else:
            rejected += 1
    dataset = graph()
    documents = []
    for record in records:
        triples = [tuple(map(to_rdflib, triple)) for triple in map_record(record, settings)]
        for triple in triples:
            dataset.add(triple)
        documents.append((record.key, triples))
    folder = out / "documents"
    folder.mkdir(parents=True, exist_ok=True)
    for key, triples in documents:
        document = graph()
        for triple in triples:
            document.add(triple)
        (folder / f"{key}.ttl").write_text(document.serialize(format="turtle"), encoding="utf-8")
        expanded = jsonld.from_rdf(document.serialize(format="nt"), {"format": "application/n-quads"})
        compacted = jsonld.compact(expanded, context)
        (folder / f"{key}.jsonld").write_text(json.dumps(compacted, ensure_ascii=False, indent=2) + "\n",
                                              encoding="utf-8")
    with gzip.open(out / "dataset.nt.gz", "wb", compresslevel=6) as handle:
        handle.write(dataset.serialize(format="nt", encoding="utf-8"))
    return {"exported": len(documents), "rejected": rejected, "triples": len(dataset)}


# --- the floor: lod's own stages, nothing else ------------------------------------------------


#: The stages every exported record goes through, in order; the dump-only path stops at "nt".
STAGES = ("read", "link", "map", "nt", "ttl", "jsonld")


def stage_floor(inputs: list[str]) -> dict:
    """CPU ms per document of each of lod's stages, run one after the other over all records.

    What a worker does besides (content digest, statistics, links rows, writing files,
    packing for the main process) and what the main process does (the key sort, dumps,
    journal) is left out, so the sum is a floor on an export's CPU per document.
    """
    from lod.config import load_config
    from lod.link import offline_linker
    from lod.map import map_record
    from lod.model import Record
    from lod.read import read_inputs
    from lod.serialize import jsonld, ntriples, turtle

    settings = load_config(None).settings
    linker = offline_linker()
    seconds: dict[str, float] = {}

    def timed(stage: str, work):
        started = time.process_time()
        result = work()
        seconds[stage] = time.process_time() - started
        return result

    records = timed("read", lambda: [item for item in read_inputs(inputs) if isinstance(item, Record)])
    records = timed("link", lambda: [linker(record) for record in records])
    graphs = timed("map", lambda: [(settings.iris.document(record.key), map_record(record, settings))
                                   for record in records])
    timed("nt", lambda: [ntriples.lines(triples) for _, triples in graphs])
    timed("ttl", lambda: [turtle.serialize(triples, root) for root, triples in graphs])
    timed("jsonld", lambda: [jsonld.serialize(triples, root) for root, triples in graphs])
    count = max(len(records), 1)
    return {"documents": len(records), "ms": {stage: 1000 * seconds[stage] / count for stage in STAGES}}


def run_floor(input_dir: Path, cwd: Path) -> dict:
    """:func:`stage_floor` in a fresh interpreter (its caches start cold, as a worker's do)."""
    command = [sys.executable, str(Path(__file__).resolve()), "--floor-run", str(input_dir)]
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode == 0 and lines:
        return json.loads(lines[-1])
    _progress(f"floor failed (exit status {result.returncode}): {result.stderr.strip()[-300:]}")
    return {}


def floor_lines(floor: dict, cores: int) -> list[str]:
    """The floor's figures and the most ``cores`` cores could export at that CPU per document."""
    if not floor.get("documents"):
        return ["floor: not measured"]
    ms = floor["ms"]
    dump_only = sum(ms[stage] for stage in STAGES[:STAGES.index("nt") + 1])
    default = sum(ms.values())
    stages = ", ".join(f"{stage} {ms[stage]:.3f}" for stage in STAGES)
    return [f"floor: lod's stages in one process on {floor['documents']:,} records, nothing written, CPU ms "
            f"per document: {stages}; sum {default:.2f} (dump-only {dump_only:.2f})",
            f"floor: with nothing else to do (no files, key sort, dumps or transfer between processes), "
            f"{cores} cores would export at most {_n(cores * 1000 / default)} docs/s with the default outputs "
            f"and {_n(cores * 1000 / dump_only)} docs/s dump-only"]


def run_reference(input_dir: Path, out: Path, docs: int, cwd: Path) -> Run:
    if out.exists():
        shutil.rmtree(out)
    command = [sys.executable, str(Path(__file__).resolve()), "--reference-run", str(input_dir), str(out)]
    run = measure("naive reference (rdflib + pyld)", command, cwd, docs)
    lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
    if lines:
        run.info = json.loads(lines[-1])
    return run


# --- the report -----------------------------------------------------------------------------


def machine(load: float | None = None) -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.1f} GiB RAM"
                break
    except OSError:
        pass
    from lod import __version__

    load = f", load average {load:.2f} before the runs" if load is not None else ""
    return (f"machine: {model}, {os.cpu_count()} cores (os.cpu_count()){memory}{load}, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
            f"lod {__version__}{_commit()}")


def _commit() -> str:
    """`` (commit abc1234)`` when lod runs from a git checkout (``-dirty`` with local changes)."""
    import lod

    try:
        result = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True, text=True,
                                cwd=Path(lod.__file__).resolve().parent, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return f" (commit {result.stdout.strip()})" if result.returncode == 0 and result.stdout.strip() else ""


def _n(value: float) -> str:
    return f"{value:,.0f}"


def _mb(value: int) -> str:
    return f"{value / MB:,.0f}" if value else "n/a"


def _row(run: Run) -> str:
    if run.note:
        return f"| {run.label} | {run.note} | | | | | | |"
    return (f"| {run.label} | {run.docs:,} | {run.wall:.1f} | {run.cpu:.1f} | {_n(run.docs_per_second)} | "
            f"{run.ms_per_doc:.2f} | {run.peak_rss / MB:,.0f} | {_mb(run.peak_pss)} |")


def _outcome(run: Run) -> str:
    info = run.info
    if not info:
        last = (run.stderr.strip().splitlines() or [""])[-1][:300]
        return f"{run.label}: exit status {run.returncode}, no report" + (f" ({last})" if last else "")
    return (f"{run.label}: exit status {run.returncode}, {info.get('exported') or 0:,} documents exported, "
            f"{info.get('rejected') or 0:,} rejected, {info.get('triples') or 0:,} triples")


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def report(args, stats: dict, runs: dict[str, Run], workers_label: str, options: set[str],
           floor: dict) -> list[str]:
    full, tenth, nt, reference = runs["full"], runs.get("tenth"), runs.get("nt"), runs["reference"]
    command = f"python benchmarks/export_bench.py --docs {args.docs}"
    if args.workers is not None:
        command += f" --workers {args.workers}"
    if args.reference_docs != min(args.docs, REFERENCE_DEFAULT):
        command += f" --reference-docs {args.reference_docs}"
    if args.seed:
        command += f" --seed {args.seed}"
    lines = [
        "### lod export benchmark",
        "",
        machine(args.load),
        f"input: {stats['records']:,} synthetic records (benchmarks/synthetic.py, seed {args.seed}): "
        f"{stats['jsonl']:,} JSON Lines, {stats['csv']:,} CSV, {stats['txt']:,} page text; "
        f"{stats['bytes'] / 1e6:,.1f} MB in {stats['files']:,} files; body median {stats['body_median']:,} "
        f"characters, {100 * stats['body_over_10k'] / max(stats['records'], 1):.1f} % over 10,000, "
        f"{stats['body_over_50k']:,} over 50,000",
        f"command: {command}",
        f"lod: python -m lod export INPUT --out OUT ({workers_label})",
        "reference: lod readers + offline linker + map_record; one rdflib Graph for the whole set "
        "(dataset.nt.gz); per document rdflib Turtle and pyld compact(from_rdf) with vocab/context-v1.jsonld",
        "",
        "| run | docs | wall s | CPU s | docs/s | ms/doc | peak RSS MB | peak PSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        _row(full),
    ]
    if tenth is not None:
        lines.append(_row(tenth))
    if nt is not None:
        lines.append(_row(nt))
    lines += [_row(reference), ""]
    ratio_wall = reference.ms_per_doc / full.ms_per_doc if full.ms_per_doc else 0.0
    ratio_cpu = reference.cpu_ms_per_doc / full.cpu_ms_per_doc if full.cpu_ms_per_doc else 0.0
    lines.append(f"reference / lod, time per document: {ratio_wall:.1f}x wall (lod {full.ms_per_doc:.2f} ms, "
                 f"reference {reference.ms_per_doc:.2f} ms), {ratio_cpu:.1f}x CPU "
                 f"(lod {full.cpu_ms_per_doc:.2f} ms, reference {reference.cpu_ms_per_doc:.2f} ms)")
    if full.info.get("triples") and full.info.get("exported"):
        per_document = full.info["triples"] / full.info["exported"]
        lines.append(f"lod's N-Triples dump: {full.info['triples']:,} triples, {per_document:.0f} per document "
                     f"(each triple once; entity descriptions shared between documents count once), "
                     f"{full.info['triples'] / full.wall:,.0f} triples/s; the issue's baselines assume ~27 "
                     "triples per document")
    growth = None
    if tenth is not None and tenth.peak_rss:
        growth = full.peak_rss / tenth.peak_rss
        pss_growth = f"{full.peak_pss / tenth.peak_pss:.2f}x" if tenth.peak_pss and full.peak_pss else "n/a"
        lines.append(f"peak RSS of lod export: {tenth.peak_rss / MB:,.0f} MB at {tenth.docs:,} docs (N/10), "
                     f"{full.peak_rss / MB:,.0f} MB at {full.docs:,} docs (N): growth {growth:.2f}x "
                     f"(PSS {_mb(tenth.peak_pss)} -> {_mb(full.peak_pss)} MB, {pss_growth})")
    lines.append(f"peak RSS is the sum over the process tree, sampled every {POLL_SECONDS * 1000:.0f} ms "
                 f"(most processes seen: lod {full.processes}, reference {reference.processes}); it counts pages "
                 f"that forked workers share once per process; PSS splits them (read near the RSS peak, "
                 f"when RSS grew 10 % or every {PSS_SECONDS:.0f} s)")
    lines += floor_lines(floor, args.workers or os.cpu_count() or 1)
    lines += ["", *(f"- {_outcome(run)}" for run in runs.values() if not run.note)]
    scale = "" if args.docs == 100_000 else f"; this run has {args.docs:,}"
    lines += ["", f"targets (issue 6, stated for 100,000 documents{scale}):",
              f"- default outputs >= 1,700 docs/s: {_n(full.docs_per_second)} docs/s, "
              f"{_met(full.docs_per_second >= 1_700)}",
              f"- >= 10x faster per document than the reference: {ratio_wall:.1f}x, {_met(ratio_wall >= 10)}"]
    if nt is not None and not nt.note:
        lines.append(f"- --formats nt >= 10,000 docs/s: {_n(nt.docs_per_second)} docs/s, "
                     f"{_met(nt.docs_per_second >= 10_000)}")
    else:
        lines.append("- --formats nt >= 10,000 docs/s: not measured (lod export has no --formats)")
    lines.append(f"- peak RSS <= 250 MB: {full.peak_rss / MB:,.0f} MB, {_met(full.peak_rss <= 250 * MB)}")
    if growth is not None:
        lines.append(f"- peak RSS at N <= 1.2x peak at N/10: {growth:.2f}x, {_met(growth <= 1.2)}")
    return lines


# --- main -----------------------------------------------------------------------------------


def _progress(message: str) -> None:
    print(f"[export_bench] {message}", file=sys.stderr, flush=True)


def _generate(count: int, folder: Path, seed: int, cache: dict[int, tuple[Path, dict]]) -> tuple[Path, dict]:
    if count in cache:
        return cache[count]
    if folder.exists():
        shutil.rmtree(folder)
    stats: dict = {}
    started = time.perf_counter()
    synthetic.generate(count, folder, seed, stats)
    _progress(f"generated {count:,} records ({stats['bytes'] / 1e6:,.1f} MB) in "
              f"{time.perf_counter() - started:.1f}s -> {folder}")
    cache[count] = (folder, stats)
    return cache[count]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=10_000, metavar="N", help="records to export (default 10,000)")
    parser.add_argument("--workers", type=int, metavar="W",
                        help="passed to lod export when it has --workers (default: lod's own default)")
    parser.add_argument("--reference-docs", type=int, metavar="M",
                        help=f"records for the naive reference (default min(N, {REFERENCE_DEFAULT:,}))")
    parser.add_argument("--keep", metavar="DIR", help="keep inputs and outputs in DIR (default: a temporary folder)")
    parser.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    parser.add_argument("--reference-run", nargs=2, metavar=("INPUT", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--floor-run", metavar="INPUT", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.reference_run:
        print(json.dumps(reference_export([args.reference_run[0]], Path(args.reference_run[1]))))
        return 0
    if args.floor_run:
        print(json.dumps(stage_floor([args.floor_run])))
        return 0
    if args.docs < 1:
        parser.error("--docs must be at least 1")
    if args.reference_docs is None:
        args.reference_docs = min(args.docs, REFERENCE_DEFAULT)
    args.reference_docs = max(1, min(args.reference_docs, args.docs))
    args.load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None

    work = Path(args.keep).resolve() if args.keep else Path(tempfile.mkdtemp(prefix="lod-export-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    cwd = work / "cwd"  # no lod.toml or authorities.tsv here: lod's defaults
    cwd.mkdir(exist_ok=True)
    try:
        options = export_options(cwd)
        extra: list[str] = []
        if args.workers is not None and "--workers" in options:
            extra = ["--workers", str(args.workers)]
            workers_label = f"--workers {args.workers}"
        elif args.workers is not None:
            workers_label = f"--workers {args.workers} not passed: lod export has no --workers"
        elif "--workers" in options:
            workers_label = f"lod's default workers, {os.cpu_count()} cores"
        else:
            workers_label = "lod export has no --workers: one process"
        cache: dict[int, tuple[Path, dict]] = {}
        tenth_docs = args.docs // 10
        full_input, stats = _generate(args.docs, work / f"input-{args.docs}", args.seed, cache)
        tenth_input = _generate(tenth_docs, work / f"input-{tenth_docs}", args.seed, cache)[0] if tenth_docs else None
        reference_input = _generate(args.reference_docs, work / f"input-{args.reference_docs}", args.seed, cache)[0]

        runs: dict[str, Run] = {}
        if tenth_input is not None:
            _progress(f"lod export on {tenth_docs:,} records (N/10) ...")
            runs["tenth"] = run_lod("lod export, default outputs (N/10)", tenth_input, work / "out-lod-tenth",
                                    tenth_docs, cwd, extra)
        _progress(f"lod export on {args.docs:,} records ...")
        runs["full"] = run_lod("lod export, default outputs", full_input, work / "out-lod", args.docs, cwd, extra)
        if "--formats" in options:
            _progress(f"lod export --formats nt on {args.docs:,} records ...")
            runs["nt"] = run_lod("lod export --formats nt (dump only)", full_input, work / "out-lod-nt",
                                 args.docs, cwd, [*extra, "--formats", "nt"])
        else:
            runs["nt"] = Run("lod export --formats nt (dump only)", args.docs,
                             note="not measured: `lod export --help` has no --formats")
        _progress(f"naive reference on {args.reference_docs:,} records ...")
        runs["reference"] = run_reference(reference_input, work / "out-reference", args.reference_docs, cwd)
        _progress(f"floor (lod's stages alone) on {args.reference_docs:,} records ...")
        floor = run_floor(reference_input, cwd)

        runs = {key: runs[key] for key in ("full", "tenth", "nt", "reference") if key in runs}
        print("\n".join(report(args, stats, runs, workers_label, options, floor)))
        failed = [run for run in runs.values() if not run.note and run.returncode not in (0, 1)]
        for run in failed:
            print(f"\n{run.label} failed (exit status {run.returncode}):\n{run.stderr[-3000:]}", file=sys.stderr)
        if args.keep:
            _progress(f"inputs and outputs kept in {work}")
        return 1 if failed else 0
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
