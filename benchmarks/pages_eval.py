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
and a record for it counts as a wrong title (and date).

Then the folder is exported (``lod export``, in-process, offline linker, the clock pinned)
and scored as a collection:

* documents published against the documents the manifest implies (pages that print a
  title, each ``same_document_as`` pair counted once);
* captures of one document merged into one document, and documents of one
  ``same_title_group`` each published under a key of its own;
* junk person/organization names (``benchmarks/junk_names.py``) and text-link precision and
  recall against ``benchmarks/gold/pages-text.tsv`` (``benchmarks/linking_eval.py``);
* five exports with the input files in shuffled orders: byte-identical or not (the store:
  the same quads).

Each figure is one small function of the run listed in ``SECTIONS``. ``--no-export``
scores the reading only. Exits 0 with a message when the manifest is absent.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
import tempfile
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import junk_names  # noqa: E402 - benchmarks' own modules, beside this one
import linking_eval  # noqa: E402

import pyoxigraph  # noqa: E402

from lod import pipeline  # noqa: E402
from lod.config import Config, ExportOptions  # noqa: E402
from lod.errors import ReadError  # noqa: E402
from lod.link import offline_linker  # noqa: E402
from lod.model import Record  # noqa: E402
from lod.publish.layout import STORE  # noqa: E402
from lod.map import INPUT_TAG  # noqa: E402
from lod.read import read_file  # noqa: E402
from lod.read.fields import clean_line, parse_date  # noqa: E402

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


#: The export clock: exports compared byte for byte must share it.
NOW = "2026-01-01T00:00:00Z"
SHUFFLES = 5


@dataclass
class Run:
    """What every section reports on: the inputs, each page's result, and (made once, when a section
    asks) an export of the folder."""

    folder: Path
    manifest: Path
    results: list[Result]
    rows: list[dict[str, str]] = field(default_factory=list)
    work: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="lod-pages-eval-")))

    def export(self, name: str, files: list[Path]) -> Path:
        out = self.work / name
        pipeline.export([str(f) for f in files], out, Config(), offline_linker(), ExportOptions(now=NOW))
        return out

    @property
    def files(self) -> list[Path]:
        return sorted(self.folder / r.file for r in self.results if (self.folder / r.file).is_file())

    @cached_property
    def exported(self) -> Path:
        return self.export("export", self.files)

    @cached_property
    def key_of(self) -> dict[str, str]:
        """Page file -> the key of the document it was published in (from the descriptions' provenance)."""
        import gzip

        found = {}
        tag = re.compile(r'^<[^>]*/doc/document/([^>]+)> <http://www.w3.org/ns/prov#wasDerivedFrom> '
                         rf'<{re.escape(INPUT_TAG)}([^#>]+)#')
        with gzip.open(self.exported / "dataset.nt.gz", "rt", encoding="utf-8") as dump:
            for line in dump:
                match = tag.match(line)
                if match:
                    found[match[2]] = match[1]
        return found


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


def documents_published(run: Run, out) -> None:
    """Every page that prints a title yields its document; captures of one document count once."""
    titled = {r["file"] for r in run.rows if clean_line(r["title_as_printed"])}
    twins = {frozenset((r["file"], r["same_document_as"])) for r in run.rows
             if r.get("same_document_as") and r["file"] in titled}
    expected = len(titled) - len(twins)
    published = len(set(run.key_of.values()))
    missing = sorted(page for page in titled if page not in run.key_of)
    print(f"documents published: {published} of {expected} expected"
          f"{'; pages without a document: ' + ', '.join(missing) if missing else ''}", file=out)


def captures_merged(run: Run, out) -> None:
    pairs = sorted({tuple(sorted((r["file"], r["same_document_as"]))) for r in run.rows if r.get("same_document_as")})
    merged = [pair for pair in pairs if run.key_of.get(pair[0]) and run.key_of.get(pair[0]) == run.key_of.get(pair[1])]
    print(f"captures of one document merged: {_share(len(merged), len(pairs))}", file=out)
    for pair in sorted(set(pairs) - set(merged)):
        print(f"  not merged: {pair[0]} {run.key_of.get(pair[0])} / {pair[1]} {run.key_of.get(pair[1])}", file=out)


def same_titles_apart(run: Run, out) -> None:
    groups: dict[str, list[str]] = {}
    for row in run.rows:
        if row.get("same_title_group"):
            groups.setdefault(row["same_title_group"], []).append(row["file"])
    apart = [g for g, files in groups.items()
             if all(run.key_of.get(f) for f in files) and len({run.key_of[f] for f in files}) == len(files)]
    pages = sum(len(files) for files in groups.values())
    print(f"same-title groups with every document published apart: {_share(len(apart), len(groups))} "
          f"({pages} pages)", file=out)


def junk(run: Run, out) -> None:
    junk_names.summary(junk_names.nodes(run.exported), out=out, show=False)


def text_links(run: Run, out) -> None:
    if linking_eval.PAGES_GOLD.is_file() and run.folder.resolve() == linking_eval.SHARED_PAGES.resolve():
        linking_eval.evaluate_pages(linking_eval.PAGES_GOLD, run.exported, out)
    else:
        print("text links: no gold for this folder", file=out)


def shuffled_exports(run: Run, out) -> None:
    """The same bytes whatever the order of the input files (the clock pinned, as SOURCE_DATE_EPOCH does)."""
    outputs = []
    for seed in range(SHUFFLES):
        files = list(run.files)
        random.Random(seed).shuffle(files)
        folder = (run.export(f"shuffled-{seed}", files) / ".lod" / "current").resolve()
        files: dict[str, object] = {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
                                    if p.is_file() and p.relative_to(folder).parts[0] != STORE}
        if (folder / STORE).is_dir():  # RocksDB's files differ from run to run: the store's quads
            files[STORE] = set(pyoxigraph.Store.read_only(str(folder / STORE)))
        outputs.append(files)
    same = all(o == outputs[0] for o in outputs[1:])
    print(f"{SHUFFLES} exports with shuffled input order: {'byte-identical' if same else 'DIFFERENT'} "
          f"({len(outputs[0])} files each)", file=out)


SECTIONS = (pages_read, titles, dates, layouts, rejections, mismatches)
EXPORT_SECTIONS = (documents_published, captures_merged, same_titles_apart, junk, text_links, shuffled_exports)


def main(argv: list[str] | None = None, out=sys.stdout) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, nargs="?", default=DEFAULT_FOLDER)
    parser.add_argument("--manifest", type=Path, help="the answer key (default: FOLDER/MANIFEST.tsv)")
    parser.add_argument("--no-export", dest="export", action="store_false",
                        help="score the reading only (no export-level figures)")
    args = parser.parse_args(argv)
    manifest = args.manifest or args.folder / MANIFEST
    if not manifest.is_file():
        print(f"pages_eval: {manifest} not found; nothing to score", file=out)
        return 0
    run = Run(args.folder, manifest, read_pages(args.folder, manifest), read_manifest(manifest))
    print(f"pages_eval: {args.folder} ({manifest.name})", file=out)
    for section in SECTIONS + (EXPORT_SECTIONS if args.export else ()):
        section(run, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
