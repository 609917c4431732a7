"""`poecheck check FILE... --claim CLAIM.json`: the verdict, every check, evidence and what to fix."""
from __future__ import annotations

from pathlib import Path

import typer

from service.cli import app
from service.ingest.detect import ACCEPTED

_STYLE = {"pass": "green", "warn": "yellow", "fail": "red", "not_applicable": "dim"}
_VERDICT = {"approvable": "bold green", "needs_more_poe": "bold yellow", "rejectable": "bold red"}


@app.command()
def check(
    files: list[Path] = typer.Argument(..., help=f"POE files: {ACCEPTED}."),
    claim: Path = typer.Option(..., "--claim", "-c", help="Claim JSON (POE_RULES.md §3)."),
    json_out: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    trust_roots: Path | None = typer.Option(None, "--trust-roots", help="Folder of trusted root certificates."),
) -> None:
    """Check POE files against a claim and print the verdict with evidence and remediation."""
    from service.config import Settings

    settings = Settings()
    if settings.isolate_parsers:
        from service.isolation import default_pool

        default_pool().warm(1)  # the reader process starts while this one imports the checks

    from service.claims import load_claim
    from service.pipeline import check_files

    if trust_roots is not None:
        settings = settings.model_copy(update={"trust_roots": trust_roots})
    report = check_files(load_claim(claim), files, settings=settings)
    if json_out:
        typer.echo(report.model_dump_json(indent=2))
        return
    _print_report(report)


def _print_report(report) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"[{_VERDICT[report.verdict]}]{report.verdict}[/]  score {report.score}/100  "
                  f"claim {report.claim_id or '-'}  rules {report.rules_version}")
    table = Table(show_lines=True)
    for col in ("check", "status", "finding", "evidence", "what to fix"):
        table.add_column(col, overflow="fold")
    for c in report.checks:
        ev = c.evidence[0] if c.evidence else None
        where = f"{ev.part}: “{ev.quote[:160]}”" if ev else ""
        table.add_row(c.id + (" *" if c.blocking else ""), f"[{_STYLE[c.status]}]{c.status}[/]", c.message,
                      where, c.remediation or "")
    console.print(table)
    console.print("* blocking: a fail rejects the claim")
    if report.payout is not None:
        p = report.payout
        console.print(f"payout: ${p.total_dollars:,.2f} paid, ${p.total_held_dollars:,.2f} held "
                      f"({p.total_units} units)" + (f" — {'; '.join(p.reasons)}" if p.reasons else ""))
