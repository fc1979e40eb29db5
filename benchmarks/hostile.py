"""Hostile input for fuzzing ``lod export``: realistic records (``synthetic.py``), mutated.

:func:`corpus` writes a few files of records in the shapes of the real corpus (JSON
Lines, CSV, pages), each record mutated with some probability: byte flips and
insertions, JSON type swaps, deleted fields, huge and deeply nested values, NaN and
Infinity, escaped lone surrogates, brackets in URLs, control and bidi characters,
impossible dates, long lists and subject headings, an unbalanced CSV quote, files
saved as UTF-16/32 with or without a byte order mark. With each file it gives the
number of records lod must account for, counted from the bytes by the readers' rules
(docs/input.md): a JSON Lines file has one per non-blank line, a CSV file one per
line after the header that is not empty (its cells never hold a newline or a quote,
so only a mutation's one unbalanced quote can make a row span lines, and the reader
reads those lines again one by one), a page one; a file with nothing in it, one.

:func:`problems` checks an export against the promises: every record accounted for
(:func:`accounted`), no record rejected by lod's safety net (an exception lod did not
expect: a traceback in all but name), the exit status docs/operations.md gives, and every
output parsing in rdflib and pyoxigraph with every typed literal valid. Used by
``tests/test_fuzz.py`` (hypothesis draws the seed, the hostility and the mutations) and
``benchmarks/fuzz_bench.py``.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import random
import re
import warnings
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree

import pyoxigraph as ox
from rdflib import Dataset, Graph, Literal

import synthetic

#: Small limits, so that "huge" values cost little; the export under test uses them.
LIMITS = {"line_bytes": 96 << 10, "page_bytes": 96 << 10, "field_bytes": 24 << 10, "list_items": 40,
          "subject_parts": 12}
TEXT_FIELDS = ("title", "summary", "text_body", "source", "original_classification", "credits", "rights",
               "original_publication_date", "original_upload_date", "record_id", "document_url")
LIST_FIELDS = synthetic.LIST_COLUMNS
#: What control-and-bidi mutations insert: C0 and C1 controls, bidi overrides and isolates,
#: zero-width and byte-order marks, line and paragraph separators, noncharacters.
ODD_CHARACTERS = ("\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x85", "\x9f", "\u200b",
                  "\u200e", "\u200f", "\u202a", "\u202e", "\u2066", "\u2069", "\u2028", "\u2029", "\ufeff",
                  "\ufffe", "\uffff", "\U0010fffe", "\U0001f1f0\U0001f1f5", "\t", "\u00a0", "\u3000")
ENCODINGS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (b"", "utf-16-le"),
             (codecs.BOM_UTF16_BE, "utf-16-be"), (b"", "utf-16-be"), (codecs.BOM_UTF32_LE, "utf-32-le"),
             (b"", "utf-32-be"))
INTERNAL = "failed while"  # how lod's safety net words a rejection (lod.pipeline._internal_error)
#: Mutations of a record's values (JSON Lines; CSV has no types, so only CSV_KINDS there) and of
#: its bytes, its file's quoting and its file's encoding.
VALUE_KINDS = ("type", "delete", "huge", "deep", "url", "odd", "surrogate", "constant", "dates", "many",
               "parts", "wikidata")
CSV_KINDS = ("delete", "huge", "url", "odd", "dates", "many", "parts")
KINDS = (*VALUE_KINDS, "bytes", "quote", "encoding")

_MATERIAL: dict[int, synthetic.Material] = {}


def material(seed: int = 0) -> synthetic.Material:
    if seed not in _MATERIAL:
        _MATERIAL[seed] = synthetic._material(seed)
    return _MATERIAL[seed]


# --- records ---------------------------------------------------------------------------------


def record(rng: random.Random, index: int, fmt: str) -> dict:
    """A realistic record (bodies cut to 3,000 characters: the mutations make the big ones)."""
    values = synthetic._record(rng, material(), index, fmt)
    values["text_body"] = values["text_body"][:3_000]
    return values


def _text(rng: random.Random, size: int) -> str:
    return "".join(rng.choice("abcdefghij ÄжЖ国\n") for _ in range(min(size, 64))) * (size // 64 + 1)


def _wrong_type(rng: random.Random):
    return rng.choice([{"value": "x"}, ["a", ["b"]], [{"a": 1}], True, False, 12, 3.5, None, [], {}, [True]])


class Plan:
    """Which records are mutated (``hostility``: the chance of each) and how: the ``kinds``
    in turn (any of KINDS), or when none are given one drawn at random each time."""

    def __init__(self, rng: random.Random, hostility: float, kinds: tuple[str, ...] = ()):
        self.rng, self.hostility, self.kinds, self.count = rng, hostility, kinds, 0

    def next(self) -> str | None:
        if self.rng.random() >= self.hostility:
            return None
        self.count += 1
        return self.kinds[(self.count - 1) % len(self.kinds)] if self.kinds else self.rng.choice(KINDS)


def _mutate_values(rng: random.Random, values: dict, kind: str) -> dict | str:
    """One mutation of a record's values; a str is a raw JSON line (for what json.dumps cannot
    write: NaN, deep nesting, escaped lone surrogates)."""
    name = rng.choice(TEXT_FIELDS + LIST_FIELDS)
    if kind == "type":
        values[name] = _wrong_type(rng)
    elif kind == "delete":
        values.pop(rng.choice(("title", name)), None)
    elif kind == "huge":
        size = rng.choice((LIMITS["field_bytes"] - 100, LIMITS["field_bytes"] * 2, LIMITS["line_bytes"] * 2))
        values[name] = [_text(rng, size)] if name in LIST_FIELDS else _text(rng, size)
    elif kind == "url":
        url = values.get("document_url") or synthetic.URL_PREFIX + "1"
        spot = rng.randrange(len(url) + 1)
        values["document_url"] = url[:spot] + rng.choice("[]") + url[spot:]
    elif kind == "odd":
        field = rng.choice(("title", "summary", "text_body", "authors", "associated_places"))
        text = values.get(field) or ["x"]
        if isinstance(text, list):
            text = [item + rng.choice(ODD_CHARACTERS) + item for item in text]
        else:
            spot = rng.randrange(len(text) + 1)
            text = text[:spot] + "".join(rng.choices(ODD_CHARACTERS, k=rng.randint(1, 4))) + text[spot:]
        values[field] = text
    elif kind == "dates":
        values[rng.choice(("original_publication_date", "original_upload_date"))] = rng.choice(
            ("Spring 195?", "0000", "1956-02-30", "2023-02-30", "2023-13-01", "٢٠٢٣", "c. 1950", "1950s", ""))
    elif kind == "many":
        values[rng.choice(LIST_FIELDS)] = [f"Name {n}" for n in range(rng.choice((39, 41, 400)))]
    elif kind == "parts":
        values["subjects_discussed"] = ["--".join(f"Part {n}" for n in range(rng.choice((11, 13, 1_000))))]
    elif kind == "wikidata":
        values["wikidata"] = rng.choice(({"Kim Il Sung": "Q0"}, {"x": ["Q1"]}, "not json", '{"a": "Q5"}'))
    else:
        line = json.dumps(values, ensure_ascii=False)
        field = rng.choice(("title", "summary", "authors"))
        if kind == "deep":
            depth = rng.choice((50, 900, 1_200, 5_000))
            nested = "[" * depth + "]" * depth
            inner = rng.random() < 0.5  # as a JSON-encoded list, or as JSON
            value = json.dumps(nested) if inner else nested
        elif kind == "surrogate":
            value = rng.choice(('"x\\ud800y"', '"\\udfff"', '"[\\"\\\\ud800\\"]"', '["\\udc80"]'))
        else:  # constant
            value = rng.choice(("NaN", "Infinity", "-Infinity", "1e999", "[NaN]"))
        return line[:-1] + f', "{field}": {value}' + "}"  # a repeated key: JSON's last one counts
    return values


def _flip(rng: random.Random, data: bytes, start: int, forbidden: bytes = b"") -> bytes:
    """Byte flips, insertions and deletions at or after ``start``."""
    data = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        if len(data) <= start:
            break
        spot = rng.randrange(start, len(data))
        action = rng.random()
        if action < 0.5:
            byte = data[spot] ^ (1 << rng.randrange(8))
            if byte not in forbidden:
                data[spot] = byte
        elif action < 0.8:
            insert = rng.choice((b"\n", b"\r", b"\x00", b"\xff", b"\xc3", b"\xed\xa0\x80", b"\\", b"{", b"}",
                                 b",", b"[", b"\xe2\x80\xae"))
            if not set(insert) & set(forbidden):
                data[spot:spot] = insert
        else:
            del data[spot:spot + rng.randint(1, 40)]
    return bytes(data)


# --- files -----------------------------------------------------------------------------------


class _File:
    """One file's records as they are written, and what its mutations did to it as a whole."""

    def __init__(self, header: bytes = b""):
        self.parts = [header] if header else []
        self.flipped = self.quoted = self.encode = False

    def add(self, rng: random.Random, data: bytes, kind: str | None, forbidden: bytes = b"") -> None:
        if kind == "bytes" or kind == "quote" and self.quoted:
            start = 4 if not any(self.parts) else 0  # the first bytes say the file's encoding
            data, self.flipped = _flip(rng, data, start, forbidden), True
        elif kind == "quote":  # one unbalanced quote per file: its rows are read again one by one
            spot = rng.choice([0] + [m.end() for m in re.finditer(rb",", data)])
            data, self.quoted = data[:spot] + b'"' + data[spot:], True
        elif kind == "encoding":
            self.encode = True
        self.parts.append(data)

    def written(self, rng: random.Random, name: str) -> tuple[bytes, int]:
        """The bytes, saved in another Unicode encoding when asked (and still whole UTF-8), and
        the records lod must account for."""
        data = b"".join(self.parts)
        units = expected_units(name, data)
        if self.encode and not self.flipped:
            bom, encoding = rng.choice(ENCODINGS)
            return bom + data.decode("utf-8").encode(encoding), units
        return data, units


