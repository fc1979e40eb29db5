"""Bounded load test of ``lod serve`` on loopback: a document GET in each format, or searches.

Exports the bundled sample into a temporary folder, starts ``lod serve`` (uvicorn)
in a separate process on a free loopback port, then, for each format, sends N
requests for the seed document's description (content negotiation on
``/doc/document/<key>`` with the format's ``Accept``) keeping C requests in flight,
each on its own keep-alive connection. Each answer must be a 200 with the expected
media type and the same bytes as the first one; anything else counts as an error.
Prints requests/s, p50 / p99 latency and the error count per format; exits 1 on any
error.

    python benchmarks/serve_load.py [--requests 2000] [--concurrency 16] [--client raw|httpx] [--json]

``--search DOCS`` measures searches instead, on ``DOCS`` synthetic records
(``benchmarks/synthetic.py``) exported with the export's defaults: once the server has
read its search index and built its SPARQL store (so neither competes for the CPU), a
mix of searches a historian types (:func:`search_paths`: names with and without their
diacritics, places, subject words, phrases, common words, a name narrowed by a facet,
second pages; each ``/search?q=...`` distinct) as HTML and as JSON, and, as the baseline
in the same run, a plain document GET (its HTML page), each at every concurrency of
``--search-concurrency`` (1 and 4: one reader, a few at once). Prints p50 / p99 and the
ratio of each p99 to the baseline's.

    python benchmarks/serve_load.py --search 10000 [--requests 500] [--search-concurrency 1,4]

Clients: ``raw`` (default) is a minimal asyncio HTTP/1.1 keep-alive client, so the
figures measure the server rather than the client; ``httpx`` uses
``httpx.AsyncClient``. Either way the client shares the machine with the server,
so the figures are a lower bound of what the server does with a client like ``wrk``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "seed-record.txt"
FORMATS = [
    ("turtle", "text/turtle"),
    ("jsonld", "application/ld+json"),
    ("ntriples", "application/n-triples"),
    ("rdfxml", "application/rdf+xml"),
    ("html", "text/html"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(folder: Path, port: int) -> subprocess.Popen:
    code = ("import sys; from lod.serve import serve; from lod.serve.options import ServerOptions; "
            "serve(sys.argv[1], '127.0.0.1', int(sys.argv[2]), "
            "server=ServerOptions(log_level='warning', access_log=False))")
    process = subprocess.Popen([sys.executable, "-c", code, str(folder), str(port)], cwd=ROOT,
                               env={**os.environ, "PYTHONPATH": str(ROOT)})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with status {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit("server did not start within 60 s")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


class RawConnection:
    """One keep-alive HTTP/1.1 connection: GET, read status, headers, Content-Length body."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def get(self, path: str, accept: str) -> tuple[int, str, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                          f"Accept: {accept}\r\nUser-Agent: lod-serve-load\r\n\r\n".encode())
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        body = await self.reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, headers.get("content-type", ""), body

    async def close(self):
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass
        self.reader = self.writer = None


class HttpxConnection:
    def __init__(self, client, base: str):
        self.client, self.base = client, base

    async def get(self, path: str, accept: str) -> tuple[int, str, bytes]:
        response = await self.client.get(self.base + path.lstrip("/"), headers={"Accept": accept})
        return response.status_code, response.headers.get("content-type", ""), response.content

    async def close(self):
        pass


async def run_format(connections: list, path: str, media_type: str, total: int) -> dict:
    status, _, expected = await connections[0].get(path, media_type)
    latencies: list[float] = []
    errors: list[str] = []
    if status != 200:
        errors.append(f"warm-up: HTTP {status}")
    counter = iter(range(total))

    async def worker(connection):
        for _ in counter:
            started = time.perf_counter()
            try:
                status, content_type, body = await connection.get(path, media_type)
            except Exception as error:  # noqa: BLE001 - every failure is an error to report
                errors.append(f"{type(error).__name__}: {error}")
                await connection.close()
                continue
            latencies.append(time.perf_counter() - started)
            kind = content_type.split(";")[0]
            if status != 200 or kind != media_type or body != expected:
                errors.append(f"HTTP {status} {kind} {len(body)} bytes")

    started = time.perf_counter()
    await asyncio.gather(*(worker(connection) for connection in connections))
    elapsed = time.perf_counter() - started
    return {
        "requests": total, "concurrency": len(connections), "seconds": round(elapsed, 3),
        "requests_per_second": round(total / elapsed, 1),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 2),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
        "bytes": len(expected or b""), "errors": len(errors), "error_samples": errors[:3],
    }


