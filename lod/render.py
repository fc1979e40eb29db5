"""One document's way from record to bytes: link -> map -> serialize, plus what publishing needs of it.

:func:`render` is pure (record in, bytes out): the same record, settings and time give
the same bytes. It runs in the export's workers; what it returns (:class:`Rendered`) is
what the publish stage needs of a document.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from collections.abc import Callable

from lod.config import Settings
from lod.map import map_record
from lod.model import Record
from lod.publish import products
from lod.publish.dumps import line_stats
from lod.publish.rendered import Rendered
from lod import serialize
from lod.serialize import ntriples
Linker = Callable[[Record], Record]


def render(record: Record, settings: Settings, linker: Linker | None = None,
           first_seen: str | None = None, formats: tuple[str, ...] | None = None) -> Rendered:
    """Link, map and serialize one record. Pure: same record, settings and time, same bytes.

    ``formats``: the export's outputs (names in :mod:`lod.serialize`; default: the default
    outputs); the per-document ones are written as files.
    """
    if linker is not None:
        record = linker(record)
    triples = map_record(record, settings, first_seen)
    iris = settings.iris
    root = iris.document(record.key)
    mine = (f"<{root}>", f"<{root}#", f"<{iris.description(record.key)}>")
    own, shared, digest = _own_and_shared(ntriples.lines(triples), mine)
    stats = line_stats(own, f"{settings.base}id/".encode("utf-8"))
    files = {f.extension: f.write(triples, root).encode("utf-8")
             for f in serialize.outputs(formats or serialize.default_outputs()) if f.per_document}
    pieces = {product.name: product.make(record, triples, iris) for product in products.registered()
              if product.make is not None}
    return Rendered(record.key, digest, files, own + shared, len(own), stats, pieces, record.origins,
                    record.warnings)


def _own_and_shared(lines: list[str], mine: tuple[str, ...]) -> tuple[bytes, bytes, str]:
    """The lines that start with one of ``mine`` (none of which starts another) and the
    others, as UTF-8, and the SHA-256 of all the lines in their sorted order.

    The lines are sorted, so those with one prefix are one run, found by bisection: no
    line is tested, and each is encoded once.
    """
    runs = sorted((bisect_left(lines, prefix), bisect_left(lines, prefix[:-1] + chr(ord(prefix[-1]) + 1)))
                  for prefix in mine)
    digest = hashlib.sha256()
    own, shared, start = [], [], 0
    for begin, end in [*runs, (len(lines), len(lines))]:
        between = "".join(lines[start:begin]).encode("utf-8")
        run = "".join(lines[begin:end]).encode("utf-8")
        digest.update(between)
        digest.update(run)
        shared.append(between)
        own.append(run)
        start = end
    return b"".join(own), b"".join(shared), digest.hexdigest()
