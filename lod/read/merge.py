"""One document per document: captures of one archive record merged, same-titled documents kept apart.

The archive's pages are captured more than once: at two addresses, in two layouts, as the
site and as a re-hosted copy of its PDF export, cut off at different lengths. Records are
first grouped by :func:`group_key` (the title, however it was printed); :func:`documents`
then decides, within a group, which records are captures of one document:

* the same landing-page key or record ID: one document; two different keys of the same
  form (``x`` and ``x-0``, two numbers) or two record IDs: two documents, whatever else
  they share;
* otherwise dates that agree (one may be less precise) and texts that agree (one a
  cut-off of the other, or both printing the same passage): one document.

Captures are merged field by field: the complete value wins over a cut-off one, lists
are united, and every capture's origin is kept (``Record.merged``), for provenance and
the report. Documents that stay distinct but would share a minted key (same title, same
date) each take a disambiguator from their own text. Everything here is decided from the
records' content, never from their input order.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from functools import lru_cache

from lod.model import ROLES, Entity, Identifiers, Origin, Record
from lod.read.fields import fold
from lod.read.keys import (
    disambiguated, document_key, is_minted, key_from_url, minted_key, title_identity, url_key_form,
)

#: Normalised characters a probe of one text looks for in another (enough to be specific).
PROBE = 120
#: Texts shorter than this say too little to tell two documents apart.
EVIDENCE = 40
#: Preference among a document's addresses: the archive's slug first (its current form).
URL_FORMS = ("slug", "number", "node")
_TEXT_FIELDS = ("description", "summary", "body", "citation", "source", "classification", "rights",
                "credit", "upload_date")
_NOT_ALNUM = re.compile(r"[\W_]+")


def group_key(title: str) -> str:
    """Records that may be captures of one document share this: their title's identity."""
    return title_identity(title)


def documents(records: list[Record]) -> list[Record]:
    """The documents a group of records (same :func:`group_key`) holds, each with its final key."""
    clusters: list[list[Record]] = []
    for record in sorted(records, key=_rank):
        home = next((c for c in clusters if all(_same_document(r, record) for r in c)), None)
        if home is None:
            clusters.append([record])
        else:
            home.append(record)
    merged = [merge(cluster) for cluster in clusters]
    return _distinct_keys(merged)


def merge(captures: list[Record]) -> Record:
    """One record from captures of one document.

    Where captures print different values for one field (neither a cut-off of the other),
    the best-ranked capture's value is kept and a warning says which captures disagreed.
    """
    captures = sorted(captures, key=_rank)
    if len(captures) == 1:
        return captures[0]
    best = captures[0]
    warnings = [w for r in captures for w in r.warnings]
    values = {}
    for name in ("title", *_TEXT_FIELDS):
        values[name], disagree = _complete([getattr(r, name) for r in captures])
        if disagree:
            warnings.append(f"captures disagree on {name}: kept the one of {_where(captures[0].origin)}, "
                            f"not that of {', '.join(_where(captures[i].origin) for i in disagree)}")
    date = _most_precise([r.date for r in captures]) or best.date
    lists = {role: _united([getattr(r, role) for r in captures], _entity_identity) for role in ROLES}
    urls = sorted(dict.fromkeys(u for r in captures for u in (r.identifiers.url, *r.identifiers.other_urls) if u),
                  key=_url_preference)
    record_id = next((r.identifiers.record_id for r in captures if r.identifiers.record_id), None)
    numbers = tuple(dict.fromkeys(n for r in captures for n in r.identifiers.document_numbers))
    url = urls[0] if urls else None
    identifiers = Identifiers(record_id=record_id, document_numbers=numbers, url=url,
                              key=document_key(url, record_id, values["title"], date), other_urls=tuple(urls[1:]))
    origins = sorted({o for r in captures for o in r.origins} - {best.origin}, key=_origin_order)
    return replace(
        best, date=date, identifiers=identifiers, merged=tuple(origins),
        subjects=_united([r.subjects for r in captures], lambda s: fold(s.label)),
        languages=_united([r.languages for r in captures], fold),
        warnings=tuple(dict.fromkeys(warnings)), **values, **lists,
    )


def _where(origin: Origin) -> str:
    return f"{origin.file}, line {origin.line}" if origin.line else origin.file


# --- which records are one document ------------------------------------------------------


def _same_document(one: Record, other: Record) -> bool:
    keys = key_from_url(one.identifiers.url), key_from_url(other.identifiers.url)
    if all(keys):
        if keys[0] == keys[1]:
            return True
        if url_key_form(keys[0]) == url_key_form(keys[1]):
            return False
    ids = one.identifiers.record_id, other.identifiers.record_id
    if all(ids):
        return ids[0] == ids[1]
    return _dates_agree(one, other) and _texts_agree(one, other)


