"""Engine, declarative base and the process's one session factory per database.

The schema is made by the Alembic migrations in service/store/migrations (`poecheck db upgrade`,
service.store.migrate); opening a database checks once that it is at the migrations' head.
"""
from __future__ import annotations

import importlib
import logging
import pkgutil
import threading

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import DeclarativeBase, sessionmaker

from service.config import Settings


class Base(DeclarativeBase):
    """Base of every table; table modules register on import (see load_tables)."""


class _NoRowValues(logging.Filter):
    """Drop SQLAlchemy's DEBUG records of fetched rows: they hold report text and names."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.msg != "Row %r"


_NO_ROW_VALUES = _NoRowValues()
_factories: dict[str, sessionmaker] = {}
_lock = threading.Lock()


def make_engine(url: str) -> Engine:
    """A new engine for `url`: SQLite in WAL mode with foreign keys, or a server database (psycopg 3)."""
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
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


def load_tables() -> None:
    """Import every table module of the store so Base.metadata knows all tables."""
    import service.store as pkg

    for mod in pkgutil.iter_modules(pkg.__path__):
        if mod.name not in ("db", "migrate", "migrations"):
            importlib.import_module(f"service.store.{mod.name}")


def session_factory(settings: Settings) -> sessionmaker:
    """The process's session factory for the configured database, made once: the engine is created and the
    schema checked on first use (SchemaOutdated when it is not at the migrations' head). The embedded SQLite
    store in data_dir is created by the migrations when it does not exist yet."""
    url = settings.db_url
    with _lock:
        factory = _factories.get(url)
        if factory is None:
            from service.store.migrate import require_current  # the migration scripts load on first open only

            embedded = settings.database_url is None
            if embedded:
                settings.data_dir.mkdir(parents=True, exist_ok=True)
            engine = make_engine(url)
            try:
                require_current(engine, create_if_empty=embedded)
            except BaseException:
                engine.dispose()
                raise
            factory = _factories[url] = sessionmaker(engine, expire_on_commit=False)
    return factory


def dispose(settings: Settings) -> None:
    """Close the configured database's connections and forget its factory (the next use opens it again)."""
    with _lock:
        factory = _factories.pop(settings.db_url, None)
    if factory is not None:
        factory.kw["bind"].dispose()
