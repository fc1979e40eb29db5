"""EDM RDF/XML: one record as Europeana's ``EDM.xsd`` takes it.

EDM's schema is RDF/XML with a fixed shape: one element per node, named by its class
(``edm:ProvidedCHO``, ``ore:Aggregation``, ``edm:Agent``, ``edm:Place``, ``skos:Concept``),
holding only the properties the schema lists for that class, in the schema's order, each
value in the form the schema allows (a link, a text with an optional ``xml:lang``, a fixed
code). A generic RDF/XML writer cannot promise that, so this one writes from a table of the
schema (:data:`CLASSES`). :func:`selected` is the same table applied to triples: the EDM
triples of a record, exactly what the XML says, which the EDM dump is made of.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import NamedTuple

from lod.terms import Triples, plain
from lod.vocab import DC, DCTERMS, EDM, ORE, OWL, RDF, SKOS

_RDF = str(RDF)
_RDF_TYPE = str(RDF.type)
#: Value forms of EDM.xsd's types: ``literal`` (rdf:LiteralType: text, optional xml:lang),
#: ``resource`` (rdf:ResourceType: rdf:resource), ``either`` (rdf:ResourceOrLiteralType: one or
#: the other; no datatype), ``code`` (a fixed list of codes: the text alone).
LITERAL, RESOURCE, EITHER, CODE = "literal", "resource", "either", "code"
#: edm:type's codes (EDM.xsd ``EdmType``).
CONTENT_TYPES = frozenset(("TEXT", "VIDEO", "IMAGE", "SOUND", "3D"))


class Element(NamedTuple):
    predicate: str
    form: str
    single: bool = False  # maxOccurs 1: the first value in sort order is kept


def _elements(namespace, form: str, names: str) -> tuple[Element, ...]:
    return tuple(Element(str(namespace) + name, form) for name in names.split())


#: Dublin Core in EDM's EuropeanaType, the description of a ProvidedCHO (a choice in any order).
_DUBLIN_CORE = (
    *_elements(DC, LITERAL, "title"), *_elements(DCTERMS, LITERAL, "alternative"),
    *_elements(DC, EITHER, "description creator contributor publisher subject type format"),
    *_elements(DC, LITERAL, "language identifier"),
    *_elements(DC, EITHER, "source relation rights date coverage"),
    *_elements(DCTERMS, EITHER, "created issued temporal spatial extent medium provenance isPartOf hasPart "
                                "references isReferencedBy conformsTo hasFormat isFormatOf hasVersion "
                                "isVersionOf replaces isReplacedBy requires isRequiredBy tableOfContents"),
)
_LABELS = _elements(SKOS, LITERAL, "prefLabel altLabel note")

#: class -> its properties in EDM.xsd's order (only what a record of lod's can hold).
CLASSES: dict[str, tuple[Element, ...]] = {
    str(EDM.ProvidedCHO): (
        *_DUBLIN_CORE,
        Element(str(EDM.currentLocation), EITHER, single=True),
        *_elements(EDM, RESOURCE, "hasMet"), *_elements(EDM, EITHER, "hasType isRelatedTo"),
        Element(str(EDM.type), CODE, single=True),
        Element(str(OWL.sameAs), RESOURCE),
    ),
    str(EDM.Agent): (
        *_LABELS, *_elements(DC, EITHER, "date"), *_elements(DC, LITERAL, "identifier"),
        *_elements(DCTERMS, EITHER, "hasPart isPartOf"),
        Element(str(EDM.begin), LITERAL, single=True), Element(str(EDM.end), LITERAL, single=True),
        *_elements(EDM, RESOURCE, "hasMet"), *_elements(EDM, EITHER, "isRelatedTo"),
        Element(str(OWL.sameAs), RESOURCE),
    ),
    str(EDM.Place): (
        *_LABELS, *_elements(DCTERMS, EITHER, "hasPart isPartOf"), Element(str(OWL.sameAs), RESOURCE),
    ),
    str(SKOS.Concept): (
        *_elements(SKOS, LITERAL, "prefLabel altLabel"),
        *_elements(SKOS, RESOURCE, "broader narrower related broadMatch narrowMatch relatedMatch exactMatch "
                                   "closeMatch"),
        *_elements(SKOS, LITERAL, "note notation"), *_elements(SKOS, RESOURCE, "inScheme"),
    ),
    str(ORE.Aggregation): (
        Element(str(EDM.aggregatedCHO), RESOURCE, single=True),
        Element(str(EDM.dataProvider), EITHER, single=True),
        *_elements(EDM, RESOURCE, "hasView"),
        Element(str(EDM.isShownAt), RESOURCE, single=True), Element(str(EDM.isShownBy), RESOURCE, single=True),
        Element(str(EDM.object), RESOURCE, single=True),
        Element(str(EDM.provider), EITHER, single=True),
        *_elements(DC, EITHER, "rights"),
        Element(str(EDM.rights), RESOURCE, single=True),
        *_elements(EDM, EITHER, "intermediateProvider"),
    ),
}
#: The order of the nodes in a record: the document, its contextual entities, its aggregation.
_NODE_ORDER = {cls: number for number, cls in enumerate(CLASSES)}
NAMESPACES = {"rdf": _RDF, "dc": str(DC), "dcterms": str(DCTERMS), "edm": str(EDM._NS),
              "ore": str(ORE._NS), "owl": str(OWL), "skos": str(SKOS)}
_PREFIXED = sorted(((iri, name) for name, iri in NAMESPACES.items()), key=lambda item: -len(item[0]))


def tag(prefix: str, name: str) -> str:
    """An EDM element or attribute name as ElementTree and lxml spell it (``{namespace}name``),
    for those who read the files this module writes."""
    return f"{{{NAMESPACES[prefix]}}}{name}"


def _qname(iri: str) -> str:
    return next(f"{name}:{iri[len(namespace):]}" for namespace, name in _PREFIXED if iri.startswith(namespace))


#: class -> predicate -> (its place in the class, the element): a node's properties are looked up,
#: not the schema's list walked (most of a class's elements are absent from a record).
_PLACES = {cls: {element.predicate: (place, element) for place, element in enumerate(elements)}
           for cls, elements in CLASSES.items()}
_QNAMES = {iri: _qname(iri) for iri in (*CLASSES, *(e.predicate for es in CLASSES.values() for e in es))}
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTRIBUTE_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", '"': "&quot;", "\t": "&#9;", "\n": "&#10;",
                                    "\r": "&#13;"})


def _fits(value, form: str) -> bool:
    if type(value) is str:
        return form in (RESOURCE, EITHER)
    text, language, datatype = value
    if form == CODE:
        return not language and not datatype and text in CONTENT_TYPES
    return form == LITERAL or (form == EITHER and not datatype)


def _clean(value: tuple) -> tuple:
    """A literal with XML 1.0's forbidden characters replaced by U+FFFD."""
    if not _XML_INVALID.search(value[0]):
        return value
    return (_XML_INVALID.sub("\ufffd", value[0]), value[1], value[2])


