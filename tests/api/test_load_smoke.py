"""A short run of bench/load.py on a live `poecheck serve`: the load test's invariants, never its timings."""
from __future__ import annotations

import asyncio

import pytest

from bench.load import SCAN_CASES, api_keys, load_cases, run_load, serve

CLIENTS = 8
SECONDS = 10.0


@pytest.mark.ocr
def test_concurrent_uploads_lose_nothing_and_only_back_pressure_is_5xx(tmp_path):
    """8 clients for 10 s against 2 workers and 1 queue place: 503 busy (always with Retry-After, which the
    clients honour) is the only 5xx, and every 201 has its report in the store, listed once to a reviewer."""
    cases = [c for c in load_cases() if c.kind == "text" or c.name == SCAN_CASES[1]]  # text + PNG scan pages
    assert {c.kind for c in cases} == {"text", "scan"}
    with serve(tmp_path / "data", keys=api_keys(cases), log_path=tmp_path / "server.log",
               POECHECK_CHECK_WORKERS="2", POECHECK_QUEUE_LIMIT="1", POECHECK_RETRY_AFTER_S="1") as (url, pid):
        figures = asyncio.run(run_load(url, clients=CLIENTS, seconds=SECONDS, cases=cases, server_pid=pid))
    statuses = figures["statuses"]
    assert set(statuses) <= {"201", "503"}, statuses
    assert figures["server_errors_other_than_503"] == 0 and figures["transport_errors"] == 0
    assert statuses.get("503", 0) > 0, "8 clients on 3 places should have met back-pressure"
    assert figures["accepted"] > 0
    assert figures["stored"] == figures["accepted"]
    assert figures["accepted_not_listed"] == 0
    assert figures["listed_not_accepted"] == 0
    assert figures["duplicate_ids"] == 0
    assert figures["rss_mb"]["server_peak"] > 0
