"""Response shapes of reviewer decisions and the agreement (models.decision holds the request body)."""
from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from models.decision import Decision, DecisionKind, DecisionState, Override
from models.report import Verdict
from service.decisions import DecisionView


class DecisionOut(BaseModel):
    """One decision. A partner gets the final decision's `decision`, `note` and `decided_at` only (the other
    fields are null)."""

    id: int
    decision: DecisionKind
    note: str = Field(description="The reviewer's note.")
    decided_at: datetime = Field(description="When it was recorded (UTC).")
    reason: str | None = Field(default=None, description="Reason code (reviewers only).")
    overrides: list[Override] | None = Field(default=None, description="Checks set differently (reviewers only).")
    decided_by: str | None = Field(default=None, description="Name of the reviewer's key (reviewers only).")
    role: str | None = Field(default=None, description="Role of that key (reviewers only).")
    verdict: Verdict | None = Field(default=None, description="The report's verdict at that time (reviewers only).")

    @classmethod
    def of(cls, d: Decision, *, full: bool = True) -> DecisionOut:
        if full:
            return cls(**d.model_dump(exclude={"report_id"}))
        return cls(id=d.id, decision=d.decision, note=d.note, decided_at=d.decided_at)


class DecisionsOut(BaseModel):
    """A report's decision state and history."""

    report_id: str
    claim_id: str | None = Field(default=None, description="The report's claim id.")
    partner: str = Field(description="The report's partner name.")
    verdict: Verdict = Field(description="poecheck's verdict on the report.")
    state: DecisionState = Field(description="The final decision, or 'undecided'.")
    final: DecisionOut | None = Field(default=None, description="The latest decision.")
    history: list[DecisionOut] = Field(description="Every decision, oldest first (reviewers; empty for a partner).")

    @classmethod
    def of(cls, view: DecisionView) -> DecisionsOut:
        r = view.stored.report
        return cls(report_id=view.stored.id, claim_id=r.claim_id, partner=r.partner, verdict=r.verdict,
                   state=view.final.decision if view.final else "undecided",
                   final=DecisionOut.of(view.final, full=view.full) if view.final else None,
                   history=[DecisionOut.of(d) for d in view.history])