def _jsonl(rng: random.Random, plan: Plan, first: int, count: int) -> _File:
    file = _File()
    for index in range(first, first + count):
        line = synthetic._jsonl_line(rng, record(rng, index, "jsonl"), index)
        kind = plan.next()
        if kind in VALUE_KINDS:
            mutated = _mutate_values(rng, json.loads(line), kind)
            line = (mutated if isinstance(mutated, str) else json.dumps(mutated, ensure_ascii=False)) + "\n"
        file.add(rng, line.encode("utf-8"), kind)
    return file


def _csv(rng: random.Random, plan: Plan, first: int, count: int) -> _File:
    """Cells never need quotes (no comma, quote or line break in them), so only a mutation's
    quote can make the csv module join lines (and byte flips never make one)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(synthetic.CSV_COLUMNS)
    file = _File(buffer.getvalue().encode("utf-8"))
    for index in range(first, first + count):
        values = record(rng, index, "csv")
        kind = plan.next()
        if kind in VALUE_KINDS:
            values = _mutate_values(rng, values, kind if kind in CSV_KINDS else rng.choice(CSV_KINDS))
        cells = [re.sub(r'[\r\n",\x85\u2028\u2029]', " ", "|".join(map(str, v)) if isinstance(v, list) else
                        "" if v is None else str(v)) for v in (values.get(c) for c in synthetic.CSV_COLUMNS)]
        file.add(rng, (",".join(cells) + "\n").encode("utf-8"), kind, forbidden=b'"')
    return file


def _page(rng: random.Random, plan: Plan, index: int) -> _File:
    values = record(rng, index, "txt")
    values["original_publication_date"] = values["original_publication_date"] or "May 1950"  # a page's layout
    kind = plan.next()
    if kind == "huge":
        values["text_body"] = _text(rng, LIMITS["page_bytes"] + 1_000)
    elif kind in VALUE_KINDS:
        values["text_body"] += "".join(rng.choices(ODD_CHARACTERS, k=rng.randint(1, 3)))
    file = _File()
    file.add(rng, synthetic._page(values).encode("utf-8"), kind if kind in ("bytes", "encoding") else None)
    return file


def corpus(rng: random.Random, records: int = 12, hostility: float = 0.5, first: int = 0,
           kinds: tuple[str, ...] = ()) -> dict[str, tuple[bytes, int]]:
    """File name -> (bytes, records lod must account for): about ``records`` records in JSON
    Lines, CSV and pages; ``hostility`` and ``kinds``: see :class:`Plan`."""
    plan = Plan(rng, hostility, kinds)
    files: dict[str, tuple[bytes, int]] = {}
    jsonl_count = rng.randint(0, records)
    csv_count = rng.randint(0, records - jsonl_count)
    files["records.jsonl"] = _jsonl(rng, plan, first, jsonl_count).written(rng, "records.jsonl")
    if csv_count or rng.random() < 0.5:  # a CSV file of its header alone now and then
        files["records.csv"] = _csv(rng, plan, first + jsonl_count, csv_count).written(rng, "records.csv")
    for page in range(records - jsonl_count - csv_count):
        name = f"page-{page:03d}.txt"
        files[name] = _page(rng, plan, first + jsonl_count + csv_count + page).written(rng, name)
    if rng.random() < hostility / 4:
        files["empty.jsonl"] = (rng.choice((b"", b"\n\n", codecs.BOM_UTF16_LE + " \n".encode("utf-16-le"))), 1)
    return files


def expected_units(name: str, data: bytes) -> int:
    """Records lod must account for in a UTF-8 file (see the module docstring)."""
    lines = data.split(b"\n")
    if name.endswith(".jsonl"):
        count = sum(1 for line in lines if line.strip())
    elif name.endswith(".csv"):
        count = sum(1 for line in lines[1:] if line not in (b"", b"\r"))
        if not data.strip():
            return 1
        return count
    else:
        return 1
    return count or 1  # nothing in it: "file is empty"


def write(folder: Path, files: dict[str, tuple[bytes, int]]) -> int:
    """Write the corpus; the records lod must account for."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, (data, _) in files.items():
        (folder / name).write_bytes(data)
    return sum(units for _, units in files.values())


