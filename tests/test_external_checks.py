"""Independent checkers on a real export: rapper and serdi on every file, Virtuoso bulk load.

The scripts live in ``.ci/`` (CI installs the Debian packages); each test skips when its
tool cannot be had here (no root to install it, or no apt).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from lod import pipeline
from lod.config import Config, ExportOptions

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"


def can_install() -> bool:
    return os.geteuid() == 0 and shutil.which("apt-get") is not None


@pytest.fixture(scope="module")
def export_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("export") / "out"
    report = pipeline.export([str(ROOT / "samples" / "seed-record.txt"), str(FIXTURES / "pages"),
                              str(FIXTURES / "records" / "sample.jsonl")], out, Config(),
                             options=ExportOptions(now="2026-01-01T00:00:00Z", chunk_triples=400))
    assert report.exported > 10
    return out.resolve()


@pytest.mark.external
def test_rapper_and_serdi_accept_every_file(export_dir):
    if not (shutil.which("rapper") and shutil.which("serdi")) and not can_install():
        pytest.skip("rapper/serdi not installed and cannot be installed here")
    run = subprocess.run(["bash", str(ROOT / ".ci" / "rdf_tools_check.sh"), str(export_dir)],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert " 0 failed" in run.stdout


@pytest.mark.external
@pytest.mark.slow
def test_virtuoso_loads_the_dumps_with_the_manifest_counts(export_dir):
    if not shutil.which("virtuoso-t") and not can_install():
        pytest.skip("Virtuoso not installed and cannot be installed here")
    chunks = sorted((export_dir / "dumps").glob("documents-*.nq.gz"))
    assert len(chunks) > 1  # the small chunk size makes several files: all are loaded
    run = subprocess.run(["bash", str(ROOT / ".ci" / "virtuoso_check.sh"), str(export_dir)],
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "virtuoso_check: OK" in run.stdout
