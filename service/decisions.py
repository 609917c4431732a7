"""Reviewer decisions, the use cases: record one on a report, and what each caller may read of the history."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from models.decision import Decision, DecisionIn, DecisionKind, Override
from service.auth import Principal
from service.errors import InvalidDecision, NotFound, ReviewerOnly, RulesInvalid
from service.store.decisions import DecisionStore
from service.store.reports import ReportStore, StoredReport

REASONS_FILE = Path(__file__).resolve().parent / "rules" / "decision_reasons.yaml"


class ReasonCode(BaseModel):
    """A reason a reviewer gives with a decision."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")
    label: str = Field(min_length=1)
    decisions: tuple[DecisionKind, ...] = Field(min_length=1)
    needs_note: bool = False


class _ReasonFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reasons: list[ReasonCode] = Field(min_length=1)


@lru_cache(maxsize=1)
def reason_codes(path: Path = REASONS_FILE) -> dict[str, ReasonCode]:
    """The reason codes by id, read and validated once (create_app calls it, so a broken file stops the start)."""
    try:
        parsed = _ReasonFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise RulesInvalid(f"{path}: {exc}") from exc
    codes = {r.id: r for r in parsed.reasons}
    if len(codes) != len(parsed.reasons):
        raise RulesInvalid(f"{path}: a reason id is listed twice")
    return codes


def require_reviewer(principal: Principal, what: str) -> None:
    if not principal.is_reviewer:
        raise ReviewerOnly(f"Only a reviewer key may {what}.")


def record_decision(report_id: str, body: DecisionIn, principal: Principal, *, reports: ReportStore,
                    decisions: DecisionStore) -> Decision:
    """Validate a reviewer's decision against the report and append it to the report's history."""
    require_reviewer(principal, "record a decision")
    stored = reports.get(report_id)
    if stored is None:
        raise NotFound(f"No report {report_id}.")
    overrides = _overrides(body, stored)
    reason = reason_codes().get(body.reason)
    if reason is None:
        raise InvalidDecision(f"Unknown reason code {body.reason!r}; use one of: {', '.join(reason_codes())}.")
    if body.decision not in reason.decisions:
        raise InvalidDecision(f"Reason {body.reason!r} does not go with {body.decision!r}; it goes with: "
                              f"{', '.join(reason.decisions)}.")
    if reason.needs_note and not body.note:
        raise InvalidDecision(f"Reason {body.reason!r} needs a note saying why.")
    return decisions.add(report_id, decision=body.decision, reason=body.reason, note=body.note,
                         overrides=overrides, decided_by=principal.name or principal.role, role=principal.role,
                         verdict=stored.report.verdict)


def _overrides(body: DecisionIn, stored: StoredReport) -> list[Override]:
    status = {c.id: c.status for c in stored.report.checks}
    out = []
    for o in body.overrides:
        if o.check not in status:
            raise InvalidDecision(f"The report has no check {o.check!r}; its checks are: {', '.join(status)}.")
        if o.check in {x.check for x in out}:
            raise InvalidDecision(f"Check {o.check!r} is overridden twice; give one status per check.")
        if o.status == status[o.check]:
            raise InvalidDecision(f"Check {o.check!r} is already {o.status}; an override must change its status.")
        out.append(Override(check=o.check, original_status=status[o.check], status=o.status, reason=o.reason))
    return out


@dataclass(frozen=True)
class DecisionView:
    """What a caller may read of a report's decisions."""

    stored: StoredReport
    final: Decision | None
    history: list[Decision]
    full: bool  # False for a partner: the final decision and its note only, no history


def read_decisions(report_id: str, principal: Principal, *, reports: ReportStore,
                   decisions: DecisionStore) -> DecisionView:
    """A reviewer reads the whole history; a partner the final decision of its own report (others are 404)."""
    stored = reports.get(report_id, scope=None if principal.is_reviewer else principal.partner_id)
    if stored is None:
        raise NotFound(f"No report {report_id}.")
    history = decisions.history(report_id)
    final = history[-1] if history else None
    if principal.is_reviewer:
        return DecisionView(stored, final, history, full=True)
    return DecisionView(stored, final, [], full=False)
