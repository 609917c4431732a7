"""`poecheck serve --workers 2` on one port, on SQLite and on PostgreSQL, driven over real HTTP: requests are
answered by two worker processes (/healthz names the one that answered), a login made on one worker is valid on
the other, asynchronous checks claimed by two competing workers each finish exactly once, and a signal to the
supervisor stops every worker and reader with exit status 0; a supervisor killed outright takes its workers along.

A keep-alive connection stays with the worker that accepted it, so a client whose /healthz names a worker
talks to that worker."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from apihelp import REVIEWER, ROOT, auth, dev_case, free_port, multipart, serve_process
from pgserver import on_database
from test_async_checks import wait_done

from service.config import Settings
from service.store.jobs import JobStore
from service.store.reports import ReportFilter, ReportStore
from service.store.sessions import session_factory

WORKERS = 2
#: The signal each database's server is stopped with at the end of its module run.
STOP_SIGNAL = {"sqlite": signal.SIGTERM, "postgresql": signal.SIGINT}


@pytest.fixture(scope="module", params=list(STOP_SIGNAL))
def served(request, tmp_path_factory):
    """(the supervisor process, its URL, Settings on its database) of `serve --workers 2`, every worker up."""
    root = tmp_path_factory.mktemp(f"workers-{request.param}")
    settings, url = Settings(data_dir=root / "data"), None
    env = {"POECHECK_JOB_POLL_S": "0.2", "POECHECK_CHECK_WORKERS": "1"}  # one reader per worker: a lighter start
    if request.param == "postgresql":
        pg_server = request.getfixturevalue("pg_server")
        url = pg_server.create_database()
        settings = on_database(settings, url)
        env["POECHECK_DATABASE_URL"] = url
    with serve_process(settings.data_dir, "--workers", str(WORKERS), **env) as (proc, base):
        assert len(_worker_pids(base)) == WORKERS  # each has started
        yield proc, base, settings, request.param
    if url is not None:
        request.getfixturevalue("pg_server").drop_database(url)


def _worker_pids(base: str, *, deadline_s: float = 90) -> set[int]:
    """The pids /healthz reports over fresh connections, until WORKERS different ones have answered."""
    seen: set[int] = set()
    deadline = time.monotonic() + deadline_s
    while len(seen) < WORKERS and time.monotonic() < deadline:
        try:
            seen.add(httpx.get(base + "/healthz", timeout=5).json()["pid"])
        except httpx.TransportError:
            time.sleep(0.2)
    return seen


def _client_on(base: str, pid: int) -> httpx.Client:
    """A client whose one keep-alive connection is held by worker `pid`."""
    for _ in range(200):
        client = httpx.Client(base_url=base, limits=httpx.Limits(max_connections=1), timeout=120)
        if client.get("/healthz").json()["pid"] == pid:
            return client
        client.close()
    raise AssertionError(f"no connection was accepted by worker {pid}")


def _children(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _descendants(pid: int) -> set[int]:
    found, todo = set(), [pid]
    while todo:
        for child in _children(todo.pop()):
            found.add(child)
            todo.append(child)
    return found


def _running(pid: int) -> bool:
    """True while `pid` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _gone(pids: set[int], *, within_s: float = 30) -> set[int]:
    """The pids still running after `within_s` (readers exit on their own once their worker's pipe closes)."""
    deadline = time.monotonic() + within_s
    while (left := {p for p in pids if _running(p)}) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def test_requests_are_served_by_every_worker_of_the_supervisor(served):
    proc, base, _, _ = served
    workers = _worker_pids(base)
    assert len(workers) == WORKERS and proc.pid not in workers
    assert workers <= set(_children(proc.pid))


def test_a_login_on_one_worker_works_on_the_other(served):
    _, base, _, _ = served
    first, second = sorted(_worker_pids(base))
    with closing(_client_on(base, first)) as one, closing(_client_on(base, second)) as two:
        r = one.post("/login", data={"key": REVIEWER, "next": "/queue"}, follow_redirects=False)
        assert r.status_code == 303, r.text
        two.cookies.set("poecheck_session", r.cookies["poecheck_session"])
        assert two.get("/queue", follow_redirects=False).status_code == 200
        assert two.get("/v1/checks").status_code == 200
        assert two.get("/healthz").json()["pid"] == second  # still the same connection, the same worker
        assert one.post("/logout", follow_redirects=False).status_code == 303
        assert two.get("/v1/checks").status_code == 401


