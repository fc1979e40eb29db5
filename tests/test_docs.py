"""README.md and docs/ stay true: their commands, tables and claims are checked against the code."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from collections import Counter
from dataclasses import fields
from pathlib import Path

import pytest

from conftest import SAMPLE, document_files
from lod import limits, serialize
from lod.cli import build_parser, main
from lod.config import KEYS, load_config
from lod.iris import slug
from lod.map import LINKING_METHODS
from lod.publish import products
from lod.publish.layout import PUBLISHED
from lod.publish.report import Report
from lod.read import READERS
from lod.read.archive_fields import FIELDS
from lod.serve.oai import FORMATS as OAI_FORMATS

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
README = (ROOT / "README.md").read_text(encoding="utf-8")
PAGES = sorted(DOCS.glob("*.md"))
#: The docs the README must link (issue 15); any other page in docs/ must be linked too.
EXPECTED_PAGES = ("input", "mapping", "linking", "output", "serving", "aggregators", "performance",
                  "operations")
#: Scripts in benchmarks/ that other scripts use, not benchmarks of their own.
BENCHMARK_HELPERS = ("synthetic.py", "hostile.py", "junk_names.py")


def doc(name: str) -> str:
    return (DOCS / f"{name}.md").read_text(encoding="utf-8")


def prose(text: str) -> list[str]:
    """The lines of a Markdown text outside fenced code blocks."""
    lines, fenced = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced:
            lines.append(line)
    return lines


def section(text: str, heading: str) -> str:
    """From the heading line ``heading`` (e.g. ``## Limits``) to the next heading of its level or above."""
    level = len(heading) - len(heading.lstrip("#"))
    lines, fenced, start = text.splitlines(), False, None
    for number, line in enumerate(lines):
        fenced ^= line.startswith("```")
        if start is None and line == heading:
            start = number
        elif start is not None and not fenced and re.match(rf"#{{1,{level}}} ", line):
            return "\n".join(lines[start + 1:number])
    assert start is not None, f"no heading {heading!r}"
    return "\n".join(lines[start + 1:])


def table(text: str) -> list[list[str]]:
    """The rows of the first Markdown table in ``text`` (header and rule left out), cells stripped."""
    rows = []
    for line in text.splitlines():
        if line.startswith("|"):
            rows.append([cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]])
        elif rows:
            break
    return rows[2:]


def anchors(text: str) -> set[str]:
    """The anchors GitHub gives the headings of a Markdown text (a repeated one gets ``-1``, ``-2`` ...)."""
    found, seen = set(), Counter()
    for line in prose(text):
        heading = re.match(r"#+ (.+)", line)
        if heading:
            anchor = re.sub(r"[^\w\- ]", "", heading.group(1).lower()).replace(" ", "-")
            found.add(f"{anchor}-{seen[anchor]}" if seen[anchor] else anchor)
            seen[anchor] += 1
    return found


def setup_commands() -> list[str]:
    return re.findall(r"```sh\n(.+?)\n```", section(README, "## Set up"), re.S)


def subcommands() -> dict:
    return build_parser()._subparsers._group_actions[0].choices


# --- the README -----------------------------------------------------------------------------


def test_the_readme_is_at_most_200_lines():
    assert len(README.splitlines()) <= 200


def test_the_readme_links_every_page_of_docs():
    assert {page.stem for page in PAGES} >= set(EXPECTED_PAGES)
    for page in PAGES:
        assert f"](docs/{page.name})" in README, f"README does not link docs/{page.name}"


@pytest.mark.parametrize("path", [ROOT / "README.md", *PAGES], ids=lambda path: path.name)
def test_every_relative_link_resolves(path):
    text = path.read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)\s]+)\)", "\n".join(prose(text)))
    assert links or path.name != "README.md"
    for link in links:
        if re.match(r"[a-z]+:", link):
            continue
        target, _, anchor = link.partition("#")
        file = (path.parent / target).resolve() if target else path
        assert file.exists(), f"{path.name}: {link} leads nowhere"
        if anchor:
            assert anchor in anchors(file.read_text(encoding="utf-8")), f"{path.name}: no heading for {link}"


def test_readme_has_exactly_two_setup_commands():
    commands = setup_commands()
    assert len(commands) == 2
    install_and_run, install_and_test = commands
    assert "pip install" in install_and_run and "lod export" in install_and_run
    assert "pip install" in install_and_test and "pytest" in install_and_test


