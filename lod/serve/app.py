"""The linked-data web application: Cool URIs, content negotiation, dataset files.

Starlette (ASGI) served by uvicorn — see :func:`lod.serve.serve` for why.

URL space (relative to the export's base IRI, which the server is expected to
answer for; behind a proxy with a path prefix, pass uvicorn's ``root_path``)::

    /                                   home page: the dataset description, dumps, services
    /id/document/<key>                  303 -> /doc/document/<key>     (the archival document)
    /id/{person,organization,place,concept}/<slug>   303 -> /doc/<kind>/<slug>
    /id/dataset, /id/dataset/...        303 -> /void (the dataset and its distributions)
    /doc/<kind>/<key>                   description, by content negotiation (Accept, q-values)
    /doc/<kind>/<key>.{ttl,jsonld,nt,rdf,html}   one format
    /void, /.well-known/void            VoID by negotiation (Turtle, JSON-LD, N-Triples,
                                        RDF/XML; HTML = the home page); /void.ttl, /void.jsonld ...
    /ns/context-v1.jsonld               the JSON-LD context
    /dumps/<file>                       dump files (Range requests, Content-Length)
    /changes/, /changes/<page>.json     the Activity Streams change feed
    /sitemap.xml (+ sitemap-NNNNN.xml parts), /manifest.json, /robots.txt
    /search?q=...&person=...&year=...   search and browse: a page of documents, facets, timeline
                                        (HTML, or JSON by Accept / format=json; lod.serve.search)
    /search/<facet>?...                 every value of a facet for that list, most documents first
    /sparql, /oai                       lod.serve.sparql / lod.serve.oai

Every response carries ``Access-Control-Allow-Origin: *``; representations carry a
strong ``ETag`` (a hash of the bytes), ``Last-Modified`` and honour ``If-None-Match``
/ ``If-Modified-Since`` with 304. The web layer has no mapping logic: it serves the
files publish wrote, converts them between RDF syntaxes with the project's own
writers (``lod.serialize``), or reads the query store (entity descriptions). A
document the change journal says was deleted answers ``410 Gone``. Blocking work
(file reads, parsing, the store) runs in worker threads with a dedicated limiter, so
a long SPARQL query elsewhere cannot starve page requests.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import anyio
import anyio.to_thread
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from lod import serialize
from lod.serialize import jsonld
from lod.iris import CONTEXT, DATASET, DESCRIPTIONS, DOCUMENT, THINGS, description_path, iris, thing_path
from lod.publish.feed import CONTEXT as FEED_CONTEXT
from lod.serve import browse, conneg, oai
from lod.serve import html as pages
from lod.serve.folder import (
    CHANGES, CHANGES_INDEX, CHANGES_PAGE, DUMPS, MANIFEST, SITEMAP, SITEMAP_PART, Export, NotCached, valid_key,
    void_file,
)
from lod.serve.options import ServeOptions
from lod.serve.search import BadQuery, Catalog, Query, SearchIndex, entity_facet
from lod.serve.sparql.endpoint import SparqlEndpoint
from lod.serve.store import NoStore, QueryStore
from lod.vocab import RDFS, SCHEMA, XSD

log = logging.getLogger("lod.serve")

#: A description's representations, by extension: the format registry's (lod.serialize), then HTML:
#: (Content-Type, media type, label).
HTML = ("text/html; charset=utf-8", "text/html", "HTML")
FORMATS = {**{f.name: (f.content_type, f.media_type, f.label) for f in serialize.served()}, "html": HTML}
#: Offered media types, in server preference order (the registry's first: Turtle for ``*/*``), aliases last.
OFFERS = [*((f.media_type, f.name) for f in serialize.served()), ("text/html", "html"),
          *((alias, f.name) for f in serialize.served() for alias in f.media_aliases),
          ("application/xhtml+xml", "html")]
RDF_EXTENSIONS = tuple(f.name for f in serialize.served())
AS_MEDIA_TYPE = f'application/ld+json; profile="{FEED_CONTEXT[0]}"'  # Activity Streams 2.0
#: How long the home page waits for the search index's counts before it is served without them.
HOME_WAIT = 0.5
_CHANGE_PAGE = re.compile(r"[a-z0-9][a-z0-9-]*\.json\Z")
_DUMP_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")
_SEGMENT = _DUMP_NAME
_CACHEABLE_BYTES = 8 * 1024 * 1024
#: ``/id/<kind>/<slug>``: any kind publish mints (person, organization, place, concept,
#: linking ...) that the store knows as a subject; ``document`` is answered from the files.
_KIND = re.compile(r"[a-z][a-z0-9-]{0,39}\Z")
#: An entity's description lists at most this many documents that name it (``schema:subjectOf``,
#: the first by key), and links the whole list (``rdfs:seeAlso``, the search narrowed to it).
BACKLINKS = 100
#: Values per page of a facet's full list (``/search/<facet>``).
FACET_PAGE = 100


@dataclass(frozen=True)
class Representation:
    body: bytes
    media_type: str
    etag: str
    last_modified: float | None = None


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:40] + '"'


def _signature(path: Path) -> tuple:
    st = os.stat(path)
    return (str(path), st.st_mtime_ns, st.st_size, st.st_ino)


def _iso_timestamp(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except (ValueError, OverflowError, OSError):
        return None


class _LRU:
    """A bounded, thread-safe cache of built representations (keys include file stats,
    so an entry is never stale: a changed file is a different key). Bounded by entries
    and by total body bytes; bodies over 8 MiB are not kept."""

    def __init__(self, size: int, max_bytes: int = 256 * 1024 * 1024):
        self.size = size
        self.max_bytes = max_bytes
        self.bytes = 0
        self.items: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key, value):
        size = len(value.body)
        if self.size <= 0 or size > min(_CACHEABLE_BYTES, self.max_bytes):
            return value
        with self.lock:
            previous = self.items.pop(key, None)
            if previous is not None:
                self.bytes -= len(previous.body)
            self.items[key] = value
            self.bytes += size
            while len(self.items) > self.size or self.bytes > self.max_bytes:
                _, evicted = self.items.popitem(last=False)
                self.bytes -= len(evicted.body)
        return value


def _to_rdflib(term):
    from rdflib import Literal, URIRef

    kind = type(term).__name__
    if kind == "NamedNode":
        return URIRef(term.value)
    if kind == "Literal":
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == str(XSD.string):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype), normalize=False)
    raise TypeError(f"unexpected term in lod output: {term!r}")


def _write(ext: str, triples: list, root: str) -> bytes:
    """Serialize pyoxigraph triples with the project's writers (same output as the export)."""
    from lod import serialize

    converted = [(_to_rdflib(t.subject), _to_rdflib(t.predicate), _to_rdflib(t.object)) for t in triples]
    return serialize.get(ext).write(converted, root=root).encode("utf-8")


