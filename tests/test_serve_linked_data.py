"""``lod serve``: the linked-data service, tested over HTTP against the real server.

The fixture exports ``samples/seed-record.txt`` (plus one JSON Lines record with
people, places, subjects and Wikidata links) with ``--base`` set to the address the
server will listen on, so every minted IRI dereferences to this very server; then it
runs uvicorn in a background thread on a free loopback port. The checks are what a
harvester or ``curl`` does: redirects, content negotiation, caching headers, CORS,
range requests, and abuse (path traversal, oversized or malformed requests).

Pieces of the export folder that publish does not write yet (manifest, dumps, VoID,
change feed, sitemap, state, journal) are written by :func:`publish_pieces` in
exactly the shape of the export-folder contract, and the folder is laid out the way
publish swaps exports atomically: ``DIR/.lod/<generation>/`` with ``DIR/.lod/current``
pointing at it and the top-level entries as symlinks through ``current``.
"""

from __future__ import annotations

import email.utils
import gzip
import hashlib
import html
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

from conftest import document_file, document_files  # noqa: E402
from lod.publish.layout import document_file as document_file_name  # noqa: E402
from lod.serve import conneg, running  # noqa: E402
from lod.serve.folder import Export  # noqa: E402
from lod.serve.options import OaiOptions, ServeOptions, SparqlOptions  # noqa: E402
from lod.serve.store import QueryStore  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "samples" / "seed-record.txt"
SECRET = "TOP-SECRET-NOT-FOR-CLIENTS"
SEED_KEY = "communist-party-soviet-union-central-committee-report-8-october-conversation-between-322d94e2--1956-10-15"

#: One more document with authors, contributors, places, a subject and Wikidata links.
EXTRA_RECORD = {
    "title": "Memorandum of Conversation between Mao Zedong and Kim Il Sung",
    "original_publication_date": "November 1958",
    "summary": 'Mao and Kim discuss <the> "withdrawal" & other matters. </script><!--',
    "text_body": "Mao Zedong: Welcome.\nKim Il Sung: Thank you.",
    "authors": ["Mao Zedong"],
    "document_contributors": ["Kim Il Sung", "Zhou Enlai"],
    "associated_places": ["China", "North Korea"],
    "subjects_discussed": ["China--Foreign relations--Korea (North)"],
    "record_id": "114567",
    "rights": "Public domain.",
    "language": ["Chinese"],
    "original_archive_title": ["PRC FMA"],
    "original_classification": "Top Secret",
    "wikidata": {"Mao Zedong": "Q5816", "Kim Il Sung": "Q41117", "China": "Q148"},
    "document_url": "https://digitalarchive.wilsoncenter.org/document/114567",
}
EXTRA_KEY = "114567"

FORMATS = {  # extension -> (media type, pyoxigraph format)
    "ttl": ("text/turtle", ox.RdfFormat.TURTLE),
    "jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD),
    "nt": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    "rdf": ("application/rdf+xml", ox.RdfFormat.RDF_XML),
}
HTML = "text/html"
ADMIN = "archive@example.org"


# -- building the export --------------------------------------------------------------------------

