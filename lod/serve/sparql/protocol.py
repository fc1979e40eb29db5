"""The SPARQL 1.1 Protocol's query operation: reading a request, its parameters and checks.

* ``GET /sparql?query=...``, ``POST`` with ``application/x-www-form-urlencoded``
  (``query=...``) or ``application/sparql-query`` (the query as the body);
* ``default-graph-uri`` / ``named-graph-uri`` give the RDF dataset; they override the
  query's ``FROM`` / ``FROM NAMED`` (given only one kind, the other is empty, as the
  protocol says);
* ``format`` (a short name such as ``json`` or ``turtle``, or a media type) overrides ``Accept``;
* read-only: ``update``, an ``application/sparql-update`` body, or query text whose
  operation is an update get 403; ``SERVICE`` (federated queries) gets 400.

Nothing here runs a query: :func:`read` gives a :class:`QueryRequest` or raises :class:`Refusal`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

from lod.serve.sparql.results import format_types

#: Largest accepted query (characters in the query text / bytes in a POST body).
MAX_QUERY_BYTES = 256 * 1024
UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD",
                   "WITH"}
_SINGLE = ("query", "update")
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^<>\"{}|^`\\\x00-\x20]*$")
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_TOKEN = re.compile(r'''
      (?P<ws>\s+)
    | (?P<comment>\#[^\n\r]*)
    | (?P<string>"""(?:(?:"|"")?(?:[^"\\]|\\.))*"""
                |\'\'\'(?:(?:\'|\'\')?(?:[^'\\]|\\.))*\'\'\'
                |"(?:[^"\\\n\r]|\\.)*"
                |'(?:[^'\\\n\r]|\\.)*')
    | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
    | (?P<var>[?$][^\s(){}\[\],;.<>=!|&+*/^"'\\\#]*)
    | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    | (?P<pname>[^\s(){}\[\],;<>=!|&+*/^"'\#?$@\\]*:(?:\\\S|[^\s(){}\[\],;<>=!|&+*/^"'\#\\])*)
    | (?P<word>[A-Za-z_][A-Za-z0-9_-]*)
    | (?P<other>.)
''', re.X | re.S)


class Refusal(Exception):
    """A request the endpoint does not run: the HTTP status and a one-line reason."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


@dataclass(frozen=True)
class QueryRequest:
    """One protocol request, checked.

    ``query`` is None when the request has none (the endpoint then shows its form or
    service description). ``forced`` is True when a ``format`` parameter chose the media
    types (``results_type`` for SELECT/ASK, ``graph_type`` for CONSTRUCT/DESCRIBE; None:
    not available for that query form), else ``accept`` decides. ``default_graphs`` /
    ``named_graphs`` are None unless the protocol's dataset parameters were given.
    """

    query: str | None
    accept: str | None
    format: str | None = None
    forced: bool = False
    results_type: str | None = None
    graph_type: str | None = None
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None


def _unescape_codepoints(text: str) -> str:
    def replace(match):
        try:
            return chr(int(match.group(1) or match.group(2), 16))
        except (ValueError, OverflowError):
            return match.group(0)
    return _CODEPOINT.sub(replace, text)


def _words(text: str) -> tuple[list[str], set[str]]:
    """Bare words outside strings, IRIs, comments, variables and prefixed names (upper-cased),
    and the words inside comments."""
    words, in_comments = [], set()
    for match in _TOKEN.finditer(text):
        if match.lastgroup == "word":
            words.append(match.group().upper())
        elif match.lastgroup == "comment":
            in_comments.update(w.upper() for w in re.findall(r"[A-Za-z_]+", match.group()))
    return words, in_comments


