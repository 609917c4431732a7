"""Response shapes of the API (the report itself is models.Report)."""
from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, Field

from models import Report
from models.decision import DecisionState
from service.redaction import report_for
from service.store.reports import ReportRow, StoredReport


class ErrorOut(BaseModel):
    """Every error: a stable code and a message a user can act on."""

    code: str = Field(description="Stable error code, e.g. 'unsupported_type', 'unauthorized', 'busy'.")
    message: str = Field(description="What went wrong and what to do.")


class CheckOut(Report):
    """A stored report."""

    id: str = Field(description="Id of the stored report: GET /v1/checks/{id}.")
    partner_id: str | None = Field(default=None, description="Partner id the report belongs to.")
    batch_id: str | None = Field(default=None, description="The batch that checked the claim (None: an upload).")
    input_claim_id: str | None = Field(default=None, description="The claim's id in the batch input.")

    @classmethod
    def of(cls, stored: StoredReport, *, reviewer: bool = False) -> CheckOut:
        """The report as its reader may see it: a partner never sees another partner's identity."""
        report = report_for(stored.report, reviewer=reviewer)
        return cls(id=stored.id, partner_id=stored.owner_partner_id, batch_id=stored.batch_id,
                   input_claim_id=stored.input_claim_id, **report.model_dump())


class CheckSummary(BaseModel):
    """One row of the report list."""

    id: str = Field(description="Report id.")
    created_at: datetime = Field(description="When the check was submitted (UTC).")
    claim_id: str | None = Field(default=None, description="Caller's claim id.")
    partner: str = Field(description="Partner name of the claim.")
    partner_id: str | None = Field(default=None, description="Partner id the report belongs to.")
    customer: str = Field(description="Customer name of the claim.")
    workloads: list[str] = Field(description="Claimed workload ids.")
    claim_date: str = Field(description="Claim date (YYYY-MM-DD).")
    verdict: str = Field(description="approvable, needs_more_poe or rejectable.")
    score: int = Field(description="Score 0-100.")
    decision: DecisionState = Field(default="undecided", description="The final reviewer decision, or 'undecided'.")
    decided_at: datetime | None = Field(default=None, description="When the final decision was recorded (UTC).")
    batch_id: str | None = Field(default=None, description="The batch that checked the claim (None: an upload).")
    input_claim_id: str | None = Field(default=None, description="The claim's id in the batch input.")

    @classmethod
    def of(cls, row: ReportRow) -> CheckSummary:
        return cls(id=row.id, created_at=row.created_at.replace(tzinfo=UTC), claim_id=row.claim_id, partner=row.partner,
                   partner_id=row.owner_partner_id, customer=row.customer,
                   workloads=[w for w in row.workloads.split(",") if w], claim_date=row.claim_date,
                   verdict=row.verdict, score=row.score, batch_id=row.batch_id, input_claim_id=row.input_claim_id)


class CheckPage(BaseModel):
    """One page of the report list, newest first."""

    items: list[CheckSummary]
    total: int = Field(description="Reports matching the filters.")
    limit: int
    offset: int


class JobOut(BaseModel):
    """An asynchronous check (POST /v1/checks?async=true): its state, progress and, when done, its report."""

    id: str = Field(description="Job id: GET /v1/jobs/{id}.")
    status: str = Field(description="queued, running, done or failed.")
    files_done: int = Field(description="Files read so far.")
    files_total: int = Field(description="Files of the check.")
    pages_done: int = Field(description="Pages of the files read so far, counted page by page while a file "
                            "is read.")
    pages_total: int | None = Field(default=None, description="Pages of all the files, known once each file's "
                                    "count is (a PDF's or image's as soon as its reader opens it, others' once "
                                    "read).")
    report_id: str | None = Field(default=None, description="The report when done: GET /v1/checks/{report_id}.")
    error: ErrorOut | None = Field(default=None, description="Why it failed (the codes of a synchronous check).")
    created_at: datetime
    finished_at: datetime | None = None

    @classmethod
    def of(cls, job) -> JobOut:
        """From a service.store.jobs.Job."""
        return cls(id=job.id, status=job.status, files_done=job.files_done, files_total=len(job.files),
                   pages_done=job.pages_done, pages_total=job.pages_total, report_id=job.report_id,
                   error=ErrorOut(code=job.error_code, message=job.error_message or "") if job.error_code else None,
                   created_at=job.created_at.replace(tzinfo=UTC),
                   finished_at=job.finished_at.replace(tzinfo=UTC) if job.finished_at else None)
