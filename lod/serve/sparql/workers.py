"""Query workers: each SPARQL query runs in a worker process, never in the server.

pyoxigraph queries cannot be interrupted from Python, so a query that overruns is
stopped by killing its process. A standby process, started beforehand, takes the
killed one's place at once (a new standby starts in the background), so the next
query does not wait for a Python process to start. Each worker opens the
query store read-only (:class:`lod.serve.store.Snapshot.path`), runs one job at a
time and answers with the serialized result; it runs with an address-space limit and,
where Linux allows it, in an empty network namespace (defence in depth behind the
``SERVICE`` check).

Admission (:class:`QueryPool`): ``size`` workers. A query that has run longer than
``short_seconds`` is *long*; at most ``long_slots`` (``size - 1``) long queries run at
once, so at least one worker is always free again within ``short_seconds`` for short
queries however many runaway queries arrive: a query that turns long when all long
slots are taken is stopped (:class:`QueryShed`, answered 503 with ``Retry-After``).
Waiting for a worker counts towards the query's timeout.
"""

from __future__ import annotations

import asyncio
import os
import pickle
import queue
import select
import signal
import struct
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from lod.orphans import die_with_parent


@dataclass(frozen=True)
class Job:
    """One query for a worker: what to run, on which store, and how to answer."""

    query: str
    store: str  # the store's folder
    accept: str | None = None
    forced: bool = False  # a format parameter chose results_type / graph_type
    results_type: str | None = None
    graph_type: str | None = None
    limit: int = 0  # rows / triples at most (0: all)
    base_iri: str | None = None
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None


#: Answers: ("ok", media, body, truncated, count), ("error", status, message),
#: ("notacceptable", query form, offered media types), ("unopened", message), ("pong", isolated).
PING = "ping"


class QueryTimeout(Exception):
    pass


class WorkerFailed(Exception):
    pass


class QueryTooExpensive(Exception):
    """The worker died from the memory limit (or a stack overflow) while running the query."""


class QueryShed(Exception):
    """The query turned long while every long slot was taken: stopped to keep a worker free."""

    def __init__(self, long_slots: int, short_seconds: float):
        super().__init__(f"{long_slots} long queries are running")
        self.long_slots, self.short_seconds = long_slots, short_seconds


# -- in the worker process ------------------------------------------------------------------------

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
    that nothing in a query can reach the network. Needs CAP_SYS_ADMIN or unprivileged
    user namespaces; best effort."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        clone_newnet, clone_newuser = 0x40000000, 0x10000000
        return libc.unshare(clone_newnet) == 0 or libc.unshare(clone_newuser | clone_newnet) == 0
    except Exception:
        return False


def worker_main(read_fd: int, write_fd: int, memory_mb: int = 0) -> None:
    """Entry point of a query worker: read jobs, answer each."""
    isolated = _isolate_network()  # first: unshare needs a single-threaded process
    if memory_mb > 0:
        import resource

        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()
    import pyoxigraph  # noqa: F401  (imported before the first job)

    from lod.serve.sparql import results  # noqa: F401  (likewise)

    jobs = os.fdopen(read_fd, "rb")
    answers = os.fdopen(write_fd, "wb")
    stores: dict[str, object] = {}
    while True:
        try:
            job = _recv(jobs)
        except (EOFError, OSError):
            return
        try:
            answer = ("pong", isolated) if job == PING else run_job(job, stores)
        except BaseException as error:  # noqa: BLE001 - the worker reports, never dies
            answer = ("error", 500, f"{type(error).__name__}: {error}")
        try:
            _send(answers, answer)
        except (OSError, ValueError):
            return


