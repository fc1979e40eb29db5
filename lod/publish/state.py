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
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from lod.publish.files import StreamedFile

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
    writer = StateWriter(path)
    for key in sorted(state.documents):
        writer.add(key, state.documents[key])
    return writer.close(state.seq)


#: A string as json.dumps(..., ensure_ascii=False) writes it (the C encoder, called directly).
quoted = json.encoder.encode_basestring


class StateWriter:
    """Writes ``state.json`` from documents given in key order, without holding them all.

    The bytes are those of ``json.dumps(payload, sort_keys=True, indent=1)``; the checksum
    (first in the file) is computed on the way, so the entries wait in a spool file.
    """

    def __init__(self, path: Path):
        self.path = path
        self._canonical = hashlib.sha256(b'{"documents":{')
        self._spool = tempfile.TemporaryFile(dir=path.parent)
        self._count = 0
        self._last: str | None = None

    def add(self, key: str, doc: DocumentState) -> None:
        if self._last is not None and key <= self._last:
            raise ValueError(f"state entries must come in key order: {key!r} after {self._last!r}")
        self._last = key
        name, digest, first, modified = map(quoted, (key, doc.digest, doc.first_seen, doc.modified))
        comma, lead = (",", ",\n") if self._count else ("", "")
        self._canonical.update(
            f'{comma}{name}:{{"digest":{digest},"first_seen":{first},"modified":{modified}}}'.encode())
        self._spool.write(f'{lead}  {name}: {{\n   "digest": {digest},\n   "first_seen": '
                          f'{first},\n   "modified": {modified}\n  }}'.encode())
        self._count += 1

    def close(self, seq: int) -> bool:
        """Write the file (untouched when its bytes would not change); True when written."""
        self._canonical.update(f'}},"seq":{seq},"version":{VERSION}}}'.encode())
        out = StreamedFile(self.path)
        try:
            out.write(f'{{\n "checksum": "{self._canonical.hexdigest()}",\n "documents": {{'.encode())
            if self._count:
                out.write(b"\n")
                self._spool.seek(0)
                shutil.copyfileobj(self._spool, out)
                out.write(b"\n ")
            out.write(f'}},\n "seq": {seq},\n "version": {VERSION}\n}}\n'.encode())
        except BaseException:
            out.discard()
            raise
        finally:
            self._spool.close()
        return out.close()


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
    """The next state and the changes that lead to it, sorted by key (see :func:`changes_in_key_order`)."""
    documents: dict[str, DocumentState] = {}
    changes: list[Change] = []
    for key, doc, change in changes_in_key_order(old, sorted(new_digests.items()), now):
        if doc is not None:
            documents[key] = doc
        if change is not None:
            changes.append(change)
    return State(documents, (old.seq if old else 0) + len(changes)), changes


def changes_in_key_order(old: State | None, new: Iterable[tuple[str, str]],
                         now: str) -> Iterator[tuple[str, DocumentState | None, Change | None]]:
    """Merge the old state with the new ``(key, digest)`` pairs (given in key order).

    Yields ``(key, its next state or None when deleted, the change or None)`` in key
    order. Unchanged documents keep their entries as they were, so an unchanged run
    gives an equal state (and the state file keeps its bytes).
    """
    if not _TIME.match(now):
        raise ValueError(f"time must be UTC ISO 8601 like 2024-05-01T12:00:00Z: {now!r}")
    before = old.documents if old else {}
    gone = iter(sorted(before))
    next_gone = next(gone, None)
    for key, digest in new:
        while next_gone is not None and next_gone < key:
            yield next_gone, None, Change(DELETE, next_gone, now)
            next_gone = next(gone, None)
        if next_gone == key:
            next_gone = next(gone, None)
        previous = before.get(key)
        if previous is None:
            yield key, DocumentState(digest, now, now), Change(CREATE, key, now)
        elif previous.digest != digest:
            yield key, DocumentState(digest, previous.first_seen, now), Change(UPDATE, key, now)
        else:
            yield key, previous, None
    while next_gone is not None:
        yield next_gone, None, Change(DELETE, next_gone, now)
        next_gone = next(gone, None)


