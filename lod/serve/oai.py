"""OAI-PMH 2.0 at ``/oai`` (GET and POST), over what the export wrote.

Records are the export's documents, identified as ``oai:<host of the base IRI>:<key>``.
Their datestamps come from the change journal (``DIR/journal.jsonl``): a record's
datestamp is the time of its latest journal entry (a document without one falls
back to ``state.json``'s ``modified``); a key whose latest entry is a ``Delete`` is a
deleted record, reported for ever with ``<header status="deleted">`` and no metadata
(``deletedRecord`` = ``persistent``). Granularity ``YYYY-MM-DDThh:mm:ssZ``; ``from`` /
``until`` may also be given as days.

Identify's ``adminEmail`` is the address the server was given (``--oai-admin-email``, else lod.toml's
``[dataset] contact_email``);
OAI-PMH requires one and it must be an address, so without it ``/oai`` is not served
(404 saying why) rather than answering with an invented one.

Metadata formats: ``oai_dc`` (simple Dublin Core, read from the document's Turtle: each
property of the ``dcterms`` profile as the element it refines, so the profile is the one
place that says which field goes where) and ``rdf`` (the document's whole description as
RDF/XML); when the export wrote EDM (``--formats +edm``) also ``edm`` (the record's EDM
RDF/XML file, as Europeana harvests it) and ``oai_qdc`` (qualified Dublin Core for DPLA's
hubs, read from that file: the document's elements, then what DPLA's model takes from the
aggregation under EDM's names: ``edm:dataProvider``, ``edm:isShownAt`` for the landing page,
``edm:rights`` for the rights statement, beside the notice in ``dc:rights``).

Sets: none — ``ListSets`` and a ``set`` argument answer ``noSetHierarchy``. The export
has no natural, stable partition a harvester could rely on.

Lists are paged (``page_size``, default 100) in key order. A resumption token is an
opaque base64url string holding the verb, the original arguments, the offset and a
hash of the record list (keys, datestamps, deletions): when the export changes, old
tokens get ``badResumptionToken``. Each paged response carries ``completeListSize``
and ``cursor``.

Every response is ``text/xml; charset=utf-8``, built with ElementTree (so escaping is
done for us) after replacing the characters XML 1.0 cannot carry; OAI errors are
answered with HTTP 200, as the protocol wants.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import parse_qsl, urlsplit
from xml.etree import ElementTree as ET

from lod.map.profiles import dcterms as dcterms_profile
from lod.serialize import EDM_RDF_XML, edm
from lod.serve.folder import CHANGE_TYPES, DELETE, DUMPS, JOURNAL, STATE, Export, valid_key, void_file
from lod.serve.options import OaiOptions
from lod.serve.store import LABELS
from lod.vocab import (
    DC, DCMITYPE, DCTERMS, EDM, OAI_DC_NS, OAI_IDENTIFIER_NS, OAI_QDC_NS, PREFIXES, RDF, SCHEMA, XML_NS,
    XSI_NS,
)
from lod.vocab import OAI_PMH_NS as OAI_NS

OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
RDF_SCHEMA = "http://www.openarchives.org/OAI/2.0/rdf.xsd"
#: Qualified DC as CONTENTdm serves it and DPLA's hubs harvest it (root ``oai_qdc:qualifieddc``).
OAI_QDC_SCHEMA = "http://worldcat.org/xmlschemas/qdc/1.0/qdc-1.0.xsd"
EDM_SCHEMA = "http://www.europeana.eu/schemas/edm/EDM.xsd"
OAI_ID_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"
DC_NS, RDF_NS, EDM_NS = str(DC), str(RDF), str(EDM._NS)

GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
MAX_BODY = 64 * 1024

#: metadataPrefix -> (schema, metadataNamespace)
FORMATS = {
    "oai_dc": (OAI_DC_SCHEMA, OAI_DC_NS),
    "rdf": (RDF_SCHEMA, RDF_NS),
    "edm": (EDM_SCHEMA, EDM_NS),
    "oai_qdc": (OAI_QDC_SCHEMA, OAI_QDC_NS),
}
#: The formats made from each record's EDM file: offered when the export wrote EDM.
FROM_EDM = ("edm", "oai_qdc")
#: Simple Dublin Core's elements, in the order DCMES lists them (oai_dc writes them so).
DC_ELEMENTS = ("title", "creator", "subject", "description", "publisher", "contributor", "date", "type",
               "format", "identifier", "source", "language", "relation", "coverage", "rights")
#: What oai_dc carries besides the dcterms profile: from the schema.org description, the landing
#: page (simple DC has nowhere else to put it) and the rights notice beside the rights statement.
DC_EXTRAS = ((str(SCHEMA.url), "identifier"), (str(SCHEMA.copyrightNotice), "rights"))

#: verb -> (required arguments, optional arguments, exclusive argument)
VERBS = {
    "Identify": ((), (), None),
    "ListMetadataFormats": ((), ("identifier",), None),
    "ListSets": ((), (), "resumptionToken"),
    "ListIdentifiers": (("metadataPrefix",), ("from", "until", "set"), "resumptionToken"),
    "ListRecords": (("metadataPrefix",), ("from", "until", "set"), "resumptionToken"),
    "GetRecord": (("identifier", "metadataPrefix"), (), None),
}

_DCT = str(DCTERMS)
_DCMITYPE = str(DCMITYPE)
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_SECOND = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\Z")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,1024}\Z")
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_DOMAIN = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*(\.[a-zA-Z][a-zA-Z0-9-]*)+\Z")


def _clean(text: str) -> str:
    """Characters XML 1.0 cannot carry, replaced by U+FFFD."""
    return _XML_INVALID.sub("\ufffd", text)


def _register_namespaces() -> None:
    # ElementTree's prefix registry is global. The OAI namespace is the default one in our
    # documents ("default_namespace=" cannot be used: it rejects unqualified attributes).
    ET.register_namespace("", OAI_NS)
    ET.register_namespace("xsi", XSI_NS)
    ET.register_namespace("oai_dc", OAI_DC_NS)
    ET.register_namespace("dc", DC_NS)
    ET.register_namespace("rdf", RDF_NS)
    ET.register_namespace("oai-identifier", OAI_IDENTIFIER_NS)
    ET.register_namespace("oai_qdc", OAI_QDC_NS)
    for prefix, namespace in (*PREFIXES.items(), *edm.NAMESPACES.items()):
        if namespace not in (RDF_NS, DC_NS):
            try:
                ET.register_namespace(prefix, namespace)
            except ValueError:  # pragma: no cover - a reserved prefix
                pass


_register_namespaces()


class OaiError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True)
class Item:
    key: str
    datestamp: str
    deleted: bool


@dataclass(frozen=True)
class Listing:
    """The repository's records at one moment."""

    items: list[Item]  # sorted by key
    digest: str  # hash of keys, datestamps and deletions: resumption tokens carry it
    by_key: dict[str, Item]
    earliest: str | None  # the earliest journal time (or record datestamp)


