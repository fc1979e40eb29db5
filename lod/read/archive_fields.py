"""Records carried in the archive's own field names (JSON Lines and CSV share this).

The names are those of the Wilson Center archive's scraped data; docs/input.md lists
them. Unknown fields (``_provenance``, ``scraped_at`` ...) are ignored.
"""

from __future__ import annotations

import datetime
import json
import math
import re
from collections.abc import Callable
from dataclasses import replace
from urllib.parse import urlsplit

from lod.errors import Place, ReadError
from lod.limits import URL_CHARS, Limits
from lod.model import ORGANIZATION, LinkDecision, Origin, Record
from lod.read import fields as F

#: Field name -> what it holds. The field table of docs/input.md is generated from this.
FIELDS = {
    "title": "title (required)",
    "original_publication_date": "document date: `October 15, 1956`, `November 1967`, `1949`, ISO",
    "summary": "summary (abstract)",
    "description": "a separate description sentence (optional)",
    "text_body": "full text of the (translated) document",
    "authors": "list: persons or organizations that wrote it",
    "document_contributors": "list: persons who took part (e.g. both sides of a conversation)",
    "associated_people_orgs": "list: persons and organizations it is about",
    "associated_places": "list: places it is about",
    "subjects_discussed": "list: LCSH-style subject headings (`China--Foreign relations--Japan`)",
    "source": "archive signature and credits",
    "original_archive_title": "list: archive(s) holding the original",
    "language": "list: language(s) of the original (`Japanese`)",
    "record_id": "the archive's record ID",
    "donors": "list: funders",
    "credits": "funding sentence (`This document was made possible with support from X`)",
    "rights": "rights text",
    "document_url": "landing page on the archive's site",
    "original_classification": "security classification of the original (`Top Secret`)",
    "original_upload_date": "date the archive published it (`2023-10-05`)",
    "citation": "the archive's citation line (optional)",
    "wikidata": "optional: known Wikidata items, `{\"name as printed\": \"Q123\"}`",
}
LIST_FIELDS = {
    "authors", "document_contributors", "associated_people_orgs", "associated_places",
    "subjects_discussed", "original_archive_title", "language", "donors",
}
_QID = re.compile(r"^Q[1-9][0-9]*$")
_SURROGATE = re.compile("[\ud800-\udfff]")
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def record_from_fields(values: dict, origin: Origin, separator: str | None = None,
                       limits: Limits = Limits()) -> Record:
    """A Record from one row; raises ReadError (with the place) when it cannot be exported,
    or holds more than ``limits`` allow (checked on the values as read, before any is parsed)."""
    def at(name: str) -> Place:
        return Place(origin.file, origin.line, origin.record, name)

    def text(name: str) -> str | None:
        value = values.get(name)
        return value if value is None or type(value) is str else str(value)  # a number (shapes checked)

    def items(name: str) -> list[str]:
        value = _list_value(values.get(name), name, at)
        count = len(value) if isinstance(value, list) else (value or "").count(separator or "\0") + 1
        if count > limits.list_items:  # before the values become entities, a thousand at most
            raise ReadError(_too_many(count, limits), at(name))
        return F.split_list(value, separator)

    for name in FIELDS.keys() & values.keys():
        value = values[name]
        problem = (type(value) is not str and _wrong_shape(name, value)) or _unwritable(value, limits)
        if problem:
            raise ReadError(problem, at(name))

    title = F.clean_line(text("title"))
    if not title:
        raise ReadError("record has no title", at("title"))
    body = F.clean_text(text("text_body"))
    date = F.parse_date(text("original_publication_date"))
    warnings = []
    if date and date.iso is None:
        warnings.append(f"date {date.text!r} is not a date; kept as text")
    upload_date = F.clean_line(text("original_upload_date"))
    if upload_date and not _is_day(upload_date):
        warnings.append(f"upload date {upload_date!r} is not a date (YYYY-MM-DD); the description "
                        "is dated when lod first exported it")
    url = text("document_url")
    problem = _unusable_url(url)
    if problem:
        warnings.append(f"document_url {url.strip()[:200]!r} is not a URL ({problem}); "
                        "the key comes from the record ID or title")
    elif url and len(url.strip()) > URL_CHARS:
        warnings.append(f"document_url is {len(url.strip()):,} characters, over the {URL_CHARS:,} lod "
                        "writes as an IRI: the document has no schema:url")
    qids = _qids(values.get("wikidata"), separator, at)
    funders = [*items("donors"), *F.funders_from_credit(text("credits"))]

    def agents(name: str, kind: str | None = None):
        return tuple(_with_qid(F.agent_from_printed(n, kind), qids) for n in items(name))

    return Record(
        title=title,
        identifiers=F.identifiers(url, text("record_id"), title, date, F.document_numbers(body)),
        origin=origin,
        description=F.clean_text(text("description")),
        summary=F.clean_text(text("summary")),
        body=body,
        date=date,
        authors=agents("authors"),
        contributors=agents("document_contributors"),
        associated=agents("associated_people_orgs"),
        places=tuple(_with_qid(F.place_from_printed(n), qids) for n in items("associated_places")),
        archives=agents("original_archive_title", ORGANIZATION),
        funders=tuple(_with_qid(F.agent_from_printed(n, ORGANIZATION), qids)
                      for n in F.unique_names(funders)),
        subjects=tuple(_subject(s, limits, at) for s in items("subjects_discussed")),
        citation=F.clean_line(text("citation")),
        source=F.clean_text(text("source")),
        classification=F.clean_line(text("original_classification")),
        rights=F.clean_text(text("rights")),
        credit=F.clean_line(text("credits")),
        languages=tuple(items("language")),
        upload_date=upload_date,
        warnings=tuple(warnings),
    )