def read_journal(path: Path) -> list[JournalEntry]:
    """All entries, oldest first ([] when there is no journal); raises ValueError on a damaged line."""
    return list(iter_journal(path))


def iter_journal(path: Path) -> Iterator[JournalEntry]:
    """The entries one at a time, oldest first; raises ValueError on a damaged line."""
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return
    with handle:
        previous = 0
        for number, raw in enumerate(handle, 1):  # binary lines end at LF only: U+2028 is data
            if not raw.endswith(b"\n"):
                raise ValueError(f"{path}: the last line is cut off")
            line = raw[:-1].decode("utf-8", "replace")  # for the message
            try:
                item = json.loads(raw[:-1].decode("utf-8"))
                entry = JournalEntry(item["seq"], item["time"], item["type"], item["key"])
                valid = (set(item) == {"seq", "time", "type", "key"} and type(entry.seq) is int
                         and entry.type in CHANGE_TYPES and isinstance(entry.key, str)
                         and isinstance(entry.time, str) and _TIME.match(entry.time) is not None
                         and entry.seq > previous)
            except (ValueError, KeyError, TypeError):
                valid = False
            if not valid:
                raise ValueError(f"{path}, line {number}: not a journal entry (or out of order): "
                                 f"{line[:200]!r}")
            previous = entry.seq
            yield entry


def append_journal(path: Path, changes: list[Change], start_seq: int) -> list[JournalEntry]:
    """Add ``changes`` as entries ``start_seq``, ``start_seq + 1`` …; return the whole journal.

    See :class:`JournalWriter`; with no changes the file is untouched.
    """
    writer = JournalWriter(path, path, start_seq)
    for change in changes:
        writer.add(change)
    writer.close()
    return read_journal(path)


class JournalWriter:
    """Writes the journal: the previous one's entries before ``start_seq``, then new changes.

    Pass ``old_state.seq + 1`` (with :func:`recover_state` when the state file was
    unusable: a start of 1 over an existing journal would drop it). Entries already at
    or past ``start_seq`` were written by a run whose state was never saved; they are
    replaced. The file is written atomically, so a crash never leaves a torn line;
    nothing is written when there is neither a previous journal nor a change.
    """

    def __init__(self, path: Path, previous: Path | None, start_seq: int):
        if start_seq < 1:
            raise ValueError(f"journal sequence numbers start at 1, not {start_seq}")
        self.path = path
        self.seq = start_seq
        self.count = 0  # entries in the journal
        self.added = 0
        self.first_time: str | None = None  # the first export's: when the dataset was issued
        self.last_time: str | None = None
        self._out: StreamedFile | None = None
        for entry in iter_journal(previous) if previous else ():
            if entry.seq >= start_seq:
                break
            self._write(entry)

    def add(self, change: Change) -> JournalEntry:
        entry = JournalEntry(self.seq, change.time, change.type, change.key)
        self.seq += 1
        self.added += 1
        self._write(entry)
        return entry

    def _write(self, entry: JournalEntry) -> None:
        if self._out is None:
            self._out = StreamedFile(self.path)
        self._out.write(f'{{"key": {quoted(entry.key)}, "seq": {entry.seq}, "time": {quoted(entry.time)}, '
                        f'"type": {quoted(entry.type)}}}\n'.encode())
        self.count += 1
        self.first_time = self.first_time or entry.time
        self.last_time = entry.time

    def close(self) -> bool:
        """Put the journal in place; True when its bytes changed."""
        if self._out is None:
            if self.path.exists():  # every earlier entry was replaced, and nothing came
                self.path.write_bytes(b"")
                return True
            return False
        return self._out.close()