def test_async_checks_claimed_by_competing_workers_finish_exactly_once(served):
    _, base, settings, _ = served
    jobs, reports = JobStore(session_factory(settings)), ReportStore(session_factory(settings))
    before = reports.list(ReportFilter())[1]
    claim, files = dev_case("dev-002")
    accepted = [httpx.post(base + "/v1/checks?async=true", headers=auth(REVIEWER), files=multipart(claim, files))
                for _ in range(4)]  # queued at once: both workers' job threads reach for them
    assert [r.status_code for r in accepted] == [202] * 4, [r.text for r in accepted]
    done = [wait_done(httpx.get, base + r.headers["location"], auth(REVIEWER)) for r in accepted]
    assert [job["status"] for job in done] == ["done"] * 4, done
    assert len({job["report_id"] for job in done}) == 4
    stored = [jobs.get(r.json()["id"]) for r in accepted]
    assert [job.attempts for job in stored] == [1] * 4  # no job was taken twice
    workers = {f":{pid}:" for pid in _worker_pids(base)}
    assert all(any(w in job.ran_on for w in workers) for job in stored), [job.ran_on for job in stored]
    assert reports.list(ReportFilter())[1] == before + 4  # one report per job


def test_a_signal_stops_every_worker_and_reader_with_exit_0(served):
    """Runs last in its module: it stops the server (SIGTERM on SQLite, Ctrl-C's SIGINT on PostgreSQL)."""
    proc, base, _, database = served
    processes = _descendants(proc.pid)  # workers, their readers, multiprocessing's resource tracker
    assert len(processes) > WORKERS
    proc.send_signal(STOP_SIGNAL[database])
    assert proc.wait(timeout=120) == 0
    assert _gone(processes) == set()
    with pytest.raises(httpx.TransportError):
        httpx.get(base + "/healthz", timeout=2)


def test_workers_stop_when_their_supervisor_is_killed(tmp_path):
    with serve_process(tmp_path / "data", "--workers", str(WORKERS), POECHECK_CHECK_WORKERS="1") as (proc, base):
        assert len(_worker_pids(base)) == WORKERS
        processes = _descendants(proc.pid)
        proc.kill()
        proc.wait()
        assert _gone(processes, within_s=60) == set()


@pytest.mark.parametrize("workers", ["0", "-2"])
def test_workers_below_one_is_a_usage_error(workers, tmp_path):
    done = subprocess.run([str(Path(sys.executable).parent / "poecheck"), "serve", "--workers", workers],
                          check=False, capture_output=True, text=True,
                          env={**os.environ, "POECHECK_DATA_DIR": str(tmp_path)})
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("poecheck: usage: ") and "--workers" in done.stderr


def test_a_worker_that_cannot_start_stops_the_server(tmp_path):
    """The supervisor was given good settings but its workers read a bad trust-roots folder from the environment:
    each worker logs one line and exits with uvicorn's STARTUP_FAILURE, and the supervisor stops with
    `worker_failed` instead of restarting them again and again."""
    script = ("import sys\nfrom service.api.server import run\nfrom service.config import Settings\n"
              "from service.errors import PoecheckError\n"
              f"try:\n    run(Settings(data_dir={str(tmp_path / 'data')!r}, trust_roots=None), host='127.0.0.1', "
              f"port={free_port()}, workers={WORKERS})\n"
              "except PoecheckError as exc:\n    print(exc.code, exc.message)\n    sys.exit(exc.exit_code)\n")
    env = {**os.environ, "POECHECK_DATA_DIR": str(tmp_path / "data"), "POECHECK_TRUST_ROOTS": str(tmp_path / "none")}
    done = subprocess.run([sys.executable, "-c", script], check=False, capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=300)
    assert done.returncode == 2, done.stderr
    assert done.stdout.startswith("worker_failed worker process "), done.stdout
    assert "poecheck: trust_roots" in done.stderr and "Traceback" not in done.stderr
