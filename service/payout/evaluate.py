"""Score a labelled corpus's payouts.jsonl (POE_RULES.md §6): cases matched exactly, field by field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from models.payout import PayoutLedger, WorkloadLedger
from service.claims import load_claim
from service.errors import PoecheckError
from service.payout.ledger import compute_payout

MONTH_FIELDS = ("hwm", "units", "dollars", "released")
MONEY_FIELDS = {"dollars", "released", "held_dollars"}


class PayoutMismatch(NamedTuple):
    """(case, workload, field, expected, got); field is `units`, `dollars`, `held_dollars`,
    `months[YYYY-MM].<field>`, `months`, `workload` or `error`."""

    case: str
    workload: str
    field: str
    expected: Any = None
    got: Any = None


class PayoutEval(BaseModel):
    model_config = ConfigDict(frozen=True)
    cases: int = 0
    matched: int = 0
    agreement: float = Field(default=0.0, description="matched / cases (0 when there are no cases).")
    mismatches: list[PayoutMismatch] = Field(default_factory=list)


def _same(field: str, expected: Any, got: Any) -> bool:
    if field in MONEY_FIELDS:  # compare money in cents: never float equality
        return expected is not None and round(float(expected) * 100) == round(float(got) * 100)
    return expected == got


def _compare_workload(case: str, wid: str, expected: dict, got: WorkloadLedger) -> list[PayoutMismatch]:
    out = [
        PayoutMismatch(case=case, workload=wid, field=f, expected=expected.get(f), got=getattr(got, f))
        for f in ("units", "dollars", "held_dollars")
        if not _same(f, expected.get(f), getattr(got, f))
    ]
    if "months" not in expected:
        return out
    rows = {r.month: r for r in got.months}
    for exp in expected["months"]:
        row = rows.get(exp.get("month"))
        if row is None:
            out.append(
                PayoutMismatch(
                    case=case, workload=wid, field=f"months[{exp.get('month')}]", expected="row", got=None
                )
            )
            continue
        out.extend(
            PayoutMismatch(
                case=case,
                workload=wid,
                field=f"months[{row.month}].{f}",
                expected=exp[f],
                got=getattr(row, f),
            )
            for f in MONTH_FIELDS
            if f in exp and not _same(f, exp[f], getattr(row, f))
        )
    extra = sorted(set(rows) - {e.get("month") for e in expected["months"]})
    if extra:
        out.append(PayoutMismatch(case=case, workload=wid, field="months", expected=None, got=extra))
    return out


def _compare(case: str, expected: dict, ledger: PayoutLedger) -> list[PayoutMismatch]:
    out: list[PayoutMismatch] = []
    for wid, exp in expected.items():
        got = ledger.workloads.get(wid)
        if got is None:
            out.append(PayoutMismatch(case=case, workload=wid, field="workload", expected="ledger", got=None))
        else:
            out.extend(_compare_workload(case, wid, exp, got))
    return out


def score_payout_cases(corpus_dir: Path) -> PayoutEval:
    """Compute every case of `corpus_dir/payouts.jsonl` and compare it with the expected ledger."""
    corpus_dir = Path(corpus_dir)
    path = corpus_dir / "payouts.jsonl"
    if not path.is_file():
        return PayoutEval()
    cases = matched = 0
    mismatches: list[PayoutMismatch] = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        cases += 1
        case = f"line {lineno}"
        try:
            spec = json.loads(line)
            case = str(spec.get("case", case))
            ledger = compute_payout(load_claim(corpus_dir / spec["claim"]))
            found = _compare(case, spec.get("expected", {}), ledger)
        except (PoecheckError, ValueError, KeyError, TypeError, AttributeError) as exc:
            found = [PayoutMismatch(case=case, workload="", field="error", expected=None, got=str(exc))]
        mismatches.extend(found)
        matched += not found
    return PayoutEval(
        cases=cases, matched=matched, agreement=matched / cases if cases else 0.0, mismatches=mismatches
    )
