"""Exports are valid linked data: every file parses everywhere, the formats agree,
SHACL passes, no blank nodes, only existing terms, and the bytes are deterministic.

Three exports are checked: the bundled sample, a small JSON Lines file written here
(hostile text, every date precision, Wikidata links, every entity role), and the
shared corpus when ../shared is present.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import shutil
import subprocess
import warnings
from pathlib import Path

import pyoxigraph as ox
import pytest
from pyld import jsonld as pyld
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SKOS, VOID

from conftest import document_files
from lod.config import Config, ExportOptions
from lod import cli, pipeline
from lod.link import offline_linker
from lod.model import Record
from lod.publish import layout
from lod.publish.validate import validate_export
from lod.read import read_inputs
from lod.render import render
from lod.serialize import jsonld, turtle
from lod.vocab import SAMPLES_DIR, SCHEMA

pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

SAMPLE = SAMPLES_DIR / "seed-record.txt"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "wilson-records.jsonl"
CLOSED = (DCTERMS, SCHEMA, SKOS, OWL, RDFS, RDF, PROV, VOID, DCAT)
WIKIDATA = "http://www.wikidata.org/entity/"

# --- a small JSON Lines input that reaches every part of the mapping -----------------

WILSON_RIGHTS = (
    "The History and Public Policy Program welcomes reuse of Digital Archive materials for "
    "research and educational purposes. Some documents may be subject to copyright."
)
RECORDS = [
    {
        "title": 'Telegram "Urgent" from C:\\Archive\\ \u2014 <b>Kim Il Sung</b> & Satō > 金日成 \U0001F4DC',
        "original_publication_date": "October 15, 1956",
        "summary": 'First line with a trailing backslash \\\nSecond line with """ and \u2028 and \u2029\n'
                   "Third line: @en ^^xsd:string \t tab",
        "text_body": 'Body "quoted" \\ \r\n with CR LF, a control \x01 char, DEL \x7f and non-BMP \U00010348.',
        "authors": ["Satō, Eisaku"],
        "document_contributors": ["Chiang, Ching-kuo (Jiang Jingguo)", "Kim Il Sung"],
        "associated_people_orgs": ["Kim Il Sung", "Central Committee of the Communist Party of the Soviet Union"],
        "associated_places": ["Pyongyang", "Moscow"],
        "subjects_discussed": ["Korea (North)--Foreign relations--Soviet Union", "Cold War"],
        "source": 'AVPRF, f. 0102, op. 12, "d." 68',
        "original_archive_title": ["Archive of Foreign Policy of the Russian Federation"],
        "language": ["Russian", "Japanese"],
        "record_id": "990001",
        "donors": ["Leon Levy Foundation"],
        "credits": "This document was made possible with support from Leon Levy Foundation",
        "rights": WILSON_RIGHTS,
        "document_url": "https://digitalarchive.wilsoncenter.org/document/990001",
        "original_classification": "Top Secret",
        # The items of vocab/authorities.tsv, given in the input (the "input" link method).
        "wikidata": {"Kim Il Sung": "Q41117", "Pyongyang": "Q18808", "Satō, Eisaku": "Q179871"},
    },
    {
        "title": "Record of a Conversation, November 1967",
        "original_publication_date": "November 1967",
        "summary": "A month-precision date.",
        "associated_places": ["Hanoi"],
        "language": ["Vietnamese"],
        "document_url": "https://digitalarchive.wilsoncenter.org/document/990002",
    },
    {
        "title": "Letter about the year",
        "original_publication_date": "1949",
        "authors": ["Ministry of Foreign Affairs, People's Republic of China"],
        "rights": "Public Domain",
        "document_url": 'https://digitalarchive.wilsoncenter.org/document/990003?a=b c&"q"=<x>',
    },
    {
        "title": "Notes with an unparseable date",
        "original_publication_date": "Autumn 1950s (?)",
        "record_id": "990004",
    },
    # Two different records with one key: which one wins must not depend on order.
    {"title": "Same key, first version", "document_url": "https://digitalarchive.wilsoncenter.org/document/990005"},
    {"title": "Same key, second version", "document_url": "https://digitalarchive.wilsoncenter.org/document/990005"},
]


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def synthetic_jsonl(tmp_path_factory) -> Path:
    return write_jsonl(tmp_path_factory.mktemp("input") / "synthetic.jsonl", RECORDS)


