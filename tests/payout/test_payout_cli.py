"""`poecheck payout`: the ledger table, --json, --usage and --all."""

from __future__ import annotations

import json

import pytest
import typer
from payout_helpers import POE_DEV, TENANT, WORKED, make_claim
from typer.testing import CliRunner

from service.commands.payout import payout
from service.errors import InvalidArguments, InvalidUsage

APP = typer.Typer()
APP.command()(payout)
APP.callback()(lambda: None)  # keep `payout` a sub-command, as in the real app
RUN = CliRunner()


def _claim_file(tmp_path, **kwargs):
    path = tmp_path / "claim.json"
    path.write_text(make_claim(**kwargs).model_dump_json(), encoding="utf-8")
    return path


def test_json_ledger_has_the_documented_keys():
    result = RUN.invoke(APP, ["payout", str(POE_DEV / "claims/dev-pay-03.json"), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    mdo = data["workloads"]["MDO"]
    assert {"month", "mau", "pau", "hwm", "units", "dollars", "status"} <= set(mdo["months"][0])
    assert (mdo["units"], mdo["dollars"], mdo["held_dollars"], data["total_dollars"]) == (290, 290, 0, 290)
    assert [m["status"] for m in mdo["months"]] == ["no_growth", "held", "held", "held", "released", "paid"]


def test_table_shows_months_totals_and_reasons():
    result = RUN.invoke(APP, ["payout", str(POE_DEV / "claims/dev-pay-04.json")])
    assert result.exit_code == 0, result.output
    assert "2025-02" in result.output and "held" in result.output
    assert "never reached 300" in result.output


def test_usage_csv_replaces_the_claim_usage(tmp_path):
    claim = _claim_file(tmp_path, usage={"INTUNE": []}, association="2024-12")
    usage = tmp_path / "usage.csv"
    usage.write_text(
        "tenant_id,workload,month,mau,pau\n"
        + "".join(f"{TENANT},INTUNE,{m},{a},{p}\n" for m, a, p in WORKED),
        encoding="utf-8",
    )
    result = RUN.invoke(APP, ["payout", str(claim), "--usage", str(usage), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["total_dollars"] == 150


def test_all_streams_one_json_line_per_tenant(tmp_path):
    usage = tmp_path / "usage.csv"
    other = "0a0b0c0d-1111-2222-3333-444455556666"
    usage.write_text(
        "tenant_id,workload,month,mau,pau\n"
        + "".join(f"{t},INTUNE,{m},{a},{p}\n" for t in (TENANT, other) for m, a, p in WORKED),
        encoding="utf-8",
    )
    result = RUN.invoke(APP, ["payout", "--usage", str(usage), "--all", "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [(d["tenant_id"], d["total_dollars"]) for d in lines] == [(TENANT, 200), (other, 200)]
    plain = RUN.invoke(APP, ["payout", "--usage", str(usage), "--all"])
    assert plain.exit_code == 0 and other in plain.output


def test_bad_usage_is_a_typed_error(tmp_path):
    usage = tmp_path / "usage.csv"
    usage.write_text(f"tenant_id,workload,month,mau,pau\n{TENANT},INTUNE,2024-10,1,\n", encoding="utf-8")
    result = RUN.invoke(APP, ["payout", "--usage", str(usage), "--all"])
    assert isinstance(result.exception, InvalidUsage)
    assert "row 2: PAU missing" in result.exception.message


@pytest.mark.parametrize("args", [pytest.param([], id="nothing"), pytest.param(["--all"], id="all-no-usage")])
def test_missing_arguments_are_a_typed_error(args):
    result = RUN.invoke(APP, ["payout", *args])
    assert isinstance(result.exception, InvalidArguments)