async def measure(connections: list, path: str, total: int) -> dict[str, dict]:
    # Warm-up round (not measured): caches filled, connections open, background start-up
    # work of the server (the SPARQL endpoint's store) out of the way.
    for _, media_type in FORMATS:
        await run_format(connections, path, media_type, max(len(connections), total // 10))
    return {name: await run_format(connections, path, media_type, total) for name, media_type in FORMATS}


async def load(base: str, port: int, key: str, total: int, concurrency: int, client: str) -> dict[str, dict]:
    path = f"/doc/document/{key}"
    if client == "httpx":
        import httpx

        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(limits=limits, timeout=30) as shared:
            return await measure([HttpxConnection(shared, base) for _ in range(concurrency)], path, total)
    connections = [RawConnection("127.0.0.1", port) for _ in range(concurrency)]
    try:
        return await measure(connections, path, total)
    finally:
        for connection in connections:
            await connection.close()


# -- searches -----------------------------------------------------------------------------------------

#: Words of the synthetic text, from common to rare (benchmarks/synthetic.py's clauses and subjects).
WORDS = ("delegation", "committee", "soviet", "treaty", "border", "shipment of grain", "ratified", "impasse",
         "parliaments", "first secretary")


def search_paths(base_json, total: int) -> list[str]:
    """The searches of the load, from the export's own facet values (``base_json(path)`` answers JSON)."""
    import unicodedata
    from urllib.parse import urlencode

    def fold(text: str) -> str:
        return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))

    people = [v["label"] for v in base_json("/search/person")["values"][:40]]
    places = [v["label"] for v in base_json("/search/place")["values"][:20]]
    subjects = [v["label"] for v in base_json("/search/subject")["values"][:20]]
    place_values = [v["value"] for v in base_json("/search/place")["values"][:5]]
    queries: list[list[tuple[str, str]]] = []
    for index, name in enumerate(people):
        queries.append([("q", name)])
        queries.append([("q", fold(name).split()[-1])])  # a surname, as typed without its diacritics
        queries.append([("q", name), ("place", place_values[index % len(place_values)])])
    queries += [[("q", place)] for place in places]
    queries += [[("q", subject.split("--")[-1])] for subject in subjects]
    queries += [[("q", f'"{word}"' if " " in word else word)] for word in WORDS]
    queries += [[("q", word), ("page", "2")] for word in WORDS]
    paths = [f"/search?{urlencode(query)}" for query in queries]
    return [paths[i % len(paths)] for i in range(total)]


async def run_paths(connections: list, paths: list[str], media_type: str) -> dict:
    """Each path once, ``len(connections)`` in flight: latencies of 200 answers of ``media_type``."""
    latencies: list[float] = []
    errors: list[str] = []
    queue = iter(paths)

    async def worker(connection):
        for path in queue:
            started = time.perf_counter()
            try:
                status, content_type, body = await connection.get(path, media_type)
            except Exception as error:  # noqa: BLE001 - every failure is an error to report
                errors.append(f"{type(error).__name__}: {error}")
                await connection.close()
                continue
            latencies.append(time.perf_counter() - started)
            if status != 200 or content_type.split(";")[0] != media_type:
                errors.append(f"{path}: HTTP {status} {content_type}")

    started = time.perf_counter()
    await asyncio.gather(*(worker(connection) for connection in connections))
    elapsed = time.perf_counter() - started
    return {"requests": len(paths), "concurrency": len(connections),
            "requests_per_second": round(len(paths) / elapsed, 1),
            "p50_ms": round(percentile(latencies, 0.50) * 1000, 2),
            "p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
            "max_ms": round(max(latencies, default=float("nan")) * 1000, 2),
            "errors": len(errors), "error_samples": errors[:3]}