@pytest.fixture(scope="session")
def synthetic_export(exporter, synthetic_jsonl):
    return exporter([synthetic_jsonl], "synthetic")


@pytest.fixture(scope="session", params=["sample", "synthetic", "corpus"])
def export(request):
    """Each export in turn (conftest.Export)."""
    return request.getfixturevalue(f"{request.param}_export")


# --- helpers ---------------------------------------------------------------------------


def offline_loader(url, options=None):
    raise AssertionError(f"JSON-LD processing tried to load {url}: the context must be inlined")


def pyld_graph(data: bytes, mode: str = "json-ld-1.1") -> Graph:
    """Expand with pyld (no network) to N-Quads, then read those with rdflib; ``mode``
    ``json-ld-1.0`` makes pyld a JSON-LD 1.0 processor (which refuses 1.1 contexts)."""
    nquads = pyld.to_rdf(json.loads(data), {"format": "application/n-quads",
                                            "documentLoader": offline_loader, "processingMode": mode})
    return Graph().parse(data=nquads, format="nt")


def diff(expected: Graph, actual: Graph) -> str:
    _, only_expected, only_actual = graph_diff(to_isomorphic(expected), to_isomorphic(actual))
    lines = [f"- {' '.join(t.n3() for t in triple)}" for triple in sorted(only_expected)][:10]
    lines += [f"+ {' '.join(t.n3() for t in triple)}" for triple in sorted(only_actual)][:10]
    return "\n".join(lines)


def dump_text(export) -> str:
    return gzip.decompress((export.out / layout.DATASET_DUMP).read_bytes()).decode("utf-8")


def document_iri(graph: Graph) -> URIRef:
    (iri,) = graph.subjects(RDF.type, SCHEMA.ArchiveComponent)
    return iri


# --- every file parses, with rdflib and pyoxigraph ------------------------------------


def test_export_wrote_documents(export):
    ttl = {p.stem for p in export.files(".ttl")}
    assert ttl, "no documents written"
    assert ttl == {p.stem for p in export.files(".jsonld")}
    assert len(ttl) == export.report.exported


def test_every_file_parses_with_rdflib_and_pyoxigraph(export, oxigraph_graph):
    failures = []
    for path in export.files(".ttl") + export.files(".jsonld"):
        rdflib_format, ox_format = {".ttl": ("turtle", ox.RdfFormat.TURTLE),
                                    ".jsonld": ("json-ld", ox.RdfFormat.JSON_LD)}[path.suffix]
        data = path.read_bytes()
        try:
            assert len(Graph().parse(data=data, format=rdflib_format)) > 0
        except Exception as error:  # noqa: BLE001 - collect every file's failure
            failures.append(f"{path.name}: rdflib: {error}")
        try:
            assert len(oxigraph_graph(data, ox_format)) > 0
        except Exception as error:  # noqa: BLE001
            failures.append(f"{path.name}: pyoxigraph: {error}")
    dump = dump_text(export)
    Graph().parse(data=dump, format="nt")
    oxigraph_graph(dump, ox.RdfFormat.N_TRIPLES)
    assert not failures, "\n".join(failures)


# --- Turtle, JSON-LD and N-Triples say the same thing ---------------------------------


def rendered_documents(export) -> dict:
    """Each written document's :class:`lod.publish.rendered.Rendered`, made again from the inputs.

    Of two records with one key, the one whose bytes were written is the document.
    """
    winners = {}
    for item in read_inputs([str(p) for p in export.inputs]):
        if not isinstance(item, Record):
            continue
        rendered = render(item, export.settings, offline_linker(), export.now)
        path = export.file(rendered.key, ".ttl")
        if path.exists() and path.read_bytes() == rendered.files[".ttl"]:
            winners[rendered.key] = rendered
    return winners


