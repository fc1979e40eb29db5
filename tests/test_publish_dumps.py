"""Dumps: chunked, de-duplicated gzip N-Triples / N-Quads that load with exact counts; the key sort."""

from __future__ import annotations

import gzip
import hashlib
import json
import random
from collections import Counter
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from lod.errors import ReadError
from lod.config import Settings
from lod.map import map_record
from lod.publish import runs
from lod.publish.dumps import DumpWriter, line_stats, write_manifest
from lod.publish.runs import KeySorter
from lod.read import Skipped, read_inputs
from lod.serialize import N_QUADS, N_TRIPLES, ntriples

NT_MEDIA_TYPE, NQ_MEDIA_TYPE = N_TRIPLES.media_type, N_QUADS.media_type

FIXTURES = Path(__file__).parent / "fixtures" / "records"
BASE = "http://example.org/"
SHARED = URIRef(f"{BASE}id/person/shared")
NAME = URIRef("http://schema.org/name")


def _sample_documents() -> list[tuple[str, list[str]]]:
    """The fixture records as mapped documents, plus synthetic ones with hostile literals."""
    settings = Settings(base=BASE)
    documents = {}
    for record in read_inputs([str(FIXTURES / "sample.jsonl"), str(FIXTURES / "sample.csv")]):
        if isinstance(record, (Skipped, ReadError)):
            continue
        documents[record.key] = ntriples.lines(map_record(record, settings))
    for number in range(25):
        subject = URIRef(f"{BASE}id/document/synthetic-{number:02d}")
        triples = [(subject, RDF.type, URIRef("http://schema.org/ArchiveComponent")),
                   (subject, NAME, Literal(f"Tab\there \"{number}\" \\ ünïcödé \u2028 end\nline")),
                   (subject, URIRef("http://schema.org/mentions"), SHARED),
                   (SHARED, NAME, Literal("Shared Person", lang="en"))]
        triples += [(subject, URIRef(f"{BASE}ns/p{i}"), Literal(i)) for i in range(number % 7)]
        documents[f"synthetic-{number:02d}"] = ntriples.lines(triples)
    return [(f"{BASE}doc/document/{key}", lines) for key, lines in sorted(documents.items())]


DOCUMENTS = _sample_documents()


def _own_and_shared(graph: str, lines: list[str]) -> tuple[list[str], list[str]]:
    """A document's own lines (about its own nodes) and the lines other documents may share."""
    thing = graph.replace("/doc/", "/id/", 1)
    mine = (f"<{thing}>", f"<{thing}#", f"<{graph}>")
    return [line for line in lines if line.startswith(mine)], [line for line in lines if not line.startswith(mine)]


def _write(folder: Path, documents, **options) -> tuple[list, DumpWriter]:
    writer = DumpWriter(folder, **options)
    for graph, lines in documents:
        writer.add(graph, *_own_and_shared(graph, lines))
    return writer.close(), writer


