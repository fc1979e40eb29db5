"""The hand-written writers are proven equal to the triples that went in, over hostile input.

Every generated set of triples is written with lod's Turtle, JSON-LD and N-Triples
writers and read back with rdflib and pyoxigraph (and, for JSON-LD, pyld): each
must give the very same graph. The writers must also be deterministic and blind to
the order of their input. IRIs minted by ``slug`` and made safe by ``safe_url``
must be valid. The plain terms of :mod:`lod.terms` must write exactly as the rdflib
terms they stand for, and the writers' shortcuts (escaping by replacement, the
pre-encoded JSON-LD context) must give what the straightforward way gives.
"""

from __future__ import annotations

import json
import re
import unicodedata

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pyld import jsonld as pyld
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from lod import terms
from lod import iris
from lod.config import Settings
from lod.map import map_record
from lod.iris import safe_url, slug
from lod.model import Identifiers, Origin, Record
from lod.serialize import jsonld, ntriples, turtle

pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- strategies ---------------------------------------------------------------------------

BASE = "http://localhost:8080/id/"
ROOT = BASE + "document/root"
SUBJECTS = [ROOT, BASE + "person/kim-il-sung", BASE + "concept/korea-north", ROOT + "#classification",
            "http://www.wikidata.org/entity/Q41117", "http://example.org/x/\u91d1?q=1&r=(2)"]

# Every hostile piece the issue names, and the characters escaping rules care about.
HOSTILE = [
    '"', "'", "\\", "\n", "\r", "\r\n", "\t", "\u2028", "\u2029", "\U0001F4DC", "\U00010348",
    ">", "<", '"""', "'''", '""', "@en", "^^", "^^xsd:string", "@", "^", "#", "_:b0", ":",
    "<http://example.org/>", "{", "}", "[", "]", "@context", "@id", "@value", "\\u0041", "\\n",
    "\\U0001F600", "\x7f", "\u0085", "\u00a0", "\ufeff", "\u200b", "\ufffd", " ", "a", "é",
    "\u0301", "金", "\u05d0", "null", "true", "1", ".", ";", ",",
    *[chr(code) for code in range(0x01, 0x20)],
]

texts = st.one_of(
    st.lists(st.sampled_from(HOSTILE), max_size=12).map("".join),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=30),
    st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=3)), max_size=8).map("".join),
)
# Endings that trip long-string and escape handling: a trailing backslash or quote.
texts = st.one_of(texts, st.tuples(texts, st.sampled_from(["\\", '"', '\n"', "\\\n"])).map("".join))

LANGUAGES = ["en", "de", "ja", "ru", "zh-Hant-TW", "en-US", "sr-Latn-RS", "es-419", "de-CH-1901", "x-private"]
CUSTOM_DATATYPES = ["http://example.org/datatype", "http://example.org/dt#kind", "urn:x-lod:datatype"]


def _typed(draw) -> Literal:
    kind = draw(st.sampled_from(["date", "gYearMonth", "gYear", "integer", "boolean", "custom", "string"]))
    if kind == "date":
        return Literal(draw(st.dates()).isoformat(), datatype=XSD.date)
    if kind == "gYearMonth":
        return Literal(draw(st.dates()).isoformat()[:7], datatype=XSD.gYearMonth)
    if kind == "gYear":
        return Literal(draw(st.dates()).isoformat()[:4], datatype=XSD.gYear)
    if kind == "integer":
        return Literal(str(draw(st.integers())), datatype=XSD.integer)
    if kind == "boolean":
        return Literal(draw(st.sampled_from(["true", "false"])), datatype=XSD.boolean)
    if kind == "string":
        return Literal(draw(texts), datatype=XSD.string)
    return Literal(draw(texts), datatype=URIRef(draw(st.sampled_from(CUSTOM_DATATYPES))))


@st.composite
def literals(draw) -> Literal:
    kind = draw(st.sampled_from(["plain", "language", "typed"]))
    if kind == "plain":
        return Literal(draw(texts))
    if kind == "language":
        return Literal(draw(texts), lang=draw(st.sampled_from(LANGUAGES)))
    return _typed(draw)


