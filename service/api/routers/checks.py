"""/v1/checks: submit POE files with a claim, read a stored report, list reports, fetch page images."""
from __future__ import annotations

from datetime import date
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from pydantic import BeforeValidator

from models import Claim
from models.decision import DecisionState
from models.report import Verdict
from service.api.deps import Caller, scope, state
from service.api.jobs import process_check
from service.api.review_view import csv_lines, summaries
from service.api.schemas import CheckOut, CheckPage, ErrorOut, JobOut
from service.api.uploads import read_upload
from service.async_checks import enqueue, finished
from service.auth import Principal
from service.claims import parse_claim, parse_stated
from service.errors import NotFound, PartnerMismatch, PoecheckError
from service.ingest.registry import ACCEPTED
from service.store.decisions import Sort
from service.store.page_images import image_file
from service.store.reports import ReportFilter

router = APIRouter(prefix="/v1/checks", tags=["checks"])
MAX_OFFSET = 1_000_000_000  # far beyond any store, and within a database's 64-bit integers


def _iso_day(value: object) -> object:
    """A day only as an ISO date: pydantic alone reads a number such as `0.0` as a Unix timestamp."""
    return date.fromisoformat(value) if isinstance(value, str) else value


IsoDay = Annotated[date | None, BeforeValidator(_iso_day)]

_ERRORS = {s: {"model": ErrorOut} for s in (401, 404)}
_UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object",
    "required": ["claim", "files"],
    "properties": {
        "claim": {"type": "string", "description": "The claim JSON (POE_RULES.md §3), as text or a .json file."},
        "stated": {"type": "string", "description": "Optional, sent by the self-check form: a JSON list of the "
                   "optional claim fields its user gave (e.g. [\"customer.flags\"]). When sent, a check whose "
                   "deciding field is not in it warns 'not checked: give …' instead of passing. Without it, "
                   "fields left out of the claim take their POE_RULES §3 defaults."},
        "files": {"type": "array", "items": {"type": "string", "format": "binary"},
                  "description": f"POE files: {ACCEPTED} (scans as PDF or PNG/JPEG/TIFF)."},
    },
}}}}}


def bind_partner(claim: Claim, principal: Principal) -> Claim:
    """A partner key files claims for its own partner id: set it when absent, refuse another one."""
    if principal.is_reviewer:
        return claim
    pid = claim.partner.partner_id
    if pid is None:
        return claim.model_copy(update={"partner": claim.partner.model_copy(update={"partner_id": principal.partner_id})})
    if pid != principal.partner_id:
        raise PartnerMismatch(f"This key belongs to partner {principal.partner_id}; the claim names partner {pid}.")
    return claim


_ACCEPTED = {202: {"model": JobOut, "description": "Asynchronous (`?async=true` or `Prefer: respond-async`): the "
                   "check is queued; follow `Location: /v1/jobs/{id}`.",
                   "headers": {"Location": {"schema": {"type": "string"}, "description": "/v1/jobs/{id}"}}}}


def wants_async(request: Request, async_: bool) -> bool:
    """`?async=true`, or RFC 7240's `Prefer: respond-async`."""
    prefer = request.headers.get("prefer", "").lower()
    return async_ or any(p.strip().split("=")[0] == "respond-async" for p in prefer.split(","))


@router.post("", status_code=201, response_model=CheckOut, openapi_extra=_UPLOAD_BODY,
             responses={**_ACCEPTED, **_ERRORS,
                        **{s: {"model": ErrorOut} for s in (403, 408, 413, 415, 422, 429, 503)}},
             summary="Check POE files against a claim")
async def create_check(request: Request, principal: Caller,
                       async_: Annotated[bool, Query(alias="async", description="Queue the check and answer 202 "
                                                     "at once (as `Prefer: respond-async`).")] = False,
                       ) -> CheckOut | JSONResponse:
    """Upload one or more POE files and the claim JSON; returns the stored report (verdict, score, checks
    with evidence and remediation, payout when the claim has usage). Asynchronously, returns 202 and the job
    to follow (GET /v1/jobs/{id}); any replica may run it, and it survives the replica that accepted it."""
    st = state(request)
    admitted = st.runner.admit(principal)  # 429 beyond this key's checks in flight, before reading the body
    try:
        upload = await read_upload(request, settings=st.settings)
        try:
            claim = bind_partner(await run_in_threadpool(parse_claim, upload.claim or b""), principal)
            stated = parse_stated(upload.stated)
            queued = wants_async(request, async_)
            if not queued:
                ticket = st.runner.reserve()  # a pool place only once the upload is complete (503 when full)
        except BaseException:
            upload.cleanup()
            raise
    except BaseException:
        admitted.release()
        raise
    if queued:  # the job is durable once queued: the key's place is freed as the upload is
        try:
            queued_job = await run_in_threadpool(enqueue, st.jobs, st.settings, upload, claim, stated)
        finally:
            admitted.release()
        st.worker.notify()
        return JSONResponse(JobOut.of(queued_job).model_dump(mode="json"), status_code=202,
                            headers={"Location": f"/v1/jobs/{queued_job.id}"})
    if st.settings.dask_scheduler:  # on a cluster: a job the request waits for, read and checked by the workers
        return await _check_on_cluster(st, upload, claim, stated, (ticket, admitted), principal)
    job = partial(process_check, claim, upload, settings=st.settings, store=st.store, reuse=st.reuse,
                  owner_partner_id=claim.partner.partner_id, stated=stated)
    stored = await st.runner.run((ticket, admitted), job, on_cancel=upload.cleanup)
    return CheckOut.of(stored, reviewer=principal.is_reviewer)