def _parse_turtle(data: bytes) -> list:
    import pyoxigraph as ox

    return list(ox.parse(data, ox.RdfFormat.TURTLE))


class Service:
    """The request handlers over one :class:`Export` and its :class:`QueryStore`."""

    def __init__(self, export: Export, store: QueryStore, options: ServeOptions, home_documents: int = 100,
                 recent_documents: int = 10):
        self.export = export
        self.store = store
        self.max_age = options.max_age
        self.cache = _LRU(options.cache_size, options.cache_bytes)
        self.limiter = anyio.CapacityLimiter(options.threads)
        self.home_documents = home_documents  # listed on the home page of an export without a search index
        self.recent_documents = recent_documents
        self.oai_served = bool(options.oai.admin_email)
        self._void: tuple[tuple, list] | None = None
        self.search_index = SearchIndex(export)

    async def run(self, function: Callable, *args):
        return await anyio.to_thread.run_sync(function, *args, limiter=self.limiter)

    async def build(self, function: Callable, *args):
        """A representation: straight from the cache when it is there (a few ``stat`` calls
        on the event loop), else built in a worker thread (reads, parsing, the store)."""
        try:
            return function(*args, probe=True)
        except NotCached:
            return await self.run(function, *args)

    # -- building representations (worker threads) -------------------------------------------

    def read_file(self, path: Path | None, media_type: str, probe: bool = False) -> Representation | None:
        if path is None:
            return None
        return self._from_file(path, ("file", media_type), media_type, probe, Path.read_bytes)

    def _from_file(self, path: Path, kind: tuple, media_type: str, probe: bool,
                   build: Callable[[Path], bytes]) -> Representation | None:
        """A representation built from one file, cached under the file's signature (never stale)."""
        try:
            signature = _signature(path)
        except OSError:
            return None
        key = (*kind, signature)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        if probe:
            raise NotCached(str(path))
        try:
            body = build(path)
        except OSError:
            return None
        return self.cache.put(key, Representation(body, media_type, _etag(body), signature[1] / 1e9))

    def document(self, key: str, ext: str, home: str, probe: bool = False) -> Representation | None:
        export = self.export
        turtle = export.document_path(key, "ttl")
        if turtle is None:
            return None
        modified = _iso_timestamp(export.modified(key, probe))
        if ext in ("ttl", "jsonld"):
            found = self.read_file(turtle if ext == "ttl" else export.document_path(key, ext),
                                   FORMATS[ext][0], probe)
            if found is None:
                return None
            return Representation(found.body, found.media_type, found.etag, modified or found.last_modified)
        published = export.document_path(key, ext) if ext in ("nt", "rdf") else None
        if published is not None:  # publish wrote this format itself
            found = self.read_file(published, FORMATS[ext][0], probe)
            if found is not None:
                return Representation(found.body, found.media_type, found.etag, modified or found.last_modified)
        jsonld = export.document_path(key, "jsonld") if ext == "html" else None
        try:
            signature = (_signature(turtle), _signature(jsonld) if jsonld else None)
        except OSError:
            return None
        cache_key = ("document", key, ext, home if ext == "html" else "", signature)
        cached = self.cache.get(cache_key)
        if cached is None:
            if probe:
                raise NotCached(key)
            try:
                data = turtle.read_bytes()
                jsonld_text = jsonld.read_text(encoding="utf-8") if jsonld else None
            except OSError:
                return None
            triples = _parse_turtle(data)
            document = export.document_iri(key)
            if ext == "html":
                body = pages.document_page(
                    pages.Description(triples), document, jsonld=jsonld_text,
                    local=self.localizer(home), home=home,
                    formats=self.format_links(home + description_path(DOCUMENT, key), exclude="html"),
                    description_iri=export.description_iri(key)).encode("utf-8")
            else:
                body = _write(ext, triples, document)
            cached = self.cache.put(cache_key, Representation(body, FORMATS[ext][0], _etag(body),
                                                              signature[0][1] / 1e9))
        return Representation(cached.body, cached.media_type, cached.etag, modified or cached.last_modified)

    def entity(self, kind: str, slug: str, ext: str, home: str, probe: bool = False) -> Representation | None:
        export = self.export
        generation = export.generation()
        iri = iris(export.base).thing(kind, slug)
        cache_key = ("entity", iri, ext, home if ext == "html" else "", generation)
        cached = self.cache.get(cache_key)
        if cached is not None:
            return cached
        if probe:
            raise NotCached(iri)
        triples = self.store.describe(iri) + [t for t in self.void_triples() if t.subject.value == iri]
        if not triples:
            return None
        facet = entity_facet(kind)
        catalog = self.search_index.current() if facet else None
        if catalog is not None and catalog.value(facet, slug) is not None:
            keys = catalog.naming(facet, slug)
            triples += self.backlinks(iri, facet, slug, keys)
        else:
            catalog, keys = None, self.store.mentioned_in(iri)
        times = [t for t in (_iso_timestamp(export.modified(k)) for k in keys) if t]
        last_modified = max(times) if times else None
        if ext == "html":
            graph = pages.Description(triples)
            overview = ""
            if catalog is not None:
                overview = browse.entity_overview(catalog.search(Query(filters=((facet, slug),))), home=home,
                                                  span=catalog.span, name=graph.label(iri))
            body = pages.entity_page(
                graph, iri, documents=[] if overview else self.document_list(keys, home),
                local=self.localizer(home), home=home,
                formats=self.format_links(f"{home}doc/{kind}/{slug}", exclude="html"),
                description_iri=f"{export.base}doc/{kind}/{slug}", overview=overview,
                jsonld=_write("jsonld", triples, iri).decode("utf-8")).encode("utf-8")
        else:
            body = _write(ext, triples, iri)
        return self.cache.put(cache_key, Representation(body, FORMATS[ext][0], _etag(body), last_modified))

    def backlinks(self, iri: str, facet: str, value: str, keys: list[str]) -> list:
        """``schema:subjectOf`` the first :data:`BACKLINKS` documents (by key) that name an entity,
        and, when there are more, ``rdfs:seeAlso`` the list of them all."""
        import pyoxigraph as ox

        export, entity = self.export, ox.NamedNode(iri)
        subject_of = ox.NamedNode(str(SCHEMA.subjectOf))
        triples = [ox.Triple(entity, subject_of, ox.NamedNode(export.document_iri(key)))
                   for key in keys[:BACKLINKS]]
        if len(keys) > BACKLINKS:
            listing = browse.search_path(export.base, Query(filters=((facet, value),)))
            triples.append(ox.Triple(entity, ox.NamedNode(str(RDFS.seeAlso)), ox.NamedNode(listing)))
        return triples

    def void_representation(self, ext: str, home: str, probe: bool = False) -> Representation | None:
        export = self.export
        if ext == "html":
            return self.home_representation(home, None, probe)
        published = export.resolve(void_file(ext))
        if published is not None:
            return self.read_file(published, FORMATS[ext][0], probe)
        turtle = export.resolve(void_file("ttl"))
        if turtle is None:
            return None
        return self._from_file(
            turtle, ("void", ext), FORMATS[ext][0], probe,
            lambda path: _write(ext, _parse_turtle(path.read_bytes()), export.dataset_iri()))

    def void_triples(self) -> list:
        """The triples of ``void.ttl`` (the dataset, its distributions, the publisher),
        parsed again when the file changes."""
        signature = self.export.signature(void_file("ttl"))
        cached = self._void
        if cached is None or cached[0] != signature:
            path = self.export.resolve(void_file("ttl"))
            cached = (signature, _parse_turtle(path.read_bytes()) if path else [])
            self._void = cached
        return cached[1]

    def home_representation(self, home: str, elsewhere: tuple[str, str] | None = None,
                            probe: bool = False) -> Representation:
        export = self.export
        generation = export.generation()
        # The counts of a large index take seconds to read at start: until then the home page
        # lists the latest documents without them (and is not kept once they are read).
        catalog = self.search_index.peek() if probe else self.search_index.loaded(HOME_WAIT)
        cache_key = ("home", home, elsewhere, generation, export.state(probe).get("checksum"), catalog is None)
        cached = self.cache.get(cache_key)
        if cached is not None:
            return cached
        if probe:
            raise NotCached("home")
        void_path = export.resolve(void_file("ttl"))
        void_triples = _parse_turtle(void_path.read_bytes()) if void_path else []
        void = pages.Description(void_triples) if void_path else None
        void_jsonld = export.resolve(void_file("jsonld"))
        if void_jsonld is not None:
            jsonld = void_jsonld.read_text(encoding="utf-8")
        else:
            jsonld = _write("jsonld", void_triples, export.dataset_iri()).decode("utf-8") if void_triples else None
        keys = export.keys()
        documents = (export.state().get("documents") or {})
        ordered = sorted(keys, key=lambda k: ((documents.get(k) or {}).get("modified") or "", k), reverse=True)
        overview = ""
        if catalog is not None:
            overview = browse.home_overview(catalog.search(Query()), home=home, span=catalog.span)
            recent = ordered[:self.recent_documents]
            titles = catalog.titles(recent)
            listed = [(home + thing_path(DOCUMENT, key), *titles.get(key, (key, None))) for key in recent]
        else:
            if self.search_index.reading:
                overview = ('<p class="found">The search index is being read: search, browsing and the '
                            "timeline are here in a moment.</p>")
            listed = self.document_list(ordered[: self.home_documents], home, sort=False)
        body = pages.home_page(void, export.dataset_iri(), manifest=export.manifest(), documents=listed,
                               total_documents=len(keys), local=self.localizer(home),
                               home=home, elsewhere=elsewhere, oai=self.oai_served, overview=overview,
                               jsonld=jsonld).encode("utf-8")
        last_modified = None
        if void_path is not None:
            last_modified = os.stat(void_path).st_mtime
        return self.cache.put(cache_key, Representation(body, FORMATS["html"][0], _etag(body), last_modified))

    def document_list(self, keys: list[str], home: str, sort: bool = True) -> list[tuple[str, str, str | None]]:
        """(link, title, date) for documents, from the store (names as published; the keys
        alone when the export has no store)."""
        if not self.store.available():
            return [(home + thing_path(DOCUMENT, key), key, None) for key in keys]
        rows = []
        for key in keys:
            document = self.export.document_iri(key)
            titles = [t.value for t in self.store.objects(document, str(SCHEMA.name))]
            dates = [t.value for t in self.store.objects(document, str(SCHEMA.dateCreated))]
            rows.append((home + thing_path(DOCUMENT, key), titles[0] if titles else key, dates[0] if dates else None))
        if sort:
            rows.sort(key=lambda row: (row[2] or "", row[1]))
        return rows

    def entity_exists(self, kind: str, slug: str) -> bool:
        iri = iris(self.export.base).thing(kind, slug)
        return self.store.knows(iri) or self.in_void(iri)  # the publisher may be only in VoID

    def in_void(self, iri: str) -> bool:
        return any(t.subject.value == iri for t in self.void_triples())

    def localizer(self, home: str) -> Callable[[str], str]:
        base = self.export.base

        def local(iri: str) -> str:
            return home + iri[len(base):] if iri.startswith(base) else iri
        return local

    @staticmethod
    def format_links(stem: str, exclude: str | None = None) -> list[tuple[str, str, str]]:
        return [(label, f"{stem}.{ext}", media) for ext, (_, media, label) in FORMATS.items() if ext != exclude]

    # -- responses -------------------------------------------------------------------------------

    def headers(self, representation: Representation | None = None, **extra) -> dict:
        headers = {"Cache-Control": f"public, max-age={self.max_age}"}
        if representation is not None:
            headers["ETag"] = representation.etag
            if representation.last_modified:
                headers["Last-Modified"] = conneg.http_date(representation.last_modified)
        headers.update({k.replace("_", "-"): v for k, v in extra.items() if v})
        return headers

    def respond(self, request: Request, representation: Representation, **extra) -> Response:
        headers = self.headers(representation, **extra)
        if conneg.not_modified(request.headers, representation.etag, representation.last_modified):
            return Response(status_code=304, headers=headers)
        return Response(representation.body, headers=headers, media_type=representation.media_type)

    @staticmethod
    def home_of(request: Request) -> str:
        return request.scope.get("root_path", "").rstrip("/") + "/"

    @staticmethod
    def alternate(stem: str, current: str) -> str:
        """The one ``rel="alternate"`` link: the JSON-LD form (the Turtle one for JSON-LD).

        One, because JSON-LD processors follow it to the JSON-LD form (JSON-LD 1.1 API,
        "alternate link") and pyld's document loader fails on a second ``alternate``; the
        303 (``rel="describedby"``, one per format) and the HTML pages list every format.
        """
        ext = "ttl" if current == "jsonld" else "jsonld"
        return f'<{stem}.{ext}>; rel="alternate"; type="{FORMATS[ext][1]}"'

    def not_acceptable(self, offered: list[str]) -> Response:
        body = "406 Not Acceptable\nThis resource is available as:\n" + "".join(f"  {t}\n" for t in offered)
        return PlainTextResponse(body, status_code=406, headers={"Vary": "Accept"})

    @staticmethod
    def not_found() -> Response:
        return PlainTextResponse("404 Not Found\n", status_code=404)

    async def gone_or_not_found(self, request: Request, kind: str, key: str) -> Response:
        """410 Gone for a document the change journal says was deleted (linking to the
        dataset, its collection), else 404."""
        when = await self.run(self.export.withdrawn, key) if kind == "document" else None
        if when is None:
            return self.not_found()
        dataset = self.home_of(request) + DATASET
        body = f"410 Gone\nThe document {key} was withdrawn from this dataset at {when}.\nThe dataset: {dataset}\n"
        return PlainTextResponse(body, status_code=410, headers={
            "Link": f'<{dataset}>; rel="collection"', "Cache-Control": f"public, max-age={self.max_age}"})

    @staticmethod
    def split_extension(name: str) -> tuple[str, str | None] | None:
        if "." not in name:
            return name, None
        stem, ext = name.rsplit(".", 1)
        if ext not in FORMATS:
            return None
        return stem, ext

    # -- handlers --------------------------------------------------------------------------------

    async def thing(self, request: Request) -> Response:
        kind, name = request.path_params["kind"], request.path_params["name"]
        if not valid_key(name):
            return self.not_found()
        if kind == "document":
            exists = self.export.document_path(name, "ttl") is not None  # a few stat calls
        elif _KIND.match(kind) and kind != "dataset":
            exists = await self.run(self.entity_exists, kind, name)
        else:
            return self.not_found()
        if not exists:
            return await self.gone_or_not_found(request, kind, name)
        home = self.home_of(request)
        target = f"{home}doc/{kind}/{name}"
        return self.see_other(target, [(target, None)] + [(f"{target}.{ext}", media)
                                                          for ext, (_, media, _) in FORMATS.items()])

    async def dataset_part(self, request: Request) -> Response:
        """``/id/dataset/...`` (e.g. ``distribution/<dump>``): nodes described in the VoID."""
        rest = request.path_params["rest"]
        if len(rest) > 512 or not all(_SEGMENT.match(part) for part in rest.split("/")):
            return self.not_found()
        if not await self.run(self.in_void, f"{iris(self.export.base).dataset()}/{rest}"):
            return self.not_found()
        return await self.dataset(request)

    async def dataset(self, request: Request) -> Response:
        home = self.home_of(request)
        target = f"{home}void"
        return self.see_other(target, [(target, None), (f"{home}{void_file('ttl')}", "text/turtle"),
                                       (f"{home}{void_file('jsonld')}", "application/ld+json")])

    def see_other(self, target: str, described_by: list[tuple[str, str | None]]) -> Response:
        links = ", ".join(f'<{href}>; rel="describedby"' + (f'; type="{media}"' if media else "")
                          for href, media in described_by)
        return Response(f"303 See Other: {target}\n", status_code=303, media_type="text/plain",
                        headers={"Location": target, "Link": links,
                                 "Cache-Control": f"public, max-age={self.max_age}"})

    async def description(self, request: Request) -> Response:
        kind = request.path_params["kind"]
        split = self.split_extension(request.path_params["name"])
        if split is None or not _KIND.match(kind) or kind == "dataset":
            return self.not_found()
        key, ext = split
        if not valid_key(key):
            return self.not_found()
        negotiated = ext is None
        if negotiated:
            ext = self.negotiated_extension(request)
            if isinstance(ext, Response):
                return ext
        home = self.home_of(request)
        if kind == "document":
            representation = await self.build(self.document, key, ext, home)
        else:
            representation = await self.build(self.entity, kind, key, ext, home)
        if representation is None:
            return await self.gone_or_not_found(request, kind, key)
        stem = f"{home}doc/{kind}/{key}"
        return self.respond(request, representation, Link=self.alternate(stem, ext),
                            Vary="Accept" if negotiated else None,
                            Content_Location=f"{stem}.{ext}" if negotiated else None)

    def negotiated_extension(self, request: Request) -> str | Response:
        """The extension of the RDF format the ``Accept`` header prefers, or a 406 response."""
        chosen = conneg.negotiate(request.headers.get("accept"), [media for media, _ in OFFERS])
        if chosen is None:
            return self.not_acceptable([media for _, media, _ in FORMATS.values()])
        return dict(OFFERS)[chosen]

    async def void(self, request: Request) -> Response:
        ext = request.path_params.get("ext") if "ext" in request.path_params else None
        if ext is None:
            path = request.url.path
            ext = path.rsplit(".", 1)[1] if path.rsplit("/", 1)[-1].startswith("void.") else None
        negotiated = ext is None
        if negotiated:
            ext = self.negotiated_extension(request)
            if isinstance(ext, Response):
                return ext
        home = self.home_of(request)
        representation = await self.build(self.void_representation, ext, home)
        if representation is None:
            return self.not_found()
        return self.respond(request, representation, Link=self.alternate(f"{home}void", ext),
                            Vary="Accept" if negotiated else None,
                            Content_Location=(f"{home}void.{ext}" if ext != "html" else home)
                            if negotiated else None)

    async def home_page(self, request: Request) -> Response:
        home = self.home_of(request)
        here, base = str(request.base_url), self.export.base
        elsewhere = None if same_site(here, base) else (here, base)
        representation = await self.build(self.home_representation, home, elsewhere)
        return self.respond(request, representation,
                            Link=f'<{home}void>; rel="describedby", ' + self.alternate(f"{home}void", "html"))

    # -- search and browse ---------------------------------------------------------------------

    async def listing(self, request: Request) -> tuple[str, Catalog] | Response:
        """What a result list needs: the media type asked for and the search index's catalog,
        or the answer that says why there is none (406; 404 without an index)."""
        media = self.list_format(request)
        if isinstance(media, Response):
            return media
        catalog = await self.run(self.search_index.current)
        return self.no_index() if catalog is None else (media, catalog)

    async def search(self, request: Request) -> Response:
        """``/search``: the result list of a :class:`Query` (words, facets, year, order, page) in
        HTML or, by ``Accept`` or ``format=json``, JSON."""
        try:
            query = Query.from_params(_params(request))
        except BadQuery as error:
            return PlainTextResponse(f"400 Bad Request\n{error}\n", status_code=400)
        listing = await self.listing(request)
        if isinstance(listing, Response):
            return listing
        media, catalog = listing
        results = await self.run(catalog.search, query)
        home = self.home_of(request)
        labels = _labels(catalog)
        if media == "application/json":
            body = json.dumps(browse.results_json(results, home=home, base=self.export.base, labels=labels),
                              ensure_ascii=False, indent=1).encode("utf-8")
        else:
            body = browse.search_page(results, home=home, span=catalog.span, labels=labels).encode("utf-8")
        return self.respond(request, Representation(body, media if media != "text/html" else FORMATS["html"][0],
                                                    _etag(body)), Vary="Accept")

    async def facet_values(self, request: Request) -> Response:
        """``/search/<facet>``: every value of a facet among a result list's documents, most first."""
        facet = request.path_params["facet"]
        if facet not in browse.FACET_NAMES:
            return self.not_found()
        params = _params(request)
        try:
            query = Query.from_params(params)
            number = int(params.get("values", ["1"])[0] or 1)
        except (BadQuery, ValueError) as error:
            return PlainTextResponse(f"400 Bad Request\n{error}\n", status_code=400)
        if not 1 <= number <= 100_000:
            return PlainTextResponse("400 Bad Request\nvalues must be a page number\n", status_code=400)
        listing = await self.listing(request)
        if isinstance(listing, Response):
            return listing
        media, catalog = listing
        offset = (number - 1) * FACET_PAGE

        def counts():
            with catalog.connection() as db:
                documents = catalog.selected(query, db)
            return catalog.top(documents, facet, FACET_PAGE + 1, offset, leave_out=query.filters,
                               counted=catalog.counted(documents))

        found = await self.run(counts)
        home, labels = self.home_of(request), _labels(catalog)
        more = len(found) > FACET_PAGE
        found = found[:FACET_PAGE]
        if media == "application/json":
            answer = {"facet": facet, "values": [{"value": c.value, "label": c.label, "count": c.count}
                                                 for c in found]}
            if more:
                answer["next"] = browse.facet_page_path(home, query, facet, number + 1)
            body = json.dumps(answer, ensure_ascii=False, indent=1).encode("utf-8")
        else:
            body = browse.facet_page(facet, found, query, home=home, offset=offset, limit=FACET_PAGE,
                                     total_values=offset + len(found) + more, labels=labels).encode("utf-8")
        return self.respond(request, Representation(body, media if media != "text/html" else FORMATS["html"][0],
                                                    _etag(body)), Vary="Accept")

    def list_format(self, request: Request) -> str | Response:
        """HTML or JSON for a result list: ``format=json|html``, else the ``Accept`` header."""
        forced = request.query_params.get("format")
        if forced in ("json", "html"):
            return {"json": "application/json", "html": "text/html"}[forced]
        chosen = conneg.negotiate(request.headers.get("accept"), ["text/html", "application/json"])
        return chosen or self.not_acceptable(["text/html", "application/json"])

    @staticmethod
    def no_index() -> Response:
        return PlainTextResponse("404 Not Found\nThis export has no search index this lod can read: it was "
                                 "written by an earlier lod, or with --formats leaving 'search' out; export it "
                                 "again (with the default formats) to search and browse it.\n", status_code=404)

    async def context(self, request: Request) -> Response:
        from lod.vocab import vocab_path

        representation = await self.build(self.read_file, vocab_path(jsonld.CONTEXT_FILE), "application/ld+json")
        if representation is None:
            return self.not_found()
        return self.respond(request, representation)

    async def export_file(self, request: Request, relative: str, media_type: str) -> Response:
        path = self.export.resolve(relative)
        representation = await self.build(self.read_file, path, media_type)
        if representation is None:
            return self.not_found()
        return self.respond(request, representation)

    async def changes_index(self, request: Request) -> Response:
        return await self.export_file(request, CHANGES_INDEX, AS_MEDIA_TYPE)

    async def change_page(self, request: Request) -> Response:
        name = request.path_params["name"]
        if not _CHANGE_PAGE.match(name):
            return self.not_found()
        return await self.export_file(request, CHANGES_PAGE.format(name), AS_MEDIA_TYPE)

    async def sitemap(self, request: Request) -> Response:
        return await self.export_file(request, SITEMAP, "application/xml")

    async def sitemap_part(self, request: Request) -> Response:
        """``sitemap-00001.xml`` ...: the parts of a sitemap index (over 50,000 documents)."""
        part = request.path_params["part"]
        if not (part.isdigit() and len(part) <= 9 and part.isascii()):
            return self.not_found()
        return await self.export_file(request, SITEMAP_PART.format(part), "application/xml")

    async def manifest(self, request: Request) -> Response:
        return await self.export_file(request, MANIFEST, "application/json")

    async def robots(self, request: Request) -> Response:
        home = self.home_of(request)
        body = f"User-agent: *\nAllow: /\nSitemap: {self.export.base}{SITEMAP}\n"
        return PlainTextResponse(body, headers={"Cache-Control": f"public, max-age={self.max_age}",
                                                "Link": f'<{home}void>; rel="describedby"'})

    async def dump(self, request: Request) -> Response:
        """A dump file as ``application/gzip`` (no Content-Encoding: the bytes are the file,
        as the manifest's size and SHA-256 describe it), with Range support (206 / 416)."""
        name = request.path_params["name"]
        if not _DUMP_NAME.match(name):
            return self.not_found()
        path = await self.run(self.export.resolve, f"{DUMPS}/{name}")
        if path is None:
            return self.not_found()
        try:
            stat = await self.run(os.stat, path)
        except OSError:
            return self.not_found()
        if name.endswith(".gz"):
            media_type = "application/gzip"
        elif name.endswith(".nq"):
            media_type = "application/n-quads"
        elif name.endswith(".nt"):
            media_type = "application/n-triples"
        else:
            media_type = "application/octet-stream"
        response = FileResponse(path, media_type=media_type, stat_result=stat,
                                headers={"Cache-Control": f"public, max-age={self.max_age}"})
        if conneg.not_modified(request.headers, response.headers.get("etag"), stat.st_mtime):
            keep = {k: v for k, v in response.headers.items()
                    if k in ("etag", "last-modified", "cache-control", "accept-ranges")}
            return Response(status_code=304, headers=keep)
        return response


