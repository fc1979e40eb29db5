"""The SPARQL endpoint (``lod/serve/sparql.py``) over a real uvicorn server, with SPARQLWrapper.

Also home of the helpers the OAI-PMH tests share: :func:`export` (``lod export`` run
as a command, into the publish layout: documents, dumps, manifest, VoID, state and
journal) and :class:`LiveServer`.
"""

from __future__ import annotations

import csv
import io
import json
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
import requests

pytest.importorskip("starlette")
uvicorn = pytest.importorskip("uvicorn")
SPARQLWrapper = pytest.importorskip("SPARQLWrapper")

from SPARQLWrapper import (  # noqa: E402
    CSV, JSON, JSONLD, N3, POST, POSTDIRECTLY, RDFXML, TSV, TURTLE, XML, SPARQLWrapper as Wrapper,
)
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed  # noqa: E402

from conftest import document_files  # noqa: E402
from lod.serve import create_app  # noqa: E402
from lod.serve.options import OaiOptions, ServeOptions, SparqlOptions  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
BASE = "http://archive.example.org/"
INPUTS = [REPO / "tests/fixtures/records/sample.jsonl", REPO / "tests/fixtures/records/sample.csv",
          REPO / "samples/seed-record.txt"]
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
COUNT = ("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE "
         "{ GRAPH ?g { ?s ?p ?o } } }")
TIMEOUT = 2.0
MAX_RESULTS = 50
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")


# -- shared helpers: exports ----------------------------------------------------------------------

def read_journal(folder: Path) -> list[dict]:
    path = folder / "journal.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n")
            if line.strip()]


def void_graph(folder: Path) -> rdflib.Graph:
    return rdflib.Graph().parse(folder / "void.ttl", format="turtle")


def void_triples(folder: Path) -> int:
    graph = void_graph(folder)
    return int(graph.value(rdflib.URIRef(f"{BASE}id/dataset"), VOID.triples))


def void_title(folder: Path) -> str:
    graph = void_graph(folder)
    titles = list(graph.objects(rdflib.URIRef(f"{BASE}id/dataset"), rdflib.DCTERMS.title))
    return str(sorted(titles, key=lambda t: t.language != "en")[0])


def export(folder: Path, inputs: list[Path] | None = None, base: str = BASE, formats: str | None = None) -> dict:
    """``lod export --out folder --base base [--formats formats] inputs`` (again, for an incremental export).

    Returns ``{"keys", "triples", "journal"}`` of the export as it now is.
    """
    result = subprocess.run(
        [sys.executable, "-m", "lod", "export", "--out", str(folder), "--base", base,
         *(("--formats", formats) if formats else ()), *map(str, inputs or INPUTS)],
        cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode in (0, 1), result.stdout + result.stderr
    for name in ("manifest.json", "state.json", "journal.jsonl", "void.ttl"):
        assert (folder / name).exists(), f"lod export wrote no {name}"
    return {"keys": sorted(p.stem for p in document_files(folder, ".ttl")),
            "triples": void_triples(folder), "journal": read_journal(folder)}


def next_second() -> None:
    """Sleep into the next second: journal times and datestamps have second granularity."""
    time.sleep(1.05 - (time.time() % 1))


# -- shared helpers: the app on a real server ---------------------------------------------------

APP_OPTIONS = ServeOptions(
    sparql=SparqlOptions(timeout=TIMEOUT, max_results=MAX_RESULTS, workers=2, memory_limit=1024),
    oai=OaiOptions(page_size=3, admin_email="archive@example.org"))


def make_app(folder: Path, options: ServeOptions = APP_OPTIONS):
    """The service app over ``folder`` (its lifespan starts and stops the query workers)."""
    return create_app(folder, options)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """uvicorn serving ``app`` on 127.0.0.1 in a background thread."""

    def __init__(self, app):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                lifespan="auto")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert self.thread.is_alive(), "uvicorn did not start"
            assert time.monotonic() < deadline, "uvicorn did not start in 30 s"
            time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(timeout=30)


@pytest.fixture(scope="module")
def export_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sparql-export")
    return folder, export(folder)


