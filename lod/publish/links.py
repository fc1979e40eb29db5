"""``links.csv``: every linking decision of an export, for review and evaluation.

One row per (document, role, entity): what was printed, what it was resolved to,
how (method, score), and the candidates when it stayed ambiguous. ``lod review``
reads it back; ``benchmarks/linking_eval.py`` scores it against a gold file.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from operator import itemgetter
from pathlib import Path

from lod.iris import Iris
from lod.model import Record
from lod.publish.files import StreamedFile
from lod.publish.layout import LINKS
from lod.publish.products import Context, Product, Published, register
COLUMNS = ("document", "record_id", "file", "line", "field", "printed", "name", "kind", "status",
           "method", "score", "qid", "candidates", "entity")

#: Record roles under the archive's own field names (what gold files use).
FIELD_OF_ROLE = {
    "authors": "authors",
    "contributors": "document_contributors",
    "associated": "associated_people_orgs",
    "places": "associated_places",
    "archives": "original_archive_title",
    "funders": "donors",
    "mentions": "text",
}
NEEDS_REVIEW = ("ambiguous", "unverified", "unchecked", "unknown")
_CELLS = itemgetter(*COLUMNS)
_ORDER = itemgetter("document", "field", "printed", "entity")
_QUOTED = re.compile('["\r\n]')


def link_rows(record: Record, iris: Iris) -> list[dict[str, str]]:
    rows = []
    for role, entity in record.entities():
        decision = entity.link
        rows.append({
            "document": record.key,
            "record_id": record.identifiers.record_id or "",
            "file": record.origin.file,
            "line": str(record.origin.line or ""),
            "field": FIELD_OF_ROLE[role],
            "printed": entity.printed,
            "name": entity.name,
            "kind": entity.kind,
            "status": decision.status if decision else ("linked" if entity.qid else "unknown"),
            "method": decision.method if decision else "",
            "score": f"{decision.score:.2f}" if decision else "",
            "qid": entity.qid or "",
            "candidates": "|".join(decision.candidates) if decision else "",
            "entity": iris.entity(record, entity),
        })
    return rows


def render_links(rows: Iterable[dict[str, str]]) -> str:
    """The CSV text, header first.

    Rows go to csv.writer as tuples (csv.DictWriter checks every row in Python); a row
    with no comma, quote or line break in any cell, which csv would not quote, is joined
    directly.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for cells in map(_CELLS, sorted(rows, key=_ORDER)):
        line = ",".join(cells)
        if line.count(",") == len(COLUMNS) - 1 and not _QUOTED.search(line):
            buffer.write(line + "\n")
        else:
            writer.writerow(cells)
    return buffer.getvalue()


class _LinksWriter:
    """``links.csv``: the header, then each document's rows (documents come in key order)."""

    def __init__(self, generation: Path, context: Context):
        self.file = StreamedFile(generation / LINKS)
        self.file.write(render_links([]).encode("utf-8"))

    def add(self, document: Published) -> None:
        self.file.write(document.pieces["links"])

    def delete(self, key: str) -> None:
        pass

    def close(self) -> None:
        self.file.close()

    def discard(self) -> None:
        self.file.discard()


def _rows(record: Record, triples, iris: Iris) -> bytes:
    """The document's rows of links.csv (no header)."""
    return render_links(link_rows(record, iris)).split("\n", 1)[1].encode("utf-8")


PRODUCT = register(Product("links", _rows, _LinksWriter))


def read_links(folder: Path) -> list[dict[str, str]]:
    with (folder / LINKS).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))
