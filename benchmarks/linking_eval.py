"""Score an export's Wikidata links against a gold file: precision and recall per kind.

    python benchmarks/linking_eval.py GOLD.tsv EXPORT_DIR
    python benchmarks/linking_eval.py --pages [EXPORT_DIR]

``--pages`` scores the text links of an export of the shared pages (``../shared/corpus/pages``;
exported first when no folder is given, skipped when ``../shared`` is absent) against
``benchmarks/gold/pages-text.tsv`` (page file, kind, QID or empty, authority label), and
prints the share of junk person/organization names (``benchmarks/junk_names.py``).

GOLD.tsv columns (header row): ``record_id`` (the archive's record ID or the
document key), ``field`` (an archive field name such as ``associated_places``,
or ``text``/``title``/``summary``/``text_body`` for names in running text),
``value_as_printed``, ``qid`` (accepted QIDs, ``|``-separated; empty when no
verified item exists, so any link for it is wrong) and ``confidence``.

Predicted links are the ``owl:sameAs`` statements in each document's Turtle,
matched to field and printed value through ``links.csv``.

* Structured fields are scored per value: a link to an accepted QID is a true
  positive, any other link a false positive, no link where a QID is accepted a
  false negative.
* Text is scored per document: the set of QIDs linked from text against the
  set of gold QIDs for the document's text fields.

Recall counts only gold QIDs that the authority table knows (the offline
linker cannot know others); the rest are listed. A false positive whose QID is
a near miss of the right one (another item for the same name in the table, or a
trap named in the shared notes) is counted separately: the target is zero.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import OWL

from lod.link.authority import load_index
from lod.publish.layout import DOCUMENTS, document_file
from lod.publish.links import read_links

sys.path.insert(0, str(Path(__file__).resolve().parent))
import junk_names  # noqa: E402  (a sibling script, not a package)

#: Near misses named in shared/wikidata/README.md: pairs of items a linker confuses.
TRAPS = {frozenset(pair) for pair in (
    ("Q18097", "Q423"), ("Q18097", "Q884"), ("Q22502", "Q865"), ("Q22890", "Q27"),
    ("Q23666", "Q145"), ("Q159", "Q15180"), ("Q29520", "Q148"), ("Q17427", "Q50963"),
    ("Q79854", "Q1971373"), ("Q842008", "Q1971373"), ("Q1076970", "Q50963"),
    ("Q7210127", "Q707631"), ("Q183", "Q713750"), ("Q183", "Q16957"), ("Q64", "Q56037"),
    ("Q36704", "Q83286"), ("Q11256", "Q46809"),
)}
#: Items that are wrong for any name a gold file leaves without a QID (offices, the
#: president the Wilson Center is named after, the generic Korea).
TRAP_ITEMS = {item for pair in TRAPS for item in pair} | {"Q34296", "Q1048744", "Q707631", "Q7240364"}
TEXT_FIELDS = {"text", "title", "summary", "text_body", "body", "description", "mentions"}
WD = "http://www.wikidata.org/entity/"


def read_gold(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = (line for line in handle if line.strip() and not line.startswith("#"))
        return list(csv.DictReader(rows, delimiter="\t"))


def linked_in_rdf(folder: Path, document: str) -> set[tuple[str, str]]:
    """(entity IRI, QID) pairs the document's Turtle states with owl:sameAs."""
    graph = Graph().parse(folder / DOCUMENTS / document_file(document, ".ttl"), format="turtle")
    return {(str(s), str(o)[len(WD):]) for s, o in graph.subject_objects(OWL.sameAs)
            if str(o).startswith(WD)}


class Tally:
    def __init__(self):
        self.tp = self.fp = self.fn = self.near = 0

    def line(self, name: str) -> str:
        predicted, relevant = self.tp + self.fp, self.tp + self.fn
        precision = self.tp / predicted if predicted else float("nan")
        recall = self.tp / relevant if relevant else float("nan")
        return (f"{name:<24} precision {precision:6.3f} ({self.tp}/{predicted})   "
                f"recall {recall:6.3f} ({self.tp}/{relevant})   near-miss links {self.near}")


