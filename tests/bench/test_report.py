"""The README/RESULTS table states issue 18's targets next to the figures they judge."""
from __future__ import annotations

from bench.report import machine, markdown


def _checks(ms_10: float, ms_100: float) -> dict:
    return {"started": "2026-12-03T14:46:29+00:00", "machine": machine(), "benchmarks": {"checks_bench": {
        "10p": {"pages": 10, "ms_per_document": ms_10 * 10, "ms_per_page": ms_10},
        "100p": {"pages": 100, "ms_per_document": ms_100 * 100, "ms_per_page": ms_100}}}}


def test_the_100_page_checks_row_gives_the_ratio_to_10_pages_and_its_targets():
    row = next(line for line in markdown(_checks(2.5, 1.9)).splitlines() if "100-page document" in line)
    assert "| 1.90 ms/page | 0.76× per page vs 10 | ≤ 2 ms/page, ≤ 1.2× per page vs 10 |" in row


def test_without_a_10_page_figure_the_100_page_row_has_no_ratio():
    only = _checks(2.5, 1.9)
    del only["benchmarks"]["checks_bench"]["10p"]
    row = next(line for line in markdown(only).splitlines() if "100-page document" in line)
    assert "per page vs 10" not in row