def run_job(job: Job, stores: dict) -> tuple:
    """Run one query (in a worker) and serialize its result."""
    import pyoxigraph as ox

    from lod.serve.sparql.results import (
        GRAPH_TYPES, RESULT_TYPES, choose, serialize_boolean, serialize_solutions, serialize_triples,
    )

    store = stores.get(job.store)
    if store is None:
        stores.clear()  # at most one (the current) generation's store open per worker
        try:
            store = ox.Store.read_only(job.store)
        except OSError as error:  # its generation was switched out meanwhile
            return ("unopened", f"the store could not be opened: {error}")
        stores[job.store] = store
    options = {}
    if job.default_graphs is not None:  # the protocol's dataset replaces FROM / FROM NAMED
        options["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
        options["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs or ()]
    try:
        result = store.query(job.query, base_iri=job.base_iri, **options)
    except SyntaxError as error:
        return ("error", 400, f"malformed query: {error}")
    except ValueError as error:
        return ("error", 400, f"bad query: {error}")

    def media_type(forced: str | None, offered) -> str | None:
        return forced if job.forced else choose(job.accept, offered)

    if isinstance(result, ox.QueryBoolean):
        media = media_type(job.results_type, RESULT_TYPES)
        if media is None:
            return ("notacceptable", "ASK", list(RESULT_TYPES))
        return ("ok", media, serialize_boolean(RESULT_TYPES[media], bool(result)), False, 1)
    if isinstance(result, ox.QuerySolutions):
        media = media_type(job.results_type, RESULT_TYPES)
        if media is None:
            return ("notacceptable", "SELECT", list(RESULT_TYPES))
        variables = [v.value for v in result.variables]
        rows, truncated = [], False
        for solution in result:
            if job.limit and len(rows) >= job.limit:
                truncated = True
                break
            rows.append([solution[i] for i in range(len(variables))])
        return ("ok", media, serialize_solutions(RESULT_TYPES[media], variables, rows), truncated, len(rows))
    media = media_type(job.graph_type, GRAPH_TYPES)
    if media is None:
        return ("notacceptable", "CONSTRUCT", list(GRAPH_TYPES))
    triples, truncated = [], False
    for triple in result:
        if job.limit and len(triples) >= job.limit:
            truncated = True
            break
        triples.append(triple)
    return ("ok", media, serialize_triples(media, triples), truncated, len(triples))


# -- in the server ----------------------------------------------------------------------------------

class _Worker:
    """One query worker process, talking pickles over two pipes."""

    def __init__(self, memory_mb: int = 0):
        job_read, job_write = os.pipe()
        answer_read, answer_write = os.pipe()
        package_root = str(Path(__file__).resolve().parents[3])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        env["RUST_BACKTRACE"] = "0"  # an allocation failure prints one line, not a backtrace
        code = ("import sys; from lod.serve.sparql.workers import worker_main; "
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
    """``size`` worker processes with admission control (see the module's docstring).

    Waiting (for a free worker, for the answer) is asynchronous: a long query holds a
    worker process, never a server thread. One pool serves one event loop (the server's).
    """

    def __init__(self, size: int, memory_mb: int = 0, short_seconds: float = 1.0,
                 long_slots: int | None = None):
        self.size = max(1, int(size))
        self.memory_mb = max(0, int(memory_mb or 0))
        self.short_seconds = float(short_seconds)
        self.long_slots = self.size - 1 if long_slots is None else max(0, min(long_slots, self.size))
        self.running_long = 0  # only touched on the event loop
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._standby: _Worker | None = None
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
            self._standby = self._add()

    def _add(self) -> _Worker:
        worker = _Worker(self.memory_mb)
        self._all.add(worker)
        return worker

    def _renew(self, worker: _Worker, keep: bool = False) -> _Worker | None:
        """Kill ``worker``; the standby replaces it (returned if ``keep``, else made idle)."""
        worker.kill()
        with self._lock:
            self._all.discard(worker)
            if self._closed:
                return None
            standby, self._standby = self._standby, self._add()
            fresh = standby if standby is not None and standby.alive() else self._add()
        if keep:
            return fresh
        self._idle.put(fresh)
        return None

    def _semaphore(self, loop):
        gate = self._gate
        if gate is None or gate[0] is not loop:
            gate = (loop, asyncio.Semaphore(self.size))
            self._gate = gate
        return gate[1]

    async def run(self, job, timeout: float) -> tuple:
        """Run ``job`` in a worker within ``timeout`` seconds (waiting for a free worker
        included). Raises :class:`QueryTimeout`, :class:`QueryShed`,
        :class:`QueryTooExpensive` or :class:`WorkerFailed`."""
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
        counted_long = False
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
                answers = worker.answers.fileno()
                ready = await _readable(loop, answers, min(self.short_seconds, deadline - loop.time()))
                if not ready and loop.time() < deadline:
                    if self.running_long >= self.long_slots:
                        await run_in_threadpool(self._renew, worker)
                        raise QueryShed(self.long_slots, self.short_seconds)
                    self.running_long += 1
                    counted_long = True
                    ready = await _readable(loop, answers, deadline - loop.time())
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
            if counted_long:
                self.running_long -= 1
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