# --- checks ----------------------------------------------------------------------------------


def accounted(report: dict) -> int:
    """Input records report.json accounts for: published (a document each), merged into another
    capture of their document, rejected (lod.publish.report). The one place this sum is made:
    keep it in step with report.json."""
    return report["exported"] + report["merged_count"] + report["rejected_count"]


def problems(out: Path, report: dict, expected: int, status: int | None = None) -> list[str]:
    """Everything wrong with an export of a hostile corpus (empty: all promises kept)."""
    found = []
    if not expected == report["read"] == accounted(report):
        found.append(f"{expected} records written, {report['read']} read, {accounted(report)} accounted for")
    found += [f"internal error: {entry}" for entry in report["rejected"] if entry["reason"].startswith(INTERNAL)]
    found += [f"reason is not one line: {entry}" for entry in report["rejected"] if "\n" in entry["reason"]]
    if status is not None:
        documented = 2 if report["exported"] == 0 else 1 if report["rejected"] else 0
        if status != documented:
            found.append(f"exit status {status}, documented {documented}")
    if report["exported"]:
        found += unparseable(out)
    return found


_PARSERS: dict[str, tuple[ox.RdfFormat, str]] = {
    ".ttl": (ox.RdfFormat.TURTLE, "turtle"), ".jsonld": (ox.RdfFormat.JSON_LD, "json-ld"),
    ".nt": (ox.RdfFormat.N_TRIPLES, "nt"), ".nq": (ox.RdfFormat.N_QUADS, "nquads"),
}


