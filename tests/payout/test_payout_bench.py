"""Smoke test of the payout benchmark in quick mode (figures only; no timing assertions)."""

from __future__ import annotations

from bench.payout_bench import run


def test_quick_bench_streams_every_row():
    figures = run(quick=True)
    assert figures["rows"] >= 10_000
    assert figures["tenants"] == 100
    assert figures["rows_per_s"] > 0 and figures["peak_mb"] > 0
    assert figures["total_dollars"] > 0