def create_app(folder: Path | str, options: ServeOptions | None = None):
    """The ASGI application serving one export folder (read at request time, so re-exports,
    the atomic ``DIR/.lod/current`` swap, are picked up without a restart).

    Raises :class:`lod.errors.ConfigError` when ``options.base`` is not the export's base, or
    the export has no documents to serve (written without Turtle).
    Returns the Starlette app wrapped in :class:`Guard` (limits, CORS, plain 500s);
    ``app.state.export``, ``.store``, ``.service`` and ``.sparql`` give the internals.
    """
    options = options or ServeOptions()
    export = Export(folder, base=options.base)
    export.check_base()
    export.check_servable()
    store = QueryStore(export)
    service = Service(export, store, options)
    sparql = SparqlEndpoint(export, store, options.sparql)
    routes = [
        Route("/", service.home_page, methods=["GET"]),
        Route(f"/{DATASET}", service.dataset, methods=["GET"]),
        Route(f"/{DATASET}/{{rest:path}}", service.dataset_part, methods=["GET"]),
        Route(f"/{THINGS}{{kind}}/{{name}}", service.thing, methods=["GET"]),
        Route(f"/{DESCRIPTIONS}{{kind}}/{{name}}", service.description, methods=["GET"]),
        Route("/void", service.void, methods=["GET"]),
        Route("/.well-known/void", service.void, methods=["GET"]),
        *[Route(f"/{void_file(ext)}", service.void, methods=["GET"]) for ext in FORMATS if ext != "html"],
        Route(f"/{CONTEXT}", service.context, methods=["GET"]),
        Route(f"/{DUMPS}/{{name}}", service.dump, methods=["GET"]),
        Route(f"/{CHANGES}/", service.changes_index, methods=["GET"]),
        Route(f"/{CHANGES}/{{name}}", service.change_page, methods=["GET"]),
        Route(f"/{SITEMAP}", service.sitemap, methods=["GET"]),
        Route(f"/{SITEMAP_PART.format('{part}')}", service.sitemap_part, methods=["GET"]),
        Route(f"/{MANIFEST}", service.manifest, methods=["GET"]),
        Route("/robots.txt", service.robots, methods=["GET"]),
        Route("/search", service.search, methods=["GET"]),
        Route("/search/{facet}", service.facet_values, methods=["GET"]),
        *sparql.routes(),
        *oai.routes(export, options.oai),
    ]

    @asynccontextmanager
    async def lifespan(app):
        await anyio.to_thread.run_sync(sparql.start)
        # In the background: pages are served at once, a search waits for the counts to be read.
        service.search_index.read_in_background(log)
        try:
            yield
        finally:
            sparql.close()
            store.close()
            service.search_index.close()

    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={NoStore: _no_store})
    app.state.export, app.state.store, app.state.service, app.state.sparql = export, store, service, sparql
    return Guard(app)


