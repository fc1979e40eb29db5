"""The per-document glue of ``lod.render.render`` gives what the straightforward code gives.

Render splits a document's sorted N-Triples lines into its own and shared lines by
bisection, counts them with a regex that skips literal text, and writes its
links.csv rows with ``csv.writer``: each is checked here against the plain way
(filter every line, match at every line start, ``csv.DictWriter``) over hostile input.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lod.render import _own_and_shared
from lod.publish.dumps import line_stats
from lod.publish.links import COLUMNS, render_links
from lod.serialize import ntriples

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

BASE = "http://localhost:8080/"
KEY = "abc"
ROOT = f"{BASE}id/document/{KEY}"
DESCRIPTION = f"{BASE}doc/document/{KEY}"
MINE = (f"<{ROOT}>", f"<{ROOT}#", f"<{DESCRIPTION}>")
# The document's own nodes, and nodes that look like them but belong to others.
SUBJECTS = [ROOT, f"{ROOT}#classification", f"{ROOT}#link-kim", DESCRIPTION,
            f"{ROOT}d", f"{ROOT}-2", f"{ROOT}/x", f"{DESCRIPTION}x", f"{BASE}id/document/ab",
            f"{BASE}id/person/kim", f"{BASE}id/concept/korea", f"{BASE}id/activity/lod-1",
            "http://www.wikidata.org/entity/Q1", f"{BASE}id/document/abc\u91d1"]
PREDICATES = ["http://schema.org/name", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
              "http://purl.org/dc/terms/title", "http://schema.org/text"]
TEXT = st.text(st.sampled_from(['"', "\\", "\n", "\r", "\t", "\u2028", "\x00", "金", "a", " ", "<", ">", "\U0001F4DC"]),
               max_size=12)
OBJECTS = st.one_of(st.sampled_from(SUBJECTS + ["http://schema.org/Person"]),
                    st.tuples(TEXT, st.sampled_from(["", "en", "ja"]), st.just("")),
                    st.tuples(TEXT, st.just(""), st.sampled_from(["", "http://www.w3.org/2001/XMLSchema#date"])))
TRIPLES = st.lists(st.tuples(st.sampled_from(SUBJECTS), st.sampled_from(PREDICATES), OBJECTS), max_size=30)


@SETTINGS
@given(triples=TRIPLES)
def test_own_and_shared_lines_are_those_that_start_with_the_documents_iris(triples):
    lines = ntriples.lines(triples)
    own, shared, digest = _own_and_shared(lines, MINE)
    assert own == "".join(line for line in lines if line.startswith(MINE)).encode("utf-8")
    assert shared == "".join(line for line in lines if not line.startswith(MINE)).encode("utf-8")
    assert digest == hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()


_EVERY_LINE_START = re.compile(rb"^<([^>]*)> <([^>]*)> (?:<([^>]*)>)?", re.M)


@SETTINGS
@given(triples=TRIPLES, junk=st.lists(st.sampled_from(["", "# comment", "x <a> <b> <c> .", " <a> <b> ."]),
                                      max_size=3))
def test_line_stats_see_what_a_match_at_every_line_start_sees(triples, junk):
    blob = "".join([*ntriples.lines(triples), *(line + "\n" for line in junk)]).encode("utf-8")
    rows = _EVERY_LINE_START.findall(blob)
    subjects = {subject for subject, _, _ in rows}
    stats = line_stats(blob, f"{BASE}id/".encode())
    assert stats.triples == len(rows)
    assert stats.subjects == len(subjects)
    assert stats.entities == sum(s.startswith(f"{BASE}id/".encode()) for s in subjects)
    assert stats.predicates == {predicate for _, predicate, _ in rows}
    assert stats.classes == {o for _, p, o in rows if p == PREDICATES[1].encode() and o}


PLAIN_CELL = st.text(st.sampled_from([" ", "a", "é", "金", "\\", "'", "\t", "|", ";"]), max_size=6)
CELL = st.one_of(PLAIN_CELL, st.text(st.sampled_from([",", '"', "\n", "\r", "a", "é"]), min_size=1, max_size=6))
# Rows csv would not quote (joined directly) and rows it would (written by csv).
ROWS = st.lists(st.one_of(st.fixed_dictionaries({column: PLAIN_CELL for column in COLUMNS}),
                          st.fixed_dictionaries({column: CELL for column in COLUMNS})), max_size=6)


@SETTINGS
@given(rows=ROWS)
@example(rows=[dict.fromkeys(COLUMNS, "plain"), {**dict.fromkeys(COLUMNS, ""), "printed": "Satō, Eisaku"}])
def test_links_csv_is_what_dict_writer_writes(rows):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in sorted(rows, key=lambda r: (r["document"], r["field"], r["printed"], r["entity"])):
        writer.writerow(row)
    assert render_links(rows) == buffer.getvalue()


def test_only_the_products_written_are_made():
    """A product left out of --formats (the search index) costs the workers nothing."""
    from lod.config import Settings
    from lod.model import Identifiers, Origin, Record
    from lod.publish import products
    from lod.render import render

    record = Record("Telegram", Identifiers(key=KEY), Origin("t.jsonl", 1))
    everything = render(record, Settings(base=BASE))
    assert "search" in everything.pieces and "links" in everything.pieces
    dump_only = render(record, Settings(base=BASE), outputs=products.choose(["ttl", "jsonld", "nt", "nq"]))
    assert "search" not in dump_only.pieces and "links" in dump_only.pieces
