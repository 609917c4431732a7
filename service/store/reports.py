"""Stored reports: one row per check, the report as JSON plus the columns the queue filters on."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import DateTime, Integer, String, Text, func, select, text
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from models import Report
from service.store.db import Base
from service.store.decisions import with_decision_state


class ReportRow(Base):
    __tablename__ = "reports"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    owner_partner_id: Mapped[str | None] = mapped_column(String(64), index=True)
    claim_id: Mapped[str | None] = mapped_column(String(200))
    partner: Mapped[str] = mapped_column(String(300))
    customer: Mapped[str] = mapped_column(String(300))
    workloads: Mapped[str] = mapped_column(String(300))
    claim_date: Mapped[str] = mapped_column(String(10))
    verdict: Mapped[str] = mapped_column(String(20), index=True)
    score: Mapped[int] = mapped_column(Integer)
    report: Mapped[str] = mapped_column(Text)
    batch_id: Mapped[str | None] = mapped_column(String(200), index=True, nullable=True,
                                                 doc="The batch that checked it (None: an upload).")
    input_claim_id: Mapped[str | None] = mapped_column(String(200), nullable=True,
                                                       doc="The claim's id in the batch input.")
    superseded_by: Mapped[str | None] = mapped_column(String(32), nullable=True, doc="A later report of the "
                                                      "same batch claim (a rerun); superseded reports are kept "
                                                      "(decisions may refer to them) but not listed.")


@dataclass(frozen=True)
class StoredReport:
    """A report with its id and the partner id that owns it."""

    id: str
    owner_partner_id: str | None
    report: Report
    batch_id: str | None = None
    input_claim_id: str | None = None


@dataclass(frozen=True)
class ReportFilter:
    """Queue filters; `partner` matches the partner name (substring, any case) or its exact partner id."""

    verdict: str | None = None
    partner: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    decision: str | None = None  # a decision state: undecided, approve, request_more_poe, reject
    sort: str = "newest"  # newest, oldest, or queue (undecided first, then oldest first)
    batch: str | None = None  # only the reports of this batch id


def _utc_naive(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def report_row(report: Report, *, owner_partner_id: str | None, batch_id: str | None = None,
               input_claim_id: str | None = None) -> ReportRow:
    """A new row (and id) for a report: an upload's, or a batch claim's (with its batch and input claim id)."""
    created = report.created_at or datetime.now(UTC)
    return ReportRow(
        id=uuid.uuid4().hex, created_at=_utc_naive(created), owner_partner_id=owner_partner_id,
        claim_id=report.claim_id, partner=report.partner, customer=report.customer,
        workloads=",".join(report.workloads), claim_date=report.claim_date, verdict=report.verdict,
        score=report.score, report=report.model_dump_json(), batch_id=batch_id, input_claim_id=input_claim_id,
    )


class ReportStore:
    """Adds, reads and lists reports; a partner scope limits every read to one partner id."""

    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    def ping(self) -> None:
        """Raise when the database cannot be reached."""
        with self._sessions() as session:
            session.execute(text("SELECT 1"))

    def add(self, report: Report, *, owner_partner_id: str | None) -> StoredReport:
        """Store a report under a new id."""
        row = report_row(report, owner_partner_id=owner_partner_id)
        with self._sessions.begin() as session:
            session.add(row)
        return StoredReport(row.id, owner_partner_id, report)

    def get(self, report_id: str, *, scope: str | None = None) -> StoredReport | None:
        """The report, or None when it does not exist or lies outside the partner scope."""
        with self._sessions() as session:
            row = session.get(ReportRow, report_id)
        if row is None or (scope is not None and row.owner_partner_id != scope):
            return None
        return StoredReport(row.id, row.owner_partner_id, Report.model_validate_json(row.report),
                            batch_id=row.batch_id, input_claim_id=row.input_claim_id)

    def list(self, filters: ReportFilter, *, scope: str | None = None, limit: int = 20,
             offset: int = 0) -> tuple[list[ReportRow], int]:
        """One page of rows in the filter's order (newest first by default) and the total count."""
        query = select(ReportRow).where(ReportRow.superseded_by.is_(None))
        if filters.batch:
            query = query.where(ReportRow.batch_id == filters.batch)
        if scope is not None:
            query = query.where(ReportRow.owner_partner_id == scope)
        if filters.verdict:
            query = query.where(ReportRow.verdict == filters.verdict)
        if filters.partner:
            needle = filters.partner.strip().lower()
            query = query.where(
                func.lower(ReportRow.partner).contains(needle, autoescape=True)
                | (ReportRow.owner_partner_id == filters.partner.strip())
            )
        if filters.date_from:
            query = query.where(ReportRow.created_at >= datetime.combine(filters.date_from, time.min))
        if filters.date_to:
            query = query.where(ReportRow.created_at < datetime.combine(filters.date_to + timedelta(days=1), time.min))
        query, order = with_decision_state(query, report_id=ReportRow.id, created_at=ReportRow.created_at,
                                           decision=filters.decision, sort=filters.sort)
        with self._sessions() as session:
            total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
            rows = session.scalars(query.order_by(*order).limit(limit).offset(offset)).all()
        return list(rows), total