def evaluate(gold_path: Path, folder: Path, out=sys.stdout) -> dict[str, Tally]:
    index = load_index()
    kind_of = {qid: entries[0].kind for qid, entries in index.by_qid.items()}
    names_of = defaultdict(set)
    for entry in index.entries.values():
        if entry.qid:
            for alias in entry.aliases:
                names_of[entry.qid].add(alias.casefold())

    links = read_links(folder)
    by_document = defaultdict(list)
    for row in links:
        by_document[row["document"]].append(row)
        if row["record_id"]:
            by_document[row["record_id"]].append(row)
    confirmed_cache: dict[str, set] = {}

    def confirmed(row) -> str | None:
        if not row["qid"]:
            return None
        if row["document"] not in confirmed_cache:
            confirmed_cache[row["document"]] = linked_in_rdf(folder, row["document"])
        return row["qid"] if (row["entity"], row["qid"]) in confirmed_cache[row["document"]] else None

    def near_miss(predicted: str, accepted: set[str]) -> bool:
        """Another item for the same name, a documented trap, or any trap item where none is right."""
        if not accepted:
            return predicted in TRAP_ITEMS
        return any(names_of[predicted] & names_of[qid] or frozenset((predicted, qid)) in TRAPS
                   for qid in accepted)

    tallies: dict[str, Tally] = defaultdict(Tally)
    outside_table = []
    gold = read_gold(gold_path)
    text_gold: dict[str, set[str]] = defaultdict(set)
    text_negative: dict[str, set[str]] = defaultdict(set)
    for row in gold:
        document, field, value = row["record_id"], row["field"], row["value_as_printed"]
        accepted = {q for q in (row.get("qid") or "").split("|") if q}
        if field in TEXT_FIELDS:
            (text_gold if accepted else text_negative)[document].update(accepted or {value})
            continue
        candidates = [r for r in by_document.get(document, ())
                      if r["field"] == field and r["printed"].strip() == value.strip()]
        predicted = {confirmed(r) for r in candidates} - {None}
        kind = (candidates[0]["kind"] if candidates else None) or kind_of.get(
            next(iter(accepted), ""), "place" if field == "associated_places" else "agent")
        for tally in (tallies[f"structured {kind}"], tallies["structured all"]):
            for qid in predicted:
                if qid in accepted:
                    tally.tp += 1
                else:
                    tally.fp += 1
                    tally.near += near_miss(qid, accepted)
            if accepted and not predicted & accepted:
                if accepted & set(kind_of):
                    tally.fn += 1
                elif tally is tallies["structured all"]:
                    outside_table.append(f"{document} {field} {value!r} -> {'|'.join(accepted)}")

    for document in sorted(set(text_gold) | set(text_negative)):
        rows = [r for r in by_document.get(document, ()) if r["field"] == "text"]
        predicted = {confirmed(r) for r in rows} - {None}
        accepted = text_gold.get(document, set())
        for qid in predicted | accepted:
            kind = kind_of.get(qid, "unknown")
            for tally in (tallies[f"text {kind}"], tallies["text all"]):
                if qid in predicted and qid in accepted:
                    tally.tp += 1
                elif qid in predicted:
                    tally.fp += 1
                    tally.near += near_miss(qid, accepted)
                elif qid in kind_of:
                    tally.fn += 1

    for name in sorted(tallies, key=lambda n: (n.split()[0], n.endswith(" all"), n)):
        print(tallies[name].line(name), file=out)
    if outside_table:
        print(f"\ngold QIDs not in the authority table (not counted in recall): {len(outside_table)}",
              file=out)
        for line in outside_table:
            print(f"  {line}", file=out)
    return tallies


# --- text links on the shared pages -------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
SHARED_PAGES = ROOT.parent / "shared" / "corpus" / "pages"
PAGES_GOLD = ROOT / "benchmarks" / "gold" / "pages-text.tsv"


def read_pages_gold(path: Path) -> dict[str, set[str]]:
    """Page file -> the QIDs a careful reader links from its text (rows without a QID add none)."""
    gold: dict[str, set[str]] = defaultdict(set)
    for row in read_gold(path):
        gold[row["file"]]  # a page whose entities all lack a verified item still counts
        if row["qid"]:
            gold[row["file"]].add(row["qid"])
    return gold


def evaluate_pages(gold_path: Path, folder: Path, out=sys.stdout) -> Tally:
    """Precision and recall of the text links of an export of the pages, page by page.

    Pages the export rejected (duplicate keys, unread layouts) are left out and counted.
    """
    gold = read_pages_gold(gold_path)
    predicted: dict[str, set[str]] = defaultdict(set)
    exported: dict[str, str] = {}
    cache: dict[str, set] = {}
    for row in read_links(folder):
        page = Path(row["file"]).name
        exported[page] = row["document"]
        if row["field"] != "text" or not row["qid"]:
            continue
        if row["document"] not in cache:
            cache[row["document"]] = linked_in_rdf(folder, row["document"])
        if (row["entity"], row["qid"]) in cache[row["document"]]:
            predicted[page].add(row["qid"])
    tally = Tally()
    misses, wrong = [], []
    for page in sorted(set(gold) & set(exported)):
        accepted, found = gold[page], predicted.get(page, set())
        tally.tp += len(found & accepted)
        tally.fp += len(found - accepted)
        tally.fn += len(accepted - found)
        wrong += [f"{page} {qid}" for qid in sorted(found - accepted)]
        misses += [f"{page} {qid}" for qid in sorted(accepted - found)]
    print(tally.line("text links (pages)"), file=out)
    print(f"pages scored: {len(set(gold) & set(exported))} of {len(gold)} in the gold "
          f"(the rest were not exported)", file=out)
    if wrong:
        print(f"links the gold does not accept: {', '.join(wrong)}", file=out)
    if misses:
        print(f"gold links not made: {', '.join(misses)}", file=out)
    return tally


def pages_report(export: Path | None, out=sys.stdout) -> Tally | None:
    """Text links and junk names on the shared pages; None when ``../shared`` is absent."""
    if export is None:
        if not SHARED_PAGES.is_dir():
            print(f"skipped: {SHARED_PAGES} is not here", file=out)
            return None
        export = Path(tempfile.mkdtemp(prefix="lod-pages-"))
        subprocess.run([sys.executable, "-m", "lod", "export", str(SHARED_PAGES), "--out", str(export)],
                       capture_output=True, check=False)
    tally = evaluate_pages(PAGES_GOLD, export, out)
    junk_names.summary(junk_names.nodes(export), out=out, show=False)
    return tally


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("gold", type=Path, nargs="?", help="a gold file (record_id/field/value_as_printed/qid)")
    parser.add_argument("export", type=Path, nargs="?")
    parser.add_argument("--pages", action="store_true",
                        help="score text links on the shared pages against benchmarks/gold/pages-text.tsv "
                             "(exporting them first unless EXPORT is given), and the junk-name rate")
    args = parser.parse_args(argv)
    if args.pages:
        pages_report(args.export or (args.gold if args.gold and args.gold.is_dir() else None))
        return 0
    if args.gold is None or args.export is None:
        parser.error("give GOLD and EXPORT, or --pages")
    evaluate(args.gold, args.export)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
