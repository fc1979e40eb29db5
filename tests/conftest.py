"""Shared fixtures: exports made through the library, and a pyoxigraph -> rdflib reader.

The bundled sample is always exported; the shared corpus (``../shared`` next to the
repository) only when it is present: the project must stand alone.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sqlite3
import subprocess
from html.parser import HTMLParser
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef

from lod import pipeline
from lod.link import offline_linker
from lod.config import Config, ExportOptions, Settings
from lod.publish import layout
from lod.vocab import SAMPLES_DIR

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "wilson-records.jsonl"
PAGES = SHARED / "corpus" / "pages"
AGGREGATORS = SHARED / "aggregators"
SAMPLE = SAMPLES_DIR / "seed-record.txt"
#: The export clock. Descriptions without an upload date are dated when lod first saw
#: them, so exports compared byte for byte must share the clock.
NOW = "2026-01-01T00:00:00Z"


def pytest_configure(config):
    # rdflib warns about an undefined term of a closed namespace (``DCAT.nosuch``)
    # with stacklevel=3, so the warning is attributed to the *calling* module and
    # pyproject's ``error::UserWarning:rdflib.*`` never matches it. Match the message.
    config.addinivalue_line("filterwarnings", "error:Code.*is not defined in namespace:UserWarning")


@dataclass(frozen=True)
class Export:
    inputs: tuple[Path, ...]
    out: Path
    report: pipeline.Report
    settings: Settings
    now: str

    @property
    def documents(self) -> Path:
        return self.out / layout.DOCUMENTS

    def files(self, extension: str) -> list[Path]:
        return document_files(self.out, extension)

    def file(self, key: str, extension: str) -> Path:
        return document_file(self.out, key, extension)


def document_file(out: Path, key: str, extension: str) -> Path:
    """A document's file in the export folder ``out`` (``extension``: ``.ttl``, ``.jsonld``)."""
    return out / layout.DOCUMENTS / layout.document_file(key, extension)


def published(out: Path) -> dict[str, object]:
    """The current generation of the export folder ``out``: each file's bytes by path, but
    for the store (RocksDB's files differ from run to run) its quads, under ``store``, and
    for the search index (an incremental one is not written in the same order) its rows."""
    root = (out / layout.HIDDEN / layout.CURRENT).resolve()
    files: dict[str, object] = {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
                                if p.is_file() and p.relative_to(root).parts[0] not in (layout.STORE, layout.SEARCH)}
    if (root / layout.STORE).is_dir():
        files[layout.STORE] = store_quads(out)
    if (root / layout.SEARCH).is_file():
        files[layout.SEARCH] = search_rows(root / layout.SEARCH)
    return files


def search_rows(path: Path) -> dict:
    """Everything a search index says, by document key (not by the ids SQLite gave), and what
    a few searches find."""
    with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) as db:
        documents = {row[0]: row[1:] for row in db.execute(
            "SELECT key, title, summary, description, body, date, year, linked, sort FROM documents")}
        facets = sorted(db.execute("SELECT d.key, f.facet, f.value, f.label, f.qid FROM facets f "
                                   "JOIN documents d ON d.id = f.document"))
        words = {word: sorted(row[0] for row in db.execute(
            "SELECT key FROM documents WHERE id IN (SELECT rowid FROM text WHERE text MATCH ?)", (word,)))
            for word in ('"sato"', '"moscow"', '"fishing grounds"', '"harvest"', '"record"', '"the"')}
    return {"documents": documents, "facets": facets, "words": words}


def store_quads(out: Path) -> set:
    """The quads of the export's store, opened read-only as ``lod serve`` opens it."""
    return set(ox.Store.read_only(str((out / layout.STORE).resolve())))


def document_files(out: Path, extension: str) -> list[Path]:
    """Every document file with ``extension`` in the export folder ``out``, in key order."""
    return sorted(layout.document_files(out / layout.DOCUMENTS, extension), key=lambda path: path.name)


Exporter = Callable[..., Export]


def run_export(inputs: Sequence[Path | str], out: Path, settings: Settings = Settings(),
               now: str = NOW, formats: tuple[str, ...] | None = None) -> Export:
    """Export like ``lod export`` does (offline linker), without printing."""
    report = pipeline.export([str(i) for i in inputs], out, Config(settings), offline_linker(),
                             ExportOptions(now=now, outputs=formats))
    return Export(tuple(Path(i) for i in inputs), out, report, settings, now)


@pytest.fixture(scope="session")
def exporter(tmp_path_factory) -> Exporter:
    """``exporter(inputs, name)``: export into a fresh temporary folder."""

    def export(inputs: Sequence[Path | str], name: str = "export", settings: Settings = Settings(),
               now: str = NOW, formats: tuple[str, ...] | None = None) -> Export:
        return run_export(inputs, tmp_path_factory.mktemp(name), settings, now, formats)

    return export


@pytest.fixture(scope="session")
def aggregator_files() -> Path:
    """The aggregators' own validation files (``../shared/aggregators``: Europeana's EDM.xsd and
    Schematron, DCAT-AP's shapes), or skip: they are not the project's to ship."""
    if not (AGGREGATORS / "europeana-edm" / "EDM.xsd").exists():
        pytest.skip(f"aggregators' validation files not present: {AGGREGATORS}")
    return AGGREGATORS


