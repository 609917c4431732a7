"""Smoke test of bench/batch_bench.py in quick mode (tiny inputs; no timing asserted)."""
from __future__ import annotations

import pytest


@pytest.mark.ocr
def test_batch_bench_quick_runs():
    from bench.batch_bench import run

    result = run(quick=True)
    assert result["one_worker"]["pages"] >= 4 and result["two_workers"]["claims"] == result["one_worker"]["claims"]
    assert result["reuse"]["found"] == result["reuse"]["planted_duplicates"]
    assert result["reuse"]["false_matches"] == 0
