"""Engine, declarative base and the process's one session factory per database.

The schema is made by the Alembic migrations in service/store/migrations (`poecheck db upgrade`,
service.store.migrate); opening a database checks once that it is at the migrations' head.
"""
from __future__ import annotations

import importlib
import logging
import pkgutil

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Base of every table; table modules register on import (see load_tables)."""


class _NoRowValues(logging.Filter):
    """Drop SQLAlchemy's DEBUG records of fetched rows: they hold report text and names."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.msg != "Row %r"


_NO_ROW_VALUES = _NoRowValues()


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
    import service.store as pkg  # the package's own modules, found at run time: each of them imports this one

    for mod in pkgutil.iter_modules(pkg.__path__):
        if mod.name not in ("db", "migrate", "migrations"):
            importlib.import_module(f"service.store.{mod.name}")