def _params(request: Request) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        params.setdefault(name, []).append(value)
    return params


def _labels(catalog: Catalog) -> Callable[[str, str], str]:
    """A facet value's label (the value itself when the export does not have it)."""
    def label(facet: str, value: str) -> str:
        found = catalog.value(facet, value)
        return found.label if found is not None else value
    return label


def _no_store(request: Request, error: NoStore) -> Response:
    return PlainTextResponse(f"503 Service Unavailable\n{error}\n", status_code=503)


def same_site(url: str, base: str) -> bool:
    """Whether ``url`` is at the export's ``base`` (scheme, host, port and path prefix)."""
    here, there = urlsplit(url), urlsplit(base)
    default = {"http": 80, "https": 443}
    try:
        ports = (here.port or default.get(here.scheme), there.port or default.get(there.scheme))
    except ValueError:
        return False
    return (here.scheme == there.scheme and (here.hostname or "") == (there.hostname or "")
            and ports[0] == ports[1] and here.path.rstrip("/") == there.path.rstrip("/"))


class Guard:
    """Outermost ASGI middleware: request limits, CORS, and no stack trace ever.

    * request target (path + query) longer than ``max_url`` bytes -> 414;
    * more than ``max_headers`` header lines, a header longer than ``max_header`` bytes
      or all headers longer than ``max_header_total`` -> 431;
    * NUL or other control characters in the (decoded) path -> 400;
    * ``OPTIONS`` (CORS preflight or not) -> 204 with ``Allow`` / ``Access-Control-*``;
    * every response gets ``Access-Control-Allow-Origin: *`` and the exposed headers;
    * an unexpected exception -> a plain ``500 Internal Server Error`` (logged server-side).

    uvicorn's h11 parser already refuses a request head larger than
    ``h11_max_incomplete_event_size`` with a 400 before the app sees it.
    """

    METHODS = "GET, HEAD, POST, OPTIONS"
    EXPOSE = ("ETag, Link, Location, Content-Location, Content-Range, Accept-Ranges, Vary, Last-Modified, "
              "X-Result-Truncated, X-Result-Limit, X-Query-Time")
    _CONTROL = re.compile(r"[\x00-\x1f\x7f]")
    _HEADER_LIST = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~, -]{0,1024}\Z")

    def __init__(self, app, *, max_url: int = 16384, max_header: int = 8192,
                 max_header_total: int = 32768, max_headers: int = 100):
        self.app = app
        self.max_url = max_url
        self.max_header = max_header
        self.max_header_total = max_header_total
        self.max_headers = max_headers

    @property
    def state(self):
        return self.app.state

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        raw_path = scope.get("raw_path") or scope.get("path", "").encode("utf-8", "replace")
        query = scope.get("query_string") or b""
        headers = scope.get("headers") or []
        if len(raw_path) + len(query) > self.max_url:
            return await self._plain(send, 414, "414 URI Too Long\n")
        if (len(headers) > self.max_headers
                or any(len(name) + len(value) > self.max_header for name, value in headers)
                or sum(len(name) + len(value) for name, value in headers) > self.max_header_total):
            return await self._plain(send, 431, "431 Request Header Fields Too Large\n")
        if self._CONTROL.search(scope.get("path", "")) or b"\x00" in query:
            return await self._plain(send, 400, "400 Bad Request\n")
        if scope.get("method") == "OPTIONS":
            return await self._options(scope, send)

        started = False

        async def send_with_cors(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                extra = [(b"access-control-allow-origin", b"*"),
                         (b"access-control-expose-headers", self.EXPOSE.encode())]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_cors)
        except Exception:
            log.exception("error serving %s %s", scope.get("method"), scope.get("path"))
            if not started:
                await self._plain(send, 500, "500 Internal Server Error\n")

    async def _options(self, scope, send):
        requested = b""
        for name, value in scope.get("headers") or []:
            if name == b"access-control-request-headers":
                requested = value
        allow_headers = "Accept, Content-Type, If-None-Match, If-Modified-Since, Range"
        try:
            text = requested.decode("latin-1")
            if text and self._HEADER_LIST.match(text):
                allow_headers = text
        except UnicodeDecodeError:
            pass
        headers = [(b"allow", self.METHODS.encode()),
                   (b"access-control-allow-origin", b"*"),
                   (b"access-control-allow-methods", self.METHODS.encode()),
                   (b"access-control-allow-headers", allow_headers.encode("latin-1")),
                   (b"access-control-max-age", b"86400"),
                   (b"content-length", b"0")]
        await send({"type": "http.response.start", "status": 204, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    @staticmethod
    async def _plain(send, status: int, text: str):
        body = text.encode()
        await send({"type": "http.response.start", "status": status, "headers": [
            (b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
            (b"access-control-allow-origin", b"*"), (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})
