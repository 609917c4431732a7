"""The report store: ids, partner scope, filters and pagination."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pgserver import on_database

from models import CheckResult, Report
from service.store.reports import ReportFilter, ReportStore
from service.store.sessions import session_factory


def _report(partner: str, verdict: str, day: int) -> Report:
    return Report(
        claim_id=f"C-{partner}-{day}", partner=partner, customer="Customer Ltd", workloads=["MDE"],
        claim_date="2025-04-01", verdict=verdict, score=50, rules_version="test",
        checks=[CheckResult(id="dates", status="pass", blocking=True, message="ok")],
        created_at=datetime(2025, 5, day, 12, tzinfo=UTC),
    )


@pytest.fixture
def settings(settings, database_url):
    """Every test here runs on the embedded SQLite and on PostgreSQL."""
    return on_database(settings, database_url)


@pytest.fixture
def store(settings) -> ReportStore:
    s = ReportStore(session_factory(settings))
    s.add(_report("Alpha Consulting", "approvable", 1), owner_partner_id="A")
    s.add(_report("Alpha Consulting", "rejectable", 2), owner_partner_id="A")
    s.add(_report("Beta Partners", "rejectable", 3), owner_partner_id="B")
    return s


def test_round_trip_and_partner_scope(store):
    stored = store.add(_report("Gamma", "needs_more_poe", 4), owner_partner_id="G")
    again = store.get(stored.id)
    assert again.report == stored.report and again.owner_partner_id == "G"
    assert store.get(stored.id, scope="G") is not None
    assert store.get(stored.id, scope="A") is None
    assert store.get("0" * 32) is None


@pytest.mark.parametrize(("filters", "scope", "partners"), [
    pytest.param(ReportFilter(), None, ["Beta Partners", "Alpha Consulting", "Alpha Consulting"], id="all"),
    pytest.param(ReportFilter(verdict="rejectable"), None, ["Beta Partners", "Alpha Consulting"], id="verdict"),
    pytest.param(ReportFilter(partner="alpha"), None, ["Alpha Consulting"] * 2, id="partner-name"),
    pytest.param(ReportFilter(partner="B"), None, ["Beta Partners"], id="partner-id"),
    pytest.param(ReportFilter(date_from=date(2025, 5, 2), date_to=date(2025, 5, 2)), None,
                 ["Alpha Consulting"], id="date"),
    pytest.param(ReportFilter(), "B", ["Beta Partners"], id="scope"),
    pytest.param(ReportFilter(partner="Beta"), "A", [], id="scope-wins"),
])
def test_list_filters(store, filters, scope, partners):
    rows, total = store.list(filters, scope=scope)
    assert [r.partner for r in rows] == partners
    assert total == len(partners)


def test_pagination_is_newest_first(store):
    first, total = store.list(ReportFilter(), limit=2, offset=0)
    rest, _ = store.list(ReportFilter(), limit=2, offset=2)
    assert total == 3
    assert [r.claim_id for r in first + rest] == ["C-Beta Partners-3", "C-Alpha Consulting-2", "C-Alpha Consulting-1"]


def test_ping(store):
    store.ping()
