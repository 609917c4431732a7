"""Several `poecheck serve` replicas on one PostgreSQL database and one shared folder: a login, a report, its
page images and kept uploads made on one replica are there on the other; an asynchronous check accepted by
one is read on the other, and finishes exactly once when the replica running it is killed."""
from __future__ import annotations

import os
import signal
import time

import httpx
import pytest
from apihelp import DEV, REVIEWER, auth, comparable, dev_case, live_server, multipart
from pgserver import on_database
from test_async_checks import wait_done

from service.config import Settings
from service.store.jobs import JobStore
from service.store.reports import ReportFilter, ReportStore
from service.store.sessions import session_factory

LEASE_S = 4


@pytest.fixture(scope="module")
def replicas(tmp_path_factory, pg_server):
    """Two replicas (separate data folders) sharing a PostgreSQL database and a files folder."""
    root = tmp_path_factory.mktemp("replicas")
    url = pg_server.create_database()
    settings = on_database(Settings(data_dir=root / "migrate"), url)
    env = {"POECHECK_DATABASE_URL": url, "POECHECK_SHARED_DIR": str(root / "shared"),
           "POECHECK_KEEP_UPLOADS": "true", "POECHECK_JOB_LEASE_S": str(LEASE_S), "POECHECK_JOB_POLL_S": "0.3"}
    with live_server(root / "one", **env) as one, live_server(root / "two", **env) as two:
        yield one, two, root / "shared", settings
    pg_server.drop_database(url)


def _login(url: str) -> str:
    r = httpx.post(url + "/login", data={"key": REVIEWER, "next": "/queue"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return r.cookies["poecheck_session"]


def test_a_login_on_one_replica_works_on_the_other(replicas):
    one, two, _, _ = replicas
    cookie = {"poecheck_session": _login(one)}
    assert httpx.get(two + "/queue", cookies=cookie, follow_redirects=False).status_code == 200
    assert httpx.get(two + "/v1/checks", cookies=cookie).status_code == 200
    assert httpx.post(two + "/logout", cookies=cookie, follow_redirects=False).status_code == 303
    assert httpx.get(one + "/queue", cookies=cookie, follow_redirects=False).status_code == 303  # to /login
    assert httpx.get(one + "/v1/checks", cookies=cookie).status_code == 401


@pytest.mark.ocr
def test_report_page_images_and_kept_uploads_are_seen_from_either_replica(replicas):
    one, two, shared, _ = replicas
    claim, files = dev_case("dev-018")  # a scan: its pages are kept as images
    r = httpx.post(one + "/v1/checks", headers=auth(REVIEWER), files=multipart(claim, files), timeout=180)
    assert r.status_code == 201, r.text
    report_id = r.json()["id"]
    again = httpx.get(f"{two}/v1/checks/{report_id}", headers=auth(REVIEWER))
    assert again.status_code == 200 and again.json()["verdict"] == r.json()["verdict"]
    page = httpx.get(f"{two}/v1/checks/{report_id}/pages/1", headers=auth(REVIEWER))
    assert page.status_code == 200 and page.content[:3] == b"\xff\xd8\xff"  # a scan is kept as JPEG
    kept = shared / "uploads" / report_id / files[0].name
    assert kept.read_bytes() == (DEV / "docs/dev-018" / files[0].name).read_bytes()


def test_an_async_check_accepted_by_one_replica_is_read_on_the_other(replicas):
    one, two, _, _ = replicas
    claim, files = dev_case("dev-002")
    r = httpx.post(one + "/v1/checks?async=true", headers=auth(REVIEWER), files=multipart(claim, files))
    assert r.status_code == 202, r.text
    job = wait_done(httpx.get, two + r.headers["location"], auth(REVIEWER))
    assert job["status"] == "done", job
    report = httpx.get(f"{two}/v1/checks/{job['report_id']}", headers=auth(REVIEWER))
    sync = httpx.post(two + "/v1/checks", headers=auth(REVIEWER), files=multipart(claim, files), timeout=120)
    assert report.status_code == 200 and comparable(report.json()) == comparable(sync.json())


@pytest.mark.ocr
def test_a_job_of_a_killed_replica_finishes_on_the_other_exactly_once(replicas):
    """Runs last: it kills one of the replicas."""
    one, two, _, settings = replicas
    jobs, reports = JobStore(session_factory(settings)), ReportStore(session_factory(settings))
    before = reports.list(ReportFilter())[1]
    claim, files = dev_case("dev-018")  # a scan: OCR keeps the job running for a few seconds
    r = httpx.post(one + "/v1/checks?async=true", headers=auth(REVIEWER), files=multipart(claim, files))
    assert r.status_code == 202, r.text
    job_id = r.json()["id"]
    deadline = time.monotonic() + 60
    while (job := jobs.get(job_id)).status != "running" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert job.status == "running" and job.attempts == 1
    victim = int(job.lease_owner.split(":")[1])
    os.kill(victim, signal.SIGKILL)
    survivor = next(url for url in (one, two) if _alive(url))
    done = wait_done(httpx.get, f"{survivor}/v1/jobs/{job_id}", auth(REVIEWER))
    assert done["status"] == "done", done
    job = jobs.get(job_id)
    assert job.attempts == 2 and f":{victim}:" not in job.ran_on  # finished by the survivor
    assert reports.list(ReportFilter())[1] == before + 1  # exactly one report
    assert httpx.get(f"{survivor}/v1/checks/{done['report_id']}", headers=auth(REVIEWER)).json()["verdict"] \
        == "rejectable"


def _alive(url: str) -> bool:
    try:
        return httpx.get(url + "/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False
