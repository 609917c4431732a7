"""`poecheck eval` on the held-out corpora: POE written independently of the dev set and of the checks' code.

`poe_holdout` (23 cases) was written by one outside author; `poe_ext` (66 cases: letters on the customer's
letterhead, scans and phone photos, e-signature reports of many vendors, e-mails, POE in German, French, Spanish,
Italian, Dutch and Norwegian, decks, certificates with tables and .docx) by six, each given only POE_RULES.md and
docs/corpus_authoring.md; `poe_fresh` (27 cases) by three more, written after the rules of issue 13 and first
measured before any rule changed for it (0.78 verdict agreement, one false approval; then 0.96 and none);
`poe_blind` (80 cases) by seven more, after issue 13 (first runs 0.42 to 0.90 and four false approvals in all; dates
written by hand that OCR cannot read, seals and photos are what is left). The
floors sit a little under the figures measured when the rules last changed: a change that generalises worse
fails here. False approvals must stay at zero everywhere.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

POECHECK = Path(sys.executable).parent / "poecheck"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
#: corpus -> (verdict agreement, check agreement, customer_acknowledgement agreement, dates agreement)
FLOORS = {
    "poe_holdout": (0.95, 0.99, 1.0, 0.95),   # measured 1.0, 1.0, 1.0, 1.0
    "poe_ext": (0.95, 0.985, 0.98, 0.98),     # measured 1.0, 0.99, 1.0, 1.0
    "poe_fresh": (0.92, 0.97, 0.96, 0.96),    # measured 1.0, 0.99, 1.0, 1.0
    "poe_blind": (0.82, 0.95, 0.88, 0.76),    # measured 0.86, 0.97, 0.92, 0.80 (first runs: 0.42-0.90, 4 false approvals)
}


@pytest.fixture(scope="module", params=[pytest.param(name, marks=pytest.mark.xdist_group(f"eval-{name}"))
                                         for name in sorted(FLOORS)])
def corpus(request) -> tuple[str, dict]:
    """The corpus evaluated once per run; its tests form one xdist group, so the corpora share the workers."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    proc = subprocess.run([str(POECHECK), "eval", str(FIXTURES / request.param), "--json"], capture_output=True,
                          text=True, timeout=900, env=env, check=False)
    assert proc.returncode == 0, proc.stderr
    return request.param, json.loads(proc.stdout)


def _share(summary: dict, check: str) -> float:
    row = summary["per_check"][check]
    return row["agree"] / row["labelled"]


def test_every_case_is_scored(corpus) -> None:
    name, summary = corpus
    cases = [json.loads(line) for line in (FIXTURES / name / "labels.jsonl").read_text().splitlines() if line.strip()]
    assert summary["cases"] == len(cases) >= 20
    assert summary["errors"] == {}


def test_no_false_approval(corpus) -> None:
    _name, summary = corpus
    assert summary["false_approvals"] == 0, summary["mismatches"]


def test_agreement_does_not_regress(corpus) -> None:
    name, summary = corpus
    verdict, checks, ack, dates = FLOORS[name]
    assert summary["verdict_agreement"] >= verdict, summary["mismatches"]
    assert summary["check_agreement"] >= checks, summary["mismatches"]
    assert _share(summary, "customer_acknowledgement") >= ack, summary["mismatches"]
    assert _share(summary, "dates") >= dates, summary["mismatches"]