def normalize_time(value) -> str | None:
    """An ISO 8601 time as ``YYYY-MM-DDThh:mm:ssZ`` (UTC), or None when it is not one."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _bound(value: str, upper: bool) -> str:
    """A validated ``from`` / ``until`` value as a second-granularity bound."""
    if _DAY.match(value):
        try:
            datetime.strptime(value, "%Y-%m-%d")
        except ValueError:
            raise OaiError("badArgument", f"not a valid date: {value!r}") from None
        return value + ("T23:59:59Z" if upper else "T00:00:00Z")
    if _SECOND.match(value):
        try:
            datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
        except ValueError:
            raise OaiError("badArgument", f"not a valid datestamp: {value!r}") from None
        return value
    raise OaiError("badArgument", f"{value!r} is not a datestamp of granularity YYYY-MM-DD or "
                                  f"{GRANULARITY}")


def _granularity(value: str) -> str:
    return "day" if _DAY.match(value) else "second"


# -- reading the export -----------------------------------------------------------------------

def _index(triples) -> dict[str, dict[str, list]]:
    import pyoxigraph as ox

    index: dict[str, dict[str, list]] = {}
    for t in triples:
        if not isinstance(t.subject, ox.NamedNode):
            continue
        objects = index.setdefault(t.subject.value, {}).setdefault(t.predicate.value, [])
        if t.object not in objects:
            objects.append(t.object)
    return index


def _text(obj, index: dict) -> tuple[str, str | None]:
    """A value as text: a literal as it is; a link as the label of the node it names (an entity,
    a concept), a DCMI type by its name, else the IRI itself."""
    import pyoxigraph as ox

    if isinstance(obj, ox.Literal):
        return obj.value, obj.language
    node = index.get(obj.value, {})
    label = next((o for p in LABELS for o in node.get(p, []) if isinstance(o, ox.Literal)), None)
    if label is not None:
        return label.value, label.language
    if obj.value.startswith(_DCMITYPE):
        return obj.value[len(_DCMITYPE):], None
    return obj.value, None


def dublin_core(triples, document_iri: str) -> list[tuple[str, str, str | None]]:
    """``(dc element, text, language)`` for one document, read from its triples: each property of
    the ``dcterms`` profile as the element it refines (:func:`lod.map.profiles.dcterms.element`),
    then the document's IRI, landing page and rights notice (:data:`DC_EXTRAS`)."""
    import pyoxigraph as ox

    index = _index(triples)
    document = index.get(document_iri, {})
    found: dict[str, list[tuple[str, str | None]]] = {element: [] for element in DC_ELEMENTS}

    def add(element: str, text: str, language: str | None = None) -> None:
        entry = (text, language or None)
        if text and entry not in found[element]:
            found[element].append(entry)

    for predicate in dict.fromkeys(rule.predicate for rule in dcterms_profile.PROFILE.rules):
        for obj in document.get(predicate, []):
            if isinstance(obj, (ox.Literal, ox.NamedNode)):
                add(dcterms_profile.element(predicate), *_text(obj, index))
    add("identifier", document_iri)
    for predicate, element in DC_EXTRAS:
        for obj in document.get(predicate, []):
            if isinstance(obj, (ox.Literal, ox.NamedNode)):
                add(element, *_text(obj, index))
    return [(element, text, language) for element in DC_ELEMENTS for text, language in found[element]]


