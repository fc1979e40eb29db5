"""The dataset description aggregators read: VoID, DCAT and schema.org about one dataset IRI.

Harvesters differ in which vocabulary they read (Europeana's linked-data route and
SPARQL tools read VoID, data portals DCAT, national registers and search engines
schema.org), so the same facts are stated in all three. Every figure comes from
what was written (:class:`DatasetStats`, the :class:`~lod.publish.dumps.DumpFile` list);
nothing is typed in. Every node has an IRI: distributions are
``{dataset}/distribution/{file stem}``, their checksums ``…#checksum``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Literal, URIRef

from lod.config import Dataset
from lod.iris import Iris, slug
from lod.model import ORGANIZATION
from lod.publish.dumps import ENCODING, DumpFile
from lod.publish.files import write_text
from lod.publish.layout import VOID_JSONLD, VOID_TURTLE
from lod.serialize import Format, jsonld, ntriples, turtle
from lod.vocab import DCAT, DCTERMS, FORMATS, PREFIXES, RDF, RDFS, SCHEMA, SPDX, VOID, XSD
MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"

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
    return f"{iris.base}id/{ORGANIZATION}/{slug(name)}"


def distribution_iri(iris: Iris, file: DumpFile) -> str:
    return f"{iris.dataset()}/distribution/{Path(file.path).stem}"


def describe_dataset(iris: Iris, dataset: Dataset, stats: DatasetStats, files: list[DumpFile],
                     base_url: str, modified: str, written: Iterable[Format] = ()) -> list[Triple]:
    """The dataset description as triples, sorted.

    ``written``: the formats the export wrote (per-document files and dumps), each a ``void:feature``.
    ``base_url`` is where the export root is published (dump URLs are ``base_url + file.path``);
    ``modified`` is an xsd:date or xsd:dateTime lexical form, kept as given.
    """
    if not re.match(r"https?://\S+/\Z", base_url):
        raise ValueError(f"base_url must be an http(s) URL ending in '/': {base_url!r}")
    root = URIRef(iris.dataset())
    publisher = URIRef(publisher_iri(iris, dataset.publisher))
    license_ = URIRef(dataset.license)
    title = Literal(dataset.title, lang=dataset.title_language)
    description = Literal(dataset.description, lang=dataset.title_language)
    out: list[Triple] = [
        (root, RDF.type, VOID.Dataset), (root, RDF.type, DCAT.Dataset), (root, RDF.type, SCHEMA.Dataset),
        (root, VOID.triples, _integer(stats.triples)),
        (root, VOID.entities, _integer(stats.entities)),
        (root, VOID.distinctSubjects, _integer(stats.distinct_subjects)),
        (root, VOID.documents, _integer(stats.documents)),
        (root, VOID.uriSpace, Literal(f"{iris.base}id/")),
        (root, DCTERMS.title, title), (root, SCHEMA.name, title),
        (root, DCTERMS.description, description), (root, SCHEMA.description, description),
        (root, DCTERMS.license, license_), (root, SCHEMA.license, license_),
        (root, DCTERMS.publisher, publisher), (root, SCHEMA.publisher, publisher),
        (root, DCTERMS.modified, _date(modified)), (root, SCHEMA.dateModified, _date(modified)),
        (root, SCHEMA.url, URIRef(f"{base_url}void.ttl")),
        (publisher, RDF.type, SCHEMA.Organization),
        (publisher, SCHEMA.name, Literal(dataset.publisher, lang=dataset.title_language)),
        (publisher, RDFS.label, Literal(dataset.publisher, lang=dataset.title_language)),
    ]
    if dataset.publisher_url:
        out.append((publisher, SCHEMA.url, URIRef(dataset.publisher_url)))
    if stats.root_resource:
        out.append((root, VOID.rootResource, URIRef(stats.root_resource)))
    out += [(root, VOID.exampleResource, URIRef(iri)) for iri in stats.example_resources]
    out += [(root, VOID.vocabulary, URIRef(iri)) for iri in stats.vocabularies]
    out += [(root, VOID.feature, FORMATS[f.w3c]) for f in written]
    distributions = [distribution_iri(iris, file) for file in files]
    if len(set(distributions)) != len(distributions):
        raise ValueError("two dump files share a file stem")
    for file, node in zip(files, distributions):
        out += _distribution(root, URIRef(node), file, base_url, license_)
    return sorted(set(out), key=lambda triple: tuple(map(ntriples.term, triple)))


def _distribution(root: URIRef, node: URIRef, file: DumpFile, base_url: str,
                  license_: URIRef) -> list[Triple]:
    """One dump file as a DCAT Distribution (DCAT 3 / DCAT-AP) and a schema.org DataDownload."""
    url = URIRef(base_url + file.path)
    checksum = URIRef(f"{node}#checksum")
    return [
        (root, VOID.dataDump, url),
        (root, DCAT.distribution, node), (root, SCHEMA.distribution, node),
        (node, RDF.type, DCAT.Distribution), (node, RDF.type, SCHEMA.DataDownload),
        (node, DCAT.downloadURL, url), (node, DCAT.accessURL, url),  # DCAT-AP requires accessURL
        (node, DCAT.mediaType, URIRef(MEDIA_TYPES + file.media_type)),
        (node, DCAT.compressFormat, URIRef(f"{MEDIA_TYPES}application/{ENCODING}")),
        (node, DCAT.byteSize, Literal(str(file.bytes), datatype=XSD.nonNegativeInteger)),
        (node, DCTERMS.license, license_),
        (node, SPDX.checksum, checksum),
        (checksum, RDF.type, SPDX.Checksum),
        (checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256),
        (checksum, SPDX.checksumValue, Literal(file.sha256, datatype=XSD.hexBinary, normalize=False)),
        (node, SCHEMA.name, Literal(Path(file.path).name)),
        (node, SCHEMA.contentUrl, url),
        (node, SCHEMA.encodingFormat, Literal(file.media_type)),  # the content; the name says .gz
        (node, SCHEMA.contentSize, Literal(f"{file.bytes} B")),
        (node, SCHEMA.sha256, Literal(file.sha256)),
    ]


def _integer(value: int) -> Literal:
    return Literal(str(int(value)), datatype=XSD.integer)


def _date(value: str) -> Literal:
    if _DATE.match(value):
        return Literal(value, datatype=XSD.date, normalize=False)
    if _DATETIME.match(value):
        return Literal(value, datatype=XSD.dateTime, normalize=False)
    raise ValueError(f"modified must be an xsd:date or xsd:dateTime: {value!r}")


def write_void(root: Path, triples: list[Triple], iris: Iris) -> int:
    """Write ``root/void.ttl`` and ``root/void.jsonld``; return how many files changed."""
    dataset = iris.dataset()
    texts = {VOID_TURTLE: turtle.serialize(triples, root=dataset), VOID_JSONLD: jsonld.serialize(triples, dataset)}
    return sum(write_text(root / name, text) for name, text in texts.items())
