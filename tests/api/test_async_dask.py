"""With POECHECK_DASK_SCHEDULER, an asynchronous check is read and checked on the Dask cluster's workers
(a real LocalCluster: scheduler + worker processes on 127.0.0.1), with the report of the local pool."""
from __future__ import annotations

import pytest
from apihelp import REVIEWER, auth, comparable, dev_case, multipart
from sqlalchemy import select
from test_async_checks import assert_pages_counted_while_read, wait_done

from service.store.jobs import JobRow, JobStore
from service.store.sessions import session_factory


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        yield cluster


@pytest.fixture
def settings(settings, cluster):
    return settings.model_copy(update={"dask_scheduler": cluster.scheduler_address, "job_poll_s": 0.2})


@pytest.mark.ocr
@pytest.mark.parametrize("case", [pytest.param("dev-002", id="text-pdf"), pytest.param("dev-018", id="scan")])
def test_async_check_runs_on_the_cluster_workers_with_the_local_report(client, settings, cluster, case):
    claim, files = dev_case(case)
    local = _local_report(settings, claim, files)
    r = client.post("/v1/checks?async=true", headers=auth(REVIEWER), files=multipart(claim, files))
    assert r.status_code == 202, r.text
    job = wait_done(client.get, r.headers["location"], auth(REVIEWER))
    assert job["status"] == "done", job
    workers = set(cluster.scheduler_info["workers"])
    ran_on = set(JobStore(session_factory(settings)).get(job["id"]).ran_on.split(", "))
    assert ran_on and ran_on <= workers  # every task ran on a Dask worker, none in the replica
    report = client.get(f"/v1/checks/{job['report_id']}", headers=auth(REVIEWER)).json()
    assert comparable(report) == comparable(local)


@pytest.mark.ocr
def test_a_scan_s_pages_are_counted_while_a_cluster_worker_reads_it(client, settings, cluster, tmp_path):
    """The worker tells the replica each page read (a Dask event), and the job's progress shows it."""
    assert_pages_counted_while_read(client, tmp_path)


def test_a_synchronous_check_also_runs_on_the_cluster(client, settings, cluster):
    """With a scheduler, a synchronous check is a job the request waits for: same answer, work on the workers."""
    claim, files = dev_case("dev-001")
    r = client.post("/v1/checks", headers=auth(REVIEWER), files=multipart(claim, files))
    assert r.status_code == 201, r.text
    jobs = JobStore(session_factory(settings))
    with session_factory(settings)() as session:
        row = session.scalar(select(JobRow).where(JobRow.report_id == r.json()["id"]))
    assert set(jobs.get(row.id).ran_on.split(", ")) <= set(cluster.scheduler_info["workers"])
    bad = client.post("/v1/checks", headers=auth(REVIEWER), files=[("claim", (None, claim)),
                                                                  ("files", ("empty.pdf", b""))])
    assert (bad.status_code, bad.json()["code"]) == (422, "empty_file")


def _local_report(settings, claim: bytes, files) -> dict:
    """The report of the same check by a replica without a cluster (its own pool)."""
    from fastapi.testclient import TestClient

    from service.api import create_app

    local = settings.model_copy(update={"dask_scheduler": None, "data_dir": settings.data_dir / "local"})
    with TestClient(create_app(local)) as client:
        r = client.post("/v1/checks", headers=auth(REVIEWER), files=multipart(claim, files))
    assert r.status_code == 201, r.text
    return r.json()
