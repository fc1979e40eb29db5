"""SPARQL result formats: SELECT / ASK results, and RDF for CONSTRUCT / DESCRIBE.

SELECT and ASK: ``application/sparql-results+json``, ``application/sparql-results+xml``,
``text/csv``, ``text/tab-separated-values``. CONSTRUCT and DESCRIBE: Turtle, N-Triples,
RDF/XML, JSON-LD (pyoxigraph's writers). Chosen by content negotiation
(:func:`lod.serve.conneg.negotiate`) or by the ``format`` parameter.
"""

from __future__ import annotations

import csv
import io
import json
import re
from xml.etree import ElementTree as ET

from lod import serialize
from lod.serve import conneg
from lod.vocab import FORMATS, PREFIXES, SPARQL_RESULTS_NS, XML_NS, XSD

#: Media type -> results format, for SELECT and ASK, in server preference order.
RESULT_TYPES = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
}
#: Media type -> the media type of the registry's format (lod.serialize), for CONSTRUCT/DESCRIBE:
#: every format a description is served in, by its media type or an alias, in preference order.
GRAPH_TYPES = {media: f.media_type for f in serialize.served() for media in (f.media_type, *f.media_aliases)}
#: The formats named in the service description (``sd:resultFormat``).
FORMAT_IRIS = (FORMATS.SPARQL_Results_JSON, FORMATS.SPARQL_Results_XML, FORMATS.SPARQL_Results_CSV,
               FORMATS.SPARQL_Results_TSV, *(FORMATS[f.w3c] for f in serialize.served()))
#: ``format=`` shortcuts: (results media type, RDF media type); the RDF formats' names from the registry.
FORMAT_NAMES = {
    **{name: (None, f.media_type) for f in serialize.served() for name in (f.name, *f.aliases)},
    "json": ("application/sparql-results+json", serialize.JSON_LD.media_type),
    "xml": ("application/sparql-results+xml", serialize.RDF_XML.media_type),
    "csv": ("text/csv", None),
    "tsv": ("text/tab-separated-values", None),
}
#: Text types whose Content-Type names the charset.
CHARSET_TYPES = {"text/csv", "text/tab-separated-values", "text/turtle", "text/plain",
                 "application/n-triples", "text/xml", "application/xml", "text/html"}

_XSD_STRING = str(XSD.string)
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def format_types(value: str) -> tuple[str | None, str | None] | None:
    """``(results media type, RDF media type)`` a ``format`` value asks for, or None when
    it is not one we know (a short name or a media type)."""
    value = value.split(";")[0].strip().lower()
    if value in FORMAT_NAMES:
        return FORMAT_NAMES[value]
    if value in RESULT_TYPES or value in GRAPH_TYPES:
        return (value if value in RESULT_TYPES else None, value if value in GRAPH_TYPES else None)
    return None


def choose(accept: str | None, offered) -> str | None:
    """The offered media type the ``Accept`` header prefers, or None (406)."""
    return conneg.negotiate(accept, list(offered))


def _xml_text(text: str) -> str:
    """Characters XML 1.0 cannot carry, replaced by U+FFFD (the document stays well-formed)."""
    return _XML_INVALID.sub("\ufffd", text)


def _term_json(term) -> dict:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
            direction = getattr(term, "direction", None)
            if direction is not None:
                out["its:dir"] = str(getattr(direction, "value", direction)).lower()
        elif term.datatype.value != _XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": _term_json(term.subject),
                                            "predicate": _term_json(term.predicate),
                                            "object": _term_json(term.object)}}
    return {"type": "literal", "value": str(term)}


def _term_xml(parent: ET.Element, term) -> None:
    import pyoxigraph as ox

    ns = f"{{{SPARQL_RESULTS_NS}}}"
    if isinstance(term, ox.NamedNode):
        ET.SubElement(parent, ns + "uri").text = _xml_text(term.value)
    elif isinstance(term, ox.BlankNode):
        ET.SubElement(parent, ns + "bnode").text = _xml_text(term.value)
    elif isinstance(term, ox.Literal):
        element = ET.SubElement(parent, ns + "literal")
        if term.language:
            element.set(f"{{{XML_NS}}}lang", term.language)
        elif term.datatype.value != _XSD_STRING:
            element.set("datatype", term.datatype.value)
        element.text = _xml_text(term.value)
    elif isinstance(term, ox.Triple):
        triple = ET.SubElement(parent, ns + "triple")
        for name in ("subject", "predicate", "object"):
            _term_xml(ET.SubElement(triple, ns + name), getattr(term, name))
    else:
        ET.SubElement(parent, ns + "literal").text = _xml_text(str(term))


def _term_csv(term) -> str:
    import pyoxigraph as ox

    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return term.value
    return str(term)


def serialize_solutions(fmt: str, variables: list[str], rows: list[list]) -> bytes:
    """SELECT results (``rows``: terms or None, in ``variables`` order) in one results format."""
    if fmt == "json":
        bindings = [{v: _term_json(t) for v, t in zip(variables, row) if t is not None}
                    for row in rows]
        return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}},
                          ensure_ascii=False).encode("utf-8")
    if fmt == "xml":
        ET.register_namespace("", SPARQL_RESULTS_NS)
        ns = f"{{{SPARQL_RESULTS_NS}}}"
        root = ET.Element(ns + "sparql")
        head = ET.SubElement(root, ns + "head")
        for v in variables:
            ET.SubElement(head, ns + "variable", name=v)
        results = ET.SubElement(root, ns + "results")
        for row in rows:
            result = ET.SubElement(results, ns + "result")
            for v, t in zip(variables, row):
                if t is not None:
                    _term_xml(ET.SubElement(result, ns + "binding", name=v), t)
        return ET.tostring(root, encoding="utf-8", xml_declaration=True)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(variables)
        for row in rows:
            writer.writerow(["" if t is None else _term_csv(t) for t in row])
        return buffer.getvalue().encode("utf-8")
    if fmt == "tsv":
        lines = ["\t".join(f"?{v}" for v in variables)]
        # str() of a pyoxigraph term is its N-Triples form: tabs and newlines are escaped.
        lines += ["\t".join("" if t is None else str(t) for t in row) for row in rows]
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise ValueError(fmt)


def serialize_boolean(fmt: str, value: bool) -> bytes:
    text = "true" if value else "false"
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}).encode("utf-8")
    if fmt == "xml":
        ET.register_namespace("", SPARQL_RESULTS_NS)
        ns = f"{{{SPARQL_RESULTS_NS}}}"
        root = ET.Element(ns + "sparql")
        ET.SubElement(root, ns + "head")
        ET.SubElement(root, ns + "boolean").text = text
        return ET.tostring(root, encoding="utf-8", xml_declaration=True)
    if fmt == "csv":
        return f"_askResult\r\n{text}\r\n".encode()
    if fmt == "tsv":
        return f"?_askResult\n{text}\n".encode()
    raise ValueError(fmt)


def serialize_triples(media: str, triples: list) -> bytes:
    import pyoxigraph as ox

    fmt = ox.RdfFormat.from_media_type(GRAPH_TYPES[media])
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML):
        return ox.serialize(triples, format=fmt, prefixes=dict(PREFIXES)) or b""
    return ox.serialize(triples, format=fmt) or b""
