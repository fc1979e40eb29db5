"""The dataset description aggregators read: VoID, a DCAT-AP catalogue and schema.org about one dataset IRI.

Harvesters differ in which vocabulary they read (Europeana's linked-data route and
SPARQL tools read VoID, data portals DCAT-AP, national registers and search engines
schema.org), so the same facts are stated in all three. Every figure comes from
what was written (:class:`DatasetStats`, the :class:`~lod.publish.dumps.DumpFile` list,
the documents' :class:`~lod.publish.coverage.Coverage`); the rest from ``[dataset]`` in
``lod.toml``; nothing is typed in.

DCAT-AP 3.0.1: a ``dcat:Catalog`` holds the dataset; the publisher is a ``foaf:Agent``;
every node the profile's shapes expect to be of a class is typed so (licence, media
types, checksum algorithm, places, period, themes), so that the shapes pass without a
reasoner. **One distribution per dump format**, its chunks its download URLs (their
sizes and checksums are in ``manifest.json``; a distribution of one file also has its
checksum). VoID keeps its own meaning: ``void:dataDump`` is the dump that holds every
triple once (N-Triples), not the N-Quads, which repeat the shared triples per document.

Every node has an IRI: the catalogue, contact point, period and distributions are
``{dataset}/catalog``, ``…/contact-point``, ``…/period``, ``…/distribution/{format}``
(``lod serve`` answers every ``{dataset}/…`` the description names); checksums ``…#checksum``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Literal, URIRef

from lod import serialize
from lod.config import Dataset
from lod.iris import Iris, slug
from lod.map import DATE_TYPES
from lod.model import ORGANIZATION
from lod.publish.coverage import Coverage
from lod.publish.dumps import ENCODING, DumpFile
from lod.publish.files import write_text
from lod.publish.layout import MANIFEST, VOID_JSONLD, VOID_TURTLE
from lod.serialize import Format, jsonld, ntriples, turtle
from lod.vocab import (
    CATALOGUE_SCHEMES, DCAT, DCTERMS, FOAF, FORMATS, PREFIXES, RDF, RDFS, SCHEMA, SKOS, SPDX, VCARD, VOID, XSD,
    catalogue_terms, eu_language,
)
MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
#: The English title of the EU data-theme vocabulary (DCAT-AP wants a title on a theme taxonomy).
THEME_SCHEME_TITLE = "Data theme"

_DATE = re.compile(r"\d{4}-\d\d-\d\d\Z")
_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)\Z")

Triple = tuple[URIRef, URIRef, URIRef | Literal]


@dataclass(frozen=True)
class DatasetStats:
    """Figures counted from the written export (see :class:`lod.publish.dumps.DumpStats`)."""

    triples: int
    entities: int
    distinct_subjects: int
    documents: int
    example_resources: tuple[str, ...] = ()  # a few document IRIs
    vocabularies: tuple[str, ...] = ()  # namespace IRIs used (see :func:`vocabularies`)
    root_resource: str | None = None


def vocabularies(terms: Iterable[str]) -> tuple[str, ...]:
    """The namespaces of ``terms`` (predicates and classes).

    A known prefix (lod.vocab) when one matches, else the IRI up to its last ``#`` or ``/``.
    """
    known = sorted(PREFIXES.values(), key=len, reverse=True)
    found = set()
    for term in terms:
        namespace = next((ns for ns in known if term.startswith(ns) and len(term) > len(ns)), None)
        if namespace is None:
            cut = max(term.rfind("#"), term.rfind("/"))
            namespace = term[:cut + 1]
        found.add(namespace)
    return tuple(sorted(found))


def publisher_iri(iris: Iris, name: str) -> str:
    """The publisher as an organization IRI, the same one the mapper mints for that name."""
    return iris.thing(ORGANIZATION, slug(name))


def catalog_iri(iris: Iris) -> str:
    return f"{iris.dataset()}/catalog"


def distribution_iri(iris: Iris, format: Format) -> str:
    return f"{iris.dataset()}/distribution/{format.name}"


def describe_dataset(iris: Iris, dataset: Dataset, stats: DatasetStats, files: list[DumpFile],
                     base_url: str, modified: str, written: Iterable[Format] = (),
                     coverage: Coverage = Coverage(), issued: str | None = None,
                     text_language: str = "en") -> list[Triple]:
    """The dataset description as triples, sorted.

    ``written``: the formats the export wrote (per-document files and dumps), each a ``void:feature``.
    ``base_url`` is where the export root is published (dump URLs are ``base_url + file.path``);
    ``modified`` and ``issued`` (the first export) are xsd:date or xsd:dateTime lexical forms,
    kept as given. ``text_language`` tags keywords and place names: they are the documents' words.
    """
    if not re.match(r"https?://\S+/\Z", base_url):
        raise ValueError(f"base_url must be an http(s) URL ending in '/': {base_url!r}")
    root = URIRef(iris.dataset())
    catalog = URIRef(catalog_iri(iris))
    publisher = URIRef(publisher_iri(iris, dataset.publisher))
    license_ = URIRef(dataset.license)
    home = URIRef(base_url)
    title = Literal(dataset.title, lang=dataset.title_language)
    description = Literal(dataset.description, lang=dataset.title_language)
    out: list[Triple] = [
        (root, RDF.type, VOID.Dataset), (root, RDF.type, DCAT.Dataset), (root, RDF.type, SCHEMA.Dataset),
        (root, VOID.triples, _integer(stats.triples)),
        (root, VOID.entities, _integer(stats.entities)),
        (root, VOID.distinctSubjects, _integer(stats.distinct_subjects)),
        (root, VOID.documents, _integer(stats.documents)),
        (root, VOID.uriSpace, Literal(iris.uri_space())),
        (root, DCTERMS.title, title), (root, SCHEMA.name, title),
        (root, DCTERMS.description, description), (root, SCHEMA.description, description),
        (root, DCTERMS.license, license_), (root, SCHEMA.license, license_),
        (root, DCTERMS.publisher, publisher), (root, SCHEMA.publisher, publisher),
        (root, DCTERMS.modified, _date(modified)), (root, SCHEMA.dateModified, _date(modified)),
        (root, SCHEMA.url, URIRef(f"{base_url}{VOID_TURTLE}")),
        (root, DCAT.landingPage, home), (home, RDF.type, FOAF.Document),
        (catalog, RDF.type, DCAT.Catalog), (catalog, RDF.type, SCHEMA.DataCatalog),
        (catalog, DCTERMS.title, title), (catalog, SCHEMA.name, title),
        (catalog, DCTERMS.description, description),
        (catalog, DCTERMS.publisher, publisher), (catalog, DCTERMS.license, license_),
        (catalog, DCTERMS.modified, _date(modified)),
        (catalog, FOAF.homepage, home),
        (catalog, DCAT.dataset, root), (catalog, SCHEMA.dataset, root),
        (root, SCHEMA.includedInDataCatalog, catalog),
    ]
    language = eu_language(dataset.title_language)
    if language:
        out += [(catalog, DCTERMS.language, URIRef(language)),
                (URIRef(language), RDF.type, DCTERMS.LinguisticSystem)]
    if issued:
        out += [(root, DCTERMS.issued, _date(issued)), (root, SCHEMA.datePublished, _date(issued)),
                (catalog, DCTERMS.issued, _date(issued))]
    if stats.root_resource:
        out.append((root, VOID.rootResource, URIRef(stats.root_resource)))
    out += [(root, VOID.exampleResource, URIRef(iri)) for iri in stats.example_resources]
    out += [(root, VOID.vocabulary, URIRef(iri)) for iri in stats.vocabularies]
    out += [(root, VOID.feature, FORMATS[f.w3c]) for f in written]
    out += _publisher(iris, dataset, publisher)
    out += _licence(license_)
    out += _themes(dataset, root, catalog)
    out += _coverage(iris, coverage, root, catalog, text_language)
    by_format: dict[Format, list[DumpFile]] = {}
    for file in files:
        by_format.setdefault(serialize.get(file.format or file.media_type), []).append(file)
    for format, chunks in by_format.items():
        paths = [file.path for file in chunks]
        if len(set(paths)) != len(paths):
            raise ValueError(f"a {format.label} dump file is listed twice")
        out += _distribution(iris, root, format, sorted(chunks, key=lambda f: f.path), base_url, license_)
    return sorted(set(out), key=lambda triple: tuple(map(ntriples.term, triple)))


def _publisher(iris: Iris, dataset: Dataset, publisher: URIRef) -> list[Triple]:
    """The publisher (a schema.org Organization and a FOAF Agent) and its contact point (vCard)."""
    name = Literal(dataset.publisher, lang=dataset.title_language)
    contact = URIRef(f"{iris.dataset()}/contact-point")
    out = [
        (publisher, RDF.type, SCHEMA.Organization), (publisher, RDF.type, FOAF.Agent),
        (publisher, RDF.type, FOAF.Organization),
        (publisher, SCHEMA.name, name), (publisher, FOAF.name, name), (publisher, RDFS.label, name),
        (publisher, SCHEMA.contactPoint, contact),
        (URIRef(iris.dataset()), DCAT.contactPoint, contact),
        (contact, RDF.type, VCARD.Kind), (contact, RDF.type, VCARD.Organization),
        (contact, RDF.type, SCHEMA.ContactPoint),
        (contact, VCARD.fn, Literal(dataset.publisher)), (contact, SCHEMA.name, name),
    ]
    if dataset.publisher_url:
        url = URIRef(dataset.publisher_url)
        out += [(publisher, SCHEMA.url, url), (publisher, FOAF.homepage, url),
                (contact, VCARD.hasURL, url), (contact, SCHEMA.url, url)]
    if dataset.contact_email:
        out += [(contact, VCARD.hasEmail, URIRef(f"mailto:{dataset.contact_email}")),
                (contact, SCHEMA.email, Literal(dataset.contact_email))]
    if dataset.publisher_type:
        out += [(publisher, DCTERMS.type, kind) for kind in _concepts("publisher-type", [dataset.publisher_type])]
        out += _concept_triples("publisher-type", [dataset.publisher_type])
    return out


def _licence(license_: URIRef) -> list[Triple]:
    """The licence as a dct:LicenseDocument, typed by the ADMS licence types it is known to have."""
    kinds = [code for code, term in catalogue_terms()["licence-type"].items()
             if str(license_) in term["licences"].split("|")]
    return [(license_, RDF.type, DCTERMS.LicenseDocument),
            *((license_, DCTERMS.type, kind) for kind in _concepts("licence-type", kinds)),
            *_concept_triples("licence-type", kinds)]


def _themes(dataset: Dataset, root: URIRef, catalog: URIRef) -> list[Triple]:
    """The configured EU data themes, and their vocabulary as the catalogue's theme taxonomy."""
    if not dataset.themes:
        return []
    scheme = URIRef(CATALOGUE_SCHEMES["data-theme"])
    return [(catalog, DCAT.themeTaxonomy, scheme), (scheme, RDF.type, SKOS.ConceptScheme),
            (scheme, DCTERMS.title, Literal(THEME_SCHEME_TITLE, lang="en")),
            *((root, DCAT.theme, theme) for theme in _concepts("data-theme", dataset.themes)),
            *((theme, SKOS.inScheme, scheme) for theme in _concepts("data-theme", dataset.themes)),
            *_concept_triples("data-theme", dataset.themes)]


