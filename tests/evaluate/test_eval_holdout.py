"""`poecheck eval` on the held-out corpus (written independently of the dev set and of the checks' code).

The targets are false approvals 0 and verdict/check agreement >= 0.95. Agreement is not there yet: the
remaining mismatches are customer signature blocks that customer_acknowledgement does not recognise (a bare
customer-name or "Client" heading, bordered form cells that OCR drops), and `dates` fails with them.
`test_holdout_meets_the_targets` records that as an expected failure; `test_holdout_does_not_regress` keeps
the figures measured now as a floor, so a change that generalises worse is caught.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

POECHECK = Path(sys.executable).parent / "poecheck"
HOLDOUT = Path(__file__).resolve().parents[2] / "fixtures" / "poe_holdout"


@pytest.fixture(scope="module")
def summary() -> dict:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    proc = subprocess.run([str(POECHECK), "eval", str(HOLDOUT), "--json"], capture_output=True, text=True,
                          timeout=600, env=env, check=False)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_every_case_is_scored(summary: dict) -> None:
    cases = [json.loads(line) for line in (HOLDOUT / "labels.jsonl").read_text().splitlines() if line.strip()]
    assert summary["cases"] == len(cases) >= 20
    assert summary["errors"] == {}


def test_holdout_does_not_regress(summary: dict) -> None:
    assert summary["false_approvals"] == 0, summary["mismatches"]
    assert summary["verdict_agreement"] >= 0.86, summary["mismatches"]
    assert summary["check_agreement"] >= 0.98, summary["mismatches"]


@pytest.mark.parametrize("check", ["party_names", "tenant_match", "email_provenance", "licensing_only",
                                   "workload_match", "applicable_activities", "engagement_timeline", "user_counts",
                                   "generic_content", "template_reuse", "public_sector_disclosure",
                                   "customer_eligibility", "activity_detail", "digital_signature"])
def test_checks_outside_acknowledgement_agree_fully(summary: dict, check: str) -> None:
    row = summary["per_check"][check]
    assert row["agree"] == row["labelled"], [m for m in summary["mismatches"] if check in m["checks"]]


@pytest.mark.xfail(reason="customer signature blocks in held-out layouts are not recognised yet", strict=True)
def test_holdout_meets_the_targets(summary: dict) -> None:
    assert summary["false_approvals"] == 0, summary["mismatches"]
    assert summary["verdict_agreement"] >= 0.95, summary["mismatches"]
    assert summary["check_agreement"] >= 0.95, summary["mismatches"]