class TooDeep(ValueError):
    """JSON nested deeper than the parser goes (Python's recursion limit, about 1,000 levels;
    a record needs two)."""


def loads(text: str):
    """A JSON value; ValueError (its message says why) for what is not JSON, including
    ``NaN``/``Infinity`` (which Python's parser accepts) and :class:`TooDeep` nesting."""
    try:
        return _DECODER.decode(text)
    except RecursionError:
        raise TooDeep("nested too deeply for the JSON parser (about 1,000 levels)") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"{error.msg} at column {error.colno}") from None


def _not_json(constant: str):
    raise ValueError(f"{constant} is not a JSON value")


_DECODER = json.JSONDecoder(parse_constant=_not_json)  # json.loads would make one a call


def _is_day(text: str) -> bool:
    """Whether ``text`` is a real day in ISO form (``2023-02-30`` is not)."""
    if not _ISO_DAY.fullmatch(text):
        return False
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _wrong_shape(name: str, value) -> str | None:
    """Why a field's JSON value is not of its kind (text, or a list of texts), or None."""
    kind = type(value)
    if kind is str or value is None:
        return None
    if name in LIST_FIELDS:
        if kind is not list:
            return f"should be a list or text, not {_json_kind(value)}"
        for number, item in enumerate(value, 1):
            if not (item is None or type(item) is str or _is_number(item)):
                return f"value {number} is {_json_kind(item)}; a list holds text"
        return None
    if name == "wikidata":
        if kind is dict and all(type(qid) is str for qid in value.values()):
            return None
        return "must map names to QIDs"
    return None if _is_number(value) else f"should be text, not {_json_kind(value)}"


def _is_number(value) -> bool:
    return type(value) is int or type(value) is float and math.isfinite(value)


def _json_kind(value) -> str:
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return {dict: "an object", list: "a list"}.get(type(value), type(value).__name__)


def _list_value(value, name: str, at: Callable[[str], Place]):
    """A list field as a list, or text to split: a JSON-encoded list (how the archive stores
    lists) is decoded and held to the rules of a list; text that starts with a bracket but
    is no JSON list is one value."""
    if type(value) is not str:
        return value
    stripped = value.strip()
    if not stripped.startswith("["):
        return value
    try:
        decoded = loads(stripped)
    except TooDeep as error:
        raise ReadError(f"JSON-encoded list {error}", at(name)) from None
    except ValueError:
        return [value]
    problem = _wrong_shape(name, decoded) or _unwritable(decoded)
    if problem:
        raise ReadError(problem + " (in its JSON-encoded list)", at(name))
    return decoded


#: Record attribute -> the archive field it is read from, for the messages of :func:`over_limits`.
_TEXT_FIELDS = {
    "title": "title", "description": "description", "summary": "summary", "body": "text_body",
    "citation": "citation", "source": "source", "classification": "original_classification",
    "rights": "rights", "credit": "credits", "upload_date": "original_upload_date",
}
_LIST_FIELDS = {
    "authors": "authors", "contributors": "document_contributors", "associated": "associated_people_orgs",
    "places": "associated_places", "archives": "original_archive_title", "funders": "donors",
    "subjects": "subjects_discussed", "languages": "language",
}


def _subject(printed: str, limits: Limits, at: Callable[[str], Place]):
    if printed.count("--") >= limits.subject_parts:  # before the heading is split
        subject = F.subject_from_printed(printed)
        if len(subject.parts) > limits.subject_parts:
            raise ReadError(_too_many_parts(len(subject.parts), limits), at("subjects_discussed"))
        return subject
    return F.subject_from_printed(printed)


