"""`poecheck serve`: the HTTP API and web pages under uvicorn (127.0.0.1:8000 by default)."""
from __future__ import annotations

import typer

from service.commands.app import app


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8000, "--port", help="TCP port."),
    workers: int = typer.Option(1, "--workers", min=1, help="Server processes sharing the port, each with the "
                                "limits, check threads and readers of one replica."),
) -> None:
    """Serve the API (/v1, /docs) and the web pages; on a first start without keys, write a key file."""
    # the API (fastapi, the store) loads when this command runs, not for --help
    from service.api.app import load_configuration
    from service.api.server import run
    from service.auth import ensure_dev_keys
    from service.config import Settings

    settings = Settings()
    load_configuration(settings)  # a bad setting or an outdated schema stops the start with one line, before any worker
    created = ensure_dev_keys(settings)
    if created is not None:
        typer.echo(f"poecheck: no API keys were configured; wrote a reviewer and a demo partner key to {created}")
    processes = f" in {workers} worker processes" if workers > 1 else ""
    typer.echo(f"poecheck: serving on http://{host}:{port}/{processes} (API docs at /docs)")
    run(settings, host=host, port=port, workers=workers)
