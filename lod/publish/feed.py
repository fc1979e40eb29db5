"""Telling harvesters what changed: an Activity Streams change feed and a sitemap.

The feed follows the IIIF Change Discovery API 1.0: ``changes/collection.json`` (an
``OrderedCollection``) points to its first and last ``OrderedCollectionPage``; the
pages hold the journal's Create/Update/Delete activities, oldest first, and chain
with ``prev``/``next``. Pages fill from the oldest, so a new run only rewrites the
last page(s) and the collection; earlier pages keep their bytes.

An activity's ``object`` is the archival document itself (``{base}id/document/{key}``,
the IRI that 303-redirects to its description), typed ``Text`` (dcmitype:Text in the
Discovery context's object scope, as the mapper types the documents). Its
``seeAlso`` is the description (``{base}doc/document/{key}``), the RDF a harvester
fetches. A Delete keeps the object's IRI and type and drops ``seeAlso``: a tombstone.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from pathlib import Path
from urllib.parse import quote
from xml.sax.saxutils import escape

from lod.iris import Iris
from lod.publish.files import write_text
from lod.publish.layout import CHANGES, CHANGES_COLLECTION as COLLECTION, CHANGES_PAGE as PAGE, SITEMAP, SITEMAP_PART
from lod.publish.state import DELETE, JournalEntry, State, iter_journal

CONTEXT = ["https://www.w3.org/ns/activitystreams", "http://iiif.io/api/discovery/1/context.json"]
OBJECT_TYPE = "Text"
SITEMAP_MAX = 50_000  # URLs per sitemap file (sitemaps.org limit)
_SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def _dump(value: dict) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def _link(iri: str, kind: str) -> dict:
    return {"id": iri, "type": kind}


def _activity(entry: JournalEntry, iris: Iris) -> dict:
    target = {"id": iris.document(entry.key), "type": OBJECT_TYPE}
    if entry.type != DELETE:
        target["seeAlso"] = [{"id": iris.description(entry.key), "type": "Dataset"}]
    return {"type": entry.type, "object": target, "endTime": entry.time}


def write_feed(root: Path, entries: Sequence[JournalEntry], iris: Iris, page_size: int = 100) -> int:
    """Write ``root/changes/``: the collection and its pages; return how many files changed.

    With no entries there is no feed (a page must hold at least one activity), and
    pages beyond the current count are removed.
    """
    return write_feed_pages(root, iter(entries), len(entries), iris, page_size)


def write_feed_from_journal(root: Path, journal: Path, total: int, iris: Iris, page_size: int = 100) -> int:
    """:func:`write_feed` reading the journal file (of ``total`` entries) as it goes:
    memory does not grow with it."""
    return write_feed_pages(root, iter_journal(journal), total, iris, page_size)


def write_feed_pages(root: Path, entries: Iterator[JournalEntry], total: int, iris: Iris,
                     page_size: int = 100) -> int:
    """The feed from ``total`` entries, oldest first, one page in memory at a time."""
    if page_size < 1:
        raise ValueError("page_size must be at least 1")
    folder = root / CHANGES
    collection = f"{iris.base}{CHANGES}/{COLLECTION}"
    count = -(-total // page_size)
    page_ids = [f"{iris.base}{CHANGES}/{PAGE.format(number)}" for number in range(1, count + 1)]
    names: set[str] = set()
    written = 0
    if count:
        names.add(COLLECTION)
        written += write_text(folder / COLLECTION, _dump({
            "@context": CONTEXT,
            "id": collection,
            "type": "OrderedCollection",
            "totalItems": total,
            "seeAlso": [{"id": f"{iris.base}void.jsonld", "type": "Dataset",
                         "format": "application/ld+json", "profile": "http://www.w3.org/ns/dcat#"}],
            "first": _link(page_ids[0], "OrderedCollectionPage"),
            "last": _link(page_ids[-1], "OrderedCollectionPage"),
        }))
    for index in range(count):
        page: dict = {"@context": CONTEXT, "id": page_ids[index], "type": "OrderedCollectionPage",
                      "startIndex": index * page_size,
                      "partOf": _link(collection, "OrderedCollection")}
        if index > 0:
            page["prev"] = _link(page_ids[index - 1], "OrderedCollectionPage")
        if index < count - 1:
            page["next"] = _link(page_ids[index + 1], "OrderedCollectionPage")
        page["orderedItems"] = [_activity(entry, iris) for entry in islice(entries, page_size)]
        names.add(PAGE.format(index + 1))
        written += write_text(folder / PAGE.format(index + 1), _dump(page))
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if path.suffix == ".json" and path.name not in names:
                path.unlink()
    return written


def _sitemap_url(iri: str) -> str:
    """An IRI as the ASCII URL a sitemap needs (non-ASCII percent-encoded)."""
    return quote(iri, safe=":/?#[]@!$&'()*+,;=%~")


def write_sitemap(root: Path, state: State, iris: Iris, per_file: int = SITEMAP_MAX) -> int:
    """Write ``root/sitemap.xml``: each live document's description with its ``lastmod``."""
    return write_sitemap_rows(root, ((key, state.documents[key].modified) for key in sorted(state.documents)),
                              iris, per_file)


def write_sitemap_rows(root: Path, rows: Iterable[tuple[str, str]], iris: Iris,
                       per_file: int = SITEMAP_MAX) -> int:
    """The sitemap from ``(key, modified)`` rows in key order, one file's rows in memory at a time.

    Beyond ``per_file`` documents, ``sitemap.xml`` becomes a sitemap index over
    ``sitemap-00001.xml`` … (all in ``root``). Returns how many files changed.
    """
    names: list[str] = []
    latest: list[str] = []
    written = 0
    part: list[tuple[str, str]] = []
    pending = None  # a full first file: if nothing follows, it is sitemap.xml itself
    for key, modified in rows:
        part.append((_sitemap_url(iris.description(key)), modified))
        if len(part) == per_file:
            if pending is None and not names:
                pending = part
            else:
                for full in filter(None, (pending, part)):
                    written += _sitemap_part(root, names, latest, full)
                pending = None
            part = []
    single = None
    if names:
        written += _sitemap_part(root, names, latest, part) if part else 0
    elif pending is not None and part:
        written += _sitemap_part(root, names, latest, pending) + _sitemap_part(root, names, latest, part)
    else:
        single = pending if pending is not None else part
    if single is not None:
        written += write_text(root / SITEMAP, _xml("urlset", "url", single))
    else:
        written += write_text(root / SITEMAP, _xml("sitemapindex", "sitemap",
                                                  [(f"{iris.base}{name}", modified)
                                                   for name, modified in zip(names, latest)]))
    for path in sorted(root.glob("sitemap-*.xml")):
        if path.name not in names:
            path.unlink()
    return written


def _sitemap_part(root: Path, names: list[str], latest: list[str], rows: list[tuple[str, str]]) -> int:
    names.append(SITEMAP_PART.format(len(names) + 1))
    latest.append(max(modified for _, modified in rows))
    return write_text(root / names[-1], _xml("urlset", "url", rows))


def _xml(container: str, item: str, rows: list[tuple[str, str]]) -> str:
    lines = [f"  <{item}><loc>{escape(loc)}</loc><lastmod>{escape(modified)}</lastmod></{item}>\n"
             for loc, modified in rows]
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<{container} xmlns="{_SITEMAP_NS}">\n'
            + "".join(lines) + f"</{container}>\n")