_ABOUT, _RESOURCE, _LANG = edm.tag("rdf", "about"), edm.tag("rdf", "resource"), f"{{{XML_NS}}}lang"
_CHO, _AGGREGATION, _PREF_LABEL = edm.tag("edm", "ProvidedCHO"), edm.tag("ore", "Aggregation"), \
    edm.tag("skos", "prefLabel")
#: What oai_qdc takes from the aggregation, in order: (EDM element, qualified DC element).
QDC_FROM_AGGREGATION = (
    (edm.tag("edm", "isShownAt"), edm.tag("dc", "identifier")),  # hubs read a URL identifier as the item's page
    (edm.tag("dc", "rights"), edm.tag("dc", "rights")),
    (edm.tag("edm", "dataProvider"), edm.tag("edm", "dataProvider")),
    (edm.tag("edm", "isShownAt"), edm.tag("edm", "isShownAt")),
    (edm.tag("edm", "rights"), edm.tag("edm", "rights")),
)


def qualified_dc(record: ET.Element) -> ET.Element:
    """A record's EDM (an ``rdf:RDF`` element) as qualified Dublin Core for DPLA: the document's
    ``dc:``/``dcterms:`` elements (links to its agents, places and concepts as their labels), then
    the landing page, rights notice, data provider and rights statement (:data:`QDC_FROM_AGGREGATION`)."""
    labels = {}
    for node in record:
        label = node.find(_PREF_LABEL)
        if label is not None and node.get(_ABOUT):
            labels.setdefault(node.get(_ABOUT), label)
    qdc = ET.Element(f"{{{OAI_QDC_NS}}}qualifieddc")
    qdc.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_QDC_NS} {OAI_QDC_SCHEMA}")

    def add(tag: str, value: ET.Element) -> None:
        link = value.get(_RESOURCE)
        if link is None:
            text, language = value.text, value.get(_LANG)
        elif link in labels:
            text, language = labels[link].text, labels[link].get(_LANG)
        else:
            text, language = (link[len(_DCMITYPE):] if link.startswith(_DCMITYPE) else link), None
        child = ET.SubElement(qdc, tag)
        child.text = text
        if language:
            child.set(_LANG, language)

    for document in record.iter(_CHO):
        for value in document:
            if value.tag.startswith((edm.tag("dc", ""), edm.tag("dcterms", ""))):
                add(value.tag, value)
    for aggregation in record.iter(_AGGREGATION):
        for source, target in QDC_FROM_AGGREGATION:
            for value in aggregation.findall(source):
                add(target, value)
    return qdc


