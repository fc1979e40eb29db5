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
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote
from xml.sax.saxutils import escape

from lod.map.iris import Iris
from lod.publish.files import write_text
from lod.publish.state import DELETE, JournalEntry, State

CONTEXT = ["https://www.w3.org/ns/activitystreams", "http://iiif.io/api/discovery/1/context.json"]
CHANGES = "changes"
COLLECTION = "collection.json"
PAGE = "page-{:05d}.json"
OBJECT_TYPE = "Text"
SITEMAP = "sitemap.xml"
SITEMAP_PART = "sitemap-{:05d}.xml"
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
    if page_size < 1:
        raise ValueError("page_size must be at least 1")
    folder = root / CHANGES
    collection = f"{iris.base}{CHANGES}/{COLLECTION}"
    pages = [entries[start:start + page_size] for start in range(0, len(entries), page_size)]
    page_ids = [f"{iris.base}{CHANGES}/{PAGE.format(number)}" for number in range(1, len(pages) + 1)]
    files: dict[str, str] = {}
    if pages:
        files[COLLECTION] = _dump({
            "@context": CONTEXT,
            "id": collection,
            "type": "OrderedCollection",
            "totalItems": len(entries),
            "seeAlso": [{"id": f"{iris.base}void.jsonld", "type": "Dataset",
                         "format": "application/ld+json", "profile": "http://www.w3.org/ns/dcat#"}],
            "first": _link(page_ids[0], "OrderedCollectionPage"),
            "last": _link(page_ids[-1], "OrderedCollectionPage"),
        })
    for index, items in enumerate(pages):
        page: dict = {"@context": CONTEXT, "id": page_ids[index], "type": "OrderedCollectionPage",
                      "startIndex": index * page_size,
                      "partOf": _link(collection, "OrderedCollection")}
        if index > 0:
            page["prev"] = _link(page_ids[index - 1], "OrderedCollectionPage")
        if index < len(pages) - 1:
            page["next"] = _link(page_ids[index + 1], "OrderedCollectionPage")
        page["orderedItems"] = [_activity(entry, iris) for entry in items]
        files[PAGE.format(index + 1)] = _dump(page)
    written = sum(write_text(folder / name, text) for name, text in files.items())
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if path.suffix == ".json" and path.name not in files:
                path.unlink()
    return written


def _sitemap_url(iri: str) -> str:
    """An IRI as the ASCII URL a sitemap needs (non-ASCII percent-encoded)."""
    return quote(iri, safe=":/?#[]@!$&'()*+,;=%~")


def write_sitemap(root: Path, state: State, iris: Iris, per_file: int = SITEMAP_MAX) -> int:
    """Write ``root/sitemap.xml``: each live document's description with its ``lastmod``.

    Beyond ``per_file`` documents, ``sitemap.xml`` becomes a sitemap index over
    ``sitemap-00001.xml`` … (all in ``root``). Returns how many files changed.
    """
    urls = [(_sitemap_url(iris.description(key)), state.documents[key].modified)
            for key in sorted(state.documents)]
    parts = [urls[start:start + per_file] for start in range(0, len(urls), per_file)] or [[]]
    files: dict[str, str] = {}
    if len(parts) == 1:
        files[SITEMAP] = _xml("urlset", "url", parts[0])
    else:
        names = [SITEMAP_PART.format(number) for number in range(1, len(parts) + 1)]
        files[SITEMAP] = _xml("sitemapindex", "sitemap",
                              [(f"{iris.base}{name}", max(modified for _, modified in part))
                               for name, part in zip(names, parts)])
        files.update({name: _xml("urlset", "url", part) for name, part in zip(names, parts)})
    written = sum(write_text(root / name, text) for name, text in files.items())
    for path in sorted(root.glob("sitemap-*.xml")):
        if path.name not in files:
            path.unlink()
    return written


def _xml(container: str, item: str, rows: list[tuple[str, str]]) -> str:
    lines = [f"  <{item}><loc>{escape(loc)}</loc><lastmod>{escape(modified)}</lastmod></{item}>\n"
             for loc, modified in rows]
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<{container} xmlns="{_SITEMAP_NS}">\n'
            + "".join(lines) + f"</{container}>\n")