def _contents(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def _lines(path: Path) -> list[str]:
    text = gzip.decompress(path.read_bytes()).decode("utf-8")
    return [line + "\n" for line in text.split("\n")[:-1]]  # not splitlines: U+2028 is data


def test_documents_must_come_in_key_order(tmp_path):
    writer = DumpWriter(tmp_path / "dumps")
    writer.add(*DOCUMENTS[1])
    with pytest.raises(ValueError, match="in order"):
        writer.add(*DOCUMENTS[0])


def _items(count: int) -> list[tuple[str, bytes, bytes]]:
    rng = random.Random(3)
    keys = [f"k{rng.randrange(count // 2)}-ü" for _ in range(count)]  # repeated keys
    return [(key, hashlib.sha256(f"{key}{rng.randrange(3)}".encode()).digest(),
             rng.randbytes(rng.randrange(40))) for key in keys]


@pytest.mark.parametrize("max_open", [3, runs.MAX_OPEN_RUNS])
def test_key_sort_spilled_runs_give_the_order_of_memory(tmp_path, monkeypatch, max_open):
    monkeypatch.setattr(runs, "MAX_OPEN_RUNS", max_open)
    items = _items(200)
    in_memory = KeySorter(tmp_path / "a")
    spilled = KeySorter(tmp_path / "b", spill_bytes=1)  # one run per record
    for item in items:
        in_memory.add(*item)
    for item in reversed(items):
        spilled.add(*item)
        assert spilled.spill_if_full()
    assert list(in_memory) == list(spilled) == sorted(items)
    spilled.close()
    assert not (tmp_path / "b").exists()


def test_key_sort_adopts_the_runs_of_a_killed_sort_and_checks_their_bytes(tmp_path):
    items = _items(60)
    killed = KeySorter(tmp_path / "sort", spill_bytes=300)
    spilled_after = []
    for n, item in enumerate(items, 1):
        killed.add(*item)
        if killed.spill_if_full():
            spilled_after.append(n)
    assert len(spilled_after) > 2
    done = spilled_after[1]  # the killed sort's memory (the items after its second run) is lost
    resumed = KeySorter(tmp_path / "sort", spill_bytes=300, runs=killed.runs[:2])
    for item in items[done:]:
        resumed.add(*item)
    assert list(resumed) == sorted(items)
    first = killed.runs[0]
    assert first.intact(tmp_path / "sort")
    path = tmp_path / "sort" / first.name
    data = bytearray(path.read_bytes())
    data[-1] ^= 1
    path.write_bytes(bytes(data))
    assert not first.intact(tmp_path / "sort")
    assert not killed.runs[-1]._replace(size=killed.runs[-1].size + 1).intact(tmp_path / "sort")


def test_chunks_respect_the_limit_and_keep_graphs_whole(tmp_path):
    limit = max(len(lines) for _, lines in DOCUMENTS)  # every graph fits, and several files are needed
    files, _ = _write(tmp_path / "dumps", DOCUMENTS, chunk_triples=limit)
    nt = [f for f in files if f.media_type == NT_MEDIA_TYPE]
    nq = [f for f in files if f.media_type == NQ_MEDIA_TYPE]
    assert [f.path for f in nt] == [f"dumps/dataset-{n:05d}.nt.gz" for n in range(1, len(nt) + 1)]
    assert [f.path for f in nq] == [f"dumps/documents-{n:05d}.nq.gz" for n in range(1, len(nq) + 1)]
    assert all(0 < f.triples <= limit for f in files)
    assert all(f.triples == limit for f in nt[:-1])  # N-Triples chunks are filled
    sizes = {graph: len(lines) for graph, lines in DOCUMENTS}
    seen = Counter()
    for file in nq:
        assert sum(file.graphs.values()) == file.triples
        seen.update(file.graphs.keys())
        for graph, count in file.graphs.items():
            assert count == sizes[graph]  # every graph here fits: never split
    assert seen == Counter({graph: 1 for graph in sizes})
    # a graph only moves to the next file when it would not fit
    for before, after in zip(nq, nq[1:]):
        assert before.triples + sizes[next(iter(after.graphs))] > limit


def test_a_graph_larger_than_a_chunk_is_split(tmp_path):
    graph = f"{BASE}doc/document/huge"
    lines = ntriples.lines((URIRef(f"{BASE}id/document/huge"), URIRef(f"{BASE}ns/p"), Literal(i))
                           for i in range(25))
    small = (f"{BASE}doc/document/small", DOCUMENTS[0][1][:3])
    files, _ = _write(tmp_path / "dumps", [(graph, lines), small], chunk_triples=10)
    nq = [f for f in files if f.media_type == NQ_MEDIA_TYPE]
    assert [f.graphs for f in nq] == [{graph: 10}, {graph: 10}, {graph: 5, small[0]: 3}]


def test_files_load_with_the_counts_the_manifest_states(tmp_path):
    files, _ = _write(tmp_path / "dumps", DOCUMENTS, chunk_triples=150)
    write_manifest(tmp_path, files, base=BASE)
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["base"] == BASE
    assert [e["path"] for e in manifest["files"]] == sorted(f.path for f in files)
    store = pyoxigraph.Store()
    for entry in manifest["files"]:
        data = (tmp_path / entry["path"]).read_bytes()
        assert entry["bytes"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["encoding"] == "gzip"
        fmt = {NT_MEDIA_TYPE: pyoxigraph.RdfFormat.N_TRIPLES,
               NQ_MEDIA_TYPE: pyoxigraph.RdfFormat.N_QUADS}[entry["media_type"]]
        quads = list(pyoxigraph.parse(gzip.decompress(data), format=fmt))
        assert len(quads) == entry["triples"]
        assert not any(isinstance(term, pyoxigraph.BlankNode)
                       for quad in quads for term in (quad.subject, quad.object))
        if entry["media_type"] == NQ_MEDIA_TYPE:
            assert Counter(str(q.graph_name.value) for q in quads) == entry["graphs"]
            store.extend(quads)
        else:
            assert entry["graphs"] is None
    # the quads, graph by graph, are exactly the documents
    for graph, lines in DOCUMENTS:
        loaded = store.quads_for_pattern(None, None, None, pyoxigraph.NamedNode(graph))
        assert len(list(loaded)) == len(lines)


def test_duplicates_once_in_triples_once_per_graph_in_quads(tmp_path):
    files, writer = _write(tmp_path / "dumps", DOCUMENTS)
    shared_line = next(iter(ntriples.lines([(SHARED, NAME, Literal("Shared Person", lang="en"))])))
    nt = [line for f in files if f.media_type == NT_MEDIA_TYPE for line in _lines(tmp_path / f.path)]
    nq = [line for f in files if f.media_type == NQ_MEDIA_TYPE for line in _lines(tmp_path / f.path)]
    union = {line for _, lines in DOCUMENTS for line in lines}
    own = [line for graph, lines in DOCUMENTS for line in _own_and_shared(graph, lines)[0]]
    shared = sorted({line for graph, lines in DOCUMENTS for line in _own_and_shared(graph, lines)[1]})
    assert nt == own + shared  # documents in key order, then the shared lines sorted
    assert len(set(nt)) == len(nt) and set(nt) == union
    assert nt.count(shared_line) == 1
    assert sum(line.startswith(shared_line[:-3] + " <") for line in nq) == 25
    assert nq == [line[:-3] + f" <{graph}> .\n" for graph, lines in DOCUMENTS
                  for line in [*_own_and_shared(graph, lines)[0], *_own_and_shared(graph, lines)[1]]]
    assert writer.stats.triples == len(union)


def test_line_stats_count_what_pyoxigraph_sees():
    blob = "".join(line for _, lines in DOCUMENTS for line in lines).encode("utf-8")
    quads = list(pyoxigraph.parse(blob, format=pyoxigraph.RdfFormat.N_TRIPLES))
    stats = line_stats(blob, f"{BASE}id/".encode())
    subjects = {q.subject.value for q in quads}
    assert stats.triples == len(quads)
    assert stats.subjects == len(subjects)
    assert stats.entities == len({s for s in subjects if s.startswith(f"{BASE}id/")})
    assert stats.predicates == {q.predicate.value.encode() for q in quads}
    assert stats.classes == {q.object.value.encode() for q in quads if q.predicate.value == str(RDF.type)}


def test_stats_count_subjects_entities_and_terms(tmp_path):
    _, writer = _write(tmp_path / "dumps", DOCUMENTS, uri_space=f"{BASE}id/")
    graph = pyoxigraph.Store()
    graph.extend(pyoxigraph.parse("".join(line for _, lines in DOCUMENTS for line in lines),
                                  format=pyoxigraph.RdfFormat.N_TRIPLES))
    quads = list(graph)
    subjects = {q.subject.value for q in quads}
    assert writer.stats.triples == len(quads)
    assert writer.stats.distinct_subjects == len(subjects)
    assert writer.stats.entities == len({s for s in subjects if s.startswith(f"{BASE}id/")})
    assert writer.stats.predicates == tuple(sorted({q.predicate.value for q in quads}))
    assert writer.stats.classes == tuple(sorted({q.object.value for q in quads
                                                 if q.predicate.value == str(RDF.type)}))


def test_rerun_keeps_unchanged_files_and_removes_stale_chunks(tmp_path):
    folder = tmp_path / "dumps"
    files, _ = _write(folder, DOCUMENTS, chunk_triples=100)
    assert all(f.written for f in files) and len(files) > 2
    stamps = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    again, writer = _write(folder, DOCUMENTS, chunk_triples=100)
    assert not any(f.written for f in again) and writer.removed == []
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == stamps
    (folder / "unrelated.txt").write_text("kept")
    fewer, writer = _write(folder, DOCUMENTS[:2], chunk_triples=10_000)
    assert [f.path for f in fewer] == ["dumps/dataset-00001.nt.gz", "dumps/documents-00001.nq.gz"]
    assert writer.removed and all(name not in {"unrelated.txt"} for name in writer.removed)
    assert sorted(p.name for p in folder.iterdir()) == ["dataset-00001.nt.gz", "documents-00001.nq.gz",
                                                      "unrelated.txt"]


def test_gzip_is_deterministic(tmp_path):
    files, _ = _write(tmp_path / "dumps", DOCUMENTS[:3])
    for file in files:
        header = (tmp_path / file.path).read_bytes()[:10]
        assert header[3] == 0  # no FNAME / FEXTRA / FCOMMENT flags
        assert header[4:8] == b"\0\0\0\0"  # mtime 0


def test_leftovers_of_a_killed_run_are_removed(tmp_path):
    folder = tmp_path / "dumps"
    folder.mkdir()
    for name in (".dataset-00001.nt.gz.abc123.tmp", ".documents-00002.nq.gz.x.tmp"):
        (folder / name).write_bytes(b"junk")
    (folder / ".keep.tmp").write_bytes(b"not ours")
    _write(folder, DOCUMENTS[:2])
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) == [".keep.tmp"]


def test_no_documents_no_files(tmp_path):
    files, writer = _write(tmp_path / "dumps", [])
    assert files == [] and writer.stats.triples == 0
    write_manifest(tmp_path, files)
    assert json.loads((tmp_path / "manifest.json").read_text()) == {"files": []}


@pytest.mark.parametrize("graph, lines", [
    ("http://example.org/has space", ["<http://a> <http://b> <http://c> .\n"]),
    ("http://example.org/g", ["<http://a> <http://b> <http://c> ."]),
    ("http://example.org/g", ["_:b <http://b> <http://c> .\n"]),
    ("http://example.org/g", [
        "<http://a> <http://b> <http://c> .\n<http://a> <http://b> <http://d> .\n"]),
])
def test_bad_input_is_refused(tmp_path, graph, lines):
    writer = DumpWriter(tmp_path / "dumps")
    with pytest.raises(ValueError):
        writer.add(graph, lines)


def test_manifest_is_stable_and_refuses_duplicate_paths(tmp_path):
    files, _ = _write(tmp_path / "dumps", DOCUMENTS[:4], chunk_triples=50)
    extra = [{"path": "void.ttl", "bytes": 1, "sha256": "0" * 64, "media_type": "text/turtle"}]
    write_manifest(tmp_path, files, extra)
    first = (tmp_path / "manifest.json").read_bytes()
    assert not write_manifest(tmp_path, list(reversed(files)), extra)
    assert (tmp_path / "manifest.json").read_bytes() == first
    with pytest.raises(ValueError):
        write_manifest(tmp_path, files + files[:1])


@pytest.mark.external
@pytest.mark.parametrize("tool", ["rapper", "serdi"])
def test_debian_parsers_accept_every_file(tmp_path, tool):
    import shutil
    import subprocess

    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed")
    files, _ = _write(tmp_path / "dumps", DOCUMENTS, chunk_triples=150)
    for file in files:
        plain = tmp_path / file.path.removesuffix(".gz")
        plain.write_bytes(gzip.decompress((tmp_path / file.path).read_bytes()))
        syntax = "ntriples" if file.media_type == NT_MEDIA_TYPE else "nquads"
        command = (["rapper", "-i", syntax, "-c", str(plain)] if tool == "rapper"
                   else ["serdi", "-i", syntax, "-o", "ntriples", str(plain)])
        result = subprocess.run(command, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        if tool == "rapper":
            assert f"returned {file.triples} " in result.stderr, result.stderr
        else:
            assert len(result.stdout.splitlines()) == file.triples
