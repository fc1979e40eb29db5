"""The ``lod`` command: thin wrappers over the library; only this module prints and exits.

Exit status (also in docs/operations.md):
  0  everything was exported / valid
  1  some records were rejected (the rest were written) / validation found problems
  2  usage error, bad configuration, nothing readable at all, or the export itself failed
     (disk full, folder unwritable, another export running): the previous export is unchanged
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from lod import __version__
from lod.publish import products
from lod.errors import LodError

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2
LOCAL_AUTHORITIES = "authorities.tsv"


class ProgressBar:
    """A one-line bar with rate and ETA on a terminal; nothing when output is piped."""

    def __init__(self, total: int, stream=sys.stderr, label: str = "records"):
        self.stream = stream
        self.enabled = stream.isatty()
        self.start(label, total)

    def start(self, label: str, total: int) -> None:
        """A stage: ``total`` items of ``label``, counted and timed from now."""
        self.total = max(total, 1)
        self.label = label
        self.count = self.resumed = 0
        self.started = time.monotonic()
        self.last_draw = 0.0

    def skip(self, count: int) -> None:
        """Records a resumed run found done: they count toward the total, not the rate."""
        self.count += count
        self.resumed += count

    def advance(self, count: int = 1) -> None:
        self.count += count
        now = time.monotonic()
        if self.enabled and (now - self.last_draw > 0.1 or self.count >= self.total):
            self.last_draw = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        elapsed = max(now - self.started, 1e-6)
        rate = (self.count - self.resumed) / elapsed
        done = min(self.count / self.total, 1.0)
        eta = (self.total - self.count) / rate if rate and self.count < self.total else 0
        bar = "#" * int(done * 30)
        self.stream.write(f"\r[{bar:<30}] {self.count}/{self.total} {self.label} "
                          f"{rate:,.0f}/s ETA {eta:,.0f}s ")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self._draw(time.monotonic())
            self.stream.write("\n")


def _error(message: str) -> None:
    print(f"lod: error: {message}", file=sys.stderr)


def _authorities(args) -> str | None:
    """The local authority table: --authorities, else ./authorities.tsv when it exists."""
    if getattr(args, "authorities", None):
        return args.authorities
    return LOCAL_AUTHORITIES if Path(LOCAL_AUTHORITIES).exists() else None


def cmd_export(args) -> int:
    from lod import pipeline
    from lod.config import ExportOptions, load_config
    from lod.publish.layout import REPORT
    from lod.link import offline_linker, online_linker
    from lod.read import count_records
    from lod.vocab import SAMPLES_DIR

    config = load_config(args.config, base=args.base, profiles=_names(args.profiles))
    inputs = args.inputs or [str(SAMPLES_DIR / "seed-record.txt")]
    out = Path(args.out)
    fallback = None
    if args.online:
        linker, fallback = online_linker(_authorities(args), args.wikidata_endpoint, args.user_agent,
                                         Path(args.cache) if args.cache else out / ".lod" / "wikidata-cache.sqlite",
                                         args.timeout, args.online_deadline)
    else:
        linker = offline_linker(_authorities(args))
    bar = ProgressBar(count_records(inputs))
    started = time.monotonic()
    workers = args.workers if args.workers is not None else (os.cpu_count() or 1)
    if fallback is not None:
        workers = 1  # the online linker keeps one cache and one view of the service's health
    engine = _dask_client(args) if getattr(args, "engine", "local") == "dask" else None
    try:
        options = ExportOptions(outputs=_formats(args.formats), workers=workers,
                                chunk_triples=args.chunk_triples, resume=args.resume,
                                sort_bytes=max(1, int(args.sort_memory * (1 << 20))))
        report = pipeline.export(inputs, out, config, linker, options, progress=bar, on_error=_error,
                                 engine=engine)
    finally:
        if engine is not None:
            engine.close()
    elapsed = time.monotonic() - started
    if report.exported == 0 and not report.rejected and not report.skipped:
        _error("no records found in the input")
    for note in fallback.client.notes if fallback is not None else ():
        print(f"lod: warning: {note}", file=sys.stderr)
    if fallback is not None and fallback.down:
        print(f"lod: warning: Wikidata could not be reached ({fallback.down}); "
              f"{len(fallback.unchecked)} names left unchecked (status 'unchecked' in "
              f"{out / 'links.csv'}; asked again by the next run); the export is the offline result",
              file=sys.stderr)
    for note in report.notes:
        print(f"lod: {note}", file=sys.stderr)
    changes = ", ".join(f"{n} {kind.lower()}d" for kind, n in report.changes.items() if n)
    merged = f", {report.merged_records} merged into other captures" if report.merged_records else ""
    print(f"lod export: {report.read} records read: {report.exported} documents exported{merged}, "
          f"{len(report.rejected)} rejected; {len(report.skipped)} files skipped, {report.triples} triples"
          f"{f' ({changes})' if changes else ''} -> {out} "
          f"({elapsed:.1f}s; details in {report.report_path or out / REPORT})")
    return report.status


def _dask_client(args):
    """A client of the Dask cluster at --scheduler (``pip install 'lod[dask]'``)."""
    from lod.errors import ConfigError

    if not args.scheduler:
        raise ConfigError("--engine dask needs --scheduler ADDRESS (e.g. tcp://scheduler:8786)")
    try:
        from dask.distributed import Client
    except ImportError:
        raise ConfigError("--engine dask needs Dask: pip install 'lod[dask]'") from None
    try:
        return Client(args.scheduler, timeout=30)
    except OSError as error:
        raise ConfigError(f"cannot reach the Dask scheduler at {args.scheduler} ({error})") from None


def _names(text: str | None) -> tuple[str, ...] | None:
    """A comma-separated list of names (None when the option was not given)."""
    return tuple(name.strip() for name in text.split(",") if name.strip()) if text else None


def _formats(text: str) -> tuple[str, ...]:
    """``--formats``: a list of outputs, or ``+NAME`` for an output besides the default ones."""
    from lod.errors import ConfigError

    names = [name.strip() for name in text.split(",") if name.strip()]
    if any(name.startswith("+") for name in names):
        names = [*products.default_outputs(), *(name.lstrip("+") for name in names)]
    try:
        return products.choose(names).names
    except ValueError as error:
        raise ConfigError(f"--formats {text!r}: {str(error).strip(chr(34))}") from None


def cmd_link(args) -> int:
    if not args.check:
        args.online = True
        return cmd_export(args)
    from lod.link.authority import load_index
    from lod.link.check import check_table
    from lod.link.wikidata import WikidataClient, WikidataUnavailable

    options = {"timeout": args.timeout, "deadline": args.online_deadline}
    if args.wikidata_endpoint:
        options["endpoint"] = args.wikidata_endpoint
    if args.user_agent:
        options["user_agent"] = args.user_agent
    index = load_index(_authorities(args))
    try:
        problems = check_table(index, WikidataClient(**options))
    except WikidataUnavailable as error:
        _error(f"{error}; nothing was checked")
        return EXIT_USAGE
    for problem in problems:
        print(problem)
    print(f"lod link --check: {len(index.by_qid)} QIDs checked, {len(problems)} problems")
    return EXIT_OK if not problems else EXIT_REJECTED


def cmd_review(args) -> int:
    from lod.publish.review import accept, pending

    words = list(args.words)
    args.action = words.pop(0) if words and words[0] in ("accept", "list") else "list"
    args.dir = words[0] if words else "output"
    if args.action == "accept":
        if not (args.name and args.qid and args.kind):
            _error("review accept needs --name, --kind and --qid")
            return EXIT_USAGE
        table = Path(args.authorities or LOCAL_AUTHORITIES)
        accept(table, args.name, args.kind, args.qid, args.alias or [],
               f"accepted in review of {args.dir}")
        print(f"lod review: {args.name} ({args.kind}) = {args.qid} added to {table}; "
              f"re-run lod export to apply it")
        return EXIT_OK
    rows = pending(Path(args.dir))
    for row, count in rows:
        candidates = f" candidates {row['candidates']}" if row["candidates"] else ""
        print(f"{row['status']:<10} {row['kind']:<12} {row['name']!r} x{count} "
              f"(e.g. {row['document']}, {row['field']}){candidates}")
    print(f"lod review: {len(rows)} names need a decision; accept one with "
          f"`lod review accept {args.dir} --name NAME --kind KIND --qid Q...`")
    return EXIT_OK


def cmd_validate(args) -> int:
    from lod.publish.validate import validate_export

    problems = validate_export(Path(args.dir))
    for problem in problems:
        print(problem)
    print(f"lod validate: {len(problems)} problems in {args.dir}")
    return EXIT_OK if not problems else EXIT_REJECTED


def cmd_check(args) -> int:
    import json

    from lod.publish.check import check

    report = check(Path(args.dir), args.target, Path(args.official) if args.official else None)
    for line in report.lines():
        print(line)
    if args.report:
        Path(args.report).write_text(json.dumps(report.as_json(), indent=2, ensure_ascii=False) + "\n",
                                     encoding="utf-8")
    print(report.summary())
    return report.status


def cmd_serve(args) -> int:
    from lod.config import load_config
    from lod.serve.folder import Export
    from lod.serve.oai import NOT_SERVED
    from lod.serve.options import OaiOptions, ServeOptions, SparqlOptions
    from lod.serve.server import address_warning, serve
    from lod.serve.store import NO_STORE

    if not Path(args.dir).is_dir():
        _error(f"{args.dir}: no export here; run `lod export --out {args.dir}` first")
        return EXIT_USAGE
    options = ServeOptions(
        base=args.base,
        sparql=SparqlOptions(timeout=args.sparql_timeout, max_results=args.sparql_limit,
                             **({"workers": args.sparql_workers} if args.sparql_workers else {})),
        oai=OaiOptions(admin_email=args.oai_admin_email or load_config(args.config).dataset.contact_email or None,
                       page_size=args.oai_page_size))
    export = Export(args.dir, base=options.base)
    export.check_base()  # before any warning: a refused export is the only thing to say
    export.check_servable()
    warning = address_warning(export.base, args.host, args.port)
    if warning:
        print(f"lod serve: warning: {warning}", file=sys.stderr)
    if not options.oai.admin_email:
        print(f"lod serve: warning: {NOT_SERVED}", file=sys.stderr)
    if export.store_path() is None:
        print(f"lod serve: warning: {NO_STORE}; documents, dumps and feeds are served, SPARQL and entity "
              "pages answer 503", file=sys.stderr)
    serve(args.dir, args.host, args.port, options)
    return EXIT_OK


def cmd_mapping(args) -> int:
    from lod.map.profiles import registered
    from lod.serialize.edm import NAMESPACES
    from lod.vocab import PREFIXES

    prefixes = sorted({**NAMESPACES, **PREFIXES}.items(), key=lambda item: -len(item[1]))

    def iri(value: str) -> str:
        return next((f"{name}:{value[len(namespace):]}" for name, namespace in prefixes
                     if value.startswith(namespace)), f"<{value}>")

    for number, profile in enumerate(registered()):
        only = "" if profile.describes else f"; for its own output only, `--formats +{profile.name}`"
        print(f"{'' if number == 0 else chr(10)}Profile `{profile.name}` ({profile.title}{only}):\n\n"
              "| record field | property | value |\n|---|---|---|")
        for rule in profile.rules:
            value = f"`{iri(rule.value)}`" if rule.value is not None else rule.term
            print(f"| {rule.field} | `{iri(rule.predicate)}` | {value} |")
        for label, hook in (("document", profile.document), ("entities", profile.entity)):
            if hook is not None:
                print(f"\n*{label}*: {' '.join(hook.__doc__.split()).replace('``', '`')}")
    return EXIT_OK


def _positive(text: str) -> int:
    """A whole number of at least 1 (argparse reports the error and exits with status 2)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def _positive_number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} must be a positive number")
    return value


