"""Check results and the report returned for a claim."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from models.payout import PayoutLedger

Status = Literal["pass", "warn", "fail", "not_applicable"]
Verdict = Literal["approvable", "needs_more_poe", "rejectable"]
#: The verdicts of POE_RULES.md §4, best first (the one list every user of verdicts reads).
VERDICTS: tuple[Verdict, ...] = ("approvable", "needs_more_poe", "rejectable")


class Evidence(BaseModel):
    """A quote and where it was found."""

    model_config = ConfigDict(frozen=True)
    file: str = Field(description="File chain, e.g. 'mail.msg > sow.pdf'.")
    part: str = Field(description="Part path, e.g. 'mail.msg > sow.pdf > page 2'.")
    page: int | None = Field(default=None, description="1-based page number when the part is a page.")
    start: int = Field(ge=0, description="Start offset of the quote in the part's text.")
    end: int = Field(ge=0, description="End offset (exclusive) of the quote in the part's text.")
    quote: str = Field(description="The text found.")
    rule_id: str | None = Field(default=None, description="The rule or pattern that matched.")
    note: str | None = Field(default=None, description="What this evidence shows, when not obvious.")


class CheckResult(BaseModel):
    """The outcome of one check."""

    model_config = ConfigDict(frozen=True)
    id: str = Field(description="Check id of POE_RULES.md §4.")
    status: Literal["pass", "warn", "fail", "not_applicable"]
    blocking: bool = Field(description="Whether a fail of this check rejects the claim.")
    message: str = Field(description="One line saying what was found.")
    evidence: list[Evidence] = Field(default_factory=list)
    remediation: str | None = Field(default=None, description="What the partner can do, when not pass.")
    details: dict = Field(default_factory=dict, description="Structured findings (counts, dates, ids).")


class Report(BaseModel):
    """The verdict for a claim with every check, and the payout when usage was given."""

    model_config = ConfigDict(frozen=True)
    claim_id: str | None = None
    partner: str
    customer: str
    workloads: list[str]
    claim_date: str
    verdict: Verdict
    score: int = Field(ge=0, le=100)
    rules_version: str
    checks: list[CheckResult]
    documents: list[dict] = Field(default_factory=list, description="sha256, filename, media type, parts, warnings.")
    payout: PayoutLedger | None = None
    created_at: datetime | None = None
