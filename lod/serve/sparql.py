"""The SPARQL 1.1 endpoint at ``/sparql``: read-only queries on an embedded pyoxigraph store.

Protocol (SPARQL 1.1 Protocol, query operation only):

* ``GET /sparql?query=...``, ``POST`` with ``application/x-www-form-urlencoded``
  (``query=...``) or ``application/sparql-query`` (the query as the body);
  ``default-graph-uri`` / ``named-graph-uri`` set the RDF dataset (they override
  ``FROM`` / ``FROM NAMED``). Without them the default graph is the union of all
  named graphs (one per document), so plain triple patterns see the whole dataset.
* Results by content negotiation (``Accept``, q-values), or by a ``format``
  parameter (``json``, ``xml``, ``csv``, ``tsv``, ``turtle``, ``ntriples``,
  ``rdfxml``, ``jsonld`` or a media type): SELECT / ASK as
  ``application/sparql-results+json``, ``application/sparql-results+xml``,
  ``text/csv``, ``text/tab-separated-values``; CONSTRUCT / DESCRIBE as Turtle,
  N-Triples, RDF/XML or JSON-LD. Nothing acceptable: ``406`` listing the offered types.
* Read-only: an ``update`` parameter, an ``application/sparql-update`` body, or query
  text whose operation is an update (``INSERT``, ``DELETE``, ``LOAD`` ...) get
  ``403``. The store is opened read-only and only ever queried, never updated.
* Federated queries (``SERVICE``) are refused with ``400``: pyoxigraph would
  otherwise make HTTP requests on the client's behalf (SSRF). As a second line of
  defence the query workers run in an empty network namespace where Linux allows it.
* A malformed query gets ``400`` with the parser's message.
* ``GET /sparql`` without a query: a minimal HTML query form for browsers, else the
  SPARQL service description (RDF, by content negotiation).

Limits (all configurable, see :class:`SparqlEndpoint`):

* **Timeout** (default 10 s): pyoxigraph queries cannot be interrupted from Python,
  so every query runs in a separate worker *process* (a small pool of long-lived
  workers, each opening the store read-only). At the deadline the worker is killed
  and replaced, and the client gets ``503`` ``query timed out after N s``. Waiting for
  a free worker counts towards the deadline. The server's event loop never runs a
  query, so it keeps answering other requests meanwhile.
* **Memory** (default 2048 MiB address space per worker): a query that needs more (an
  ``ORDER BY`` over a huge cartesian product fills gigabytes within a second) kills
  its worker, which is replaced; the client gets ``503`` ``query stopped: it needs
  more memory than allowed``.
* **Result size** (default 10,000 rows for SELECT, triples for CONSTRUCT/DESCRIBE):
  the worker stops reading results at the limit and the client gets the truncated
  result with ``200`` and the headers ``X-Result-Truncated: true`` and
  ``X-Result-Limit: N`` (chosen over ``413``: a client still gets the first N
  answers, and a ``LIMIT`` / ``OFFSET`` is all it needs to page through the rest).

The store: in the background when the endpoint is created (or at first use) the export's N-Quads dumps
(``manifest.json`` entries of media type ``application/n-quads``, else
``DIR/dumps/*.nq[.gz]``, else ``DIR/documents/*.ttl`` each in its document's graph)
are bulk-loaded into an on-disk store in a temporary folder; when the export changes
(:meth:`Export.generation`), a new store is built and swapped in. The store holds
exactly the document graphs the dumps hold (not ``void.ttl``, served at ``/void``),
so a count of distinct triples equals the VoID ``void:triples`` figure.
"""

from __future__ import annotations

import atexit
import gzip
import html
import io
import json
import os
import pickle
import queue
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from pathlib import Path
from urllib.parse import parse_qsl
from xml.etree import ElementTree as ET

from lod.orphans import die_with_parent

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_RESULTS = 10_000
DEFAULT_WORKERS = 2
#: Address-space limit of each query worker, in MiB (0: none). Sorting or grouping a huge
#: intermediate result would otherwise take all the machine's memory within seconds.
DEFAULT_MEMORY_LIMIT = 2048
#: Largest accepted query (characters in the query text / bytes in a POST body).
MAX_QUERY_BYTES = 256 * 1024

SPARQL_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

# -- formats ------------------------------------------------------------------------------------

