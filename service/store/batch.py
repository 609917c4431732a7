"""Batch results: one row per (input claim id, sha256 of its files, rules_version), committed per claim."""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import DateTime, Float, Integer, String, Text, UniqueConstraint, delete, select, tuple_
from sqlalchemy.orm import Mapped, mapped_column

from models import Report
from service.store.db import Base, session_factory

#: An error row with this code (a bug or a crashed worker, not the input) is retried by the next run.
RETRY_CODE = "internal_error"


class BatchRow(Base):
    __tablename__ = "batch_results"
    __table_args__ = (UniqueConstraint("claim_key", "files_sha256", "rules_version", name="uq_batch_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    claim_key: Mapped[str] = mapped_column(String(200), index=True, doc="The claim's id in the batch input.")
    files_sha256: Mapped[str] = mapped_column(String(64))
    rules_version: Mapped[str] = mapped_column(String(32))
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
    """What makes a stored result reusable by a rerun."""

    claim_key: str
    files_sha256: str
    rules_version: str


@dataclass(frozen=True)
class BatchResult:
    """A stored result: a report or an error code and message."""

    key: BatchKey
    partner: str | None
    customer: str | None
    report: Report | None = None
    error_code: str | None = None
    error_message: str | None = None


def _row(key: BatchKey, *, report: Report | None, error: tuple[str, str] | None,
         partner: str | None, customer: str | None) -> BatchRow:
    payout = report.payout.total_dollars if report is not None and report.payout is not None else None
    return BatchRow(
        claim_key=key.claim_key, files_sha256=key.files_sha256, rules_version=key.rules_version,
        status="ok" if report is not None else "error",
        error_code=error[0] if error else None, error_message=error[1] if error else None,
        partner=report.partner if report is not None else partner,
        customer=report.customer if report is not None else customer,
        verdict=report.verdict if report is not None else None, score=report.score if report is not None else None,
        payout_dollars=payout, report=report.model_dump_json() if report is not None else None,
        created_at=datetime.now(UTC).replace(tzinfo=None),
    )


class BatchStore:
    """Reads and commits batch results; each commit is one transaction (result row + fingerprints)."""

    def __init__(self, settings) -> None:
        self._settings = settings
        self._sessions = session_factory(settings)

    def commit(self, key: BatchKey, *, report: Report | None = None, error: tuple[str, str] | None = None,
               partner: str | None = None, customer: str | None = None, fingerprints: Sequence = ()) -> None:
        """Store one claim's result and its fingerprints atomically (replacing a retried error row)."""
        from service.store.fingerprints import replace_fingerprints

        with self._sessions.begin() as session:
            session.execute(delete(BatchRow).where(BatchRow.claim_key == key.claim_key,
                                                   BatchRow.files_sha256 == key.files_sha256,
                                                   BatchRow.rules_version == key.rules_version))
            session.add(_row(key, report=report, error=error, partner=partner, customer=customer))
            replace_fingerprints(session, key.claim_key, fingerprints, source="batch")

    def _select(self, keys: Iterable[BatchKey], *columns):
        wanted = [(k.claim_key, k.files_sha256, k.rules_version) for k in keys]
        with self._sessions() as session:
            for i in range(0, len(wanted), 300):
                stmt = select(*columns).where(tuple_(BatchRow.claim_key, BatchRow.files_sha256,
                                                     BatchRow.rules_version).in_(wanted[i:i + 300]))
                yield from session.execute(stmt)

    def results(self, keys: Iterable[BatchKey]) -> dict[BatchKey, BatchResult]:
        """Stored results for these keys (absent keys are not done)."""
        out: dict[BatchKey, BatchResult] = {}
        for (row,) in self._select(keys, BatchRow):
            key = BatchKey(row.claim_key, row.files_sha256, row.rules_version)
            out[key] = BatchResult(
                key=key, partner=row.partner, customer=row.customer,
                report=Report.model_validate(json.loads(row.report)) if row.report else None,
                error_code=row.error_code, error_message=row.error_message)
        return out

    def done(self, keys: Iterable[BatchKey]) -> set[BatchKey]:
        """Keys a rerun may skip: every stored result except retryable errors."""
        cols = (BatchRow.claim_key, BatchRow.files_sha256, BatchRow.rules_version, BatchRow.error_code)
        return {BatchKey(c, f, r) for c, f, r, code in self._select(keys, *cols) if code != RETRY_CODE}