def test_the_setup_commands_are_ci_s():
    """CI runs the test command unchanged; the first command installs the same way, without the tests."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    install_and_run, install_and_test = setup_commands()
    assert install_and_test in ci
    install = install_and_test.split("'.[test]'")[0]
    assert install_and_run == f"{install}. && .venv/bin/lod export"


def test_every_command_is_in_the_commands_table_with_help():
    rows = table(section(README, "## Commands"))
    documented = [re.match(r"`lod (\w+)", row[0]).group(1) for row in rows]
    parser = build_parser()
    for name in subcommands():
        assert name in documented, f"lod {name} is not in the README's commands table"
    helps = {a.dest: a.help for a in parser._subparsers._group_actions[0]._choices_actions}
    assert all(helps.values()), helps


def test_the_commands_table_names_only_real_options():
    commands = subcommands()
    for row in table(section(README, "## Commands")):
        for usage in row[0].split(" / "):
            name = re.match(r"`lod (\w+)", usage).group(1)
            options = {o for action in commands[name]._actions for o in action.option_strings}
            for option in re.findall(r"--[a-z][a-z-]*", usage):
                assert option in options, f"lod {name} has no {option}"


def test_every_option_is_documented():
    text = README + "".join(page.read_text(encoding="utf-8") for page in PAGES)
    for name, command in subcommands().items():
        for action in command._actions:
            if action.help == "==SUPPRESS==":
                continue
            for option in action.option_strings:
                if option not in ("-h", "--help"):
                    assert re.search(rf"(?<![\w-]){option}(?![\w-])", text), f"lod {name} {option}"


def test_exit_statuses_are_documented():
    readme = README.split("**Exit status**", 1)[1].split("\n## ", 1)[0]
    operations = section(doc("operations"), "## Exit statuses and messages")
    for status in ("`0`", "`1`", "`2`", "`130`"):
        assert status in readme and status in operations, status


# --- docs/input.md --------------------------------------------------------------------------


def test_the_field_table_is_fields():
    rows = table(section(doc("input"), "## Fields").split("The fields", 1)[1])
    assert [(name, holds) for name, holds in rows] == [(f"`{name}`", holds) for name, holds in FIELDS.items()]


def test_every_reader_is_in_the_readers_table():
    rows = table(doc("input"))
    assert [row[0] for row in rows] == [f"`{extension}`" for extension in READERS]
    for (_, where, _), module in zip(rows, READERS.values()):
        assert where.strip("`").removesuffix("/").removesuffix(".py") == module.__name__.replace(".", "/")


# --- docs/mapping.md, docs/linking.md --------------------------------------------------------


def test_mapping_tables_are_what_lod_mapping_prints(capsys):
    assert main(["mapping"]) == 0
    printed = capsys.readouterr().out.strip()
    documented = doc("mapping").split("<!-- lod mapping -->", 1)[1].split("<!-- /lod mapping -->", 1)[0]
    assert documented.strip() == printed


def test_every_linking_method_is_documented():
    provenance = section(doc("linking"), "## Provenance and review")
    for method in LINKING_METHODS:
        assert re.search(rf"/{slug(method)}`", provenance), method


# --- docs/output.md -------------------------------------------------------------------------


def test_the_output_table_names_every_published_entry():
    paths = " ".join(row[0] for row in table(doc("output")))
    for name in PUBLISHED:
        assert re.search(rf"`{re.escape(name)}[/`]", paths), f"{name} is not in docs/output.md's table"


def test_every_output_formats_takes_is_documented():
    writes = section(doc("output"), "## What an export writes")
    names = [*(f.name for f in serialize.formats() if f.exportable), *(p.name for p in products.optional())]
    for name in names:
        assert f"`{name}`" in writes.split("The default is", 1)[0], name
    assert f"The default is `{','.join(products.default_outputs())}`" in writes


def test_every_key_of_report_json_is_documented():
    keys = {key for row in table(section(doc("output"), "## `report.json`")) for key in re.findall(r"`(\w+)`", row[0])}
    assert keys == set(Report().as_json())


# --- docs/serving.md ------------------------------------------------------------------------


def test_every_serve_option_is_in_its_table():
    rows = table(section(doc("serving"), "## Options"))
    options = {o for action in subcommands()["serve"]._actions for o in action.option_strings} - {"-h", "--help",
                                                                                                  "--debug"}
    assert {row[0].strip("`").split()[0] for row in rows} == options


def test_every_oai_metadata_format_is_documented():
    oai = section(doc("serving"), "## OAI-PMH")
    for prefix in OAI_FORMATS:
        assert f"`{prefix}`" in oai, prefix


# --- docs/aggregators.md --------------------------------------------------------------------


def test_the_check_example_is_what_lod_check_prints(exporter, capsys):
    example = re.search(r"```\n(.+?)\n```", section(doc("aggregators"), "## Pre-flight: `lod check`"), re.S).group(1)
    export = exporter([SAMPLE], "check-example", formats=(*products.default_outputs(), "edm"))
    assert main(["check", "--for", "europeana", str(export.out)]) == 1
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == len(example.splitlines())
    for line, documented in zip(printed, example.splitlines()):
        assert re.fullmatch(".+?".join(map(re.escape, documented.split("…"))), line), (documented, line)


# --- docs/operations.md ---------------------------------------------------------------------


def _keys(tree: dict, prefix: str = "") -> set[str]:
    return {name for key, value in tree.items()
            for name in ({f"{prefix}{key}"} | (_keys(value, f"{prefix}{key}.") if isinstance(value, dict) else set()))}


def test_every_lod_toml_key_is_documented_and_the_example_loads(tmp_path):
    example = re.search(r"```toml\n(.+?)```", section(doc("operations"), "## Configuration"), re.S).group(1)
    assert _keys(tomllib.loads(example)) == _keys(KEYS)
    (tmp_path / "lod.toml").write_text(example, encoding="utf-8")
    assert load_config(str(tmp_path / "lod.toml")).limits == limits.Limits()


def _amount(text: str) -> int:
    number, _, unit = text.replace(",", "").partition(" ")
    return int(number) * {"": 1, "MiB": limits.MIB}[unit]


def test_the_limits_table_is_lod_limits():
    text = section(doc("operations"), "## Limits")
    documented = [(name.strip("`"), _amount(default)) for name, default, _ in table(text)]
    assert documented == [(limit.name, limit.default) for limit in fields(limits.Limits)]
    assert documented and [name for name, _ in documented] == list(limits.LIMIT_NAMES)
    fixed = text.split("Three more are fixed", 1)[1]
    assert f"over {(limits.STATEMENT_BYTES + 1) // limits.MIB} MiB in the N-Quads dump" in fixed
    assert f"over {limits.URL_CHARS:,} characters" in fixed
    assert f"up to {limits.CACHED_TEXT} characters" in fixed


# --- docs/performance.md --------------------------------------------------------------------


def test_every_benchmark_has_its_command_and_figures():
    """Each benchmark's command is given, and its figures are blocks a new run can replace whole."""
    pages = [doc("performance"), doc("linking"), doc("aggregators")]
    scripts = sorted(p.name for p in (ROOT / "benchmarks").glob("*.py") if p.name not in BENCHMARK_HELPERS)
    named = set()
    for text in pages:
        markers = re.findall(r"<!-- (/?)figures(?:: ([^>]+?))? -->", text)
        assert [closing for closing, _ in markers] == ["", "/"] * (len(markers) // 2), markers
        named |= {name.split(",")[0].split()[0] for closing, name in markers if not closing}
    for script in scripts:
        assert f"python benchmarks/{script}" in "".join(pages), f"{script}: no command in docs/"
        assert script in named, f"{script}: no figures block in docs/"


# --- the package ----------------------------------------------------------------------------


@pytest.mark.slow
def test_plain_pip_install_works_outside_the_checkout(tmp_path):
    """A built wheel (not an editable install) carries vocab/ and the sample: export from elsewhere."""
    wheels = tmp_path / "wheels"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                            "-q", "-w", str(wheels), str(ROOT)], capture_output=True, text=True)
    if build.returncode != 0 and "No module named" in build.stderr:
        build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                                str(wheels), str(ROOT)], capture_output=True, text=True)
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = wheels.glob("lod-*.whl")
    site = tmp_path / "site"
    install = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                              str(site), str(wheel)], capture_output=True, text=True)
    assert install.returncode == 0, install.stderr[-2000:]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    run = subprocess.run([sys.executable, "-c", "import lod, sys; sys.argv = ['lod', 'export']; "
                          "from lod.cli import main; raise SystemExit(main())"],
                         cwd=elsewhere, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "1 documents exported" in run.stdout
    documents = document_files(elsewhere / "output", ".ttl")
    assert len(documents) == 1
    assert str(site) in subprocess.run(
        [sys.executable, "-c", "import lod.vocab; print(lod.vocab.VOCAB_DIR)"], cwd=elsewhere, env=env,
        capture_output=True, text=True).stdout
