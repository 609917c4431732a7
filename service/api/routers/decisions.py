"""Reviewer decisions on a report (/v1/checks/{id}/decisions) and the agreement with reviewers (/v1/stats)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool

from models.decision import Agreement, DecisionIn
from service.api.decision_schemas import DecisionOut, DecisionsOut
from service.api.deps import Caller, state
from service.api.routers.checks import IsoDay
from service.api.schemas import ErrorOut
from service.decisions import read_decisions, record_decision, require_reviewer
from service.store.agreement import agreement

router = APIRouter(tags=["decisions"])
_ERRORS = {s: {"model": ErrorOut} for s in (401, 404)}


@router.post("/v1/checks/{report_id}/decisions", status_code=201, response_model=DecisionOut,
             responses={**_ERRORS, **{s: {"model": ErrorOut} for s in (400, 403, 422)}},
             summary="Record a reviewer's decision on a report")
async def post_decision(report_id: str, body: DecisionIn, request: Request, principal: Caller) -> DecisionOut:
    """Append `approve`, `request_more_poe` or `reject` with a reason code, a note and optional check
    overrides (each with a reason) to the report's history. Reviewers only: a partner key gets 403
    `reviewer_only`; an unknown reason code or check is 422 `invalid_decision`; a body that is not JSON
    in UTF-8 is 400 `invalid_request`."""
    st = state(request)
    decision = await run_in_threadpool(record_decision, report_id, body, principal, reports=st.store,
                                       decisions=st.decisions)
    return DecisionOut.of(decision)


@router.get("/v1/checks/{report_id}/decisions", response_model=DecisionsOut, responses=_ERRORS,
            summary="Read a report's decisions")
async def get_decisions(report_id: str, request: Request, principal: Caller) -> DecisionsOut:
    """A reviewer gets every decision, oldest first; a partner only the final decision and its note, on its
    own reports (another partner's report is 404)."""
    st = state(request)
    view = await run_in_threadpool(read_decisions, report_id, principal, reports=st.store, decisions=st.decisions)
    return DecisionsOut.of(view)


@router.get("/v1/stats/agreement", response_model=Agreement,
            responses={s: {"model": ErrorOut} for s in (401, 403, 422)},
            summary="How well poecheck's verdicts agree with reviewers' decisions")
async def get_agreement(
    request: Request,
    principal: Caller,
    date_from: Annotated[IsoDay, Query(description="Reports submitted on or after this day (UTC).")] = None,
    date_to: Annotated[IsoDay, Query(description="Reports submitted on or before this day (UTC).")] = None,
) -> Agreement:
    """For the decided reports submitted in the range: the verdict against the final decision, and per check
    the share of final decisions that override it. Reviewers only (a partner key gets 403)."""
    require_reviewer(principal, "read the agreement")
    st = state(request)
    return await run_in_threadpool(agreement, st.decisions.sessions, date_from=date_from, date_to=date_to)
