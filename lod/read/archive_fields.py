"""Records carried in the archive's own field names (JSON Lines and CSV share this).

The names are those of the Wilson Center archive's scraped data; README.md lists
them. Unknown fields (``_provenance``, ``scraped_at`` ...) are ignored.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace

from lod.errors import Place, ReadError
from lod.model import ORGANIZATION, LinkDecision, Origin, Record
from lod.read import fields as F

#: Field name -> what it holds. The README's field table is generated from this.
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


def record_from_fields(values: dict, origin: Origin, separator: str | None = None) -> Record:
    """A Record from one row; raises ReadError (with the place) when it cannot be exported."""
    place = Place(origin.file, line=origin.line, record=origin.record)

    def text(name: str) -> str | None:
        value = values.get(name)
        if value is None:
            return None
        if not isinstance(value, (str, int, float)):
            raise ReadError(f"field {name!r} should be text, not {type(value).__name__}",
                            Place(origin.file, origin.line, origin.record, name))
        return str(value)

    def items(name: str) -> list[str]:
        value = values.get(name)
        if value is not None and not isinstance(value, (str, list)):
            raise ReadError(f"field {name!r} should be a list or text",
                            Place(origin.file, origin.line, origin.record, name))
        return F.split_list(value, separator)

    for name in FIELDS.keys() & values.keys():
        problem = _unwritable(values[name])
        if problem:
            raise ReadError(problem, Place(origin.file, origin.line, origin.record, name))

    title = F.clean_line(text("title"))
    if not title:
        raise ReadError("record has no title", Place(origin.file, origin.line, origin.record, "title"))
    body = F.clean_text(text("text_body"))
    date = F.parse_date(text("original_publication_date"))
    warnings = []
    if date and date.iso is None:
        warnings.append(f"date {date.text!r} is not a date; kept as text")
    qids = _qids(values.get("wikidata"), separator, place)
    funders = [*items("donors"), *F.funders_from_credit(text("credits"))]

    def agents(name: str, kind: str | None = None):
        return tuple(_with_qid(F.agent_from_printed(n, kind), qids) for n in items(name))

    return Record(
        title=title,
        identifiers=F.identifiers(text("document_url"), text("record_id"), title, date,
                                  F.document_numbers(body)),
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
        subjects=tuple(F.subject_from_printed(s) for s in items("subjects_discussed")),
        citation=F.clean_line(text("citation")),
        source=F.clean_text(text("source")),
        classification=F.clean_line(text("original_classification")),
        rights=F.clean_text(text("rights")),
        credit=F.clean_line(text("credits")),
        languages=tuple(items("language")),
        upload_date=F.clean_line(text("original_upload_date")),
        warnings=tuple(warnings),
    )


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


def _unwritable(value) -> str | None:
    """Why a field's text cannot reach any output, or None.

    JSON can carry a NUL (escaped) and a lone surrogate (``\\ud800``), which no UTF-8
    file can hold; the record is rejected here rather than failing at write time.
    """
    for text in (value,) if isinstance(value, str) else _strings(value):  # most fields: one string
        if "\x00" in text:
            return "contains a NUL byte"
        if not text.isascii() and _SURROGATE.search(text):  # an ASCII string holds no surrogate
            return "contains a lone surrogate (an escaped \\ud800-\\udfff), which UTF-8 cannot hold"
    return None


def _qids(value, separator: str | None, place: Place) -> dict[str, str]:
    """The optional ``wikidata`` field: name as printed -> QID."""
    if value in (None, ""):
        return {}
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("{"):
            try:
                value = json.loads(stripped)
            except json.JSONDecodeError:
                raise ReadError("field 'wikidata' is not a JSON object", place) from None
        else:  # CSV: "Name=Q1|Other=Q2"
            pairs = [p.rpartition("=") for p in stripped.split(separator or "|") if p.strip()]
            value = {name.strip(): qid.strip() for name, _, qid in pairs}
    if not isinstance(value, dict):
        raise ReadError("field 'wikidata' must map names to QIDs", place)
    for name, qid in value.items():
        if not isinstance(qid, str) or not _QID.match(qid):
            raise ReadError(f"field 'wikidata': {qid!r} for {name!r} is not a Wikidata QID", place)
    return {F.fold(name): qid for name, qid in value.items()}


def _with_qid(entity, qids: dict[str, str]):
    if not qids:  # most records: no fold to compute
        return entity
    qid = qids.get(F.fold(entity.printed)) or qids.get(F.fold(entity.name))
    if not qid:
        return entity
    return replace(entity, qid=qid, link=LinkDecision("linked", "input", 1.0, qid))
