"""Stage 2, link: persons, organizations and places -> Wikidata items, precision first."""

from __future__ import annotations

from lod.model import Record


def offline_linker():
    """The default linker: the authority table in ``vocab/``, no network."""
    return _identity


def _identity(record: Record) -> Record:
    return record
