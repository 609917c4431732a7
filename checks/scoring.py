"""Verdict (POE_RULES.md §4) and a 0-100 score from data weights."""
from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from checks import rulebook
from checks.rulebook import load_yaml
from models import CheckResult


@lru_cache(maxsize=1)
def _weights() -> dict:
    return load_yaml("weights.yaml")


def rules_version() -> str:
    """Version of the rule data, stamped on every report: a hash of the rule files (checks.rulebook)."""
    return rulebook.rules_version()


def verdict(results: Sequence[CheckResult]) -> str:
    """rejectable on any blocking fail; needs_more_poe on any other fail/warn; else approvable."""
    if any(r.status == "fail" and r.blocking for r in results):
        return "rejectable"
    if any(r.status in ("fail", "warn") for r in results):
        return "needs_more_poe"
    return "approvable"


def score(results: Sequence[CheckResult]) -> int:
    """Weighted share of passing checks, 0-100; capped at 49 when the verdict is rejectable."""
    data = _weights()
    weights, factor = data["weights"], data["status_factor"]
    total = got = 0.0
    for r in results:
        if r.status == "not_applicable":
            continue
        w = float(weights.get(r.id, 1))
        total += w
        got += w * float(factor[r.status])
    value = round(100 * got / total) if total else 0
    if verdict(results) == "rejectable":
        value = min(value, 49)
    return int(value)
