"""Score lod's page reader against a folder of captured archive pages and its MANIFEST.tsv.

    python benchmarks/pages_eval.py [FOLDER] [--manifest TSV]

FOLDER defaults to ../shared/corpus/pages and TSV to FOLDER/MANIFEST.tsv (columns
``file``, ``layout``, ``title_as_printed``, ``date_as_printed``; others are ignored).
Every page the manifest names is read in-process through lod's own reader and
compared with the manifest's ``title_as_printed`` and ``date_as_printed``:

* a title is exact when it equals the manifest's after collapsing whitespace (every
  run of spaces, U+00A0 and line breaks becomes one space);
* a date is exact when both parse to the same ISO value (``August 04, 1969`` and
  ``August 4, 1969`` agree); a date that does not parse must match as printed. A page
  the manifest gives no date for is exact when the record has none.

A page whose manifest title is empty prints no title: it is expected to be rejected,
and a record for it counts as a wrong title (and date). Each figure is one small
function of the run (folder, manifest, per-page results) listed in ``SECTIONS``, so
export-level figures can be added beside them. Exits 0 with a message when the
manifest is absent.
"""

from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import dataclass
from pathlib import Path

from lod.errors import ReadError
from lod.model import Record
from lod.read import read_file
from lod.read.fields import clean_line, parse_date

DEFAULT_FOLDER = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "pages"
MANIFEST = "MANIFEST.tsv"


@dataclass(frozen=True)
class Result:
    """One page: what the manifest expects and what the reader gave."""

    file: str
    layout: str  # the manifest's layout label
    title: str | None  # expected; None when the page prints no title
    date: str | None  # expected, as printed
    got: Record | ReadError | None  # None: the manifest names a file the folder lacks


@dataclass(frozen=True)
class Run:
    """What every section reports on: the inputs and each page's result."""

    folder: Path
    manifest: Path
    results: list[Result]


def read_manifest(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def read_pages(folder: Path, manifest: Path) -> list[Result]:
    """Each manifest row read through lod (one record, or one error, per page)."""
    results = []
    for row in read_manifest(manifest):
        path = folder / row["file"]
        items = list(read_file(str(path))) if path.is_file() else [None]
        results.append(Result(row["file"], row.get("layout", ""), clean_line(row["title_as_printed"]),
                              clean_line(row["date_as_printed"]), items[0]))
    return results


def title_exact(result: Result) -> bool:
    if not isinstance(result.got, Record):
        return result.title is None and isinstance(result.got, ReadError)
    return clean_line(result.got.title) == result.title


def date_exact(result: Result) -> bool:
    if not isinstance(result.got, Record):
        return result.title is None and isinstance(result.got, ReadError)
    expected, got = parse_date(result.date), result.got.date
    if expected is None or got is None:
        return expected is None and got is None
    if expected.iso is not None:
        return got.iso == expected.iso
    return clean_line(got.text) == expected.text


def _share(hits: int, total: int) -> str:
    return f"{hits}/{total} ({100 * hits / total:.1f} %)" if total else "0/0"


def pages_read(run: Run, out) -> None:
    records = sum(isinstance(r.got, Record) for r in run.results)
    titled = sum(r.title is not None for r in run.results)
    print(f"pages read: {records} records from {len(run.results)} pages ({titled} print a title)", file=out)


def titles(run: Run, out) -> None:
    print(f"titles exact: {_share(sum(map(title_exact, run.results)), len(run.results))}", file=out)


def dates(run: Run, out) -> None:
    print(f"dates exact: {_share(sum(map(date_exact, run.results)), len(run.results))}", file=out)


def layouts(run: Run, out) -> None:
    """Pages read as the layout the manifest names (a rejected page counts as not)."""
    same = sum(isinstance(r.got, Record) and r.got.origin.layout == r.layout for r in run.results)
    print(f"layouts as the manifest: {_share(same, len(run.results))}", file=out)


def rejections(run: Run, out) -> None:
    rejected = [r for r in run.results if not isinstance(r.got, Record)]
    print(f"pages rejected: {len(rejected)}", file=out)
    for r in rejected:
        reason = "file missing" if r.got is None else r.got.reason
        expected = "expected: prints no title" if r.title is None else "NOT expected"
        print(f"  {r.file} [{r.layout}] {reason} ({expected})", file=out)


def mismatches(run: Run, out) -> None:
    wrong = [r for r in run.results if isinstance(r.got, Record) and not (title_exact(r) and date_exact(r))]
    print(f"mismatches: {len(wrong)}", file=out)
    for r in wrong:
        record = r.got
        if not title_exact(r):
            print(f"  {r.file} [{r.layout} read as {record.origin.layout}] title\n"
                  f"      expected {r.title!r}\n      got      {record.title!r}", file=out)
        if not date_exact(r):
            got = record.date.text if record.date else None
            print(f"  {r.file} [{r.layout} read as {record.origin.layout}] date "
                  f"expected {r.date!r}, got {got!r}", file=out)


SECTIONS = (pages_read, titles, dates, layouts, rejections, mismatches)


def main(argv: list[str] | None = None, out=sys.stdout) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, nargs="?", default=DEFAULT_FOLDER)
    parser.add_argument("--manifest", type=Path, help="the answer key (default: FOLDER/MANIFEST.tsv)")
    args = parser.parse_args(argv)
    manifest = args.manifest or args.folder / MANIFEST
    if not manifest.is_file():
        print(f"pages_eval: {manifest} not found; nothing to score", file=out)
        return 0
    run = Run(args.folder, manifest, read_pages(args.folder, manifest))
    print(f"pages_eval: {args.folder} ({manifest.name})", file=out)
    for section in SECTIONS:
        section(run, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