def run_export(out: Path, base: str, inputs: list[Path]) -> None:
    result = subprocess.run([sys.executable, "-m", "lod", "export", "--out", str(out), "--base", base,
                             *map(str, inputs)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def _gzip(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as handle:
        handle.write("".join(lines).encode("utf-8"))


def _file_entry(folder: Path, relative: str, **fields) -> dict:
    data = (folder / relative).read_bytes()
    return {"path": relative, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(), **fields}


def publish_pieces(folder: Path, base: str) -> None:
    """Write what publish writes (the export-folder contract) from ``documents/*.ttl``."""
    keys = sorted(p.name[:-4] for p in document_files(folder, ".ttl"))
    triples, quads, graphs = set(), set(), {}
    for key in keys:
        graph = ox.NamedNode(f"{base}doc/document/{key}")
        parsed = set(ox.parse(path=document_file(folder, key, ".ttl"), format=ox.RdfFormat.TURTLE))
        graphs[graph.value] = len(parsed)
        triples |= parsed
        quads |= {ox.Quad(t.subject, t.predicate, t.object, graph) for t in parsed}
    _gzip(folder / "dumps" / "dataset-00001.nt.gz", sorted(f"{t} .\n" for t in triples))
    _gzip(folder / "dumps" / "documents-00001.nq.gz", sorted(f"{q} .\n" for q in quads))
    store = ox.Store(str(folder / "store"))  # named graphs, and their merge as the default graph
    store.extend(quads)
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    store.flush()
    del store
    manifest = {"base": base, "files": [
        _file_entry(folder, "dumps/dataset-00001.nt.gz", triples=len(triples),
                    media_type="application/n-triples", encoding="gzip"),
        _file_entry(folder, "dumps/documents-00001.nq.gz", triples=len(quads),
                    media_type="application/n-quads", encoding="gzip", graphs=graphs),
    ]}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")

    dataset = f"{base}id/dataset"
    subjects = {t.subject.value for t in triples}
    (folder / "void.ttl").write_text(f"""\
@prefix void: <http://rdfs.org/ns/void#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix schema: <http://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<{dataset}> a void:Dataset, dcat:Dataset, schema:Dataset ;
    dcterms:title "Test archive of historical documents"@en ;
    dcterms:description "Documents <b>exported</b> by lod for the serve tests."@en ;
    dcterms:license <https://creativecommons.org/publicdomain/zero/1.0/> ;
    dcterms:publisher "The test suite" ;
    dcterms:modified "2026-11-28T07:00:00Z"^^xsd:dateTime ;
    void:triples {len(triples)} ;
    void:entities {len(subjects)} ;
    void:distinctSubjects {len(subjects)} ;
    void:uriSpace "{base}id/" ;
    void:exampleResource <{base}id/document/{keys[0]}> ;
    void:dataDump <{base}dumps/dataset-00001.nt.gz>, <{base}dumps/documents-00001.nq.gz> .
""", encoding="utf-8")
    void_triples = list(ox.parse(path=folder / "void.ttl", format=ox.RdfFormat.TURTLE))
    (folder / "void.jsonld").write_bytes(ox.serialize(void_triples, format=ox.RdfFormat.JSON_LD))

    time_stamp = "2026-11-28T07:00:00Z"
    state = {"version": 1, "documents": {key: {"digest": hashlib.sha256(key.encode()).hexdigest(),
                                               "first_seen": time_stamp, "modified": time_stamp}
                                         for key in keys}}
    state["checksum"] = hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()
    (folder / "state.json").write_text(json.dumps(state), encoding="utf-8")
    journal = [{"seq": n, "time": time_stamp, "type": "Create", "key": key} for n, key in enumerate(keys, 1)]
    (folder / "journal.jsonl").write_text("".join(json.dumps(e) + "\n" for e in journal), encoding="utf-8")

    context = "https://www.w3.org/ns/activitystreams"
    (folder / "changes").mkdir(exist_ok=True)
    (folder / "changes" / "collection.json").write_text(json.dumps({
        "@context": context, "id": f"{base}changes/", "type": "OrderedCollection",
        "totalItems": len(journal), "first": {"id": f"{base}changes/page-00001.json", "type": "OrderedCollectionPage"},
        "last": {"id": f"{base}changes/page-00001.json", "type": "OrderedCollectionPage"}}), encoding="utf-8")
    (folder / "changes" / "page-00001.json").write_text(json.dumps({
        "@context": context, "id": f"{base}changes/page-00001.json", "type": "OrderedCollectionPage",
        "partOf": f"{base}changes/", "orderedItems": [
            {"type": e["type"], "endTime": e["time"],
             "object": {"id": f"{base}id/document/{e['key']}", "type": "Document"}} for e in journal]}),
        encoding="utf-8")
    urls = "".join(f"<url><loc>{base}doc/document/{k}</loc><lastmod>{time_stamp}</lastmod></url>" for k in keys)
    (folder / "sitemap.xml").write_text(
        f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{urls}</urlset>\n", encoding="utf-8")


def swap_layout(folder: Path, generation: str = "gen-1") -> None:
    """Move the export into ``DIR/.lod/<generation>`` behind ``DIR/.lod/current`` symlinks."""
    lod = folder / ".lod"
    target = lod / generation
    target.mkdir(parents=True)
    for entry in list(folder.iterdir()):
        if entry.name != ".lod":
            shutil.move(str(entry), target / entry.name)
    os.symlink(generation, lod / "current")
    for entry in target.iterdir():
        os.symlink(Path(".lod") / "current" / entry.name, folder / entry.name)
    (lod / "secret.txt").write_text(SECRET, encoding="utf-8")


def switch_generation(folder: Path, generation: str) -> None:
    """Point ``DIR/.lod/current`` at another generation atomically (rename over the link)."""
    temporary = folder / ".lod" / "current.new"
    os.symlink(generation, temporary)
    os.replace(temporary, folder / ".lod" / "current")


def build_site(folder: Path, base: str) -> None:
    scratch = folder.parent / (folder.name + "-input")
    scratch.mkdir(exist_ok=True)
    extra = scratch / "extra.jsonl"
    extra.write_text(json.dumps(EXTRA_RECORD) + "\n", encoding="utf-8")
    run_export(folder, base, [SEED, extra])
    if not (folder / "manifest.json").exists():
        publish_pieces(folder, base)
    if not (folder / ".lod" / "current").exists():
        swap_layout(folder)
    else:
        (folder / ".lod" / "secret.txt").write_text(SECRET, encoding="utf-8")
    (folder.parent / "outside.txt").write_text(SECRET, encoding="utf-8")


def bound_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


class Site:
    def __init__(self, url: str, folder: Path):
        self.url = url
        self.base = url
        self.folder = folder
        self.port = int(url.rstrip("/").rsplit(":", 1)[1])

    def get(self, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", 30)
        return requests.get(self.url + path.lstrip("/"), **kwargs)

    def keys(self) -> list[str]:
        return Export(self.folder).keys()

    def turtle(self, key: str) -> bytes:
        return document_file(self.folder, key, ".ttl").read_bytes()

    def triples(self, key: str) -> set:
        return set(ox.parse(self.turtle(key), ox.RdfFormat.TURTLE))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve") / "export"
    sock = bound_socket()
    base = f"http://127.0.0.1:{sock.getsockname()[1]}/"
    build_site(folder, base)
    options = ServeOptions(sparql=SparqlOptions(timeout=3), oai=OaiOptions(admin_email=ADMIN))
    with running(folder, sock=sock, options=options) as url:
        assert url == base
        yield Site(url, folder)


def raw_request(site: Site, data: bytes, timeout: float = 10) -> tuple[int, bytes]:
    """Send raw bytes; the status code (0 if the server just closed) and the whole answer."""
    with socket.create_connection(("127.0.0.1", site.port), timeout=timeout) as conn:
        conn.sendall(data)
        chunks = []
        try:
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
                if b"\r\n\r\n" in b"".join(chunks) and b"connection: close" not in b"".join(chunks).lower():
                    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
                    length = [int(line.split(b":")[1]) for line in head.split(b"\r\n")
                              if line.lower().startswith(b"content-length:")]
                    if length and len(body) >= length[0]:
                        break
        except (ConnectionResetError, socket.timeout):
            pass
    answer = b"".join(chunks)
    if not answer.startswith(b"HTTP/1.1 "):
        return 0, answer
    return int(answer[9:12]), answer


def path_request(site: Site, path: str, headers: dict | None = None) -> tuple[int, bytes]:
    """GET a path exactly as written (requests/urllib3 would normalise dot segments)."""
    conn = http.client.HTTPConnection("127.0.0.1", site.port, timeout=10)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def media(response: requests.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip()


# -- Cool URIs: 303 and content negotiation -----------------------------------------------------------

def test_thing_iri_303_then_turtle(site):
    iri = f"{site.base}id/document/{SEED_KEY}"
    first = requests.get(iri, headers={"Accept": "text/turtle"}, allow_redirects=False, timeout=30)
    assert first.status_code == 303
    assert first.headers["location"] == f"/doc/document/{SEED_KEY}"
    assert f'</doc/document/{SEED_KEY}>; rel="describedby"' in first.headers["link"]
    assert first.headers["access-control-allow-origin"] == "*"
    final = requests.get(iri, headers={"Accept": "text/turtle"}, timeout=30)
    assert final.status_code == 200
    assert final.url == f"{site.base}doc/document/{SEED_KEY}"
    assert media(final) == "text/turtle"
    assert final.content == site.turtle(SEED_KEY)
    assert final.headers["vary"] == "Accept"
    assert final.headers["content-location"] == f"/doc/document/{SEED_KEY}.ttl"
    subjects = {t.subject.value for t in ox.parse(final.content, ox.RdfFormat.TURTLE)}
    assert iri in subjects


@pytest.mark.parametrize("ext", sorted(FORMATS))
def test_every_format_by_extension_and_by_accept(site, ext):
    media_type, syntax = FORMATS[ext]
    for key in site.keys():
        expected = site.triples(key)
        by_extension = site.get(f"doc/document/{key}.{ext}")
        by_accept = site.get(f"doc/document/{key}", headers={"Accept": media_type})
        for response in (by_extension, by_accept):
            assert response.status_code == 200, response.text
            assert media(response) == media_type
            assert set(ox.parse(response.content, syntax)) == expected
        assert by_extension.content == by_accept.content
        assert by_extension.headers["etag"] == by_accept.headers["etag"]
        assert "vary" not in by_extension.headers


def test_html_by_extension_and_by_browser_accept(site):
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
    page = site.get(f"doc/document/{SEED_KEY}", headers={"Accept": browser})
    assert page.status_code == 200 and media(page) == HTML
    assert page.content == site.get(f"doc/document/{SEED_KEY}.html").content
    assert "Communist Party of the Soviet Union Central Committee Report" in page.text
    thing = requests.get(f"{site.base}id/document/{SEED_KEY}", headers={"Accept": browser}, timeout=30)
    assert thing.history[0].status_code == 303 and media(thing) == HTML


def test_state_is_read_as_written_with_one_copy_of_each_time_stamp(site):
    state = Export(site.folder).state()
    assert state == json.loads((site.folder / "state.json").read_text(encoding="utf-8"))
    entries = list(state["documents"].values())
    assert entries[0]["first_seen"] is entries[1]["first_seen"]


def test_document_page_shows_the_original_classification(site):
    page = site.get(f"doc/document/{EXTRA_KEY}.html")
    assert "<dt>Conditions of access</dt><dd>Original classification: Top Secret</dd>" in page.text


@pytest.mark.parametrize("accept, expected", [
    (None, "text/turtle"),
    ("*/*", "text/turtle"),
    ("text/*", "text/turtle"),
    ("application/*", "application/ld+json"),
    ("text/turtle;q=0.5, application/ld+json;q=0.9", "application/ld+json"),
    ("application/ld+json;q=0.2, application/rdf+xml", "application/rdf+xml"),
    ("*/*;q=0.1, application/n-triples", "application/n-triples"),
    ("text/*;q=0.9, text/html", "text/html"),
    ("text/*, text/turtle;q=0", "text/html"),                 # the specific range excludes
    ("text/html;q=0, */*", "text/turtle"),
    ("application/ld+json;q=0, text/turtle;q=0, */*;q=0.5", "application/n-triples"),
    ("application/json", "application/ld+json"),
    ("application/xml", "application/rdf+xml"),
    ("TEXT/TURTLE", "text/turtle"),
    ('application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted"', "application/ld+json"),
    ("text/turtle;q=0.8, application/rdf+xml;q=0.8, text/html;q=0.9", "text/html"),
    ("text/n3;q=1, application/rdf+xml;q=0.5", "application/rdf+xml"),
    ("garbage, text/turtle;q=bogus, application/n-triples;q=0.3", "application/n-triples"),
    ("text/turtle;q=1.5, application/ld+json;q=0.4", "application/ld+json"),
])
def test_q_values(site, accept, expected):
    headers = {"Accept": accept} if accept is not None else {"Accept": ""}
    response = site.get(f"doc/document/{SEED_KEY}", headers=headers)
    assert response.status_code == 200
    assert media(response) == expected


@pytest.mark.parametrize("accept", ["image/png", "text/turtle;q=0", "application/pdf, text/csv;q=0.5",
                                    "*/*;q=0"])
def test_406_lists_the_offered_types(site, accept):
    response = site.get(f"doc/document/{SEED_KEY}", headers={"Accept": accept})
    assert response.status_code == 406
    for offered in ("text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml",
                    "text/html"):
        assert offered in response.text
    assert response.headers["vary"] == "Accept"


def test_accept_parser_units():
    assert conneg.negotiate("text/turtle;q=0.5, */*;q=0.6", ["text/turtle", "text/html"]) == "text/html"
    assert conneg.negotiate("text/html;q=0.1, text/*;q=0.9", ["text/html", "text/turtle"]) == "text/turtle"
    assert conneg.negotiate("text/*;q=0.2, text/html;q=0", ["text/html", "text/turtle"]) == "text/turtle"
    assert conneg.negotiate("text/html;level=1;q=0, text/html", ["text/html"]) == "text/html"  # level=1 only
    assert conneg.negotiate("text/turtle;charset=utf-8", ["text/turtle"]) == "text/turtle"
    assert conneg.negotiate("text/turtle;charset=latin1", ["text/turtle"]) is None
    assert conneg.negotiate("", ["a/b"]) == "a/b"
    assert conneg.negotiate("*/html", ["text/html"]) == "text/html"  # malformed: treated as */*
    assert conneg.negotiate('x/y;profile="a,b";q=0.5, a/b;q=0.4', ["a/b", "x/y"]) == "x/y"
    assert conneg.negotiate("a/b;q=0.001", ["a/b"]) == "a/b"
    assert conneg.negotiate("a/b;q=0.0001, c/d;q=0.1", ["a/b", "c/d"]) == "c/d"  # invalid q: ignored
    assert [r.q for r in conneg.parse_accept("a/b;q=0.3, c/d")] == [0.3, 1.0]


# -- caching headers, CORS, Link --------------------------------------------------------------------

def test_etag_and_conditional_requests(site):
    path = f"doc/document/{SEED_KEY}.ttl"
    first = site.get(path)
    etag = first.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert etag.strip('"') in hashlib.sha256(first.content).hexdigest()
    again = site.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    assert site.get(path, headers={"If-None-Match": f'"nope", W/{etag}'}).status_code == 304
    assert site.get(path, headers={"If-None-Match": "*"}).status_code == 304
    assert site.get(path, headers={"If-None-Match": '"other"'}).status_code == 200
    modified = first.headers["last-modified"]
    assert email.utils.parsedate_to_datetime(modified).year == 2026
    assert site.get(path, headers={"If-Modified-Since": modified}).status_code == 304
    assert site.get(path, headers={"If-Modified-Since": "Mon, 01 Jan 1990 00:00:00 GMT"}).status_code == 200
    assert site.get(path, headers={"If-Modified-Since": "yesterday-ish"}).status_code == 200
    # If-None-Match wins over If-Modified-Since
    assert site.get(path, headers={"If-None-Match": '"other"', "If-Modified-Since": modified}).status_code == 200
    # every representation has its own tag; negotiated ones revalidate too
    tags = {site.get(f"doc/document/{SEED_KEY}.{ext}").headers["etag"] for ext in [*FORMATS, "html"]}
    assert len(tags) == 5
    negotiated = site.get(f"doc/document/{SEED_KEY}", headers={"Accept": "application/ld+json"})
    assert site.get(f"doc/document/{SEED_KEY}", headers={
        "Accept": "application/ld+json", "If-None-Match": negotiated.headers["etag"]}).status_code == 304


def test_cors(site):
    for path in (f"doc/document/{SEED_KEY}", f"id/document/{SEED_KEY}", "void", "no/such/thing"):
        response = site.get(path, headers={"Origin": "https://example.org"})
        assert response.headers["access-control-allow-origin"] == "*"
    assert "ETag" in site.get("void").headers["access-control-expose-headers"]
    preflight = requests.options(f"{site.base}doc/document/{SEED_KEY}", timeout=30, headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "accept, if-none-match"})
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "GET" in preflight.headers["access-control-allow-methods"]
    assert "if-none-match" in preflight.headers["access-control-allow-headers"].lower()


def test_link_headers(site):
    """One ``rel="alternate"``: the JSON-LD form (Turtle for JSON-LD itself)."""
    for ext, (media_type, _) in [*FORMATS.items(), ("html", (HTML, None))]:
        response = site.get(f"doc/document/{SEED_KEY}.{ext}")
        links = requests.utils.parse_header_links(response.headers["link"])
        alternates = [(link["type"], link["url"]) for link in links if link["rel"] == "alternate"]
        wanted = "text/turtle" if ext == "jsonld" else "application/ld+json"
        assert [kind for kind, _ in alternates] == [wanted]
        assert site.get(alternates[0][1]).status_code == 200 and media(site.get(alternates[0][1])) == wanted
    redirect = site.get(f"id/document/{SEED_KEY}")
    described = [link for link in requests.utils.parse_header_links(redirect.headers["link"])
                 if link["rel"] == "describedby"]
    assert {link.get("type") for link in described} >= {"text/turtle", "application/ld+json"}


# -- clients: rdflib and pyoxigraph dereference the IRIs ---------------------------------------------

def test_rdflib_parses_every_document_iri(site):
    from rdflib import Graph

    for key in site.keys():
        iri = f"{site.base}id/document/{key}"
        graph = Graph().parse(iri)
        expected = Graph().parse(data=site.turtle(key), format="turtle")
        assert len(graph) == len(expected) > 10
        assert set(graph) == set(expected)


def test_pyoxigraph_loads_every_document_by_its_iri(site):
    store = ox.Store()
    total = set()
    for key in site.keys():
        iri = f"{site.base}id/document/{key}"
        response = requests.get(iri, headers={"Accept": "application/n-triples"}, timeout=30)
        assert response.status_code == 200 and response.history[0].status_code == 303
        graph = ox.NamedNode(response.url)
        store.load(response.content, ox.RdfFormat.N_TRIPLES, to_graph=graph)
        reference = ox.Store()  # the store canonicalises literals (dateTime): compare store to store
        reference.load(site.turtle(key), ox.RdfFormat.TURTLE, to_graph=graph)
        loaded = set(store.quads_for_pattern(None, None, None, graph))
        assert loaded == set(reference) and len(loaded) > 10
        total |= site.triples(key)
    manifest = json.loads((site.folder / "manifest.json").read_text())
    assert len(total) == sum(f["triples"] for f in manifest["files"] if f["media_type"] == "application/n-triples")


def test_hash_iris_dereference_to_their_document(site):
    parts = [t.subject.value for t in site.triples(SEED_KEY) if "#" in t.subject.value]
    for iri in parts[:3] or [f"{site.base}id/document/{SEED_KEY}#anything"]:
        response = requests.get(iri, headers={"Accept": "text/turtle"}, timeout=30)
        assert response.status_code == 200
        assert response.history[0].headers["location"] == f"/doc/document/{SEED_KEY}"
        assert response.url.split("#")[0] == f"{site.base}doc/document/{SEED_KEY}"
        if parts:
            assert iri in {t.subject.value for t in ox.parse(response.content, ox.RdfFormat.TURTLE)}


# -- entities -----------------------------------------------------------------------------------------

def entity_iris(site) -> dict[str, list[str]]:
    kinds: dict[str, list[str]] = {}
    for key in site.keys():
        for triple in site.triples(key):
            value = triple.subject.value
            rest = value[len(site.base) + 3:] if value.startswith(f"{site.base}id/") else ""
            if rest and "#" not in value and not rest.startswith("document/"):
                kinds.setdefault(rest.split("/")[0], [])
                if value not in kinds[rest.split("/")[0]]:
                    kinds[rest.split("/")[0]].append(value)
    return kinds


def test_every_entity_iri_dereferences(site):
    kinds = entity_iris(site)
    assert {"person", "organization", "place", "concept"} <= set(kinds)
    for kind, iris in kinds.items():
        for iri in iris:
            response = requests.get(iri, headers={"Accept": "text/turtle"}, timeout=30)
            assert response.status_code == 200, iri
            assert response.history[0].status_code == 303
            assert response.url == iri.replace("/id/", "/doc/", 1)
            described = set(ox.parse(response.content, ox.RdfFormat.TURTLE))
            assert any(t.subject.value == iri for t in described)
            expected = {t for key in site.keys() for t in site.triples(key) if t.subject.value == iri}
            assert expected <= described


def test_every_minted_iri_dereferences(site):
    """Every IRI under the base in the documents, the dumps and the VoID answers (after 303s)."""
    iris = set()
    sources = [site.turtle(key) for key in site.keys()] + [(site.folder / "void.ttl").read_bytes()]
    for data in sources:
        for quad in ox.parse(data, ox.RdfFormat.TURTLE):
            for term in (quad.subject, quad.predicate, quad.object):
                if type(term).__name__ == "NamedNode" and term.value.startswith(site.base):
                    iris.add(term.value.split("#")[0])
    assert len(iris) > 20
    for iri in sorted(iris):
        response = requests.get(iri, headers={"Accept": "text/turtle, */*;q=0.1"}, timeout=30)
        assert response.status_code == 200, iri
    publisher = [q.object.value for q in ox.parse((site.folder / "void.ttl").read_bytes(), ox.RdfFormat.TURTLE)
                 if q.predicate.value == "http://purl.org/dc/terms/publisher" and q.subject.value.endswith("/id/dataset")
                 and type(q.object).__name__ == "NamedNode"]
    for iri in publisher:  # described only in the VoID: an entity page all the same
        page = requests.get(iri, headers={"Accept": "text/html"}, timeout=30)
        assert page.status_code == 200 and media(page) == HTML
    assert site.get("id/dataset/distribution/no-such-dump.nt").status_code == 404
    assert site.get("id/dataset/..%2f..%2fetc").status_code == 404


def test_entity_formats_and_page(site):
    iri = f"{site.base}id/person/kim-il-sung"
    for ext, (media_type, syntax) in FORMATS.items():
        response = site.get(f"doc/person/kim-il-sung.{ext}")
        assert response.status_code == 200 and media(response) == media_type
        assert any(t.subject.value == iri for t in ox.parse(response.content, syntax))
    page = site.get("doc/person/kim-il-sung.html")
    assert "Kim Il Sung" in page.text
    assert "https://www.wikidata.org/wiki/Q41117" in page.text
    for key in (SEED_KEY, EXTRA_KEY):  # both documents mention him
        assert f"/id/document/{key}" in page.text


def test_unknown_things_are_404(site):
    for path in ("id/document/no-such-document", "doc/document/no-such-document",
                 "doc/document/no-such-document.ttl", "id/person/nobody-at-all", "doc/person/nobody.ttl",
                 f"doc/document/{SEED_KEY}.exe", f"doc/document/{SEED_KEY}.TTL", "id/nothing",
                 f"id/document/{SEED_KEY}.ttl", "doc/dataset/x"):
        response = site.get(path)
        assert response.status_code == 404, path


# -- the dataset: VoID, context, dumps, changes, sitemap ----------------------------------------------

def test_dataset_iri_and_void(site):
    redirect = site.get("id/dataset")
    assert redirect.status_code == 303 and redirect.headers["location"] == "/void"
    void_ttl = (site.folder / "void.ttl").read_bytes()
    for path in ("void", ".well-known/void"):
        turtle = site.get(path, headers={"Accept": "text/turtle"})
        assert turtle.status_code == 200 and turtle.content == void_ttl
        assert turtle.headers["vary"] == "Accept"
        jsonld = site.get(path, headers={"Accept": "application/ld+json"})
        assert media(jsonld) == "application/ld+json"
        assert set(ox.parse(jsonld.content, ox.RdfFormat.JSON_LD)) == set(ox.parse(void_ttl, ox.RdfFormat.TURTLE))
        page = site.get(path, headers={"Accept": "text/html"})
        assert media(page) == HTML and "Downloads" in page.text
    assert site.get("void.ttl").content == void_ttl
    assert set(ox.parse(site.get("void.nt").content, ox.RdfFormat.N_TRIPLES)) == set(
        ox.parse(void_ttl, ox.RdfFormat.TURTLE))
    graph = set(ox.parse(site.get("void.rdf").content, ox.RdfFormat.RDF_XML))
    assert len(graph) == len(set(ox.parse(void_ttl, ox.RdfFormat.TURTLE)))


def test_home_page(site):
    page = site.get("")
    assert page.status_code == 200 and media(page) == HTML
    void = {re.split("[/#]", t.predicate.value)[-1]: t.object.value
            for t in ox.parse((site.folder / "void.ttl").read_bytes(), ox.RdfFormat.TURTLE)
            if t.subject.value == f"{site.base}id/dataset"}
    assert f'<span class="triples">{int(void["triples"]):,}</span>' in page.text
    manifest = json.loads((site.folder / "manifest.json").read_text())
    dumps = [f["path"] for f in manifest["files"]]
    for link in (*dumps, "void", "changes/", "sparql", "oai?verb=Identify", "sitemap.xml"):
        assert f'href="/{link}"' in page.text
    description = void.get("description")
    if description:
        assert html.escape(description, quote=True) in page.text  # escaped, never markup


def test_context(site):
    from lod.vocab import vocab_path

    response = site.get("ns/context-v1.jsonld")
    assert response.status_code == 200 and media(response) == "application/ld+json"
    assert response.content == vocab_path("context-v1.jsonld").read_bytes()


def test_dumps_and_range_requests(site):
    manifest = json.loads(site.get("manifest.json").content)
    assert manifest == json.loads((site.folder / "manifest.json").read_text())
    for entry in manifest["files"]:
        response = site.get(entry["path"])
        assert response.status_code == 200
        assert int(response.headers["content-length"]) == entry["bytes"] == len(response.content)
        assert hashlib.sha256(response.content).hexdigest() == entry["sha256"]
        assert response.headers["accept-ranges"] == "bytes"
        assert "content-encoding" not in response.headers
        assert gzip.decompress(response.content)
    path, data = manifest["files"][0]["path"], site.get(manifest["files"][0]["path"]).content
    part = site.get(path, headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and part.content == data[:100]
    assert part.headers["content-range"] == f"bytes 0-99/{len(data)}"
    assert part.headers["content-length"] == "100"
    tail = site.get(path, headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.content == data[-10:]
    middle = site.get(path, headers={"Range": f"bytes=100-{len(data) + 50}"})
    assert middle.status_code == 206 and middle.content == data[100:]
    beyond = site.get(path, headers={"Range": f"bytes={len(data) + 10}-"})
    assert beyond.status_code == 416 and beyond.headers["content-range"] == f"bytes */{len(data)}"
    for bad in ("bytes=abc", "lines=0-1", "bytes=5-1", "bytes=" + ",".join(["0-1"] * 500), "bytes=-"):
        assert site.get(path, headers={"Range": bad}).status_code in (200, 400, 416)  # ignored or refused
    etag = site.get(path).headers["etag"]
    assert site.get(path, headers={"If-None-Match": etag}).status_code == 304
    assert site.get(path, headers={"Range": "bytes=0-9", "If-Range": etag}).status_code == 206
    assert site.get(path, headers={"Range": "bytes=0-9", "If-Range": '"stale"'}).status_code == 200
    assert requests.head(site.base + path, timeout=30).headers["content-length"] == str(len(data))
    assert site.get("dumps/no-such.nt.gz").status_code == 404


def test_changes_sitemap_manifest(site):
    profile = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
    collection = site.get("changes/")
    assert collection.status_code == 200 and collection.headers["content-type"] == profile
    assert collection.json()["type"] == "OrderedCollection"
    first = collection.json()["first"]
    first_url = first["id"] if isinstance(first, dict) else first
    page = requests.get(first_url, timeout=30)
    assert page.status_code == 200 and page.headers["content-type"] == profile
    assert page.json()["type"] == "OrderedCollectionPage"
    assert site.get("changes/nope.json").status_code == 404
    sitemap = site.get("sitemap.xml")
    assert sitemap.status_code == 200 and media(sitemap) == "application/xml"
    text = sitemap.text
    for part in re.findall(r"<loc>[^<]*/(sitemap-\d+\.xml)</loc>", sitemap.text):  # a sitemap index
        response = site.get(part)
        assert response.status_code == 200 and media(response) == "application/xml"
        text += response.text
    assert f"doc/document/{SEED_KEY}" in text or f"id/document/{SEED_KEY}" in text
    assert site.get("sitemap-99999.xml").status_code == 404
    assert site.get("sitemap-..%2fmanifest.xml").status_code == 404
    assert media(site.get("manifest.json")) == "application/json"
    assert "Sitemap:" in site.get("robots.txt").text


def test_head_requests(site):
    for path in (f"doc/document/{SEED_KEY}.ttl", f"doc/document/{SEED_KEY}", "void", ""):
        full = site.get(path)
        head = requests.head(site.base + path, timeout=30)
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-length"] == str(len(full.content))
        assert head.headers["etag"] == full.headers["etag"]
    assert requests.head(f"{site.base}id/document/{SEED_KEY}", timeout=30).status_code == 303


def test_answers_while_a_long_sparql_query_runs(site):
    """Document GETs stay fast while a runaway query occupies the SPARQL endpoint."""
    import threading

    pytest.importorskip("lod.serve.sparql")
    runaway = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }")
    outcome = {}

    def query():
        started = time.monotonic()
        response = requests.get(f"{site.base}sparql", params={"query": runaway}, timeout=60,
                                headers={"Accept": "application/sparql-results+json"})
        outcome["status"], outcome["seconds"] = response.status_code, time.monotonic() - started

    threads = [threading.Thread(target=query) for _ in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    latencies = []
    for n in range(30):
        started = time.monotonic()
        response = site.get(f"doc/document/{SEED_KEY}.{['ttl', 'html', 'nt'][n % 3]}")
        latencies.append(time.monotonic() - started)
        assert response.status_code == 200
    assert site.get("doc/person/kim-il-sung.html").status_code == 200
    for thread in threads:
        thread.join(timeout=60)
    assert outcome["seconds"] >= 1  # the query really was still running meanwhile
    assert 400 <= outcome["status"] < 600 and outcome["status"] != 500
    assert max(latencies) < 1.0, latencies


# -- abuse: traversal, oversized and malformed requests -------------------------------------------------

TRAVERSALS = [
    "/doc/../../etc/passwd",
    "/doc/document/../../../etc/passwd",
    "/doc/document/..%2f..%2f..%2fetc%2fpasswd",
    "/doc/document/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/doc/document/%2e%2e",
    "/doc/document/%252e%252e%252fetc%252fpasswd",
    "/doc/document/..%5c..%5cetc%5cpasswd",
    "/doc/document/..\\..\\etc\\passwd",
    f"/doc/document/{SEED_KEY}%00.ttl",
    f"/doc/document/{SEED_KEY}.ttl%00",
    "/doc/document/%c0%ae%c0%ae%c0%afetc%c0%afpasswd",
    "/dumps/..%2fmanifest.json",
    "/dumps/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/dumps/..%2f.lod%2fsecret.txt",
    "/dumps/.lod",
    "/changes/..%2f.lod%2fsecret.txt",
    "/changes/%2e%2e%2f%2e%2e%2foutside.txt",
    "/.lod/secret.txt",
    "/.lod/current/manifest.json",
    "/dumps/..%2f..%2foutside.txt",
    "//etc/passwd",
    "/doc/document/" + "a" * 300,
    f"/doc/document/{SEED_KEY.upper()}",
    "/id/document/%2e%2e%2f%2e%2e%2f.lod%2fsecret",
    "/id/..%2f..%2f..%2fetc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/doc/document/%ff%fe",
    "/doc/document/%zz",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_traversal_gets_4xx_and_never_a_file_outside(site, path):
    status, body = path_request(site, path)
    assert 400 <= status < 500, (path, status)
    assert SECRET.encode() not in body and b"root:" not in body and b"Traceback" not in body


def test_raw_traversal_request_lines(site):
    for target in (b"/doc/document/\\..\\..\\etc\\passwd", b"/../../etc/passwd", b"/doc/%00",
                   b"http://127.0.0.1/../../etc/passwd", b"/doc/document/\xff\xfe"):
        status, answer = raw_request(site, b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert 400 <= status < 500 or status == 0, (target, answer[:200])
        assert SECRET.encode() not in answer and b"root:" not in answer


def test_header_abuse_gets_4xx(site):
    url = f"{site.base}doc/document/{SEED_KEY}"
    assert requests.get(url, headers={"X-Big": "a" * 10_000}, timeout=30).status_code == 431
    many = {f"X-H{i}": "v" for i in range(150)}
    assert requests.get(url, headers=many, timeout=30).status_code == 431
    assert requests.get(url, headers={"Accept": ",".join(["text/turtle;q=0.5"] * 1000)[:8000]},
                        timeout=30).status_code == 200
    assert site.get("doc/document/x" * 2000).status_code == 414
    assert site.get(f"doc/document/{SEED_KEY}?" + "q=1&" * 5000).status_code == 414
    # request heads beyond the parser's limit: 400 from uvicorn (or a closed connection), never 5xx
    status, answer = raw_request(site, b"GET / HTTP/1.1\r\nHost: x\r\nX-Huge: " + b"a" * 200_000 + b"\r\n\r\n")
    assert 400 <= status < 500 or status == 0
    for garbage in (b"GARBAGE\r\n\r\n", b"GET / HTTP/1.1\r\nNo-Colon\r\n\r\n",
                    b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
                    b"GET / HTTP/1.1\r\nHost: x\r\nX: a\x00b\r\n\r\n"):
        status, answer = raw_request(site, garbage)
        assert 400 <= status < 500 or status == 0, (garbage, answer[:200])
        assert b"Traceback" not in answer


def test_malformed_values_never_5xx(site):
    path = f"doc/document/{SEED_KEY}"
    for headers in ({"Accept": ";;;,,,/"}, {"Accept": "*/*;q="}, {"Accept": 'a/b;x="unterminated'},
                    {"If-None-Match": '""""'}, {"If-Modified-Since": "Tue, 99 Foo 99999 99:99:99 GMT"},
                    {"If-Modified-Since": "\x7f"}, {"Accept": "\u00e9/\u00e9"}):
        response = site.get(path, headers={k: v.encode("utf-8").decode("latin-1") for k, v in headers.items()})
        assert response.status_code in (200, 304, 406), headers
    assert site.get(path + "?a=%zz&&=&b=%ff").status_code == 200
    assert 400 <= requests.post(f"{site.base}{path}", data=b"x", timeout=30).status_code < 500
    assert 400 <= requests.delete(f"{site.base}{path}", timeout=30).status_code < 500


# -- the export changes under a running server ----------------------------------------------------------

def test_reload_after_an_atomic_swap(tmp_path):
    folder = tmp_path / "export"
    sock = bound_socket()
    base = f"http://127.0.0.1:{sock.getsockname()[1]}/"
    scratch = tmp_path / "scratch"
    run_export(scratch, base, [SEED])
    if not (scratch / "manifest.json").exists():
        publish_pieces(scratch, base)
    source = (scratch / ".lod" / "current").resolve() if (scratch / ".lod" / "current").exists() else scratch
    (folder / ".lod").mkdir(parents=True)
    shutil.copytree(source, folder / ".lod" / "gen-1")
    os.symlink("gen-1", folder / ".lod" / "current")
    for entry in (folder / ".lod" / "gen-1").iterdir():
        os.symlink(Path(".lod") / "current" / entry.name, folder / entry.name)
    with running(folder, sock=sock) as url:
        first = requests.get(f"{url}doc/document/{SEED_KEY}.ttl", timeout=30)
        person = requests.get(f"{url}doc/organization/leon-levy-foundation.ttl", timeout=30)
        assert first.status_code == 200 and person.status_code == 200
        # a new generation: the title changes, one entity is renamed
        shutil.copytree(folder / ".lod" / "gen-1", folder / ".lod" / "gen-2", symlinks=True)
        generation = folder / ".lod" / "gen-2"
        for extension in (".ttl", ".jsonld"):
            path = generation / "documents" / document_file_name(SEED_KEY, extension)
            text = path.read_text(encoding="utf-8").replace("Communist Party of the Soviet Union Central "
                                                            "Committee Report", "Revised Report")
            path.write_text(text.replace("leon-levy-foundation", "leon-levy-foundation-2"), encoding="utf-8")
        for name in os.listdir(generation):
            if not (generation / name).is_dir() or name != "documents":
                (generation / name).unlink() if (generation / name).is_file() else shutil.rmtree(generation / name)
        publish_pieces(generation, base)
        time.sleep(0.01)
        switch_generation(folder, "gen-2")
        second = requests.get(f"{url}doc/document/{SEED_KEY}.ttl", timeout=30)
        assert second.status_code == 200 and b"Revised Report" in second.content
        assert second.headers["etag"] != first.headers["etag"]
        assert requests.get(f"{url}doc/document/{SEED_KEY}.html", timeout=30).text.count("Revised Report") >= 1
        assert requests.get(f"{url}doc/organization/leon-levy-foundation.ttl", timeout=30).status_code == 404
        assert requests.get(f"{url}doc/organization/leon-levy-foundation-2.ttl", timeout=30).status_code == 200


def test_an_export_without_its_store_serves_documents_and_says_why_sparql_answers_503(tmp_path):
    base = "http://example.org/lod/"
    folder = tmp_path / "plain"
    result = subprocess.run([sys.executable, "-m", "lod", "export", "--out", str(folder), "--base", base,
                             "--formats", "ttl,jsonld,nt,nq", str(SEED)], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert not (folder / "store").exists() and not (folder / ".lod" / "current" / "store").exists()
    assert Export(folder).store_path() is None
    with running(folder) as url:
        assert requests.get(f"{url}doc/document/{SEED_KEY}.ttl", timeout=30).status_code == 200
        assert requests.get(url, timeout=30).status_code == 200  # the home page lists documents by key
        for path in ("sparql?query=ASK%20%7B%7D", "doc/organization/leon-levy-foundation.ttl"):
            answer = requests.get(url + path, timeout=30)
            assert answer.status_code == 503, path
            assert "no SPARQL store" in answer.text and "--formats" in answer.text
    process = _serve_command(folder, "--port", "0")
    try:
        lines = [process.stderr.readline() for _ in range(3)]
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert any(line.startswith("lod serve: warning: this export has no SPARQL store") for line in lines), lines


def test_a_dump_only_export_is_refused_with_what_to_do(tmp_path):
    """`--formats nt` writes no per-document files: serve says so rather than answer 404 for each."""
    from lod.cli import main
    from lod.errors import ConfigError
    from lod.serve.app import create_app

    folder = tmp_path / "dumps-only"
    assert main(["export", "--out", str(folder), "--formats", "nt", str(SEED)]) == 0
    with pytest.raises(ConfigError, match=r"without its documents' Turtle \(--formats nt\)"):
        create_app(folder)
    result = subprocess.run([sys.executable, "-m", "lod", "serve", str(folder), "--port", "0"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("lod: error: ") and "export again with the default formats" in line
    assert "load into any SPARQL store" in line


def test_two_servers_open_one_store_read_only(tmp_path):
    from lod.serve.sparql.workers import Job, run_job

    base = "http://example.org/lod/"
    run_export(tmp_path / "export", base, [SEED])
    first, second = (QueryStore(Export(tmp_path / "export")) for _ in range(2))
    try:
        one, two = first.current(), second.current()
        assert one.path == two.path == (tmp_path / "export" / ".lod" / "current" / "store").resolve()
        assert len(one.store) == len(two.store) > 0
        with pytest.raises(Exception, match="read-write"):
            one.store.update("INSERT DATA { <http://e/s> <http://e/p> <http://e/o> }")
        assert first.mentioned_in(f"{base}id/organization/leon-levy-foundation") == [SEED_KEY]
        answer = run_job(Job("ASK { ?s ?p ?o }", store=str(one.path), accept="application/sparql-results+json"),
                         {})
        assert answer[0] == "ok" and b"true" in answer[2]  # a query worker opens it too, meanwhile
    finally:
        first.close()
        second.close()
    export = Export(tmp_path / "export")
    assert export.resolve("../outside") is None and export.resolve(".lod/x") is None
    assert export.document_path("../etc", "ttl") is None


def test_unexpected_errors_are_a_plain_500():
    import asyncio

    from lod.serve.app import Guard

    async def broken(scope, receive, send):
        raise RuntimeError("secret internals /etc/passwd")

    async def call():
        sent = []

        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message):
            sent.append(message)

        scope = {"type": "http", "method": "GET", "path": "/x", "raw_path": b"/x", "query_string": b"",
                 "headers": [(b"host", b"x")]}
        await Guard(broken)(scope, receive, send)
        return sent

    sent = asyncio.run(call())
    assert sent[0]["status"] == 500
    body = b"".join(m.get("body", b"") for m in sent[1:])
    assert body == b"500 Internal Server Error\n"
    assert (b"access-control-allow-origin", b"*") in sent[0]["headers"]


# -- JSON-LD processors: pyld's own document loader ----------------------------------------------------

def test_pyld_default_loader_reads_every_json_ld_url(site):
    """pyld's default (requests) loader: it follows 303s, sends Accept: JSON-LD, and follows
    one ``rel="alternate"`` of type JSON-LD from other formats (it fails on two)."""
    from pyld import jsonld

    document = f"{site.base}id/document/{SEED_KEY}"
    for path in (f"id/document/{SEED_KEY}", f"doc/document/{SEED_KEY}", f"doc/document/{SEED_KEY}.jsonld",
                 f"doc/document/{SEED_KEY}.ttl", f"doc/document/{SEED_KEY}.html",
                 f"doc/document/{SEED_KEY}.nt", "id/person/kim-il-sung", "doc/person/kim-il-sung.rdf",
                 "id/dataset", "void", "void.ttl", "", "ns/context-v1.jsonld"):
        loaded = jsonld.load_document(site.url + path, {"documentLoader": jsonld.get_document_loader()})
        assert loaded["contentType"] == "application/ld+json", path
        assert isinstance(loaded["document"], (dict, list)) and loaded["document"], path
    expanded = jsonld.expand(document)  # the context is fetched with the same loader
    nodes = expanded if isinstance(expanded, list) else [expanded]
    assert any(node.get("@id") == document for node in nodes)
    quads = jsonld.to_rdf(document, {"format": "application/n-quads"})
    loaded, reference = ox.Store(), ox.Store()  # stores canonicalise literals: compare store to store
    loaded.load(quads.encode("utf-8"), ox.RdfFormat.N_QUADS)
    reference.load(site.turtle(SEED_KEY), ox.RdfFormat.TURTLE)
    assert set(loaded) == set(reference)


# -- withdrawn documents: 410 Gone -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def withdrawn(tmp_path_factory):
    """An export that had the extra record, then lost it (the journal says Delete)."""
    folder = tmp_path_factory.mktemp("withdrawn") / "export"
    sock = bound_socket()
    base = f"http://127.0.0.1:{sock.getsockname()[1]}/"
    build_site(folder, base)
    run_export(folder, base, [SEED])
    journal = [json.loads(line) for line in (folder / "journal.jsonl").read_text().splitlines()]
    assert journal[-1]["type"] == "Delete" and journal[-1]["key"] == EXTRA_KEY
    with running(folder, sock=sock) as url:
        yield Site(url, folder), journal[-1]["time"]


def test_withdrawn_document_is_410_gone_with_a_link_to_the_dataset(withdrawn):
    site, when = withdrawn
    for path in (f"id/document/{EXTRA_KEY}", f"doc/document/{EXTRA_KEY}", f"doc/document/{EXTRA_KEY}.ttl",
                 f"doc/document/{EXTRA_KEY}.html"):
        response = site.get(path, headers={"Accept": "text/turtle"})
        assert response.status_code == 410, path
        assert when in response.text
        link = requests.utils.parse_header_links(response.headers["link"])
        assert link == [{"url": "/id/dataset", "rel": "collection"}]
        assert site.get(link[0]["url"]).status_code == 303  # the dataset answers
    assert site.get("id/document/no-such-document").status_code == 404
    assert site.get(f"id/document/{SEED_KEY}").status_code == 303


def test_rdflib_is_told_the_document_is_gone(withdrawn):
    import urllib.error

    from rdflib import Graph

    site, _ = withdrawn
    with pytest.raises(urllib.error.HTTPError) as raised:
        Graph().parse(f"{site.base}id/document/{EXTRA_KEY}")
    assert raised.value.code == 410


# -- served at another address than the export's base ---------------------------------------------------

def test_home_page_says_when_it_is_read_elsewhere(site):
    assert 'class="warning"' not in site.get("").text
    elsewhere = requests.get(f"http://localhost:{site.port}/", timeout=30)
    assert elsewhere.status_code == 200
    assert 'class="warning"' in elsewhere.text
    assert f"<code>http://localhost:{site.port}/</code>" in elsewhere.text
    assert f"<code>{site.base}</code>" in elsewhere.text


def _serve_command(folder: Path, *options: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "lod", "serve", str(folder), *options], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def test_lod_serve_warns_at_start_when_it_listens_elsewhere(site):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = _serve_command(site.folder, "--port", str(port), "--oai-admin-email", ADMIN)
    try:
        line = process.stderr.readline()
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert line.startswith("lod serve: warning: this export's IRIs name " + site.base)
    assert f"http://127.0.0.1:{port}/" in line and "lod export --base" in line


def test_lod_serve_refuses_a_base_that_is_not_the_exports(site):
    process = _serve_command(site.folder, "--port", "0", "--base", "https://archive.example.org/")
    _, errors = process.communicate(timeout=120)
    assert process.returncode == 2
    assert "--base https://archive.example.org/ is not this export's base IRI" in errors
    assert f"({site.base})" in errors and "lod export --base https://archive.example.org/" in errors
    assert "Traceback" not in errors


def test_base_is_only_for_a_folder_that_does_not_record_one(tmp_path):
    from lod.errors import ConfigError

    folder = tmp_path / "bare"
    (folder / "documents").mkdir(parents=True)
    assert Export(folder, base="https://archive.example.org/").base == "https://archive.example.org/"
    Export(folder, base="https://archive.example.org/").check_base()
    (folder / "manifest.json").write_text(json.dumps({"base": "http://localhost:8080/", "files": []}))
    assert Export(folder, base="https://archive.example.org/").base == "http://localhost:8080/"
    with pytest.raises(ConfigError, match="not this export's base"):
        Export(folder, base="https://archive.example.org/").check_base()
    Export(folder, base="http://localhost:8080/").check_base()


def test_documents_are_sharded_on_disk_and_served_under_their_iris(site):
    documents = site.folder / "documents"
    assert {p.name for p in documents.iterdir()} <= {f"{n:02x}" for n in range(256)}  # shard folders only
    assert site.keys()
    for key in site.keys():
        for ext in ("ttl", "jsonld"):
            path = documents / document_file_name(key, f".{ext}")
            answer = site.get(f"doc/document/{key}.{ext}")
            assert answer.status_code == 200 and answer.content == path.read_bytes(), (key, ext)
        assert site.get(f"id/document/{key}").status_code == 303
        assert site.get(f"doc/document/{key}.html").status_code == 200
