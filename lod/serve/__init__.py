"""``lod serve``: the linked-data web service over an export folder.

:func:`create_app` (``lod.serve.app``) builds the ASGI app; :func:`serve` and :func:`running`
(``lod.serve.server``) run it under uvicorn. Options are frozen values from
:mod:`lod.serve.options`. Imported lazily, so that query worker processes, which import
``lod.serve.sparql.workers``, do not load the web stack.
"""

from __future__ import annotations

__all__ = ["create_app", "serve", "running", "uvicorn_config"]


def __getattr__(name: str):
    if name == "create_app":
        from lod.serve.app import create_app

        return create_app
    if name in ("serve", "running", "uvicorn_config"):
        from lod.serve import server

        return getattr(server, name)
    raise AttributeError(f"module 'lod.serve' has no attribute {name!r}")