def check_query(text: str) -> None:
    """Raise :class:`Refusal` when the query must be refused before it runs.

    A light tokenizer, not a parser (pyoxigraph parses in the worker). To stay on the
    safe side of any difference with the real parser it reads the text both as is and
    with ``\\u`` escapes decoded (SPARQL 1.1 §19.2 decodes them everywhere, oxigraph
    only in strings and IRIs), and it also refuses ``SERVICE`` inside comments.
    """
    views = [text]
    unescaped = _unescape_codepoints(text)
    if unescaped != text:
        views.append(unescaped)
    for view in views:
        words, in_comments = _words(view)
        operation = next((w for w in words if w not in ("PREFIX", "BASE")), None)
        if operation in UPDATE_KEYWORDS:
            raise Refusal(403, "this SPARQL endpoint is read-only: SPARQL Update "
                               f"({operation} ...) is not accepted")
        if "SERVICE" in words or "SERVICE" in in_comments:
            raise Refusal(400, "federated queries (SERVICE) are not allowed on this endpoint")


def _collect(pairs, params: dict[str, list[str]]) -> None:
    for name, value in pairs:
        params.setdefault(name, []).append(value)


async def _read_body(request) -> bytes:
    length = request.headers.get("content-length")
    if length is not None:
        try:
            if int(length) > MAX_QUERY_BYTES:
                raise Refusal(413, f"request body larger than {MAX_QUERY_BYTES} bytes")
        except ValueError:
            raise Refusal(400, "bad Content-Length") from None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_QUERY_BYTES:
            raise Refusal(413, f"request body larger than {MAX_QUERY_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _decode(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise Refusal(400, f"{what} is not valid UTF-8") from None


async def _parameters(request) -> tuple[dict[str, list[str]], str | None]:
    """The protocol parameters and the query text (None when there is none)."""
    params: dict[str, list[str]] = {}
    try:
        _collect(parse_qsl(request.url.query, keep_blank_values=True, strict_parsing=False,
                           errors="strict", max_num_fields=1000), params)
    except (UnicodeDecodeError, ValueError):
        raise Refusal(400, "malformed query string") from None
    query = None
    if request.method == "POST":
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type == "application/sparql-update":
            raise Refusal(403, "this SPARQL endpoint is read-only: SPARQL Update is not accepted")
        body = await _read_body(request)
        if content_type == "application/x-www-form-urlencoded":
            if "query" in params or "update" in params:
                raise Refusal(400, "with a form POST, 'query' belongs in the request body")
            try:
                _collect(parse_qsl(_decode(body, "request body"), keep_blank_values=True,
                                   errors="strict", max_num_fields=1000), params)
            except ValueError:
                raise Refusal(400, "malformed form body") from None
        elif content_type == "application/sparql-query":
            if "query" in params:
                raise Refusal(400, "the query is the request body: no 'query' parameter too")
            query = _decode(body, "query")
        else:
            raise Refusal(415, "POST a query as application/x-www-form-urlencoded (query=...) "
                               "or as application/sparql-query")
    if "update" in params:
        raise Refusal(403, "this SPARQL endpoint is read-only: SPARQL Update is not accepted")
    for name in _SINGLE:
        if len(params.get(name, [])) > 1:
            raise Refusal(400, f"parameter '{name}' given more than once")
    if query is None and "query" in params:
        query = params["query"][0]
    if query is not None:
        if not query.strip():
            raise Refusal(400, "empty query")
        if len(query) > MAX_QUERY_BYTES:
            raise Refusal(413, f"query longer than {MAX_QUERY_BYTES} characters")
    return params, query


async def read(request) -> QueryRequest:
    """The checked :class:`QueryRequest` of a Starlette request, or :class:`Refusal`."""
    params, query = await _parameters(request)
    accept = request.headers.get("accept")
    if query is None:
        return QueryRequest(None, accept)
    check_query(query)
    fields: dict = {}
    default_graphs = params.get("default-graph-uri") or []
    named_graphs = params.get("named-graph-uri") or []
    for iri in default_graphs + named_graphs:
        if not _IRI.match(iri):
            raise Refusal(400, f"not an absolute IRI: {iri!r}")
    if default_graphs or named_graphs:
        fields["default_graphs"], fields["named_graphs"] = tuple(default_graphs), tuple(named_graphs)
    # Unknown format values are ignored rather than refused: clients such as SPARQLWrapper
    # send format / output / results with their own spellings, sometimes twice.
    for value in params.get("format") or []:
        types = format_types(value)
        if types is not None:
            fields.update(format=value, forced=True, results_type=types[0], graph_type=types[1])
            break
    return QueryRequest(query, accept, **fields)