def _dates_agree(one: Record, other: Record) -> bool:
    a, b = one.date, other.date
    if a is None or b is None:
        return True
    if a.iso and b.iso:
        return a.iso.startswith(b.iso) or b.iso.startswith(a.iso)
    if a.iso or b.iso:
        return True  # a printed date lod could not read contradicts nothing
    return fold(a.text) == fold(b.text)


def _texts_agree(one: Record, other: Record) -> bool:
    """No text of one contradicts the other: where both print a body (or a summary), one holds
    a passage of the other. Spaces, punctuation and case aside, so a copy whose words run
    together at line ends, or that hyphenates them, still agrees."""
    for name in ("body", "summary"):
        a, b = _normalised(getattr(one, name)), _normalised(getattr(other, name))
        if len(a) < EVIDENCE or len(b) < EVIDENCE:
            continue
        shorter, longer = sorted((a, b), key=len)
        if not any(probe in longer for probe in _probes(shorter)):
            return False
    return True


def _probes(text: str) -> list[str]:
    """Passages of a text to look for in another: its opening, middle and end (so a heading one
    capture prints and the other does not, or a cut end, does not hide the match)."""
    if len(text) <= PROBE:
        return [text]
    return [text[start:start + PROBE] for start in (0, (len(text) - PROBE) // 2, len(text) - PROBE)]


@lru_cache(maxsize=256)
def _normalised(text: str | None) -> str:
    return _NOT_ALNUM.sub("", fold(text)) if text else ""


# --- merging ---------------------------------------------------------------------------------


def _rank(record: Record) -> tuple:
    """Best capture first: the one with the archive's identifiers and the most text; ties are
    broken by content, then by origin, so the order of the input never decides."""
    identified = (record.identifiers.url is None, record.identifiers.record_id is None)
    length = sum(len(getattr(record, name) or "") for name in ("title", *_TEXT_FIELDS))
    entities = sum(1 for _ in record.entities())
    return (*identified, -length, -entities, _fingerprint(record), _origin_order(record.origin))


def _fingerprint(record: Record) -> str:
    parts = [record.title, record.date.text if record.date else "", record.identifiers.url or "",
             *(getattr(record, name) or "" for name in _TEXT_FIELDS)]
    return hashlib.sha1("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def _origin_order(origin: Origin) -> tuple:
    return origin.file, origin.line or 0, origin.record or 0


def _complete(values: list) -> tuple[str | None, list[int]]:
    """The best-ranked value, or a longer one it is the cut-off start of (``values``: best first);
    and the positions of values that are neither (the captures that disagree)."""
    present = [(i, v) for i, v in enumerate(values) if v]
    if not present:
        return None, []
    chosen = present[0][1]
    for _, value in present[1:]:
        if len(value) > len(chosen) and _normalised(value).startswith(_normalised(chosen)):
            chosen = value
    kept = _normalised(chosen)
    return chosen, [i for i, v in present if not kept.startswith(_normalised(v))]


def _most_precise(dates: list):
    dated = [d for d in dates if d is not None and d.iso]
    return max(dated, key=lambda d: len(d.iso), default=None)


def _united(lists: list[tuple], identity) -> tuple:
    kept: dict = {}
    for items in lists:
        for item in items:
            kept.setdefault(identity(item), item)
    return tuple(kept.values())


def _entity_identity(entity: Entity) -> tuple:
    return entity.kind, fold(entity.name)


def _url_preference(url: str) -> tuple:
    key = key_from_url(url)
    form = URL_FORMS.index(url_key_form(key)) if key else len(URL_FORMS)
    return form, url


# --- keys ------------------------------------------------------------------------------------------


def _distinct_keys(records: list[Record]) -> list[Record]:
    """Give documents of one group that would share a key keys of their own.

    A key from the archive (URL, record ID) stays with the best-ranked document that has
    it; a minted key (title and date) that two documents share is disambiguated for each
    of them by its own opening words (by all its text if those are alike too), so neither
    takes a key that depends on the other.
    """
    for text in (_text, _fingerprint):
        by_key: dict[str, list[Record]] = {}
        for record in records:
            by_key.setdefault(record.key, []).append(record)
        if all(len(same) == 1 for same in by_key.values()):
            break
        records = [
            r if len(same) == 1 or (r is same[0] and not is_minted(key))
            else _with_key(r, disambiguated(minted_key(r.title, r.date), text(r)))
            for key, same in by_key.items() for r in same
        ]
    return records


def _text(record: Record) -> str:
    """What tells a document from another with its title and date: its own opening words."""
    for name in ("body", "summary", "description", "citation", "source"):
        text = _normalised(getattr(record, name))
        if text:
            return text[:200]
    return _fingerprint(record)


def _with_key(record: Record, key: str) -> Record:
    return replace(record, identifiers=replace(record.identifiers, key=key))