def test_turtle_jsonld_ntriples_are_the_same_graph(export, oxigraph_graph):
    """Per document: Turtle (rdflib, pyoxigraph), JSON-LD (pyld, rdflib, pyoxigraph) and
    the document's N-Triples lines are isomorphic; the dump holds all those lines."""
    documents = rendered_documents(export)
    assert sorted(documents) == [p.stem for p in export.files(".ttl")]
    all_lines: set[str] = set()
    for key, rendered in sorted(documents.items()):
        ttl = export.file(key, ".ttl").read_bytes()
        data = export.file(key, ".jsonld").read_bytes()
        assert rendered.files[".jsonld"] == data, key
        nt = "".join(rendered.lines)
        all_lines.update(rendered.lines)
        expected = Graph().parse(data=nt, format="nt")
        graphs = {
            "turtle/rdflib": Graph().parse(data=ttl, format="turtle"),
            "turtle/pyoxigraph": oxigraph_graph(ttl, ox.RdfFormat.TURTLE),
            "json-ld/pyld": pyld_graph(data),
            "json-ld 1.0/pyld": pyld_graph(data, "json-ld-1.0"),
            "json-ld/rdflib": Graph().parse(data=data, format="json-ld"),
            "json-ld/pyoxigraph": oxigraph_graph(data, ox.RdfFormat.JSON_LD),
            "n-triples/pyoxigraph": oxigraph_graph(nt, ox.RdfFormat.N_TRIPLES),
        }
        for name, graph in graphs.items():
            assert isomorphic(expected, graph), f"{key}: {name} differs:\n{diff(expected, graph)}"
    # split("\n"), not splitlines(): U+2028 inside a literal is not a line end in N-Triples.
    dump = {line + "\n" for line in dump_text(export).split("\n") if line}
    assert all_lines <= dump, sorted(all_lines - dump)[:5]


def test_json_ld_1_0_processors_read_the_dataset_description(export):
    """Every JSON-LD file, the dataset description too, is JSON-LD 1.0 (no 1.1-only feature)."""
    data = (export.out / layout.VOID_JSONLD).read_bytes()
    expected = Graph().parse(export.out / layout.VOID_TURTLE, format="turtle")
    graph = pyld_graph(data, "json-ld-1.0")
    assert isomorphic(expected, graph), diff(expected, graph)


# --- SHACL and lod validate -----------------------------------------------------------


def test_export_conforms_to_the_shapes(export):
    assert validate_export(export.out) == []


def test_lod_validate_command(sample_export, tmp_path, capsys):
    assert cli.main(["validate", str(sample_export.out)]) == 0
    assert "0 problems" in capsys.readouterr().out
    broken = tmp_path / "broken"
    shutil.copytree(sample_export.out, broken)
    path = document_files(broken, ".ttl")[0]
    path.write_text(path.read_text(encoding="utf-8") + f'\n{document_iri_of(path)} dcterms:title "Two"@en .\n',
                    encoding="utf-8")
    assert cli.main(["validate", str(broken)]) == 1
    out = capsys.readouterr().out
    assert f"{path.relative_to(broken).as_posix()}: " in out and "dcterms:title" in out


def document_iri_of(path: Path) -> str:
    return document_iri(Graph().parse(path, format="turtle")).n3()


@pytest.fixture
def broken_export(sample_export, tmp_path):
    """A copy of the sample export with one document to break; yields (folder, ttl path)."""
    folder = tmp_path / "export"
    shutil.copytree(sample_export.out, folder)
    path = document_files(folder, ".ttl")[0]
    return folder, path


