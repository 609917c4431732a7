"""Schema migrations: `poecheck db upgrade` on SQLite and PostgreSQL, and `serve` refusing an outdated schema."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from service.config import Settings
from service.errors import SchemaOutdated
from service.store.db import make_engine
from service.store.migrate import BASELINE, head_revision
from service.store.sessions import session_factory

POECHECK = Path(sys.executable).parent / "poecheck"


def _poecheck(*args: str, settings: Settings) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1", "POECHECK_DATA_DIR": str(settings.data_dir)}
    if settings.database_url:
        env["POECHECK_DATABASE_URL"] = settings.database_url
    return subprocess.run([str(POECHECK), *args], capture_output=True, text=True, timeout=120, env=env,
                          check=False)


@pytest.fixture
def settings(tmp_path, database_url) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url)


def test_upgrade_creates_every_table_once_and_is_idempotent(settings):
    first = _poecheck("db", "upgrade", settings=settings)
    assert first.returncode == 0, first.stderr
    assert f"to revision {head_revision()}" in first.stdout
    again = _poecheck("db", "upgrade", settings=settings)
    assert again.returncode == 0 and "already at revision" in again.stdout
    assert _poecheck("db", "current", settings=settings).returncode == 0
    engine = make_engine(settings.db_url)
    try:
        assert {"reports", "decisions", "fingerprints", "batch_results"} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_serve_refuses_an_outdated_schema_with_one_line(settings):
    assert _poecheck("db", "upgrade", settings=settings).returncode == 0
    engine = make_engine(settings.db_url)
    with engine.begin() as conn:  # as if this poecheck were newer than the database
        conn.execute(text("UPDATE alembic_version SET version_num = :rev"), {"rev": BASELINE + "_old"})
    engine.dispose()
    proc = _poecheck("serve", "--port", "1", settings=settings)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and len(lines) == 1, proc.stderr
    assert lines[0].startswith("poecheck: schema_outdated: ") and "poecheck db upgrade" in lines[0]
    assert _poecheck("db", "current", settings=settings).returncode == 2


def test_a_server_database_is_never_created_implicitly(settings):
    """Only the embedded store is created on first open; a server database waits for `db upgrade`."""
    if settings.database_url is None:
        session_factory(settings)
        assert (settings.data_dir / "poecheck.db").exists()
    else:
        with pytest.raises(SchemaOutdated, match="is empty"):
            session_factory(settings)
