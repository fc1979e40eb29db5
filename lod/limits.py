"""How much lod reads of one input, and how much its caches keep: declared once, here.

An input over a limit is that record's (or file's) rejection with a one-line reason
naming the limit, never a crash, a hang or memory that grows without bound. The
limits a user could need to raise are :class:`Limits` (the ``[limits]`` table of
``lod.toml``); the *Limits* list of docs/operations.md is checked against these names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from functools import lru_cache, wraps

MIB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """Bounds on one input record (``lod.toml``: ``[limits]``, the same names)."""

    line_bytes: int = 8 * MIB  # a JSON Lines line, a CSV row (all its lines)
    page_bytes: int = 8 * MIB  # a page file (.txt), read whole
    field_bytes: int = 1 * MIB  # the text of any one field, in UTF-8
    list_items: int = 1_000  # values of one list field (authors, places ...)
    subject_parts: int = 32  # ``--`` parts of one subject heading

    def __post_init__(self):
        for limit in fields(self):
            value = getattr(self, limit.name)
            if type(value) is not int or value < 1:
                raise ValueError(f"limit {limit.name!r} must be a whole number of at least 1, not {value!r}")


#: The names of the configurable limits, in declaration order.
LIMIT_NAMES = tuple(limit.name for limit in fields(Limits))

#: The longest line (one statement) lod writes in N-Triples and N-Quads: RDF stores read a
#: line into one buffer, and Oxigraph's holds 16 MiB; a record whose statement would be
#: longer is rejected rather than making the whole dump unloadable.
STATEMENT_BYTES = 16 * MIB - 1

#: The longest landing-page URL lod writes as an IRI (the sitemap protocol's limit; browsers
#: and servers are no longer sure beyond it). Longer ones are no IRI: the record keeps its
#: key and says so in a warning. So every IRI lod writes is short, and caches of IRIs stay small.
URL_CHARS = 2_048

#: Text longer than this (in characters) is computed, never kept, by the caches of name
#: and IRI functions: a cache holds at most ``maxsize`` entries of this size.
CACHED_TEXT = 256


def text_cache(maxsize: int, measure: Callable[..., int] | None = None):
    """``functools.lru_cache(maxsize)`` that keeps only calls on short text.

    ``measure(*args)`` gives the length of a call's text (default: the first argument's
    ``len``); a call over :data:`CACHED_TEXT` runs uncached, so a cache of names never
    holds a megabyte-long "name" (and thousands of them). ``cache_info`` and
    ``cache_clear`` are the cache's.
    """
    def decorate(function):
        cached = lru_cache(maxsize=maxsize)(function)
        if measure is None and function.__code__.co_argcount == 1:  # the hot case: the fewest lookups
            @wraps(function)
            def call(text, _cached=cached, _function=function, _len=len, _most=CACHED_TEXT):
                return _cached(text) if _len(text) <= _most else _function(text)
        elif measure is None:
            @wraps(function)
            def call(text, *rest):
                return cached(text, *rest) if len(text) <= CACHED_TEXT else function(text, *rest)
        else:
            @wraps(function)
            def call(*args):
                return cached(*args) if measure(*args) <= CACHED_TEXT else function(*args)
        call.cache_info = cached.cache_info
        call.cache_clear = cached.cache_clear
        return call
    return decorate
