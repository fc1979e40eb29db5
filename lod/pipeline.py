"""Wires the stages: read -> link -> map -> serialize -> publish. Used by the CLI and the server.

:func:`render` is the pure per-record step (record in, bytes out); :func:`export`
drives it over the inputs, keeps bad records from stopping good ones, resolves
duplicate keys independently of input order and hands the results to publish.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from lod import MAPPING_VERSION, __version__
from lod.errors import ReadError
from lod.map import Settings, map_record
from lod.model import Record
from lod.publish.files import gzip_bytes, write_bytes, write_text
from lod.publish.links import LINKS, link_rows, render_links
from lod.read import Skipped, read_inputs
from lod.serialize import jsonld, ntriples, turtle

DOCUMENTS = "documents"
DATASET_DUMP = "dataset.nt.gz"
REPORT = "report.json"
DOCUMENT_FORMATS = {".ttl": turtle.serialize, ".jsonld": jsonld.serialize}

Linker = Callable[[Record], Record]


@dataclass
class Rendered:
    """Everything one record becomes: its files and its N-Triples lines."""

    key: str
    digest: str  # SHA-256 of the sorted N-Triples: the document's content identity
    files: dict[str, bytes]
    lines: list[str]
    record: Record


def render(record: Record, settings: Settings, linker: Linker | None = None) -> Rendered:
    """Link, map and serialize one record. Pure: same record and settings, same bytes."""
    if linker is not None:
        record = linker(record)
    triples = map_record(record, settings)
    root = settings.iris.document(record.key)
    lines = ntriples.lines(triples)
    digest = hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()
    files = {ext: write(triples, root).encode("utf-8") for ext, write in DOCUMENT_FORMATS.items()}
    return Rendered(record.key, digest, files, lines, record)


@dataclass
class Report:
    """What an export did; written as report.json and summarised by the CLI."""

    exported: int = 0
    rejected: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    duplicates: int = 0
    triples: int = 0
    files_written: int = 0
    files_removed: int = 0
    records: list[Record] = field(default_factory=list, repr=False)

    @property
    def status(self) -> int:
        """Exit status: 0 all exported, 1 some rejected, 2 nothing exported."""
        if self.exported == 0:
            return 2
        return 1 if self.rejected else 0

    def as_json(self) -> dict:
        return {
            "lod_version": __version__,
            "mapping_version": MAPPING_VERSION,
            "exported": self.exported,
            "rejected_count": len(self.rejected),
            "duplicates": self.duplicates,
            "triples": self.triples,
            "rejected": sorted(self.rejected, key=_place_order),
            "skipped": sorted(self.skipped, key=_place_order),
            "warnings": sorted(self.warnings, key=_place_order),
        }


def _place_order(item: dict) -> tuple:
    return item.get("file", ""), item.get("line") or 0, item.get("record") or 0, item.get("reason", "")


def _error_entry(error: ReadError) -> dict:
    place = error.place
    entry = {"file": place.file if place else "", "reason": error.reason}
    if place and place.line is not None:
        entry["line"] = place.line
    if place and place.record is not None:
        entry["record"] = place.record
    if place and place.field:
        entry["field"] = place.field
    if error.hint:
        entry["hint"] = error.hint
    return entry


class Progress:
    """Silent progress; the CLI passes a bar."""

    def advance(self, count: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def export(inputs: Iterable[str], out: Path, settings: Settings, linker: Linker | None = None,
           progress: Progress | None = None, on_error: Callable[[str], None] | None = None) -> Report:
    """Export every readable record of ``inputs`` into ``out``; bad records are reported."""
    progress = progress or Progress()
    report = Report()
    winners: dict[str, Rendered] = {}
    for item in read_inputs(inputs):
        if isinstance(item, Skipped):
            report.skipped.append({"file": item.path, "reason": item.reason})
            continue
        if isinstance(item, ReadError):
            report.rejected.append(_error_entry(item))
            if on_error:
                on_error(str(item))
            progress.advance()
            continue
        rendered = render(item, settings, linker)
        _keep_one_per_key(rendered, winners, report, on_error)
        progress.advance()
    progress.close()
    _publish(out, winners, report, settings)
    return report


def _keep_one_per_key(rendered: Rendered, winners: dict[str, Rendered], report: Report, on_error) -> None:
    """Two records with one key: identical -> one document; different -> the smaller digest wins.

    Choosing by content, not by arrival, keeps the output independent of input order.
    """
    current = winners.get(rendered.key)
    if current is None:
        winners[rendered.key] = rendered
        return
    report.duplicates += 1
    if current.digest == rendered.digest:
        return
    keep, drop = sorted((current, rendered), key=lambda r: r.digest)
    winners[rendered.key] = keep
    origin = drop.record.origin
    other = keep.record.origin
    entry = {"file": origin.file, "line": origin.line,
             "reason": f"duplicate document key {drop.key!r}: a different record "
                       f"({other.file}, line {other.line}) has the same key"}
    report.rejected.append({k: v for k, v in entry.items() if v is not None})
    if on_error:
        on_error(f"{origin.file}, line {origin.line}: {entry['reason']}")


def _publish(out: Path, winners: dict[str, Rendered], report: Report, settings: Settings) -> None:
    documents = out / DOCUMENTS
    documents.mkdir(parents=True, exist_ok=True)
    dump_lines: set[str] = set()
    decisions: list[dict[str, str]] = []
    for key in sorted(winners):
        rendered = winners[key]
        report.exported += 1
        report.records.append(rendered.record)
        for warning in rendered.record.warnings:
            origin = rendered.record.origin
            report.warnings.append({"file": origin.file, "line": origin.line, "key": key,
                                    "reason": warning})
        for extension, data in rendered.files.items():
            report.files_written += write_bytes(documents / f"{key}{extension}", data)
        dump_lines.update(rendered.lines)
        decisions += link_rows(rendered.record, settings.iris)
    for stale in sorted(documents.iterdir()):
        if stale.suffix in DOCUMENT_FORMATS and stale.stem not in winners:
            stale.unlink()
            report.files_removed += 1
    report.triples = len(dump_lines)
    report.files_written += write_bytes(out / DATASET_DUMP,
                                        gzip_bytes("".join(sorted(dump_lines)).encode("utf-8")))
    write_text(out / LINKS, render_links(decisions))
    write_text(out / REPORT, json.dumps(report.as_json(), indent=2, ensure_ascii=False) + "\n")