def _xml_safe_triples(triples) -> list:
    import pyoxigraph as ox

    safe = []
    for t in triples:
        obj = t.object
        if isinstance(obj, ox.Literal) and _XML_INVALID.search(obj.value):
            value = _clean(obj.value)
            obj = (ox.Literal(value, language=obj.language) if obj.language
                   else ox.Literal(value, datatype=obj.datatype))
        safe.append(ox.Triple(t.subject, t.predicate, obj))
    return safe


def rdf_xml_element(triples) -> ET.Element:
    """The document's triples as an ``rdf:RDF`` element."""
    import pyoxigraph as ox

    data = ox.serialize(_xml_safe_triples(triples), format=ox.RdfFormat.RDF_XML,
                        prefixes=dict(PREFIXES))
    return ET.fromstring(data)


# -- the repository ---------------------------------------------------------------------------

class OaiRepository:
    """OAI-PMH for one :class:`lod.serve.folder.Export`; ``options.admin_email`` is required
    (Identify's ``adminEmail``: OAI-PMH wants a real address, so none is made up)."""

    def __init__(self, export: Export, options: OaiOptions):
        if not options.admin_email:
            raise ValueError("OAI-PMH needs an admin email address")
        self.export = export
        self.page_size = options.page_size
        self.admin_email = options.admin_email
        self.path = options.path
        self._lock = threading.Lock()
        self._items_cache: tuple | None = None
        self._title_cache: tuple | None = None
        self._edm_cache: tuple | None = None

    def routes(self) -> list:
        from starlette.routing import Route

        return [Route(self.path, self.handle, methods=["GET", "POST"], name="oai")]

    # -- identity ---------------------------------------------------------------------------

    @property
    def host(self) -> str:
        return (urlsplit(self.export.base).hostname or "localhost").lower()

    def identifier(self, key: str) -> str:
        return f"oai:{self.host}:{key}"

    def key_of(self, identifier: str) -> str | None:
        prefix = f"oai:{self.host}:"
        if not identifier.startswith(prefix):
            return None
        return identifier[len(prefix):]

    def listing(self) -> Listing:
        """Every record, re-read when the export or its journal changed."""
        signature = (self.export.generation(), self.export.signature(JOURNAL),
                     self.export.signature(STATE))
        cached = self._items_cache
        if cached and cached[0] == signature:
            return cached[1]
        with self._lock:
            items, earliest = self._compute_items()
            digest = hashlib.sha256("\n".join(
                f"{i.key} {i.datestamp} {int(i.deleted)}" for i in items).encode()).hexdigest()[:16]
            listing = Listing(items, digest, {i.key: i for i in items}, earliest)
            self._items_cache = (signature, listing)
            return listing

    def _compute_items(self) -> tuple[list[Item], str | None]:
        latest: dict[str, tuple[str, str]] = {}
        times: list[str] = []
        for entry in self.export.journal():
            key, kind = entry.get("key"), entry.get("type")
            moment = normalize_time(entry.get("time"))
            if not valid_key(key) or kind not in CHANGE_TYPES or moment is None:
                continue
            latest[key] = (moment, kind)
            times.append(moment)
        present = set(self.export.keys())
        documents = (self.export.state().get("documents") or {})
        items = []
        for key in sorted(present | set(latest)):
            if key in latest:
                moment, kind = latest[key]
                items.append(Item(key, moment, kind == DELETE or key not in present))
                continue
            entry = documents.get(key) if isinstance(documents, dict) else None
            entry = entry if isinstance(entry, dict) else {}
            moment = normalize_time(entry.get("modified")) or normalize_time(entry.get("first_seen"))
            if moment is None:
                path = self.export.document_path(key, "ttl")
                try:
                    moment = datetime.fromtimestamp(os.stat(path).st_mtime, timezone.utc).strftime(
                        "%Y-%m-%dT%H:%M:%SZ") if path else None
                except OSError:
                    moment = None
            if moment is not None:
                items.append(Item(key, moment, False))
                times.append(moment)
        return items, min(times, default=None)

    def repository_name(self) -> str:
        signature = self.export.signature(void_file("ttl"))
        if self._title_cache and self._title_cache[0] == signature:
            return self._title_cache[1]
        title = self._void_title() or f"Linked open data at {self.export.base}"
        self._title_cache = (signature, title)
        return title

    def _void_title(self) -> str | None:
        import pyoxigraph as ox

        triples = _turtle_triples(self.export.resolve(void_file("ttl")))
        if triples is None:
            return None
        dataset = self.export.dataset_iri()
        titles = [t for t in triples if t.predicate.value == _DCT + "title"
                  and isinstance(t.object, ox.Literal)]
        titles.sort(key=lambda t: (getattr(t.subject, "value", "") != dataset,
                                   {"en": 0, None: 1}.get(t.object.language, 2)))
        return titles[0].object.value if titles else None

    # -- HTTP -------------------------------------------------------------------------------

    async def handle(self, request):
        from starlette.concurrency import run_in_threadpool
        from starlette.responses import Response

        url = request.url
        base_url = f"{url.scheme}://{url.netloc}{url.path}"
        try:
            args = await _arguments(request)
        except OaiError as error:
            body = self.error_document(base_url, None, error)
        else:
            body = await run_in_threadpool(self.respond, args, base_url)
        return Response(body, media_type="text/xml; charset=utf-8")

    # -- protocol ---------------------------------------------------------------------------

    def respond(self, args: list[tuple[str, str]], base_url: str) -> bytes:
        """The response document for a request's arguments (name, value pairs in order)."""
        try:
            verb, params = _check(args)
        except OaiError as error:
            return self.error_document(base_url, None, error)
        echo = {"verb": verb, **params}
        root, _ = self._envelope(base_url, echo)
        try:
            getattr(self, f"_{verb}")(root, params, base_url)
        except OaiError as error:
            return self.error_document(base_url, echo, error)
        return _serialize(root)

    def _envelope(self, base_url: str, params: dict | None) -> tuple[ET.Element, ET.Element]:
        root = ET.Element(f"{{{OAI_NS}}}OAI-PMH")
        root.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_NS} {OAI_SCHEMA}")
        ET.SubElement(root, f"{{{OAI_NS}}}responseDate").text = _now()
        request = ET.SubElement(root, f"{{{OAI_NS}}}request")
        request.text = _clean(base_url)
        for name, value in (params or {}).items():
            request.set(name, _clean(value))
        return root, request

    def error_document(self, base_url: str, params: dict | None, error: OaiError) -> bytes:
        # badVerb / badArgument: the request element carries no attributes (OAI-PMH 3.2).
        echo = None if error.code in ("badVerb", "badArgument") else params
        root, _ = self._envelope(base_url, echo)
        element = ET.SubElement(root, f"{{{OAI_NS}}}error", code=error.code)
        element.text = _clean(error.message)
        return _serialize(root)

    def _Identify(self, root, params, base_url) -> None:  # noqa: N802 - OAI verb names
        listing = self.listing()
        items = listing.items
        earliest = listing.earliest or "1970-01-01T00:00:00Z"
        identify = ET.SubElement(root, f"{{{OAI_NS}}}Identify")
        for name, value in (
                ("repositoryName", self.repository_name()),
                ("baseURL", base_url),
                ("protocolVersion", "2.0"),
                ("adminEmail", self.admin_email),
                ("earliestDatestamp", earliest),
                ("deletedRecord", "persistent"),
                ("granularity", GRANULARITY)):
            ET.SubElement(identify, f"{{{OAI_NS}}}{name}").text = _clean(value)
        if _DOMAIN.match(self.host):
            description = ET.SubElement(identify, f"{{{OAI_NS}}}description")
            oai_id = ET.SubElement(description, f"{{{OAI_IDENTIFIER_NS}}}oai-identifier")
            oai_id.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_IDENTIFIER_NS} {OAI_ID_SCHEMA}")
            sample = items[0].key if items else "document-key"
            for name, value in (("scheme", "oai"), ("repositoryIdentifier", self.host),
                                ("delimiter", ":"), ("sampleIdentifier", self.identifier(sample))):
                ET.SubElement(oai_id, f"{{{OAI_IDENTIFIER_NS}}}{name}").text = value

    def _ListMetadataFormats(self, root, params, base_url) -> None:  # noqa: N802
        offered = self.prefixes()
        if "identifier" in params:
            item = self._item(params["identifier"])
            if not item.deleted and self._edm_path(item.key) is None:
                offered = [prefix for prefix in offered if prefix not in FROM_EDM]
        formats = ET.SubElement(root, f"{{{OAI_NS}}}ListMetadataFormats")
        for prefix in offered:
            schema, namespace = FORMATS[prefix]
            element = ET.SubElement(formats, f"{{{OAI_NS}}}metadataFormat")
            ET.SubElement(element, f"{{{OAI_NS}}}metadataPrefix").text = prefix
            ET.SubElement(element, f"{{{OAI_NS}}}schema").text = schema
            ET.SubElement(element, f"{{{OAI_NS}}}metadataNamespace").text = namespace

    def _ListSets(self, root, params, base_url) -> None:  # noqa: N802
        raise OaiError("noSetHierarchy", "this repository does not support sets")

    def prefixes(self) -> list[str]:
        """The metadata formats the repository offers: the EDM ones when the export wrote EDM."""
        generation = self.export.generation()
        cached = self._edm_cache
        if cached is None or cached[0] != generation:
            stem = f"{DUMPS}/{EDM_RDF_XML.dump.stem}-"
            files = self.export.manifest().get("files") or []
            written = any(isinstance(f, dict) and str(f.get("path", "")).startswith(stem) for f in files)
            cached = self._edm_cache = (generation, written)
        return [prefix for prefix in FORMATS if cached[1] or prefix not in FROM_EDM]

    def _prefix(self, value: str) -> str:
        if value not in self.prefixes():
            raise OaiError("cannotDisseminateFormat",
                           f"metadata format {value!r} is not supported; use one of "
                           + ", ".join(self.prefixes())
                           + ("" if value not in FROM_EDM else
                              " (edm and oai_qdc need an export with EDM: lod export --formats +edm)"))
        return value

    def _edm_path(self, key: str):
        path = self.export.document_path(key, EDM_RDF_XML.extension)
        return path if path is not None and path.exists() else None

    def _GetRecord(self, root, params, base_url) -> None:  # noqa: N802
        item = self._item(params["identifier"])
        prefix = self._prefix(params["metadataPrefix"])
        container = ET.SubElement(root, f"{{{OAI_NS}}}GetRecord")
        container.append(self._record(item, prefix))

    def _ListIdentifiers(self, root, params, base_url) -> None:  # noqa: N802
        self._list(root, params, "ListIdentifiers")

    def _ListRecords(self, root, params, base_url) -> None:  # noqa: N802
        self._list(root, params, "ListRecords")

    def _list(self, root, params: dict, verb: str) -> None:
        listing = self.listing()
        items, digest = listing.items, listing.digest
        if "resumptionToken" in params:
            state = self._decode_token(params["resumptionToken"], verb, digest)
            prefix, start, end, offset = state["m"], state["f"], state["u"], state["o"]
        else:
            prefix = self._prefix(params["metadataPrefix"])
            start, end = params.get("from"), params.get("until")
            if start and end and _granularity(start) != _granularity(end):
                raise OaiError("badArgument", "'from' and 'until' must have the same granularity")
            if start and end and _bound(start, False) > _bound(end, True):
                raise OaiError("badArgument", "'from' is later than 'until'")
            if start:
                _bound(start, False)
            if end:
                _bound(end, True)
            if "set" in params:
                raise OaiError("noSetHierarchy", "this repository does not support sets")
            offset = 0
        low = _bound(start, False) if start else None
        high = _bound(end, True) if end else None
        selected = [i for i in items if (low is None or i.datestamp >= low)
                    and (high is None or i.datestamp <= high)]
        if not selected:
            raise OaiError("noRecordsMatch", "no records match the request")
        if offset >= len(selected):
            raise OaiError("badResumptionToken", "the resumption token is past the end of the list")
        page = selected[offset:offset + self.page_size]
        container = ET.SubElement(root, f"{{{OAI_NS}}}{verb}")
        for item in page:
            if verb == "ListIdentifiers":
                container.append(self._header(item))
            else:
                container.append(self._record(item, prefix))
        following = offset + len(page)
        if offset > 0 or following < len(selected):
            token = ET.SubElement(container, f"{{{OAI_NS}}}resumptionToken",
                                  completeListSize=str(len(selected)), cursor=str(offset))
            if following < len(selected):
                token.text = _encode_token({"v": verb, "m": prefix, "f": start, "u": end,
                                            "o": following, "h": digest})

    def _decode_token(self, token: str, verb: str, digest: str) -> dict:
        bad = OaiError("badResumptionToken", "the resumption token is invalid or has expired "
                                             "(the export changed); start the list again")
        if not _TOKEN.match(token):
            raise bad
        try:
            state = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        except (ValueError, UnicodeDecodeError):
            raise bad from None
        if not isinstance(state, dict) or state.get("v") != verb or state.get("h") != digest:
            raise bad
        offset = state.get("o")
        if not isinstance(offset, int) or isinstance(offset, bool) or offset < 1:
            raise bad
        if state.get("m") not in self.prefixes():
            raise bad
        for name in ("f", "u"):
            value = state.get(name)
            if value is not None:
                if not isinstance(value, str):
                    raise bad
                try:
                    _bound(value, name == "u")
                except OaiError:
                    raise bad from None
        return state

    def _item(self, identifier: str) -> Item:
        item = self.listing().by_key.get(self.key_of(identifier))
        if item is not None:
            return item
        raise OaiError("idDoesNotExist", f"no record with identifier {identifier!r}")

    def _header(self, item: Item, deleted: bool | None = None) -> ET.Element:
        header = ET.Element(f"{{{OAI_NS}}}header")
        if item.deleted or deleted:
            header.set("status", "deleted")
        ET.SubElement(header, f"{{{OAI_NS}}}identifier").text = self.identifier(item.key)
        ET.SubElement(header, f"{{{OAI_NS}}}datestamp").text = item.datestamp
        return header

    def _record(self, item: Item, prefix: str) -> ET.Element:
        record = ET.Element(f"{{{OAI_NS}}}record")
        metadata = None if item.deleted else self._metadata(item.key, prefix)
        record.append(self._header(item, deleted=metadata is None))
        if metadata is not None:
            ET.SubElement(record, f"{{{OAI_NS}}}metadata").append(metadata)
        return record

    def _metadata(self, key: str, prefix: str) -> ET.Element | None:
        """The metadata element, or None when the document's file is gone (reported deleted)."""
        if prefix in FROM_EDM:
            record = _edm_record(self._edm_path(key))
            if record is None:
                return None
            return record if prefix == "edm" else qualified_dc(record)
        triples = _turtle_triples(self.export.document_path(key, "ttl"))
        if triples is None:
            return None
        if prefix == "rdf":
            return rdf_xml_element(triples)
        dc = ET.Element(f"{{{OAI_DC_NS}}}dc")
        dc.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_DC_NS} {OAI_DC_SCHEMA}")
        for element, text, language in dublin_core(triples, self.export.document_iri(key)):
            child = ET.SubElement(dc, f"{{{DC_NS}}}{element}")
            child.text = _clean(text)
            if language:
                child.set(f"{{{XML_NS}}}lang", language)
        return dc


