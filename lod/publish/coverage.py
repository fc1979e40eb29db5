"""What the dataset covers, for its description: the documents' date range, the places they
are about (the Wikidata items of the linked ones) and their most frequent subjects.

A product (:mod:`lod.publish.products`): each worker makes a document's piece (its date,
linked places, top-level subject headings); the pass in key order folds every piece
into a :class:`Coverage`, holding one entry per distinct place and subject, never the
documents. :func:`lod.publish.void.describe_dataset` states it in DCAT and schema.org.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from lod.model import Record
from lod.publish.products import Context, Product, Published, register
from lod.vocab import WD

#: How many subjects become keywords: a portal shows a few, not every heading.
KEYWORDS = 20

#: A date's earliest and latest day, as ISO text that sorts across precisions
#: ("1949" spans 1949-00-00 .. 1949-99-99, "1949-03" 1949-03-00 .. 1949-03-99).
_FIRST = {"year": "-00-00", "month": "-00", "day": ""}
_LAST = {"year": "-99-99", "month": "-99", "day": ""}


@dataclass(frozen=True)
class Coverage:
    """The dataset's coverage; dates are (ISO form, precision) as the documents print them."""

    start: tuple[str, str] | None = None  # the earliest document date
    end: tuple[str, str] | None = None  # the latest
    places: tuple[tuple[str, str], ...] = ()  # (Wikidata IRI, name), by IRI
    keywords: tuple[str, ...] = ()  # top-level subject headings, most documents first


def _piece(record: Record, triples, iris) -> bytes:
    date = record.date
    return json.dumps({
        "date": [date.iso, date.precision] if date is not None and date.iso else None,
        "places": sorted({(e.qid, e.name) for e in record.places if e.qid}),
        "subjects": sorted({s.parts[0] for s in record.subjects if s.parts}),
    }, ensure_ascii=False).encode("utf-8")


class CoverageWriter:
    """Folds the documents' pieces; :attr:`coverage` is the result once closed. Writes no file."""

    def __init__(self, generation: Path, context: Context):
        self.start: tuple[str, str, str] | None = None  # (sort key, ISO, precision)
        self.end: tuple[str, str, str] | None = None
        self.names: dict[str, Counter] = {}  # Wikidata IRI -> the names documents give the place
        self.subjects: Counter = Counter()
        self.coverage = Coverage()

    def add(self, document: Published) -> None:
        piece = json.loads(document.pieces[PRODUCT.name])
        if piece["date"]:
            iso, precision = piece["date"]
            first, last = (iso + _FIRST[precision], iso, precision), (iso + _LAST[precision], iso, precision)
            self.start = first if self.start is None else min(self.start, first)
            self.end = last if self.end is None else max(self.end, last)
        for qid, name in piece["places"]:
            self.names.setdefault(str(WD) + qid, Counter())[name] += 1
        self.subjects.update(piece["subjects"])

    def delete(self, key: str) -> None:
        pass

    def close(self) -> None:
        places = tuple((iri, _most_used(names)) for iri, names in sorted(self.names.items()))
        ranked = sorted(self.subjects.items(), key=lambda item: (-item[1], item[0]))
        keywords = tuple(subject for subject, _ in ranked[:KEYWORDS])
        self.coverage = Coverage(self.start and self.start[1:], self.end and self.end[1:], places, keywords)

    def discard(self) -> None:
        pass


def _most_used(names: Counter) -> str:
    """The name most documents give (the first in sort order among equals)."""
    return min(names.items(), key=lambda item: (-item[1], item[0]))[0]


PRODUCT = register(Product("coverage", _piece, CoverageWriter))