#: Media type -> results format, for SELECT and ASK, in server preference order.
RESULT_TYPES = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
}
#: Media type -> RDF format name (pyoxigraph ``RdfFormat`` attribute), for CONSTRUCT/DESCRIBE.
GRAPH_TYPES = {
    "text/turtle": "TURTLE",
    "application/n-triples": "N_TRIPLES",
    "application/rdf+xml": "RDF_XML",
    "application/ld+json": "JSON_LD",
    "application/x-turtle": "TURTLE",
    "application/turtle": "TURTLE",
    "text/plain": "N_TRIPLES",
    "application/json": "JSON_LD",
    "application/xml": "RDF_XML",
}
#: ``format=`` shortcuts.
FORMAT_NAMES = {
    "json": ("application/sparql-results+json", "application/ld+json"),
    "xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "csv": ("text/csv", None),
    "tsv": ("text/tab-separated-values", None),
    "turtle": (None, "text/turtle"),
    "ttl": (None, "text/turtle"),
    "ntriples": (None, "application/n-triples"),
    "nt": (None, "application/n-triples"),
    "rdfxml": (None, "application/rdf+xml"),
    "jsonld": (None, "application/ld+json"),
    "json-ld": (None, "application/ld+json"),
    "rdf+xml": (None, "application/rdf+xml"),
}
_CHARSET_TYPES = {"text/csv", "text/tab-separated-values", "text/turtle", "text/plain",
                  "application/n-triples", "text/xml", "application/xml", "text/html"}


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """``Accept`` as ``[(media range, q)]``; a missing or empty header accepts anything."""
    if not header or not header.strip():
        return [("*/*", 1.0)]
    ranges = []
    for part in header.split(",")[:64]:
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media or "/" not in media:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append((media, q))
    return ranges


def _quality(media: str, ranges: list[tuple[str, float]]) -> float:
    """The q of the most specific range matching ``media`` (0 when none does)."""
    kind = media.split("/")[0]
    best, specificity = 0.0, -1
    for pattern, q in ranges:
        if pattern == media:
            level = 2
        elif pattern == f"{kind}/*":
            level = 1
        elif pattern == "*/*":
            level = 0
        else:
            continue
        if level > specificity:
            best, specificity = q, level
    return best


def negotiate(offered, ranges: list[tuple[str, float]]) -> str | None:
    """The offered media type the client prefers (ties: server order), or None."""
    best, best_q = None, 0.0
    for media in offered:
        q = _quality(media, ranges)
        if q > best_q:
            best, best_q = media, q
    return best


# -- query text checks (no parsing: pyoxigraph does that in the worker) ---------------------------

_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_TOKEN = re.compile(r'''
      (?P<ws>\s+)
    | (?P<comment>\#[^\n\r]*)
    | (?P<string>"""(?:(?:"|"")?(?:[^"\\]|\\.))*"""
                |\'\'\'(?:(?:\'|\'\')?(?:[^'\\]|\\.))*\'\'\'
                |"(?:[^"\\\n\r]|\\.)*"
                |'(?:[^'\\\n\r]|\\.)*')
    | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
    | (?P<var>[?$][^\s(){}\[\],;.<>=!|&+*/^"'\\\#]*)
    | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    | (?P<pname>[^\s(){}\[\],;<>=!|&+*/^"'\#?$@\\]*:(?:\\\S|[^\s(){}\[\],;<>=!|&+*/^"'\#\\])*)
    | (?P<word>[A-Za-z_][A-Za-z0-9_-]*)
    | (?P<other>.)
''', re.X | re.S)
UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD",
                   "WITH"}


def _unescape_codepoints(text: str) -> str:
    def replace(match):
        try:
            return chr(int(match.group(1) or match.group(2), 16))
        except (ValueError, OverflowError):
            return match.group(0)
    return _CODEPOINT.sub(replace, text)


def _words(text: str) -> tuple[list[str], set[str]]:
    """Bare words outside strings, IRIs, comments, variables and prefixed names (upper-cased),
    and the words inside comments."""
    words, in_comments = [], set()
    for match in _TOKEN.finditer(text):
        if match.lastgroup == "word":
            words.append(match.group().upper())
        elif match.lastgroup == "comment":
            in_comments.update(w.upper() for w in re.findall(r"[A-Za-z_]+", match.group()))
    return words, in_comments


def check_query(text: str) -> tuple[int, str] | None:
    """``(status, message)`` when the query must be refused before it runs.

    A light tokenizer, not a parser (pyoxigraph parses in the worker). To stay on the
    safe side of any difference with the real parser it reads the text both as is and
    with ``\\u`` escapes decoded (SPARQL 1.1 §19.2 decodes them everywhere, oxigraph
    only in strings and IRIs), and it also refuses ``SERVICE`` inside comments.
    """
    views = [text]
    unescaped = _unescape_codepoints(text)
    if unescaped != text:
        views.append(unescaped)
    for view in views:
        words, in_comments = _words(view)
        operation = next((w for w in words if w not in ("PREFIX", "BASE")), None)
        if operation in UPDATE_KEYWORDS:
            return 403, ("this SPARQL endpoint is read-only: SPARQL Update "
                         f"({operation} ...) is not accepted")
        if "SERVICE" in words or "SERVICE" in in_comments:
            return 400, "federated queries (SERVICE) are not allowed on this endpoint"
    return None


# -- result serializers (run in the worker) -----------------------------------------------------

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml_text(text: str) -> str:
    """Characters XML 1.0 cannot carry, replaced by U+FFFD (the document stays well-formed)."""
    return _XML_INVALID.sub("\ufffd", text)


def _term_json(term) -> dict:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
            direction = getattr(term, "direction", None)
            if direction is not None:
                out["its:dir"] = str(getattr(direction, "value", direction)).lower()
        elif term.datatype.value != _XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": _term_json(term.subject),
                                            "predicate": _term_json(term.predicate),
                                            "object": _term_json(term.object)}}
    return {"type": "literal", "value": str(term)}


