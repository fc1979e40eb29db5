"""The SPARQL store the export writes (``lod/publish/store.py``): updated = built anew, kill -9, --formats."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import published, store_quads
from lod.iris import Iris
from lod.publish import products
from lod.publish import store as store_product
from lod.publish.dumps import DumpWriter
from lod.publish.layout import DUMPS, STORE
from lod.publish.products import Context, Published

ROOT = Path(__file__).resolve().parents[1]
BASE = "http://archive.example.org/"
IRIS = Iris(BASE)
KEYS = ("a", "b", "c", "d", "e", "f")
#: Statements documents share (about entities), each a line of N-Triples.
SHARED = tuple(f'<{BASE}id/person/p{n}> <http://schema.org/name> "Person {n}" .\n' for n in range(5)) + (
    f"<{BASE}id/person/p0> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://schema.org/Person> .\n",)

# A generation: key -> (title variant, shared lines by index); documents are made from that.
documents = st.dictionaries(st.sampled_from(KEYS), st.tuples(st.integers(0, 2), st.frozensets(
    st.integers(0, len(SHARED) - 1), max_size=4)), max_size=len(KEYS))


def nt_of(key: str, variant: int, shared: frozenset[int]) -> tuple[bytes, int]:
    document = IRIS.document(key)
    own = (f'<{document}> <http://schema.org/name> "Document {key}, version {variant}" .\n'
           f"<{document}> <http://schema.org/mentions> <{BASE}id/person/p{variant}> .\n"
           f"<{IRIS.description(key)}> <http://schema.org/about> <{document}> .\n").encode()
    return own + "".join(SHARED[i] for i in sorted(shared)).encode(), len(own)


def write_generation(folder: Path, docs: dict, previous: Path | None, old: dict) -> Path:
    """One generation as the pass in key order writes it: the dumps, then the store."""
    folder.mkdir(parents=True)
    dump = DumpWriter(folder / DUMPS)
    writer = store_product.PRODUCT.writer(folder, Context(previous, BASE))
    for key in sorted(set(docs) | set(old)):
        if key not in docs:
            writer.delete(key)
            continue
        nt, own = nt_of(key, *docs[key])
        dump.add(IRIS.description(key), nt[:own], nt[own:])
        change = None if old.get(key) == docs[key] else "Update" if key in old else "Create"
        writer.add(Published(key, hashlib.sha256(nt).hexdigest(), nt, own, {}, change))
    dump.close()
    writer.close()
    return folder


def quads(folder: Path) -> set:
    return set(ox.Store.read_only(str(folder / STORE)))


@pytest.mark.parametrize("update_share", [1.0, 0.0])  # always update the previous store; always build
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(generations=st.lists(documents, min_size=2, max_size=4))
def test_an_updated_store_holds_the_quads_of_one_built_anew(tmp_path_factory, monkeypatch, update_share,
                                                            generations):
    monkeypatch.setattr(store_product, "UPDATE_SHARE", update_share)
    root = tmp_path_factory.mktemp("generations")
    previous, old = None, {}
    for number, docs in enumerate(generations):
        previous_quads = quads(previous) if previous else None
        folder = write_generation(root / f"gen-{number}", docs, previous, old)
        fresh = write_generation(root / f"fresh-{number}", docs, None, {})
        assert quads(folder) == quads(fresh)
        if previous is not None:
            assert quads(previous) == previous_quads  # the previous generation's store, untouched
        default = {q.triple for q in quads(folder) if isinstance(q.graph_name, ox.DefaultGraph)}
        graphs = {q for q in quads(folder) if not isinstance(q.graph_name, ox.DefaultGraph)}
        assert default == {q.triple for q in graphs}  # the default graph: the merge, each triple once
        assert {q.graph_name.value for q in graphs} == {IRIS.description(k) for k, (_, s) in docs.items()}
        previous, old = folder, docs


def test_a_store_larger_than_a_sample_and_a_batch_is_updated_in_place(tmp_path, monkeypatch):
    """More documents than the sample and a bulk load's batch: the choice is made mid-pass."""
    monkeypatch.setattr(store_product, "SAMPLE", 5)
    monkeypatch.setattr(store_product, "BATCH", 7)
    many = {f"k{n:02d}": (n % 3, frozenset({n % len(SHARED)})) for n in range(40)}
    first = write_generation(tmp_path / "one", many, None, {})
    changed = {**{k: v for k, v in many.items() if k != "k07"}, "k03": (2, frozenset({0, 1})), "k41": (0, frozenset())}
    second = write_generation(tmp_path / "two", changed, first, many)
    assert quads(second) == quads(write_generation(tmp_path / "fresh", changed, None, {}))


def test_formats_choose_the_store_too():
    assert "store" in products.default_outputs()
    assert products.choose(["ttl", "nt", "store"]) == products.Outputs(("ttl", "nt"), ("store",))
    assert products.choose(["nt"]).products == ()
    with pytest.raises(ValueError, match=r"choose from ttl, jsonld, nt, nq, edm, search, store; nt is always written"):
        products.choose(["ttl", "sparql"])
    with pytest.raises(ValueError, match="nt is always written"):
        products.choose(["store"])


def lod_export(inputs: list[Path], out: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600"}
    return subprocess.Popen([sys.executable, "-m", "lod", "export", *map(str, inputs), "--out", str(out),
                             "--workers", "1", *extra], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_kill_9_while_the_store_is_written_leaves_the_previous_one_and_the_next_run_converges(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import synthetic

    inputs = synthetic.generate(600, tmp_path / "in")
    out, clean = tmp_path / "out", tmp_path / "clean"
    assert lod_export(inputs, out).wait() == 0
    before = published(out)
    assert before[STORE]
    # Edit a few records (an update of the store, not a build), then kill the export while it writes it.
    records = next(path for path in inputs if path.suffix == ".jsonl")
    lines = records.read_text(encoding="utf-8").splitlines(keepends=True)
    for number in range(0, len(lines), 47):
        record = json.loads(lines[number])
        record["summary"] = f"An edited summary, {number}."
        lines[number] = json.dumps(record, ensure_ascii=False) + "\n"
    records.write_text("".join(lines), encoding="utf-8")
    process = lod_export(inputs, out)
    deadline = time.monotonic() + 300
    while not list((out / ".lod").glob(f"staging-*/{STORE}/*.sst")) and time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the export ended before it wrote the store: {process.stderr.read()[-2000:]}")
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert list((out / ".lod").glob(f"staging-*/{STORE}")), "killed before it began the store"
    assert published(out) == before  # the previous generation, its store included, readable and as it was
    assert lod_export(inputs, out).wait() == 0
    assert lod_export(inputs, clean).wait() == 0
    assert store_quads(out) == store_quads(clean) != before[STORE]
    assert not list((out / ".lod").glob("staging-*"))
