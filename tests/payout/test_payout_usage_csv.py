"""The streamed usage CSV: same numbers as compute_payout, typed errors naming the row."""

from __future__ import annotations

import pytest
from payout_helpers import TENANT, WORKED, make_claim

from service.errors import FileMissing, InvalidUsage
from service.payout import compute_payout, payout_csv, read_usage_csv
from service.payout.ledger import ledger_from_series
from service.payout.rules import load_payout_rules
from service.payout.usage_csv import claim_series

OTHER = "0a0b0c0d-1111-2222-3333-444455556666"
HEADER = "tenant_id,workload,month,mau,pau\n"
HELD = [("2024-10", 90, 600), ("2024-11", 150, 600), ("2024-12", 210, 600), ("2025-01", 260, 600)]


def _csv(tmp_path, body: str, header: str = HEADER, name: str = "usage.csv"):
    path = tmp_path / name
    path.write_text(header + body, encoding="utf-8")
    return path


def _lines(tenant: str, workload: str, rows) -> str:
    return "".join(f"{tenant},{workload},{m},{a},{p}\n" for m, a, p in rows)


def test_csv_totals_equal_the_ledger_of_the_same_usage(tmp_path):
    path = _csv(
        tmp_path,
        _lines(TENANT, "INTUNE", WORKED) + _lines(TENANT, "MDO", HELD) + _lines(OTHER, "MDE", WORKED),
    )
    first, second = payout_csv(path)
    ledger = compute_payout(make_claim({"INTUNE": WORKED, "MDO": HELD}))
    assert first.tenant_id == TENANT and list(first.workloads) == ["INTUNE", "MDO"]
    for wid, totals in first.workloads.items():
        wl = ledger.workloads[wid]
        assert (totals.units, totals.dollars, totals.held_dollars) == (wl.units, wl.dollars, wl.held_dollars)
    assert (first.total_dollars, first.total_held_dollars) == (
        ledger.total_dollars,
        ledger.total_held_dollars,
    )
    assert (second.tenant_id, second.total_dollars) == (OTHER, 600)


def test_claims_give_their_tenant_association_and_eligibility(tmp_path):
    path = _csv(tmp_path, _lines(TENANT, "INTUNE", WORKED) + _lines(OTHER, "INTUNE", WORKED))
    claims = {
        TENANT.upper(): make_claim({"INTUNE": []}, association="2024-12", partner={"mci_enrolled": False})
    }
    mine, other = payout_csv(path, claims=claims)
    assert (mine.claim_id, mine.total_dollars, mine.workloads["INTUNE"].units) == ("C-TEST", 0, 150)
    assert any("MCI" in r for r in mine.reasons)
    assert (other.claim_id, other.total_dollars, other.reasons) == (None, 200, [])


def test_claim_series_picks_the_claim_tenant_and_gives_the_full_ledger(tmp_path):
    path = _csv(tmp_path, _lines(OTHER, "INTUNE", HELD) + _lines(TENANT.upper(), "INTUNE", reversed(WORKED)))
    claim = make_claim({"INTUNE": []}, association="2024-12")
    ledger = ledger_from_series(claim, claim_series(path, claim), rules=load_payout_rules())
    assert [m.units for m in ledger.workloads["INTUNE"].months] == [0, 0, 50, 0, 0, 30, 70]
    assert ledger.total_dollars == 150


def test_quoted_fields_crlf_reordered_and_extra_columns(tmp_path):
    header = "month,pau,mau,workload,tenant_id,source\r\n"
    body = "".join(f'"{m}",{p},{a},"INTUNE","{TENANT}",export\r\n' for m, a, p in WORKED)
    (result,) = payout_csv(_csv(tmp_path, body, header=header))
    assert (result.workloads["INTUNE"].units, result.total_dollars) == (200, 200)


def test_blank_lines_and_a_missing_final_newline_are_fine(tmp_path):
    body = _lines(TENANT, "MDE", WORKED[:3]) + "\n" + _lines(TENANT, "MDE", WORKED[3:]).rstrip("\n")
    (result,) = read_usage_csv(_csv(tmp_path, body))
    assert len(result[1]["MDE"]) == 7


def test_rows_are_streamed_one_tenant_at_a_time(tmp_path):
    body = _lines(TENANT, "MDE", WORKED) + _lines(OTHER, "MDE", WORKED) + f"{OTHER},MDE,2025-13,1,1\n"
    stream = read_usage_csv(_csv(tmp_path, body))
    assert next(stream)[0] == TENANT
    with pytest.raises(InvalidUsage, match="row 16"):
        next(stream)


GOOD = f"{TENANT},MDE,2024-10,5,6\n"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(
            GOOD + f"{TENANT},EXCHANGE,2024-11,5,6\n", "row 3: unknown workload 'EXCHANGE'", id="workload"
        ),
        pytest.param(
            GOOD + f"{TENANT},MDE,2024/11,5,6\n", "row 3: month '2024/11' is not YYYY-MM", id="month"
        ),
        pytest.param(GOOD + f"{TENANT},MDE,,5,6\n", "row 3: month missing", id="month-missing"),
        pytest.param(GOOD + f"{TENANT},MDE,2024-11,-5,6\n", "row 3: MAU -5 is negative", id="negative-mau"),
        pytest.param(GOOD + f"{TENANT},MDE,2024-11,5,-1\n", "row 3: PAU -1 is negative", id="negative-pau"),
        pytest.param(GOOD + f"{TENANT},MDE,2024-11,5,\n", "row 3: PAU missing", id="pau-missing"),
        pytest.param(
            GOOD + f"{TENANT},MDE,2024-11,5.5,6\n", "row 3: MAU '5.5' is not a whole number", id="float"
        ),
        pytest.param(GOOD + f"{TENANT},MDE,2024-11,5\n", "row 3: expected 5 fields, got 4", id="fields"),
        pytest.param(GOOD + ",MDE,2024-11,5,6\n", "row 3: tenant_id missing", id="tenant-missing"),
        pytest.param(
            GOOD + f"{TENANT},MDE,2024-12,5,6\n{TENANT},MDE,2024-10,7,8\n",
            "row 4: duplicate month 2024-10 .* \\(first at row 2\\)",
            id="duplicate",
        ),
        pytest.param(
            GOOD + f"{OTHER},MDE,2024-10,5,6\n{TENANT},MDO,2024-10,5,6\n",
            "row 4: rows of tenant .* are not contiguous",
            id="not-contiguous",
        ),
    ],
)
def test_bad_rows_raise_invalid_usage_naming_the_row(tmp_path, body, message):
    with pytest.raises(InvalidUsage, match=f"usage.csv {message}"):
        list(payout_csv(_csv(tmp_path, body)))


@pytest.mark.parametrize(
    ("header", "message"),
    [
        pytest.param("", "row 1: no header", id="empty"),
        pytest.param("tenant,workload,month,mau,pau\n", "row 1: header lacks tenant_id", id="header"),
    ],
)
def test_bad_header(tmp_path, header, message):
    with pytest.raises(InvalidUsage, match=message):
        list(read_usage_csv(_csv(tmp_path, "", header=header)))


def test_missing_file_is_a_typed_error(tmp_path):
    with pytest.raises(FileMissing):
        list(read_usage_csv(tmp_path / "nope.csv"))