def _term_xml(parent: ET.Element, term) -> None:
    import pyoxigraph as ox

    ns = f"{{{SPARQL_RESULTS_NS}}}"
    if isinstance(term, ox.NamedNode):
        ET.SubElement(parent, ns + "uri").text = _xml_text(term.value)
    elif isinstance(term, ox.BlankNode):
        ET.SubElement(parent, ns + "bnode").text = _xml_text(term.value)
    elif isinstance(term, ox.Literal):
        element = ET.SubElement(parent, ns + "literal")
        if term.language:
            element.set("{http://www.w3.org/XML/1998/namespace}lang", term.language)
        elif term.datatype.value != _XSD_STRING:
            element.set("datatype", term.datatype.value)
        element.text = _xml_text(term.value)
    elif isinstance(term, ox.Triple):
        triple = ET.SubElement(parent, ns + "triple")
        for name in ("subject", "predicate", "object"):
            _term_xml(ET.SubElement(triple, ns + name), getattr(term, name))
    else:
        ET.SubElement(parent, ns + "literal").text = _xml_text(str(term))


def _term_csv(term) -> str:
    import pyoxigraph as ox

    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return term.value
    return str(term)


def serialize_solutions(fmt: str, variables: list[str], rows: list[list]) -> bytes:
    """SELECT results (``rows``: terms or None, in ``variables`` order) in one results format."""
    if fmt == "json":
        bindings = [{v: _term_json(t) for v, t in zip(variables, row) if t is not None}
                    for row in rows]
        return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}},
                          ensure_ascii=False).encode("utf-8")
    if fmt == "xml":
        ET.register_namespace("", SPARQL_RESULTS_NS)
        ns = f"{{{SPARQL_RESULTS_NS}}}"
        root = ET.Element(ns + "sparql")
        head = ET.SubElement(root, ns + "head")
        for v in variables:
            ET.SubElement(head, ns + "variable", name=v)
        results = ET.SubElement(root, ns + "results")
        for row in rows:
            result = ET.SubElement(results, ns + "result")
            for v, t in zip(variables, row):
                if t is not None:
                    _term_xml(ET.SubElement(result, ns + "binding", name=v), t)
        return ET.tostring(root, encoding="utf-8", xml_declaration=True)
    if fmt == "csv":
        import csv

        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(variables)
        for row in rows:
            writer.writerow(["" if t is None else _term_csv(t) for t in row])
        return buffer.getvalue().encode("utf-8")
    if fmt == "tsv":
        lines = ["\t".join(f"?{v}" for v in variables)]
        # str() of a pyoxigraph term is its N-Triples form: tabs and newlines are escaped.
        lines += ["\t".join("" if t is None else str(t) for t in row) for row in rows]
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise ValueError(fmt)


def serialize_boolean(fmt: str, value: bool) -> bytes:
    text = "true" if value else "false"
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}).encode("utf-8")
    if fmt == "xml":
        ET.register_namespace("", SPARQL_RESULTS_NS)
        ns = f"{{{SPARQL_RESULTS_NS}}}"
        root = ET.Element(ns + "sparql")
        ET.SubElement(root, ns + "head")
        ET.SubElement(root, ns + "boolean").text = text
        return ET.tostring(root, encoding="utf-8", xml_declaration=True)
    if fmt == "csv":
        return f"_askResult\r\n{text}\r\n".encode()
    if fmt == "tsv":
        return f"?_askResult\n{text}\n".encode()
    raise ValueError(fmt)


def _prefixes() -> dict[str, str]:
    try:
        from lod.vocab import PREFIXES
        return dict(PREFIXES)
    except Exception:  # pragma: no cover - the vocabulary module is part of lod
        return {}


def serialize_triples(media: str, triples: list) -> bytes:
    import pyoxigraph as ox

    fmt = getattr(ox.RdfFormat, GRAPH_TYPES[media])
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML):
        return ox.serialize(triples, format=fmt, prefixes=_prefixes()) or b""
    return ox.serialize(triples, format=fmt) or b""


# -- the worker process ------------------------------------------------------------------------

def _send(stream, obj) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(struct.pack("!Q", len(data)) + data)
    stream.flush()


def _recv(stream):
    header = stream.read(8)
    if len(header) < 8:
        raise EOFError
    (size,) = struct.unpack("!Q", header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)


