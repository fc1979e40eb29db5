"""The ``lod`` command: thin wrappers over the library; only this module prints and exits.

Exit status (also in the README):
  0  everything was exported / valid
  1  some records were rejected (the rest were written) / validation found problems
  2  usage error, bad configuration, or nothing readable at all
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from lod import __version__
from lod.errors import LodError

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


class ProgressBar:
    """A one-line bar with rate and ETA on a terminal; nothing when output is piped."""

    def __init__(self, total: int, stream=sys.stderr, label: str = "records"):
        self.total = max(total, 1)
        self.stream = stream
        self.label = label
        self.enabled = stream.isatty()
        self.count = 0
        self.started = time.monotonic()
        self.last_draw = 0.0

    def advance(self, count: int = 1) -> None:
        self.count += count
        now = time.monotonic()
        if self.enabled and (now - self.last_draw > 0.1 or self.count >= self.total):
            self.last_draw = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        elapsed = max(now - self.started, 1e-6)
        rate = self.count / elapsed
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


def cmd_export(args) -> int:
    from lod import pipeline
    from lod.config import load_config
    from lod.link import offline_linker
    from lod.read import count_records
    from lod.vocab import SAMPLES_DIR

    config = load_config(args.config, base=args.base)
    inputs = args.inputs or [str(SAMPLES_DIR / "seed-record.txt")]
    out = Path(args.out)
    bar = ProgressBar(count_records(inputs))
    started = time.monotonic()
    report = pipeline.export(inputs, out, config.settings, linker=offline_linker(),
                             progress=bar, on_error=_error)
    elapsed = time.monotonic() - started
    if report.exported == 0 and not report.rejected and not report.skipped:
        _error("no records found in the input")
    print(f"lod export: {report.exported} documents exported, {len(report.rejected)} rejected, "
          f"{len(report.skipped)} files skipped, {report.triples} triples -> {out} "
          f"({elapsed:.1f}s; details in {out / pipeline.REPORT})")
    return report.status


def cmd_validate(args) -> int:
    from lod.publish.validate import validate_export

    problems = validate_export(Path(args.dir))
    for problem in problems:
        print(problem)
    print(f"lod validate: {len(problems)} problems in {args.dir}")
    return EXIT_OK if not problems else EXIT_REJECTED


def cmd_mapping(args) -> int:
    from lod.map.profiles import PROFILES

    for name, rules in PROFILES.items():
        print(f"\n{name}\n\n| record field | property | value |\n|---|---|---|")
        for rule in rules:
            value = f"`{rule.value.n3()}`" if rule.value is not None else rule.term
            print(f"| {rule.field} | `{rule.predicate.n3()}` | {value} |")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lod", description="Linked open data from archive records.")
    parser.add_argument("--version", action="version", version=f"lod {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    export = commands.add_parser("export", help="export records as Turtle, JSON-LD and dumps")
    export.add_argument("inputs", nargs="*", metavar="INPUT",
                        help="files or folders (.txt pages, .jsonl, .csv); none: the bundled sample")
    export.add_argument("--out", default="output", metavar="DIR", help="export folder (default: output)")
    export.add_argument("--base", metavar="IRI", help="base IRI for minted IRIs (default from lod.toml)")
    export.add_argument("--config", metavar="FILE", help="configuration file (default: ./lod.toml if present)")
    export.set_defaults(run=cmd_export)

    validate = commands.add_parser("validate", help="check an export against the SHACL shapes")
    validate.add_argument("dir", metavar="DIR", nargs="?", default="output")
    validate.set_defaults(run=cmd_validate)

    mapping = commands.add_parser("mapping", help="print the field -> property tables")
    mapping.set_defaults(run=cmd_mapping)
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
