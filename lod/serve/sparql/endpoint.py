"""The ``/sparql`` route: protocol in, a query worker in between, a result format out.

``GET /sparql`` without a query answers the HTML query form for browsers, else the SPARQL
service description (RDF, by content negotiation). A query from a browser is answered
with the form and its results as HTML (:mod:`lod.serve.sparql.page`).
"""

from __future__ import annotations

import html
import time
from dataclasses import replace

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response
from starlette.routing import Route

from lod.serve import conneg
from lod.serve.folder import Export
from lod.serve.options import SparqlOptions
from lod.serve.sparql import protocol
from lod.serve.sparql.page import results_html, sparql_page
from lod.serve.sparql.results import CHARSET_TYPES, FORMAT_IRIS, GRAPH_TYPES, RESULT_TYPES, serialize_triples
from lod.serve.sparql.workers import (
    Job, QueryPool, QueryShed, QueryTimeout, QueryTooExpensive, WorkerFailed,
)
from lod.serve.store import NoStore, QueryStore
from lod.vocab import RDF, RDFS, SD

#: What the default graph is, in the service description and on the form.
DEFAULT_GRAPH = ("The default graph is the RDF merge of the documents' graphs, stored: each triple "
                 "once, however many documents state it. Each document's graph is named by its "
                 "description IRI. FROM / FROM NAMED, and the protocol's default-graph-uri / "
                 "named-graph-uri (which override them), choose another dataset.")
# ``Access-Control-Allow-Origin`` itself is added by the app (``lod.serve.app.Guard``), for
# every route; a second copy here would make browsers refuse the response.
_CORS = {"Access-Control-Expose-Headers": "X-Result-Truncated, X-Result-Limit, X-Query-Time"}
_RDF_TYPES = ["text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json"]


