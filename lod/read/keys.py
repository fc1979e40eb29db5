"""Document keys: the last segment of a document's IRIs, never shared and never moved.

A key comes from the archive's own identifiers when the record has one, else it is
minted from the document's title and date:

1. the landing-page URL: ``/document/<slug or number>`` -> the slug or number,
   ``/node/<n>`` -> ``node-<n>`` (keys of records with a URL never change);
2. the record ID: ``record-<id>``;
3. ``<title slug>--<date>``: the slug the archive would give the title, then the
   ISO date (``1950-01-02``, ``1950-01``, ``1950``), the printed date as a slug when it
   is uncertain, or ``undated``. The double hyphen never occurs in the archive's own
   slugs (its path generator collapses separators), so a minted key is never the
   archive's slug of another document. A title the slug cannot hold whole (longer than
   90 characters, or in a script the slug drops) adds a short hash of the whole title:
   long titles equal in their first 90 characters, and titles in Cyrillic or Chinese,
   never share a slug.

Different documents that still coincide in title and date (two telegrams of one day)
each take a short disambiguator derived from their own text (:func:`disambiguated`), so
which document gets which key does not depend on input order.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import unquote, urlsplit

from lod.model import RecordDate

_SLUG_STOP_WORDS = frozenset(
    "a an as at before but by for from is in into like of off on onto per since than "
    "the this that to up via with".split()
)
SLUG_MAX = 90
#: The separator between a minted key's parts; the archive's slugs never hold it.
MINTED = "--"
_URL_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,119}$")
_RECORD_ID = re.compile(r"[A-Za-z0-9-]{1,40}")
_HASH = 8


def _ascii_words(title: str) -> list[str]:
    text = unicodedata.normalize("NFKD", title.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"['’‘`.:]", "", text)
    return [w for w in re.split(r"[^a-z0-9]+", text) if w and w not in _SLUG_STOP_WORDS]


def archive_slug(title: str) -> str:
    """The landing-page slug the archive gives a title (LAYOUTS.md §5.7).

    Lower case, punctuation dropped (``A.M.`` -> ``am``), short words removed,
    cut at 90 characters on a word boundary (a single longer word is cut itself).
    """
    words = _ascii_words(title)
    slug = words[0][:SLUG_MAX] if words else "untitled"
    for word in words[1:]:
        candidate = f"{slug}-{word}"
        if len(candidate) > SLUG_MAX:
            break
        slug = candidate
    return slug


def title_identity(title: str) -> str:
    """What two captures of one document share however their titles were printed: the title's
    letters and digits, case, accents, punctuation and short words aside (any script)."""
    decomposed = unicodedata.normalize("NFKD", title.casefold())
    letters = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join(w for w in letters.split() if w not in _SLUG_STOP_WORDS)


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:_HASH]


def title_slug(title: str) -> str:
    """:func:`archive_slug`, with a hash of the whole title when the slug does not hold all of it."""
    slug = archive_slug(title)
    identity = title_identity(title)
    if slug == "untitled" and not _ascii_words(title):
        return _digest(identity)
    if slug.replace("-", " ") != " ".join(_ascii_words(title)) or _lost_letters(title):
        return f"{slug}-{_digest(identity)}"
    return slug


def _lost_letters(title: str) -> bool:
    """Whether the ASCII slug drops letters of the title (another script)."""
    return any(c.isalpha() and not c.isascii() and not unicodedata.normalize("NFKD", c)[0].isascii()
               for c in title)


def date_part(date: RecordDate | None) -> str:
    if date is None:
        return "undated"
    if date.iso:
        return date.iso
    words = _ascii_words(date.text)
    return "-".join(words)[:30].strip("-") or "undated"


def minted_key(title: str, date: RecordDate | None) -> str:
    """The key of a record the archive gave no identifier: title slug and date."""
    return f"{title_slug(title)}{MINTED}{date_part(date)}"


def disambiguated(key: str, text: str) -> str:
    """A minted key made distinct by the document's own text (its opening words)."""
    return f"{key}{MINTED}{_digest(text)}"


def is_minted(key: str) -> bool:
    return MINTED in key


def key_from_url(url: str | None) -> str | None:
    """The key in a landing-page URL: ``/document/<slug or number>`` or ``/node/<n>``."""
    if not url:
        return None
    try:
        path = unquote(urlsplit(url.strip()).path)
    except ValueError:  # e.g. an unbalanced "[" in the host: not an address to key by
        return None
    match = re.search(r"/(document|node)/([^/]+?)(?:\.pdf)?/?$", path)
    if not match:
        return None
    segment = match[2].lower()
    if not _URL_KEY.match(segment):
        segment = archive_slug(segment)
    return f"node-{segment}" if match[1] == "node" else segment


def url_key_form(key: str) -> str:
    """Which of the archive's identifier spaces a URL key is in: ``number``, ``node`` or ``slug``.

    Two different keys of one form name two documents (the archive gives same-titled
    pages the slugs ``x``, ``x-0``, ``x-1``); keys of different forms may name one.
    """
    if key.isdigit():
        return "number"
    return "node" if key.startswith("node-") and key[5:].isdigit() else "slug"


def record_key(record_id: str | None) -> str | None:
    if record_id and _RECORD_ID.fullmatch(record_id):
        return f"record-{record_id.lower()}"
    return None


def document_key(url: str | None, record_id: str | None, title: str, date: RecordDate | None) -> str:
    """Stable document key: from the landing-page URL, else the record ID, else title and date."""
    return key_from_url(url) or record_key(record_id) or minted_key(title, date)
