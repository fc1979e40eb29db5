"""The HTML pages in a real browser: headless Chromium (Debian ``chromium``).

Chromium fetches the seed document's *thing* IRI with its own ``Accept`` header, so
this also checks that a browser is sent (303) to the HTML description. From the DOM
Chromium dumps we check the title, the date and the linked people (with their
Wikidata links), and we extract the embedded JSON-LD the way a search engine's
structured-data reader does: expanded with pyld, it must yield a
``schema:ArchiveComponent``. A screenshot is kept in ``tests/artifacts/``
(git-ignored) for people to look at.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

from conftest import CHROMIUM, Dom, chromium, document_file
from lod.serve import running  # noqa: E402
from lod.serve.options import OaiOptions, ServeOptions  # noqa: E402
from test_serve_linked_data import ADMIN, EXTRA_KEY, SEED_KEY, bound_socket, build_site  # noqa: E402

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
SCHEMA = "http://schema.org/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
OWL_SAMEAS = "http://www.w3.org/2002/07/owl#sameAs"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")


@pytest.fixture(scope="module")
def browser_site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser") / "export"
    sock = bound_socket()
    build_site(folder, f"http://127.0.0.1:{sock.getsockname()[1]}/")
    with running(folder, sock=sock, options=ServeOptions(oai=OaiOptions(admin_email=ADMIN))) as url:
        yield url, folder


@pytest.fixture(scope="module")
def profile(tmp_path_factory):
    path = tmp_path_factory.mktemp("chromium-profile")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def document_facts(folder: Path, base: str, key: str) -> dict:
    """Title, date and people of a document, read from its published Turtle."""
    quads = list(ox.parse(path=document_file(folder, key, ".ttl"), format=ox.RdfFormat.TURTLE))
    document = f"{base}id/document/{key}"

    def values(subject, predicate):
        return [q.object for q in quads if q.subject.value == subject and q.predicate.value == predicate]

    people = {}
    for quad in quads:
        target = quad.object
        if quad.subject.value == document and type(target).__name__ == "NamedNode" \
                and any(t.value == SCHEMA + "Person" for t in values(target.value, RDF_TYPE)):
            same = [v.value for v in values(target.value, OWL_SAMEAS)]
            people[target.value] = (values(target.value, SCHEMA + "name")[0].value, same)
    return {"title": values(document, SCHEMA + "name")[0].value,
            "date": values(document, SCHEMA + "dateCreated")[0].value, "people": people}


def test_seed_document_page_in_chromium(browser_site, profile):
    url, folder = browser_site
    facts = document_facts(folder, url, SEED_KEY)
    thing = f"{url}id/document/{SEED_KEY}"
    dom_text = chromium(thing, profile, "--dump-dom").stdout
    dom = Dom(dom_text)

    (heading,) = dom.find("h1")
    assert heading["text"].strip() == facts["title"]
    assert facts["title"] in dom.find("title")[0]["text"]
    times = dom.find("time", datetime=facts["date"])
    assert times and times[0]["text"].strip() == "15 October 1956"

    assert facts["people"], "the seed document names people"
    links = {e["attrs"].get("data-iri"): e for e in dom.find("a") if e["attrs"].get("data-iri")}
    hrefs = {e["attrs"].get("href") for e in dom.find("a")}
    for iri, (name, same) in facts["people"].items():
        assert iri in links, name
        assert links[iri]["text"].strip() == name
        assert links[iri]["attrs"]["href"] == "/" + iri[len(url):]
        for wikidata in same:
            qid = wikidata.rsplit("/", 1)[-1]
            assert f"https://www.wikidata.org/wiki/{qid}" in hrefs, (name, qid)
    assert any(same for _, same in facts["people"].values()), "at least one person is linked to Wikidata"
    for ext in ("ttl", "jsonld", "nt", "rdf"):
        assert f"/doc/document/{SEED_KEY}.{ext}" in hrefs


def test_embedded_json_ld_is_an_archive_component(browser_site, profile):
    from pyld import jsonld

    url, folder = browser_site
    for key in (SEED_KEY, EXTRA_KEY):
        dom = Dom(chromium(f"{url}doc/document/{key}.html", profile, "--dump-dom").stdout)
        scripts = dom.find("script", type="application/ld+json")
        assert len(scripts) == 1
        data = json.loads(scripts[0]["text"])
        expanded = jsonld.expand(data)
        nodes = {node["@id"]: node for node in expanded}
        document = nodes[f"{url}id/document/{key}"]
        assert f"{SCHEMA}ArchiveComponent" in document["@type"]
        published = json.loads((document_file(folder, key, ".jsonld")).read_text(encoding="utf-8"))
        assert expanded == jsonld.expand(published)  # the very description publish wrote


def test_hostile_text_is_escaped(browser_site, profile):
    url, _ = browser_site
    dom_text = chromium(f"{url}doc/document/{EXTRA_KEY}.html", profile, "--dump-dom").stdout
    dom = Dom(dom_text)
    summary = dom.find("div", class_="summary")[0]["text"]
    assert '<the> "withdrawal" &' in summary and "</script><!--" in summary
    assert len(dom.find("script")) == 1  # the summary's </script> opened nothing


def test_screenshot_artifact(browser_site, profile):
    url, _ = browser_site
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "seed.png"
    shot.unlink(missing_ok=True)
    chromium(f"{url}id/document/{SEED_KEY}", profile, f"--screenshot={shot}", "--window-size=1200,1600",
             "--hide-scrollbars")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1200, 1600)
    assert len(data) > 30_000  # a rendered page, not a blank one
    home = ARTIFACTS / "home.png"
    chromium(url, profile, f"--screenshot={home}", "--window-size=1200,1200", "--hide-scrollbars")
    assert home.exists()


def test_home_page_in_chromium(browser_site, profile):
    url, folder = browser_site
    dom = Dom(chromium(url, profile, "--dump-dom").stdout)
    void = {q.predicate.value.rsplit("#", 1)[-1]: q.object.value
            for q in ox.parse(path=folder / "void.ttl", format=ox.RdfFormat.TURTLE)
            if q.subject.value == f"{url}id/dataset"}
    assert dom.find("span", class_="triples")[0]["text"] == f"{int(void['triples']):,}"
    hrefs = {e["attrs"].get("href") for e in dom.find("a")}
    assert {"/void", "/changes/", "/sparql", "/oai?verb=Identify", "/sitemap.xml"} <= hrefs
    assert any(h and h.startswith("/dumps/") for h in hrefs)
    assert f"/id/document/{SEED_KEY}" in hrefs
