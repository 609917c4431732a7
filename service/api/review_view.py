"""What the queue and the report page show of reviewer decisions (shared by the API list and the pages)."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from typing import get_args
from urllib.parse import urlencode

from fastapi import Request
from fastapi.concurrency import run_in_threadpool

from models.decision import DECISIONS, Decision
from models.report import Status
from service.api.schemas import CheckSummary
from service.auth import Principal
from service.decisions import read_decisions, reason_codes
from service.store.decisions import DecisionStore
from service.store.reports import ReportFilter, ReportRow, ReportStore, StoredReport

CSV_PAGE = 500
CSV_COLUMNS = ("id", "submitted_at", "claim_id", "partner", "partner_id", "customer", "workloads", "claim_date",
               "verdict", "score", "decision", "decided_at")
CSV_REVIEWER_COLUMNS = ("decision_reason", "decided_by")


def summaries(rows: Sequence[ReportRow], decisions: DecisionStore) -> list[CheckSummary]:
    """List rows with their decision state."""
    return _with(rows, decisions.finals(r.id for r in rows))


def _with(rows: Sequence[ReportRow], finals: dict[str, Decision]) -> list[CheckSummary]:
    out = []
    for row in rows:
        summary = CheckSummary.of(row)
        final = finals.get(row.id)
        if final is not None:
            summary = summary.model_copy(update={"decision": final.decision, "decided_at": final.decided_at})
        out.append(summary)
    return out


def csv_query(filters: ReportFilter) -> str:
    """The query string of GET /v1/checks.csv for these filters."""
    return urlencode({k: str(v) for k, v in asdict(filters).items() if v})


def _cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text: a leading = + - @ (a formula) gets a quote mark."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_lines(filters: ReportFilter, principal: Principal, *, reports: ReportStore,
              decisions: DecisionStore) -> Iterator[str]:
    """Every report matching the filters, in list order, as CSV lines (read a page at a time)."""
    scope = None if principal.is_reviewer else principal.partner_id
    columns = CSV_COLUMNS + (CSV_REVIEWER_COLUMNS if principal.is_reviewer else ())
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")

    def line(values) -> str:
        buf.seek(0)
        buf.truncate()
        writer.writerow([_cell(v) for v in values])
        return buf.getvalue()

    yield line(columns)
    offset = 0
    while True:
        rows, _ = reports.list(filters, scope=scope, limit=CSV_PAGE, offset=offset)
        if not rows:
            return
        finals = decisions.finals(r.id for r in rows)
        for s in _with(rows, finals):
            final = finals.get(s.id)
            values = [s.id, s.created_at.isoformat(), s.claim_id, s.partner, s.partner_id, s.customer,
                      " ".join(s.workloads), s.claim_date, s.verdict, s.score, s.decision,
                      s.decided_at.isoformat() if s.decided_at else ""]
            if principal.is_reviewer:
                values += [final.reason if final else "", final.decided_by if final else ""]
            yield line(values)
        offset += len(rows)


async def decision_context(request: Request, principal: Principal, stored: StoredReport) -> dict:
    """The report page's decision parts: history (reviewers), the final decision, the form and its error."""
    st = request.app.state.poe
    view = await run_in_threadpool(read_decisions, stored.id, principal, reports=st.store, decisions=st.decisions)
    return {
        "final_decision": view.final,
        "history": list(reversed(view.history)),
        "decisions": DECISIONS,
        "reasons": list(reason_codes().values()),
        "statuses": get_args(Status),
        "decision_error": getattr(request.state, "decision_error", None),
        "decision_form": getattr(request.state, "decision_form", {}),
    }