def _concepts(scheme: str, codes: Iterable[str]) -> list[URIRef]:
    return [URIRef(catalogue_terms()[scheme][code]["iri"]) for code in codes]


def _concept_triples(scheme: str, codes: Iterable[str]) -> list[Triple]:
    """Each concept typed and labelled as its vocabulary does (DCAT-AP checks both)."""
    out = []
    for code in codes:
        term = catalogue_terms()[scheme][code]
        out += [(URIRef(term["iri"]), RDF.type, SKOS.Concept),
                (URIRef(term["iri"]), SKOS.prefLabel, Literal(term["label"], lang="en"))]
    return out


def _coverage(iris: Iris, coverage: Coverage, root: URIRef, catalog: URIRef, language: str) -> list[Triple]:
    """Keywords, the date range and the places, as DCAT and schema.org say them."""
    out: list[Triple] = []
    for keyword in coverage.keywords:
        out += [(root, DCAT.keyword, Literal(keyword, lang=language)),
                (root, SCHEMA.keywords, Literal(keyword, lang=language))]
    if coverage.start and coverage.end:
        period = URIRef(f"{iris.dataset()}/period")
        (start, start_precision), (end, end_precision) = coverage.start, coverage.end
        out += [(root, DCTERMS.temporal, period), (period, RDF.type, DCTERMS.PeriodOfTime),
                (period, DCAT.startDate, _typed_date(start, start_precision)),
                (period, DCAT.endDate, _typed_date(end, end_precision)),
                (root, SCHEMA.temporalCoverage, Literal(f"{start}/{end}"))]  # an ISO 8601 interval
    for iri, name in coverage.places:
        place = URIRef(iri)
        out += [(root, DCTERMS.spatial, place), (catalog, DCTERMS.spatial, place),
                (root, SCHEMA.spatialCoverage, place),
                (place, RDF.type, DCTERMS.Location), (place, RDF.type, SCHEMA.Place),
                (place, SCHEMA.name, Literal(name, lang=language)),
                (place, RDFS.label, Literal(name, lang=language))]
    return out


