"""`poecheck check FILE... --claim CLAIM.json`: the verdict, every check, evidence and what to fix.

Exit status: 0 approvable, 1 needs_more_poe or rejectable (0 with --exit-zero), 2 bad input."""
from __future__ import annotations

from pathlib import Path

import typer

from service.commands.app import app
from service.ingest.registry import ACCEPTED

_STYLE = {"pass": "green", "warn": "yellow", "fail": "red", "not_applicable": "dim"}
_LABEL = {"not_applicable": "n/a"}
_VERDICT = {"approvable": "bold green", "needs_more_poe": "bold yellow", "rejectable": "bold red"}
#: Exit status of a verdict (README, "poecheck check"): a script can gate on it.
EXIT_STATUS = {"approvable": 0, "needs_more_poe": 1, "rejectable": 1}


@app.command()
def check(
    files: list[Path] = typer.Argument(..., metavar="FILE", show_default=False, help=f"POE files: {ACCEPTED}."),
    claim: Path = typer.Option(..., "--claim", "-c", metavar="CLAIM.json", show_default=False,
                               help="Claim JSON (POE_RULES.md §3)."),
    json_out: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    trust_roots: Path | None = typer.Option(None, "--trust-roots", metavar="DIR|system", show_default=False,
                                            help="Folder of trusted root certificates, or 'system' for the "
                                                 "system certificate bundle."),
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Exit 0 whatever the verdict (errors still exit 2)."),
) -> None:
    """Check POE files against a claim and print the verdict with evidence and what to fix.

    Exit status: 0 approvable, 1 needs_more_poe or rejectable, 2 bad input (unreadable file or claim).
    """
    # loaded when this command runs, not for --help or another command
    from service.config import Settings

    settings = Settings()
    if trust_roots is not None:
        settings = settings.model_copy(update={"trust_roots": trust_roots})
    if settings.trust_roots is not None:  # a missing or broken folder stops here, before any reading
        from service.trust import load_trust_roots  # lazy: start-up (asn1crypto, only with trust roots)

        load_trust_roots(settings.trust_roots)

    if not json_out:
        import rich.table  # noqa: F401  # lazy: start-up (loads while the reader starts, not after its reply)
    # the checks load after the trust roots, while the reader process starts
    from service.checking import check_uploaded
    from service.claims import load_claim

    report = check_uploaded(load_claim(claim), files, settings=settings).report
    if json_out:
        typer.echo(report.model_dump_json(indent=2))
    else:
        print_report(report)
    if not exit_zero and EXIT_STATUS[report.verdict]:
        raise typer.Exit(code=EXIT_STATUS[report.verdict])


def print_report(report, *, console=None) -> None:
    """The verdict line, then one table row per check: its status, what it found, the first evidence and
    what to fix. Check ids and statuses never wrap; the finding column takes what is left (80 columns too)."""
    # rich (about 50 ms) only for the table output, not --json
    from rich import box
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = console or Console()
    console.print(f"[{_VERDICT[report.verdict]}]{report.verdict}[/]  score {report.score}/100  "
                  f"claim {escape(report.claim_id or '-')}  rules {report.rules_version}")
    table = Table(box=box.SIMPLE_HEAD, show_lines=False, pad_edge=False, expand=False)
    table.add_column("check", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("finding, evidence and what to fix", overflow="fold", ratio=1)
    only = report.documents[0].get("filename") if len(report.documents) == 1 else None
    for c in report.checks:
        cell = escape(c.message)
        if c.evidence:
            ev = c.evidence[0]
            where = ev.part.removeprefix(f"{only} > ") if only else ev.part  # one file: "page 2" says enough
            cell += f"\n[dim]{escape(where)}: “{escape(ev.quote[:160])}”[/]"
        if c.remediation:
            cell += f"\n[yellow]fix:[/] {escape(c.remediation)}"
        table.add_row(c.id + (" *" if c.blocking else ""),
                      f"[{_STYLE[c.status]}]{_LABEL.get(c.status, c.status)}[/]", cell)
        table.add_section()
    console.print(table)
    console.print("* blocking: a fail rejects the claim")
    if report.payout is not None:
        p = report.payout
        console.print(f"payout: ${p.total_dollars:,.2f} paid, ${p.total_held_dollars:,.2f} held "
                      f"({p.total_units} units)" + (f" — {escape('; '.join(p.reasons))}" if p.reasons else ""))
