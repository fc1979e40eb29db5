"""The README stays true: its commands, tables and claims are checked against the code."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import document_files
from lod.cli import build_parser, main
from lod.read.archive_fields import FIELDS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def setup_commands() -> list[str]:
    section = README.split("## Set up", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section, re.S)


def test_readme_has_exactly_two_setup_commands():
    commands = setup_commands()
    assert len(commands) == 2
    install_and_run, install_and_test = commands
    assert "pip install" in install_and_run and "lod export" in install_and_run
    assert "pip install" in install_and_test and "pytest" in install_and_test


def test_ci_runs_the_readme_test_command_unchanged():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert setup_commands()[1] in ci.splitlines()


def test_every_command_is_documented_with_help():
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    for name, sub in commands.items():
        assert f"`lod {name}" in README, f"lod {name} is not in the README"
        assert sub.description or parser._subparsers._group_actions[0]._choices_actions, name
    helps = {a.dest: a.help for a in parser._subparsers._group_actions[0]._choices_actions}
    assert all(helps.values()), helps


def test_mapping_tables_in_readme_are_what_lod_mapping_prints(capsys):
    assert main(["mapping"]) == 0
    printed = capsys.readouterr().out.strip()
    documented = README.split("<!-- lod mapping -->", 1)[1].split("<!-- /lod mapping -->", 1)[0].strip()
    assert documented == printed


def test_every_input_field_is_documented():
    for name in FIELDS:
        assert f"| `{name}` |" in README, name


def test_exit_statuses_are_documented():
    for status in ("`0`", "`1`", "`2`"):
        assert status in README.split("**Exit status**", 1)[1].split("\n## ", 1)[0]


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
