"""compute_payout on the spec's worked example, the dev corpus and the edge cases of §5."""

from __future__ import annotations

import json

import pytest
from payout_helpers import POE_DEV, WORKED, make_claim

from service.claims import load_claim
from service.errors import InvalidUsage
from service.payout import compute_payout, load_payout_rules
from service.payout.evaluate import score_payout_cases


def _rows(ledger, workload):
    return [(m.month, m.mau, m.pau, m.hwm, m.units, m.dollars) for m in ledger.workloads[workload].months]


def test_worked_example_of_the_spec():
    ledger = compute_payout(make_claim({"INTUNE": WORKED}, association="2024-12"))
    assert _rows(ledger, "INTUNE") == [
        ("2024-10", 300, 500, 300, 0, 0),
        ("2024-11", 350, 500, 300, 0, 0),
        ("2024-12", 400, 500, 350, 50, 50),
        ("2025-01", 250, 500, 400, 0, 0),
        ("2025-02", 200, 500, 400, 0, 0),
        ("2025-03", 430, 500, 400, 30, 30),
        ("2025-04", 550, 500, 430, 70, 70),
    ]
    wl = ledger.workloads["INTUNE"]
    assert (wl.units, wl.dollars, wl.held_dollars) == (150, 150, 0)
    assert ledger.total_dollars == 150 and ledger.total_units == 150
    assert wl.months[1].status == "before_association"


