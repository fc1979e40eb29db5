"""Running ``lod serve`` under uvicorn.

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

``create_app(folder, options)`` returns the ASGI app (for tests or another ASGI
server such as hypercorn or gunicorn's uvicorn worker); ``serve(folder, host, port,
options, server)`` runs it under uvicorn until interrupted.
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

from lod.serve.app import create_app, same_site
from lod.serve.options import ServeOptions, ServerOptions

__all__ = ["serve", "running", "uvicorn_config", "address_warning"]

_ENVIRONMENT = "LOD_SERVE_APP"


def uvicorn_config(folder: Path | str, host: str = "127.0.0.1", port: int = 8080,
                   options: ServeOptions | None = None, server: ServerOptions | None = None):
    """A ``uvicorn.Config`` for the app over ``folder``."""
    import uvicorn

    options, server = options or ServeOptions(), server or ServerOptions()
    common = dict(
        host=host, port=port, http="h11", lifespan="on", log_level=server.log_level,
        access_log=server.access_log, root_path=server.root_path,
        proxy_headers=server.proxy_headers, forwarded_allow_ips=server.forwarded_allow_ips,
        timeout_keep_alive=server.timeout_keep_alive,
        timeout_graceful_shutdown=server.timeout_graceful_shutdown,
        limit_concurrency=server.limit_concurrency, backlog=server.backlog,
        h11_max_incomplete_event_size=server.max_request_head, server_header=False,
    )
    if server.workers > 1:
        # Worker processes import the app by name: pass the settings through the environment.
        os.environ[_ENVIRONMENT] = json.dumps({"folder": str(folder), "options": options.to_json()})
        return uvicorn.Config("lod.serve.server:_app_from_environment", factory=True,
                              workers=server.workers, **common)
    return uvicorn.Config(create_app(folder, options), **common)


def _app_from_environment():
    settings = json.loads(os.environ[_ENVIRONMENT])
    return create_app(settings["folder"], ServeOptions.from_json(settings["options"]))


def address_warning(base: str, host: str, port: int) -> str | None:
    """What to tell the user when the server is not at the address the export's IRIs name
    (``base``, :attr:`lod.serve.folder.Export.base`).

    The data names ``{base}id/...``; served at another host or port, every link in it
    leads away from this server, and a client that fetches an IRI gets a description
    of another IRI (rdflib's graph does not contain the IRI it asked for).
    """
    shown = f"[{host}]" if ":" in host else host
    here = f"http://{shown}:{port}/"
    loopback = {"127.0.0.1", "localhost", "::1", "[::1]"}
    if same_site(here, base):
        return None
    if host in loopback | {"0.0.0.0", "::"}:
        for name in loopback:
            if same_site(f"http://{name}:{port}/", base):
                return None
    return (f"this export's IRIs name {base}, but the server listens on {here}: links in the "
            "data lead there, not here, unless a proxy answers for that address; to publish at "
            f"another address, export again with `lod export --base URL`")


def serve(folder: Path | str, host: str = "127.0.0.1", port: int = 8080,
          options: ServeOptions | None = None, server: ServerOptions | None = None) -> None:
    """Serve the export in ``folder`` at ``http://host:port/`` until SIGINT/SIGTERM."""
    import uvicorn

    if not Path(folder).is_dir():
        raise FileNotFoundError(f"export folder not found: {folder}")
    config = uvicorn_config(folder, host, port, options, server)
    if config.workers and config.workers > 1:
        from uvicorn.supervisors import Multiprocess

        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        uvicorn.Server(config).run()


@contextmanager
def running(folder: Path | str, host: str = "127.0.0.1", port: int = 0, *,
            sock: socket.socket | None = None, startup_timeout: float = 60,
            options: ServeOptions | None = None, server: ServerOptions | None = None) -> Iterator[str]:
    """Run the server in a background thread (tests, benchmarks, embedding); yields its URL.

    ``port=0`` picks a free port. Pass an already bound ``sock`` to know the port before
    the export is written (e.g. to mint IRIs that dereference to this very server).
    ``server`` defaults to quiet logging and no access log.
    """
    import uvicorn

    if sock is None:
        sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    host, port = sock.getsockname()[:2]
    server = server or ServerOptions(log_level="warning", access_log=False)
    instance = uvicorn.Server(uvicorn_config(folder, host, port, options, server))
    thread = threading.Thread(target=instance.run, kwargs={"sockets": [sock]}, daemon=True,
                              name=f"lod-serve-{port}")
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not instance.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            instance.should_exit = True
            raise RuntimeError("lod serve did not start")
        time.sleep(0.02)
    try:
        yield f"http://{host if ':' not in host else f'[{host}]'}:{port}/"
    finally:
        instance.should_exit = True
        thread.join(timeout=30)
        sock.close()
