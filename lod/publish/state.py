"""Incremental export: what the last export held (``state.json``) and what changed (``journal.jsonl``).

The state maps each document key to its content digest and two times: when it was
first seen (kept for ``prov:generatedAtTime``) and when its content last changed.
It carries a SHA-256 of its own canonical content, so a truncated or edited file
is detected and the caller re-exports everything instead of trusting a wrong delta
(:func:`recover_state` rebuilds keys and times from the journal; digests stay unknown,
so every live document is announced again as an Update).

The journal is the history the change feed is built from, one JSON object per line,
oldest first, ``seq`` increasing from 1. Write the journal before the
state: entries past the state's ``seq`` then belong to a run that never finished,
and the next run replaces them instead of announcing the same changes twice.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from lod.publish.files import write_text

VERSION = 1
CREATE, UPDATE, DELETE = "Create", "Update", "Delete"
CHANGE_TYPES = (CREATE, UPDATE, DELETE)
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\Z")


@dataclass(frozen=True)
class DocumentState:
    digest: str  # "" when unknown (state recovered from the journal)
    first_seen: str  # ISO 8601 UTC, e.g. 2024-05-01T12:00:00Z
    modified: str


@dataclass(frozen=True)
class State:
    documents: dict[str, DocumentState] = field(default_factory=dict)
    seq: int = 0  # the last journal entry this state includes


@dataclass(frozen=True)
class Change:
    type: str  # Create | Update | Delete
    key: str
    time: str


@dataclass(frozen=True)
class JournalEntry:
    seq: int
    time: str
    type: str
    key: str


def utc_now() -> str:
    """The current time in the one format state, journal and feed use.

    ``SOURCE_DATE_EPOCH`` (the reproducible-builds convention) pins it, so two
    fresh exports of the same input are byte-identical, time stamps included.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), timezone.utc) if epoch and epoch.isdigit() \
        else datetime.now(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _canonical(payload: dict) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _payload(state: State) -> dict:
    return {"version": VERSION, "seq": state.seq,
            "documents": {key: {"digest": doc.digest, "first_seen": doc.first_seen,
                                "modified": doc.modified}
                          for key, doc in sorted(state.documents.items())}}


def save_state(path: Path, state: State) -> bool:
    """Atomically write the state; return False (file untouched) when its bytes would not change."""
    payload = _payload(state)
    payload["checksum"] = hashlib.sha256(_canonical(payload)).hexdigest()
    return write_text(path, json.dumps(payload, sort_keys=True, indent=1, ensure_ascii=False) + "\n")


def load_state(path: Path) -> tuple[State | None, str | None]:
    """``(state, None)``; ``(None, None)`` when there is none yet; ``(None, reason)`` when unusable."""
    try:
        payload = json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        return None, None
    except (OSError, ValueError) as error:
        return None, f"state file is not readable JSON ({error})"
    if not isinstance(payload, dict):
        return None, "state file is not a JSON object"
    checksum = payload.pop("checksum", None)
    if payload.get("version") != VERSION:
        return None, f"state file has version {payload.get('version')!r}, expected {VERSION}"
    if checksum != hashlib.sha256(_canonical(payload)).hexdigest():
        return None, "state file checksum does not match its content"
    try:
        documents = {key: DocumentState(doc["digest"], doc["first_seen"], doc["modified"])
                     for key, doc in payload["documents"].items()}
        state = State(documents, payload["seq"])
    except (KeyError, TypeError, AttributeError) as error:
        return None, f"state file is malformed ({error!r})"
    strings = all(isinstance(value, str) for doc in documents.values()
                  for value in (doc.digest, doc.first_seen, doc.modified))
    if not strings or type(state.seq) is not int or _payload(state) != payload:
        return None, "state file is malformed"
    return state, None


def recover_state(entries: list[JournalEntry]) -> State:
    """The keys and times the journal implies, for when the state file is missing or corrupt."""
    documents: dict[str, DocumentState] = {}
    for entry in entries:
        if entry.type == DELETE:
            documents.pop(entry.key, None)
        else:
            first_seen = documents[entry.key].first_seen if entry.key in documents else entry.time
            documents[entry.key] = DocumentState("", first_seen, entry.time)
    return State(documents, entries[-1].seq if entries else 0)


def plan_changes(old: State | None, new_digests: dict[str, str],
                 now: str) -> tuple[State, list[Change]]:
    """The next state and the changes that lead to it, sorted by key.

    Unchanged documents keep their entries as they were, so an unchanged run gives
    an equal state (and :func:`save_state` leaves the file alone).
    """
    if not _TIME.match(now):
        raise ValueError(f"time must be UTC ISO 8601 like 2024-05-01T12:00:00Z: {now!r}")
    old = old or State()
    documents: dict[str, DocumentState] = {}
    changes: list[Change] = []
    for key in sorted(old.documents.keys() | new_digests.keys()):
        before = old.documents.get(key)
        if key not in new_digests:
            changes.append(Change(DELETE, key, now))
        elif before is None:
            documents[key] = DocumentState(new_digests[key], now, now)
            changes.append(Change(CREATE, key, now))
        elif before.digest != new_digests[key]:
            documents[key] = DocumentState(new_digests[key], before.first_seen, now)
            changes.append(Change(UPDATE, key, now))
        else:
            documents[key] = before
    return State(documents, old.seq + len(changes)), changes


def read_journal(path: Path) -> list[JournalEntry]:
    """All entries, oldest first ([] when there is no journal); raises ValueError on a damaged line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    if text and not text.endswith("\n"):
        raise ValueError(f"{path}: the last line is cut off")
    entries: list[JournalEntry] = []
    for number, line in enumerate(text.split("\n")[:-1], 1):  # not splitlines(): U+2028 is data
        try:
            item = json.loads(line)
            entry = JournalEntry(item["seq"], item["time"], item["type"], item["key"])
            valid = (set(item) == {"seq", "time", "type", "key"} and type(entry.seq) is int
                     and entry.type in CHANGE_TYPES and isinstance(entry.key, str)
                     and isinstance(entry.time, str) and _TIME.match(entry.time) is not None
                     and entry.seq > (entries[-1].seq if entries else 0))
        except (ValueError, KeyError, TypeError):
            valid = False
        if not valid:
            raise ValueError(f"{path}, line {number}: not a journal entry (or out of order): "
                             f"{line[:200]!r}")
        entries.append(entry)
    return entries


def append_journal(path: Path, changes: list[Change], start_seq: int) -> list[JournalEntry]:
    """Add ``changes`` as entries ``start_seq``, ``start_seq + 1`` …; return the whole journal.

    Pass ``old_state.seq + 1`` (with :func:`recover_state` when the state file was
    unusable: a start of 1 over an existing journal would drop it). Entries already at
    or past ``start_seq`` were written by a run whose state was never saved; they are
    replaced. The file is rewritten
    atomically, so a crash never leaves a torn line; with no changes it is untouched.
    """
    if start_seq < 1:
        raise ValueError(f"journal sequence numbers start at 1, not {start_seq}")
    kept = [entry for entry in read_journal(path) if entry.seq < start_seq]
    added = [JournalEntry(start_seq + number, change.time, change.type, change.key)
             for number, change in enumerate(changes)]
    entries = kept + added
    if entries or path.exists():
        write_text(path, "".join(json.dumps({"seq": e.seq, "time": e.time, "type": e.type, "key": e.key},
                                            sort_keys=True, ensure_ascii=False) + "\n"
                                 for e in entries))
    return entries
