"""Where per-record work runs: in this process, in local worker processes, or on a Dask cluster.

An export hands the engine a *job* (a picklable object, sent to each worker once) and
streams of items for one of the job's methods; the engine applies the method to batches
of items and yields the results in input order, with a bounded number of batches in
flight, so memory stays flat however large the input. One pool of workers serves every
pass of an export.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

from lod.orphans import die_with_parent

_JOB = None


def _start_worker(job) -> None:
    global _JOB
    _JOB = job
    die_with_parent()  # a killed export leaves no workers behind


def _work_batch(method: str, batch: list) -> list:
    return list(map(getattr(_JOB, method), batch))


def _job_batch(job, method: str, batch: list) -> list:
    return list(map(getattr(job, method), batch))


class Engine:
    """Runs ``job.<method>`` over items: ``workers`` local processes (1: this process) or ``dask``
    (a ``dask.distributed.Client``). Use as a context manager; :meth:`map` yields in input order."""

    def __init__(self, job, workers: int = 1, dask=None, batch_size: int = 32):
        self.job = job
        self.workers = workers
        self.dask = dask
        self.batch_size = batch_size if dask is None else 256
        self._pool = None
        self._shared = None

    def __enter__(self) -> Engine:
        if self.dask is not None:
            self._shared = self.dask.scatter(self.job, broadcast=True)
        elif self.workers > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            # Workers start as fresh interpreters, not as forks of this process: they do not
            # inherit (and count again) whatever this one holds.
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(self.workers, mp_context=context, initializer=_start_worker,
                                             initargs=(self.job,))
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def map(self, method: str, items: Iterable) -> Iterator:
        """``job.<method>(item)`` for each item, in input order."""
        for _, result in self.pairs(method, items):
            yield result

    def pairs(self, method: str, items: Iterable) -> Iterator[tuple]:
        """``(item, job.<method>(item))`` for each item, in input order (the item stays here:
        only the result comes back from the worker)."""
        if self._pool is None and self._shared is None:
            function = getattr(self.job, method)
            for item in items:
                yield item, function(item)
            return
        window = 4 * self.workers if self._pool is not None else max(
            2, 3 * len(self.dask.scheduler_info().get("workers", {})))
        iterator, pending = iter(items), []
        while True:
            while len(pending) < window:
                batch = list(islice(iterator, self.batch_size))
                if not batch:
                    break
                pending.append((batch, self._submit(method, batch)))
            if not pending:
                return
            batch, future = pending.pop(0)
            yield from zip(batch, future.result())

    def _submit(self, method: str, batch: list):
        if self._pool is not None:
            return self._pool.submit(_work_batch, method, batch)
        return self.dask.submit(_job_batch, self._shared, method, batch, pure=False)