def _context_predicates() -> list[str]:
    """Every IRI the JSON-LD context has a term for (with its coercion), plus others."""
    context = jsonld.context()

    def expand(value: str) -> str:
        prefix, _, local = value.partition(":")
        namespace = context.get(prefix)
        return namespace + local if isinstance(namespace, str) and namespace.endswith(("/", "#")) else value

    iris = set()
    for key, value in context.items():
        if key.startswith("@") or (isinstance(value, str) and value.endswith(("/", "#"))):
            continue
        iris.add(expand(value if isinstance(value, str) else value.get("@id", key)))
    return sorted(iris)


PREDICATES = _context_predicates() + [
    "http://purl.org/dc/terms/title", "http://schema.org/text", "http://www.w3.org/2000/01/rdf-schema#comment",
    "http://example.org/vocab#p", "http://example.org/vocab/with-dash_and.dot", "urn:x-lod:p",
]
IRI_OBJECTS = SUBJECTS + ["http://purl.org/dc/dcmitype/Text", "http://rightsstatements.org/vocab/InC-EDU/1.0/",
                          "https://digitalarchive.wilsoncenter.org/document/1%20a?x=%22y%22#frag",
                          "http://schema.org/Person", "http://example.org/\U0001F4DC"]
TYPES = ["http://schema.org/ArchiveComponent", "http://schema.org/Person", "http://www.w3.org/2004/02/skos/core#Concept",
         "http://www.w3.org/1999/02/22-rdf-syntax-ns#Statement", "http://example.org/vocab#Thing"]


@st.composite
def triples(draw) -> list[tuple]:
    out = []
    for _ in range(draw(st.integers(1, 12))):
        subject = URIRef(draw(st.sampled_from(SUBJECTS)))
        if draw(st.integers(0, 5)) == 0:
            out.append((subject, RDF.type, URIRef(draw(st.sampled_from(TYPES)))))
            continue
        predicate = URIRef(draw(st.sampled_from(PREDICATES)))
        obj = draw(st.one_of(literals(), st.sampled_from(IRI_OBJECTS).map(URIRef)))
        out.append((subject, predicate, obj))
    return out


# --- reading back ---------------------------------------------------------------------------


def expected_graph(items) -> Graph:
    """The input as a graph; ``"x"^^xsd:string`` is ``"x"`` (RDF 1.1), as every parser reads it."""
    graph = Graph()
    for s, p, o in items:
        if isinstance(o, Literal) and o.datatype == XSD.string:
            o = Literal(str(o))
        graph.add((s, p, o))
    return graph


def offline_loader(url, options=None):
    raise AssertionError(f"JSON-LD processing tried to load {url}")


def pyld_graph(text: str, mode: str = "json-ld-1.1") -> Graph:
    """The graph pyld reads, as a JSON-LD 1.1 processor or (``json-ld-1.0``) a 1.0 one."""
    nquads = pyld.to_rdf(json.loads(text), {"format": "application/n-quads", "documentLoader": offline_loader,
                                            "processingMode": mode})
    return Graph().parse(data=nquads, format="nt")


def readers(oxigraph_graph):
    return {
        "turtle": lambda text: {
            "rdflib": Graph().parse(data=text, format="turtle"),
            "pyoxigraph": oxigraph_graph(text, ox.RdfFormat.TURTLE),
        },
        "jsonld": lambda text: {
            "pyld": pyld_graph(text),
            "pyld as a JSON-LD 1.0 processor": pyld_graph(text, "json-ld-1.0"),
            "rdflib": Graph().parse(data=text, format="json-ld"),
            "pyoxigraph": oxigraph_graph(text, ox.RdfFormat.JSON_LD),
        },
        "ntriples": lambda text: {
            "rdflib": Graph().parse(data=text, format="nt"),
            "pyoxigraph": oxigraph_graph(text, ox.RdfFormat.N_TRIPLES),
        },
    }


