"""schema.org terms used within their definitions, checked against a schema.org release.

The release (``schemaorg-all-http.ttl``, ``http://schema.org/`` IRIs) says for each
property which types it is for (``schema:domainIncludes``) and which values it takes
(``schema:rangeIncludes``), and for each type its supertypes (``rdfs:subClassOf``).
:meth:`SchemaOrg.problems` reads a graph and names, one line each:

* a ``schema:`` property or type the release does not define (or an ``https://schema.org/`` IRI);
* a triple whose subject has none of the property's domain types (nor a subtype of
  one); a subject with no schema.org type fits only properties of ``schema:Thing``;
* a triple whose object fits none of the property's range types: an IRI must have one of
  them as a type (or the range includes ``schema:URL``), a literal must be of a data type
  the range includes (a string is ``Text``, ``xsd:date`` a ``Date`` ...);
* a node whose schema.org types are all pending terms (``schema:isPartOf
  <http://pending.schema.org>``): consumers that read only the core see no type.

Not part of lod: the release is not shipped with it (``../shared/aggregators/schema.org``).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

SCHEMA = "http://schema.org/"
HTTPS_SCHEMA = "https://schema.org/"
PENDING = URIRef("http://pending.schema.org")
THING, TEXT, URL = (URIRef(SCHEMA + name) for name in ("Thing", "Text", "URL"))

#: The schema.org data type each literal datatype is (a plain or tagged string is Text).
LITERAL_TYPES = {
    XSD.string: "Text", RDF.langString: "Text",
    XSD.date: "Date", XSD.gYear: "Date", XSD.gYearMonth: "Date",
    XSD.dateTime: "DateTime", XSD.time: "Time", XSD.boolean: "Boolean",
    XSD.integer: "Integer", XSD.nonNegativeInteger: "Integer", XSD.decimal: "Number",
    XSD.double: "Float", XSD.float: "Float",
}


class SchemaOrg:
    """One schema.org release, read once."""

    def __init__(self, path: Path):
        vocabulary = Graph().parse(path, format="turtle")
        schema = lambda name: URIRef(SCHEMA + name)  # noqa: E731
        self.classes = {c for c in vocabulary.subjects(RDF.type, RDFS.Class) if str(c).startswith(SCHEMA)}
        self.classes |= {c for c in vocabulary.subjects(RDF.type, schema("DataType"))}
        self.properties = {p for p in vocabulary.subjects(RDF.type, RDF.Property) if str(p).startswith(SCHEMA)}
        self.domains = defaultdict(set)
        self.ranges = defaultdict(set)
        for p, c in vocabulary.subject_objects(schema("domainIncludes")):
            self.domains[p].add(c)
        for p, c in vocabulary.subject_objects(schema("rangeIncludes")):
            self.ranges[p].add(c)
        self.pending = set(vocabulary.subjects(schema("isPartOf"), PENDING))
        parents = defaultdict(set)
        for c, parent in vocabulary.subject_objects(RDFS.subClassOf):
            parents[c].add(parent)
        self._parents = parents
        self._ancestors: dict[URIRef, frozenset] = {}

    def ancestors(self, cls: URIRef) -> frozenset:
        """``cls`` and every type it is a subtype of."""
        if cls not in self._ancestors:
            seen, todo = {cls}, [cls]
            while todo:
                for parent in self._parents.get(todo.pop(), ()):
                    if parent not in seen:
                        seen.add(parent)
                        todo.append(parent)
            self._ancestors[cls] = frozenset(seen)
        return self._ancestors[cls]

    def problems(self, graph: Graph) -> list[str]:
        """Every misuse of a schema.org term in ``graph``, one line each, sorted."""
        types: dict = defaultdict(set)
        for node, cls in graph.subject_objects(RDF.type):
            if str(cls).startswith(SCHEMA):
                types[node].add(cls)
        out = set()
        for node, classes in types.items():
            for cls in classes - self.classes:
                out.add(f"{node.n3()} rdf:type {cls.n3()}: no such schema.org type")
            if classes and classes <= self.pending:
                out.add(f"{node.n3()}: only pending schema.org types ({', '.join(sorted(map(str, classes)))})")
        for s, p, o in graph:
            for term in (s, p, o):
                if isinstance(term, URIRef) and str(term).startswith(HTTPS_SCHEMA):
                    out.add(f"{term.n3()}: schema.org as https://; lod writes http://schema.org/")
            if not str(p).startswith(SCHEMA):
                continue
            if p not in self.properties:
                out.add(f"{p.n3()}: no such schema.org property")
                continue
            if not self._in_domain(p, types.get(s, ())):
                shown = ", ".join(sorted(map(str, types.get(s, ())))) or "no schema.org type"
                out.add(f"{s.n3()} {p.n3()}: the subject ({shown}) is outside the domain "
                        f"({', '.join(sorted(map(str, self.domains[p])))})")
            if not self._in_range(p, o, types.get(o, ())):
                out.add(f"{s.n3()} {p.n3()} {o.n3()[:80]}: the value is outside the range "
                        f"({', '.join(sorted(map(str, self.ranges[p])))})")
        return sorted(out)

    def _in_domain(self, prop: URIRef, classes) -> bool:
        domain = self.domains[prop]
        return THING in domain or any(self.ancestors(c) & domain for c in classes)

    def _in_range(self, prop: URIRef, value, classes) -> bool:
        expected = self.ranges[prop]
        if isinstance(value, Literal):
            datatype = value.datatype or (RDF.langString if value.language else XSD.string)
            kind = LITERAL_TYPES.get(datatype)
            return kind is not None and bool(self.ancestors(URIRef(SCHEMA + kind)) & expected)
        if URL in expected:
            return True  # any IRI is a URL
        return THING in expected and bool(classes) or any(self.ancestors(c) & expected for c in classes)
