"""The site historians use: search, browse with facets, the timeline, linked data on every page.

The export is ``tests/site_records.py``'s invented collection, served on loopback with the
IRIs minted for that address. Over HTTP: search and facet lists as HTML and JSON, entity
descriptions with their backlinks (read by rdflib), the JSON-LD the home and entity pages
embed (expanded by pyld), the SPARQL page's results table beside the machine formats. In
Debian's Chromium (skipped when absent): a name searched with and without its diacritic,
two facets then a second page followed by their links, the timeline's bars against the
documents' own dates, screenshots kept in ``tests/artifacts/`` (git-ignored), and axe-core
(WCAG 2.1 A and AA) on those pages, run by puppeteer-core driving the same system
Chromium. The npm packages are installed by conftest's :func:`node_modules` into
``tests/artifacts/node/`` from the npm registry (skipped when node, npm or the registry
is not there); no browser is downloaded. The shared corpus (``../shared``) is searched
the same way when it is present.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import unicodedata
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox
import pytest
import requests

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

import site_records  # noqa: E402
from conftest import CHROMIUM, NOW, Dom, chromium  # noqa: E402
from lod import pipeline  # noqa: E402
from lod.link import offline_linker  # noqa: E402
from lod.config import Config, ExportOptions, Settings  # noqa: E402
from lod.publish import layout  # noqa: E402
from lod.serve import running  # noqa: E402
from lod.serve.options import OaiOptions, ServeOptions  # noqa: E402
from test_serve_linked_data import ADMIN, bound_socket  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHARED_CORPUS = ROOT.parent / "shared" / "corpus"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
SCHEMA = "http://schema.org/"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
SATO = "eisaku-sato"

needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")


class Site:
    def __init__(self, url: str, folder: Path):
        self.url, self.folder = url, folder

    def get(self, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        return requests.get(self.url + path.lstrip("/"), **kwargs)

    def json(self, path: str) -> dict:
        response = self.get(path, headers={"Accept": "application/json"})
        assert response.status_code == 200, response.text
        return response.json()

    def turtle(self, key: str) -> str:
        """A document's published Turtle."""
        return (self.folder / layout.DOCUMENTS / layout.document_file(key, ".ttl")).read_text(encoding="utf-8")

    def dates(self) -> dict[str, str | None]:
        """Each document's ``schema:dateCreated``, from its published Turtle."""
        found = {}
        for path in sorted(layout.document_files(self.folder / layout.DOCUMENTS, ".ttl")):
            key = path.name[:-4]
            document = f"{self.url}id/document/{key}"
            quads = ox.parse(path=path, format=ox.RdfFormat.TURTLE)
            found[key] = next((q.object.value for q in quads if q.subject.value == document
                               and q.predicate.value == f"{SCHEMA}dateCreated"), None)
        return found


def serve(tmp_path_factory, name: str, inputs: list[Path]):
    """Export ``inputs`` with IRIs at a loopback address, and the server for that address."""
    folder = tmp_path_factory.mktemp(name) / "export"
    sock = bound_socket()
    base = f"http://127.0.0.1:{sock.getsockname()[1]}/"
    report = pipeline.export([str(p) for p in inputs], folder, Config(Settings(base=base)), offline_linker(),
                             ExportOptions(now=NOW))
    assert report.exported
    return folder, running(folder, sock=sock, options=ServeOptions(oai=OaiOptions(admin_email=ADMIN)))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder, server = serve(tmp_path_factory, "site", [site_records.write(tmp_path_factory.mktemp("site-in"))])
    with server as url:
        yield Site(url, folder)


def hits(dom: Dom) -> list[str]:
    """The document keys of a result list, in order."""
    return [a["attrs"]["href"].rsplit("/", 1)[1] for a in dom.links_in("hits")]


def scripts(markup: str) -> list[dict]:
    return Dom(markup).find("script")


# -- search and browse over HTTP -------------------------------------------------------------------

