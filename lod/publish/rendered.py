"""What the publish stage needs of one rendered document, and its packed form for the key sort.

Workers render documents (:func:`lod.render.render`) and write their files; the rest
crosses to the main process packed small (:meth:`Rendered.packed`) and waits in the key
sort's runs on disk until the pass in key order (:class:`lod.publish.Edition`).
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field

from isal import isal_zlib

from lod.model import Origin
from lod.publish.dumps import LineStats

#: The form of :meth:`Rendered.packed`'s payload, as kept in the key sort's runs: a killed
#: export's runs are only adopted by a lod that reads them the same way.
PACKED_FORMAT = 5


@dataclass
class Rendered:
    """Everything one record becomes, in a form that is cheap to send between processes."""

    key: str
    digest: str  # SHA-256 of the sorted N-Triples: the document's content identity
    files: dict[str, bytes]
    nt: bytes  # the document's N-Triples: its own lines sorted, then its shared lines sorted
    own: int  # bytes of ``nt`` that are the document's own lines (see lod.publish.dumps)
    stats: LineStats  # of the own lines
    pieces: dict[str, bytes]  # what it adds to each product (lod.publish.products), by name
    origins: tuple[Origin, ...]  # every input record it was read from, its own first
    warnings: tuple[str, ...]
    #: The N-Triples of each format that renders other profiles (EDM), by format name, for its
    #: dump: (own lines then shared lines, bytes of own lines), as ``nt`` and ``own``.
    views: dict[str, tuple[bytes, int]] = field(default_factory=dict)

    @property
    def lines(self) -> list[str]:
        """The N-Triples lines (split on LF only: U+2028 inside a literal is no line end)."""
        return [line + "\n" for line in self.nt.decode("utf-8").split("\n")[:-1]]

    def packed(self, placed: bool) -> tuple[str, str, bytes]:
        """(key, digest, the rest pickled and compressed) once the files are written: the main
        process only stores the rest for the pass in key order. ``placed``: see lod.publish.documents.

        Compressed by the worker (ISA-L level 0: ~25 us for a document's ~37 KB, a sixth of
        the size), the rest crosses the pipe and goes through the key sort's runs on disk at
        a sixth of the bytes: 0.6 GB instead of 3.7 GB at 100,000 documents.
        """
        rest = (self.nt, self.own, self.stats, self.pieces, self.origins, self.warnings, self.views, placed)
        return self.key, self.digest, isal_zlib.compress(pickle.dumps(rest, pickle.HIGHEST_PROTOCOL), 0)


def unpacked(rest: bytes) -> tuple:
    """The rest of :meth:`Rendered.packed`."""
    return pickle.loads(isal_zlib.decompress(rest))