@pytest.fixture(scope="session")
def europeana_files(aggregator_files):
    """Europeana's EDM.xsd and Schematron, loaded as ``lod check --official`` loads them."""
    from lod.publish.check import EuropeanaFiles

    not_run: list[str] = []
    files = EuropeanaFiles.load(aggregator_files, not_run)
    if files is None:
        pytest.skip(not_run[0])
    return files


@pytest.fixture(scope="session")
def sample_export(exporter) -> Export:
    """The bundled sample, as ``lod export`` with no inputs writes it."""
    return exporter([SAMPLE], "sample")


@pytest.fixture(scope="session")
def corpus_export(exporter) -> Export:
    """The shared corpus (JSON Lines plus the seed page) when ../shared is present."""
    if not CORPUS.exists():
        pytest.skip(f"shared corpus not present: {CORPUS}")
    seed = CORPUS.parent / "seed-record.txt"
    return exporter([CORPUS, seed if seed.exists() else SAMPLE], "corpus")


def load_benchmark(name: str):
    """A module of ``benchmarks/`` (not a package), e.g. ``synthetic``."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def synthetic_1000_export(exporter, tmp_path_factory) -> Export:
    """1,000 records of ``benchmarks/synthetic.py`` (every input format, names in and out of
    the authority table), exported."""
    inputs = load_benchmark("synthetic").generate(1000, tmp_path_factory.mktemp("synthetic-input"), seed=0)
    return exporter(inputs, "synthetic-1000")


@pytest.fixture(scope="session")
def oxigraph_graph() -> Callable[[bytes | str, ox.RdfFormat], Graph]:
    """``oxigraph_graph(data, format)``: parse with pyoxigraph, get an rdflib Graph."""
    return parse_with_oxigraph


def parse_with_oxigraph(data: bytes | str, format: ox.RdfFormat) -> Graph:
    """Parse with pyoxigraph (strict) and hand back the triples as an rdflib Graph."""
    graph = Graph()
    for quad in ox.parse(data, format=format):
        assert isinstance(quad.graph_name, ox.DefaultGraph), f"named graph in output: {quad}"
        graph.add(tuple(_rdflib_term(t) for t in (quad.subject, quad.predicate, quad.object)))
    return graph


def _rdflib_term(node):
    if isinstance(node, ox.NamedNode):
        return URIRef(node.value)
    if isinstance(node, ox.BlankNode):
        return BNode(node.value)
    if node.language:
        return Literal(node.value, lang=node.language)
    if node.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
        return Literal(node.value)
    return Literal(node.value, datatype=URIRef(node.datatype.value))


#: What the tests install from the npm registry into tests/artifacts/node: the accessibility
#: check (puppeteer-core 24 runs on Node 18+, driving Debian's Chromium) and jsonld.js, a
#: second JSON-LD processor.
NODE_PACKAGES = ("puppeteer-core@24.40.0", "axe-core@4.11.4", "jsonld@9.0.0")


@pytest.fixture(scope="session")
def node_modules() -> Path:
    """``tests/artifacts/node/node_modules`` with :data:`NODE_PACKAGES` (installed once; for NODE_PATH)."""
    if not (shutil.which("node") and shutil.which("npm")):
        pytest.skip("node and npm are not installed")
    folder = Path(__file__).resolve().parent / "artifacts" / "node"
    marker = folder / "installed.txt"
    if not marker.exists() or marker.read_text() != " ".join(NODE_PACKAGES):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        result = subprocess.run(["npm", "install", "--no-save", "--no-audit", "--no-fund", "--no-package-lock",
                                 "--prefix", str(folder), *NODE_PACKAGES], capture_output=True, text=True,
                                timeout=600, env={**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "1"})
        if result.returncode != 0:
            pytest.skip(f"npm could not install {' '.join(NODE_PACKAGES)}: {result.stderr.strip()[-300:]}")
        marker.write_text(" ".join(NODE_PACKAGES))
    return folder / "node_modules"


CHROMIUM = Path("/usr/bin/chromium")


def chromium(url: str, profile: Path, *extra: str) -> subprocess.CompletedProcess:
    """Debian's Chromium, headless, on ``url`` (``--dump-dom``, ``--screenshot=...`` in ``extra``)."""
    command = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--disable-dev-shm-usage", f"--user-data-dir={profile}", *extra, url]
    result = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


class Dom(HTMLParser):
    """Elements with their attributes and text (enough to follow links as a reader would)."""

    def __init__(self, markup: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[dict] = []
        self._open: list[dict] = []
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, "attrs": dict(attrs), "text": "", "inside": [e["tag"] for e in self._open]}
        element["classes"] = [e["attrs"].get("class", "") for e in self._open]
        self.elements.append(element)
        if tag not in ("meta", "link", "br", "img", "input", "rect"):
            self._open.append(element)

    def handle_endtag(self, tag):
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index]["tag"] == tag:
                del self._open[index:]
                break

    def handle_data(self, data):
        for element in self._open:
            element["text"] += data

    def find(self, tag: str, **attrs) -> list[dict]:
        return [e for e in self.elements if e["tag"] == tag
                and all(e["attrs"].get(k.rstrip("_")) == v for k, v in attrs.items())]

    def links_in(self, class_: str) -> list[dict]:
        """The links inside elements of a class (e.g. the list of results ``hits``)."""
        return [e for e in self.find("a") if any(class_ in c.split() for c in e["classes"])]