def _check(args: list[tuple[str, str]]) -> tuple[str, dict[str, str]]:
    """The verb and its arguments, or badVerb / badArgument."""
    verbs = [value for name, value in args if name == "verb"]
    if not verbs:
        raise OaiError("badVerb", "the verb argument is missing")
    if len(verbs) > 1:
        raise OaiError("badVerb", "the verb argument is repeated")
    verb = verbs[0]
    if verb not in VERBS:
        raise OaiError("badVerb", f"{verb!r} is not an OAI-PMH verb")
    required, optional, exclusive = VERBS[verb]
    params: dict[str, str] = {}
    for name, value in args:
        if name == "verb":
            continue
        if name not in required and name not in optional and name != exclusive:
            raise OaiError("badArgument", f"{name!r} is not an argument of {verb}")
        if name in params:
            raise OaiError("badArgument", f"argument {name!r} is repeated")
        if not value:
            raise OaiError("badArgument", f"argument {name!r} is empty")
        params[name] = value
    if exclusive and exclusive in params:
        if len(params) > 1:
            raise OaiError("badArgument", f"{exclusive} is an exclusive argument")
    else:
        missing = [name for name in required if name not in params]
        if missing:
            raise OaiError("badArgument", f"{verb} requires the argument(s) {', '.join(missing)}")
    for name in ("from", "until"):
        if name in params:
            _bound(params[name], name == "until")
    return verb, params


