"""One document's way from record to bytes: link -> map -> serialize, plus what publishing needs of it.

:func:`render` is pure (record in, bytes out): the same record, settings and time give
the same bytes. It runs in the export's workers; what it returns (:class:`Rendered`) is
what the publish stage needs of a document.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import replace

from lod.config import Settings
from lod.errors import Place, ReadError
from lod.limits import STATEMENT_BYTES
from lod.map import map_record
from lod.model import Record
from lod.publish import products
from lod.publish.dumps import line_stats
from lod.publish.rendered import Rendered
from lod import serialize
from lod.serialize import ntriples
Linker = Callable[[Record], Record]


def render(record: Record, settings: Settings, linker: Linker | None = None,
           first_seen: str | None = None, outputs: products.Outputs | None = None) -> Rendered:
    """Link, map and serialize one record. Pure: same record, settings and time, same bytes.

    ``outputs``: what the export writes (default: the default outputs); the per-document
    formats are written as files, and the pieces of the products written are made. A format
    that renders other profiles (EDM) maps the record again with those alone, only when it
    is chosen.

    Raises ReadError for a record with a statement too long for RDF stores to load
    (:data:`lod.limits.STATEMENT_BYTES`): the dumps it would be in must stay loadable.
    """
    if linker is not None:
        record = linker(record)
    triples = map_record(record, settings, first_seen)
    iris = settings.iris
    root = iris.document(record.key)
    description = iris.description(record.key)
    mine = (f"<{root}>", f"<{root}#", f"<{description}>")
    lines = ntriples.lines(triples)
    own, shared, digest = _own_and_shared(lines, mine)
    if len(own) + len(shared) > STATEMENT_BYTES - len(description) - 3:  # one line might be
        _check_statements(lines, len(description) + 3, record)
    stats = line_stats(own, iris.uri_space().encode("utf-8"))
    files, views, hashes = {}, {}, []
    mapped = {None: triples}  # by profiles: each set of profiles a format renders is mapped once
    outputs = outputs or products.choose(products.default_outputs())
    for f in serialize.outputs(outputs.formats):
        if f.profiles not in mapped:
            mapped[f.profiles] = map_record(record, replace(settings, profiles=f.profiles), first_seen)
        view = mapped[f.profiles] if f.select is None else f.select(mapped[f.profiles])
        if f.per_document:
            files[f.extension] = f.write(view, root).encode("utf-8")
        if f.profiles is not None:  # its own lines: for its dump, and for the document's digest
            view_own, view_shared, view_digest = _own_and_shared(ntriples.lines(view), mine)
            views[f.name] = (view_own + view_shared, len(view_own))
            hashes.append(view_digest)
    if hashes:  # the digest says when any file of the document changes
        digest = hashlib.sha256(" ".join((digest, *hashes)).encode("ascii")).hexdigest()
    pieces = {product.name: product.make(record, triples, iris) for product in products.registered()
              if product.make is not None and outputs.writes(product)}
    return Rendered(record.key, digest, files, own + shared, len(own), stats, pieces, record.origins,
                    record.warnings, views)


def _check_statements(lines: list[str], graph: int, record: Record) -> None:
    """Raise ReadError when a line, with its named graph (``graph`` characters more in the
    N-Quads dump), would be over :data:`STATEMENT_BYTES` in UTF-8."""
    most = STATEMENT_BYTES - graph
    longest = max(len(line.encode("utf-8")) for line in lines)
    if longest > most:
        origin = record.origin
        raise ReadError(f"a statement would be {longest + graph:,} bytes in the N-Quads dump, over the "
                        f"{STATEMENT_BYTES + 1:,} RDF stores such as Oxigraph read as one line",
                        Place(origin.file, origin.line, origin.record),
                        hint="lower field_bytes under [limits] in lod.toml, or shorten the text")


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
