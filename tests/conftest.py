"""Shared test helpers: the fixtures folder, a Settings object that touches only tmp_path, and the two
databases every store test runs on (the embedded SQLite and a real PostgreSQL server started here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.config import Settings

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
DATABASES = [pytest.param("sqlite", id="sqlite"), pytest.param("postgresql", id="postgresql")]


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Default settings with the data folder in tmp_path and two OCR workers."""
    return Settings(data_dir=tmp_path, ocr_workers=2)


@pytest.fixture(scope="session")
def pg_server():
    """A PostgreSQL server for the whole run (scripts/setup.sh installs Debian's `postgresql`)."""
    from pgserver import PgServer, find_bin

    bindir = find_bin()
    if bindir is None:
        pytest.fail("PostgreSQL's initdb is not installed: run `make setup` (Debian package postgresql)")
    server = PgServer(bindir).start()
    yield server
    server.stop()


@pytest.fixture(params=DATABASES)
def database_url(request) -> str | None:
    """None (the embedded SQLite store in data_dir) or the URL of a new, empty PostgreSQL database."""
    if request.param == "sqlite":
        yield None
        return
    server = request.getfixturevalue("pg_server")
    url = server.create_database()
    yield url
    from service.store.sessions import dispose

    dispose(Settings(database_url=url))
    server.drop_database(url)

