"""`poecheck payout`: the payout ledger of a claim, or streamed totals per tenant of a usage CSV."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from service.commands.app import app


def plain_numbers(value):
    """Whole floats → ints, recursively, so JSON shows `150` rather than `150.0`."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: plain_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain_numbers(v) for v in value]
    return value


@app.command()
def payout(
    claim: Annotated[
        Path | None,
        typer.Argument(help="Claim JSON (POE_RULES.md §3); its `usage` is used unless --usage is given."),
    ] = None,
    usage: Annotated[
        Path | None,
        typer.Option(
            "--usage", "-u", help="Usage CSV: tenant_id,workload,month,mau,pau (rows of a tenant contiguous)."
        ),
    ] = None,
    all_tenants: Annotated[
        bool, typer.Option("--all", help="With --usage: totals for every tenant, streamed.")
    ] = False,
    json_out: Annotated[
        bool, typer.Option("--json", help="JSON (with --all: one JSON line per tenant).")
    ] = False,
) -> None:
    """Compute the payout (POE_RULES.md §5) and print the ledger a reviewer can audit."""
    # loaded when this command runs, not for --help or another command
    from service.claims import load_claim
    from service.errors import InvalidArguments

    if all_tenants:
        if usage is None:
            raise InvalidArguments("--all needs --usage USAGE.csv")
        _stream_all(usage, claim=load_claim(claim) if claim else None, json_out=json_out)
        return
    if claim is None:
        raise InvalidArguments(
            "give a claim JSON, or --usage USAGE.csv --all for every tenant of a usage CSV"
        )
    # the payout engine loads when this command runs
    from service.payout.ledger import compute_payout, ledger_from_series
    from service.payout.rules import load_payout_rules
    from service.payout.usage_csv import claim_series

    the_claim = load_claim(claim)
    if usage is None:
        ledger = compute_payout(the_claim)
    else:
        ledger = ledger_from_series(the_claim, claim_series(usage, the_claim), rules=load_payout_rules())
    if json_out:
        typer.echo(json.dumps(plain_numbers(ledger.model_dump()), indent=2))
        return
    _print_ledger(ledger)


def _stream_all(usage: Path, *, claim, json_out: bool) -> None:
    from service.payout.usage_csv import payout_csv  # the payout engine loads when this command runs

    claims = {claim.customer.tenant_id: claim} if claim and claim.customer.tenant_id else None
    if not json_out:
        typer.echo(f"{'tenant_id':<36}  {'units':>10}  {'dollars':>12}  {'held':>12}")
    for result in payout_csv(usage, claims=claims):
        if json_out:
            typer.echo(json.dumps(plain_numbers(result.to_dict())))
        else:
            typer.echo(
                f"{result.tenant_id:<36}  {result.total_units:>10}  {result.total_dollars:>12,.2f}  "
                f"{result.total_held_dollars:>12,.2f}"
            )


def _print_ledger(ledger) -> None:
    # rich only for the table output
    from rich.console import Console
    from rich.table import Table

    console = Console()
    for wid, wl in ledger.workloads.items():
        table = Table(title=f"{wid}  (rate ${wl.rate:g}/unit, max ${wl.max_earning:,.0f})")
        for col in ("month", "MAU", "PAU", "HWM", "units", "dollars", "released", "status"):
            table.add_column(col, justify="left" if col in ("month", "status") else "right")
        for m in wl.months:
            table.add_row(
                m.month,
                str(m.mau),
                str(m.pau),
                str(m.hwm),
                str(m.units),
                f"{m.dollars:,.2f}",
                f"{m.released:,.2f}",
                m.status,
            )
        table.add_row(
            "total",
            "",
            "",
            "",
            str(wl.units),
            f"{wl.dollars:,.2f}",
            "",
            f"held {wl.held_dollars:,.2f}",
            style="bold",
        )
        console.print(table)
        for reason in wl.reasons:
            console.print(f"  - {reason}")
    console.print(
        f"[bold]total paid ${ledger.total_dollars:,.2f}, held ${ledger.total_held_dollars:,.2f}, "
        f"units {ledger.total_units}[/bold]"
    )
    for reason in ledger.reasons:
        console.print(f"- {reason}")
