"""What `poecheck check` does once its arguments are parsed: check the files, print the report, say the exit status.

Typer-free, so that the command's plain command lines (service.cli.plain_check_arguments) run without loading Typer;
service.commands.check registers the same thing as a Typer command for help, usage errors and odd command lines."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pydantic loads after the reader's start
    from models import Report

#: Exit status of a verdict (README, "poecheck check"): a script can gate on it.
EXIT_STATUS = {"approvable": 0, "needs_more_poe": 1, "rejectable": 1}
_STYLE = {"pass": "green", "warn": "yellow", "fail": "red", "not_applicable": "dim"}
_LABEL = {"not_applicable": "n/a"}
_VERDICT = {"approvable": "bold green", "needs_more_poe": "bold yellow", "rejectable": "bold red"}


def run_check(files: list[Path], *, claim: Path, json_out: bool = False, trust_roots: Path | None = None,
              exit_zero: bool = False) -> int:
    """Check `files` against the claim at `claim`, print the report (JSON or a table) and return the exit status:
    the verdict's (EXIT_STATUS), 0 with `exit_zero`. Bad input raises its typed error (exit status 2)."""
    # loaded when this command runs, not for --help or another command
    from service.config import Settings
    from service.reading import read_ahead, reading_settings

    settings = Settings()
    if trust_roots is not None:
        settings = settings.model_copy(update={"trust_roots": trust_roots})
    # the first file goes to the reader now: it reads while the checks load here (see check_uploaded's settings)
    read_ahead(files[0], settings=reading_settings(settings, keeping=False))
    if settings.trust_roots is not None:  # a missing or broken folder stops here, before the reader's reply is used
        from service.trust import load_trust_roots  # lazy: start-up (asn1crypto, only with trust roots)

        load_trust_roots(settings.trust_roots)

    if not json_out:
        # lazy: start-up (only the table output needs rich: it loads while the reader reads, not after its reply)
        from rich import box, console, markup, table  # noqa: F401
    # the checks load after the trust roots, while the reader process reads
    from service.checking import check_uploaded
    from service.claims import load_claim

    report = check_uploaded(load_claim(claim), files, settings=settings).report
    if json_out:
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
        sys.stdout.flush()
    else:
        print_report(report)
    return 0 if exit_zero else EXIT_STATUS[report.verdict]


def print_report(report: Report, *, console=None) -> None:
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
