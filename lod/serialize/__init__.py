"""Stage 4, serialize: the one registry of the RDF formats lod writes and serves.

Every format is a :class:`Format`, registered once here and read by everything else:
the export (which per-document files and which dumps to write, ``--formats``), the CLI,
the dump writer (chunk names, media types), the dataset description (``void:feature``),
content negotiation and the SPARQL endpoint. Adding a format is one writer module plus
one :func:`register` call.

The direct writers (Turtle, JSON-LD, N-Triples) are the fast path used for output;
RDF/XML goes through rdflib. Every writer takes a document's triples (plain, see
:mod:`lod.terms`, or rdflib's) and the IRI of the node to put first.

Most formats render the description (the profiles the export chose). A format with
``profiles`` renders those profiles' triples instead, cut by its ``select`` to what it can
carry: EDM for Europeana is one, whatever profiles the descriptions use.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from lod.serialize import edm, jsonld, ntriples, turtle
from lod.vocab import EDM

Writer = Callable[..., str]


@dataclass(frozen=True)
class Dump:
    """How a format is written as a whole-dataset dump, in gzip chunks ``dumps/<stem>-00001.<ext>.gz``.

    ``graphs``: one named graph per document (N-Quads), else every triple once.
    ``media_type``, ``extension``, ``file_type``: when the dump is not written in its format's own
    syntax (None: the format's). ``conforms_to``: the data model the dump follows, for the dataset
    description (``dcterms:conformsTo``), when it is not a plain RDF dump of the dataset.
    """

    stem: str
    graphs: bool
    media_type: str | None = None
    extension: str | None = None
    file_type: str | None = None
    conforms_to: str | None = None


@dataclass(frozen=True)
class Format:
    """One RDF format. ``name`` is what ``--formats``, file extensions and ``?format=`` use."""

    name: str
    label: str
    media_type: str
    w3c: str  # the format's IRI under http://www.w3.org/ns/formats/ (void:feature)
    file_type: str  # its code in the EU Vocabularies file types (dcterms:format of a DCAT distribution)
    write: Writer | None = None  # one document's triples -> text (served; per-document files)
    per_document: bool = False  # the export can write it as documents/KEY.<name>
    dump: Dump | None = None  # the export can write it as a dump
    default: bool = False  # written unless --formats says otherwise
    required: bool = False  # every export writes it
    aliases: tuple[str, ...] = ()
    media_aliases: tuple[str, ...] = ()  # other media types clients ask for it by (application/x-turtle)
    #: The profiles whose triples it renders (None: the export's) and the part of them it
    #: carries (None: all); such a format is a view for others, not a form of the description.
    profiles: tuple[str, ...] | None = None
    select: Callable | None = None
    suffix: str | None = None  # its files' ending (None: "." + name)

    @property
    def extension(self) -> str:
        return self.suffix or f".{self.name}"

    @property
    def content_type(self) -> str:
        """The HTTP Content-Type: text types say their charset (lod writes UTF-8 only)."""
        return f"{self.media_type}; charset=utf-8" if self.media_type.startswith("text/") else self.media_type

    @property
    def dump_media_type(self) -> str:
        return self.dump.media_type or self.media_type

    @property
    def dump_extension(self) -> str:
        return self.dump.extension or self.extension

    @property
    def dump_file_type(self) -> str:
        return self.dump.file_type or self.file_type

    @property
    def exportable(self) -> bool:
        return self.per_document or self.dump is not None


_REGISTRY: dict[str, Format] = {}
_LOOKUP: dict[str, Format] = {}


def register(format: Format) -> Format:
    """Add a format; its name, aliases and media type must be new (a view for others, with
    ``profiles``, is found by name only: its media type is the description's formats')."""
    keys = (format.name, *format.aliases,
            *((format.media_type, *format.media_aliases) if format.profiles is None else ()))
    taken = [key for key in keys if key.lower() in _LOOKUP]
    if taken:
        raise ValueError(f"format {format.name!r}: {', '.join(taken)} already registered")
    _REGISTRY[format.name] = format
    _LOOKUP.update({key.lower(): format for key in keys})
    return format


def get(key: str) -> Format:
    """A format by name (``ttl``), alias (``turtle``), media type or extension (``.ttl``)."""
    try:
        return _LOOKUP[key.lower().lstrip(".")]
    except KeyError:
        raise KeyError(f"unknown format {key!r}; known: {', '.join(_REGISTRY)}") from None


def formats() -> tuple[Format, ...]:
    """Every registered format, in registration order."""
    return tuple(_REGISTRY.values())


def served() -> tuple[Format, ...]:
    """The formats a document's description can be served in."""
    return tuple(f for f in _REGISTRY.values() if f.write is not None and f.profiles is None)


def default_outputs() -> tuple[str, ...]:
    return tuple(f.name for f in _REGISTRY.values() if f.default or f.required)


def outputs(names: Iterable[str]) -> tuple[Format, ...]:
    """The formats an export writes for ``names`` (``--formats``), in registry order.

    Raises ValueError naming the choices for an unknown or unexportable name, or when a
    format every export needs is missing.
    """
    chosen = {get(name).name for name in names} if names else set()
    wrong = [name for name in chosen if not _REGISTRY[name].exportable]
    missing = [f.name for f in _REGISTRY.values() if f.required and f.name not in chosen]
    if wrong or missing:
        choices = ", ".join(f.name for f in _REGISTRY.values() if f.exportable)
        needed = ", ".join(f.name for f in _REGISTRY.values() if f.required)
        raise ValueError(f"choose from {choices}; {needed} is always written")
    return tuple(f for f in _REGISTRY.values() if f.name in chosen)


def _rdfxml(triples, root=None) -> str:
    from rdflib import Graph

    from lod.terms import plain, to_rdflib
    from lod.vocab import PREFIXES

    graph = Graph()
    for name, namespace in PREFIXES.items():
        graph.bind(name, namespace)
    for triple in plain(triples):
        graph.add(tuple(map(to_rdflib, triple)))
    return graph.serialize(format="pretty-xml")


def _ntriples(triples, root=None) -> str:
    return ntriples.serialize(triples)


TURTLE = register(Format("ttl", "Turtle", "text/turtle", "Turtle", "RDF_TURTLE", turtle.serialize,
                         per_document=True, default=True, aliases=("turtle",),
                         media_aliases=("application/x-turtle", "application/turtle")))
JSON_LD = register(Format("jsonld", "JSON-LD", "application/ld+json", "JSON-LD", "JSON_LD", jsonld.serialize,
                          per_document=True, default=True, aliases=("json-ld",), media_aliases=("application/json",)))
N_TRIPLES = register(Format("nt", "N-Triples", "application/n-triples", "N-Triples", "RDF_N_TRIPLES", _ntriples,
                            dump=Dump("dataset", graphs=False), required=True, aliases=("ntriples",),
                            media_aliases=("text/plain",)))
N_QUADS = register(Format("nq", "N-Quads", "application/n-quads", "N-Quads", "RDF_N_QUADS",
                          dump=Dump("documents", graphs=True), default=True, aliases=("nquads",)))
RDF_XML = register(Format("rdf", "RDF/XML", "application/rdf+xml", "RDF_XML", "RDF_XML", _rdfxml,
                          aliases=("rdfxml", "xml", "rdf+xml"), media_aliases=("application/xml", "text/xml")))
EDM_RDF_XML = register(Format("edm", "EDM for Europeana", "application/rdf+xml", "RDF_XML", "RDF_XML", edm.serialize,
                              per_document=True, profiles=("edm",), select=edm.selected, suffix=".edm.xml",
                              dump=Dump("edm", graphs=False, media_type="text/turtle", extension=".ttl",
                                        file_type="RDF_TURTLE", conforms_to=str(EDM._NS))))
