"""Batch results: one row per input claim and what its result depends on (files, rules, check settings,
batch), committed per claim together with the claim's report in the reports table (the reviewer queue)."""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import (
    DateTime,
    Float,
    Integer,
    String,
    Text,
    UniqueConstraint,
    delete,
    select,
    tuple_,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from models import Report
from service.store.db import Base
from service.store.fingerprints import replace_fingerprints
from service.store.reports import ReportRow, report_row
from service.store.sessions import session_factory

#: An error row with this code (a bug or a crashed worker, not the input) is retried by the next run.
RETRY_CODE = "internal_error"


class BatchRow(Base):
    __tablename__ = "batch_results"
    __table_args__ = (UniqueConstraint("claim_key", "files_sha256", "rules_version", name="uq_batch_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    claim_key: Mapped[str] = mapped_column(String(200), index=True, doc="The claim's id in the batch input.")
    files_sha256: Mapped[str] = mapped_column(String(64))
    rules_version: Mapped[str] = mapped_column(String(32))
    config_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True, doc="Trust roots' fingerprint and "
                                                      "the settings that change results (see BatchKey).")
    batch_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    report_id: Mapped[str | None] = mapped_column(String(32), nullable=True, doc="The report (ok rows).")
    status: Mapped[str] = mapped_column(String(10), doc="'ok' or 'error'.")
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(Text)
    partner: Mapped[str | None] = mapped_column(String(300))
    customer: Mapped[str | None] = mapped_column(String(300))
    verdict: Mapped[str | None] = mapped_column(String(20))
    score: Mapped[int | None] = mapped_column(Integer)
    payout_dollars: Mapped[float | None] = mapped_column(Float)
    report: Mapped[str | None] = mapped_column(Text, doc="The Report as JSON (ok rows).")
    created_at: Mapped[datetime] = mapped_column(DateTime)


@dataclass(frozen=True)
class BatchKey:
    """What a stored result depends on: a rerun reuses it only when all of it is the same."""

    claim_key: str
    files_sha256: str
    rules_version: str
    config_sha256: str = ""  # service.batch.runner.config_fingerprint: trust roots and check settings
    batch_id: str = ""

    @property
    def stem(self) -> tuple[str, str, str]:
        """At most one stored row per claim, files and rules (the rest is compared on read)."""
        return self.claim_key, self.files_sha256, self.rules_version


@dataclass(frozen=True)
class BatchResult:
    """A stored result: a report (and its id in the reports table) or an error code and message."""

    key: BatchKey
    partner: str | None
    customer: str | None
    report: Report | None = None
    error_code: str | None = None
    error_message: str | None = None
    report_id: str | None = None


def _row(key: BatchKey, *, report: Report | None, report_id: str | None, error: tuple[str, str] | None,
         partner: str | None, customer: str | None) -> BatchRow:
    payout = report.payout.total_dollars if report is not None and report.payout is not None else None
    return BatchRow(
        claim_key=key.claim_key, files_sha256=key.files_sha256, rules_version=key.rules_version,
        config_sha256=key.config_sha256, batch_id=key.batch_id, report_id=report_id,
        status="ok" if report is not None else "error",
        error_code=error[0] if error else None, error_message=error[1] if error else None,
        partner=report.partner if report is not None else partner,
        customer=report.customer if report is not None else customer,
        verdict=report.verdict if report is not None else None, score=report.score if report is not None else None,
        payout_dollars=payout, report=report.model_dump_json() if report is not None else None,
        created_at=datetime.now(UTC).replace(tzinfo=None),
    )


class BatchStore:
    """Reads and commits batch results; each commit is one transaction (result row, report, fingerprints)."""

    def __init__(self, settings) -> None:
        self._settings = settings
        self._sessions = session_factory(settings)

    def commit(self, key: BatchKey, *, report: Report | None = None, error: tuple[str, str] | None = None,
               partner: str | None = None, customer: str | None = None, owner_partner_id: str | None = None,
               fingerprints: Sequence = ()) -> str | None:
        """Store one claim's result and its fingerprints atomically, replacing an earlier result of the same
        claim, files and rules. A report also becomes a report of the queue (batch id and input claim id),
        superseding the batch's earlier report of that claim. Returns the report id (None for an error)."""
        with self._sessions.begin() as session:
            session.execute(delete(BatchRow).where(BatchRow.claim_key == key.claim_key,
                                                   BatchRow.files_sha256 == key.files_sha256,
                                                   BatchRow.rules_version == key.rules_version))
            report_id = None
            if report is not None:
                row = report_row(report, owner_partner_id=owner_partner_id, batch_id=key.batch_id or None,
                                 input_claim_id=key.claim_key)
                session.add(row)
                session.flush()
                report_id = row.id
                if key.batch_id:
                    session.execute(update(ReportRow).where(
                        ReportRow.batch_id == key.batch_id, ReportRow.input_claim_id == key.claim_key,
                        ReportRow.id != report_id, ReportRow.superseded_by.is_(None)).values(superseded_by=report_id))
            session.add(_row(key, report=report, report_id=report_id, error=error, partner=partner,
                             customer=customer))
            replace_fingerprints(session, key.claim_key, fingerprints, source="batch")
        return report_id

    def _rows(self, keys: Iterable[BatchKey]):
        """Stored rows whose whole key is one of `keys`."""
        by_stem = {k.stem: k for k in keys}
        stems = list(by_stem)
        with self._sessions() as session:
            for i in range(0, len(stems), 300):
                stmt = select(BatchRow).where(tuple_(BatchRow.claim_key, BatchRow.files_sha256,
                                                     BatchRow.rules_version).in_(stems[i:i + 300]))
                for row in session.scalars(stmt):
                    key = by_stem[(row.claim_key, row.files_sha256, row.rules_version)]
                    if (row.config_sha256 or "", row.batch_id or "") == (key.config_sha256, key.batch_id):
                        yield key, row

    def results(self, keys: Iterable[BatchKey]) -> dict[BatchKey, BatchResult]:
        """Stored results for these keys (absent keys are not done)."""
        return {key: BatchResult(
            key=key, partner=row.partner, customer=row.customer,
            report=Report.model_validate(json.loads(row.report)) if row.report else None,
            error_code=row.error_code, error_message=row.error_message, report_id=row.report_id)
            for key, row in self._rows(keys)}

    def done(self, keys: Iterable[BatchKey]) -> set[BatchKey]:
        """Keys a rerun may skip: every stored result except retryable errors."""
        return {key for key, row in self._rows(keys) if row.error_code != RETRY_CODE}
