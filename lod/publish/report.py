"""``report.json``: what an export did with every input record.

Every input record (a JSON line, a CSV row, a page; or a file that holds none it could
read) is exactly one of: **published** (a document of its own), **merged** into another
capture of the same document, or **rejected** with a reason. So ``read == published +
merged + rejected`` for every run (:meth:`Report.accounted`), and the lists say which
records were merged and which rejected, and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lod import MAPPING_VERSION, __version__
from lod.errors import ReadError
from lod.model import Origin


@dataclass
class Report:
    """What an export did; written as report.json and summarised by the CLI."""

    read: int = 0  # input records (and unreadable files) met
    exported: int = 0  # documents published
    merged: list[dict] = field(default_factory=list)  # documents made of several captures
    rejected: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)  # files that are not input (not records)
    warnings: list[dict] = field(default_factory=list)
    triples: int = 0
    changes: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    report_path: Path | None = None  # where report.json went when not in the export folder

    @property
    def merged_records(self) -> int:
        """Records merged into another capture of their document (each document's extra captures)."""
        return sum(len(entry["captures"]) - 1 for entry in self.merged)

    @property
    def accounted(self) -> bool:
        """Every record read is published, merged or rejected, exactly once."""
        return self.read == self.exported + self.merged_records + len(self.rejected)

    @property
    def status(self) -> int:
        """Exit status: 0 all exported, 1 some rejected, 2 nothing exported."""
        if self.exported == 0:
            return 2
        return 1 if self.rejected else 0

    def reject(self, error: ReadError) -> None:
        self.rejected.append(error_entry(error))

    def add_document(self, key: str, origins: tuple[Origin, ...]) -> None:
        self.exported += 1
        if len(origins) > 1:
            self.merged.append({"key": key, "captures": [place(origin) for origin in origins]})

    def as_json(self) -> dict:
        return {
            "lod_version": __version__,
            "mapping_version": MAPPING_VERSION,
            "read": self.read,
            "exported": self.exported,
            "merged_count": self.merged_records,
            "rejected_count": len(self.rejected),
            "triples": self.triples,
            "merged": sorted(self.merged, key=lambda entry: entry["key"]),
            "rejected": sorted(self.rejected, key=_place_order),
            "skipped": sorted(self.skipped, key=_place_order),
            "warnings": sorted(self.warnings, key=_place_order),
        }


def place(origin: Origin) -> dict:
    return {k: v for k, v in (("file", origin.file), ("line", origin.line), ("record", origin.record))
            if v is not None}


def _place_order(item: dict) -> tuple:
    return item.get("file", ""), item.get("line") or 0, item.get("record") or 0, item.get("reason", "")


def error_entry(error: ReadError) -> dict:
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
