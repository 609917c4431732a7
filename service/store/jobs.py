"""Asynchronous checks: one durable row per job, claimed by a replica under a lease and finished once.

A replica claims the oldest queued job, or a running one whose lease ran out (its replica died), with a
conditional UPDATE (on PostgreSQL after `SELECT ... FOR UPDATE SKIP LOCKED`), so one replica at a time
holds it. While it works it renews the lease and writes progress. It finishes the job in the transaction
that stores the report and the fingerprints, and only while it still holds the lease: a replica that lost
the job (it was too slow, another took over) stores nothing, so a job yields exactly one report.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import DateTime, Integer, String, Text, and_, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from models import Report
from service.store.db import Base
from service.store.fingerprints import fingerprint_rows
from service.store.reports import report_row

#: A job whose replica died this many times while running it fails (`job_abandoned`) instead of running again.
MAX_ATTEMPTS = 3
JobStatus = str  # queued | running | done | failed


class JobRow(Base):
    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(10), index=True, doc="queued, running, done or failed.")
    owner_partner_id: Mapped[str | None] = mapped_column(String(64), nullable=True, doc="The claim's partner id.")
    claim: Mapped[str] = mapped_column(Text, doc="The claim JSON.")
    stated: Mapped[str | None] = mapped_column(Text, nullable=True, doc="JSON list of the optional claim fields "
                                               "the self-check form's user gave (None: a claim sent as JSON).")
    files: Mapped[str] = mapped_column(Text, doc="JSON list of the file names in <files_dir>/jobs/<id>/.")
    files_done: Mapped[int] = mapped_column(Integer, default=0)
    pages_done: Mapped[int] = mapped_column(Integer, default=0, doc="Pages of the files read so far (page by "
                                            "page while a file is read).")
    pages_total: Mapped[int | None] = mapped_column(Integer, nullable=True, doc="Known once each file's page count "
                                                    "is.")
    report_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    error_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    error_status: Mapped[int | None] = mapped_column(Integer, nullable=True, doc="The HTTP status of the error.")
    lease_owner: Mapped[str | None] = mapped_column(String(120), nullable=True, doc="The replica running it.")
    lease_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    ran_on: Mapped[str | None] = mapped_column(Text, nullable=True, doc="Where the work ran: the replica, or the "
                                               "Dask workers' addresses.")
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    started_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


@dataclass(frozen=True)
class Job:
    """A job as its readers see it."""

    id: str
    status: JobStatus
    owner_partner_id: str | None
    claim: str
    stated: list[str] | None
    files: list[str]
    files_done: int
    pages_done: int
    pages_total: int | None
    report_id: str | None
    error_code: str | None
    error_message: str | None
    error_status: int | None
    attempts: int
    ran_on: str | None
    lease_owner: str | None
    created_at: datetime
    finished_at: datetime | None


def _job(row: JobRow) -> Job:
    return Job(id=row.id, status=row.status, owner_partner_id=row.owner_partner_id, claim=row.claim,
               stated=None if row.stated is None else json.loads(row.stated), files=json.loads(row.files),
               files_done=row.files_done, pages_done=row.pages_done, pages_total=row.pages_total,
               report_id=row.report_id, error_code=row.error_code, error_message=row.error_message,
               error_status=row.error_status,                attempts=row.attempts, ran_on=row.ran_on, lease_owner=row.lease_owner,
               created_at=row.created_at, finished_at=row.finished_at)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class LostLease(Exception):
    """Another replica holds the job now: this one must store nothing."""


class JobStore:
    """Submits, claims, renews, finishes and reads jobs."""

    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    def submit(self, job_id: str, *, claim: str, stated: list[str] | None, files: list[str],
               owner_partner_id: str | None) -> Job:
        """A new queued job (its files are already in place)."""
        row = JobRow(id=job_id, status="queued", owner_partner_id=owner_partner_id, claim=claim,
                     stated=None if stated is None else json.dumps(stated), files=json.dumps(files),
                     files_done=0, pages_done=0, attempts=0, created_at=_now())
        with self._sessions.begin() as session:
            session.add(row)
            session.flush()
            return _job(row)

    def get(self, job_id: str, *, scope: str | None = None) -> Job | None:
        """The job, or None when it does not exist or lies outside the partner scope."""
        with self._sessions() as session:
            row = session.get(JobRow, job_id)
        if row is None or (scope is not None and row.owner_partner_id != scope):
            return None
        return _job(row)

    def claim(self, owner: str, *, lease_s: float) -> Job | None:
        """Take the oldest job that is queued or whose lease ran out; None when there is none."""
        now = _now()
        claimable = or_(JobRow.status == "queued", and_(JobRow.status == "running", JobRow.lease_until < now))
        with self._sessions.begin() as session:
            candidates = session.scalars(select(JobRow.id).where(claimable).order_by(JobRow.created_at).limit(5)
                                         .with_for_update(skip_locked=True)).all()
            for job_id in candidates:
                taken = session.execute(
                    update(JobRow).where(JobRow.id == job_id, claimable)
                    .values(status="running", lease_owner=owner, lease_until=now + timedelta(seconds=lease_s),
                            attempts=JobRow.attempts + 1, started_at=now, files_done=0, pages_done=0,
                            pages_total=None))
                if taken.rowcount == 1:
                    row = session.get(JobRow, job_id, populate_existing=True)
                    if row.attempts > MAX_ATTEMPTS:
                        row.status, row.finished_at, row.lease_owner, row.lease_until = "failed", now, None, None
                        row.error_code, row.error_status = "job_abandoned", 500
                        row.error_message = (f"The check stopped {MAX_ATTEMPTS} times with the server running "
                                             "it; send the files again or fewer at once.")
                        continue
                    return _job(row)
        return None

    def renew(self, job_id: str, owner: str, *, lease_s: float, files_done: int | None = None,
              pages_done: int | None = None, pages_total: int | None = None, ran_on: str | None = None) -> None:
        """Extend the lease (and record progress); LostLease when another replica holds the job."""
        values: dict = {"lease_until": _now() + timedelta(seconds=lease_s)}
        for key, value in (("files_done", files_done), ("pages_done", pages_done), ("pages_total", pages_total),
                           ("ran_on", ran_on)):
            if value is not None:
                values[key] = value
        with self._sessions.begin() as session:
            done = session.execute(update(JobRow).where(*self._held(job_id, owner)).values(**values))
            if done.rowcount != 1:
                raise LostLease(job_id)

    @staticmethod
    def _held(job_id: str, owner: str):
        return JobRow.id == job_id, JobRow.lease_owner == owner, JobRow.status == "running"

    def finish(self, job_id: str, owner: str, *, report: Report, report_id: str, owner_partner_id: str | None,
               fingerprints=(), ran_on: str | None = None) -> None:
        """Store the report (under `report_id`) and its fingerprints and mark the job done, in one transaction,
        only while `owner` holds the job (else LostLease and nothing is stored)."""
        row = report_row(report, owner_partner_id=owner_partner_id)
        row.id = report_id
        with self._sessions.begin() as session:
            session.add(row)
            session.add_all(fingerprint_rows(fingerprints, source="service"))
            values = {"status": "done", "report_id": report_id, "finished_at": _now(), "lease_until": None}
            if ran_on is not None:
                values["ran_on"] = ran_on
            done = session.execute(update(JobRow).where(*self._held(job_id, owner)).values(**values))
            if done.rowcount != 1:
                raise LostLease(job_id)  # rolls back the report and the fingerprints

    def fail(self, job_id: str, owner: str, *, code: str, message: str, status: int) -> None:
        """Mark the job failed with a typed error (LostLease when another replica holds it)."""
        with self._sessions.begin() as session:
            done = session.execute(update(JobRow).where(*self._held(job_id, owner)).values(
                status="failed", error_code=code, error_message=message, error_status=status, finished_at=_now(),
                lease_until=None))
            if done.rowcount != 1:
                raise LostLease(job_id)


    def ended(self, job_ids: list[str]) -> set[str]:
        """Those of `job_ids` that are done or failed, or unknown (their files are no longer needed)."""
        with self._sessions() as session:
            live = set(session.scalars(select(JobRow.id).where(JobRow.id.in_(job_ids),
                                                               JobRow.status.in_(("queued", "running")))))
        return set(job_ids) - live


def new_id() -> str:
    return uuid.uuid4().hex