def write(name: str, items, root: str = ROOT) -> str:
    if name == "turtle":
        return turtle.serialize(items, root)
    if name == "jsonld":
        return jsonld.serialize(items, root)
    return ntriples.serialize(items)


def difference(expected: Graph, actual: Graph) -> str:
    missing = sorted(t for t in expected if t not in actual)[:5]
    extra = sorted(t for t in actual if t not in expected)[:5]
    return "\n".join([*(f"- {s.n3()} {p.n3()} {o.n3()}" for s, p, o in missing),
                      *(f"+ {s.n3()} {p.n3()} {o.n3()}" for s, p, o in extra)])


def assert_round_trip(name: str, items, oxigraph_graph, root: str = ROOT) -> None:
    expected = expected_graph(items)
    text = write(name, items, root)
    for reader, graph in readers(oxigraph_graph)[name](text).items():
        assert set(graph) == set(expected), (
            f"{name} read back by {reader} is not the input graph:\n{difference(expected, graph)}\n"
            f"--- written:\n{text}")


# --- round trips ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["turtle", "jsonld", "ntriples"])
@SETTINGS
@given(items=triples())
def test_round_trip_over_hostile_literals(name, items, oxigraph_graph):
    assert_round_trip(name, items, oxigraph_graph)


HOSTILE_EXAMPLES = [
    'Say "hi" \\ bye', "line one\nline two", "carriage\rreturn", "tab\there", "end with backslash\\",
    "end with quote\"", 'multi\nline ending in quote"', 'three """ quotes\nand a newline',
    "paragraph\u2028separator\u2029", "non-BMP \U0001F4DC \U00010348", "a > b < c", "@en", "^^xsd:string",
    "".join(chr(c) for c in range(1, 32)) + "\x7f", "\\u0041 stays six characters", "\n", "\\\n\\",
    "",
]


@pytest.mark.parametrize("name", ["turtle", "jsonld", "ntriples"])
@pytest.mark.parametrize("text", HOSTILE_EXAMPLES, ids=[repr(t)[:30] for t in HOSTILE_EXAMPLES])
def test_round_trip_named_hostile_literals(name, text, oxigraph_graph):
    """The cases the issue names, every literal form, on plain and context-coerced properties."""
    items = []
    for predicate in ("http://schema.org/name", "http://schema.org/identifier",
                      "http://purl.org/dc/terms/title", "http://schema.org/author"):
        for obj in (Literal(text), Literal(text, lang="en"), Literal(text, lang="ja"),
                    Literal(text, datatype=URIRef(CUSTOM_DATATYPES[0]))):
            items.append((URIRef(ROOT), URIRef(predicate), obj))
    assert_round_trip(name, items, oxigraph_graph)


@pytest.mark.parametrize("name", ["turtle", "jsonld", "ntriples"])
def test_round_trip_nul_character(name, oxigraph_graph):
    """U+0000 is a character RDF literals may hold; each writer must escape it."""
    assert_round_trip(name, [(URIRef(ROOT), URIRef("http://schema.org/text"), Literal("a\x00b"))], oxigraph_graph)


def oxigraph_term(node):
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if node.language:
        return ox.Literal(str(node), language=node.language)
    return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype or XSD.string)))


@pytest.mark.parametrize("name", ["turtle", "jsonld", "ntriples"])
def test_lexical_forms_are_kept_exactly(name):
    """lod keeps typed literals' lexical forms as the input gives them ("01", "…Z"): the
    writers must too. Compared with pyoxigraph, which (unlike rdflib) never normalises."""
    lexical = [("01", XSD.integer), ("+5", XSD.integer), ("1.50", XSD.decimal), ("1E3", XSD.double),
               ("2026-01-01T00:00:00Z", XSD.dateTime), ("1956-10-15", XSD.date), ("0800", XSD.gYear),
               ("not a date", XSD.date), (" padded ", XSD.token)]
    items = [(URIRef(ROOT), URIRef(f"http://example.org/p{n}"), Literal(value, datatype=datatype, normalize=False))
             for n, (value, datatype) in enumerate(lexical)]
    expected = {ox.Triple(*map(oxigraph_term, triple)) for triple in items}
    format = {"turtle": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD,
              "ntriples": ox.RdfFormat.N_TRIPLES}[name]
    text = write(name, items)
    assert {q.triple for q in ox.parse(text, format=format)} == expected, text


