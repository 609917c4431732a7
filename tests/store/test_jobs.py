"""The job store on SQLite and PostgreSQL: claims under a lease, take-over of a dead replica's job, one report."""
from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
from pgserver import on_database

from models import CheckResult, Report
from service.config import Settings
from service.store.jobs import MAX_ATTEMPTS, JobStore, LostLease, new_id
from service.store.reports import ReportFilter, ReportStore
from service.store.sessions import session_factory


@pytest.fixture
def db(tmp_path, database_url):
    return session_factory(on_database(Settings(data_dir=tmp_path / "data"), database_url))


def _report() -> Report:
    return Report(claim_id="C-1", partner="Alpha", customer="Customer", workloads=["MDE"], claim_date="2025-04-01",
                  verdict="approvable", score=90, rules_version="test",
                  checks=[CheckResult(id="dates", status="pass", blocking=True, message="ok")],
                  created_at=datetime(2025, 5, 1, tzinfo=UTC))


def _submit(jobs: JobStore) -> str:
    return jobs.submit(new_id(), claim="{}", stated=None, files=["a.pdf"], owner_partner_id="A").id


def test_a_job_is_claimed_once_and_taken_over_when_its_lease_runs_out(db):
    jobs = JobStore(db)
    job_id = _submit(jobs)
    first = jobs.claim("replica-1", lease_s=0.5)
    assert first is not None and first.id == job_id and first.attempts == 1
    assert jobs.claim("replica-2", lease_s=0.5) is None  # held
    jobs.renew(job_id, "replica-1", lease_s=0.5, pages_done=2, pages_total=40)
    time.sleep(0.6)  # replica-1 died: no renewal
    second = jobs.claim("replica-2", lease_s=30)
    assert second is not None and second.id == job_id and second.attempts == 2
    assert (second.files_done, second.pages_done, second.pages_total) == (0, 0, None)  # counted again from 0
    with pytest.raises(LostLease):
        jobs.renew(job_id, "replica-1", lease_s=30, pages_done=3)
    assert jobs.get(job_id).pages_done == 0
    with pytest.raises(LostLease):  # the late replica stores nothing
        jobs.finish(job_id, "replica-1", report=_report(), report_id=new_id(), owner_partner_id="A")
    report_id = new_id()
    jobs.finish(job_id, "replica-2", report=_report(), report_id=report_id, owner_partner_id="A")
    done = jobs.get(job_id)
    assert (done.status, done.report_id) == ("done", report_id)
    assert ReportStore(db).list(ReportFilter())[1] == 1
    assert jobs.claim("replica-3", lease_s=30) is None
    assert jobs.get(job_id, scope="B") is None and jobs.get(job_id, scope="A") is not None


def test_concurrent_claims_take_different_jobs(db):
    jobs = JobStore(db)
    ids = {_submit(jobs) for _ in range(6)}
    taken: list[str] = []
    lock = threading.Lock()

    def take(n: int) -> None:
        while (job := jobs.claim(f"replica-{n}", lease_s=30)) is not None:
            with lock:
                taken.append(job.id)

    threads = [threading.Thread(target=take, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(taken) == sorted(ids)


def test_a_job_that_keeps_killing_its_replica_fails(db):
    jobs = JobStore(db)
    job_id = _submit(jobs)
    for n in range(MAX_ATTEMPTS):
        assert jobs.claim(f"replica-{n}", lease_s=0.2) is not None
        time.sleep(0.3)
    assert jobs.claim("replica-last", lease_s=30) is None
    failed = jobs.get(job_id)
    assert failed.status == "failed" and failed.error_code == "job_abandoned"
    assert jobs.ended([job_id, _submit(jobs), "0" * 32]) == {job_id, "0" * 32}  # its files may go
