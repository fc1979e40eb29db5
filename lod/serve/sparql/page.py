"""The SPARQL endpoint's page for browsers: the query form, example queries, results as a table.

A browser (``Accept`` preferring ``text/html`` over every results format, or ``format=html``)
gets its query's SELECT results as an HTML table, an ASK answer as a sentence, and a
CONSTRUCT or DESCRIBE graph as Turtle text, under the form with the query in it; every
other client gets the machine formats by content negotiation as before. Each example is
a link that runs its query. IRIs of this dataset link to their pages here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import urlencode

from lod.serve.html import esc, page
from lod.vocab import PREFIXES

#: Rows shown in the table (all of them are in the downloads).
SHOWN_ROWS = 1_000
_FORMATS = (("", "HTML table (browsers) or by Accept header"), ("json", "JSON"), ("xml", "XML"), ("csv", "CSV"),
            ("tsv", "TSV"), ("turtle", "Turtle"), ("ntriples", "N-Triples"), ("rdfxml", "RDF/XML"),
            ("jsonld", "JSON-LD"))
_DOWNLOADS = (("json", "JSON"), ("xml", "XML"), ("csv", "CSV"), ("tsv", "TSV"))
_GRAPH_DOWNLOADS = (("turtle", "Turtle"), ("ntriples", "N-Triples"), ("rdfxml", "RDF/XML"), ("jsonld", "JSON-LD"))


def _prefixes(*names: str) -> str:
    return "".join(f"PREFIX {name}: <{PREFIXES[name]}>\n" for name in names)


#: (title, query): one click away on the page.
EXAMPLES = (
    ("Documents with their dates", _prefixes("schema", "dcterms") + """
SELECT ?document ?title ?date WHERE {
  ?document a schema:ArchiveComponent ;
            dcterms:title ?title .
  OPTIONAL { ?document dcterms:date ?date }
}
ORDER BY ?date
LIMIT 20
"""),
    ("People named in the most documents", _prefixes("schema") + """
SELECT ?person ?name (COUNT(DISTINCT ?document) AS ?documents) WHERE {
  ?document a schema:ArchiveComponent ; ?role ?person .
  ?person a schema:Person ; schema:name ?name .
}
GROUP BY ?person ?name
ORDER BY DESC(?documents) ?name
LIMIT 20
"""),
    ("People linked to Wikidata", _prefixes("schema", "owl") + """
SELECT ?person ?name ?wikidata WHERE {
  ?person a schema:Person ; schema:name ?name ; owl:sameAs ?wikidata .
}
ORDER BY ?name
LIMIT 50
"""),
    ("Documents per year", _prefixes("schema") + """
SELECT ?year (COUNT(?document) AS ?documents) WHERE {
  ?document a schema:ArchiveComponent ; schema:dateCreated ?date .
  BIND (SUBSTR(STR(?date), 1, 4) AS ?year)
}
GROUP BY ?year
ORDER BY ?year
"""),
    ("Subjects and their documents", _prefixes("dcterms", "skos") + """
SELECT ?subject ?label (COUNT(?document) AS ?documents) WHERE {
  ?document dcterms:subject ?subject .
  ?subject skos:prefLabel ?label .
}
GROUP BY ?subject ?label
ORDER BY DESC(?documents) ?label
LIMIT 20
"""),
    ("Places and the documents about them, as a graph", _prefixes("schema") + """