@pytest.fixture(scope="module")
def server(export_dir):
    folder, info = export_dir
    app = make_app(folder)
    with LiveServer(app) as live:
        live.info = info
        live.folder = folder
        # warm up: store built, workers started
        requests.get(f"{live.url}/sparql", params={"query": "ASK {}"}, timeout=120)
        yield live


def wrapper(server, fmt=JSON, method=None) -> Wrapper:
    client = Wrapper(f"{server.url}/sparql")
    client.setReturnFormat(fmt)
    if method == POSTDIRECTLY:
        client.setMethod(POST)
        client.setRequestMethod(POSTDIRECTLY)
    elif method:
        client.setMethod(method)
    return client


TITLES = """PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?doc ?title WHERE { ?doc dcterms:title ?title } ORDER BY ?doc"""


# -- the tests -----------------------------------------------------------------------------------

@pytest.mark.parametrize("method", [None, POST, POSTDIRECTLY])
def test_triple_count_is_the_void_figure(server, method):
    client = wrapper(server, JSON, method)
    client.setQuery(COUNT)
    result = client.query().convert()
    count = int(result["results"]["bindings"][0]["n"]["value"])
    assert count == void_triples(server.folder) == server.info["triples"]
    assert count > 500


def test_union_default_graph_and_named_graphs(server):
    keys = server.info["keys"]
    client = wrapper(server)
    client.setQuery("SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert int(client.query().convert()["results"]["bindings"][0]["n"]["value"]) == len(keys)
    client.setQuery(f"ASK {{ <{BASE}id/document/{keys[0]}> a <http://schema.org/ArchiveComponent> }}")
    assert client.query().convert()["boolean"] is True


def _select_rows(server, fmt):
    client = wrapper(server, fmt)
    client.setQuery(TITLES)
    return client.query()


def test_select_in_every_results_format(server):
    keys = server.info["keys"]
    expected_docs = [f"{BASE}id/document/{k}" for k in keys]

    result = _select_rows(server, JSON)
    assert result.response.headers["Content-Type"].startswith("application/sparql-results+json")
    data = result.convert()
    assert data["head"]["vars"] == ["doc", "title"]
    rows = data["results"]["bindings"]
    assert [r["doc"]["value"] for r in rows] == expected_docs
    assert all(r["doc"]["type"] == "uri" and r["title"]["xml:lang"] == "en" for r in rows)
    titles = [r["title"]["value"] for r in rows]

    result = _select_rows(server, XML)
    assert result.response.headers["Content-Type"].startswith("application/sparql-results+xml")
    body = result.response.read()
    ET.fromstring(body)  # well-formed
    parsed = list(ox.parse_query_results(body, format=ox.QueryResultsFormat.XML))
    assert [s["doc"].value for s in parsed] == expected_docs
    assert [s["title"].value for s in parsed] == titles

    result = _select_rows(server, CSV)
    assert result.response.headers["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(result.convert().decode("utf-8"))))
    assert table[0] == ["doc", "title"]
    assert [row[0] for row in table[1:]] == expected_docs
    assert [row[1] for row in table[1:]] == titles

    result = _select_rows(server, TSV)
    assert result.response.headers["Content-Type"].startswith("text/tab-separated-values")
    body = result.convert()
    assert body.decode().splitlines()[0] == "?doc\t?title"
    parsed = list(ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV))
    assert [s["doc"].value for s in parsed] == expected_docs
    assert [s["title"].value for s in parsed] == titles
    assert all(s["title"].language == "en" for s in parsed)


def test_results_xml_stays_well_formed(server):
    query = 'SELECT ?x WHERE { BIND("a\\u0001b <&> \\U0001D518" AS ?x) }'
    response = requests.get(f"{server.url}/sparql", params={"query": query}, timeout=30,
                            headers={"Accept": "application/sparql-results+xml"})
    assert response.status_code == 200
    literal = ET.fromstring(response.content).find(".//{http://www.w3.org/2005/sparql-results#}literal")
    assert literal.text == "a\ufffdb <&> \U0001D518"


@pytest.mark.parametrize("accept,parse", [
    ("application/sparql-results+json", lambda b: json.loads(b)["boolean"]),
    ("application/sparql-results+xml",
     lambda b: ET.fromstring(b).find("{http://www.w3.org/2005/sparql-results#}boolean").text == "true"),
])
def test_ask(server, accept, parse):
    response = requests.get(f"{server.url}/sparql", params={"query": "ASK { ?s ?p ?o }"},
                            headers={"Accept": accept}, timeout=30)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(accept)
    assert parse(response.content) is True


CONSTRUCT = """PREFIX schema: <http://schema.org/>
CONSTRUCT { ?doc schema:name ?name ; a schema:ArchiveComponent }
WHERE { ?doc a schema:ArchiveComponent ; schema:name ?name }"""


def test_construct_returns_turtle(server):
    client = wrapper(server, TURTLE)
    client.setQuery(CONSTRUCT)
    result = client.query()
    assert result.response.headers["Content-Type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=result.convert(), format="turtle")
    assert len(graph) == 2 * len(server.info["keys"])
    assert (rdflib.URIRef(f"{BASE}id/document/{server.info['keys'][0]}"), rdflib.RDF.type,
            rdflib.URIRef("http://schema.org/ArchiveComponent")) in graph


@pytest.mark.parametrize("fmt,accept,rdflib_format", [
    (RDFXML, "application/rdf+xml", "xml"),
    (JSONLD, "application/ld+json", "json-ld"),
    (N3, "text/turtle", "turtle"),
])
def test_construct_in_other_rdf_formats(server, fmt, accept, rdflib_format):
    client = wrapper(server, fmt)
    client.setQuery(CONSTRUCT)
    result = client.query()
    assert result.response.headers["Content-Type"].startswith(accept)
    graph = rdflib.Graph().parse(data=result.response.read(), format=rdflib_format)
    assert len(graph) == 2 * len(server.info["keys"])


def test_construct_ntriples_and_describe(server):
    response = requests.get(f"{server.url}/sparql", params={"query": CONSTRUCT},
                            headers={"Accept": "application/n-triples"}, timeout=30)
    assert response.headers["content-type"].startswith("application/n-triples")
    assert len(rdflib.Graph().parse(data=response.text, format="nt")) == 2 * len(server.info["keys"])
    key = server.info["keys"][0]
    response = requests.get(f"{server.url}/sparql",
                            params={"query": f"DESCRIBE <{BASE}id/document/{key}>"},
                            headers={"Accept": "text/turtle"}, timeout=30)
    assert response.status_code == 200
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    assert (rdflib.URIRef(f"{BASE}id/document/{key}"), rdflib.RDF.type,
            rdflib.URIRef("http://schema.org/ArchiveComponent")) in graph


def test_protocol_dataset_parameters(server):
    key = server.info["keys"][0]
    graph = f"{BASE}doc/document/{key}"
    manifest = json.loads((server.folder / "manifest.json").read_text())
    expected = sum((f.get("graphs") or {}).get(graph, 0) for f in manifest["files"]
                   if f["media_type"] == "application/n-quads")
    assert expected > 10
    response = requests.get(f"{server.url}/sparql", timeout=30, params={
        "query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "default-graph-uri": graph},
        headers={"Accept": "application/sparql-results+json"})
    assert int(response.json()["results"]["bindings"][0]["n"]["value"]) == expected
    response = requests.post(f"{server.url}/sparql", timeout=30, data={
        "query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": graph},
        headers={"Accept": "application/sparql-results+json"})
    assert [b["g"]["value"] for b in response.json()["results"]["bindings"]] == [graph]
    response = requests.get(f"{server.url}/sparql", timeout=30, params={
        "query": "ASK {}", "default-graph-uri": "not an iri"})
    assert response.status_code == 400


@pytest.mark.parametrize("request_kwargs", [
    {"method": "POST", "data": {"update": "INSERT DATA { <http://a> <http://b> <http://c> }"}},
    {"method": "GET", "params": {"update": "CLEAR ALL"}},
    {"method": "POST", "data": "DROP ALL",
     "headers": {"Content-Type": "application/sparql-update"}},
    {"method": "GET", "params": {"query": "DELETE WHERE { ?s ?p ?o }"}},
    {"method": "POST", "data": "PREFIX ex: <http://e/> # comment\n insert data { ex:a ex:b ex:c }",
     "headers": {"Content-Type": "application/sparql-query"}},
    {"method": "GET", "params": {"query": "\\u0044ROP ALL"}},
])
def test_updates_are_refused(server, request_kwargs):
    kwargs = dict(request_kwargs)
    response = requests.request(kwargs.pop("method"), f"{server.url}/sparql", timeout=30, **kwargs)
    assert response.status_code == 403
    assert "read-only" in response.text


def test_update_with_sparqlwrapper_is_refused_and_changes_nothing(server):
    client = wrapper(server, JSON, POST)
    client.setQuery("DELETE WHERE { GRAPH ?g { ?s ?p ?o } }")
    with pytest.raises(urllib.error.HTTPError) as raised:
        client.query()
    assert raised.value.code == 403
    client = wrapper(server)
    client.setQuery(COUNT)
    assert int(client.query().convert()["results"]["bindings"][0]["n"]["value"]) == server.info["triples"]


def test_malformed_query_is_400_with_the_parser_message(server):
    client = wrapper(server)
    client.setQuery("SELECT ?s WHERE { ?s ?p }")
    with pytest.raises(QueryBadFormed):
        client.query()
    response = requests.get(f"{server.url}/sparql", params={"query": "SELECT ?s WHERE { ?s ?p }"},
                            timeout=30)
    assert response.status_code == 400
    assert response.text.startswith("malformed query:")
    assert re.search(r"\d+:\d+", response.text)  # the parser's position


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
    "select * where { service silent <http://169.254.169.254/> { ?s ?p ?o } }",
    "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }",
    # an escaped '#' in a prefixed name does not start a comment
    "PREFIX ex: <http://e/> SELECT * { ?s ?p ex:a\\#b . SERVICE <http://127.0.0.1:1/> {} }",
    # a \\u escape in an IRI; SERVICE in a comment
    "SELECT * { ?s ?p <http://e/\\u0041#> . SERVICE <http://127.0.0.1:1/> { } }",
    "SELECT * WHERE { ?s ?p ?o } # SERVICE",
])
def test_federated_queries_are_refused(server, query):
    response = requests.get(f"{server.url}/sparql", params={"query": query}, timeout=30)
    assert response.status_code == 400
    assert "SERVICE" in response.text


def test_service_in_a_string_or_iri_is_fine(server):
    query = ('SELECT ?x WHERE { BIND("SERVICE <http://x/> {}" AS ?x) '
             'FILTER(?x != <http://example.org/SERVICE>) }')
    response = requests.get(f"{server.url}/sparql", params={"query": query},
                            headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert response.status_code == 200
    assert response.json()["results"]["bindings"][0]["x"]["value"].startswith("SERVICE")


def test_bad_requests(server):
    url = f"{server.url}/sparql"
    assert requests.get(url, params=[("query", "ASK {}"), ("query", "ASK {}")],
                        timeout=30).status_code == 400
    assert requests.post(url, data="ASK {}", headers={"Content-Type": "text/plain"},
                         timeout=30).status_code == 415
    assert requests.get(url, params={"query": "  "}, timeout=30).status_code == 400
    assert requests.get(f"{url}?query=ASK%20%7B%7D%FF", timeout=30).status_code == 400
    assert requests.post(url, data=b"q" * (300 * 1024),
                         headers={"Content-Type": "application/sparql-query"},
                         timeout=30).status_code == 413
    assert requests.get(url, headers={"Accept": "application/sparql-results+json"},
                        timeout=30).status_code == 400  # no query
    response = requests.get(url, params={"query": "ASK {}"}, headers={"Accept": "image/png"},
                            timeout=30)
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.text
    response = requests.get(url, params={"query": CONSTRUCT},
                            headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert response.status_code == 406
    assert "text/turtle" in response.text


def test_format_parameter_and_q_values(server):
    url = f"{server.url}/sparql"
    response = requests.get(url, params={"query": TITLES, "format": "csv"},
                            headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert response.headers["content-type"].startswith("text/csv")
    response = requests.get(url, params={"query": TITLES}, timeout=30, headers={
        "Accept": "application/sparql-results+json;q=0.5, text/tab-separated-values"})
    assert response.headers["content-type"].startswith("text/tab-separated-values")
    response = requests.get(url, params={"query": TITLES, "format": "turtle"}, timeout=30)
    assert response.status_code == 406


def test_html_form(server):
    response = requests.get(f"{server.url}/sparql", timeout=30,
                            headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert '<form method="get"' in response.text and 'name="query"' in response.text
    response = requests.get(f"{server.url}/sparql", headers={"Accept": "text/turtle"}, timeout=30)
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    assert (None, rdflib.RDF.type, sd.Service) in graph


def test_result_size_limit_truncates(server):
    client = wrapper(server)
    client.setQuery("SELECT * WHERE { ?s ?p ?o }")
    result = client.query()
    assert result.response.headers["X-Result-Truncated"] == "true"
    assert result.response.headers["X-Result-Limit"] == str(MAX_RESULTS)
    assert len(result.convert()["results"]["bindings"]) == MAX_RESULTS

    client = wrapper(server, TURTLE)
    client.setQuery("CONSTRUCT WHERE { ?s ?p ?o }")
    result = client.query()
    assert result.response.headers["X-Result-Truncated"] == "true"
    assert len(rdflib.Graph().parse(data=result.convert(), format="turtle")) == MAX_RESULTS

    client = wrapper(server)
    client.setQuery(f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {MAX_RESULTS}")
    result = client.query()
    assert "X-Result-Truncated" not in result.response.headers
    assert len(result.convert()["results"]["bindings"]) == MAX_RESULTS


def test_runaway_query_times_out_while_the_server_keeps_answering(server):
    key = server.info["keys"][0]
    with ThreadPoolExecutor(max_workers=1) as pool:
        started = time.monotonic()
        runaway = pool.submit(requests.get, f"{server.url}/sparql", params={"query": RUNAWAY},
                              headers={"Accept": "application/sparql-results+json"}, timeout=60)
        time.sleep(0.3)
        for _ in range(5):
            t0 = time.monotonic()
            response = requests.get(f"{server.url}/doc/document/{key}",
                                    headers={"Accept": "text/turtle"}, timeout=10)
            assert response.status_code == 200
            assert time.monotonic() - t0 < 1.0
        assert not runaway.done()  # the document answers came while the query ran
        response = runaway.result()
        elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.text.strip() == f"query timed out after {TIMEOUT:g} s"
    assert TIMEOUT <= elapsed < TIMEOUT + 5
    # the killed worker was replaced: queries keep working
    client = wrapper(server)
    client.setQuery("ASK { ?s ?p ?o }")
    assert client.query().convert()["boolean"] is True


def test_runaway_queries_in_parallel_all_end(server):
    with ThreadPoolExecutor(max_workers=3) as pool:
        started = time.monotonic()
        futures = [pool.submit(requests.get, f"{server.url}/sparql", params={"query": RUNAWAY},
                               timeout=60) for _ in range(3)]
        statuses = [f.result().status_code for f in futures]
    assert statuses == [503, 503, 503]
    assert time.monotonic() - started < TIMEOUT + 5


def test_memory_hungry_query_is_stopped(server):
    query = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?i"
    started = time.monotonic()
    response = requests.get(f"{server.url}/sparql", params={"query": query}, timeout=60)
    assert response.status_code == 503
    assert "memory" in response.text or "timed out" in response.text
    assert time.monotonic() - started < TIMEOUT + 5
    client = wrapper(server)
    client.setQuery("ASK { ?s ?p ?o }")
    assert client.query().convert()["boolean"] is True


def test_store_follows_a_changed_export(tmp_path):
    info = export(tmp_path)
    app = make_app(tmp_path)
    with LiveServer(app) as live:
        def count():
            response = requests.get(f"{live.url}/sparql", params={"query": COUNT}, timeout=60,
                                    headers={"Accept": "application/sparql-results+json"})
            return int(response.json()["results"]["bindings"][0]["n"]["value"])

        assert count() == info["triples"]
        smaller = export(tmp_path, INPUTS[:1])  # records removed from the input
        assert len(smaller["keys"]) < len(info["keys"])
        assert smaller["triples"] < info["triples"]
        assert count() == smaller["triples"]


def test_query_workers_cannot_reach_the_network(tmp_path):
    """Defence in depth behind the SERVICE check: workers run in an empty network namespace
    where the platform allows it (skipped elsewhere)."""
    import asyncio

    from lod.serve.sparql.workers import PING, Job, QueryPool

    store = ox.Store(str(tmp_path / "store"))
    store.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal("o"),
                      ox.NamedNode("http://e/g")))
    store.flush()
    del store
    connections = []
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    port = listener.getsockname()[1]

    def accept():
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                connections.append(listener.accept()[0])
            except OSError:
                pass

    watcher = threading.Thread(target=accept)
    watcher.start()
    pool = QueryPool(1)

    async def run():
        pong = await pool.run(PING, 30)
        if not pong[1]:
            return None
        return await pool.run(Job(
            query=f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
            store=str(tmp_path / "store"), limit=10), 30)

    try:
        answer = asyncio.run(run())
    finally:
        pool.close()
        watcher.join()
        listener.close()
    if answer is None:
        pytest.skip("no network namespace for the workers on this platform")
    assert answer[0] == "error"
    assert connections == []


def _count(client: Wrapper, query: str) -> int:
    client.setQuery(query)
    return int(client.query().convert()["results"]["bindings"][0]["n"]["value"])


def _graph_sizes(server) -> dict[str, int]:
    manifest = json.loads((server.folder / "manifest.json").read_text())
    sizes: dict[str, int] = {}
    for entry in manifest["files"]:
        if entry["media_type"] == "application/n-quads":
            for graph, count in (entry.get("graphs") or {}).items():
                sizes[graph] = sizes.get(graph, 0) + count
    return sizes


def test_default_graph_is_the_merge_each_triple_once(server):
    """A triple several documents state is one solution over the default graph, not one per graph."""
    client = wrapper(server)
    assert _count(client, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == server.info["triples"]
    assert sum(_graph_sizes(server).values()) > server.info["triples"]  # graphs do share triples
    client.setQuery("SELECT ?s ?p ?o (COUNT(?g) AS ?graphs) WHERE { GRAPH ?g { ?s ?p ?o } } "
                    "GROUP BY ?s ?p ?o HAVING (COUNT(?g) > 1) ORDER BY ?s ?p ?o LIMIT 1")
    shared = client.query().convert()["results"]["bindings"][0]
    assert int(shared["graphs"]["value"]) > 1
    subject, predicate = shared["s"]["value"], shared["p"]["value"]
    literal = shared["o"]
    client.setQuery(f"SELECT ?o WHERE {{ <{subject}> <{predicate}> ?o }}")
    values = [b["o"] for b in client.query().convert()["results"]["bindings"]]
    assert values.count(literal) == 1


def test_rdflib_sparql_store_counts_each_triple_once(server):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = rdflib.Graph(SPARQLStore(f"{server.url}/sparql", returnFormat="json"))
    rows = list(graph.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))
    assert int(rows[0][0]) == server.info["triples"]


def test_from_and_from_named_are_honoured(server):
    sizes = _graph_sizes(server)
    first, second = sorted(sizes)[:2]
    client = wrapper(server)
    assert _count(client, f"SELECT (COUNT(*) AS ?n) FROM <{first}> WHERE {{ ?s ?p ?o }}") == sizes[first]
    assert _count(client, f"SELECT (COUNT(*) AS ?n) FROM <{BASE}no-such-graph> WHERE {{ ?s ?p ?o }}") == 0
    both = _count(client, f"SELECT (COUNT(*) AS ?n) FROM <{first}> FROM <{second}> WHERE {{ ?s ?p ?o }}")
    assert max(sizes[first], sizes[second]) <= both <= sizes[first] + sizes[second]
    client.setQuery(f"SELECT DISTINCT ?g FROM NAMED <{second}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}")
    assert [b["g"]["value"] for b in client.query().convert()["results"]["bindings"]] == [second]
    # FROM NAMED alone: the default graph is empty (SPARQL 1.1 §13.2)
    assert _count(client, f"SELECT (COUNT(*) AS ?n) FROM NAMED <{second}> WHERE {{ ?s ?p ?o }}") == 0


def test_protocol_dataset_overrides_from(server):
    sizes = _graph_sizes(server)
    first, second = sorted(sizes)[:2]
    client = wrapper(server)
    client.addDefaultGraph(second)
    assert _count(client, f"SELECT (COUNT(*) AS ?n) FROM <{first}> WHERE {{ ?s ?p ?o }}") == sizes[second]
    client = wrapper(server)
    client.addNamedGraph(first)
    client.setQuery(f"SELECT DISTINCT ?g FROM NAMED <{second}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}")
    assert [b["g"]["value"] for b in client.query().convert()["results"]["bindings"]] == [first]


def test_service_description_says_what_the_default_graph_is(server):
    response = requests.get(f"{server.url}/sparql", headers={"Accept": "text/turtle"}, timeout=30)
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    endpoint = graph.value(None, rdflib.RDF.type, sd.Service)
    assert (endpoint, sd.feature, sd.UnionDefaultGraph) in graph  # sd: "the RDF merge of the named graphs"
    assert "RDF merge" in str(graph.value(endpoint, rdflib.RDFS.comment))


# -- admission control: runaway queries do not starve a short one -------------------------------------

BUSY_TIMEOUT = 8.0


@pytest.fixture(scope="module")
def busy_server(export_dir):
    """Five query workers, so four runaway queries can run while a fifth is turned away."""
    folder, info = export_dir
    options = ServeOptions(sparql=SparqlOptions(timeout=BUSY_TIMEOUT, workers=5, memory_limit=1024),
                           oai=APP_OPTIONS.oai)
    with LiveServer(make_app(folder, options)) as live:
        requests.get(f"{live.url}/sparql", params={"query": "ASK {}"}, timeout=120)
        yield live


def test_short_ask_answers_within_a_second_while_four_runaways_run(busy_server):
    def runaway():
        started = time.monotonic()
        response = requests.get(f"{busy_server.url}/sparql", params={"query": RUNAWAY}, timeout=60)
        return response, time.monotonic() - started

    with ThreadPoolExecutor(max_workers=5) as pool:
        runaways = [pool.submit(runaway) for _ in range(5)]
        # One worker is kept for short queries: the fifth runaway is stopped once it has run 1 s.
        deadline = time.monotonic() + 20
        while not any(f.done() for f in runaways) and time.monotonic() < deadline:
            time.sleep(0.05)
        shed = [f.result() for f in runaways if f.done()]
        assert len(shed) == 1
        response, seconds = shed[0]
        assert response.status_code == 503 and "busy" in response.text
        assert int(response.headers["Retry-After"]) >= 1 and seconds < BUSY_TIMEOUT
        running = [f for f in runaways if not f.done()]
        assert len(running) == 4
        latencies = []
        for _ in range(3):
            client = wrapper(busy_server)
            client.setQuery("ASK { ?s a ?type }")
            started = time.monotonic()
            assert client.query().convert()["boolean"] is True
            latencies.append(time.monotonic() - started)
        assert not any(f.done() for f in running)  # the four were still running meanwhile
        assert max(latencies) < 1.0, latencies
        outcomes = [f.result() for f in running]
    for response, seconds in outcomes:
        assert response.status_code == 503 and "timed out" in response.text
        assert seconds >= BUSY_TIMEOUT - 0.5


def test_query_workers_default_to_a_process_per_core_plus_the_one_for_short_queries(monkeypatch):
    from lod.serve import options

    monkeypatch.setattr(options.os, "cpu_count", lambda: 2)
    assert options.SparqlOptions().workers == 3
    monkeypatch.setattr(options.os, "cpu_count", lambda: None)
    assert options.SparqlOptions().workers == 2
    assert options.SparqlOptions(workers=5).workers == 5
