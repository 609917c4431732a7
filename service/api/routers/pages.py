"""Server-rendered pages: key login, the partner self-check, the reviewer queue and one report."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from models import WORKLOAD_IDS
from models.claim import FLAG_LABELS
from models.decision import DECISION_STATES
from models.report import VERDICTS
from service.api.deps import current_principal, scope, state
from service.api.review_view import csv_query, decision_context, summaries
from service.api.routers.checks import MAX_OFFSET
from service.api.sessions import COOKIE
from service.ingest.registry import ACCEPT_ATTRIBUTE, ACCEPTED
from service.redaction import report_for
from service.store.decisions import SORTS
from service.store.page_images import load_index, mark_boxes, quote_boxes
from service.store.reports import ReportFilter

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).resolve().parents[2] / "web" / "templates")
PAGE_SIZE = 25


def _login_redirect(request: Request) -> RedirectResponse:
    return RedirectResponse("/login?" + urlencode({"next": request.url.path}), status_code=303)


def _page(request: Request, name: str, principal, status_code: int = 200, **context) -> HTMLResponse:
    return templates.TemplateResponse(request, name, {"principal": principal, **context}, status_code=status_code)


@router.get("/")
async def home(request: Request) -> Response:
    principal = current_principal(request)
    if principal is None:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse("/queue" if principal.is_reviewer else "/self-check", status_code=303)


@router.get("/login")
async def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return _page(request, "login.html", None, next=next, error=None)


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    key = str(form.get("key", "")).strip()
    target = _local_path(str(form.get("next", "/")))
    principal = state(request).keys.authenticate(key)
    if principal is None:
        return templates.TemplateResponse(request, "login.html", {"principal": None, "next": target,
                                          "error": "Unknown key."}, status_code=401)
    response = RedirectResponse(target, status_code=303)
    token = state(request).sessions.create(principal)
    response.set_cookie(COOKIE, token, httponly=True, samesite="lax", secure=state(request).settings.secure_cookies,
                        max_age=int(state(request).settings.session_hours * 3600))
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    state(request).sessions.drop(request.cookies.get(COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


@router.get("/self-check")
async def self_check(request: Request) -> Response:
    principal = current_principal(request)
    if principal is None:
        return _login_redirect(request)
    return _page(request, "selfcheck.html", principal, workloads=WORKLOAD_IDS, today=date.today().isoformat(),
                 flags=FLAG_LABELS,
                 accepted=ACCEPTED, accept=ACCEPT_ATTRIBUTE, max_files=state(request).settings.max_files,
                 max_mb=state(request).settings.max_upload_bytes // (1024 * 1024))


@router.get("/queue")
async def queue(request: Request, verdict: str = "", partner: str = "", date_from: str = "",
                date_to: str = "", decision: str = "", sort: str = "", batch: str = "", page: int = 1) -> Response:
    principal = current_principal(request)
    if principal is None:
        return _login_redirect(request)
    sort = sort if sort in SORTS else ("queue" if principal.is_reviewer else "newest")
    filters = ReportFilter(verdict=verdict if verdict in VERDICTS else None, partner=partner or None,
                           date_from=_day(date_from), date_to=_day(date_to),
                           decision=decision if decision in DECISION_STATES else None, sort=sort,
                           batch=batch.strip()[:200] or None)
    page = min(max(page, 1), MAX_OFFSET // PAGE_SIZE)
    rows, total = await run_in_threadpool(state(request).store.list, filters, scope=scope(principal),
                                          limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    query = {"verdict": verdict, "partner": partner, "date_from": date_from, "date_to": date_to,
             "decision": decision, "sort": sort, "batch": batch}
    items = await run_in_threadpool(summaries, rows, state(request).decisions)
    return _page(request, "queue.html", principal, rows=items, total=total, page=page,
                 pages=max(1, -(-total // PAGE_SIZE)), query=query, verdicts=VERDICTS,
                 decision_states=DECISION_STATES, sorts=SORTS, csv_url="/v1/checks.csv?" + csv_query(filters),
                 qs=lambda p: urlencode({**query, "page": p}))


@router.get("/reports/{report_id}")
async def report_page(request: Request, report_id: str) -> Response:
    principal = current_principal(request)
    if principal is None:
        return _login_redirect(request)
    st = state(request)
    stored = await run_in_threadpool(st.store.get, report_id, scope=scope(principal))
    if stored is None:
        return _page(request, "not_found.html", principal, status_code=404, report_id=report_id)
    report = report_for(stored.report, reviewer=principal.is_reviewer)
    pages = _pages_with_highlights(load_index(st.settings, report_id), report)
    shown = {m["ev"]: m["id"] for p in pages for m in reversed(p["marks"]) if m["ev"]}  # each finding's first box
    return _page(request, "report.html", principal, id=report_id, r=report, pages=pages,
                 shown=shown, owner=stored.owner_partner_id, batch_id=stored.batch_id,
                 input_claim_id=stored.input_claim_id,
                 **await decision_context(request, principal, stored))


def _pages_with_highlights(entries: list[dict], report) -> list[dict]:
    """Each kept page image with a box per line of every quote on it (coloured by its check's status, linked
    to its finding) and each handwritten mark (linked to the finding that reads it)."""
    status = {c.id: c.status for c in report.checks}
    evidence = [(c.id, i, ev) for c in report.checks for i, ev in enumerate(c.evidence)]
    pages = []
    for entry in entries:
        marks = []
        for check_id, i, ev in evidence:
            for k, box in enumerate(quote_boxes(entry, ev)):
                marks.append(_mark(box, check_id, status[check_id], f"{check_id}-{i}", f"{entry['n']}-{len(marks)}",
                                   title=f"{check_id.replace('_', ' ')}: {ev.quote[:120]}" if k == 0 else None))
        for box, check_id, i in mark_boxes(entry, evidence):
            marks.append(_mark(box, check_id, status.get(check_id, "ink"), f"{check_id}-{i}" if check_id else None,
                               f"{entry['n']}-{len(marks)}", title="handwritten mark", kind="ink"))
        pages.append({**{k: v for k, v in entry.items() if k not in ("words", "fields", "marks")}, "marks": marks})
    return pages


def _mark(box, check_id: str | None, status: str, ev: str | None, n: str, *, title: str | None,
          kind: str = "quote") -> dict:
    return {"check": check_id, "status": status, "ev": ev, "id": f"hl-{n}", "kind": kind, "title": title,
            "box": [round(v * 100, 2) for v in box]}


def _local_path(target: str) -> str:
    """`target` when it is a path on this site, else "/" (browsers read "/\\host" like "//host")."""
    if not target.startswith("/") or target.startswith("//") or any(c in target for c in "\\\r\n\t"):
        return "/"
    return target


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None
