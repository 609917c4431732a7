"""The process's session factory per database: made once, at first use, with the schema checked against the
migrations' head (service.store.migrate), so no request ever creates or alters tables."""
from __future__ import annotations

import threading

from sqlalchemy.orm import sessionmaker

from service.config import Settings
from service.store.db import make_engine

_factories: dict[str, sessionmaker] = {}
_lock = threading.Lock()


def session_factory(settings: Settings) -> sessionmaker:
    """The process's session factory for the configured database, made once: the engine is created and the
    schema checked on first use (SchemaOutdated when it is not at the migrations' head). The embedded SQLite
    store in data_dir is created by the migrations when it does not exist yet."""
    url = settings.db_url
    with _lock:
        factory = _factories.get(url)
        if factory is None:
            from service.store.migrate import require_current  # alembic loads on first open only (start-up)

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
