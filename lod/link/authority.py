"""The authority table (``vocab/authorities.tsv``): what the offline linker knows.

Each row is one entity: a display label, a kind, a Wikidata QID only where it was
verified, the names that identify it on their own (aliases), names that identify
it only in a document that already names it in full (context aliases), and the
period in which the item is the right reading of those names. Several rows may
describe one entity (same kind and label): they are one entity with a union of
names. A local table (``lod review accept`` writes one) is layered on top.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lod.iris import slug
from lod.model import ORGANIZATION, PERSON, PLACE
from lod.read.fields import fold
from lod.link.names import surname, tokens
from lod.vocab import vocab_path

TABLE = "authorities.tsv"
COLUMNS = ("label", "kind", "qid", "aliases", "context_aliases", "demonyms", "from", "until", "note",
           "evidence")
KINDS = {"person": PERSON, "organization": ORGANIZATION, "place": PLACE, "event": "event", "other": "other"}


@dataclass(frozen=True)
class Period:
    """Months as (year, month) pairs; open ends are None."""

    start: tuple[int, int] | None = None
    end: tuple[int, int] | None = None

    def overlaps(self, start: tuple[int, int], end: tuple[int, int]) -> bool:
        return (self.start is None or end >= self.start) and (self.end is None or start <= self.end)


@dataclass(frozen=True)
class Authority:
    key: str  # "person/kim-il-sung": the shared part of the entity's IRI
    label: str
    kind: str
    qid: str | None
    aliases: tuple[str, ...]
    context_aliases: tuple[str, ...]
    periods: tuple[Period, ...]
    note: str = ""

    def fits(self, date_range: tuple[tuple[int, int], tuple[int, int]] | None) -> bool:
        """Whether the item is a right reading for a document of that date (unknown date: yes)."""
        if date_range is None or not self.periods:
            return True
        return any(period.overlaps(*date_range) for period in self.periods)


def _month(text: str, end: bool) -> tuple[int, int] | None:
    text = text.strip()
    if not text:
        return None
    year, _, month = text.partition("-")
    return int(year), int(month) if month else (12 if end else 1)


def _split(value: str | None) -> list[str]:
    return [item.strip() for item in (value or "").split("|") if item.strip()]


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        lines = (line for line in handle if line.strip() and not line.startswith("#"))
        return [dict(row) for row in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)]


class AuthorityIndex:
    """Lookups by folded name, by context name and by surname.

    Labels are display names only: a name matches through the ``aliases`` column,
    so a near-miss row (the island of Ireland) can keep its label without
    competing for the bare name.
    """

    def __init__(self, rows: list[dict[str, str]]):
        #: What the index was built from (a resumed export must link with the same table).
        self.fingerprint = hashlib.sha256(json.dumps(rows, sort_keys=True).encode("utf-8")).hexdigest()
        merged: dict[str, dict] = {}
        demonyms: set[str] = set()
        for row in rows:
            kind = KINDS.get((row.get("kind") or "").strip().lower())
            label = (row.get("label") or "").strip()
            if not kind or not label:
                continue
            key = f"{kind}/{slug(label)}"
            entry = merged.setdefault(key, {"label": label, "kind": kind, "qid": None, "aliases": [],
                                            "context": [], "periods": [], "note": ""})
            qid = (row.get("qid") or "").strip()
            if qid and entry["qid"] not in (None, qid):
                raise ValueError(f"authority table: {label!r} ({kind}) has two QIDs, "
                                 f"{entry['qid']} and {qid}; give the rows distinct labels")
            entry["qid"] = qid or entry["qid"]
            entry["aliases"] += _split(row.get("aliases")) + _split(row.get("demonyms"))
            demonyms.update(fold(name) for name in _split(row.get("demonyms")))
            entry["context"] += _split(row.get("context_aliases"))
            start, end = _month(row.get("from") or "", False), _month(row.get("until") or "", True)
            if start or end:
                entry["periods"].append(Period(start, end))
            entry["note"] = entry["note"] or (row.get("note") or "").strip()
        self.entries = {
            key: Authority(key, e["label"], e["kind"], e["qid"], tuple(dict.fromkeys(e["aliases"])),
                           tuple(dict.fromkeys(e["context"])), tuple(e["periods"]), e["note"])
            for key, e in merged.items()
        }
        self.by_name: dict[str, list[Authority]] = defaultdict(list)
        self.by_context_name: dict[str, list[Authority]] = defaultdict(list)
        self.by_surname: dict[str, list[Authority]] = defaultdict(list)
        self.explicit_surnames: set[str] = set()  # bare surnames the table lists as aliases
        self.by_qid: dict[str, list[Authority]] = defaultdict(list)
        self.max_tokens = 1
        for entry in self.entries.values():
            if entry.qid:
                self.by_qid[entry.qid].append(entry)
            for alias in entry.aliases:
                folded = fold(alias)
                if not folded:
                    continue
                if entry.kind == PERSON and " " not in folded:
                    self._add(self.by_surname, folded, entry)  # a bare surname: the surname rule decides
                    self.explicit_surnames.add(folded)
                    continue
                self._add(self.by_name, folded, entry)
                self.max_tokens = max(self.max_tokens, len(tokens(alias)))
            for alias in entry.context_aliases:
                self._add(self.by_context_name, fold(alias), entry)
                self.max_tokens = max(self.max_tokens, len(tokens(alias)))
            if entry.kind == PERSON:
                for alias in entry.aliases:
                    name = surname(alias)
                    if name:
                        self._add(self.by_surname, name, entry)
        #: Adjectives that name a state (``Chinese``): they link, but are no name of it.
        self.demonyms = frozenset(demonyms)
        names = (*self.by_name, *self.by_context_name, *self.by_surname)
        self.names = frozenset(names)  # any of the three tables knows it: one lookup, not three
        tables = (self.by_name, self.by_context_name, self.by_surname)
        #: The kinds each name may be, and the names that are only a person's surname (text scanning).
        self.kinds_by_name = {name: frozenset(entry.kind for table in tables for entry in table.get(name, ()))
                              for name in self.names}
        self.surname_only = frozenset(self.by_surname).difference(self.by_name, self.by_context_name)
        self.start_tokens = {name.split(" ")[0] for name in names}
        # Every word-prefix of every name, so text scanning can stop as soon as none fits.
        self.prefixes = {" ".join(name.split(" ")[:n]) for name in names
                         for n in range(1, name.count(" ") + 2)}

    @staticmethod
    def _add(index: dict, name: str, entry: Authority) -> None:
        if entry not in index[name]:
            index[name].append(entry)


@lru_cache(maxsize=8)
def load_index(extra: str | None = None) -> AuthorityIndex:
    """The packaged table, with an optional local table layered on top."""
    rows = read_rows(vocab_path(TABLE))
    if extra and Path(extra).exists():
        rows += read_rows(Path(extra))
    return AuthorityIndex(rows)
