"""How well poecheck agrees with reviewers: verdict against final decision, and overrides per check."""
from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from models.decision import AGREEING_DECISION, DECISIONS, Agreement, CheckAgreement, OverrideCount
from models.report import VERDICTS
from service.store.decisions import DecisionRow
from service.store.reports import ReportRow


def agreement(sessions: sessionmaker, *, date_from: date | None = None, date_to: date | None = None) -> Agreement:
    """The agreement over reports submitted from `date_from` to `date_to` (UTC days, both included)."""
    in_range = [ReportRow.superseded_by.is_(None)]  # the reports of the queue: a batch rerun's replace earlier ones
    if date_from:
        in_range.append(ReportRow.created_at >= datetime.combine(date_from, time.min))
    if date_to:
        in_range.append(ReportRow.created_at < datetime.combine(date_to + timedelta(days=1), time.min))
    final_ids = (select(func.max(DecisionRow.id)).join(ReportRow, ReportRow.id == DecisionRow.report_id)
                 .where(*in_range).group_by(DecisionRow.report_id))
    matrix = {v: dict.fromkeys(DECISIONS, 0) for v in VERDICTS}
    ran: Counter[str] = Counter()
    overridden: Counter[str] = Counter()
    changes: Counter[tuple[str, str, str]] = Counter()
    with sessions() as session:
        reports = session.scalar(select(func.count()).select_from(ReportRow).where(*in_range)) or 0
        rows = session.execute(select(DecisionRow.verdict, DecisionRow.decision, DecisionRow.overrides,
                                      ReportRow.report)
                               .join(ReportRow, ReportRow.id == DecisionRow.report_id)
                               .where(DecisionRow.id.in_(final_ids)))
        for verdict, decision, overrides, report in rows:
            matrix[verdict][decision] += 1
            ran.update(c["id"] for c in json.loads(report)["checks"])
            for o in json.loads(overrides):
                overridden[o["check"]] += 1
                changes[o["check"], o["original_status"], o["status"]] += 1
    decided = sum(sum(row.values()) for row in matrix.values())
    agreeing = sum(matrix[v][d] for v, d in AGREEING_DECISION.items())
    checks = [
        CheckAgreement(check=check, decided=ran[check], overridden=overridden[check],
                       share=overridden[check] / ran[check] if ran[check] else 0.0,
                       changes=[OverrideCount(original_status=f, status=t, count=n)
                                for (c, f, t), n in sorted(changes.items(), key=lambda kv: -kv[1]) if c == check])
        for check in sorted(ran.keys() | overridden.keys(),
                            key=lambda c: (-(overridden[c] / ran[c] if ran[c] else 0.0), -overridden[c], c))
    ]
    return Agreement(date_from=date_from, date_to=date_to, reports=reports, decided=decided, agreeing=agreeing,
                     agreement=agreeing / decided if decided else None, matrix=matrix, checks=checks)
