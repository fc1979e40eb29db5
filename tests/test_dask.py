"""Distributed mode: a Dask LocalCluster with real worker processes gives the local output."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import published
from lod import pipeline
from lod.link import offline_linker
from lod.config import Config, ExportOptions

distributed = pytest.importorskip("dask.distributed")

ROOT = Path(__file__).resolve().parents[1]
INPUTS = [str(ROOT / "samples" / "seed-record.txt"), str(ROOT / "tests" / "fixtures" / "pages"),
          str(ROOT / "tests" / "fixtures" / "records" / "sample.jsonl"),
          str(ROOT / "tests" / "fixtures" / "records" / "sample.csv")]
NOW = "2026-01-01T00:00:00Z"


def files(folder: Path) -> dict[str, object]:
    return published(folder)


@pytest.mark.slow
def test_dask_workers_1_and_2_give_identical_files(tmp_path):
    local = pipeline.export(INPUTS, tmp_path / "one", Config(), offline_linker(),
                            ExportOptions(now=NOW, workers=1, chunk_triples=500))
    pool = pipeline.export(INPUTS, tmp_path / "two", Config(), offline_linker(),
                           ExportOptions(now=NOW, workers=2, chunk_triples=500))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, host="127.0.0.1") as cluster, \
            distributed.Client(cluster) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        on_dask = pipeline.export(INPUTS, tmp_path / "dask", Config(), offline_linker(),
                                  ExportOptions(now=NOW, chunk_triples=500), engine=client)
    assert local.exported == pool.exported == on_dask.exported > 10
    one, two, dask_files = files(tmp_path / "one"), files(tmp_path / "two"), files(tmp_path / "dask")
    assert len([name for name in one if name.startswith("dumps/")]) > 2
    assert one.keys() == two.keys() == dask_files.keys()
    assert [n for n in one if one[n] != two[n]] == []
    assert [n for n in one if one[n] != dask_files[n]] == []