def over_limits(record: Record, limits: Limits) -> ReadError | None:
    """The rejection of a record that holds more than ``limits`` allow, or None: for readers
    that do not check their values as :func:`record_from_fields` does (pages)."""
    origin = record.origin

    def error(name: str, reason: str) -> ReadError:
        return ReadError(reason, Place(origin.file, origin.line, origin.record, name))

    ids = record.identifiers
    texts = [(_TEXT_FIELDS[name], getattr(record, name)) for name in _TEXT_FIELDS]
    texts += [("original_publication_date", record.date and record.date.text), ("document_url", ids.url),
              ("record_id", ids.record_id)]
    for name, text in texts:
        if text and _longer(text, limits.field_bytes):
            return error(name, _too_long(text, limits))
    for attribute, name in _LIST_FIELDS.items():
        values = getattr(record, attribute)
        if len(values) > limits.list_items:
            return error(name, _too_many(len(values), limits))
        for value in values:
            text = value if type(value) is str else getattr(value, "printed", None) or value.label
            if _longer(text, limits.field_bytes):
                return error(name, _too_long(text, limits))
            parts = getattr(value, "parts", ())
            if len(parts) > limits.subject_parts:
                return error(name, _too_many_parts(len(parts), limits))
    return None


def _too_many_parts(count: int, limits: Limits) -> str:
    return (f"subject heading has {count:,} '--' parts, over the {limits.subject_parts:,} "
            "a heading may have (limits.subject_parts)")


def _longer(text: str, most: int) -> bool:
    """Whether ``text`` is over ``most`` bytes in UTF-8 (encoded only when it could be)."""
    return len(text) > most or len(text) * 4 > most and len(text.encode("utf-8", "surrogatepass")) > most


def _too_long(text: str, limits: Limits) -> str:
    size = len(text.encode("utf-8", "surrogatepass"))
    return f"{size:,} bytes of text, over the {limits.field_bytes:,} a field may hold (limits.field_bytes)"


def _too_many(count: int, limits: Limits) -> str:
    return f"{count:,} values, over the {limits.list_items:,} a list may hold (limits.list_items)"


def _unusable_url(url: str | None) -> str | None:
    """Why text is not a URL at all (``urlsplit`` refuses it: a stray ``[``), or None."""
    if not url:
        return None
    try:
        urlsplit(url.strip())
    except ValueError as error:
        return str(error)
    return None


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)


def _unwritable(value, limits: Limits | None = None) -> str | None:
    """Why a field's text cannot reach any output, or None; with ``limits``, also a text
    over the field size limit (one walk over the value's texts for both).

    JSON can carry a NUL (escaped) and a lone surrogate (``\\ud800``), which no UTF-8
    file can hold; the record is rejected here rather than failing at write time.
    """
    most = limits.field_bytes if limits is not None else None
    for text in (value,) if isinstance(value, str) else _strings(value):  # most fields: one string
        if "\x00" in text:
            return "contains a NUL byte"
        if not text.isascii() and _SURROGATE.search(text):  # an ASCII string holds no surrogate
            return "contains a lone surrogate (an escaped \\ud800-\\udfff), which UTF-8 cannot hold"
        if most is not None and len(text) * 4 > most and _longer(text, most):  # UTF-8: 4 bytes a character at most
            return _too_long(text, limits)
    return None


def _qids(value, separator: str | None, at: Callable[[str], Place]) -> dict[str, str]:
    """The optional ``wikidata`` field: name as printed -> QID."""
    if value in (None, ""):
        return {}
    place = at("wikidata")
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("{"):
            try:
                value = loads(stripped)
            except ValueError as error:
                raise ReadError(f"not a JSON object ({error})", place) from None
            problem = _wrong_shape("wikidata", value) or _unwritable(value)
            if problem:
                raise ReadError(problem, place)
        else:  # CSV: "Name=Q1|Other=Q2"
            pairs = [p.rpartition("=") for p in stripped.split(separator or "|") if p.strip()]
            value = {name.strip(): qid.strip() for name, _, qid in pairs}
    if not isinstance(value, dict):
        raise ReadError("must map names to QIDs", place)
    for name, qid in value.items():
        if not isinstance(qid, str) or not _QID.match(qid):
            raise ReadError(f"{qid!r} for {name!r} is not a Wikidata QID", place)
    return {F.fold(name): qid for name, qid in value.items()}


def _with_qid(entity, qids: dict[str, str]):
    if not qids:  # most records: no fold to compute
        return entity
    qid = qids.get(F.fold(entity.printed)) or qids.get(F.fold(entity.name))
    if not qid:
        return entity
    return replace(entity, qid=qid, link=LinkDecision("linked", "input", 1.0, qid))
