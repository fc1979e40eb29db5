"""Everything ``lod serve`` can be told, as frozen values the CLI (or a caller) builds once.

One value per concern: :class:`SparqlOptions`, :class:`OaiOptions`, :class:`ServerOptions`
(uvicorn), gathered with the linked-data settings in :class:`ServeOptions`. Each checks
itself when made (no side effects) and raises :class:`lod.errors.ConfigError` naming the
option and what it accepts.
"""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass, field

from lod.errors import ConfigError, Place

#: OAI-PMH 2.0's ``emailType`` (``\S+@(\S+\.)+\S+``): Identify's ``adminEmail`` must match it.
OAI_EMAIL = re.compile(r"\S+@(\S+\.)+\S+\Z")


def _require(valid: bool, option: str, wants: str, value) -> None:
    if not valid:
        raise ConfigError(f"{option} {value!r}: {wants}", Place("lod serve"))


def default_workers() -> int:
    """A query process per core plus the one kept for short queries: more would only wait for a
    core, each holding its own share of the store's caches (some 80 MB)."""
    return max(2, (os.cpu_count() or 1) + 1)


@dataclass(frozen=True)
class SparqlOptions:
    """The SPARQL endpoint (``/sparql``).

    ``timeout``: seconds a query may take, waiting for a worker included (-> 503);
    ``max_results``: rows / triples at most (0: no limit; more -> ``X-Result-Truncated``);
    ``workers``: query worker processes; at most ``workers - 1`` of them run queries that
    have taken longer than ``short_seconds``, so the last one is always there for short
    queries (a query that would take it for longer is stopped: 503, retry later);
    ``memory_limit``: MiB of address space per worker (0: none).
    """

    timeout: float = 10.0
    max_results: int = 10_000
    workers: int = field(default_factory=default_workers)
    short_seconds: float = 1.0
    memory_limit: int = 2048
    path: str = "/sparql"

    def __post_init__(self):
        _require(self.timeout > 0, "--sparql-timeout", "must be more than 0 seconds", self.timeout)
        _require(self.max_results >= 0, "--sparql-limit", "must be 0 (no limit) or more", self.max_results)
        _require(self.workers >= 2, "--sparql-workers", "must be at least 2 (one is kept for short "
                 "queries)", self.workers)
        _require(self.short_seconds > 0, "short_seconds", "must be more than 0", self.short_seconds)
        _require(self.memory_limit >= 0, "memory_limit", "must be 0 (none) or more MiB", self.memory_limit)


@dataclass(frozen=True)
class OaiOptions:
    """The OAI-PMH endpoint (``/oai``).

    ``admin_email``: Identify's ``adminEmail``, which OAI-PMH requires; without it ``/oai``
    is not served (no address is invented). ``page_size``: records per list response.
    """

    admin_email: str | None = None
    page_size: int = 100
    path: str = "/oai"

    def __post_init__(self):
        _require(self.page_size >= 1, "--oai-page-size", "must be at least 1", self.page_size)
        if self.admin_email is not None:
            _require(bool(OAI_EMAIL.match(self.admin_email)), "--oai-admin-email",
                     "is not an address OAI-PMH accepts (name@host.domain)", self.admin_email)


@dataclass(frozen=True)
class ServerOptions:
    """uvicorn: logging, worker processes, proxies, time-outs and request limits.

    ``limit_concurrency``: connections above it get 503 (None: no limit);
    ``max_request_head``: bytes of request line + headers (larger -> 400 from the parser).
    """

    log_level: str = "info"
    access_log: bool = True
    workers: int = 1
    root_path: str = ""
    proxy_headers: bool = True
    forwarded_allow_ips: str | None = None
    timeout_keep_alive: int = 5
    timeout_graceful_shutdown: int = 10
    limit_concurrency: int | None = None
    backlog: int = 2048
    max_request_head: int = 64 * 1024

    def __post_init__(self):
        _require(self.workers >= 1, "workers", "must be at least 1", self.workers)


@dataclass(frozen=True)
class ServeOptions:
    """The application over one export folder.

    ``base``: the base IRI the export was made with, only for a folder whose
    ``manifest.json`` does not say (it must agree with the manifest otherwise: see
    :meth:`lod.serve.folder.Export.check_base`); ``max_age``: ``Cache-Control`` seconds;
    ``cache_size`` / ``cache_bytes``: built representations kept in memory; ``threads``:
    worker threads for file, parse and store work.
    """

    base: str | None = None
    max_age: int = 300
    cache_size: int = 4096
    cache_bytes: int = 256 * 1024 * 1024
    threads: int = 32
    sparql: SparqlOptions = field(default_factory=SparqlOptions)
    oai: OaiOptions = field(default_factory=OaiOptions)

    def __post_init__(self):
        if self.base is not None:
            _require(bool(re.match(r"https?://[^/\s]+/(\S*/)?\Z", self.base)), "--base",
                     "must be an http(s) IRI ending in '/'", self.base)
        _require(self.max_age >= 0, "max_age", "must be 0 or more seconds", self.max_age)
        _require(self.threads >= 1, "threads", "must be at least 1", self.threads)

    def to_json(self) -> dict:
        """Plain data (for uvicorn's worker processes, which rebuild it with :meth:`from_json`)."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> ServeOptions:
        data = dict(data)
        return cls(sparql=SparqlOptions(**data.pop("sparql")), oai=OaiOptions(**data.pop("oai")), **data)
