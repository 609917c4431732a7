"""The same backlog on a real Dask LocalCluster (scheduler + 2 worker processes on 127.0.0.1)."""
from __future__ import annotations

import pytest
from batchhelp import BACKLOG, digest, read_jsonl, write_manifest

from service.batch import run_batch


@pytest.mark.ocr
def test_dask_cluster_matches_one_by_one(tmp_path, batch_settings, expected_backlog):
    from distributed import LocalCluster

    manifest = write_manifest(tmp_path / "in", list(BACKLOG))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        stats = run_batch(manifest, tmp_path / "out", settings=batch_settings, scheduler=cluster.scheduler_address)
    assert (stats.checked, stats.errors) == (len(BACKLOG), 0)
    got = {line["claim"]: digest(line["report"]) for line in read_jsonl(tmp_path / "out" / "reports.jsonl")}
    assert got == expected_backlog
    assert got["dev-041"]["checks"]["template_reuse"] == "fail"
