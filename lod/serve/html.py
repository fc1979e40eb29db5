"""HTML pages for people: documents, entities and the dataset home page.

No template engine: plain functions building strings, with every value from the
data passed through :func:`html.escape` (text and attributes alike). The pages only
present what publish wrote — the triples of a description, the document's JSON-LD
file, the VoID description and the manifest — and hold no mapping logic.

Terms are pyoxigraph terms (``NamedNode`` / ``Literal``), as parsed from the export.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Callable, Iterable

from lod.iris import CONTEXT
from lod.serve.folder import CHANGES, MANIFEST, SITEMAP, void_file
from lod.vocab import DCTERMS, OWL, PROV, RDF, RDFS, SCHEMA, SKOS, VOID, WD

LABELS = (str(SCHEMA.name), str(RDFS.label), str(SKOS.prefLabel), str(DCTERMS.title))

#: Predicates linking a document to an entity, with the role shown on the page.
ROLES = {
    str(SCHEMA.author): "author",
    str(DCTERMS.creator): "author",
    str(SCHEMA.contributor): "contributor",
    str(DCTERMS.contributor): "contributor",
    str(SCHEMA.about): "subject",
    str(DCTERMS.subject): "subject",
    str(SCHEMA.mentions): "mentioned",
    str(SCHEMA.spatialCoverage): "place",
    str(DCTERMS.spatial): "place",
    str(SCHEMA.holdingArchive): "holding archive",
    str(SCHEMA.funder): "funder",
}
KIND_OF_TYPE = {
    str(SCHEMA.Person): "person",
    str(SCHEMA.Organization): "organization",
    str(SCHEMA.ArchiveOrganization): "organization",
    str(SCHEMA.Place): "place",
    str(SKOS.Concept): "concept",
}
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")

CSS = """
:root { --ink: #1d232b; --muted: #5b6572; --line: #dde2e8; --accent: #1f5fa8; --bg: #fbfbfa; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 17px/1.6 Georgia, "Iowan Old Style", "Times New Roman", serif; }
header.site, footer.site { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif;
  color: var(--muted); }
header.site { border-bottom: 1px solid var(--line); background: #fff; }
header.site div, footer.site div, main { max-width: 52rem; margin: 0 auto; padding: 0.8rem 1.2rem; }
header.site a { color: var(--ink); font-weight: 600; text-decoration: none; }
main { padding-top: 1.6rem; padding-bottom: 2.4rem; }
h1 { font-size: 1.9rem; line-height: 1.25; margin: 0 0 0.4rem; }
h2 { font: 600 0.82rem/1.4 system-ui, sans-serif; text-transform: uppercase; letter-spacing: 0.06em;
  color: var(--muted); margin: 2rem 0 0.6rem; border-bottom: 1px solid var(--line); padding-bottom: 0.3rem; }
a { color: var(--accent); }
.meta { font: 15px/1.5 system-ui, sans-serif; color: var(--muted); margin-bottom: 1.2rem; }
.summary { font-size: 1.05rem; background: #fff; border-left: 4px solid var(--accent);
  padding: 0.8rem 1rem; margin: 1rem 0; }
.body p { margin: 0 0 0.7rem; }
ul.entities { list-style: none; padding: 0; margin: 0; }
ul.entities li { padding: 0.25rem 0; }
.role, .qid, .kind { font: 13px/1.4 system-ui, sans-serif; color: var(--muted); }
.qid a { color: var(--muted); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.3rem 1.2rem; margin: 0;
  font: 15px/1.5 system-ui, sans-serif; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.formats a { display: inline-block; font: 13px/1 system-ui, sans-serif; text-decoration: none;
  border: 1px solid var(--line); border-radius: 4px; padding: 0.35rem 0.55rem; margin: 0 0.3rem 0.3rem 0;
  background: #fff; }
code, .iri { font: 13px/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
  overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; font: 14px/1.4 system-ui, sans-serif; }
th, td { text-align: left; padding: 0.35rem 0.5rem; border-bottom: 1px solid var(--line);
  vertical-align: top; }
td.num, th.num { text-align: right; }
ol.documents li { margin-bottom: 0.4rem; }
p.warning { font: 15px/1.5 system-ui, sans-serif; background: #fff6e0; border-left: 4px solid #c98a00;
  padding: 0.6rem 0.9rem; }
header.site div { display: flex; flex-wrap: wrap; gap: 0.4rem 1.2rem; align-items: center;
  justify-content: space-between; }
form.search { font: 15px/1.5 system-ui, sans-serif; display: flex; flex-wrap: wrap; gap: 0.4rem;
  align-items: center; margin: 0 0 1rem; }
header.site form.search { margin: 0; font-size: 14px; }
form.search input { font: inherit; padding: 0.35rem 0.5rem; border: 1px solid #767f8a; border-radius: 4px;
  min-width: 14rem; flex: 1; background: #fff; color: var(--ink); }
form.search button { font: inherit; padding: 0.35rem 0.8rem; border: 1px solid var(--accent);
  border-radius: 4px; background: var(--accent); color: #fff; cursor: pointer; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap; }
body.wide header.site div, body.wide footer.site div, body.wide main { max-width: 72rem; }
.browse { display: grid; grid-template-columns: minmax(0, 1fr) 16rem; gap: 0 2rem; }
@media (max-width: 52rem) { .browse { grid-template-columns: minmax(0, 1fr); } }
.found, .sort, .more, nav.pages, ul.chips { font: 15px/1.5 system-ui, sans-serif; color: var(--muted); }
ul.chips { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 0.4rem; }
ul.chips li { background: #fff; border: 1px solid var(--line); border-radius: 4px; padding: 0.15rem 0.5rem;
  color: var(--ink); }
ol.hits { padding-left: 2.4rem; }
ol.hits li { margin-bottom: 1rem; }
ol.hits time { font: 14px/1.4 system-ui, sans-serif; color: var(--muted); margin-left: 0.4rem; }
p.snippet { margin: 0.2rem 0 0; font-size: 0.95rem; }
mark { background: #ffe58a; color: inherit; padding: 0 0.1em; }
nav.facets h2 { margin-top: 1.2rem; }
ul.counts { list-style: none; padding: 0; margin: 0; font: 14px/1.45 system-ui, sans-serif; }
ul.counts li { padding: 0.15rem 0; }
ul.counts .n, ul.counts .about { color: var(--muted); font-size: 13px; }
nav.pages ul { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 0.3rem; margin: 0.4rem 0; }
nav.pages a { display: inline-block; min-width: 2rem; text-align: center; padding: 0.2rem 0.4rem;
  border: 1px solid var(--line); border-radius: 4px; background: #fff; }
nav.pages a[aria-current] { background: var(--accent); color: #fff; border-color: var(--accent); }
.timeline svg { width: 100%; height: auto; max-height: 12rem; display: block; }
.timeline rect { fill: var(--accent); }
.timeline a:hover rect, .timeline a:focus rect, .timeline a.selected rect { fill: #b3591b; }
.timeline text { font: 11px system-ui, sans-serif; fill: var(--muted); }
.timeline details { font: 14px/1.4 system-ui, sans-serif; margin: 0.3rem 0 0.8rem; }
h3 { font: 600 1rem/1.4 system-ui, sans-serif; margin: 0.9rem 0 0.4rem; }
form.sparql, ul.examples { font: 15px/1.5 system-ui, sans-serif; }
form.sparql textarea { width: 100%; font: 14px/1.45 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
  padding: 0.5rem; border: 1px solid #767f8a; border-radius: 4px; background: #fff; color: var(--ink); }
form.sparql select, form.sparql button { font: inherit; padding: 0.3rem 0.6rem; }
div.table { overflow-x: auto; }
pre.graph { overflow-x: auto; background: #fff; border: 1px solid var(--line); padding: 0.6rem; font-size: 13px; }
.glance { display: grid; grid-template-columns: repeat(auto-fit, minmax(13rem, 1fr)); gap: 0 1.6rem; }
"""


# -- a tiny read-only graph ---------------------------------------------------------------------

class Description:
    """Triples indexed by subject and predicate (values are pyoxigraph terms)."""

    def __init__(self, triples: Iterable):
        self.index: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        for triple in triples:
            subject = getattr(triple.subject, "value", None)
            if subject is None:
                continue
            values = self.index[subject][triple.predicate.value]
            if triple.object not in values:
                values.append(triple.object)

    def objects(self, subject: str, predicate: str) -> list:
        if subject not in self.index:
            return []
        return self.index[subject].get(predicate, [])

    def iris(self, subject: str, predicate: str) -> list[str]:
        return [o.value for o in self.objects(subject, predicate) if is_iri(o)]

    def literals(self, subject: str, predicate: str) -> list:
        return [o for o in self.objects(subject, predicate) if not is_iri(o)]

    def text(self, subject: str, *predicates: str, language: str = "en"):
        """The first literal of the first predicate that has one, preferring ``language``."""
        for predicate in predicates:
            values = self.literals(subject, predicate)
            if values:
                preferred = [v for v in values if (v.language or "").lower().startswith(language)]
                return (preferred or values)[0]
        return None

    def label(self, iri: str) -> str:
        value = self.text(iri, *LABELS)
        return value.value if value is not None else iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    def types(self, iri: str) -> list[str]:
        return self.iris(iri, str(RDF.type))

    def kind(self, iri: str) -> str | None:
        for rdf_type in self.types(iri):
            if rdf_type in KIND_OF_TYPE:
                return KIND_OF_TYPE[rdf_type]
        return None


def is_iri(term) -> bool:
    return type(term).__name__ == "NamedNode"


def esc(value) -> str:
    return html.escape(str(value), quote=True)


def lang_attr(literal) -> str:
    language = getattr(literal, "language", None)
    return f' lang="{esc(language)}"' if language else ""


def format_date(literal) -> str:
    """``1956-10-15`` -> ``15 October 1956``; ``1958-11`` -> ``November 1958``; else as written."""
    return format_iso_date(literal.value)


def format_iso_date(value: str) -> str:
    match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value)
    if not match:
        return value
    year, month, day = match.groups()
    if month and 1 <= int(month) <= 12:
        name = MONTHS[int(month) - 1]
        return f"{int(day)} {name} {year}" if day else f"{name} {year}"
    return year


def wikidata_links(graph: Description, iri: str) -> list[str]:
    """QIDs the entity is the same as (owl:sameAs / schema:sameAs to Wikidata)."""
    qids = []
    for predicate in (str(OWL.sameAs), str(SCHEMA.sameAs)):
        for target in graph.iris(iri, predicate):
            if target.startswith(str(WD)):
                qid = target[len(str(WD)):]
                if re.fullmatch(r"Q[1-9][0-9]*", qid) and qid not in qids:
                    qids.append(qid)
    return qids


def wikidata_html(qids: list[str]) -> str:
    return "".join(
        f' <span class="qid">(<a href="https://www.wikidata.org/wiki/{esc(q)}" rel="external" '
        f'title="Wikidata item {esc(q)}">Wikidata {esc(q)}</a>)</span>' for q in qids)


def paragraphs(literal) -> str:
    lines = [line.strip() for line in literal.value.splitlines() if line.strip()]
    return "".join(f"<p>{esc(line)}</p>" for line in lines)


def json_for_script(text: str) -> str:
    """JSON text safe inside ``<script>``: ``<``, ``>``, ``&`` only occur in JSON strings,
    where ``\\u003c`` etc. mean the same, so ``</script>`` and ``<!--`` cannot end the block."""
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


# -- page frame ---------------------------------------------------------------------------------

def page(title: str, body: str, *, home: str, head: str = "", language: str = "en", wide: bool = False) -> str:
    """A whole page: the site's header (with a search form) and footer around ``body``.
    ``wide``: room for a list beside its facets."""
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{esc(language)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n{head}</head>\n"
        + ('<body class="wide">\n' if wide else "<body>\n") +
        f'<header class="site"><div><span><a href="{esc(home)}">Linked open data</a>'
        " · archive of historical documents</span>"
        f'<form class="search" role="search" aria-label="Site" method="get" action="{esc(home)}search">'
        '<label class="visually-hidden" for="site-search">Search the documents</label>'
        '<input type="search" id="site-search" name="q" maxlength="500">'
        '<button type="submit">Search</button></form></div></header>\n'
        f"<main>\n{body}\n</main>\n"
        f'<footer class="site"><div>Data as Turtle, JSON-LD, N-Triples and RDF/XML by content '
        f'negotiation · <a href="{esc(home)}">dataset and services</a> · '
        f'<a href="{esc(home)}sparql">SPARQL</a></div></footer>\n'
        "</body>\n</html>\n"
    )


def alternate_links(formats: list[tuple[str, str, str]]) -> str:
    """``<link rel="alternate">`` for each (label, href, media type)."""
    return "".join(f'<link rel="alternate" type="{esc(t)}" href="{esc(h)}" title="{esc(lbl)}">\n'
                   for lbl, h, t in formats)


def formats_block(formats: list[tuple[str, str, str]], iris: list[tuple[str, str]]) -> str:
    buttons = "".join(f'<a href="{esc(h)}" type="{esc(t)}">{esc(lbl)}</a>' for lbl, h, t in formats)
    facts = "".join(f'<dt>{esc(name)}</dt><dd><a class="iri" href="{esc(href)}">{esc(shown)}</a></dd>'
                    for name, shown, href in iris)
    return (f'<h2>Data</h2><p class="formats">{buttons}</p>'
            + (f'<dl class="facts">{facts}</dl>' if facts else ""))


# -- document page ------------------------------------------------------------------------------

def document_page(graph: Description, document: str, *, jsonld: str | None,
                  local: Callable[[str], str], home: str,
                  formats: list[tuple[str, str, str]], description_iri: str) -> str:
    """The page of one document. ``local`` maps an IRI of the dataset to its link here."""
    title = graph.text(document, str(SCHEMA.name), str(DCTERMS.title))
    title_text = title.value if title is not None else document
    parts = [f'<article class="document" itemscope>'
             f'<h1{lang_attr(title)}>{esc(title_text)}</h1>']

    meta = []
    date = graph.text(document, str(DCTERMS.date), str(SCHEMA.dateCreated))
    if date is not None:
        meta.append(f'<time datetime="{esc(date.value)}">{esc(format_date(date))}</time>')
    for identifier in graph.literals(document, str(DCTERMS.identifier))[:3]:
        meta.append(f"No. {esc(identifier.value)}")
    for language in graph.literals(document, str(SCHEMA.inLanguage)):
        meta.append(f"original language: <span>{esc(language.value)}</span>")
    if meta:
        parts.append(f'<p class="meta">{" · ".join(meta)}</p>')

    description = graph.text(document, str(SCHEMA.description), str(DCTERMS.description))
    if description is not None:
        parts.append(f'<p class="description"{lang_attr(description)}>{esc(description.value)}</p>')
    summary = graph.text(document, str(DCTERMS.abstract), str(SCHEMA.abstract))
    if summary is not None:
        parts.append(f'<h2>Summary</h2><div class="summary"{lang_attr(summary)}>{esc(summary.value)}</div>')

    # Entities the document points to, grouped by kind, with their roles.
    roles: dict[str, list[str]] = defaultdict(list)
    for predicate, role in ROLES.items():
        for target in graph.iris(document, predicate):
            if role not in roles[target]:
                roles[target].append(role)
    groups: dict[str, list[str]] = defaultdict(list)
    for target in roles:
        groups[graph.kind(target) or "other"].append(target)
    for kind, heading in (("person", "People"), ("organization", "Organizations"),
                          ("place", "Places"), ("concept", "Subjects"), ("other", "Related")):
        members = sorted(groups.get(kind, []), key=lambda iri: graph.label(iri).casefold())
        if not members:
            continue
        items = []
        for iri in members:
            label = graph.text(iri, *LABELS)
            shown = label.value if label is not None else graph.label(iri)
            role_text = ", ".join(r for r in roles[iri] if r not in ("place", "subject")
                                  or kind not in ("place", "concept"))
            items.append(
                f'<li class="{esc(kind)}"><a href="{esc(local(iri))}" data-iri="{esc(iri)}"'
                f'{lang_attr(label)}>{esc(shown)}</a>'
                + (f' <span class="role">{esc(role_text)}</span>' if role_text else "")
                + wikidata_html(wikidata_links(graph, iri)) + "</li>")
        parts.append(f'<h2>{esc(heading)}</h2><ul class="entities {esc(kind)}">{"".join(items)}</ul>')

    body = graph.text(document, str(SCHEMA.text))
    if body is not None:
        parts.append(f'<h2>Text</h2><div class="body"{lang_attr(body)}>{paragraphs(body)}</div>')

    facts = []
    for value in graph.literals(document, str(SCHEMA.conditionsOfAccess)):
        facts.append(("Conditions of access", esc(value.value)))
    for predicate, name in ((str(DCTERMS.source), "Source"), (str(DCTERMS.bibliographicCitation), "Citation")):
        for value in graph.literals(document, predicate):
            facts.append((name, esc(value.value)))
    for url in graph.iris(document, str(SCHEMA.url)):
        facts.append(("At the archive", f'<a href="{esc(url)}" rel="external">{esc(url)}</a>'))
    for value in graph.objects(document, str(PROV.wasDerivedFrom)):
        shown = esc(value.value)
        facts.append(("Derived from", f'<a href="{shown}">{shown}</a>' if is_iri(value) else shown))
    for value in graph.literals(document, str(PROV.generatedAtTime)):
        facts.append(("Generated", esc(value.value)))
    if facts:
        rows = "".join(f"<dt>{esc(n)}</dt><dd>{v}</dd>" for n, v in facts)
        parts.append(f'<h2>Document information</h2><dl class="facts">{rows}</dl>')

    rights = []
    notice = graph.text(document, str(SCHEMA.copyrightNotice))
    if notice is not None:
        rights.append(f'<div class="notice"{lang_attr(notice)}>{paragraphs(notice)}</div>')
    statements = graph.iris(document, str(DCTERMS.rights)) + graph.iris(document, str(SCHEMA.license))
    for statement in dict.fromkeys(statements):
        rights.append(f'<p>Rights statement: <a rel="license" href="{esc(statement)}">'
                      f"{esc(statement)}</a></p>")
    credit = graph.text(document, str(SCHEMA.creditText))
    if credit is not None:
        rights.append(f'<p class="credit"{lang_attr(credit)}>{esc(credit.value)}</p>')
    if rights:
        parts.append(f'<h2>Rights</h2><div class="rights">{"".join(rights)}</div>')

    parts.append(formats_block(formats, [
        ("Document IRI", document, local(document)),
        ("Description", description_iri, local(description_iri)),
    ]))
    parts.append("</article>")

    head = alternate_links(formats)
    if jsonld is not None:
        head += f'<script type="application/ld+json">{json_for_script(jsonld)}</script>\n'
    return page(title_text, "\n".join(parts), home=home, head=head)


# -- entity page --------------------------------------------------------------------------------

def entity_page(graph: Description, iri: str, *, documents: list[tuple[str, str, str | None]],
                local: Callable[[str], str], home: str,
                formats: list[tuple[str, str, str]], description_iri: str,
                overview: str = "", jsonld: str | None = None) -> str:
    """The page of a person, organization, place or concept, with the documents naming it.

    ``documents`` holds (link, title, date) tuples; ``overview``, when the export has a
    search index, shows them instead (over time, with the names they hold most, a page of
    them); ``jsonld``: the description as JSON-LD, embedded for structured-data readers.
    """
    label = graph.text(iri, *LABELS)
    name = label.value if label is not None else graph.label(iri)
    kind = graph.kind(iri) or next((t.rsplit("/", 1)[-1].rsplit("#", 1)[-1] for t in graph.types(iri)),
                                   "resource")
    parts = [f'<h1{lang_attr(label)}>{esc(name)}</h1>',
             f'<p class="meta"><span class="kind">{esc(kind)}</span>'
             f"{wikidata_html(wikidata_links(graph, iri))}</p>"]
    others = [v.value for p in (str(RDFS.label), str(SCHEMA.alternateName), str(SKOS.altLabel))
              for v in graph.literals(iri, p) if v.value != name]
    if others:
        parts.append(f'<p>Also: {esc("; ".join(dict.fromkeys(others)))}</p>')
    for predicate, heading in ((str(SKOS.broader), "Broader"), (str(SKOS.narrower), "Narrower")):
        targets = graph.iris(iri, predicate)
        if targets:
            items = "".join(f'<li><a href="{esc(local(t))}">{esc(graph.label(t))}</a></li>' for t in targets)
            parts.append(f'<h2>{esc(heading)}</h2><ul class="entities">{items}</ul>')
    same = [t for p in (str(OWL.sameAs), str(SCHEMA.sameAs)) for t in graph.iris(iri, p)]
    if same:
        items = "".join(f'<li><a href="{esc(t)}" rel="external">{esc(t)}</a></li>' for t in dict.fromkeys(same))
        parts.append(f'<h2>Same as</h2><ul class="entities">{items}</ul>')
    if overview:
        parts.append(overview)
    elif documents:
        items = "".join(
            f'<li><a href="{esc(link)}">{esc(title)}</a>'
            + (f' <span class="role">{esc(date)}</span>' if date else "") + "</li>"
            for link, title, date in documents)
        parts.append(f'<h2>Documents ({len(documents)})</h2><ol class="documents">{items}</ol>')
    parts.append(formats_block(formats, [("IRI", iri, local(iri)),
                                         ("Description", description_iri, local(description_iri))]))
    head = alternate_links(formats)
    if jsonld is not None:
        head += f'<script type="application/ld+json">{json_for_script(jsonld)}</script>\n'
    return page(name, "\n".join(parts), home=home, head=head)


# -- home page ----------------------------------------------------------------------------------

def home_page(void: Description | None, dataset: str, *, manifest: dict,
              documents: list[tuple[str, str, str | None]], total_documents: int,
              local: Callable[[str], str], home: str, elsewhere: tuple[str, str] | None = None,
              oai: bool = True, overview: str = "", jsonld: str | None = None) -> str:
    """The dataset's home page: its description from VoID, the collection at a glance, the
    dumps and the services.

    ``elsewhere``: (the address the page is read at, the export's base) when they differ
    (the page then says that the data's IRIs lead to the base, not here); ``oai``:
    whether OAI-PMH is served; ``overview``: the search form, the timeline and the most
    frequent names (from the search index); ``jsonld``: the dataset description as
    JSON-LD, embedded for structured-data readers.
    """
    void = void or Description([])
    title = void.text(dataset, str(DCTERMS.title), str(SCHEMA.name))
    title_text = title.value if title is not None else "Linked open data"
    parts = [f'<h1{lang_attr(title)}>{esc(title_text)}</h1>']
    if elsewhere:
        here, base = elsewhere
        parts.append(
            f'<p class="warning" role="note">This export is served at <code>{esc(here)}</code>, '
            f'but its IRIs name <code>{esc(base)}</code>: links in the data lead there, and a client '
            f'that fetches an IRI from here gets descriptions of <code>{esc(base)}</code> IRIs. '
            'To publish under this address, export again with <code>lod export --base '
            f'{esc(here)}</code>.</p>')
    description = void.text(dataset, str(DCTERMS.description), str(SCHEMA.description))
    if description is not None:
        parts.append(f'<p class="summary"{lang_attr(description)}>{esc(description.value)}</p>')

    facts = []
    for predicate, name in ((str(VOID.triples), "Triples"), (str(VOID.entities), "Entities"),
                            (str(VOID.distinctSubjects), "Distinct subjects")):
        value = void.text(dataset, predicate)
        if value is not None:
            shown = f"{int(value.value):,}" if value.value.isdigit() else value.value
            facts.append((name, f'<span class="{esc(predicate.rsplit("#", 1)[-1])}">{esc(shown)}</span>'))
    facts.append(("Documents", f"{total_documents:,}"))
    for license_iri in dict.fromkeys(void.iris(dataset, str(DCTERMS.license)) + void.iris(dataset, str(SCHEMA.license))):
        facts.append(("License", f'<a rel="license" href="{esc(license_iri)}">{esc(license_iri)}</a>'))
    for publisher in void.objects(dataset, str(DCTERMS.publisher)):
        if is_iri(publisher):
            facts.append(("Publisher", f'<a href="{esc(publisher.value)}">{esc(void.label(publisher.value))}</a>'))
        else:
            facts.append(("Publisher", esc(publisher.value)))
    modified = void.text(dataset, str(DCTERMS.modified))
    if modified is not None:
        facts.append(("Modified", esc(modified.value)))
    facts.append(("Dataset IRI", f'<a class="iri" href="{esc(local(dataset))}">{esc(dataset)}</a>'))
    rows = "".join(f"<dt>{esc(n)}</dt><dd>{v}</dd>" for n, v in facts)
    parts.append(f'<dl class="facts">{rows}</dl>')
    if overview:
        parts.append(overview)

    files = [f for f in manifest.get("files") or [] if isinstance(f, dict) and isinstance(f.get("path"), str)]
    if files:
        rows = []
        for entry in files:
            size = entry.get("bytes")
            triples = entry.get("triples")
            rows.append(
                f'<tr><td><a href="{esc(home + entry["path"])}">{esc(entry["path"])}</a></td>'
                f'<td>{esc(entry.get("media_type", ""))}</td>'
                f'<td class="num">{esc(f"{size:,}" if isinstance(size, int) else "")}</td>'
                f'<td class="num">{esc(f"{triples:,}" if isinstance(triples, int) else "")}</td>'
                f'<td><code title="SHA-256">{esc(str(entry.get("sha256", ""))[:16])}</code></td></tr>')
        parts.append('<h2>Downloads</h2><table class="dumps"><thead><tr><th>File</th><th>Type</th>'
                     '<th class="num">Bytes</th><th class="num">Triples</th><th>SHA-256</th></tr></thead>'
                     f'<tbody>{"".join(rows)}</tbody></table>'
                     f'<p><a href="{esc(home)}{MANIFEST}">{MANIFEST}</a> lists every file with its checksum.</p>')

    services = [
        ("Dataset description (VoID, DCAT, schema.org)", "void", "Turtle; also JSON-LD by content negotiation"),
        ("VoID as JSON-LD", void_file("jsonld"), ""),
        ("Change feed (Activity Streams 2.0)", f"{CHANGES}/", "incremental harvesting"),
        ("Sitemap", SITEMAP, ""),
        ("SPARQL endpoint", "sparql", "SPARQL 1.1 Protocol"),
        *([("OAI-PMH", "oai?verb=Identify", "oai_dc and RDF records")] if oai else []),
        ("JSON-LD context", CONTEXT, ""),
    ]
    items = "".join(f'<li><a href="{esc(home + path)}">{esc(name)}</a>'
                    + (f' <span class="role">{esc(note)}</span>' if note else "") + "</li>"
                    for name, path, note in services)
    parts.append(f'<h2>Services</h2><ul class="entities services">{items}</ul>')

    if documents:
        items = "".join(f'<li><a href="{esc(link)}">{esc(title)}</a>'
                        + (f' <span class="role">{esc(date)}</span>' if date else "") + "</li>"
                        for link, title, date in documents)
        if overview:
            more = f'<p><a href="{esc(home)}search">All {total_documents:,} documents</a></p>'
        else:
            more = (f'<p>… and {total_documents - len(documents):,} more: see the '
                    f'<a href="{esc(home)}{SITEMAP}">sitemap</a> or the dumps.</p>'
                    if total_documents > len(documents) else "")
        heading = "Recently changed" if overview else "Documents"
        parts.append(f'<h2>{heading}</h2><ol class="documents">{items}</ol>{more}')

    head = (f'<link rel="alternate" type="text/turtle" href="{esc(home)}{void_file("ttl")}">\n'
            f'<link rel="alternate" type="application/ld+json" href="{esc(home)}{void_file("jsonld")}">\n')
    if jsonld is not None:
        head += f'<script type="application/ld+json">{json_for_script(jsonld)}</script>\n'
    return page(title_text, "\n".join(parts), home=home, head=head)
