"""Reviewer decisions: append-only history rows per report, and the decision state the queue filters on."""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Literal, get_args

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, case, func, select
from sqlalchemy.orm import Mapped, aliased, mapped_column, sessionmaker

from models.decision import Decision, Override
from service.store.db import Base

#: Orders of the report list: `queue` (undecided first, then oldest first), `newest`, `oldest`.
Sort = Literal["queue", "newest", "oldest"]
SORTS: tuple[Sort, ...] = get_args(Sort)


class DecisionRow(Base):
    """One decision; rows are only ever inserted (a trigger refuses UPDATE and DELETE, see the migrations)."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    report_id: Mapped[str] = mapped_column(String(32), ForeignKey("reports.id"), index=True)
    decided_at: Mapped[datetime] = mapped_column(DateTime, doc="UTC, naive.")
    decided_by: Mapped[str] = mapped_column(String(200), doc="The key's name.")
    role: Mapped[str] = mapped_column(String(20))
    decision: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text)
    overrides: Mapped[str] = mapped_column(Text, doc="JSON list of models.decision.Override.")
    verdict: Mapped[str] = mapped_column(String(20), doc="The report's verdict when the decision was made.")


def to_decision(row: DecisionRow) -> Decision:
    return Decision(
        id=row.id, report_id=row.report_id, decision=row.decision, reason=row.reason, note=row.note,
        overrides=[Override.model_validate(o) for o in json.loads(row.overrides)], decided_by=row.decided_by,
        role=row.role, verdict=row.verdict, decided_at=row.decided_at.replace(tzinfo=UTC),
    )


def _final_ids():
    """report_id -> id of its latest decision."""
    return (select(DecisionRow.report_id, func.max(DecisionRow.id).label("final_id"))
            .group_by(DecisionRow.report_id).subquery("final_ids"))


def with_decision_state(query, *, report_id, created_at, decision: str | None, sort: str):
    """`query` over reports joined to each report's final decision, filtered on the decision state, and the
    ORDER BY for `sort`: `queue` (undecided first, then oldest first), `oldest` or `newest` (the default)."""
    if decision is None and sort != "queue":
        order = (created_at.asc(),) if sort == "oldest" else (created_at.desc(),)
        return query, (*order, report_id)
    final_ids = _final_ids()
    final = aliased(DecisionRow, name="final_decision")
    query = (query.outerjoin(final_ids, final_ids.c.report_id == report_id)
             .outerjoin(final, final.id == final_ids.c.final_id))
    if decision == "undecided":
        query = query.where(final.id.is_(None))
    elif decision is not None:
        query = query.where(final.decision == decision)
    if sort == "queue":
        return query, (case((final.id.is_(None), 0), else_=1), created_at.asc(), report_id)
    return query, ((created_at.asc(),) if sort == "oldest" else (created_at.desc(),)) + (report_id,)


class DecisionStore:
    """Appends decisions and reads them back; there is no update and no delete."""

    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    @property
    def sessions(self) -> sessionmaker:
        """The session factory, for read-only reports over decisions (service.store.agreement)."""
        return self._sessions

    def add(self, report_id: str, *, decision: str, reason: str, note: str, overrides: Sequence[Override],
            decided_by: str, role: str, verdict: str, decided_at: datetime | None = None) -> Decision:
        """Append one decision to a report's history."""
        when = (decided_at or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
        row = DecisionRow(report_id=report_id, decided_at=when, decided_by=decided_by, role=role,
                          decision=decision, reason=reason, note=note, verdict=verdict,
                          overrides=json.dumps([o.model_dump() for o in overrides]))
        with self._sessions.begin() as session:
            session.add(row)
            session.flush()
            return to_decision(row)

    def history(self, report_id: str) -> list[Decision]:
        """Every decision on the report, oldest first."""
        with self._sessions() as session:
            rows = session.scalars(select(DecisionRow).where(DecisionRow.report_id == report_id)
                                   .order_by(DecisionRow.id)).all()
        return [to_decision(r) for r in rows]

    def finals(self, report_ids: Iterable[str]) -> dict[str, Decision]:
        """The latest decision of each of these reports that has one."""
        ids = list(dict.fromkeys(report_ids))
        out: dict[str, Decision] = {}
        with self._sessions() as session:
            for i in range(0, len(ids), 500):
                final_ids = (select(func.max(DecisionRow.id)).where(DecisionRow.report_id.in_(ids[i:i + 500]))
                             .group_by(DecisionRow.report_id))
                for row in session.scalars(select(DecisionRow).where(DecisionRow.id.in_(final_ids))):
                    out[row.report_id] = to_decision(row)
        return out
