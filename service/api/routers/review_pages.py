"""Reviewer pages: record a decision from the report page's form, and the agreement with reviewers."""
from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from models.decision import AGREEING_DECISION, DecisionIn
from service.api.deps import current_principal, state
from service.api.routers.pages import _day, _login_redirect, _page, report_page
from service.decisions import record_decision
from service.errors import NotFound, PoecheckError
from service.store.agreement import agreement

router = APIRouter(include_in_schema=False)


@router.post("/reports/{report_id}/decisions")
async def decide(request: Request, report_id: str) -> Response:
    """The report page's decision form: overrides come as `override_status.<check>` and `override_reason.<check>`."""
    principal = current_principal(request)
    if principal is None:  # back to the report after login (this path answers POST only)
        return RedirectResponse("/login?" + urlencode({"next": f"/reports/{report_id}"}), status_code=303)
    if not principal.is_reviewer:
        return _page(request, "forbidden.html", principal, status_code=403)
    form = await request.form()
    fields = {k: str(v) for k, v in form.multi_items() if isinstance(v, str)}
    overrides = [{"check": key.split(".", 1)[1], "status": status,
                  "reason": fields.get("override_reason." + key.split(".", 1)[1], "")}
                 for key, status in fields.items() if key.startswith("override_status.") and status]
    st = state(request)
    try:
        body = DecisionIn(decision=fields.get("decision", ""), reason=fields.get("reason", ""),
                          note=fields.get("note", ""), overrides=overrides)
        await run_in_threadpool(record_decision, report_id, body, principal, reports=st.store,
                                decisions=st.decisions)
    except NotFound:
        return _page(request, "not_found.html", principal, status_code=404, report_id=report_id)
    except (ValidationError, PoecheckError) as exc:
        request.state.decision_error = _plain(exc, overrides)
        request.state.decision_form = fields
        response = await report_page(request, report_id)
        response.status_code = getattr(exc, "http_status", 422)
        return response
    return RedirectResponse(f"/reports/{report_id}#decisions", status_code=303)


def _plain(exc: ValidationError | PoecheckError, overrides: list[dict]) -> str:
    """The error in words: a typed error's message, or each invalid form field."""
    if isinstance(exc, PoecheckError):
        return exc.message
    parts = []
    for err in exc.errors():
        loc = err["loc"]
        if loc[:1] == ("overrides",) and len(loc) > 2 and isinstance(loc[1], int):
            where = f"Override of {overrides[loc[1]]['check']} ({loc[2]})"
        else:
            where = str(loc[0]).capitalize() if loc else "Form"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


@router.get("/agreement")
async def agreement_page(request: Request, date_from: str = "", date_to: str = "") -> Response:
    principal = current_principal(request)
    if principal is None:
        return _login_redirect(request)
    if not principal.is_reviewer:
        return _page(request, "forbidden.html", principal, status_code=403)
    st = state(request)
    stats = await run_in_threadpool(agreement, st.decisions.sessions, date_from=_day(date_from),
                                    date_to=_day(date_to))
    return _page(request, "agreement.html", principal, stats=stats, agreeing=AGREEING_DECISION,
                 query={"date_from": date_from, "date_to": date_to})
