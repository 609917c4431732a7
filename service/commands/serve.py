"""`poecheck serve`: the HTTP API and web pages under uvicorn (127.0.0.1:8000 by default)."""
from __future__ import annotations

import typer

from service.commands.app import app


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8000, "--port", help="TCP port."),
) -> None:
    """Serve the API (/v1, /docs) and the web pages; on a first start without keys, write a key file."""
    # the API (fastapi, the store) loads when this command runs, not for --help
    from service.api.server import run
    from service.auth import ensure_dev_keys
    from service.config import Settings
    from service.store.sessions import session_factory

    settings = Settings()
    session_factory(settings)  # an outdated schema stops the start with one line (run `poecheck db upgrade`)
    created = ensure_dev_keys(settings)
    if created is not None:
        typer.echo(f"poecheck: no API keys were configured; wrote a reviewer and a demo partner key to {created}")
    typer.echo(f"poecheck: serving on http://{host}:{port}/ (API docs at /docs)")
    run(settings, host=host, port=port)