@pytest.mark.parametrize("name", ["turtle", "jsonld"])
def test_round_trip_when_root_has_no_triples(name, oxigraph_graph):
    items = [(URIRef(SUBJECTS[1]), URIRef("http://schema.org/name"), Literal("Kim", lang="en"))]
    assert_round_trip(name, items, oxigraph_graph, root=ROOT)


@pytest.mark.parametrize("name", ["turtle", "jsonld", "ntriples"])
def test_round_trip_literal_as_rdf_type_object(name, oxigraph_graph):
    """A literal object of rdf:type is legal RDF; it must not turn into a class IRI."""
    items = [(URIRef(ROOT), RDF.type, URIRef("http://schema.org/ArchiveComponent")),
             (URIRef(ROOT), RDF.type, Literal("not a class"))]
    assert_round_trip(name, items, oxigraph_graph)


# --- determinism --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["turtle", "jsonld", "ntriples"])
@SETTINGS
@given(items=triples(), data=st.data())
def test_writers_are_deterministic_and_order_blind(name, items, data):
    shuffled = data.draw(st.permutations(items))
    repeated = shuffled + data.draw(st.lists(st.sampled_from(items), max_size=3))
    first = write(name, items)
    assert write(name, items) == first
    assert write(name, shuffled) == first
    assert write(name, repeated) == first


# --- IRIs -------------------------------------------------------------------------------------------

SCRIPTS = st.characters(whitelist_categories=("Lu", "Ll", "Lo", "Nd", "Mn", "Zs", "Pd", "Po"))
NAMES = st.one_of(
    st.text(SCRIPTS, max_size=40),
    st.text(st.sampled_from("abcdeéèöøßłıİŁĲ ĳ-'’.,()"
                            "АБВГДежзий"  # Cyrillic
                            "ΑΒΓαβγ"  # Greek
                            "金日成毛泽东周恩来"  # CJK
                            "ㄱㄴ김일성"  # Hangul
                            "أبجد"  # Arabic
                            "אבג"  # Hebrew
                            "0123456789١٢٣"), max_size=40),
    st.text(max_size=120),
)