def unparseable(out: Path, map_=map) -> list[str]:
    """Files of the export that pyoxigraph or rdflib cannot parse (or, for JSON, XML and CSV,
    their parsers), or that hold an ill-typed literal. ``map_``: to check files in parallel
    (an executor's ``map``)."""
    generation = (out / ".lod" / "current").resolve()
    paths = sorted(p for p in generation.rglob("*") if p.is_file() and ".sort" not in p.parts)
    return [problem for found in map_(file_problems, paths) for problem in found]


def file_problems(path: Path) -> list[str]:
    found: list[str] = []
    gzipped = path.suffix == ".gz"
    kind = _PARSERS.get(path.with_suffix("").suffix if gzipped else path.suffix)
    if kind is None:
        _check(found, path, {".json": lambda: json.loads(path.read_bytes()),
                             ".xml": lambda: ElementTree.parse(path),
                             ".csv": lambda: list(csv.reader(path.open(encoding="utf-8", newline="")))
                             }.get(path.suffix, lambda: None))
        return found
    data = gzip.decompress(path.read_bytes()) if gzipped else path.read_bytes()
    syntax, rdflib_name = kind
    _check(found, path, lambda: list(ox.parse(data, format=syntax)))
    graph = Dataset() if syntax == ox.RdfFormat.N_QUADS else Graph()
    with warnings.catch_warnings():  # rdflib's own deprecations (ConjunctiveGraph, default_context)
        warnings.simplefilter("ignore", DeprecationWarning)
        if _check(found, path, lambda: graph.parse(data=data, format=rdflib_name)):
            found += [f"{path}: ill-typed literal {o!r}" for o in graph.objects()
                      if isinstance(o, Literal) and o.datatype and o.ill_typed]
    return found


def _check(found: list[str], path: Path, parse: Callable[[], object]) -> bool:
    try:
        parse()
        return True
    except Exception as error:  # noqa: BLE001 - any failure to parse is the finding
        found.append(f"{path}: does not parse ({type(error).__name__}: {str(error)[:200]})")
        return False


def reason_class(reason: str) -> str:
    """A rejection reason without its particulars (numbers, quoted text), for counting by class."""
    reason = re.sub(r"'[^']*'|\"[^\"]*\"|\([^()]*\)", "…", reason.split(";")[0])
    return re.sub(r"[0-9][0-9,.]*", "N", reason)[:90]