def _distribution(iris: Iris, root: URIRef, format: Format, chunks: list[DumpFile], base_url: str,
                  license_: URIRef) -> list[Triple]:
    """One dump format as a DCAT Distribution and a schema.org DataDownload: its chunks are
    its download URLs, its size their sum."""
    node = URIRef(distribution_iri(iris, format))
    urls = [URIRef(base_url + file.path) for file in chunks]
    size = sum(file.bytes for file in chunks)
    count = f"{len(chunks)} file{'s' if len(chunks) != 1 else ''}"
    what = ("every document's triples in a named graph of its own (its description's IRI)" if format.dump.graphs
            else f"every record in the {', '.join(format.profiles)} profile's terms" if format.profiles
            else "every triple of the dataset once")
    title = Literal(f"{format.label} dump", lang="en")
    media_type, gzip = URIRef(MEDIA_TYPES + format.dump_media_type), URIRef(f"{MEDIA_TYPES}application/{ENCODING}")
    file_type = URIRef(f"{CATALOGUE_SCHEMES['file-type']}/{format.dump_file_type}")
    manifest = URIRef(base_url + MANIFEST)
    out: list[Triple] = [
        (root, DCAT.distribution, node), (root, SCHEMA.distribution, node),
        (node, RDF.type, DCAT.Distribution), (node, RDF.type, SCHEMA.DataDownload),
        (node, DCTERMS.title, title), (node, SCHEMA.name, title),
        (node, DCTERMS.description, Literal(
            f"{format.label}, gzip: {what}, in {count}; {MANIFEST} gives each file's size, SHA-256 and "
            "triple count.", lang="en")),
        (node, DCAT.mediaType, media_type), (media_type, RDF.type, DCTERMS.MediaType),
        (node, DCAT.compressFormat, gzip), (gzip, RDF.type, DCTERMS.MediaType),
        (node, DCTERMS.format, file_type), (file_type, RDF.type, DCTERMS.MediaTypeOrExtent),
        (node, SCHEMA.encodingFormat, Literal(format.dump_media_type)),  # the content; the names say .gz
        (node, DCAT.byteSize, Literal(str(size), datatype=XSD.nonNegativeInteger)),
        (node, SCHEMA.contentSize, Literal(f"{size} B")),
        (node, DCTERMS.license, license_),
        (node, FOAF.page, manifest), (manifest, RDF.type, FOAF.Document),
    ]
    if format.dump.conforms_to:  # a data model of its own (EDM: what Europeana's harvester looks for)
        standard = URIRef(format.dump.conforms_to)
        out += [(node, DCTERMS.conformsTo, standard), (standard, RDF.type, DCTERMS.Standard)]
    for url in urls:  # DCAT-AP wants an access URL; for a download, the download URL itself
        out += [(node, DCAT.downloadURL, url), (node, DCAT.accessURL, url), (node, SCHEMA.contentUrl, url)]
        if not format.dump.graphs and format.profiles is None:  # the dataset's triples, not another model's
            out.append((root, VOID.dataDump, url))
    if len(chunks) == 1:  # a checksum is of one file
        checksum = URIRef(f"{node}#checksum")
        out += [(node, SPDX.checksum, checksum), (checksum, RDF.type, SPDX.Checksum),
                (checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256),
                (SPDX.checksumAlgorithm_sha256, RDF.type, SPDX.ChecksumAlgorithm),
                (checksum, SPDX.checksumValue, Literal(chunks[0].sha256, datatype=XSD.hexBinary, normalize=False)),
                (node, SCHEMA.sha256, Literal(chunks[0].sha256))]
    return out


def _typed_date(iso: str, precision: str) -> Literal:
    """A document date typed by its precision, as the mapper types it."""
    return Literal(iso, datatype=URIRef(DATE_TYPES[precision]), normalize=False)


def _integer(value: int) -> Literal:
    return Literal(str(int(value)), datatype=XSD.integer)


def _date(value: str) -> Literal:
    if _DATE.match(value):
        return Literal(value, datatype=XSD.date, normalize=False)
    if _DATETIME.match(value):
        return Literal(value, datatype=XSD.dateTime, normalize=False)
    raise ValueError(f"dates must be xsd:date or xsd:dateTime: {value!r}")


def write_void(root: Path, triples: list[Triple], iris: Iris) -> int:
    """Write ``root/void.ttl`` and ``root/void.jsonld``; return how many files changed."""
    dataset = iris.dataset()
    texts = {VOID_TURTLE: turtle.serialize(triples, root=dataset), VOID_JSONLD: jsonld.serialize(triples, dataset)}
    return sum(write_text(root / name, text) for name, text in texts.items())
