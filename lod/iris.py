"""Minting IRIs: one configurable base, deterministic keys, no blank nodes.

Layout (Cool URIs for the Semantic Web, 303 style)::

    {base}id/document/{key}          the archival document (a thing)
    {base}doc/document/{key}         its description (the RDF/HTML document about it)
    {base}id/person/{slug}           persons; also organization/, place/, concept/
    {base}id/document/{key}#{kind}-{slug}   names only this document can resolve
    {base}id/dataset                 the dataset
    {base}id/dataset/...             its catalogue, contact point, period, distributions (lod.publish.void)
    {base}id/linking/{method}        how owl:sameAs links were made (prov:Activity)
    {base}id/activity/lod-{v}-mapping-{m}   what made the descriptions (prov:Activity)
    {base}ns/context-v1.jsonld       the JSON-LD context
"""

from __future__ import annotations

import hashlib
import re
import string
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, urlsplit

from pyoxigraph import NamedNode

from lod.limits import URL_CHARS, text_cache
from lod.model import Entity, Record

_SLUG_MAX = 80


@text_cache(maxsize=1 << 12)
def slug(text: str) -> str:
    """An IRI-safe, readable key for a name: ASCII letters, digits and hyphens.

    Names that lose letters in the ASCII fold (non-Latin scripts) or are too long
    get a short content hash, so distinct names never share a slug by accident.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c))
    ascii_text = re.sub(r"['’]", "", ascii_text)
    words = re.findall(r"[a-z0-9]+", ascii_text)
    readable = "-".join(words)
    lost = len(re.findall(r"\w", ascii_text)) != len("".join(words))
    if readable and len(readable) <= _SLUG_MAX and not lost:
        return readable
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]
    return f"{readable[:_SLUG_MAX].rstrip('-')}-{digest}" if readable else digest


#: The layout's paths under the base, each spelled once (the server routes them too).
THINGS = "id/"  # everything lod names: {base}id/<kind>/<key>
DESCRIPTIONS = "doc/"  # the documents about them: {base}doc/<kind>/<key>
DOCUMENT = "document"
DATASET = f"{THINGS}dataset"
CONTEXT = "ns/context-v1.jsonld"


def thing_path(kind: str, key: str) -> str:
    """``id/<kind>/<key>``, under the base (or under the address a site is served at)."""
    return f"{THINGS}{kind}/{key}"


def description_path(kind: str, key: str) -> str:
    """``doc/<kind>/<key>``: where the description of a thing is."""
    return f"{DESCRIPTIONS}{kind}/{key}"


@dataclass(frozen=True)
class Iris:
    """IRI factory for one base. Kept tiny: every IRI lod writes or links to comes from here."""

    base: str

    def __post_init__(self):
        if not re.match(r"^https?://[^\s<>\"{}|\\^`]+/$", self.base):
            raise ValueError(f"base IRI must be an http(s) IRI ending in '/': {self.base!r}")

    def uri_space(self) -> str:
        """Where every thing lod names is (VoID's ``void:uriSpace``)."""
        return f"{self.base}{THINGS}"

    def thing(self, kind: str, key: str) -> str:
        """``{base}id/<kind>/<key>``: a document, person, organization, place, concept ..."""
        return self.base + thing_path(kind, key)

    def description_of(self, kind: str, key: str) -> str:
        """``{base}doc/<kind>/<key>``: the description of a thing (served by content negotiation)."""
        return self.base + description_path(kind, key)

    def document(self, key: str) -> str:
        return self.thing(DOCUMENT, key)

    def description(self, key: str) -> str:
        return self.description_of(DOCUMENT, key)

    def dataset(self) -> str:
        return f"{self.base}{DATASET}"

    def context(self) -> str:
        return f"{self.base}{CONTEXT}"

    def entity(self, record: Record, entity: Entity) -> str:
        key = entity.key or f"{entity.kind}/{slug(entity.name)}"
        if key.startswith("#"):
            return f"{self.document(record.key)}{key}"
        return f"{self.base}{THINGS}{key}"

    def concept(self, label: str) -> str:
        return self.thing("concept", slug(label))

    def activity(self, version: str, mapping_version: str) -> str:
        """The run of a lod version and mapping version that makes descriptions (prov:Activity)."""
        return self.thing("activity", f"lod-{slug(version)}-mapping-{slug(mapping_version)}")

    def linking_method(self, method: str) -> str:
        return self.thing("linking", slug(method))

    def part(self, record: Record, name: str) -> str:
        """A node that belongs to one document (e.g. a link statement)."""
        return f"{self.document(record.key)}#{name}"


@lru_cache(maxsize=16)
def iris(base: str) -> Iris:
    """The (cached) factory for ``base``: the export's base, or the address a page is served at."""
    return Iris(base)


_IRI_SAFE = frozenset("-._~:/?@!$&'()*+,;=")
#: What :func:`_percent_encoded` always keeps as it is (a '#' too, when there is one).
_KEPT = frozenset(string.ascii_letters + string.digits + "#") | _IRI_SAFE
_HEX2 = re.compile(r"[0-9A-Fa-f]{2}")


@text_cache(maxsize=256, measure=lambda url: len(url or ""))
def safe_url(url: str | None) -> str | None:
    """An input URL as a valid IRI, or None when it cannot be one.

    Characters an IRI may not hold (spaces, quotes, angle brackets, a stray ``%``,
    brackets outside the host, a second ``#``) are percent-encoded; non-ASCII
    letters are kept (IRIs allow them). Only http(s) URLs with a host and at most
    :data:`lod.limits.URL_CHARS` characters qualify, and the result is checked with an
    RDF parser's IRI rules.
    """
    if not url or len(url) > URL_CHARS:
        return None
    url = re.sub(r"[\t\n\r]", "", url.strip())  # as browsers do (WHATWG URL parsing)
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    if _KEPT.issuperset(url) and url.count("#") <= 1:
        iri = url  # most URLs: nothing to encode, no need to look at each character
    else:
        iri = _percent_encoded(url, url.index(parts.netloc) + len(parts.netloc))
    try:
        NamedNode(iri)
    except ValueError:
        return None
    return iri


def _percent_encoded(url: str, host_end: int) -> str:
    out, fragment = [], False
    for i, char in enumerate(url):
        if char.isalnum() and (ord(char) > 127 or char.isascii()):
            out.append(char)
        elif char == "%":
            out.append(char if _HEX2.match(url, i + 1) else "%25")
        elif char == "#":
            out.append("%23" if fragment else char)
            fragment = True
        elif char in "[]":
            out.append(char if i < host_end else quote(char, safe=""))
        elif char in _IRI_SAFE:
            out.append(char)
        else:
            out.append(quote(char, safe=""))
    return "".join(out)