CONSTRUCT { ?place schema:subjectOf ?document ; schema:name ?name . } WHERE {
  ?document schema:spatialCoverage ?place .
  ?place schema:name ?name .
}
LIMIT 40
"""),
)


def _term(binding: dict, local: Callable[[str], str]) -> str:
    kind, value = binding.get("type"), str(binding.get("value", ""))
    if kind == "uri":
        return f'<a class="iri" href="{esc(local(value))}">{esc(value)}</a>'
    if kind == "bnode":
        return f"<code>_:{esc(value)}</code>"
    if kind == "triple":
        parts = binding.get("value") or {}
        return "&lt;&lt; " + " ".join(_term(parts.get(p) or {}, local)
                                      for p in ("subject", "predicate", "object")) + " &gt;&gt;"
    language = binding.get("xml:lang")
    shown = f'<span lang="{esc(language)}">{esc(value)}</span>' if language else esc(value)
    datatype = binding.get("datatype")
    if datatype:
        shown += f' <span class="role">{esc(datatype.rsplit("#", 1)[-1].rsplit("/", 1)[-1])}</span>'
    return shown


def results_html(media: str, body: bytes, local: Callable[[str], str]) -> str:
    """The result of a query as HTML: SELECT as a table, ASK as a sentence, a graph as Turtle."""
    if media != "application/sparql-results+json":
        return f'<pre class="graph"><code>{esc(body.decode("utf-8", "replace"))}</code></pre>'
    answer = json.loads(body)
    if "boolean" in answer:
        return f'<p class="found">The answer is <strong>{"yes" if answer["boolean"] else "no"}</strong>.</p>'
    variables = answer["head"]["vars"]
    bindings = answer["results"]["bindings"]
    header = "".join(f'<th scope="col">?{esc(v)}</th>' for v in variables)
    rows = "".join("<tr>" + "".join(f"<td>{_term(row[v], local) if v in row else ''}</td>" for v in variables)
                   + "</tr>" for row in bindings[:SHOWN_ROWS])
    cut = (f"; the first {SHOWN_ROWS:,} are shown (download them all below)" if len(bindings) > SHOWN_ROWS else "")
    return (f'<p class="found" role="status">{len(bindings):,} result{"s" if len(bindings) != 1 else ""}{cut}</p>'
            f'<div class="table"><table class="results"><thead><tr>{header}</tr></thead>'
            f"<tbody>{rows}</tbody></table></div>")


def sparql_page(*, action: str, home: str, description: str, query: str | None = None,
                result: str = "", graph: bool = False, truncated: int | None = None) -> str:
    """The form (with ``query``, or the first example), the examples, and ``result`` (HTML)."""
    text = query if query is not None else EXAMPLES[0][1]
    options = "".join(f'<option value="{esc(v)}">{esc(label)}</option>' for v, label in _FORMATS)
    examples = "".join(f'<li><a href="{esc(action)}?{esc(urlencode([("query", q)]))}">{esc(title)}</a></li>'
                       for title, q in EXAMPLES)
    parts = ["<h1>SPARQL query</h1>",
             f"<p>A read-only SPARQL 1.1 endpoint. {esc(description)} Queries stop after a timeout and return "
             "at most a limited number of results (header <code>X-Result-Truncated</code>). Programs get JSON, "
             "XML, CSV or TSV results and Turtle, N-Triples, RDF/XML or JSON-LD graphs by content negotiation; "
             "browsers get a table.</p>",
             f'<form method="get" action="{esc(action)}" class="sparql">'
             '<p><label for="sparql-query">Query</label><br>'
             f'<textarea id="sparql-query" name="query" rows="14" spellcheck="false">{esc(text)}</textarea></p>'
             f'<p><label>Results format <select name="format">{options}</select></label> '
             '<button type="submit">Run query</button></p></form>',
             f'<h2>Examples</h2><ul class="examples">{examples}</ul>']
    if query is not None:
        parts.append("<h2>Results</h2>")
        if truncated:
            parts.append(f'<p class="warning" role="note">Only the first {truncated:,} results: the endpoint '
                         "returns no more for one query.</p>")
        parts.append(result)
        downloads = _GRAPH_DOWNLOADS if graph else _DOWNLOADS
        links = " · ".join(f'<a href="{esc(action)}?{esc(urlencode([("query", query), ("format", name)]))}">'
                           f"{esc(label)}</a>" for name, label in downloads)
        parts.append(f'<p class="found">Download: {links}</p>')
    return page("SPARQL query", "\n".join(parts), home=home, wide=True)
