"""Scaling out: asynchronous scans on a Dask LocalCluster with 1 and 2 workers, and synchronous text-PDF checks
on 2 API replicas against 1 (replicas share a PostgreSQL server started for the run, as in the tests).

Async scans: one `poecheck serve` with POECHECK_DASK_SCHEDULER queues `jobs` 1-page scans at once
(`?async=true`) and polls them; throughput is jobs / wall from the first submission to the last job done.
Replicas: the same number of text-PDF checks from 4 clients per replica, spread over 1 or 2 replicas.
Everything shares the machine's cores with the clients (and the cluster with the replica).
"""
from __future__ import annotations

import http.client
import json
import os
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.inputs import Inputs
from bench.service_bench import KEY, Server, load, multipart, run_threads

ROOT = Path(__file__).resolve().parents[1]


def _request(port: int, method: str, path: str, body: bytes | None = None, ctype: str | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    headers = {"Authorization": f"Bearer {KEY}"} | ({"Content-Type": ctype} if ctype else {})
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, response.getheader("Location"), json.loads(data or b"null")


def async_scans(inputs: Inputs, *, workers: int, jobs: int) -> dict[str, object]:
    """`jobs` asynchronous 1-page scan checks through one replica whose work runs on `workers` Dask workers."""
    from distributed import LocalCluster

    body, ctype = multipart(inputs.claim, inputs.scan_pdfs[1])
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, \
            Server(inputs.folder / f"scaleout-dask-{workers}", POECHECK_DASK_SCHEDULER=cluster.scheduler_address,
                   POECHECK_JOB_WORKERS=str(2 * workers), POECHECK_JOB_POLL_S="0.2") as server:
        _wait_all(server.port, [_request(server.port, "POST", "/v1/checks?async=true", body, ctype)[1]])  # warm-up
        start = time.perf_counter()
        locations = [_request(server.port, "POST", "/v1/checks?async=true", body, ctype)[1] for _ in range(jobs)]
        done = _wait_all(server.port, locations)
        wall = time.perf_counter() - start
    return {"jobs": jobs, "done": done, "wall_s": round(wall, 2), "jobs_per_s": round(jobs / wall, 3)}


def _wait_all(port: int, locations: list[str]) -> int:
    left, done = set(locations), 0
    while left:
        for location in list(left):
            _, _, job = _request(port, "GET", location)
            if job["status"] in ("done", "failed"):
                left.discard(location)
                done += job["status"] == "done"
        time.sleep(0.2)
    return done


def replicas(inputs: Inputs, *, count: int, requests: int, database_url: str) -> dict[str, object]:
    """`requests` synchronous text-PDF checks spread over `count` replicas of one PostgreSQL database."""
    body, ctype = multipart(inputs.claim, inputs.text_pdfs[1])
    servers = [Server(inputs.folder / f"scaleout-replica-{count}-{n}", POECHECK_DATABASE_URL=database_url,
                      POECHECK_SHARED_DIR=str(inputs.folder / f"scaleout-shared-{count}")) for n in range(count)]
    for server in servers:
        server.__enter__()
    try:
        for server in servers:  # warm-up: readers started, checks loaded
            load(server.port, body, ctype, requests=1, clients=1)
        results: list[dict] = [{}] * count

        def drive(n: int) -> None:
            results[n] = load(servers[n].port, body, ctype, requests=requests // count, clients=4)

        wall = run_threads([threading.Thread(target=drive, args=(n,)) for n in range(count)])
    finally:
        for server in servers:
            server.__exit__()
    total = sum(r["requests"] for r in results)
    return {"replicas": count, "requests": total, "ok": sum(r["ok"] for r in results),
            "requests_per_s": round(total / wall, 2), "p50_ms": max(r["p50_ms"] for r in results)}


def run(inputs: Inputs) -> dict[str, object]:
    sys.path.insert(0, str(ROOT / "tests"))
    from pgserver import PgServer, find_bin

    from service.config import Settings
    from service.store.migrate import upgrade

    profile = inputs.profile
    out: dict[str, object] = {"started": datetime.now(UTC).isoformat(timespec="seconds"),
                              "load_average_1min": round(os.getloadavg()[0], 2)}
    jobs = profile.http_ocr_requests
    out["dask_1_worker"] = async_scans(inputs, workers=1, jobs=jobs)
    out["dask_2_workers"] = async_scans(inputs, workers=2, jobs=jobs)
    out["async_scans_ratio_2_vs_1"] = round(out["dask_2_workers"]["jobs_per_s"] / out["dask_1_worker"]["jobs_per_s"], 2)
    bindir = find_bin()
    if bindir is None:
        raise RuntimeError("PostgreSQL is not installed (make setup)")
    server = PgServer(bindir).start()
    try:
        for count in (1, 2):
            url = server.create_database()
            upgrade(Settings(database_url=url))
            out[f"replicas_{count}"] = replicas(inputs, count=count, requests=profile.http_requests, database_url=url)
    finally:
        server.stop()
    out["replicas_ratio_2_vs_1"] = round(out["replicas_2"]["requests_per_s"] / out["replicas_1"]["requests_per_s"], 2)
    return out