def _isolate_network() -> bool:
    """Linux: move this process into an empty network namespace (no interface up), so
    that nothing in a query can reach the network — defence in depth behind the SERVICE
    check. Needs CAP_SYS_ADMIN or unprivileged user namespaces; best effort."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        clone_newnet, clone_newuser = 0x40000000, 0x10000000
        return libc.unshare(clone_newnet) == 0 or libc.unshare(clone_newuser | clone_newnet) == 0
    except Exception:
        return False


def worker_main(read_fd: int, write_fd: int, memory_mb: int = 0) -> None:
    """Entry point of a query worker: read jobs, answer each with a result tuple."""
    isolated = _isolate_network()  # first: unshare needs a single-threaded process
    if memory_mb > 0:
        import resource

        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()
    import pyoxigraph as ox  # noqa: F401  (imported before the first job)

    jobs = os.fdopen(read_fd, "rb")
    answers = os.fdopen(write_fd, "wb")
    stores: dict[str, object] = {}
    while True:
        try:
            job = _recv(jobs)
        except (EOFError, OSError):
            return
        try:
            answer = ("pong", isolated) if job.get("ping") else run_job(job, stores)
        except BaseException as error:  # noqa: BLE001 - the worker reports, never dies
            answer = ("error", 500, f"{type(error).__name__}: {error}")
        try:
            _send(answers, answer)
        except (OSError, ValueError):
            return


def run_job(job: dict, stores: dict) -> tuple:
    """Run one query (in a worker). Returns ``("ok", media, body, truncated, count)`` or
    ``("error", status, message)`` or ``("notacceptable", kind, offered)``."""
    import pyoxigraph as ox

    path = job["path"]
    store = stores.get(path)
    if store is None:
        stores.clear()  # at most one (the current) store open per worker
        store = ox.Store.read_only(path)
        stores[path] = store
    options = {}
    if job.get("default_graphs") is not None or job.get("named_graphs") is not None:
        options["default_graph"] = [ox.NamedNode(g) for g in job.get("default_graphs") or []]
        if job.get("named_graphs") is not None:
            options["named_graphs"] = [ox.NamedNode(g) for g in job["named_graphs"]]
    else:
        options["use_default_graph_as_union"] = True
    try:
        result = store.query(job["query"], base_iri=job.get("base_iri"), **options)
    except SyntaxError as error:
        return ("error", 400, f"malformed query: {error}")
    except ValueError as error:
        return ("error", 400, f"bad query: {error}")
    ranges = job["accept"]
    limit = job["limit"]

    def choose(kind: str, offered) -> str | None:
        if kind in job:  # a format parameter decided (None: not available for this form)
            return job[kind]
        return negotiate(list(offered), ranges)
    if isinstance(result, ox.QueryBoolean):
        media = choose("results_format", RESULT_TYPES)
        if media is None:
            return ("notacceptable", "ASK", list(RESULT_TYPES))
        return ("ok", media, serialize_boolean(RESULT_TYPES[media], bool(result)), False, 1)
    if isinstance(result, ox.QuerySolutions):
        media = choose("results_format", RESULT_TYPES)
        if media is None:
            return ("notacceptable", "SELECT", list(RESULT_TYPES))
        variables = [v.value for v in result.variables]
        rows, truncated = [], False
        for solution in result:
            if limit and len(rows) >= limit:
                truncated = True
                break
            rows.append([solution[i] for i in range(len(variables))])
        body = serialize_solutions(RESULT_TYPES[media], variables, rows)
        return ("ok", media, body, truncated, len(rows))
    media = choose("graph_format", GRAPH_TYPES)
    if media is None:
        return ("notacceptable", "CONSTRUCT", list(GRAPH_TYPES))
    triples, truncated = [], False
    for triple in result:
        if limit and len(triples) >= limit:
            truncated = True
            break
        triples.append(triple)
    return ("ok", media, serialize_triples(media, triples), truncated, len(triples))


class QueryTimeout(Exception):
    pass


class WorkerFailed(Exception):
    pass


class QueryTooExpensive(Exception):
    """The worker died from the memory limit (or a stack overflow) while running the query."""


class _Worker:
    """One query worker process, talking pickles over two pipes."""

    def __init__(self, memory_mb: int = 0):
        job_read, job_write = os.pipe()
        answer_read, answer_write = os.pipe()
        package_root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        env["RUST_BACKTRACE"] = "0"  # an allocation failure prints one line, not a backtrace
        code = ("import sys; from lod.serve.sparql import worker_main; "
                "worker_main(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))")
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", code, str(job_read), str(answer_write), str(memory_mb)],
                pass_fds=(job_read, answer_write), stdin=subprocess.DEVNULL, env=env,
                close_fds=True, start_new_session=True)
        finally:
            os.close(job_read)
            os.close(answer_write)
        self.jobs = os.fdopen(job_write, "wb")
        self.answers = os.fdopen(answer_read, "rb")

    def alive(self) -> bool:
        return self.process.poll() is None

    def exit_code(self, wait: float) -> int | None:
        try:
            return self.process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        try:
            self.process.kill()
        except OSError:
            pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover
            pass
        for stream in (self.jobs, self.answers):
            try:
                stream.close()
            except OSError:
                pass


class QueryPool:
    """A fixed number of worker processes; a query that overruns kills its worker.

    Waiting (for a free worker, for the answer) is asynchronous: a long query holds a
    worker process, never a server thread. One pool serves one event loop (the server's).
    """

    def __init__(self, size: int, memory_mb: int = 0):
        self.size = max(1, int(size))
        self.memory_mb = max(0, int(memory_mb or 0))
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._started = False
        self._closed = False
        self._gate: tuple | None = None  # (event loop, asyncio.Semaphore(size))

    def start(self) -> None:
        with self._lock:
            if self._started or self._closed:
                return
            self._started = True
            for _ in range(self.size):
                self._idle.put(self._add())

    def _add(self) -> _Worker:
        worker = _Worker(self.memory_mb)
        self._all.add(worker)
        return worker

    def _renew(self, worker: _Worker, keep: bool = False) -> _Worker | None:
        """Kill ``worker`` and start its replacement (returned if ``keep``, else made idle)."""
        worker.kill()
        with self._lock:
            self._all.discard(worker)
            if self._closed:
                return None
            fresh = self._add()
        if keep:
            return fresh
        self._idle.put(fresh)
        return None

    def _semaphore(self, loop):
        import asyncio

        gate = self._gate
        if gate is None or gate[0] is not loop:
            gate = (loop, asyncio.Semaphore(self.size))
            self._gate = gate
        return gate[1]

    async def run(self, job: dict, timeout: float) -> tuple:
        """Run ``job`` in a worker within ``timeout`` seconds (waiting for a free worker
        included). Raises :class:`QueryTimeout` or :class:`WorkerFailed`."""
        import asyncio

        from starlette.concurrency import run_in_threadpool

        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        if not self._started:
            await run_in_threadpool(self.start)
        semaphore = self._semaphore(loop)
        try:
            await asyncio.wait_for(semaphore.acquire(), timeout)
        except asyncio.TimeoutError:
            raise QueryTimeout("no worker became free") from None
        try:
            try:
                worker = self._idle.get_nowait()  # one idle worker per semaphore token
            except queue.Empty:
                raise WorkerFailed("no query worker available") from None
            if not worker.alive():
                worker = await run_in_threadpool(self._renew, worker, True)
                if worker is None:
                    raise WorkerFailed("the query service is shutting down")
            try:
                await run_in_threadpool(_send, worker.jobs, job)
                ready = await _readable(loop, worker.answers.fileno(), deadline - loop.time())
                if not ready:
                    await run_in_threadpool(self._renew, worker)
                    raise QueryTimeout("query timed out")
                answer = await run_in_threadpool(_recv, worker.answers)
            except (EOFError, OSError, ValueError, pickle.UnpicklingError) as error:
                code = await run_in_threadpool(worker.exit_code, 2.0)
                await run_in_threadpool(self._renew, worker)
                if code in (-signal.SIGABRT, -signal.SIGSEGV, -signal.SIGKILL):
                    raise QueryTooExpensive(code) from None
                raise WorkerFailed(f"query worker failed: {error or type(error).__name__}") from None
            self._idle.put(worker)
            return answer
        finally:
            semaphore.release()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.kill()


async def _readable(loop, fd: int, seconds: float) -> bool:
    """Wait until ``fd`` has data to read, at most ``seconds``; False on timeout."""
    import asyncio
    import select

    if seconds <= 0:
        return bool(select.select([fd], [], [], 0)[0])
    ready = loop.create_future()

    def wake():
        if not ready.done():
            ready.set_result(True)

    try:
        loop.add_reader(fd, wake)
    except (NotImplementedError, RuntimeError):  # pragma: no cover - loops without add_reader
        from starlette.concurrency import run_in_threadpool

        return bool((await run_in_threadpool(select.select, [fd], [], [], seconds))[0])
    try:
        await asyncio.wait_for(ready, seconds)
        return True
    except asyncio.TimeoutError:
        return False
    finally:
        loop.remove_reader(fd)


# -- the store on disk ---------------------------------------------------------------------------

def _sources(export) -> list[tuple[Path, str | None]]:
    """``(file, graph)`` pairs to load: N-Quads dumps (graph None), else per-document Turtle."""
    paths = [export.resolve(e["path"]) for e in export.dump_files("application/n-quads")]
    paths = [p for p in paths if p is not None]
    if not paths:
        try:
            names = sorted(n for n in os.listdir(export.folder / "dumps")
                           if n.endswith((".nq.gz", ".nq")))
        except OSError:
            names = []
        paths = [p for p in (export.resolve(f"dumps/{n}") for n in names) if p is not None]
    if paths:
        return [(p, None) for p in paths]
    sources = []
    for key in export.keys():
        path = export.document_path(key, "ttl")
        if path is not None:
            sources.append((path, export.description_iri(key)))
    return sources


def build_store(export, folder: Path) -> None:
    """Bulk-load the export's document graphs into a new on-disk store at ``folder``."""
    import pyoxigraph as ox

    store = ox.Store(str(folder))
    try:
        for path, graph in _sources(export):
            opener = gzip.open if path.name.endswith(".gz") else open
            with opener(path, "rb") as handle:
                if graph is None:
                    store.bulk_load(input=handle, format=ox.RdfFormat.N_QUADS)
                else:
                    store.bulk_load(input=handle, format=ox.RdfFormat.TURTLE,
                                    to_graph=ox.NamedNode(graph))
        store.flush()
    finally:
        del store


_STORE_FOLDER = re.compile(r"lod-sparql-(\d+)-[^/]+\Z")


def _sweep_stale_stores(parent) -> None:
    """Remove store folders left behind by servers that were killed (their pid is gone)."""
    try:
        folder = Path(parent or tempfile.gettempdir())
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        match = _STORE_FOLDER.match(entry.name)
        if not match or not entry.is_dir(follow_symlinks=False):
            continue
        try:
            if entry.stat(follow_symlinks=False).st_uid != os.getuid():
                continue
            os.kill(int(match.group(1)), 0)
        except ProcessLookupError:
            shutil.rmtree(entry.path, ignore_errors=True)
        except (OSError, ValueError, OverflowError):
            continue


def _cleanup(pool: QueryPool, folders: list[Path], build_lock: threading.Lock) -> None:
    pool.close()
    locked = build_lock.acquire(timeout=60)  # let a store being built finish first
    try:
        for folder in reversed(folders):  # the root (first) last
            shutil.rmtree(folder, ignore_errors=True)
        folders.clear()
    finally:
        if locked:
            build_lock.release()


# -- the endpoint -----------------------------------------------------------------------------

class SparqlEndpoint:
    """The ``/sparql`` routes for one :class:`lod.serve.store.Export`.

    ``timeout``: seconds a query may run (including waiting for a free worker);
    ``max_results``: rows / triples returned at most (0: no limit); ``workers``: query
    processes;
    ``memory_limit``: address space of each worker in MiB (0: unlimited);
    ``store_dir``: where the on-disk stores go (default: a new temporary folder);
    ``warm``: build the store and start the workers in the background right away.
    Worker processes and store folders are removed by :meth:`close`, at the latest
    when the interpreter exits.
    """

    def __init__(self, export, *, timeout: float = DEFAULT_TIMEOUT,
                 max_results: int = DEFAULT_MAX_RESULTS, workers: int = DEFAULT_WORKERS,
                 memory_limit: int = DEFAULT_MEMORY_LIMIT,
                 store_dir: str | os.PathLike | None = None, warm: bool = True,
                 path: str = "/sparql"):
        if timeout <= 0 or max_results < 0:
            raise ValueError("timeout must be > 0 and max_results >= 0")
        self.export = export
        self.timeout = float(timeout)
        self.max_results = int(max_results)
        self.path = path
        self.memory_limit = int(memory_limit or 0)
        self.pool = QueryPool(workers, self.memory_limit)
        _sweep_stale_stores(store_dir)
        self._root = Path(tempfile.mkdtemp(prefix=f"lod-sparql-{os.getpid()}-", dir=store_dir))
        self._folders: list[Path] = [self._root]
        self._store_path: Path | None = None
        self._generation: str | None = None
        self._build_lock = threading.Lock()
        self._counter = 0
        self._finalizer = weakref.finalize(self, _cleanup, self.pool, self._folders,
                                           self._build_lock)
        atexit.register(self._finalizer)
        if warm:
            threading.Thread(target=self._warm, name="lod-sparql-warm", daemon=True).start()

    def _warm(self) -> None:
        try:
            self.pool.start()
            self.current_store()
        except Exception:  # pragma: no cover - reported again on the first query
            pass

    def start(self) -> None:
        """Start the workers and build the store now (blocking)."""
        self.pool.start()
        self.current_store()

    def close(self) -> None:
        self._finalizer()

    def current_store(self) -> Path:
        """The on-disk store for the export as it is now (rebuilt when it changed)."""
        generation = self.export.generation()
        if self._store_path is not None and generation == self._generation:
            return self._store_path
        with self._build_lock:
            generation = self.export.generation()
            if self._store_path is not None and generation == self._generation:
                return self._store_path
            if not self._folders:
                raise RuntimeError("the SPARQL endpoint is closed")
            self._counter += 1
            folder = self._root / f"store-{self._counter}"
            self._folders.append(folder)
            build_store(self.export, folder)
            self._store_path, self._generation = folder, generation
            # Keep the previous store for queries already on their way to a worker; older
            # ones go (a worker still holding one open keeps reading the unlinked files).
            for stale in self._folders[1:-2]:
                shutil.rmtree(stale, ignore_errors=True)
            self._folders[1:-2] = []
            return folder

    def routes(self) -> list:
        from starlette.routing import Route

        return [Route(self.path, self.handle, methods=["GET", "POST", "OPTIONS"],
                      name="sparql")]

    # -- HTTP ---------------------------------------------------------------------------------

    async def handle(self, request):
        from starlette.concurrency import run_in_threadpool

        if request.method == "OPTIONS":
            return _response(204, b"", None, {
                "Allow": "GET, POST, OPTIONS",
                "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                "Access-Control-Allow-Headers": "Accept, Content-Type",
                "Access-Control-Max-Age": "86400"})
        try:
            params, query = await _read_request(request)
        except _Refusal as refusal:
            return _error(refusal.status, refusal.message)
        ranges = parse_accept(request.headers.get("accept"))
        if query is None:
            return self._no_query(request, ranges)
        refusal = check_query(query)
        if refusal:
            return _error(*refusal)
        job = {"query": query, "accept": ranges, "limit": self.max_results,
               "base_iri": self.export.base}
        default_graphs = params.get("default-graph-uri")
        named_graphs = params.get("named-graph-uri")
        for iri in (default_graphs or []) + (named_graphs or []):
            if not _IRI.match(iri):
                return _error(400, f"not an absolute IRI: {iri!r}")
        if default_graphs or named_graphs:
            job["default_graphs"] = default_graphs or []
            job["named_graphs"] = named_graphs or []
        fmt = _format_param(params.get("format") or [])
        if fmt:
            job["results_format"], job["graph_format"] = FORMAT_NAMES.get(fmt) or (
                fmt if fmt in RESULT_TYPES else None, fmt if fmt in GRAPH_TYPES else None)
            job["accept"] = [("*/*", 1.0)]
        try:
            job["path"] = str(await run_in_threadpool(self.current_store))
        except Exception as error:  # noqa: BLE001
            return _error(500, f"the SPARQL store could not be loaded: {error}")
        started = time.monotonic()
        try:
            answer = await self.pool.run(job, self.timeout)
        except QueryTimeout:
            return _error(503, f"query timed out after {self.timeout:g} s",
                          {"Retry-After": str(max(1, round(self.timeout)))})
        except QueryTooExpensive:
            limit = f" (memory limit {self.memory_limit} MiB)" if self.memory_limit else ""
            return _error(503, f"query stopped: it needs more memory than allowed{limit}; "
                               "add LIMIT, avoid ORDER BY / GROUP BY over huge intermediate results")
        except WorkerFailed as error:
            return _error(500, str(error))
        elapsed = time.monotonic() - started
        if answer[0] == "error":
            return _error(answer[1], answer[2])
        if answer[0] == "notacceptable":
            kind, offered = answer[1], answer[2]
            if fmt:
                return _error(406, f"format {fmt!r} is not available for a {kind} query; "
                                   "offered: " + ", ".join(offered))
            return _error(406, f"no acceptable media type for a {kind} query result; "
                               "offered: " + ", ".join(offered), {"Vary": "Accept"})
        _, media, body, truncated, count = answer
        headers = {"Vary": "Accept", "X-Query-Time": f"{elapsed:.3f}"}
        if truncated:
            headers["X-Result-Truncated"] = "true"
            headers["X-Result-Limit"] = str(self.max_results)
        return _response(200, body, media, headers)

    def _no_query(self, request, ranges):
        graph_types = ["text/turtle", "application/n-triples", "application/rdf+xml",
                       "application/ld+json"]
        choice = negotiate(["text/html", *graph_types], ranges)
        if choice == "text/html":
            return _response(200, _form_page(str(request.url.path)).encode("utf-8"),
                             "text/html", {"Vary": "Accept"})
        if choice in graph_types:
            body = serialize_triples(choice, self._service_description())
            return _response(200, body, choice, {"Vary": "Accept"})
        return _error(400, "missing 'query' parameter (SPARQL 1.1 Protocol: "
                           "GET ?query=... or POST query=...)")

    def _service_description(self) -> list:
        import pyoxigraph as ox

        sd = "http://www.w3.org/ns/sparql-service-description#"
        formats = "http://www.w3.org/ns/formats/"
        endpoint = ox.NamedNode(f"{self.export.base}{self.path.lstrip('/')}")
        rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
        triples = [
            ox.Triple(endpoint, rdf_type, ox.NamedNode(sd + "Service")),
            ox.Triple(endpoint, ox.NamedNode(sd + "endpoint"), endpoint),
            ox.Triple(endpoint, ox.NamedNode(sd + "supportedLanguage"),
                      ox.NamedNode(sd + "SPARQL11Query")),
            ox.Triple(endpoint, ox.NamedNode(sd + "feature"), ox.NamedNode(sd + "UnionDefaultGraph")),
            ox.Triple(endpoint, ox.NamedNode(sd + "defaultDataset"),
                      ox.NamedNode(self.export.dataset_iri())),
        ]
        for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                     "SPARQL_Results_TSV", "Turtle", "N-Triples", "RDF_XML", "JSON-LD"):
            triples.append(ox.Triple(endpoint, ox.NamedNode(sd + "resultFormat"),
                                     ox.NamedNode(formats + name)))
        return triples


