"""Result lists for people: search, browse with facets, the timeline, and their JSON.

Built from :class:`lod.serve.search.Results` with the helpers of :mod:`lod.serve.html`
(every value escaped). Every state of a list is a URL (:meth:`lod.serve.search.Query.params`):
each facet value, bar of the timeline, order and page is a link, so the pages work
without JavaScript and each state can be shared. The timeline is inline SVG drawn here,
each bar a link to that year, with the same figures as a table for screen readers.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from lod.iris import DOCUMENT, description_path, iris, thing_path
from lod.publish.search import ENTITY_FACETS, FACETS, LANGUAGE, MARKS
from lod.serve.html import esc, format_iso_date, page
from lod.serve.search import PAGE_SIZE, Count, Hit, Query, Results
from lod.vocab import WD

#: Facet -> (heading, singular, plural)
FACET_NAMES = {
    "person": ("People", "person", "people"),
    "organization": ("Organizations", "organization", "organizations"),
    "place": ("Places", "place", "places"),
    "subject": ("Subjects", "subject", "subjects"),
    LANGUAGE: ("Original languages", "original language", "original languages"),
}
LINK_NAMES = {"linked": "names linked to Wikidata", "unlinked": "no name linked to Wikidata"}
SORT_NAMES = {"relevance": "relevance", "oldest": "oldest first", "newest": "newest first"}
#: The timeline's drawing: bar width and gap, plot height (SVG user units).
BAR, GAP, PLOT = 8, 2, 120


def search_path(home: str, query: Query, facet: str | None = None) -> str:
    """The URL of a state of the result list (or of the full list of one facet's values)."""
    path = f"{home}search" + (f"/{facet}" if facet else "")
    params = query.params()
    return path + ("?" + urlencode(params) if params else "")


def marked(text: str) -> str:
    """Escaped text with FTS5's highlight marks as ``<mark>``."""
    return esc(text).replace(MARKS[0], "<mark>").replace(MARKS[1], "</mark>")


def describe_query(query: Query, labels: Callable[[str, str], str]) -> list[tuple[str, str, str, str | None]]:
    """What narrows a list, as (facet, value, words, value to remove by) for each."""
    parts: list[tuple[str, str, str, str | None]] = []
    if query.text:
        parts.append(("q", query.text, f"words: “{query.text}”", None))
    for facet, value in query.filters:
        parts.append((facet, value, f"{FACET_NAMES[facet][1]}: {labels(facet, value)}", value))
    if query.year is not None:
        parts.append(("year", str(query.year), f"year: {query.year}", None))
    if query.decade is not None:
        parts.append(("decade", str(query.decade), f"decade: {query.decade}s", None))
    if query.links:
        parts.append(("links", query.links, LINK_NAMES[query.links], None))
    return parts


# -- pieces ------------------------------------------------------------------------------------------

def search_form(home: str, query: Query, label: str = "Search the documents", field_id: str = "q") -> str:
    """A GET form for words, keeping the list's other filters."""
    kept = "".join(f'<input type="hidden" name="{esc(name)}" value="{esc(value)}">'
                   for name, value in query.but(text="").params() if name not in ("sort", "page"))
    return (f'<form class="search" role="search" aria-label="{esc(label)}" method="get" action="{esc(home)}search">'
            f'<label for="{esc(field_id)}">{esc(label)}</label> '
            f'<input type="search" id="{esc(field_id)}" name="q" value="{esc(query.text)}" '
            f'maxlength="500" placeholder="names, places, words or &quot;a phrase&quot;">{kept} '
            '<button type="submit">Search</button></form>')


def timeline(years: list[tuple[int, int]], span: tuple[int, int] | None, query: Query, home: str,
             heading_id: str = "timeline", undated: int = 0, heading: str = "Documents by year") -> str:
    """Documents by year: an SVG bar chart over ``span`` (first, last year), each bar a link to
    the list narrowed to its year, then the same figures in a table."""
    if not years or span is None:
        return ""
    counts = dict(years)
    first, last = min(span[0], years[0][0]), max(span[1], years[-1][0])
    tallest = max(counts.values())
    width = (last - first + 1) * (BAR + GAP)
    bars, ticks = [], []
    for year in range(first, last + 1):
        x = (year - first) * (BAR + GAP)
        count = counts.get(year, 0)
        if count:
            height = max(2, round(PLOT * count / tallest))
            words = f"{year}: {count:,} document{'s' if count != 1 else ''}"
            selected = ' class="selected"' if query.year == year else ""
            bars.append(f'<a href="{esc(search_path(home, query.adding("year", str(year))))}" '
                        f'aria-label="{esc(words)}"{selected}>'
                        f'<rect x="{x}" y="{PLOT - height}" width="{BAR}" height="{height}" '
                        f'data-year="{year}" data-count="{count}"><title>{esc(words)}</title></rect></a>')
        if year % 10 == 0 or year == first:
            ticks.append(f'<text x="{x}" y="{PLOT + 14}">{year}</text>')
    rows = "".join(f'<tr><th scope="row">{year}</th><td class="num">{count:,}</td></tr>' for year, count in years)
    if undated:
        rows += f'<tr><th scope="row">undated</th><td class="num">{undated:,}</td></tr>'
    return (f'<section class="timeline" aria-labelledby="{esc(heading_id)}">'
            f'<h2 id="{esc(heading_id)}">{esc(heading)}</h2>'
            f'<svg viewBox="0 0 {width} {PLOT + 18}" role="group" aria-label="Documents by year, '
            f'{first} to {last}; each bar leads to the documents of its year" '
            f'preserveAspectRatio="xMinYMid meet">{"".join(bars)}{"".join(ticks)}</svg>'
            f'<details><summary>The same as a table</summary><table class="years"><thead><tr><th scope="col">Year'
            f'</th><th scope="col" class="num">Documents</th></tr></thead><tbody>{rows}</tbody></table></details>'
            "</section>")


def counts_list(counts: list[Count], query: Query, home: str, entity_link: bool = False) -> str:
    items = []
    for count in counts:
        href = search_path(home, query.adding(count.facet, count.value))
        page_link = ""
        if entity_link and count.facet in ENTITY_FACETS:
            page_link = (f' <a class="about" href="{esc(entity_path(home, count.facet, count.value))}" '
                         f'aria-label="About {esc(count.label)}">about</a>')
        items.append(f'<li><a href="{esc(href)}">{esc(count.label)}</a> '
                     f'<span class="n">{count.count:,}</span>{page_link}</li>')
    return f'<ul class="counts">{"".join(items)}</ul>'


def entity_path(home: str, facet: str, value: str) -> str:
    return f"{home}doc/{ENTITY_FACETS[facet]}/{value}"


def facets_nav(results: Results, home: str, years_by_decade: list[tuple[int, int]]) -> str:
    query = results.query
    blocks = []
    for facet in FACETS:
        counts = results.facets.get(facet) or []
        if not counts:
            continue
        heading, _, plural = FACET_NAMES[facet]
        more = (f'<p class="more"><a href="{esc(search_path(home, query.but(), facet))}">'
                f'All {esc(plural)}</a></p>')
        blocks.append(f'<h2>{esc(heading)}</h2>{counts_list(counts, query, home)}{more}')
    if years_by_decade and query.year is None and query.decade is None:
        items = "".join(f'<li><a href="{esc(search_path(home, query.adding("decade", str(decade))))}">'
                        f'{decade}s</a> <span class="n">{count:,}</span></li>' for decade, count in years_by_decade)
        blocks.append(f'<h2>Decades</h2><ul class="counts">{items}</ul>')
    if not query.links and all(results.links.values()):
        items = "".join(f'<li><a href="{esc(search_path(home, query.adding("links", name)))}">'
                        f'{esc(LINK_NAMES[name].capitalize())}</a> '
                        f'<span class="n">{results.links[name]:,}</span></li>'
                        for name in ("linked", "unlinked"))
        blocks.append(f'<h2>Wikidata</h2><ul class="counts">{items}</ul>')
    if not blocks:
        return ""
    return f'<nav class="facets" aria-label="Narrow the list">{"".join(blocks)}</nav>'


def decades(years: list[tuple[int, int]]) -> list[tuple[int, int]]:
    totals: dict[int, int] = {}
    for year, count in years:
        totals[year - year % 10] = totals.get(year - year % 10, 0) + count
    return sorted(totals.items())


def hit_item(hit: Hit, home: str) -> str:
    date = (f' <time datetime="{esc(hit.date)}">{esc(format_iso_date(hit.date))}</time>' if hit.date else "")
    snippet = hit.snippet or (hit.summary[:300] + ("…" if len(hit.summary) > 300 else ""))
    return (f'<li><a href="{esc(home + thing_path(DOCUMENT, hit.key))}">{marked(hit.title_marked)}</a>{date}'
            + (f'<p class="snippet">{marked(snippet)}</p>' if snippet else "") + "</li>")


def hits_list(results: Results, home: str) -> str:
    if not results.hits:
        return ""
    items = "".join(hit_item(hit, home) for hit in results.hits)
    return f'<ol class="hits" start="{results.offset + 1}">{items}</ol>'


def pager(results: Results, home: str) -> str:
    if results.pages <= 1:
        return ""
    query, current, last = results.query, results.query.page, results.pages
    shown = sorted({1, last, *range(max(1, current - 2), min(last, current + 2) + 1)})
    items, previous = [], 0
    for number in shown:
        if number - previous > 1:
            items.append('<li aria-hidden="true">…</li>')
        href = search_path(home, query.but(page=number))
        if number == current:
            items.append(f'<li><a href="{esc(href)}" aria-current="page">{number:,}</a></li>')
        else:
            items.append(f'<li><a href="{esc(href)}" aria-label="Page {number:,}">{number:,}</a></li>')
        previous = number
    around = []
    if current > 1:
        around.append(f'<a rel="prev" href="{esc(search_path(home, query.but(page=current - 1)))}">Previous</a>')
    if current < last:
        around.append(f'<a rel="next" href="{esc(search_path(home, query.but(page=current + 1)))}">Next</a>')
    return (f'<nav class="pages" aria-label="Pages"><ul>{"".join(items)}</ul>'
            f'<p>{" · ".join(around)}</p></nav>')


def sort_links(query: Query, home: str) -> str:
    names = ["relevance", "oldest", "newest"] if query.text else ["oldest", "newest"]
    links = []
    for name in names:
        if query.order == name:
            links.append(f'<strong aria-current="true">{esc(SORT_NAMES[name])}</strong>')
        else:
            links.append(f'<a href="{esc(search_path(home, query.but(sort=name)))}">{esc(SORT_NAMES[name])}</a>')
    return f'<p class="sort">Order: {" · ".join(links)}</p>'


def filters_block(query: Query, home: str, labels: Callable[[str, str], str]) -> str:
    parts = describe_query(query, labels)
    if not parts:
        return ""
    items = "".join(
        f'<li>{esc(words)} <a href="{esc(search_path(home, query.removing(facet, value)))}" '
        f'aria-label="Remove {esc(words)}">remove</a></li>' for facet, _, words, value in parts)
    return f'<ul class="chips" aria-label="Narrowed by">{items}</ul>'


def summary_line(results: Results) -> str:
    total = results.total
    words = f"{total:,} document{'s' if total != 1 else ''}"
    if results.hits:
        words += f", {results.offset + 1:,}–{results.offset + len(results.hits):,} shown"
    elif total:
        words += "; no more on this page"
    return f'<p class="found" role="status">{esc(words)}</p>'


# -- pages -----------------------------------------------------------------------------------------

def search_page(results: Results, *, home: str, span: tuple[int, int] | None,
                labels: Callable[[str, str], str]) -> str:
    """The result list: search form, what narrows it, the timeline, the page of documents, facets."""
    query = results.query
    title = f"Search: {query.text}" if query.text else "Documents, narrowed" if query.narrowed else "Documents"
    parts = [f"<h1>{esc(title)}</h1>", search_form(home, query), filters_block(query, home, labels),
             summary_line(results)]
    main = [timeline(results.years, span, query, home, undated=results.undated) if results.total else "",
            sort_links(query, home) if results.total > 1 else "", hits_list(results, home), pager(results, home)]
    if not results.total:
        main.append("<p>No document matches. Fewer words, or fewer filters, find more.</p>")
    parts.append(f'<div class="browse"><div class="results">{"".join(main)}</div>'
                 f'{facets_nav(results, home, decades(results.years))}</div>')
    head = ""
    if query.page > 1:
        head += f'<link rel="prev" href="{esc(search_path(home, query.but(page=query.page - 1)))}">\n'
    if query.page < results.pages:
        head += f'<link rel="next" href="{esc(search_path(home, query.but(page=query.page + 1)))}">\n'
    json_query = urlencode([*query.params(), ("format", "json")])
    head += f'<link rel="alternate" type="application/json" href="{esc(home)}search?{esc(json_query)}">\n'
    return page(title, "\n".join(p for p in parts if p), home=home, head=head, wide=True)


def facet_page(facet: str, counts: list[Count], query: Query, *, home: str, total_values: int, offset: int,
               limit: int, labels: Callable[[str, str], str]) -> str:
    """Every value of one facet for a list's state, most documents first, a page at a time."""
    heading, _, plural = FACET_NAMES[facet]
    parts = [f"<h1>{esc(heading)}</h1>", filters_block(query, home, labels),
             f'<p class="found"><a href="{esc(search_path(home, query))}">Back to the documents</a></p>']
    parts.append(counts_list(counts, query, home, entity_link=True) if counts
                 else f"<p>No {esc(plural)} in these documents.</p>")
    links = []
    page_number = offset // limit + 1
    if offset:
        previous = facet_page_path(home, query, facet, page_number - 1)
        links.append(f'<a rel="prev" href="{esc(previous)}">Previous</a>')
    if offset + limit < total_values:
        links.append(f'<a rel="next" href="{esc(facet_page_path(home, query, facet, page_number + 1))}">Next</a>')
    if links:
        parts.append(f'<nav class="pages" aria-label="Pages"><p>{" · ".join(links)}</p></nav>')
    return page(heading, "\n".join(p for p in parts if p), home=home)


def facet_page_path(home: str, query: Query, facet: str, number: int) -> str:
    path = search_path(home, query.but(page=1), facet)
    if number > 1:
        path += ("&" if "?" in path else "?") + urlencode([("values", str(number))])
    return path


# -- JSON ----------------------------------------------------------------------------------------------

def results_json(results: Results, *, home: str, base: str, labels: Callable[[str, str], str]) -> dict:
    """The result list as JSON: what the HTML shows, with IRIs and the URLs of other states."""
    query = results.query

    def count_json(count: Count) -> dict:
        entry = {"value": count.value, "label": count.label, "count": count.count,
                 "search": search_path(home, query.adding(count.facet, count.value))}
        if count.facet in ENTITY_FACETS:
            entry["id"] = iris(base).thing(ENTITY_FACETS[count.facet], count.value)
        if count.qid:
            entry["wikidata"] = f"{WD}{count.qid}"
        return entry

    asked: dict = {"q": query.text}
    for facet, value in query.filters:
        asked.setdefault(facet, []).append(value)
    asked.update(year=query.year, decade=query.decade, links=query.links, sort=query.order, page=query.page)
    answer = {
        "query": asked,
        "narrowed_by": [words for _, _, words, _ in describe_query(query, labels)],
        "total": results.total, "page_size": PAGE_SIZE, "pages": results.pages,
        "results": [{"key": hit.key, "id": iris(base).document(hit.key),
                     "url": home + description_path(DOCUMENT, hit.key), "title": hit.title, "date": hit.date,
                     "summary": hit.summary,
                     "highlight": {"title": marked(hit.title_marked), "snippet": marked(hit.snippet)}}
                    for hit in results.hits],
        "facets": {facet: [count_json(c) for c in counts] for facet, counts in results.facets.items()},
        "years": [{"year": year, "count": count} for year, count in results.years],
        "undated": results.undated,
        "links": results.links,
    }
    if query.page > 1:
        answer["prev"] = search_path(home, query.but(page=query.page - 1))
    if query.page < results.pages:
        answer["next"] = search_path(home, query.but(page=query.page + 1))
    return answer


# -- overviews on other pages -------------------------------------------------------------------------

def glance(results: Results, home: str, facets: tuple[str, ...], headings: dict[str, str], query: Query) -> str:
    """The most frequent values of some facets, side by side (each heading an ``h3``)."""
    columns = []
    for facet in facets:
        counts = results.facets.get(facet) or []
        if counts:
            columns.append(f'<div><h3>{esc(headings[facet])}</h3>{counts_list(counts, query, home)}'
                           f'<p class="more"><a href="{esc(search_path(home, query.but(), facet))}">All '
                           f'{esc(FACET_NAMES[facet][2])}</a></p></div>')
    return f'<div class="glance">{"".join(columns)}</div>' if columns else ""


def home_overview(results: Results, *, home: str, span: tuple[int, int] | None) -> str:
    """The home page's collection at a glance: search, the timeline, the names most often named."""
    query = results.query
    parts = ['<h2>Search and browse</h2>', search_form(home, query, field_id="home-search"),
             f'<p class="found"><a href="{esc(search_path(home, query))}">Browse all {results.total:,} '
             "documents</a> by date, and narrow them by person, organization, place, subject, year, "
             "language or Wikidata links.</p>",
             timeline(results.years, span, query, home, undated=results.undated)]
    most = glance(results, home, ("person", "place", "subject"),
                  {"person": "People", "place": "Places", "subject": "Subjects"}, query)
    if most:
        parts.append(f'<section aria-labelledby="most-named"><h2 id="most-named">Most often named</h2>'
                     f"{most}</section>")
    return "".join(parts)


def entity_overview(results: Results, *, home: str, span: tuple[int, int] | None, name: str) -> str:
    """An entity's documents: over time, the names they hold most besides it, and the first page."""
    query = results.query
    parts = [timeline(results.years, span, query, home, undated=results.undated, heading="Documents over time")]
    most = glance(results, home, ("person", "organization", "place", "subject"),
                  {facet: FACET_NAMES[facet][0] for facet in FACETS}, query)
    if most:
        parts.append(f'<section aria-labelledby="appears-with"><h2 id="appears-with">Named most often with '
                     f"{esc(name)}</h2>{most}</section>")
    items = "".join(hit_item(hit, home) for hit in results.hits)
    everything = (f'<p class="more"><a href="{esc(search_path(home, query))}">All {results.total:,} documents, '
                  "to page through, search and narrow</a></p>")
    parts.append(f'<h2>Documents ({results.total:,})</h2><ol class="hits">{items}</ol>{everything}')
    return "".join(parts)
