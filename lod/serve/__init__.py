"""``lod serve``: the linked-data web service over an export folder.

Server choice: the application is an ASGI app built with Starlette and served by
**uvicorn** (with its pure-Python ``h11`` HTTP/1.1 parser):

* asynchronous: one event loop holds thousands of idle keep-alive connections;
  blocking work (file reads, RDF parsing, SPARQL) runs in worker threads, so a slow
  query never stops other requests from being answered;
* full HTTP/1.1 with keep-alive and pipelining, strict request parsing (h11) with a
  bounded request head (``h11_max_incomplete_event_size``) and a keep-alive timeout;
* graceful shutdown on SIGINT/SIGTERM: stops accepting, finishes in-flight requests
  (bounded by ``timeout_graceful_shutdown``);
* widely deployed and maintained (the reference ASGI server, used behind nginx /
  Caddy / Kubernetes ingresses), with ``--proxy-headers`` / ``root_path`` support for
  running behind a reverse proxy, and multiple worker processes when needed.

``create_app(folder, **options)`` returns the ASGI app (for tests or another ASGI
server such as hypercorn or gunicorn's uvicorn worker); ``serve(folder, host, port,
**options)`` runs it under uvicorn until interrupted.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from lod.serve.app import create_app

__all__ = ["create_app", "serve", "running", "uvicorn_config"]

#: Options of :func:`serve` that configure uvicorn; everything else goes to :func:`create_app`.
_SERVER_OPTIONS = {
    "log_level": "info",
    "access_log": True,
    "workers": None,
    "root_path": "",
    "proxy_headers": True,
    "forwarded_allow_ips": None,
    "timeout_keep_alive": 5,
    "timeout_graceful_shutdown": 10,
    "limit_concurrency": None,
    "backlog": 2048,
    "max_request_head": 64 * 1024,
}


def uvicorn_config(folder: Path | str, host: str = "127.0.0.1", port: int = 8080, **options):
    """A ``uvicorn.Config`` for the app over ``folder`` (see :func:`serve` for the options)."""
    import uvicorn

    server = {**_SERVER_OPTIONS, **{k: v for k, v in options.items() if k in _SERVER_OPTIONS}}
    app_options = {k: v for k, v in options.items() if k not in _SERVER_OPTIONS}
    common = dict(
        host=host, port=port, http="h11", lifespan="on", log_level=server["log_level"],
        access_log=server["access_log"], root_path=server["root_path"],
        proxy_headers=server["proxy_headers"], forwarded_allow_ips=server["forwarded_allow_ips"],
        timeout_keep_alive=server["timeout_keep_alive"],
        timeout_graceful_shutdown=server["timeout_graceful_shutdown"],
        limit_concurrency=server["limit_concurrency"], backlog=server["backlog"],
        h11_max_incomplete_event_size=server["max_request_head"], server_header=False,
    )
    workers = server["workers"]
    if workers and workers > 1:
        # Worker processes import the app by name: pass the settings through the environment.
        os.environ["LOD_SERVE_APP"] = json.dumps({"folder": str(folder), **app_options})
        return uvicorn.Config("lod.serve:_app_from_environment", factory=True, workers=workers, **common)
    return uvicorn.Config(create_app(folder, **app_options), **common)


def _app_from_environment():
    settings = json.loads(os.environ["LOD_SERVE_APP"])
    return create_app(settings.pop("folder"), **settings)


def serve(folder: Path | str, host: str = "127.0.0.1", port: int = 8080, **options) -> None:
    """Serve the export in ``folder`` at ``http://host:port/`` until SIGINT/SIGTERM.

    Server options: ``log_level`` ("info"), ``access_log`` (True), ``workers`` (1
    process), ``root_path`` (URL prefix behind a proxy), ``proxy_headers`` (True) and
    ``forwarded_allow_ips``, ``timeout_keep_alive`` (5 s), ``timeout_graceful_shutdown``
    (10 s), ``limit_concurrency`` (None: answer 503 above it), ``backlog`` (2048),
    ``max_request_head`` (64 KiB: larger request heads get 400 from the parser).

    App options (see :func:`lod.serve.app.create_app`): ``base``, ``max_age``,
    ``cache_size``, ``cache_bytes``, ``threads``, ``preload``, and ``sparql`` / ``oai``
    (dicts of keyword options for those endpoints, e.g. ``sparql={"timeout": 10}``);
    any other keyword is kept in ``export.options``.
    """
    import uvicorn

    if not Path(folder).is_dir():
        raise FileNotFoundError(f"export folder not found: {folder}")
    config = uvicorn_config(folder, host, port, **options)
    if config.workers and config.workers > 1:
        from uvicorn.supervisors import Multiprocess

        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        uvicorn.Server(config).run()


@contextmanager
def running(folder: Path | str, host: str = "127.0.0.1", port: int = 0, *,
            sock: socket.socket | None = None, startup_timeout: float = 60, **options) -> Iterator[str]:
    """Run the server in a background thread (tests, benchmarks, embedding); yields its URL.

    ``port=0`` picks a free port. Pass an already bound ``sock`` to know the port before
    the export is written (e.g. to mint IRIs that dereference to this very server).
    """
    import uvicorn

    if sock is None:
        sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    host, port = sock.getsockname()[:2]
    options.setdefault("log_level", "warning")
    options.setdefault("access_log", False)
    server = uvicorn.Server(uvicorn_config(folder, host, port, **options))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True,
                              name=f"lod-serve-{port}")
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError("lod serve did not start")
        time.sleep(0.02)
    try:
        yield f"http://{host if ':' not in host else f'[{host}]'}:{port}/"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