def exact_graph(path: Path) -> Graph:
    """A Turtle file's triples with every lexical form as written (rdflib's parser
    would normalise ``"…Z"^^xsd:dateTime`` to ``"…+00:00"``)."""
    graph = Graph()
    for quad in ox.parse(path=path, format=ox.RdfFormat.TURTLE):
        s, p, o = (URIRef(t.value) if isinstance(t, ox.NamedNode) else t
                   for t in (quad.subject, quad.predicate, quad.object))
        if isinstance(o, ox.Literal):
            o = (Literal(o.value, lang=o.language) if o.language
                 else Literal(o.value, datatype=URIRef(o.datatype.value), normalize=False))
        graph.add((s, p, o))
    return graph


def rewrite(path: Path, add=(), remove=()) -> URIRef:
    """Change one document's triples and write both its files with lod's own writers."""
    graph = exact_graph(path)
    root = document_iri(graph)
    for triple in remove:
        graph.remove(tuple(root if t is ROOT else t for t in triple))
    for triple in add:
        graph.add(tuple(root if t is ROOT else t for t in triple))
    triples = list(graph)
    path.write_text(turtle.serialize(triples, str(root)), encoding="utf-8")
    path.with_suffix(".jsonld").write_text(jsonld.serialize(triples, str(root)), encoding="utf-8")
    return root


ROOT = object()  # stands for the document's IRI in rewrite()


def problems_for(folder: Path, path: Path) -> list[str]:
    prefix = f"{path.relative_to(folder).as_posix()}: "
    return [p for p in validate_export(folder) if p.startswith(prefix)]