def _port(text: str) -> int:
    """A TCP port; 0 lets the system choose a free one."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (0-65535)")
    return value


def _link_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--authorities", metavar="FILE",
                        help=f"local authority table over the packaged one (default ./{LOCAL_AUTHORITIES} if present)")
    parser.add_argument("--wikidata-endpoint", metavar="URL", help="Action API (default: wikidata.org)")
    parser.add_argument("--user-agent", metavar="UA", help="User-Agent with your contact address")
    parser.add_argument("--cache", metavar="FILE", help="Wikidata answer cache (sqlite)")
    parser.add_argument("--timeout", type=_positive_number, default=10.0, metavar="S",
                        help="per request, its whole answer included (default 10)")
    parser.add_argument("--online-deadline", type=_positive_number, default=1800.0, metavar="S",
                        help="for all Wikidata requests of an export; names not asked in time stay "
                             "unchecked (default 1800)")


class _NoAbbreviations(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, allow_abbrev=False, **kwargs)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lod", description="Linked open data from archive records.",
                                     allow_abbrev=False)
    parser.add_argument("--version", action="version", version=f"lod {__version__}")
    # No abbreviated options: `lod link --online` must not be read as --online-deadline.
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                     parser_class=_NoAbbreviations)

    export = commands.add_parser("export", help="export records as Turtle, JSON-LD and dumps")
    export.add_argument("inputs", nargs="*", metavar="INPUT",
                        help="files or folders (.txt pages, .jsonl, .csv); none: the bundled sample")
    export.add_argument("--out", default="output", metavar="DIR", help="export folder (default: output)")
    export.add_argument("--base", metavar="IRI", help="base IRI for minted IRIs (default from lod.toml)")
    export.add_argument("--config", metavar="FILE", help="configuration file (default: ./lod.toml if present)")
    export.add_argument("--profiles", metavar="LIST",
                        help="vocabulary profiles of the descriptions, in order (default from lod.toml, "
                             "else dcterms,schema; `lod mapping` lists them)")
    _link_options(export)
    export.add_argument("--workers", type=_positive, metavar="N",
                        help="worker processes (default: the number of cores; 1: no pool)")
    export.add_argument("--chunk-triples", type=_positive, default=500_000, metavar="N",
                        help="largest dump file, in triples (default 500000)")
    export.add_argument("--engine", choices=["local", "dask"], default="local",
                        help="where records are rendered: local processes, or a Dask cluster")
    export.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler, e.g. tcp://host:8786")
    export.add_argument("--formats", default=",".join(products.default_outputs()), metavar="LIST",
                        help=f"what to write, from {products.choices()} (default %(default)s; +NAME: the "
                             "default and NAME, e.g. +edm for Europeana and DPLA); 'nt' alone is the dump-only path")
    export.add_argument("--online", action="store_true",
                        help="ask Wikidata about names the authority table does not know")
    export.add_argument("--no-resume", dest="resume", action="store_false",
                        help="start over even when a killed run of this export left work to resume")
    export.add_argument("--sort-memory", type=_positive_number, default=16.0, metavar="MB",
                        help="memory for the key sort before it spills a run to disk, and how "
                             "often a resumable checkpoint is written (default 16)")
    export.set_defaults(run=cmd_export)

    link = commands.add_parser("link", help="link online (an export with --online) or check the table's QIDs")
    link.add_argument("inputs", nargs="*", metavar="INPUT")
    link.add_argument("--check", action="store_true", help="re-check the authority table's QIDs online")
    link.add_argument("--out", default="output", metavar="DIR")
    link.add_argument("--base", metavar="IRI")
    link.add_argument("--config", metavar="FILE")
    link.add_argument("--profiles", metavar="LIST", help=argparse.SUPPRESS)
    link.add_argument("--workers", type=int, default=1, help=argparse.SUPPRESS)
    link.add_argument("--chunk-triples", type=int, default=500_000, help=argparse.SUPPRESS)
    link.add_argument("--formats", default=",".join(products.default_outputs()), help=argparse.SUPPRESS)
    link.add_argument("--no-resume", dest="resume", action="store_false", help=argparse.SUPPRESS)
    link.add_argument("--sort-memory", type=float, default=16.0, help=argparse.SUPPRESS)
    link.add_argument("--online", action="store_true", help=argparse.SUPPRESS)  # link is always online
    _link_options(link)
    link.set_defaults(run=cmd_link)

    review = commands.add_parser("review", help="list names that need a human; accept a QID")
    review.add_argument("words", nargs="*", metavar="[accept] DIR",
                        help="DIR to list (default output); `accept DIR` to record a decision")
    review.add_argument("--name", help="accept: the entity's name")
    review.add_argument("--kind", choices=["person", "organization", "place"])
    review.add_argument("--qid", help="accept: the Wikidata item, e.g. Q41117")
    review.add_argument("--alias", action="append", help="accept: another name (repeatable)")
    review.add_argument("--authorities", metavar="FILE",
                        help=f"local authority table to write (default ./{LOCAL_AUTHORITIES})")
    review.set_defaults(run=cmd_review)

    validate = commands.add_parser("validate", help="check an export against the SHACL shapes")
    validate.add_argument("dir", metavar="DIR", nargs="?", default="output")
    validate.set_defaults(run=cmd_validate)

    check = commands.add_parser("check", help="what Europeana, DPLA or a DCAT-AP portal would reject, and why")
    check.add_argument("dir", metavar="DIR", nargs="?", default="output")
    check.add_argument("--for", dest="target", required=True, choices=["europeana", "dpla", "dcat-ap"],
                       help="the aggregator whose rules to apply")
    check.add_argument("--official", metavar="FOLDER",
                       help="the aggregators' own validation files (europeana-edm/EDM.xsd and its Schematron, "
                            "dcat-ap-3.0.1/ SHACL shapes), run besides lod's rules")
    check.add_argument("--report", metavar="FILE", help="also write the findings as JSON")
    check.set_defaults(run=cmd_check)

    serve = commands.add_parser("serve", help="serve an export: linked data, SPARQL, OAI-PMH")
    serve.add_argument("dir", metavar="DIR", nargs="?", default="output")
    serve.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    serve.add_argument("--port", type=_port, default=8080, help="port (default 8080)")
    serve.add_argument("--base", metavar="IRI",
                       help="the base IRI the export was made with, for a folder whose manifest.json "
                            "does not record it; it cannot move an export elsewhere (that is "
                            "`lod export --base`): a different base is refused")
    serve.add_argument("--sparql-timeout", type=_positive_number, default=10.0, metavar="S",
                       help="SPARQL query timeout in seconds (default 10)")
    serve.add_argument("--sparql-limit", type=_positive, default=10_000, metavar="N",
                       help="most SPARQL result rows/triples (default 10000)")
    serve.add_argument("--sparql-workers", type=_positive, metavar="N",
                       help="SPARQL query processes (default: the cores plus one); at most N-1 run "
                            "queries longer than 1 s, so one is always there for short queries")
    serve.add_argument("--oai-page-size", type=_positive, default=100, metavar="N",
                       help="OAI-PMH records per response (default 100)")
    serve.add_argument("--oai-admin-email", metavar="ADDRESS",
                       help="contact address for OAI-PMH's Identify (default: [dataset] contact_email "
                            "of lod.toml; required by the protocol: without either /oai is not served)")
    serve.add_argument("--config", metavar="FILE", help="configuration file (default: ./lod.toml if present)")
    serve.set_defaults(run=cmd_serve)

    mapping = commands.add_parser("mapping", help="print the field -> property tables")
    mapping.set_defaults(run=cmd_mapping)
    for command in commands.choices.values():
        command.add_argument("--debug", action="store_true", help="show the traceback of an internal error")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except LodError as error:
        _error(str(error))
        return EXIT_USAGE
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except Exception as error:  # a bug in lod, not in the input: one line, the traceback on request
        if args.debug:
            raise
        _error(f"internal error: {type(error).__name__}: {error} (run again with --debug for the traceback)")
        return EXIT_USAGE
