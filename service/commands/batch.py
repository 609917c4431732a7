"""`poecheck batch INPUT --out OUTDIR`: check a backlog of claims on local processes or a Dask cluster.

Exit status: 0 when every claim was checked, 1 when any claim of the input could not be checked (its error
is in the outputs), 2 when the batch could not run (bad input, an unusable --out, broken rules)."""
from __future__ import annotations

import logging
from pathlib import Path

import typer

from service.commands.app import app
from service.datadir import make_private
from service.errors import InvalidArguments


@app.command()
def batch(
    input_path: Path = typer.Argument(..., metavar="INPUT", show_default=False,
                                      help="Manifest CSV (claim_id, claim_json, files) or corpus folder (labels.jsonl)."),
    out: Path = typer.Option(..., "--out", "-o", metavar="OUTDIR", show_default=False,
                             help="Folder for reports.jsonl, summary.csv and summary.html (created when missing)."),
    workers: int | None = typer.Option(None, "--workers", "-w", min=1, metavar="N", show_default=False,
                                       help="Local worker processes (default: CPUs)."),
    scheduler: str | None = typer.Option(None, "--scheduler", metavar="ADDRESS", show_default=False,
                                         help="Dask scheduler address, e.g. tcp://HOST:8786."),
    trust_roots: Path | None = typer.Option(None, "--trust-roots", metavar="DIR|system", show_default=False,
                                            help="Folder of trusted root certificates, or 'system'."),
    rerun: bool = typer.Option(False, "--rerun", help="Check every claim again, even those already done."),
    batch_id: str | None = typer.Option(None, "--batch-id", metavar="ID", show_default=False,
                                        help="Id of the batch in the reviewer queue (default: from INPUT)."),
    server_url: str | None = typer.Option(None, "--server-url", metavar="URL", show_default=False,
                                          help="URL of the poecheck server on the same store, e.g. "
                                               "https://poecheck.example.com: summary.html links each claim "
                                               "to its report page."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Log lines instead of a progress bar."),
) -> None:
    """Check every claim of INPUT; a rerun skips claims already done with the same files, rules, trust roots
    and settings. Exit status 1 when a claim could not be checked (see summary.html), 2 when the batch could
    not run."""
    # loaded when this command runs, not for --help or another command
    from service.batch import run_batch
    from service.batch.progress import LogProgress, RichProgress
    from service.batch.runner import prepare_out_dir
    from service.config import Settings

    prepare_out_dir(out)  # before any work: a file or an unwritable folder is one line and exit 2
    if server_url is not None and not server_url.startswith(("http://", "https://")):
        raise InvalidArguments(f"--server-url {server_url!r} is not an http:// or https:// URL")
    settings = Settings()
    if trust_roots is not None:
        settings = settings.model_copy(update={"trust_roots": trust_roots})

    make_private(settings)  # the store and everything written beside it: 0700 folders, 0600 files
    if quiet:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    stats = run_batch(input_path, out, settings=settings, workers=workers, scheduler=scheduler,
                      progress=LogProgress() if quiet else RichProgress(), rerun=rerun, batch_id=batch_id,
                      server_url=server_url)
    typer.echo(f"{stats.claims} claims: {stats.checked} checked, {stats.skipped} already done, "
               f"{stats.errors} errors this run; batch {stats.batch_id}; outputs in {out}")
    if stats.failed:
        typer.echo(f"poecheck: {stats.failed} of {stats.claims} claims could not be checked; their errors are "
                   f"in {out / 'summary.html'}", err=True)
        raise typer.Exit(code=1)