def test_search_answers_html_or_json_by_accept_or_format(site):
    page = site.get("search?q=fishing", headers={"Accept": BROWSER})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.headers["vary"] == "Accept"
    by_accept, by_format = site.json("search?q=fishing"), site.get("search?q=fishing&format=json").json()
    assert by_accept == by_format
    assert by_accept["total"] == site_records.COUNT and by_accept["pages"] == 4
    first = by_accept["results"][0]
    assert first["id"] == f"{site.url}id/document/{first['key']}" and "<mark>fishing</mark>" in (
        first["highlight"]["title"] + first["highlight"]["snippet"])
    second = site.get(by_accept["next"].lstrip("/"), headers={"Accept": "application/json"}).json()
    assert second["query"]["page"] == 2
    assert site.get("search?q=x", headers={"Accept": "image/png"}).status_code == 406
    for bad in ("search?year=nineteen", "search?person=Not%20A%20Slug", "search?page=0", "search/person?values=x"):
        response = site.get(bad)
        assert response.status_code == 400 and "Traceback" not in response.text, bad
    assert site.get("search/nothing").status_code == 404


def test_every_document_is_reachable_by_paging(site):
    keys, path = [], "search"
    while path:
        answer = site.json(path)
        keys += [r["key"] for r in answer["results"]]
        path = answer.get("next", "").lstrip("/")
    assert sorted(keys) == sorted(site.dates()) and len(keys) == site_records.COUNT
    dates = site.dates()
    ordered = [dates[k] or "~" for k in keys]
    assert ordered == sorted(ordered)  # oldest first, undated last


def test_a_facet_lists_every_value_with_its_count(site):
    answer = site.json("search/person?place=moscow")
    counts = {v["value"]: v["count"] for v in answer["values"]}
    assert counts[SATO] == site.json(f"search?place=moscow&person={SATO}")["total"]
    assert sum(site.json("search/language")["values"][i]["count"] for i in range(4)) == site_records.COUNT
    page = Dom(site.get("search/person?place=moscow", headers={"Accept": BROWSER}).text)
    about = [a["attrs"]["href"] for a in page.find("a") if a["text"] == "about"]
    assert f"/doc/person/{SATO}" in about


def test_pages_work_without_javascript(site):
    """The only scripts are JSON-LD data; every control is a link or a GET form."""
    key = sorted(site.dates())[0]
    for path in ("", "search?q=Sato&place=moscow", "search/place", f"doc/person/{SATO}", f"doc/document/{key}",
                 "sparql", "sparql?query=ASK%20%7B%7D"):
        markup = site.get(path, headers={"Accept": BROWSER}).text
        assert all(s["attrs"].get("type") == "application/ld+json" for s in scripts(markup)), path
        assert "onclick" not in markup and "javascript:" not in markup


# -- linked data on every page -----------------------------------------------------------------------

def test_rdflib_reads_an_entitys_backlinks(site):
    import rdflib

    iri = rdflib.URIRef(f"{site.url}id/person/{SATO}")
    graph = rdflib.Graph().parse(str(iri))  # rdflib's own Accept, through the 303
    documents = set(graph.objects(iri, rdflib.URIRef(f"{SCHEMA}subjectOf")))
    naming = site.json(f"search?person={SATO}")["total"]
    assert len(documents) == naming == 56
    for document in sorted(documents)[:5]:
        key = str(document).rsplit("/", 1)[1]
        assert str(iri) in site.turtle(key)


def test_backlinks_are_bounded_with_a_link_to_them_all(site, monkeypatch):
    import rdflib

    from lod.serve import app

    monkeypatch.setattr(app, "BACKLINKS", 10)
    iri = rdflib.URIRef(f"{site.url}id/place/moscow")
    graph = rdflib.Graph().parse(data=site.get("doc/place/moscow.nt").text, format="nt")
    listed = sorted(str(d).rsplit("/", 1)[1] for d in graph.objects(iri, rdflib.URIRef(f"{SCHEMA}subjectOf")))
    everything = sorted(k for k in site.dates() if f"{site.url}id/place/moscow" in site.turtle(k))
    assert listed == everything[:10] and len(everything) == 44
    (more,) = graph.objects(iri, rdflib.RDFS.seeAlso)
    assert str(more) == f"{site.url}search?place=moscow"
    assert requests.get(str(more), headers={"Accept": "application/json"}, timeout=30).json()["total"] == 44