class SparqlEndpoint:
    """The ``/sparql`` route for one export, its query store and a pool of query workers.

    Worker processes are stopped by :meth:`close` (the app's shutdown).
    """

    def __init__(self, export: Export, store: QueryStore, options: SparqlOptions):
        self.export = export
        self.store = store
        self.options = options
        self.pool = QueryPool(options.workers, options.memory_limit, options.short_seconds)

    def start(self) -> None:
        """Start the workers (blocking); each opens the store read-only with its first query."""
        self.pool.start()

    def close(self) -> None:
        self.pool.close()

    def routes(self) -> list:
        return [Route(self.options.path, self.handle, methods=["GET", "POST", "OPTIONS"], name="sparql")]

    async def handle(self, request):
        if request.method == "OPTIONS":
            return _response(204, b"", None, {
                "Allow": "GET, POST, OPTIONS",
                "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                "Access-Control-Allow-Headers": "Accept, Content-Type",
                "Access-Control-Max-Age": "86400"})
        try:
            asked = await protocol.read(request)
        except protocol.Refusal as refusal:
            return _error(refusal.status, refusal.message)
        if asked.query is None:
            return self._no_query(request, asked.accept)
        if self._for_browser(request, asked):  # results as JSON and graphs as Turtle, shown in the page
            return await self._page(request, replace(asked, forced=True, graph_type="text/turtle",
                                                     results_type="application/sparql-results+json"))
        options = self.options
        started = time.monotonic()
        try:
            answer = await self._run(asked)
        except QueryTimeout:
            return _error(503, f"query timed out after {options.timeout:g} s",
                          {"Retry-After": str(max(1, round(options.timeout)))})
        except QueryShed as shed:
            return _error(503, f"the endpoint is busy: {shed.long_slots} queries running longer than "
                               f"{shed.short_seconds:g} s already (the most at once; one worker is kept "
                               "for short queries), so this one was stopped; retry later",
                          {"Retry-After": str(max(1, round(options.timeout)))})
        except QueryTooExpensive:
            limit = f" (memory limit {options.memory_limit} MiB)" if options.memory_limit else ""
            return _error(503, f"query stopped: it needs more memory than allowed{limit}; "
                               "add LIMIT, avoid ORDER BY / GROUP BY over huge intermediate results")
        except WorkerFailed as error:
            return _error(500, str(error))
        except NoStore as error:
            return _error(503, str(error))
        except Exception as error:  # noqa: BLE001
            return _error(500, f"the SPARQL store could not be opened: {error}")
        elapsed = time.monotonic() - started
        if answer[0] == "error":
            return _error(answer[1], answer[2])
        if answer[0] == "notacceptable":
            kind, offered = answer[1], answer[2]
            if asked.forced:
                return _error(406, f"format {asked.format!r} is not available for a {kind} query; "
                                   "offered: " + ", ".join(offered))
            return _error(406, f"no acceptable media type for a {kind} query result; "
                               "offered: " + ", ".join(offered), {"Vary": "Accept"})
        _, media, body, truncated, _count = answer
        headers = {"Vary": "Accept", "X-Query-Time": f"{elapsed:.3f}"}
        if truncated:
            headers["X-Result-Truncated"] = "true"
            headers["X-Result-Limit"] = str(options.max_results)
        return _response(200, body, media, headers)

    async def _run(self, asked) -> tuple:
        """Run the query on the current generation's store; once more on the next generation's
        when the export switched while a worker was opening the store (its folder is gone)."""
        for attempt in (1, 2):
            snapshot = await run_in_threadpool(self.store.current)
            job = Job(query=asked.query, store=str(snapshot.path), accept=asked.accept, forced=asked.forced,
                      results_type=asked.results_type, graph_type=asked.graph_type,
                      limit=self.options.max_results, base_iri=self.export.base,
                      default_graphs=asked.default_graphs, named_graphs=asked.named_graphs)
            answer = await self.pool.run(job, self.options.timeout)
            if answer[0] != "unopened" or attempt == 2:
                return ("error", 500, answer[1]) if answer[0] == "unopened" else answer
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _for_browser(request, asked: protocol.QueryRequest) -> bool:
        """Whether to answer with the HTML page: ``format=html``, or an ``Accept`` header that
        prefers HTML to every results and RDF format (a browser's), and no other ``format``."""
        if asked.forced:
            return False
        if "html" in request.query_params.getlist("format"):
            return True
        offers = [*RESULT_TYPES, *GRAPH_TYPES, "text/html"]
        return conneg.negotiate(asked.accept, offers) == "text/html"

    async def _page(self, request, asked: protocol.QueryRequest):
        """The page with the query in its form and its results (or why there are none)."""
        home = request.scope.get("root_path", "").rstrip("/") + "/"
        base = self.export.base

        def local(iri: str) -> str:
            return home + iri[len(base):] if iri.startswith(base) else iri

        def shown(status: int, result: str, graph: bool = False, truncated: int | None = None):
            body = sparql_page(action=str(request.url.path), home=home, description=DEFAULT_GRAPH,
                               query=asked.query, result=result, graph=graph, truncated=truncated)
            return _response(status, body.encode("utf-8"), "text/html", {"Vary": "Accept"})

        def failed(status: int, text: str):
            return shown(status, f'<p class="warning" role="alert">{html.escape(text)}</p>')

        try:
            answer = await self._run(asked)
        except QueryTimeout:
            return failed(503, f"The query took longer than {self.options.timeout:g} s and was stopped.")
        except QueryShed:
            return failed(503, "The endpoint is busy with long queries: try again later.")
        except QueryTooExpensive:
            return failed(503, "The query needs more memory than allowed: add LIMIT, or avoid ORDER BY / "
                               "GROUP BY over huge intermediate results.")
        except NoStore as error:
            return failed(503, str(error))
        except Exception as error:  # noqa: BLE001 - a worker that failed, a store that could not be opened
            return failed(500, f"The query failed: {error}")
        if answer[0] == "error":
            return failed(answer[1], answer[2])
        _, media, body, truncated, _count = answer
        return shown(200, results_html(media, body, local), graph=media != "application/sparql-results+json",
                     truncated=self.options.max_results if truncated else None)

    def _no_query(self, request, accept: str | None):
        choice = conneg.negotiate(accept, ["text/html", *_RDF_TYPES])
        if choice == "text/html":
            home = request.scope.get("root_path", "").rstrip("/") + "/"
            body = sparql_page(action=str(request.url.path), home=home, description=DEFAULT_GRAPH)
            return _response(200, body.encode("utf-8"), "text/html", {"Vary": "Accept"})
        if choice in GRAPH_TYPES:
            return _response(200, serialize_triples(choice, self.service_description()), choice,
                             {"Vary": "Accept"})
        return _error(400, "missing 'query' parameter (SPARQL 1.1 Protocol: "
                           "GET ?query=... or POST query=...)")

    def service_description(self) -> list:
        """The SPARQL 1.1 service description (``pyoxigraph.Triple`` s).

        ``sd:UnionDefaultGraph`` is what the default graph is: the RDF merge of the named
        graphs (each triple once), as the service description vocabulary defines it.
        """
        import pyoxigraph as ox

        def node(iri) -> ox.NamedNode:
            return ox.NamedNode(str(iri))

        endpoint = node(f"{self.export.base}{self.options.path.lstrip('/')}")
        triples = [
            ox.Triple(endpoint, node(RDF.type), node(SD.Service)),
            ox.Triple(endpoint, node(SD.endpoint), endpoint),
            ox.Triple(endpoint, node(SD.supportedLanguage), node(SD.SPARQL11Query)),
            ox.Triple(endpoint, node(SD.feature), node(SD.UnionDefaultGraph)),
            ox.Triple(endpoint, node(SD.defaultDataset), node(self.export.dataset_iri())),
            ox.Triple(endpoint, node(RDFS.comment), ox.Literal(DEFAULT_GRAPH, language="en")),
        ]
        triples += [ox.Triple(endpoint, node(SD.resultFormat), node(iri)) for iri in FORMAT_IRIS]
        return triples


def _response(status: int, body: bytes, media: str | None, headers: dict | None = None):
    all_headers = {**_CORS, **(headers or {})}
    response = Response(body, status_code=status, headers=all_headers)
    if media:
        response.headers["content-type"] = f"{media}; charset=utf-8" if media in CHARSET_TYPES else media
    return response


def _error(status: int, message: str, headers: dict | None = None):
    return _response(status, (message.rstrip() + "\n").encode("utf-8"), "text/plain", headers)
