"""Schema migrations (Alembic, scripts in service/store/migrations): upgrade a database, check its revision.

`poecheck db upgrade` brings a database to the head revision; every process that opens the store checks
it is there (service.store.sessions.session_factory) and refuses to run on another revision. A store made before
migrations existed (tables, no alembic_version) is adopted: the nullable columns it lacks are added and it
is stamped with the baseline revision, then upgraded like any other.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.schema import CreateColumn

from service.config import Settings
from service.errors import SchemaOutdated
from service.store.db import Base, load_tables, make_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BASELINE = "0001"
_LOCK_ID = 7_305_817  # the PostgreSQL advisory lock that serialises concurrent `db upgrade` runs


@dataclass(frozen=True)
class Upgrade:
    """What `db upgrade` did: the revision before (None: an empty or pre-migration store) and after."""

    before: str | None
    after: str
    adopted: bool = False


def _config(conn: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if conn is not None:
        cfg.attributes["connection"] = conn
    return cfg


def head_revision() -> str:
    """The revision this version of poecheck needs."""
    return ScriptDirectory.from_config(_config()).get_current_head()


def current_revision(conn: Connection) -> str | None:
    """The database's revision (None when it has none)."""
    return MigrationContext.configure(conn).get_current_revision()


def _has_tables(conn: Connection) -> bool:
    return bool(set(inspect(conn).get_table_names()) - {"alembic_version"})


def upgrade(settings: Settings) -> Upgrade:
    """Migrate the configured database to the head revision (idempotent)."""
    if settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.db_url)
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
            before = current_revision(conn)
            adopted = before is None and _has_tables(conn)
            if adopted:
                _adopt(conn)
            command.upgrade(_config(conn), "head")
            return Upgrade(before=before, after=current_revision(conn) or "", adopted=adopted)
    finally:
        engine.dispose()


def _adopt(conn: Connection) -> None:
    """A store created before migrations: add the baseline's nullable columns it lacks, stamp it BASELINE."""
    load_tables()
    inspector = inspect(conn)
    for table in Base.metadata.sorted_tables:
        if not inspector.has_table(table.name):
            continue
        have = {c["name"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name not in have and column.nullable and column.server_default is None:
                ddl = CreateColumn(column).compile(dialect=conn.dialect)
                conn.exec_driver_sql(f"ALTER TABLE {table.name} ADD COLUMN {ddl}")
                if column.index:
                    conn.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS ix_{table.name}_{column.name} "
                                         f"ON {table.name} ({column.name})")
    command.stamp(_config(conn), BASELINE)


def require_current(engine: Engine, *, create_if_empty: bool = False) -> None:
    """Raise SchemaOutdated unless the database is at the head revision. With `create_if_empty`, a database
    without any table is created by the migrations (the embedded store's first start)."""
    head = head_revision()
    with engine.connect() as conn:
        current = current_revision(conn)
        empty = current is None and not _has_tables(conn)
    if current == head:
        return
    if empty and create_if_empty:
        with engine.begin() as conn:
            command.upgrade(_config(conn), "head")
        return
    found = "empty" if empty else f"at revision {current}" if current else "from before migrations"
    raise SchemaOutdated(f"the database schema is {found}, this poecheck needs revision {head}: "
                         "run `poecheck db upgrade` first")
