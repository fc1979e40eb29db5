"""Minting IRIs: one configurable base, deterministic keys, no blank nodes.

Layout (Cool URIs for the Semantic Web, 303 style)::

    {base}id/document/{key}          the archival document (a thing)
    {base}doc/document/{key}         its description (the RDF/HTML document about it)
    {base}id/person/{slug}           persons; also organization/, place/, concept/
    {base}id/document/{key}#{kind}-{slug}   names only this document can resolve
    {base}id/dataset                 the dataset
    {base}id/linking/{method}        how owl:sameAs links were made (prov:Activity)
    {base}ns/context-v1.jsonld       the JSON-LD context
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from lod.model import Entity, Record

_SLUG_MAX = 80


def slug(text: str) -> str:
    """An IRI-safe, readable key for a name: ASCII letters, digits and hyphens.

    Names that lose letters in the ASCII fold (non-Latin scripts) or are too long
    get a short content hash, so distinct names never share a slug by accident.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c))
    ascii_text = re.sub(r"['’]", "", ascii_text)
    words = re.findall(r"[a-z0-9]+", ascii_text.encode("ascii", "ignore").decode())
    readable = "-".join(words)
    lost = len(re.findall(r"\w", ascii_text)) != len("".join(words))
    if readable and len(readable) <= _SLUG_MAX and not lost:
        return readable
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]
    return f"{readable[:_SLUG_MAX].rstrip('-')}-{digest}" if readable else digest


@dataclass(frozen=True)
class Iris:
    """IRI factory for one base. Kept tiny: every IRI the mapper writes comes from here."""

    base: str

    def __post_init__(self):
        if not re.match(r"^https?://[^\s<>\"{}|\\^`]+/$", self.base):
            raise ValueError(f"base IRI must be an http(s) IRI ending in '/': {self.base!r}")

    def document(self, key: str) -> str:
        return f"{self.base}id/document/{key}"

    def description(self, key: str) -> str:
        return f"{self.base}doc/document/{key}"

    def dataset(self) -> str:
        return f"{self.base}id/dataset"

    def context(self) -> str:
        return f"{self.base}ns/context-v1.jsonld"

    def entity(self, record: Record, entity: Entity) -> str:
        key = entity.key or f"{entity.kind}/{slug(entity.name)}"
        if key.startswith("#"):
            return f"{self.document(record.key)}{key}"
        return f"{self.base}id/{key}"

    def concept(self, label: str) -> str:
        return f"{self.base}id/concept/{slug(label)}"

    def linking_method(self, method: str) -> str:
        return f"{self.base}id/linking/{slug(method)}"

    def part(self, record: Record, name: str) -> str:
        """A node that belongs to one document (e.g. its classification)."""
        return f"{self.document(record.key)}#{name}"


_IRI_UNSAFE = re.compile(r"[^\w\-.~:/?#\[\]@!$&'()*+,;=%]", re.ASCII)


def safe_url(url: str | None) -> str | None:
    """An input URL as a valid IRI, or None when it is not an http(s) URL.

    Characters an IRI may not hold (spaces, quotes, angle brackets ...) are
    percent-encoded; non-ASCII letters are kept (IRIs allow them).
    """
    if not url:
        return None
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return "".join(c if c.isalnum() or not _IRI_UNSAFE.match(c) else quote(c, safe="") for c in url)
