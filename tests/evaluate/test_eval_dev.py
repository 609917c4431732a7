"""`poecheck eval` on the labelled dev corpus: the targets hold, and a wrong label is caught."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

POECHECK = Path(sys.executable).parent / "poecheck"
POE_DEV = Path(__file__).resolve().parents[2] / "fixtures" / "poe_dev"


def _eval(corpus: Path) -> dict:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    proc = subprocess.run([str(POECHECK), "eval", str(corpus), "--json"], capture_output=True, text=True,
                          timeout=600, env=env, check=False)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def dev_summary() -> dict:
    return _eval(POE_DEV)


def test_dev_corpus_meets_the_targets(dev_summary: dict) -> None:
    cases = [json.loads(line) for line in (POE_DEV / "labels.jsonl").read_text().splitlines() if line.strip()]
    assert dev_summary["cases"] == len(cases)
    assert dev_summary["errors"] == {}
    assert dev_summary["false_approvals"] == 0
    assert dev_summary["verdict_agreement"] >= 0.95, dev_summary["mismatches"]
    assert dev_summary["check_agreement"] >= 0.95, dev_summary["mismatches"]


def test_dev_payouts_match_exactly(dev_summary: dict) -> None:
    payouts = (POE_DEV / "payouts.jsonl").read_text().splitlines()
    assert dev_summary["payout_cases"] == len([p for p in payouts if p.strip()])
    assert dev_summary["payout_agreement"] == 1.0, dev_summary["payout_mismatches"]


def test_a_wrong_label_is_reported_as_a_mismatch(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(POE_DEV, corpus)
    labels = [json.loads(line) for line in (corpus / "labels.jsonl").read_text().splitlines() if line.strip()]
    first = labels[0]
    assert first["expected_verdict"] == "approvable"
    first["expected_verdict"] = "reject"
    (corpus / "labels.jsonl").write_text(json.dumps(first) + "\n")
    (corpus / "payouts.jsonl").write_text("")
    summary = _eval(corpus)
    assert summary["cases"] == 1 and summary["verdict_agreement"] == 0.0
    assert [m["case"] for m in summary["mismatches"]] == [first["case"]]
    assert summary["confusion"]["reject"]["approvable"] == 1