async def _arguments(request) -> list[tuple[str, str]]:
    if request.method == "POST":
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            raise OaiError("badArgument",
                           "POST the arguments as application/x-www-form-urlencoded")
        body, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY:
                raise OaiError("badArgument", "request body too large")
            body.append(chunk)
        text = b"".join(body)
        try:
            query = text.decode("utf-8")
        except UnicodeDecodeError:
            raise OaiError("badArgument", "the request body is not UTF-8") from None
    else:
        query = request.url.query
    try:
        return parse_qsl(query, keep_blank_values=True, errors="strict", max_num_fields=100)
    except (ValueError, UnicodeDecodeError):
        raise OaiError("badArgument", "malformed arguments") from None


def _encode_token(state: dict) -> str:
    data = json.dumps(state, separators=(",", ":"), sort_keys=True).encode("utf-8")
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _serialize(root: ET.Element) -> bytes:
    _register_namespaces()  # cheap; in case other code re-registered a prefix meanwhile
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


#: Why ``/oai`` answers 404 when no address was given.
NOT_SERVED = ("OAI-PMH is not served here: its Identify response must give the repository's "
              "contact address (adminEmail) and none was given; start lod serve with "
              "--oai-admin-email ADDRESS or set contact_email in lod.toml's [dataset]")


def routes(export: Export, options: OaiOptions) -> list:
    """The ``/oai`` route: the repository, or (without an admin address) a 404 saying why."""
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    if options.admin_email:
        return OaiRepository(export, options).routes()

    async def not_served(request):
        return PlainTextResponse(NOT_SERVED + "\n", status_code=404)
    return [Route(options.path, not_served, methods=["GET", "POST"], name="oai")]


def _edm_record(path) -> ET.Element | None:
    """The ``rdf:RDF`` element of a record's EDM file publish wrote, or None when it is gone or unreadable."""
    if path is None:
        return None
    try:
        return ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return None


def _turtle_triples(path) -> list | None:
    """The triples of a Turtle file publish wrote, or None when it is gone or unreadable."""
    import pyoxigraph as ox

    if path is None:
        return None
    try:
        return list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    except (OSError, SyntaxError, ValueError):
        return None