def _order(value) -> tuple:
    """Links before texts, each in their own order (a str and a tuple do not compare)."""
    return (0, value) if type(value) is str else (1, *value)


def _nodes(triples) -> list[tuple[str, str, list[tuple[Element, list]]]]:
    """(subject, class, [(element, values)]) for each node of an EDM class, in record order."""
    by_subject: dict[str, list] = defaultdict(list)
    for triple in plain(triples):
        by_subject[triple[0]].append(triple)
    nodes = []
    for subject, rows in by_subject.items():
        for cls in {o for _, p, o in rows if p == _RDF_TYPE and o in _PLACES}:
            places = _PLACES[cls]
            found: dict[int, list] = defaultdict(list)
            for _, predicate, value in rows:
                place = places.get(predicate)
                if place is not None and _fits(value, place[1].form):
                    found[place[0]].append(value)
            properties = []
            for place in sorted(found):
                element, values = CLASSES[cls][place], found[place]
                if len(values) > 1:
                    values.sort(key=_order)
                    if element.single:
                        del values[1:]
                properties.append((element, [v if type(v) is str else _clean(v) for v in values]))
            nodes.append((subject, cls, properties))
    nodes.sort(key=lambda node: (_NODE_ORDER[node[1]], node[0]))
    return nodes


class Selected(Triples):
    """A record's EDM triples that remember their nodes, so the writer does not find them again."""

    nodes: list


def selected(triples) -> Selected:
    """The triples of a record that EDM RDF/XML carries, as it carries them: the nodes of EDM's
    classes with the properties the schema gives each class (values in the form it allows; for a
    property it allows once, the first value), literals cleaned of what XML 1.0 cannot hold.
    Everything else a description has (PROV, ``rdfs:label``, schema.org ...) is left out."""
    if type(triples) is Selected:
        return triples
    nodes = _nodes(triples)
    view = Selected((subject, p, v) for subject, cls, rows in nodes
                    for p, v in ((_RDF_TYPE, cls), *((e.predicate, v) for e, values in rows for v in values)))
    view.nodes = nodes
    return view


def serialize(triples, root: str | None = None) -> str:
    """The record's EDM as RDF/XML (``root`` is the ProvidedCHO, first in any case)."""
    declarations = " ".join(f'xmlns:{name}="{iri}"' for name, iri in NAMESPACES.items())
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n', f"<rdf:RDF {declarations}>\n"]
    for subject, cls, rows in selected(triples).nodes:
        tag = _QNAMES[cls]
        out.append(f'  <{tag} rdf:about="{subject.translate(_ATTRIBUTE_ESCAPES)}">\n')
        for element, values in rows:
            name = _QNAMES[element.predicate]
            for value in values:
                if type(value) is str:
                    out.append(f'    <{name} rdf:resource="{value.translate(_ATTRIBUTE_ESCAPES)}"/>\n')
                    continue
                text, language, datatype = value
                attributes = (f' xml:lang="{language}"' if language else
                              f' rdf:datatype="{datatype.translate(_ATTRIBUTE_ESCAPES)}"' if datatype else "")
                out.append(f"    <{name}{attributes}>{text.translate(_TEXT_ESCAPES)}</{name}>\n")
        out.append(f"  </{tag}>\n")
    out.append("</rdf:RDF>\n")
    return "".join(out)
