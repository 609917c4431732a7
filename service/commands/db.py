"""`poecheck db upgrade` / `poecheck db current`: the store's schema migrations (Alembic)."""
from __future__ import annotations

import typer

from service.commands.app import app

db = typer.Typer(help="The database schema: migrate it, show its revision.", no_args_is_help=True)
app.add_typer(db, name="db")


@db.command()
def upgrade() -> None:
    """Migrate the configured database (POECHECK_DATABASE_URL, else the SQLite store in POECHECK_DATA_DIR)
    to the revision this poecheck needs; safe to run again and from several machines at once."""
    from service.config import Settings  # pydantic settings load with the command, not with --help
    from service.store.migrate import upgrade as run_upgrade

    done = run_upgrade(Settings())
    before = "an older store (adopted)" if done.adopted else done.before or "empty"
    if done.before == done.after:
        typer.echo(f"poecheck: database already at revision {done.after}")
    else:
        typer.echo(f"poecheck: database upgraded from {before} to revision {done.after}")


@db.command()
def current() -> None:
    """Print the database's revision and the one this poecheck needs (exit 2 when they differ)."""
    from service.config import Settings  # pydantic settings load with the command, not with --help
    from service.store.db import make_engine
    from service.store.migrate import current_revision, head_revision

    engine = make_engine(Settings().db_url)
    try:
        with engine.connect() as conn:
            have = current_revision(conn)
    finally:
        engine.dispose()
    head = head_revision()
    typer.echo(f"database: {have or 'none'}; needed: {head}")
    if have != head:
        raise typer.Exit(code=2)