def embedded_json_ld(markup: str) -> list[dict]:
    from pyld import jsonld

    found = [s for s in scripts(markup) if s["attrs"].get("type") == "application/ld+json"]
    assert len(found) == 1
    return jsonld.expand(json.loads(found[0]["text"]))


def test_home_and_entity_pages_embed_their_description_as_json_ld(site):
    home = {node["@id"]: node for node in embedded_json_ld(site.get("", headers={"Accept": BROWSER}).text)}
    assert f"{SCHEMA}Dataset" in home[f"{site.url}id/dataset"]["@type"]
    entity = {node["@id"]: node for node in embedded_json_ld(site.get(f"doc/person/{SATO}.html").text)}
    sato = entity[f"{site.url}id/person/{SATO}"]
    assert f"{SCHEMA}Person" in sato["@type"]
    assert {"@id": "http://www.wikidata.org/entity/Q179871"} in sato[f"{SCHEMA}sameAs"]
    assert len(sato[f"{SCHEMA}subjectOf"]) == 56


def test_sparql_results_are_a_table_for_browsers_and_data_for_programs(site):
    from lod.serve.sparql.page import EXAMPLES

    page = Dom(site.get("sparql", headers={"Accept": BROWSER}).text)
    examples = [a["attrs"]["href"] for a in page.links_in("examples")]
    assert len(examples) == len(EXAMPLES)
    query = parse_qs(urlsplit(examples[1]).query)["query"][0]  # people named in the most documents
    table = site.get(examples[1].lstrip("/"), headers={"Accept": BROWSER})
    assert table.status_code == 200 and table.headers["content-type"].startswith("text/html")
    dom = Dom(table.text)
    assert [th["text"] for th in dom.find("th")] == ["?person", "?name", "?documents"]
    rows = [tr for tr in dom.find("tr") if "tbody" in tr["inside"]]
    data = site.get("sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert data.headers["content-type"].startswith("application/sparql-results+json")
    bindings = data.json()["results"]["bindings"]
    assert len(rows) == len(bindings) > 0
    assert bindings[0]["name"]["value"] in rows[0]["text"] and bindings[0]["documents"]["value"] in rows[0]["text"]
    assert f"/id/person/{SATO}" in {a["attrs"]["href"] for a in dom.links_in("results")}  # IRIs lead here
    csv = site.get("sparql", params={"query": query, "format": "csv"}, headers={"Accept": BROWSER})
    assert csv.headers["content-type"].startswith("text/csv")
    assert site.get("sparql", params={"query": "SELECT * {"}, headers={"Accept": BROWSER}).status_code == 400


def test_an_export_without_a_search_index_still_serves_its_pages(site, tmp_path):
    copy = tmp_path / "export"
    shutil.copytree(site.folder, copy, symlinks=True)
    (copy / ".lod" / "current" / "search.sqlite").unlink()  # as an older lod wrote it
    with running(copy) as url:
        older = Site(url, copy)
        missing = older.get("search?q=Sato")
        assert missing.status_code == 404 and "export it again" in missing.text
        home = older.get("", headers={"Accept": BROWSER})
        assert home.status_code == 200 and "/id/document/" in home.text
        assert older.get(f"doc/person/{SATO}.html").status_code == 200


def test_the_home_page_does_not_wait_for_a_slow_search_index(site, tmp_path, monkeypatch):
    """At 100,000 documents the index's counts take seconds to read at start; pages are served meanwhile."""
    import threading
    import time

    from lod.serve import search

    released = threading.Event()
    read = search.Catalog.__init__

    def slow(self, path):
        released.wait(30)
        read(self, path)

    monkeypatch.setattr(search.Catalog, "__init__", slow)
    copy = tmp_path / "export"
    shutil.copytree(site.folder, copy, symlinks=True)
    with running(copy) as url:
        later = Site(url, copy)
        started = time.monotonic()
        home = later.get("", headers={"Accept": BROWSER})
        assert home.status_code == 200 and time.monotonic() - started < 10
        assert "The search index is being read" in home.text and "/id/document/" in home.text
        released.set()
        searched = later.get("search?q=Sato")  # a search waits for the counts
        assert searched.status_code == 200
        home = later.get("", headers={"Accept": BROWSER})
        assert "The search index is being read" not in home.text and "Search and browse" in home.text


# -- in a browser -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def profile(tmp_path_factory):
    path = tmp_path_factory.mktemp("chromium-profile")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def dom_at(site_url: str, path: str, profile: Path) -> Dom:
    return Dom(chromium(site_url + path.lstrip("/"), profile, "--dump-dom").stdout)


def follow(dom: Dom, text: str, class_: str | None = None) -> str:
    """The link a reader would click: the one whose text is ``text`` (inside ``class_``)."""
    links = dom.links_in(class_) if class_ else dom.find("a")
    (link,) = [a for a in links if a["text"].strip() == text]
    return link["attrs"]["href"]


@needs_chromium
def test_a_name_is_found_with_and_without_its_diacritic_in_chromium(site, profile):
    found = {}
    for typed in ("Satō", "Sato"):
        home = dom_at(site.url, "", profile)
        (form,) = [f for f in home.find("form") if f["attrs"].get("aria-label") == "Search the documents"]
        assert form["attrs"]["method"] == "get"
        dom = dom_at(site.url, f"{form['attrs']['action']}?q={typed}", profile)
        (status,) = dom.find("p", class_="found")
        found[typed] = (status["text"], hits(dom))
        assert "Satō" in " ".join(m["text"] for m in dom.find("mark"))  # the printed form, highlighted
    assert found["Satō"] == found["Sato"]
    assert found["Sato"][0].startswith("56 documents") and len(found["Sato"][1]) == 20


@needs_chromium
def test_two_facets_then_the_next_page_in_chromium(site, profile):
    home = dom_at(site.url, "", profile)
    moscow = dom_at(site.url, follow(home, "Moscow"), profile)
    narrowed = dom_at(site.url, follow(moscow, "Japan--Foreign relations--Soviet Union", "facets"), profile)
    chips = [li["text"] for li in narrowed.find("li") if any("chips" in c.split() for c in li["classes"])]
    assert any("place: Moscow" in c for c in chips) and any("subject: Japan--Foreign" in c for c in chips)
    assert narrowed.find("p", class_="found")[0]["text"].startswith("36 documents, 1–20 shown")
    (next_link,) = [a for a in narrowed.find("a") if a["attrs"].get("rel") == "next"]
    second = dom_at(site.url, next_link["attrs"]["href"], profile)
    assert second.find("ol", class_="hits")[0]["attrs"]["start"] == "21"
    first_keys, second_keys = hits(narrowed), hits(second)
    assert len(first_keys) == 20 and len(second_keys) == 16 and not set(first_keys) & set(second_keys)
    query = parse_qs(urlsplit(next_link["attrs"]["href"]).query)
    assert query == {"place": ["moscow"], "subject": ["japan-foreign-relations-soviet-union"], "page": ["2"]}
    expected = site.json("search?place=moscow&subject=japan-foreign-relations-soviet-union&page=2")
    assert second_keys == [r["key"] for r in expected["results"]]


def bars(dom: Dom) -> dict[int, int]:
    return {int(r["attrs"]["data-year"]): int(r["attrs"]["data-count"]) for r in dom.find("rect")}


@needs_chromium
def test_the_timeline_bars_are_the_documents_years(site, profile):
    years = Counter(int(date[:4]) for date in site.dates().values() if date)
    assert bars(dom_at(site.url, "", profile)) == years and len(years) > 20
    entity = dom_at(site.url, f"doc/person/{SATO}", profile)
    naming = {r["key"] for n in (1, 2, 3) for r in site.json(f"search?person={SATO}&page={n}")["results"]}
    assert bars(entity) == Counter(int(site.dates()[k][:4]) for k in naming if site.dates()[k])
    year, count = max(bars(entity).items(), key=lambda item: (item[1], item[0]))
    (bar,) = [a for a in entity.find("a") if a["attrs"].get("aria-label", "").startswith(f"{year}:")]
    assert site.json(bar["attrs"]["href"].lstrip("/"))["total"] == count


PAGES = {  # artifact name -> path (entity and SPARQL pages as a historian reaches them)
    "site-home": "",
    "site-search": "search?q=Sato&place=moscow",
    "site-entity": f"doc/person/{SATO}",
    "site-sparql": "sparql?query=PREFIX%20schema%3A%20%3Chttp%3A%2F%2Fschema.org%2F%3E%20SELECT%20%3Fperson%20"
                   "%3Fname%20(COUNT(%3Fd)%20AS%20%3Fdocuments)%20%7B%20%3Fd%20schema%3Aabout%20%3Fperson%20.%20"
                   "%3Fperson%20schema%3Aname%20%3Fname%20%7D%20GROUP%20BY%20%3Fperson%20%3Fname%20ORDER%20BY%20"
                   "DESC(%3Fdocuments)",
}


@needs_chromium
def test_screenshots_of_the_site(site, profile):
    ARTIFACTS.mkdir(exist_ok=True)
    for name, path in PAGES.items():
        shot = ARTIFACTS / f"{name}.png"
        shot.unlink(missing_ok=True)
        chromium(site.url + path, profile, f"--screenshot={shot}", "--window-size=1280,1600", "--hide-scrollbars")
        data = shot.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 30_000, name


@needs_chromium
def test_axe_core_finds_no_wcag_violation(site, node_modules):
    key = sorted(site.dates())[0]
    urls = [site.url + path for path in (*PAGES.values(), "search/person?place=moscow", f"doc/document/{key}",
                                         "sparql")]
    result = subprocess.run(["node", str(ROOT / "tests" / "axe_check.cjs"), str(CHROMIUM), *urls],
                            capture_output=True, text=True, timeout=300,
                            env={**os.environ, "NODE_PATH": str(node_modules)})
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert sorted(report) == sorted(urls)
    assert {url: found for url, found in report.items() if found} == {}


# -- the shared corpus -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def corpus_site(tmp_path_factory):
    if not (SHARED_CORPUS / "pages").is_dir():
        pytest.skip(f"shared corpus not present: {SHARED_CORPUS}")
    inputs = [SHARED_CORPUS / "pages", *[p for p in [SHARED_CORPUS / "wilson-records.jsonl"] if p.exists()]]
    folder, server = serve(tmp_path_factory, "corpus-site", inputs)
    with server as url:
        yield Site(url, folder)


def ascii_fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@needs_chromium
def test_the_shared_corpus_finds_a_person_with_and_without_the_diacritic(corpus_site, profile):
    people = corpus_site.json("search/person")["values"]
    printed = [p for p in people if ascii_fold(p["label"]) != p["label"] and ascii_fold(p["label"]).isascii()]
    assert printed, "the shared corpus names people with diacritics"
    person = max(printed, key=lambda p: (p["count"], p["label"]))
    found = {}
    for typed in (person["label"], ascii_fold(person["label"])):
        dom = dom_at(corpus_site.url, f"search?q=%22{typed}%22", profile)
        found[typed] = set(hits(dom))
    with_mark, without = found.values()
    assert with_mark == without and len(with_mark) >= person["count"]
    naming = {r["key"] for r in corpus_site.json(f"search?person={person['value']}")["results"]}
    assert naming <= with_mark
