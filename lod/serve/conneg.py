"""HTTP content negotiation and conditional requests, small and strict.

``Accept`` (RFC 9110 §12.5.1): media ranges with ``q`` weights; ``q=0`` excludes a
type; when several ranges match an offer, the most specific one (``type/subtype``
with parameters > ``type/subtype`` > ``type/*`` > ``*/*``) gives its weight; among
offers of equal weight the more specific match wins, then the server's order.
Malformed members are ignored (never an error); a missing or empty header means
``*/*``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime

_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_RANGE = re.compile(rf"^\s*({_TOKEN}|\*)/({_TOKEN}|\*)\s*$")
_PARAM = re.compile(rf'^\s*({_TOKEN})\s*=\s*({_TOKEN}|"(?:[^"\\]|\\.)*")\s*$')
_QVALUE = re.compile(r"^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$")
MAX_ACCEPT_MEMBERS = 64


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    params: tuple[tuple[str, str], ...]
    q: float

    @property
    def specificity(self) -> int:
        if self.type == "*":
            return 0
        if self.subtype == "*":
            return 1
        return 2 + len(self.params)

    def matches(self, media_type: str) -> bool:
        """Whether the range covers an offered type (offered: UTF-8, no other parameters).

        A range's parameters must hold for the offer: ``charset`` must be UTF-8;
        ``profile`` (e.g. JSON-LD's ``compacted``) is not a restriction we can check and
        is accepted; any other parameter (``text/html;level=1``) does not match.
        """
        kind, _, sub = media_type.partition("/")
        if not ((self.type in ("*", kind)) and (self.subtype in ("*", sub))):
            return False
        for name, value in self.params:
            if name == "charset" and value.lower().replace("_", "-") not in ("utf-8", "utf8"):
                return False
            if name not in ("charset", "profile"):
                return False
        return True


def _split(header: str, separator: str) -> list[str]:
    """Split on ``separator`` outside quoted strings."""
    parts, current, quoted, escaped = [], [], False, False
    for char in header:
        if escaped:
            escaped = False
        elif char == "\\" and quoted:
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an Accept header; malformed members are skipped."""
    if header is None or not header.strip():
        return [MediaRange("*", "*", (), 1.0)]
    ranges = []
    for member in _split(header, ",")[:MAX_ACCEPT_MEMBERS]:
        if not member.strip():
            continue
        pieces = _split(member, ";")
        match = _RANGE.match(pieces[0])
        if not match:
            continue
        kind, sub = match.group(1).lower(), match.group(2).lower()
        if kind == "*" and sub != "*":
            continue
        q, params, valid = 1.0, [], True
        for piece in pieces[1:]:
            param = _PARAM.match(piece)
            if not param:
                valid = False
                break
            name, value = param.group(1).lower(), param.group(2)
            if name == "q":
                if not _QVALUE.match(value):
                    valid = False
                    break
                q = float(value)
                break  # what follows q are accept-extensions, not media type parameters
            params.append((name, value.strip('"')))
        if valid:
            ranges.append(MediaRange(kind, sub, tuple(params), q))
    return ranges


def weight(ranges: list[MediaRange], media_type: str) -> tuple[float, int]:
    """(q, specificity) the Accept ranges give one offered media type; q=0: not acceptable."""
    best: MediaRange | None = None
    for media_range in ranges:
        if media_range.matches(media_type):
            if best is None or media_range.specificity > best.specificity:
                best = media_range
            elif media_range.specificity == best.specificity and media_range.q > best.q:
                best = media_range
    if best is None:
        return 0.0, -1
    return best.q, best.specificity


def negotiate(accept: str | None, offers: list[str]) -> str | None:
    """The best of ``offers`` (media types, in server preference order) for an Accept
    header, or None when none is acceptable (-> 406)."""
    ranges = parse_accept(accept)
    if not ranges:  # only malformed members: treat like */*
        ranges = [MediaRange("*", "*", (), 1.0)]
    best, best_key = None, None
    for index, offer in enumerate(offers):
        q, specificity = weight(ranges, offer.lower())
        if q <= 0:
            continue
        key = (q, specificity, -index)
        if best_key is None or key > best_key:
            best, best_key = offer, key
    return best


# -- conditional requests ---------------------------------------------------------------------

def etag_matches(header: str | None, etag: str, weak: bool = True) -> bool:
    """Whether ``If-None-Match`` (weak comparison) lists ``etag`` or is ``*``."""
    if not header:
        return False
    if header.strip() == "*":
        return True
    target = etag[2:] if etag.startswith("W/") else etag
    for candidate in _split(header, ","):
        candidate = candidate.strip()
        if weak and candidate.startswith("W/"):
            candidate = candidate[2:]
        if candidate == target:
            return True
    return False


def http_date(timestamp: float) -> str:
    return formatdate(timestamp, usegmt=True)


def parse_http_date(value: str | None) -> float | None:
    if not value or len(value) > 64:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None or parsed.tzinfo is None:
        return None
    try:
        return parsed.timestamp()
    except (OverflowError, ValueError, OSError):
        return None


def not_modified(headers, etag: str | None, last_modified: float | None) -> bool:
    """RFC 9110 §13.2.2: If-None-Match first; If-Modified-Since only without it."""
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        return etag is not None and etag_matches(if_none_match, etag)
    since = parse_http_date(headers.get("if-modified-since"))
    if since is None or last_modified is None:
        return False
    return int(last_modified) <= int(since)