BROKEN = {
    "two titles": (
        [(ROOT, DCTERMS.title, Literal("A second title", lang="en"))], [], "dcterms:title"),
    "no title": (
        [], [(ROOT, DCTERMS.title, None)], "dcterms:title"),
    "untagged title": (
        [(ROOT, DCTERMS.title, Literal("plain"))], [(ROOT, DCTERMS.title, None)], "dcterms:title"),
    "sameAs to a non-Wikidata IRI": (
        [(URIRef("http://localhost:8080/id/organization/leon-levy-foundation"), OWL.sameAs,
          URIRef("http://dbpedia.org/resource/Leon_Levy_Foundation"))], [], "dbpedia.org"),
    "sameAs to a Wikidata property": (
        [(URIRef("http://localhost:8080/id/organization/leon-levy-foundation"), SCHEMA.sameAs,
          URIRef(WIKIDATA + "P31"))], [], "entity/P31"),
    "date as a plain string": (
        [(ROOT, DCTERMS.date, Literal("1956-10-15"))], [(ROOT, DCTERMS.date, None)], "dcterms:date"),
    "ill-typed date": (
        [(ROOT, SCHEMA.dateCreated, Literal("1956-13-45", datatype=URIRef(
            "http://www.w3.org/2001/XMLSchema#date")))], [(ROOT, SCHEMA.dateCreated, None)],
        "schema:dateCreated"),
    "wrong dcterms:type": (
        [(ROOT, DCTERMS.type, URIRef("http://purl.org/dc/dcmitype/Image"))], [], "dcterms:type"),
    "language name, not a tag": (
        [(ROOT, DCTERMS.language, Literal("Japanese")), (ROOT, SCHEMA.inLanguage, Literal("Japanese"))],
        [], "dcterms:language"),
    "url as a string": (
        [(ROOT, SCHEMA.url, Literal("https://example.org/"))], [], "schema:url"),
    "creator as a string": (
        [(ROOT, DCTERMS.creator, Literal("Anonymous"))], [], '"Anonymous"'),
    "funder without a name": (
        [], [(URIRef("http://localhost:8080/id/organization/leon-levy-foundation"), SCHEMA.name, None)],
        "schema:name"),
    "concept with two prefLabels": (
        [(ROOT, DCTERMS.subject, URIRef("http://localhost:8080/id/concept/x")),
         (URIRef("http://localhost:8080/id/concept/x"), RDF.type, SKOS.Concept),
         (URIRef("http://localhost:8080/id/concept/x"), SKOS.prefLabel, Literal("X", lang="en")),
         (URIRef("http://localhost:8080/id/concept/x"), SKOS.prefLabel, Literal("Y", lang="en"))],
        [], "skos:prefLabel"),
    "misspelt schema.org term": (
        [(ROOT, URIRef("http://schema.org/dateCreatd"), Literal("1956"))], [], "dateCreatd"),
    "misspelt Dublin Core term": (
        [(ROOT, URIRef("http://purl.org/dc/terms/titel"), Literal("x"))], [], "titel"),
    "unknown class": (
        [(ROOT, RDF.type, URIRef("http://schema.org/ArchiveComponentt"))], [], "ArchiveComponentt"),
    "link statement to a non-Wikidata object": (
        [(URIRef("http://localhost:8080/id/document/x#link"), RDF.type, RDF.Statement),
         (URIRef("http://localhost:8080/id/document/x#link"), RDF.subject,
          URIRef("http://localhost:8080/id/organization/leon-levy-foundation")),
         (URIRef("http://localhost:8080/id/document/x#link"), RDF.predicate, OWL.sameAs),
         (URIRef("http://localhost:8080/id/document/x#link"), RDF.object,
          URIRef("http://dbpedia.org/resource/Leon_Levy_Foundation"))], [], "rdf:object"),
    "https schema.org": (
        [(ROOT, URIRef("https://schema.org/name"), Literal("x"))], [], "https://schema.org/"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_validate_reports_a_broken_document(broken_export, case):
    folder, path = broken_export
    add, remove, expected = BROKEN[case]
    rewrite(path, add, remove)
    problems = problems_for(folder, path)
    assert any(expected in p for p in problems), f"{case}: not reported; got {problems}"


def test_validate_reports_blank_nodes(broken_export):
    folder, path = broken_export
    iri = document_iri_of(path)
    path.write_text(path.read_text(encoding="utf-8")
                    + f'\n{iri} schema:author [ a schema:Person ; schema:name "Anonymous"@en ] .\n',
                    encoding="utf-8")
    problems = problems_for(folder, path)
    assert any("blank node" in p for p in problems), problems


def test_validate_reports_jsonld_that_differs_from_turtle(broken_export):
    folder, path = broken_export
    twin = path.with_suffix(".jsonld")
    tree = json.loads(twin.read_text(encoding="utf-8"))
    tree["name"] = "A different title"
    twin.write_text(json.dumps(tree), encoding="utf-8")
    problems = validate_export(folder)
    assert any(p.startswith(f"{twin.relative_to(folder).as_posix()}: not the same graph") for p in problems), problems


def test_validate_reports_files_that_do_not_parse(broken_export):
    folder, path = broken_export
    path.write_text(path.read_text(encoding="utf-8") + '\n<http://a> <http://b> "unterminated .\n',
                    encoding="utf-8")
    problems = validate_export(folder)
    assert any(p.startswith(f"{path.relative_to(folder).as_posix()}: does not parse") for p in problems), problems


def test_validate_reports_a_dump_that_lacks_triples(broken_export):
    folder, path = broken_export
    rewrite(path, [(ROOT, SCHEMA.identifier, Literal("only-in-the-document"))])
    problems = validate_export(folder)
    assert any(p.startswith("dataset.nt.gz: lacks 1 triples") for p in problems), problems


def test_validate_reports_a_folder_that_is_not_an_export(tmp_path):
    assert validate_export(tmp_path) != []


# --- hostile input still gives valid output ------------------------------------------


def test_malformed_landing_page_urls_still_give_valid_documents(exporter, tmp_path):
    """Scraped URLs may hold a bare %, brackets or a second #: the output must stay valid
    (lod.iris.safe_url repairs or drops them)."""
    urls = ["https://digitalarchive.wilsoncenter.org/document/1?share=100%",
            "https://digitalarchive.wilsoncenter.org/document/2?a[0]=1",
            "https://digitalarchive.wilsoncenter.org/document/3#top#notes"]
    records = [{"title": f"URL {n}", "record_id": str(n), "document_url": url} for n, url in enumerate(urls, 1)]
    export = exporter([write_jsonl(tmp_path / "urls.jsonl", records)], "urls")
    assert export.report.exported == len(urls)
    assert validate_export(export.out) == []


def test_a_lone_surrogate_rejects_its_record_not_the_export(exporter, tmp_path):
    """JSON may escape a lone surrogate (\\ud800), which no UTF-8 file can hold: that
    record is rejected with its line, the others are exported."""
    path = tmp_path / "surrogate.jsonl"
    path.write_text('{"title": "Lone \\ud800 surrogate", "record_id": "1"}\n'
                    '{"title": "Fine", "record_id": "2"}\n', encoding="utf-8")
    export = exporter([path], "surrogate")
    assert export.report.exported == 1
    assert [r.get("line") for r in export.report.rejected] == [1]
    assert validate_export(export.out) == []


# --- no blank nodes, only existing terms ----------------------------------------------


def all_graphs(export):
    for path in export.files(".ttl"):
        yield path.name, Graph().parse(path, format="turtle")
    for path in export.files(".jsonld"):
        yield path.name, Graph().parse(path, format="json-ld")
    yield layout.DATASET_DUMP, Graph().parse(data=dump_text(export), format="nt")


def test_no_blank_nodes(export):
    found = [f"{name}: {s.n3()} {p.n3()} {o.n3()}" for name, graph in all_graphs(export)
             for s, p, o in graph if isinstance(s, BNode) or isinstance(o, BNode)]
    assert not found, "\n".join(found[:20])


def undefined(iri: str) -> str | None:
    """Why ``iri`` is not a term of its closed namespace, or None."""
    if iri.startswith("https://schema.org/"):
        return "https://schema.org/ (lod writes http://schema.org/)"
    for namespace in CLOSED:
        base = str(namespace._NS)
        if iri.startswith(base):
            local = iri[len(base):]
            if iri not in namespace:
                return f"not in {namespace.__name__}"
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # DCAT (not closed) only warns
                try:
                    namespace[local]
                except (AttributeError, UserWarning) as error:
                    return str(error)
    return None


def test_only_existing_terms(export):
    graph = Graph().parse(data=dump_text(export), format="nt")
    used = set(graph.predicates()) | set(graph.objects(None, RDF.type))
    assert used, "nothing to check"
    unknown = {str(term): undefined(str(term)) for term in used if undefined(str(term))}
    assert not unknown, unknown


def test_undefined_terms_are_errors_under_pytest():
    """Keeps the undefined-term filter working: a typo in a term must fail the tests."""
    with pytest.raises(UserWarning, match="not defined in namespace"):
        DCAT.lodNoSuchTermTypo  # noqa: B018
    with pytest.raises(AttributeError):
        SCHEMA.lodNoSuchTermTypo  # noqa: B018


def test_undefined_term_check_can_fail():
    assert undefined("http://schema.org/nmae") and undefined("http://www.w3.org/ns/dcat#datset")
    assert undefined("https://schema.org/name")
    assert undefined("http://schema.org/name") is None and undefined("http://example.org/x") is None


# --- jsonld.js (npm) as a second JSON-LD 1.0 processor --------------------------------

JSONLD_JS = """
const jsonld = require('jsonld');
const fs = require('fs');
(async () => {
  const out = {};
  for (const file of process.argv.slice(1)) {
    out[file] = await jsonld.toRDF(JSON.parse(fs.readFileSync(file, 'utf8')), {
      format: 'application/n-quads', processingMode: 'json-ld-1.0',
      documentLoader: url => { throw new Error('tried to load ' + url); }});
  }
  process.stdout.write(JSON.stringify(out));
})().catch(error => { console.error(String(error)); process.exit(1); });
"""


@pytest.mark.external
def test_jsonld_js_as_a_1_0_processor_reads_every_file(export, node_modules):
    """Digital Bazaar's jsonld.js (from the npm registry, into tests/artifacts/node) in 1.0 mode."""
    files = [*export.files(".jsonld"), export.out / layout.VOID_JSONLD]
    run = subprocess.run(["node", "-e", JSONLD_JS, *map(str, files)], capture_output=True, text=True, timeout=300,
                         env={**os.environ, "NODE_PATH": str(node_modules)})
    assert run.returncode == 0, run.stderr
    for path, nquads in json.loads(run.stdout).items():
        turtle_file = Path(path).with_suffix(".ttl")
        expected = {q.triple for q in ox.parse(path=turtle_file, format=ox.RdfFormat.TURTLE)}
        assert {q.triple for q in ox.parse(nquads.encode(), format=ox.RdfFormat.N_QUADS)} == expected, path


# --- rapper (Debian raptor2-utils) ---------------------------------------------------


@pytest.mark.external
def test_rapper_accepts_every_turtle_file(export, tmp_path):
    rapper = shutil.which("rapper")
    if not rapper:
        pytest.skip("rapper (raptor2-utils) not installed")
    dump = tmp_path / "dataset.nt"
    dump.write_text(dump_text(export), encoding="utf-8")
    failures = []
    for path, syntax in [*((p, "turtle") for p in export.files(".ttl")), (dump, "ntriples")]:
        run = subprocess.run([rapper, "-q", "-c", "-i", syntax, str(path)],
                             capture_output=True, text=True, timeout=60)
        if run.returncode != 0 or "Error" in run.stderr:
            failures.append(f"{path.name}: {run.stderr.strip()}")
    assert not failures, "\n".join(failures)


@pytest.mark.external
def test_rapper_rejects_broken_turtle(tmp_path):
    """The rapper check can fail: a literal with a raw newline is not Turtle."""
    rapper = shutil.which("rapper")
    if not rapper:
        pytest.skip("rapper (raptor2-utils) not installed")
    path = tmp_path / "bad.ttl"
    path.write_text('<http://a> <http://b> "one\ntwo" .\n', encoding="utf-8")
    run = subprocess.run([rapper, "-q", "-c", "-i", "turtle", str(path)], capture_output=True, text=True)
    assert run.returncode != 0


# --- determinism ----------------------------------------------------------------------


def output_bytes(export) -> dict[str, bytes]:
    files = {f"documents/{p.name}": p.read_bytes()
             for p in export.files(".ttl") + export.files(".jsonld")}
    files[layout.DATASET_DUMP] = (export.out / layout.DATASET_DUMP).read_bytes()
    return files


def shuffled_copy(path: Path, folder: Path, seed: int) -> Path:
    # split("\n"), not splitlines(): the JSON may hold a raw U+2028, which is no line end.
    lines = [line + "\n" for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
    order = list(lines)
    rng = random.Random(seed)
    while len(lines) > 1 and order == lines:
        rng.shuffle(order)
    copy = folder / path.name
    copy.write_text("".join(order), encoding="utf-8")
    return copy


def test_exports_are_byte_identical_whatever_the_input_order(exporter, synthetic_jsonl, tmp_path):
    inputs = [SAMPLE, synthetic_jsonl] + ([CORPUS] if CORPUS.exists() else [])
    first = exporter(inputs, "order-a")
    shuffled = [shuffled_copy(p, tmp_path, seed) if p.suffix == ".jsonl" else p
                for seed, p in enumerate(inputs)]
    second = exporter(list(reversed(shuffled)), "order-b")
    a, b = output_bytes(first), output_bytes(second)
    assert sorted(a) == sorted(b)
    differing = [name for name in a if a[name] != b[name]]
    assert not differing, f"files differ between the two exports: {differing}"
    assert first.report.exported == second.report.exported > 1


def test_a_later_rerun_keeps_every_byte(exporter, synthetic_jsonl):
    """Re-exporting unchanged input into the same folder later changes nothing."""
    first = exporter([SAMPLE, synthetic_jsonl], "rerun")
    before = output_bytes(first)
    pipeline.export([str(SAMPLE), str(synthetic_jsonl)], first.out, Config(first.settings), offline_linker(),
                    ExportOptions(now="2027-06-30T12:00:00Z"))
    assert output_bytes(first) == before
