"""`python -m bench <module>` on a checkout without bench/results.json must not shrink the committed table."""
from __future__ import annotations

from bench.__main__ import missing_modules
from bench.suite import module_names


def test_a_partial_run_names_the_modules_without_figures():
    partial = {"profile": "full", "benchmarks": {"ocr_bench": {"ocr": {}}}}
    missing = missing_modules(partial)
    assert "ocr_bench" not in missing
    assert "text_bench" in missing and "checks_bench" in missing
    assert len(missing) == len(module_names()) - 1


def test_a_whole_run_misses_nothing():
    assert missing_modules({"benchmarks": {name: {} for name in module_names()}}) == []
