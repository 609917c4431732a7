"""Engine, declarative base and schema creation shared by every table module of the store."""
from __future__ import annotations

import logging
from functools import lru_cache

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import DeclarativeBase, sessionmaker

from service.config import Settings


class Base(DeclarativeBase):
    """Base of every table; table modules register on import (see init_db)."""


class _NoRowValues(logging.Filter):
    """Drop SQLAlchemy's DEBUG records of fetched rows: they hold report text and names."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.msg != "Row %r"


_NO_ROW_VALUES = _NoRowValues()


@lru_cache(maxsize=8)
def _engine(url: str) -> Engine:
    # never log statement parameters or rows (report text, partner and customer names), whatever the log level
    logging.getLogger("sqlalchemy.engine.Engine").addFilter(_NO_ROW_VALUES)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _pragmas(conn, _record) -> None:  # WAL: readers never block the writer; commits are durable
            cur = conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


def get_engine(settings: Settings) -> Engine:
    """The engine for the configured database, with the schema created (idempotent)."""
    if settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = _engine(settings.db_url)
    init_db(engine)
    return engine


def init_db(engine: Engine) -> None:
    """Create every table that does not exist yet."""
    # the table modules, found by name at run time: each of them imports this module
    import importlib
    import pkgutil

    import service.store as pkg  # (as above)

    for mod in pkgutil.iter_modules(pkg.__path__):
        if mod.name != "db":
            importlib.import_module(f"service.store.{mod.name}")
    Base.metadata.create_all(engine)
    add_missing_columns(engine)


def add_missing_columns(engine: Engine) -> None:
    """Add the nullable columns a table gained since an existing database was created (ALTER TABLE ADD
    COLUMN), so an older store opens without losing its rows. Other schema changes need a migration."""
    from sqlalchemy import inspect  # schema inspection only when a store is opened
    from sqlalchemy.schema import CreateColumn

    inspector = inspect(engine)
    with engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            have = {c["name"] for c in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name not in have and column.nullable and column.server_default is None:
                    ddl = CreateColumn(column).compile(dialect=engine.dialect)
                    conn.exec_driver_sql(f"ALTER TABLE {table.name} ADD COLUMN {ddl}")
                    if column.index:
                        conn.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS ix_{table.name}_{column.name} "
                                             f"ON {table.name} ({column.name})")


def session_factory(settings: Settings) -> sessionmaker:
    """A sessionmaker bound to the configured database."""
    return sessionmaker(get_engine(settings), expire_on_commit=False)
