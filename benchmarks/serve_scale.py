"""``lod serve`` at collection scale: the store the export writes against the store built at start.

    python benchmarks/serve_scale.py --docs 100000 [--baseline REV] [--keep DIR] [--store-only]

1. Generates N synthetic records (``benchmarks/synthetic.py``) and exports them twice: with
   the default outputs (the store included) and without the store (``--formats
   ttl,jsonld,nt,nq``), so the store's share of an export's time shows; its size on disk.
2. Starts ``lod serve`` on the export and measures the time from its start to the first
   answered request (the home page) and to the first answered SPARQL query (``ASK {}``),
   the latencies of a document page, an entity page and three SPARQL queries (a count of
   persons; a join documents-persons-places with a filter; a DESCRIBE), each the first
   time and the median of the next runs, and the RSS of the server plus its SPARQL workers.
3. The same with the design before this store (``--baseline``, a commit checked out with
   ``git worktree add`` into a temporary folder) on the same export: its ``lod serve``
   builds its store from the dumps at start. Its document files are laid out flat for it
   (hard links), as it expects them. The ratios are printed.
4. Re-exports with 1 % of the records edited, from a copy of the export (hard links), with
   and without the store; then times the store's update alone: the store product
   (``lod/publish/store.py``) given that re-export's changes (its journal) in key order, from
   the first export's store, as the pass would give them; set against the full export's time.

Everything printed on stdout is meant for docs/performance.md; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import synthetic  # noqa: E402
from export_bench import MB, machine, measure, process_tree, rss_bytes  # noqa: E402

from lod.publish.layout import DOCUMENTS, STORE, document_file, document_files  # noqa: E402

#: The last commit before the export wrote the store (``lod serve`` built one from the dumps).
BASELINE = "fc1a52a"
WITHOUT_STORE = "ttl,jsonld,nt,nq"
REPEATS = 5
SCHEMA = "PREFIX schema: <http://schema.org/>\n"
QUERIES = {
    "SPARQL: count of persons": SCHEMA + "SELECT (COUNT(*) AS ?n) WHERE { ?person a schema:Person }",
    "SPARQL: join documents-persons-places, filtered": SCHEMA + """SELECT ?document ?person ?place WHERE {
  ?document a schema:ArchiveComponent ; schema:mentions ?person ; schema:spatialCoverage ?place ;
            schema:dateCreated ?date .
  ?person a schema:Person .
  ?place schema:name ?name .
  FILTER (?date < "1960-01-01"^^<http://www.w3.org/2001/XMLSchema#date> && CONTAINS(?name, "a"))
} LIMIT 100""",
    "SPARQL: DESCRIBE a document": "DESCRIBE <{document}>",
}


@dataclass
class Serving:
    label: str
    started: float | None = None  # seconds from start to the first answered request (None: none in time)
    sparql_ready: float | None = None  # ... to the first answered SPARQL query
    latencies: dict[str, tuple[float, float]] = field(default_factory=dict)  # first, median of the rest
    rss: int = 0  # bytes: server and its workers, at the end
    peak_rss: int = 0
    failures: list[str] = field(default_factory=list)


def progress(message: str) -> None:
    print(f"[serve_scale] {message}", file=sys.stderr, flush=True)


def lod(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "lod", *arguments]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def edit_one_percent(folder: Path) -> int:
    """Edit the summary of 1 % of the records (JSON Lines and CSV rows alike): each an Update."""
    import csv

    edited = total = 0
    for path in sorted(folder.glob("records-*.jsonl")):
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        for number, line in enumerate(lines):
            total += 1
            if total % 100 == 0:
                record = json.loads(line)
                record["summary"] = f"{record.get('summary') or ''} (revised)"
                lines[number] = json.dumps(record, ensure_ascii=False) + "\n"
                edited += 1
        path.write_text("".join(lines), encoding="utf-8")
    for path in sorted(folder.glob("records-*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        column = rows[0].index("summary")
        for row in rows[1:]:
            total += 1
            if total % 100 == 0:
                row[column] += " (revised)"
                edited += 1
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(rows)
    return edited


def flat_view(export: Path, view: Path) -> None:
    """The export with its documents in one folder (hard links), as lod before sharding reads it."""
    view.mkdir(parents=True)
    for entry in export.iterdir():
        if entry.name not in (DOCUMENTS, ".lod", STORE):
            (view / entry.name).symlink_to(entry.resolve())
    (view / DOCUMENTS).mkdir()
    for extension in (".ttl", ".jsonld"):
        for path in document_files(export / DOCUMENTS, extension):
            os.link(path.resolve(), view / DOCUMENTS / path.name)


def sample_iris(export: Path) -> tuple[str, str, str]:
    """(key, document IRI, entity path) of a document in the middle of the export, and a person it names."""
    state = json.loads((export / "state.json").read_text(encoding="utf-8"))
    keys = sorted(state["documents"])
    base = json.loads((export / "manifest.json").read_text(encoding="utf-8"))["base"]
    for key in keys[len(keys) // 2:]:
        text = (export / DOCUMENTS / document_file(key, ".ttl")).read_text(encoding="utf-8")
        marker = f"<{base}id/person/"
        if marker in text:
            slug = text.split(marker, 1)[1].split(">", 1)[0]
            return key, f"{base}id/document/{key}", f"doc/person/{slug}"
    raise RuntimeError("no document names a person")


def serve_and_measure(label: str, folder: Path, cwd: Path, env: dict, key: str, document: str,
                      entity: str, wait: float) -> Serving:
    result = Serving(label)
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    started = time.perf_counter()
    process = subprocess.Popen(lod("serve", str(folder), "--port", str(port)), cwd=cwd, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

    def sample_rss() -> int:
        rss = sum(rss_bytes(pid) for pid in process_tree(process.pid))
        result.peak_rss = max(result.peak_rss, rss)
        return rss

    try:
        while True:
            try:
                left = max(wait - (time.perf_counter() - started), 1.0)
                if requests.get(url, timeout=left).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):
                pass
            if process.poll() is not None or time.perf_counter() - started > wait:
                raise RuntimeError(f"lod serve did not answer within {wait:,.0f} s")
            sample_rss()
            time.sleep(0.02)
        result.started = time.perf_counter() - started
        answer = requests.get(url + "sparql", params={"query": "ASK {}"},
                              timeout=max(wait - (time.perf_counter() - started), 1.0),
                              headers={"Accept": "application/sparql-results+json"})
        result.sparql_ready = time.perf_counter() - started
        if answer.status_code != 200:
            result.failures.append(f"ASK: {answer.status_code}")
        requests_to_time = {
            "document page (HTML)": lambda: requests.get(f"{url}doc/document/{key}", timeout=wait,
                                                         headers={"Accept": "text/html"}),
            "entity page (HTML)": lambda: requests.get(url + entity, timeout=wait, headers={"Accept": "text/html"}),
            **{name: (lambda query=query: requests.post(
                url + "sparql", data={"query": query.replace("{document}", document)}, timeout=wait,
                headers={"Accept": "application/sparql-results+json, text/turtle;q=0.9"}))
               for name, query in QUERIES.items()},
        }
        for name, call in requests_to_time.items():
            times = []
            for _ in range(REPEATS):
                begin = time.perf_counter()
                answer = call()
                times.append(time.perf_counter() - begin)
                sample_rss()
                if answer.status_code != 200:
                    result.failures.append(f"{name}: {answer.status_code} {answer.text[:200]!r}")
                    break
            result.latencies[name] = (times[0], statistics.median(times[1:]) if len(times) > 1 else times[0])
        result.rss = sample_rss()
    except (requests.RequestException, RuntimeError) as error:  # the figures so far, and why it stopped
        result.failures.append(f"{type(error).__name__}: {error}"[:300])
        result.rss = sample_rss()
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        except ProcessLookupError:  # it had ended already
            process.wait()
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return result


def store_update_alone(before: Path, after: Path, target: Path) -> tuple[float, int]:
    """Seconds the store product takes to update ``before``'s store to ``after``'s documents
    (an export without the store, made from a copy of ``before``), and the changes it got.

    Unchanged documents come without their N-Triples: an update never reads them."""
    import pyoxigraph as ox

    from lod.publish import store as product
    from lod.publish.products import Context, Published

    old_journal = (before / "journal.jsonl").read_text(encoding="utf-8").splitlines()
    new_journal = (after / "journal.jsonl").read_text(encoding="utf-8").splitlines()
    changes = {entry["key"]: entry["type"] for entry in map(json.loads, new_journal[len(old_journal):])}
    keys = json.loads((after / "state.json").read_text(encoding="utf-8"))["documents"]
    base = json.loads((after / "manifest.json").read_text(encoding="utf-8"))["base"]
    nts = {key: ox.serialize(ox.parse(path=after / DOCUMENTS / document_file(key, ".ttl"),
                                      format=ox.RdfFormat.TURTLE), format=ox.RdfFormat.N_TRIPLES)
           for key, kind in changes.items() if kind != "Delete"}
    target.mkdir(parents=True)
    started = time.perf_counter()
    writer = product.PRODUCT.writer(target, Context((before / ".lod" / "current").resolve(), base))
    for key in sorted(set(keys) | set(changes)):
        if changes.get(key) == "Delete":
            writer.delete(key)
        else:
            writer.add(Published(key, "", nts.get(key, b""), 0, {}, changes.get(key)))
    writer.close()
    return time.perf_counter() - started, len(changes)


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def ms(seconds: float | None) -> str:
    if seconds is None:
        return "no answer"
    return f"{seconds * 1000:,.0f}" if seconds < 10 else f"{seconds:,.1f} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=100_000, metavar="N", help="records (default 100,000)")
    parser.add_argument("--baseline", default=BASELINE, metavar="REV",
                        help=f"the design to compare with (default {BASELINE}); 'none' skips it")
    parser.add_argument("--keep", metavar="DIR", help="keep inputs and outputs in DIR (default: a temporary folder)")
    parser.add_argument("--store-only", action="store_true",
                        help="skip the exports without the store (the store's share of an export's time); "
                             "the store's update is timed from the re-export with it")
    parser.add_argument("--wait", type=float, default=3600.0, metavar="S",
                        help="longest wait for the first answers (the baseline builds its store first); "
                             "a server that does not answer in time is reported so")
    args = parser.parse_args(argv)

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="lod-serve-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    lines = [machine(os.getloadavg()[0]), ""]
    worktree = None
    try:
        progress(f"generating {args.docs:,} records ...")
        inputs = work / "in"
        shutil.rmtree(inputs, ignore_errors=True)
        synthetic.generate(args.docs, inputs)
        out, plain = work / "out", work / "out-without-store"
        for folder in (out, plain):
            shutil.rmtree(folder, ignore_errors=True)
        progress("lod export (default outputs, the store included) ...")
        full = measure("export", lod("export", str(inputs), "--out", str(out)), ROOT, args.docs)
        bare = None
        if not args.store_only:
            progress(f"lod export --formats {WITHOUT_STORE} ...")
            bare = measure("export without store", lod("export", str(inputs), "--out", str(plain),
                                                        "--formats", WITHOUT_STORE), ROOT, args.docs)
        for run in filter(None, (full, bare)):
            if run.returncode != 0:
                raise RuntimeError(f"{run.label} failed: {run.stderr[-2000:]}")
        store_bytes = du((out / STORE).resolve())
        dumps_bytes = du((out / "dumps").resolve())
        quads = sum(f["triples"] for f in json.loads((out / "manifest.json").read_text())["files"])
        key, document, entity = sample_iris(out)

        progress("lod serve (the store the export wrote) ...")
        runs = [serve_and_measure("store written by the export", out, ROOT, env, key, document, entity,
                                  args.wait)]
        if args.baseline != "none":
            worktree = Path(tempfile.mkdtemp(prefix="lod-baseline-")) / "lod"
            subprocess.run(["git", "worktree", "add", "--detach", str(worktree), args.baseline], cwd=ROOT,
                           check=True, capture_output=True)
            view = work / "out-flat"
            shutil.rmtree(view, ignore_errors=True)
            flat_view(out, view)
            progress(f"lod serve at {args.baseline} (builds its store from the dumps) ...")
            old_env = {**os.environ, "PYTHONPATH": str(worktree)}
            runs.append(serve_and_measure(f"store built at start ({args.baseline})", view, worktree, old_env,
                                          key, document, entity, args.wait))

        progress("re-exports with 1 % of the records edited ...")
        edited = edit_one_percent(inputs)
        again = {}
        reexports = (("with store", out, []), ("without store", plain, ["--formats", WITHOUT_STORE]))
        for label, source, extra in reexports[:1 if args.store_only else 2]:
            copy = work / f"again-{label.replace(' ', '-')}"
            shutil.rmtree(copy, ignore_errors=True)
            subprocess.run(["cp", "-al", str(source), str(copy)], check=True)
            again[label] = measure(label, lod("export", str(inputs), "--out", str(copy), *extra), ROOT, args.docs)
            if again[label].returncode != 0:
                raise RuntimeError(f"re-export {label} failed: {again[label].stderr[-2000:]}")
        progress("the store's update alone ...")
        shutil.rmtree(work / "store-update", ignore_errors=True)
        update, changed = store_update_alone(out, work / ("again-with-store" if args.store_only else
                                                          "again-without-store"), work / "store-update")
    finally:
        if worktree is not None:
            subprocess.run(["git", "worktree", "remove", "--force", str(worktree)], cwd=ROOT, capture_output=True)
            shutil.rmtree(worktree.parent, ignore_errors=True)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    lines += [f"`python benchmarks/serve_scale.py --docs {args.docs}{' --store-only' * args.store_only}`: "
              f"{args.docs:,} synthetic documents, "
              f"{quads:,} triples in the dumps (N-Triples and N-Quads).", ""]
    lines += ["| export | wall s | CPU s | peak RSS MB |", "|---|---:|---:|---:|"]
    lines += [f"| `lod export` (the store included) | {full.wall:,.1f} | {full.cpu:,.1f} | {full.peak_rss / MB:,.0f} |"]
    if bare is not None:
        lines += [f"| `lod export --formats {WITHOUT_STORE}` | {bare.wall:,.1f} | {bare.cpu:,.1f} | "
                  f"{bare.peak_rss / MB:,.0f} |"]
    lines += [f"| re-export, {edited:,} records edited (1 %), {label} | {run.wall:,.1f} | {run.cpu:,.1f} | "
              f"{run.peak_rss / MB:,.0f} |" for label, run in again.items()] + [""]
    share = (f"{full.wall - bare.wall:,.1f} s of the full export's wall time ({full.cpu - bare.cpu:,.1f} s CPU). "
             if bare is not None else "")
    lines += [f"The store: {store_bytes / MB:,.0f} MB on disk (the gzip dumps: {dumps_bytes / MB:,.0f} MB); "
              f"{share}"
              f"Its update for the re-export ({changed:,} documents changed), the store product alone: "
              f"**{update:,.1f} s, {update / full.wall:.1%} of the full export's {full.wall:,.1f} s**.", ""]
    header = "| `lod serve` | " + " | ".join(run.label for run in runs) + (" | ratio |" if len(runs) == 2 else " |")
    lines += [header, "|---|" + "---:|" * (len(runs) + (len(runs) == 2))]

    def row(name: str, values: list[float | None], fmt) -> str:
        ratio = (f" {values[1] / values[0]:,.1f}× |" if len(values) == 2 and values[0] and values[1] is not None
                 else (" |" if len(values) == 2 else ""))
        return f"| {name} | " + " | ".join(fmt(v) for v in values) + " |" + ratio

    lines.append(row("first request answered (home page), ms", [r.started for r in runs], ms))
    lines.append(row("first SPARQL answer (`ASK {}`), ms", [r.sparql_ready for r in runs], ms))
    for name in runs[0].latencies:
        lines.append(row(f"{name}: first, ms", [r.latencies.get(name, (None, None))[0] for r in runs], ms))
        lines.append(row(f"{name}: median of the next {REPEATS - 1}, ms",
                         [r.latencies.get(name, (None, None))[1] for r in runs], ms))
    lines.append(row("RSS, server + SPARQL workers, at the end, MB", [r.rss / MB for r in runs],
                     lambda v: f"{v:,.0f}"))
    lines.append(row("RSS, peak while measured, MB", [r.peak_rss / MB for r in runs], lambda v: f"{v:,.0f}"))
    for run in runs:
        for failure in run.failures:
            lines.append(f"\n{run.label}: {failure}")
    print("\n".join(lines))
    return 0 if not runs[0].failures else 1  # the baseline may fail to answer in time: that is its figure


if __name__ == "__main__":
    raise SystemExit(main())