_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^<>\"{}|^`\\\x00-\x20]*$")


def _format_param(values: list[str]) -> str | None:
    """The first recognised ``format`` value (a short name or a media type), else None.

    Unknown values are ignored rather than refused: clients such as SPARQLWrapper send
    ``format`` / ``output`` / ``results`` with their own spellings, sometimes twice.
    """
    for value in values:
        value = value.split(";")[0].strip().lower()
        if value in FORMAT_NAMES or value in RESULT_TYPES or value in GRAPH_TYPES:
            return value
    return None


class _Refusal(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


_SINGLE = ("query", "update")


def _collect(pairs, params: dict[str, list[str]]) -> None:
    for name, value in pairs:
        params.setdefault(name, []).append(value)


async def _read_body(request) -> bytes:
    length = request.headers.get("content-length")
    if length is not None:
        try:
            if int(length) > MAX_QUERY_BYTES:
                raise _Refusal(413, f"request body larger than {MAX_QUERY_BYTES} bytes")
        except ValueError:
            raise _Refusal(400, "bad Content-Length") from None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_QUERY_BYTES:
            raise _Refusal(413, f"request body larger than {MAX_QUERY_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _decode(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise _Refusal(400, f"{what} is not valid UTF-8") from None


async def _read_request(request) -> tuple[dict[str, list[str]], str | None]:
    """The protocol parameters and the query text (None when there is none)."""
    params: dict[str, list[str]] = {}
    try:
        _collect(parse_qsl(request.url.query, keep_blank_values=True, strict_parsing=False,
                           errors="strict", max_num_fields=1000), params)
    except (UnicodeDecodeError, ValueError):
        raise _Refusal(400, "malformed query string") from None
    query = None
    if request.method == "POST":
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type == "application/sparql-update":
            raise _Refusal(403, "this SPARQL endpoint is read-only: SPARQL Update is not accepted")
        body = await _read_body(request)
        if content_type == "application/x-www-form-urlencoded":
            if "query" in params or "update" in params:
                raise _Refusal(400, "with a form POST, 'query' belongs in the request body")
            try:
                _collect(parse_qsl(_decode(body, "request body"), keep_blank_values=True,
                                   errors="strict", max_num_fields=1000), params)
            except ValueError:
                raise _Refusal(400, "malformed form body") from None
        elif content_type == "application/sparql-query":
            if "query" in params:
                raise _Refusal(400, "the query is the request body: no 'query' parameter too")
            query = _decode(body, "query")
        else:
            raise _Refusal(415, "POST a query as application/x-www-form-urlencoded (query=...) "
                                "or as application/sparql-query")
    if "update" in params:
        raise _Refusal(403, "this SPARQL endpoint is read-only: SPARQL Update is not accepted")
    for name in _SINGLE:
        if len(params.get(name, [])) > 1:
            raise _Refusal(400, f"parameter '{name}' given more than once")
    if query is None and "query" in params:
        query = params["query"][0]
    if query is not None:
        if not query.strip():
            raise _Refusal(400, "empty query")
        if len(query) > MAX_QUERY_BYTES:
            raise _Refusal(413, f"query longer than {MAX_QUERY_BYTES} characters")
    return params, query


# ``Access-Control-Allow-Origin`` itself is added by the app (``lod.serve.app.Guard``), for
# every route; a second copy here would make browsers refuse the response.
_CORS = {"Access-Control-Expose-Headers": "X-Result-Truncated, X-Result-Limit, X-Query-Time"}


def _response(status: int, body: bytes, media: str | None, headers: dict | None = None):
    from starlette.responses import Response

    all_headers = dict(_CORS)
    all_headers.update(headers or {})
    content_type = None
    if media:
        content_type = f"{media}; charset=utf-8" if media in _CHARSET_TYPES else media
    response = Response(body, status_code=status, headers=all_headers)
    if content_type:
        response.headers["content-type"] = content_type
    return response


def _error(status: int, message: str, headers: dict | None = None):
    return _response(status, (message.rstrip() + "\n").encode("utf-8"), "text/plain", headers)


_EXAMPLE = """PREFIX schema: <http://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>

SELECT ?document ?title ?date WHERE {
  ?document a schema:ArchiveComponent ;
            dcterms:title ?title .
  OPTIONAL { ?document dcterms:date ?date }
}
ORDER BY ?date
LIMIT 20
"""


def _form_page(action: str) -> str:
    options = "".join(f'<option value="{v}">{label}</option>' for v, label in (
        ("", "by Accept header"), ("json", "JSON"), ("xml", "XML"), ("csv", "CSV"), ("tsv", "TSV"),
        ("turtle", "Turtle"), ("ntriples", "N-Triples"), ("rdfxml", "RDF/XML"),
        ("jsonld", "JSON-LD")))
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>SPARQL query</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}}
textarea{{width:100%;font-family:monospace;font-size:0.95rem}}</style></head>
<body>
<h1>SPARQL query</h1>
<p>Read-only SPARQL 1.1 endpoint. The default graph is the union of all document graphs;
each document's graph is its description IRI. Queries stop after a timeout and return at
most a limited number of results (header <code>X-Result-Truncated</code>).</p>
<form method="get" action="{html.escape(action, quote=True)}">
<p><textarea name="query" rows="14" aria-label="SPARQL query">{html.escape(_EXAMPLE)}</textarea></p>
<p><label>Results format <select name="format">{options}</select></label>
<button type="submit">Run query</button></p>
</form>
</body>
</html>
"""


_OPTIONS = ("timeout", "max_results", "workers", "memory_limit", "store_dir", "warm", "path")


def routes(export, **options) -> list:
    """The ``/sparql`` routes for ``export``; options as for :class:`SparqlEndpoint`.

    Options not given here are taken from ``export.options`` as ``sparql_<name>``
    (e.g. ``lod serve --sparql-timeout`` -> ``create_app(folder, sparql_timeout=...)``).
    """
    defaults = getattr(export, "options", None) or {}
    settings = {name: defaults[f"sparql_{name}"] for name in _OPTIONS if f"sparql_{name}" in defaults}
    settings.update(options)
    return SparqlEndpoint(export, **settings).routes()
