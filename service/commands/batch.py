"""`poecheck batch INPUT --out OUTDIR`: check a backlog of claims on local processes or a Dask cluster."""
from __future__ import annotations

from pathlib import Path

import typer

from service.cli import app


@app.command()
def batch(
    input_path: Path = typer.Argument(..., metavar="INPUT",
                                      help="Manifest CSV (claim_id, claim_json, files) or corpus folder (labels.jsonl)."),
    out: Path = typer.Option(..., "--out", "-o", help="Folder for reports.jsonl, summary.csv and summary.html."),
    workers: int | None = typer.Option(None, "--workers", "-w", min=1, help="Local worker processes (default: CPUs)."),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Dask scheduler address, e.g. tcp://HOST:8786."),
    trust_roots: Path | None = typer.Option(None, "--trust-roots", help="Folder of trusted root certificates."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Log lines instead of a progress bar."),
) -> None:
    """Check every claim of INPUT; a rerun skips claims already done with the same files and rules."""
    import logging

    from service.batch import run_batch
    from service.batch.progress import LogProgress, RichProgress
    from service.config import Settings

    settings = Settings()
    if trust_roots is not None:
        settings = settings.model_copy(update={"trust_roots": trust_roots})
    from service.datadir import make_private

    make_private(settings)  # the store and everything written beside it: 0700 folders, 0600 files
    if quiet:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    stats = run_batch(input_path, out, settings=settings, workers=workers, scheduler=scheduler,
                      progress=LogProgress() if quiet else RichProgress())
    typer.echo(f"{stats.claims} claims: {stats.checked} checked, {stats.skipped} already done, "
               f"{stats.errors} errors; outputs in {out}")