async def search_load(port: int, key: str, total: int, concurrencies: list[int]) -> dict[str, dict]:
    host = "127.0.0.1"
    probe = RawConnection(host, port)
    try:
        async def base_json(path: str) -> dict:
            status, _, body = await probe.get(path, "application/json")
            if status != 200:
                raise SystemExit(f"{path}: HTTP {status}")
            return json.loads(body)

        answers = {path: await base_json(path) for path in ("/search/person", "/search/place", "/search/subject")}
        paths = search_paths(answers.__getitem__, total)
        status, _, _ = await probe.get("/sparql?query=ASK%20%7B%7D", "application/sparql-results+json")
        if status != 200:  # waits for the SPARQL store, built in the background at start
            raise SystemExit(f"the SPARQL store did not answer: HTTP {status}")
    finally:
        await probe.close()
    results = {}
    document = [f"/doc/document/{key}.html"] * total
    for concurrency in concurrencies:
        connections = [RawConnection(host, port) for _ in range(concurrency)]
        try:
            await run_paths(connections, paths[: max(concurrency, total // 10)], "text/html")  # warm-up
            results[f"document GET (HTML), c={concurrency}"] = await run_paths(connections, document, "text/html")
            results[f"search (HTML), c={concurrency}"] = await run_paths(connections, paths, "text/html")
            results[f"search (JSON), c={concurrency}"] = await run_paths(connections, paths, "application/json")
        finally:
            for connection in connections:
                await connection.close()
    return results


def search_benchmark(docs: int, total: int, concurrencies: list[int], as_json: bool) -> int:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import synthetic

    with tempfile.TemporaryDirectory(prefix="lod-search-load-") as scratch:
        port = free_port()
        base = f"http://127.0.0.1:{port}/"
        folder = Path(scratch) / "export"
        inputs = synthetic.generate(docs, Path(scratch) / "input")
        started = time.perf_counter()
        export = subprocess.run([sys.executable, "-m", "lod", "export", "--out", str(folder), "--base", base,
                                 *map(str, inputs)], cwd=ROOT, capture_output=True, text=True)
        exported = time.perf_counter() - started
        if export.returncode not in (0, 1):
            print(export.stdout + export.stderr, file=sys.stderr)
            return 2
        index = (folder / "search.sqlite").resolve().stat().st_size
        key = sorted(json.loads((folder / "state.json").read_text(encoding="utf-8"))["documents"])[0]
        server = start_server(folder, port)
        try:
            results = asyncio.run(search_load(port, key, total, concurrencies))
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
    errors = sum(r["errors"] for r in results.values())
    if as_json:
        print(json.dumps({"documents": docs, "export_seconds": round(exported, 1), "index_bytes": index,
                          "results": results}, indent=2))
        return 1 if errors else 0
    print(f"lod serve search load: {docs:,} synthetic documents (export {exported:.0f} s, search index "
          f"{index / 1e6:.0f} MB), {total} requests each, raw client, loopback, Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs")
    print(f"{'load':<32}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'p99 / GET':>11}{'errors':>8}")
    for name, r in results.items():
        baseline = results[f"document GET (HTML), c={r['concurrency']}"]["p99_ms"]
        print(f"{name:<32}{r['requests_per_second']:>9.1f}{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}"
              f"{r['max_ms']:>9.2f}"
              f"{r['p99_ms'] / baseline:>10.1f}x{r['errors']:>8}")
        for sample in r["error_samples"]:
            print(f"    {sample}")
    return 1 if errors else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", "-n", type=int, default=2000, help="requests per format (2000)")
    parser.add_argument("--concurrency", "-c", type=int, default=16, help="requests in flight (16)")
    parser.add_argument("--client", choices=("raw", "httpx"), default="raw",
                        help="raw asyncio HTTP/1.1 client (default) or httpx.AsyncClient")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--search", type=int, metavar="DOCS",
                        help="measure searches on DOCS synthetic documents instead (a document GET the baseline)")
    parser.add_argument("--search-concurrency", default="1,4", help="requests in flight for --search (1,4)")
    args = parser.parse_args(argv)
    if args.requests < 1 or args.concurrency < 1:
        parser.error("--requests and --concurrency must be positive")
    if args.search is not None:
        concurrencies = [int(c) for c in args.search_concurrency.split(",") if c.strip().isdigit() and int(c) > 0]
        if args.search < 1 or not concurrencies:
            parser.error("--search needs a number of documents and --search-concurrency positive numbers")
        return search_benchmark(args.search, args.requests, concurrencies, args.json)

    with tempfile.TemporaryDirectory(prefix="lod-serve-load-") as scratch:
        port = free_port()
        base = f"http://127.0.0.1:{port}/"
        folder = Path(scratch) / "export"
        export = subprocess.run([sys.executable, "-m", "lod", "export", "--out", str(folder), "--base", base,
                                 str(SAMPLE)], cwd=ROOT, capture_output=True, text=True)
        if export.returncode != 0:
            print(export.stdout + export.stderr, file=sys.stderr)
            return 2
        key = sorted(json.loads((folder / "state.json").read_text(encoding="utf-8"))["documents"])[0]
        server = start_server(folder, port)
        try:
            results = asyncio.run(load(base, port, key, args.requests, args.concurrency, args.client))
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()

    errors = sum(r["errors"] for r in results.values())
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"lod serve load test: GET /doc/document/<seed> by Accept, {args.requests} requests per "
              f"format, concurrency {args.concurrency}, {args.client} client, loopback, "
              f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
        print(f"{'format':<10}{'bytes':>8}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
        for name, r in results.items():
            print(f"{name:<10}{r['bytes']:>8}{r['requests_per_second']:>10.1f}{r['p50_ms']:>9.2f}"
                  f"{r['p99_ms']:>9.2f}{r['errors']:>8}")
            for sample in r["error_samples"]:
                print(f"    {sample}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
