"""A reviewer's decision on a report: what a reviewer sends, and the append-only history row it becomes."""
from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from models.report import Status, Verdict

DecisionKind = Literal["approve", "request_more_poe", "reject"]
#: A report's decision state: its latest decision, or `undecided`.
DecisionState = Literal["undecided", "approve", "request_more_poe", "reject"]
DECISIONS: tuple[DecisionKind, ...] = ("approve", "request_more_poe", "reject")
DECISION_STATES: tuple[DecisionState, ...] = ("undecided", *DECISIONS)
#: The decision that agrees with each verdict of poecheck (the diagonal of the agreement matrix).
AGREEING_DECISION: dict[Verdict, DecisionKind] = {
    "approvable": "approve", "needs_more_poe": "request_more_poe", "rejectable": "reject",
}

MAX_NOTE = 4000
MAX_OVERRIDE_REASON = 1000


class OverrideIn(BaseModel):
    """A reviewer sets one check's status, with the reason."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
    check: str = Field(min_length=1, max_length=64, description="Check id, e.g. 'dates'.")
    status: Status = Field(description="The status the reviewer gives the check.")
    reason: str = Field(min_length=1, max_length=MAX_OVERRIDE_REASON, description="Why the check's result is wrong.")


class DecisionIn(BaseModel):
    """What a reviewer records on a report (POST /v1/checks/{id}/decisions)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
    decision: DecisionKind
    reason: str = Field(min_length=1, max_length=64,
                        description="Reason code (service/rules/decision_reasons.yaml), e.g. 'poe_sufficient'.")
    note: str = Field(default="", max_length=MAX_NOTE, description="Free text; a partner sees the final one.")
    overrides: list[OverrideIn] = Field(default_factory=list, max_length=50,
                                        description="Check results the reviewer sets differently, each with a reason.")


class Override(BaseModel):
    """A stored override: the check's status in the report and the reviewer's."""

    model_config = ConfigDict(frozen=True)
    check: str
    original_status: Status = Field(description="The check's status in the report.")
    status: Status = Field(description="The status the reviewer gave it.")
    reason: str


class Decision(BaseModel):
    """One row of a report's decision history; never edited or deleted."""

    model_config = ConfigDict(frozen=True)
    id: int
    report_id: str
    decision: DecisionKind
    reason: str
    note: str
    overrides: list[Override]
    decided_by: str = Field(description="Name of the reviewer's key.")
    role: str = Field(description="Role of that key.")
    verdict: Verdict = Field(description="The report's verdict when the decision was made.")
    decided_at: datetime


class OverrideCount(BaseModel):
    """How often reviewers changed a check from one status to another."""

    model_config = ConfigDict(frozen=True)
    original_status: Status
    status: Status
    count: int


class CheckAgreement(BaseModel):
    """One check over the decided reports: how often the reviewer's final decision overrode it."""

    model_config = ConfigDict(frozen=True)
    check: str
    decided: int = Field(description="Decided reports in the range that ran this check.")
    overridden: int = Field(description="Of those, reports whose final decision overrides this check.")
    share: float = Field(description="overridden / decided (0 when nothing was decided).")
    changes: list[OverrideCount] = Field(default_factory=list, description="The overrides by original and new status.")


class Agreement(BaseModel):
    """poecheck's verdicts against reviewers' final decisions over reports submitted in a date range."""

    model_config = ConfigDict(frozen=True)
    date_from: date | None = Field(default=None, description="First submission day (UTC) counted.")
    date_to: date | None = Field(default=None, description="Last submission day (UTC) counted.")
    reports: int = Field(description="Reports submitted in the range.")
    decided: int = Field(description="Of those, reports with a decision.")
    agreeing: int = Field(description="Decided reports whose final decision matches the verdict.")
    agreement: float | None = Field(description="agreeing / decided; null when nothing was decided.")
    matrix: dict[Verdict, dict[DecisionKind, int]] = Field(
        description="Count of decided reports by poecheck's verdict (rows) and the final decision (columns).")
    checks: list[CheckAgreement] = Field(description="Per check, the share of decided reports whose final "
                                                     "decision overrides it, most overridden first.")
