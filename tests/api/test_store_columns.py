"""A store created before migrations (and before reports had batch columns) is refused until `db upgrade`
adopts it: it keeps its rows and gains the columns."""
from __future__ import annotations

import sqlite3

import pytest

from service.config import Settings
from service.errors import SchemaOutdated
from service.store.migrate import head_revision, upgrade
from service.store.reports import ReportFilter, ReportStore
from service.store.sessions import session_factory

OLD_REPORTS = """CREATE TABLE reports (id VARCHAR(32) PRIMARY KEY, created_at DATETIME, owner_partner_id VARCHAR(64),
claim_id VARCHAR(200), partner VARCHAR(300), customer VARCHAR(300), workloads VARCHAR(300), claim_date VARCHAR(10),
verdict VARCHAR(20), score INTEGER, report TEXT)"""
REPORT = ('{"partner": "P", "customer": "C", "workloads": ["MDE"], "claim_date": "2025-01-01", '
          '"verdict": "approvable", "score": 100, "rules_version": "x", "checks": []}')


def test_old_store_is_adopted_by_upgrade_and_gains_the_new_columns(tmp_path):
    settings = Settings(data_dir=tmp_path / "data")
    settings.data_dir.mkdir()
    with sqlite3.connect(settings.data_dir / "poecheck.db") as conn:
        conn.execute(OLD_REPORTS)
        conn.execute("INSERT INTO reports VALUES ('r1', '2025-01-02 00:00:00', '42', 'C-1', 'P', 'C', 'MDE', "
                     "'2025-01-01', 'approvable', 100, ?)", (REPORT,))
    with pytest.raises(SchemaOutdated, match="from before migrations.*poecheck db upgrade"):
        session_factory(settings)
    done = upgrade(settings)
    assert done.adopted and done.after == head_revision()
    store = ReportStore(session_factory(settings))
    rows, total = store.list(ReportFilter())
    assert total == 1 and rows[0].batch_id is None
    assert store.get("r1").report.partner == "P"
    with sqlite3.connect(settings.data_dir / "poecheck.db") as conn:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(reports)")}
    assert {"batch_id", "input_claim_id", "superseded_by"} <= columns
