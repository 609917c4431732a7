"""`poecheck check FILE... --claim CLAIM.json`: the verdict, every check, evidence and what to fix.

Exit status: 0 approvable, 1 needs_more_poe or rejectable (0 with --exit-zero), 2 bad input."""
from __future__ import annotations

from pathlib import Path

import typer

from service.commands.app import app
from service.commands.check_report import EXIT_STATUS, print_report, run_check
from service.ingest.registry import ACCEPTED

__all__ = ["EXIT_STATUS", "check", "print_report"]


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
    code = run_check(files, claim=claim, json_out=json_out, trust_roots=trust_roots, exit_zero=exit_zero)
    if code:
        raise typer.Exit(code=code)
