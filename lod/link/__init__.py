"""Stage 2, link: persons, organizations and places -> Wikidata items, precision first.

The offline linker (the default) knows only the authority table in ``vocab/``;
``--online`` adds the Wikidata reconciler for names the table does not know.
"""

from __future__ import annotations

from lod.link.authority import load_index
from lod.link.resolve import Linker


def offline_linker(authorities: str | None = None) -> Linker:
    """The default linker: the packaged authority table plus an optional local one."""
    return Linker(load_index(authorities))
