"""Human review: what needs a decision, and recording the decision in the authority table.

``lod review DIR`` lists the names an export could not link with certainty
(ambiguous, matched to an entry without a verified QID, unknown with
candidates, or not checked because Wikidata was down). ``lod review accept``
appends the chosen QID to a local authority table, which later exports layer
over the packaged one; nothing is linked until a human has said so.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

from lod.errors import ConfigError, Place
from lod.link.authority import COLUMNS
from lod.publish.links import read_links

_QID = re.compile(r"^Q[1-9][0-9]*$")
KIND_LABELS = {"person": "Person", "organization": "Organization", "place": "Place"}


def pending(folder: Path) -> list[tuple[dict[str, str], int]]:
    """Decisions that need a human, one per (name, kind, status), with how often they occur."""
    try:
        rows = read_links(folder)
    except FileNotFoundError:
        raise ConfigError("no links.csv here: run `lod export` first", Place(str(folder))) from None
    wanted = [r for r in rows if r["status"] in ("ambiguous", "unverified", "unchecked")
              or (r["status"] == "unknown" and r["candidates"])]
    counts = Counter((r["name"], r["kind"], r["status"]) for r in wanted)
    first = {}
    for row in wanted:
        first.setdefault((row["name"], row["kind"], row["status"]), row)
    order = sorted(first, key=lambda k: (-counts[k], k))
    return [(first[key], counts[key]) for key in order]


def accept(table: Path, name: str, kind: str, qid: str, aliases: list[str], note: str) -> None:
    """Append a reviewed row; the table is created with its header when new."""
    if not _QID.match(qid):
        raise ConfigError(f"{qid!r} is not a Wikidata QID (Q followed by digits)")
    if kind not in KIND_LABELS:
        raise ConfigError(f"kind must be one of {', '.join(KIND_LABELS)}")
    new = not table.exists()
    table.parent.mkdir(parents=True, exist_ok=True)
    with table.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE,
                            escapechar="\\")
        if new:
            writer.writerow(COLUMNS)
        names = "|".join(dict.fromkeys([name, *aliases]))
        writer.writerow([name, KIND_LABELS[kind], qid, names, "", "", "", "", note, "lod review"])