def spelling(name: str) -> tuple[str, ...]:
    """A name's letters and digits word by word, ignoring case, diacritics and apostrophes:
    what slug() documents as the same name."""
    folded = unicodedata.normalize("NFKD", name.casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    folded = re.sub(r"['’]", "", folded)
    return tuple(re.findall(r"[^\W_]+", folded))


@SETTINGS
@given(name=NAMES)
def test_slug_is_an_iri_safe_key(name):
    key = slug(name)
    assert re.fullmatch(r"[a-z0-9-]+", key), key
    assert not key.startswith("-") and not key.endswith("-") and "--" not in key, key
    ox.NamedNode(f"{BASE}person/{key}")


@SETTINGS
@given(first=NAMES, second=NAMES)
@example(first="金日成", second="金正日")
@example(first="Kim Il Sung", second="Kim Il-sung")
@example(first="Chiang Ching-kuo", second="Chiang Ching kuo")
@example(first="Ali", second="Алі")
@example(first="a" * 81, second="a" * 80 + "b")
@example(first="x_y", second="x y")
@example(first="Smith\u2013Jones", second="Smithjones")  # en dash between the words
@example(first="Ching\u2011kuo", second="Chingkuo")  # non-breaking hyphen
@example(first="0\u00d70", second="00")  # multiplication sign
def test_slug_is_unique_for_distinct_names(first, second):
    if spelling(first) != spelling(second):
        assert slug(first) != slug(second), (first, second, slug(first))


@SETTINGS
@given(name=NAMES, data=st.data())
def test_slug_tells_apart_names_one_letter_apart(name, data):
    """Collisions are rare among random pairs, so also mutate a name in one place."""
    position = data.draw(st.integers(0, len(name)))
    letter = data.draw(st.sampled_from("aeiouzéñøł金김ДΩא1٣_ \u2013\u00d7"))
    other = name[:position] + letter + name[position:]
    if spelling(name) != spelling(other):
        assert slug(name) != slug(other), (name, other, slug(name))


URL_PIECES = st.one_of(
    st.text(max_size=6),
    st.sampled_from(["%", "%2", "%zz", "%41", "[", "]", "#", "?", "@", ":", "//", "/", " ", '"', "<", ">", "{",
                     "}", "|", "\\", "^", "`", "\u2028", "\x00", "\x7f", "\ue000", "\ufffe", "金", "é",
                     "\U0001F4DC", "'", "(", ")", "*", "+", ",", ";", "=", "&", "!", "$", "~"]),
)
URLS = st.one_of(
    st.tuples(st.sampled_from(["http://", "https://", "HTTP://", "ftp://", "http:", "mailto:", ""]),
              st.lists(URL_PIECES, max_size=12).map("".join)).map("".join),
    st.text(max_size=60),
)


def valid_iri(value: str) -> bool:
    try:
        ox.NamedNode(value)
    except ValueError:
        return False
    return True


@SETTINGS
@given(url=URLS)
@example(url="https://digitalarchive.wilsoncenter.org/document/119249")
@example(url='http://example.org/a b"<>{}|\\^`')
def test_safe_url_gives_a_valid_iri_or_none(url):
    result = safe_url(url)
    assert result is None or valid_iri(result), f"safe_url({url!r}) = {result!r} is not a valid IRI"


@pytest.mark.parametrize("url", [
    "http://example.org/100%",  # a bare % must become %25
    "http://example.org/%zz",  # % not followed by two hex digits
    "http://example.org/list[1]",  # [ ] are allowed only around an IPv6 host
    "http://example.org/a#b#c",  # a second # inside the fragment
    "http://example.org:port/",  # a port that is not digits
    "http://[::1/",  # urlsplit raises ValueError: Invalid IPv6 URL
    "http://digitalarchive.wilson\ncenter.org/document/1",  # urlsplit drops the newline from the host
    "http://example.org/a\tb\nc",  # control characters in the path
])
def test_safe_url_repairs_or_refuses_malformed_urls(url):
    """Input URLs come from scraped records; none of these may reach the output as is."""
    result = safe_url(url)
    assert result is None or valid_iri(result), f"safe_url({url!r}) = {result!r} is not a valid IRI"


@pytest.mark.parametrize("url", [
    "https://digitalarchive.wilsoncenter.org/document/119249",
    "http://example.org/path with spaces?q=\"quoted\"",
    "http://example.org/金日成",
])
def test_safe_url_keeps_http_urls(url):
    result = safe_url(url)
    assert result is not None and valid_iri(result)
    assert result.startswith(url.split("/")[0])


@pytest.mark.parametrize("url", ["ftp://example.org/", "mailto:x@example.org", "javascript:alert(1)",
                                 "example.org/page", "http:///no-host", "", None])
def test_safe_url_refuses_non_http_urls(url):
    assert safe_url(url) is None


# --- plain terms (lod.terms): what the mapper makes and the writers read ------------------------


@pytest.mark.parametrize("name", ["turtle", "jsonld", "ntriples"])
@SETTINGS
@given(items=triples())
def test_plain_triples_read_back_as_the_input_graph(name, items, oxigraph_graph):
    """The mapper's form (IRIs as str, literals as tuples, duplicates allowed) is written
    exactly as the rdflib triples it stands for, and parses back to the same graph."""
    plain = [tuple(map(terms.term, triple)) for triple in items]
    assert all(type(t) is str or type(t) is tuple for triple in plain for t in triple)
    text = write(name, plain + plain[:2])
    assert text == write(name, items) == write(name, terms.plain(items))
    expected = expected_graph(items)
    for reader, graph in readers(oxigraph_graph)[name](text).items():
        assert set(graph) == set(expected), f"{reader}:\n{difference(expected, graph)}\n--- written:\n{text}"


@SETTINGS
@given(literal=literals())
def test_plain_literals_go_back_to_the_same_rdflib_literal(literal):
    plain = terms.term(literal)
    expected = Literal(str(literal)) if literal.datatype == XSD.string else literal
    back = terms.to_rdflib(plain)
    assert (str(back), back.language, back.datatype) == (str(expected), expected.language, expected.datatype)
    assert terms.term(back) == plain


def test_plain_form_spells_no_xsd_string_and_no_datatype_on_tagged_literals():
    assert terms.term(Literal("x", datatype=XSD.string)) == ("x", "", "")
    assert terms.term(("x", "", str(XSD.string))) == ("x", "", "")
    assert terms.term(("x", "en", "http://example.org/dt")) == ("x", "en", "")
    assert terms.plain([(URIRef(ROOT), URIRef("http://schema.org/name"), Literal("x")),
                        (ROOT, "http://schema.org/name", ("x", "", str(XSD.string)))]) == {
        (ROOT, "http://schema.org/name", ("x", "", ""))}


def test_blank_nodes_are_refused():
    for name in ("turtle", "jsonld", "ntriples"):
        with pytest.raises(TypeError):
            write(name, [(URIRef(ROOT), URIRef("http://schema.org/author"), BNode())])


def test_an_invalid_text_language_is_refused_as_rdflib_refused_it():
    record = Record(title="A title", identifiers=Identifiers(record_id="1", key="k"), origin=Origin("f"))
    with pytest.raises(ValueError, match="not a valid language tag"):
        map_record(record, Settings(text_language="not a tag"))


# --- escaping: the replacements give what one regex pass over every character gives -------------


def _escaped_by_one_pass(text: str, escapes: dict[str, str], pattern: str) -> str:
    return re.sub(pattern, lambda m: escapes.get(m.group()) or f"\\u{ord(m.group()):04X}", text)


@SETTINGS
@given(text=texts)
@example(text="".join(chr(c) for c in range(0, 32)) + '\x7f\\"\u2028\u0085\U0001F4DC')
def test_escapes_equal_one_regex_pass(text):
    assert ntriples.escape_string(text) == _escaped_by_one_pass(
        text, {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"}, r'[\\"\x00-\x1f\x7f]')
    assert turtle._long_escape(text) == _escaped_by_one_pass(
        text, {"\\": "\\\\", '"': '\\"', "\r": "\\r"}, r'[\\"\x00-\x09\x0b-\x1f\x7f]')


# --- JSON-LD: the context is encoded once -----------------------------------------------------


@SETTINGS
@given(items=triples())
def test_jsonld_is_one_encoding_of_context_and_tree(items):
    """The pre-encoded context plus the tree's members is what one ``json.dumps`` of the
    whole document gives."""
    text = jsonld.serialize(items, ROOT)
    document = json.loads(text)
    assert next(iter(document)) == "@context" and document["@context"] == jsonld.context()
    assert text == json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"


@SETTINGS
@given(url=st.text(st.sampled_from(sorted(iris._KEPT - {"#"})), max_size=40),
       fragment=st.one_of(st.just(""), st.text(st.sampled_from(sorted(iris._KEPT - {"#"})), max_size=10)
                          .map("#".__add__)),
       host_end=st.integers(0, 60))
def test_urls_safe_url_passes_through_need_no_encoding(url, fragment, host_end):
    """safe_url skips the per-character pass for URLs of these characters: it would keep them."""
    assert iris._percent_encoded(url + fragment, host_end) == url + fragment