def _payout_cases() -> list:
    cases = [
        json.loads(line) for line in (POE_DEV / "payouts.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    return [pytest.param(case, id=case["case"]) for case in cases]


@pytest.mark.parametrize("case", _payout_cases())
def test_dev_payout_case_matches_exactly(case):
    ledger = compute_payout(load_claim(POE_DEV / case["claim"]))
    for wid, exp in case["expected"].items():
        got = ledger.workloads[wid]
        assert (got.units, got.dollars, got.held_dollars) == (
            exp["units"],
            exp["dollars"],
            exp["held_dollars"],
        )
        assert [
            {k: getattr(m, k) for k in ("month", "mau", "pau", "hwm", "units", "dollars", "released")}
            for m in got.months
        ] == exp["months"]
    assert ledger.total_dollars == case["total_dollars"]
    assert ledger.total_held_dollars == case["total_held_dollars"]


def test_score_payout_cases_on_poe_dev_agrees_fully():
    result = score_payout_cases(POE_DEV)
    assert (result.cases, result.matched, result.agreement, result.mismatches) == (8, 8, 1.0, [])


def test_score_payout_cases_reports_each_mismatch(tmp_path):
    line = json.loads((POE_DEV / "payouts.jsonl").read_text(encoding="utf-8").splitlines()[0])
    line["claim"] = str((POE_DEV / line["claim"]).resolve())
    line["expected"]["INTUNE"]["dollars"] = 149
    line["expected"]["INTUNE"]["months"][2]["hwm"] = 351
    (tmp_path / "payouts.jsonl").write_text(json.dumps(line) + "\n", encoding="utf-8")
    result = score_payout_cases(tmp_path)
    assert (result.cases, result.matched, result.agreement) == (1, 0, 0.0)
    assert {(m.field, m.expected, m.got) for m in result.mismatches} == {
        ("dollars", 149, 150),
        ("months[2024-12].hwm", 351, 350),
    }
    case, workload, *_ = result.mismatches[0]
    assert (case, workload) == ("dev-pay-01", "INTUNE")


@pytest.mark.parametrize(
    ("partner", "flags", "reason"),
    [
        pytest.param({"mci_enrolled": False}, [], "MCI", id="no-mci"),
        pytest.param({"security_designation": False}, [], "Security", id="no-designation"),
        pytest.param({}, ["gcc_high"], "gcc_high", id="gcc-high"),
        pytest.param({}, ["trial", "test"], "trial, test", id="trial-test"),
    ],
)
def test_ineligible_claims_pay_zero_with_a_reason(partner, flags, reason):
    ledger = compute_payout(
        make_claim({"INTUNE": WORKED}, association="2024-12", partner=partner, flags=flags)
    )
    wl = ledger.workloads["INTUNE"]
    assert ledger.total_dollars == 0 and ledger.total_held_dollars == 0 and wl.dollars == 0
    assert wl.units == 150, "units stay visible so a reviewer sees what was at stake"
    assert any(reason in r for r in ledger.reasons)
    assert {m.status for m in wl.months if m.month >= "2024-12"} == {"ineligible"}


def test_gap_months_are_absent_and_the_hwm_carries_over():
    rows = [("2024-10", 400, 900), ("2024-11", 500, 900), ("2025-02", 700, 900)]
    wl = compute_payout(make_claim({"MDE": rows})).workloads["MDE"]
    assert [m.month for m in wl.months] == ["2024-10", "2024-11", "2025-02"]
    assert [(m.hwm, m.units) for m in wl.months] == [(400, 0), (400, 100), (500, 200)]
    assert wl.dollars == 900


def test_cap_is_applied_in_month_order_and_reported():
    rows = [("2024-10", 1000, 99999), ("2024-11", 8000, 99999), ("2024-12", 13000, 99999)]
    wl = compute_payout(make_claim({"MDO": rows})).workloads["MDO"]
    assert [(m.units, m.dollars, m.status) for m in wl.months[1:]] == [
        (7000, 7000, "paid"),
        (5000, 3000, "capped_at_max"),
    ]
    assert (wl.units, wl.dollars) == (12000, 10000)
    assert any("max earning $10,000 reached in 2024-12" in r for r in wl.reasons)


def test_held_earnings_are_released_even_after_the_term():
    rows = [("2025-08", 100, 900), ("2025-09", 200, 900), ("2025-10", 350, 900)]
    wl = compute_payout(make_claim({"MDA": rows})).workloads["MDA"]
    assert [(m.units, m.dollars, m.released, m.status) for m in wl.months] == [
        (100, 100, 0, "held"),
        (100, 100, 0, "held"),
        (0, 0, 200, "released"),
    ]
    assert (wl.dollars, wl.held_dollars) == (200, 0)


def test_forfeit_release_rule_is_a_setting():
    rules = load_payout_rules().model_copy(update={"release_rule": "forfeit"})
    rows = [("2024-10", 90, 600), ("2024-11", 150, 600), ("2024-12", 340, 600), ("2025-01", 380, 600)]
    wl = compute_payout(make_claim({"MDO": rows}), rules=rules).workloads["MDO"]
    assert [m.released for m in wl.months] == [0, 0, 190, 40]
    assert (wl.dollars, wl.held_dollars) == (230, 60)


def test_min_hwm_is_a_setting():
    rules = load_payout_rules().model_copy(update={"min_hwm": 0})
    rows = [("2024-10", 40, 400), ("2024-11", 95, 400)]
    wl = compute_payout(make_claim({"MDA": rows}), rules=rules).workloads["MDA"]
    assert (wl.dollars, wl.held_dollars) == (55, 0)


def test_association_after_the_term_pays_nothing():
    ledger = compute_payout(make_claim({"INTUNE": WORKED}, association="2025-11"))
    assert ledger.total_dollars == 0
    assert any("after the term" in r for r in ledger.reasons)


def test_missing_association_means_the_term_start():
    with_default = compute_payout(make_claim({"INTUNE": WORKED}, association=None))
    explicit = compute_payout(make_claim({"INTUNE": WORKED}, association="2024-10"))
    assert with_default.workloads == explicit.workloads
    assert with_default.total_dollars == 200


def test_claimed_workload_without_usage_and_unclaimed_usage_are_explained():
    claim = make_claim({"INTUNE": WORKED}, workloads=["MDE"])
    ledger = compute_payout(claim)
    assert list(ledger.workloads) == ["MDE"]
    assert ledger.workloads["MDE"].reasons == ["no usage data for MDE"]
    assert any("INTUNE ignored" in r for r in ledger.reasons)


def test_usage_argument_overrides_the_claim_usage():
    claim = make_claim({"INTUNE": WORKED}, association="2024-12")
    usage = {
        "INTUNE": [{"month": "2024-10", "mau": 100, "pau": 900}, {"month": "2024-12", "mau": 500, "pau": 900}]
    }
    assert compute_payout(claim, usage=usage).workloads["INTUNE"].dollars == 400


@pytest.mark.parametrize(
    ("usage", "message"),
    [
        pytest.param({"EXCHANGE": []}, "unknown workload 'EXCHANGE'", id="unknown-workload"),
        pytest.param(
            {"MDE": [{"month": "2024-13", "mau": 1, "pau": 1}]}, "usage[MDE] row 1: month", id="bad-month"
        ),
        pytest.param(
            {"MDE": [{"month": "2024-10", "mau": -1, "pau": 1}]}, "usage[MDE] row 1: mau", id="negative"
        ),
        pytest.param({"MDE": [{"month": "2024-10", "mau": 1}]}, "usage[MDE] row 1: pau", id="pau-missing"),
        pytest.param(
            {"MDE": [{"month": "2024-10", "mau": 1, "pau": 1}, {"month": "2024-10", "mau": 2, "pau": 2}]},
            "usage[MDE] row 2: duplicate month 2024-10",
            id="duplicate",
        ),
    ],
)
def test_bad_usage_raises_a_typed_error_naming_the_row(usage, message):
    claim = make_claim({"MDE": []})
    with pytest.raises(InvalidUsage, match=message.replace("[", r"\[").replace("]", r"\]")):
        compute_payout(claim, usage=usage)
