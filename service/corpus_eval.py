"""Score a labelled corpus (POE_RULES.md §6): verdict and per-check agreement, false approvals, payouts."""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

from pydantic import BaseModel, Field

from models.report import VERDICTS
from service.checking import check_uploaded
from service.claims import load_claim
from service.config import Settings
from service.errors import PoecheckError
from service.payout.evaluate import score_payout_cases
from service.reuse import ReuseIndex


class Mismatch(BaseModel):
    case: str
    expected_verdict: str
    verdict: str
    checks: dict[str, dict[str, str]] = Field(default_factory=dict, description="check -> expected/got")


class EvalSummary(BaseModel):
    cases: int
    verdict_agreement: float
    check_agreement: float
    false_approvals: int
    per_check: dict[str, dict[str, int]]
    confusion: dict[str, dict[str, int]] = Field(description="expected verdict -> got verdict -> cases")
    mismatches: list[Mismatch]
    errors: dict[str, str] = Field(default_factory=dict, description="case -> typed error code and message")
    payout_cases: int = 0
    payout_agreement: float | None = None
    payout_mismatches: list[str] = Field(default_factory=list)


def _cases(corpus: Path) -> list[dict]:
    path = corpus / "labels.jsonl"
    if not path.is_file():
        raise PoecheckError(f"{corpus} has no labels.jsonl", code="not_a_corpus")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def evaluate_corpus(corpus: Path, *, settings: Settings | None = None) -> EvalSummary:
    """Run every case in file order with a shared reuse store, as a batch would, and compare with the labels."""
    corpus = Path(corpus)
    settings = settings or Settings()
    if (corpus / "trust").is_dir():
        settings = settings.model_copy(update={"trust_roots": corpus / "trust"})
    index = ReuseIndex()
    per_check: dict[str, Counter] = defaultdict(Counter)
    confusion = {v: dict.fromkeys(VERDICTS, 0) for v in VERDICTS}
    mismatches, errors = [], {}
    agree_v = false_approvals = 0
    cases = _cases(corpus)
    for case in cases:
        name = case["case"]
        try:
            claim = load_claim(corpus / case["claim"])
            checked = check_uploaded(claim, [corpus / f for f in case["files"]], settings=settings, reuse=index)
        except PoecheckError as exc:
            errors[name] = f"{exc.code}: {exc.message}"
            continue
        report = checked.report
        index.add(claim, checked.documents, claim_id=claim.claim_id or name, partner=claim.partner.name)
        got = {c.id: c.status for c in report.checks}
        bad = {}
        for cid, want in case.get("expected_checks", {}).items():
            per_check[cid]["labelled"] += 1
            if got.get(cid) == want:
                per_check[cid]["agree"] += 1
            else:
                bad[cid] = {"expected": want, "got": got.get(cid, "missing")}
        expected = case["expected_verdict"]
        confusion.setdefault(expected, dict.fromkeys(VERDICTS, 0))[report.verdict] += 1
        agree_v += report.verdict == expected
        false_approvals += report.verdict == "approvable" and expected != "approvable"
        if bad or report.verdict != expected:
            mismatches.append(Mismatch(case=name, expected_verdict=expected, verdict=report.verdict, checks=bad))
    labelled = sum(c["labelled"] for c in per_check.values())
    summary = EvalSummary(
        cases=len(cases),
        verdict_agreement=round(agree_v / len(cases), 4) if cases else 0.0,
        check_agreement=round(sum(c["agree"] for c in per_check.values()) / labelled, 4) if labelled else 0.0,
        false_approvals=false_approvals,
        per_check={k: {"labelled": v["labelled"], "agree": v["agree"]} for k, v in sorted(per_check.items())},
        confusion=confusion,
        mismatches=mismatches,
        errors=errors,
    )
    if (corpus / "payouts.jsonl").is_file():
        pay = score_payout_cases(corpus)
        summary = summary.model_copy(update={
            "payout_cases": pay.cases, "payout_agreement": pay.agreement,
            "payout_mismatches": [str(m) for m in pay.mismatches][:50],
        })
    return summary