async def _check_on_cluster(st, upload, claim: Claim, stated, tickets, principal: Principal) -> CheckOut:
    try:
        queued_job = await run_in_threadpool(enqueue, st.jobs, st.settings, upload, claim, stated)
        st.worker.notify()
        settings = st.settings  # as long as reading every file and the checks may take, and a take-over
        job = await finished(st.jobs, queued_job.id, within_s=settings.parse_timeout_s * len(queued_job.files)
                             + settings.checks_timeout_s + 2 * settings.job_lease_s)
    finally:
        for ticket in tickets:
            ticket.release()
    if job.status == "failed":
        raise PoecheckError(job.error_message or "", code=job.error_code, http_status=job.error_status or 500)
    stored = await run_in_threadpool(st.store.get, job.report_id)
    return CheckOut.of(stored, reviewer=principal.is_reviewer)


@router.get("/{report_id}", response_model=CheckOut, responses=_ERRORS, summary="Read a stored report")
async def get_check(report_id: str, request: Request, principal: Caller) -> CheckOut:
    """A stored report; a partner sees only its own (others are 404)."""
    stored = await run_in_threadpool(state(request).store.get, report_id, scope=scope(principal))
    if stored is None:
        raise NotFound(f"No report {report_id}.")
    return CheckOut.of(stored, reviewer=principal.is_reviewer)


def list_filters(
    principal: Caller,
    verdict: Annotated[Verdict | None,
                       Query(description="Only this verdict.")] = None,
    partner: Annotated[str | None, Query(description="Partner name (part of it, any case) or exact partner id.")] = None,
    date_from: Annotated[IsoDay, Query(description="Submitted on or after this day (UTC).")] = None,
    date_to: Annotated[IsoDay, Query(description="Submitted on or before this day (UTC).")] = None,
    decision: Annotated[DecisionState | None, Query(description="Only reports whose final decision is this "
                                                                "('undecided': none yet).")] = None,
    sort: Annotated[Sort | None, Query(description="'queue': undecided first, then oldest first (a reviewer's "
                                                   "default); 'newest' (a partner's default); 'oldest'.")] = None,
    batch: Annotated[str | None, Query(max_length=200, description="Only the reports of this batch id "
                                                                   "(`poecheck batch --batch-id`).")] = None,
) -> ReportFilter:
    """The list filters of GET /v1/checks and its CSV export."""
    return ReportFilter(verdict=verdict, partner=partner, date_from=date_from, date_to=date_to, decision=decision,
                        sort=sort or ("queue" if principal.is_reviewer else "newest"), batch=batch or None)


Filters = Annotated[ReportFilter, Depends(list_filters)]


@router.get("", response_model=CheckPage, responses=_ERRORS, summary="List stored reports")
async def list_checks(
    request: Request,
    principal: Caller,
    filters: Filters,
    limit: Annotated[int, Query(ge=1, le=100, description="Page size.")] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip.")] = 0,
) -> CheckPage:
    """Reports filtered and paginated, with their decision state; a partner sees only its own."""
    st = state(request)
    rows, total = await run_in_threadpool(st.store.list, filters, scope=scope(principal), limit=limit, offset=offset)
    items = await run_in_threadpool(summaries, rows, st.decisions)
    return CheckPage(items=items, total=total, limit=limit, offset=offset)


_CSV = {200: {"description": "One line per report.", "content": {"text/csv": {"schema": {"type": "string"}}}}}


@router.get(".csv", response_class=StreamingResponse, responses={**_CSV, 401: {"model": ErrorOut},
                                                                  422: {"model": ErrorOut}},
            summary="Export the filtered list as CSV")
async def export_checks(request: Request, principal: Caller, filters: Filters) -> StreamingResponse:
    """Every report matching the filters of GET /v1/checks (no paging), in the same order, as CSV; reviewers
    also get each final decision's reason code and reviewer."""
    st = state(request)
    lines = csv_lines(filters, principal, reports=st.store, decisions=st.decisions)
    return StreamingResponse(lines, media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="poecheck-reports.csv"'})


_PNG = {200: {"description": "The page image.", "content": {t: {"schema": {"type": "string", "format": "binary"}}
                                                             for t in ("image/png", "image/jpeg")}}}


@router.get("/{report_id}/pages/{n}", response_class=FileResponse, responses={**_PNG, **_ERRORS},
            summary="Page image kept with a report")
async def page_image(report_id: str, n: int, request: Request,
                     principal: Caller) -> FileResponse:
    """A page image kept with the report (PNG, or JPEG for a scan): a page a finding cites or that shows a
    handwritten mark, numbered as on the report page."""
    st = state(request)
    stored = await run_in_threadpool(st.store.get, report_id, scope=scope(principal))
    path = image_file(st.settings, report_id, n) if stored is not None else None
    if path is None or not path.exists():
        raise NotFound(f"No page image {n} for report {report_id}.")
    media_type = "image/jpeg" if path.suffix == ".jpg" else "image/png"
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": "no-store"})
