"""/v1/jobs: the state of an asynchronous check (POST /v1/checks?async=true or Prefer: respond-async)."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from service.api.deps import Caller, scope, state
from service.api.schemas import ErrorOut, JobOut
from service.errors import NotFound

router = APIRouter(prefix="/v1/jobs", tags=["checks"])


@router.get("/{job_id}", response_model=JobOut, responses={s: {"model": ErrorOut} for s in (401, 404)},
            summary="State of an asynchronous check")
async def get_job(job_id: str, request: Request, principal: Caller) -> JobOut:
    """queued, running (files and pages read so far), done (with the report id) or failed (with the error);
    any replica answers. A partner sees only its own jobs (others are 404)."""
    job = await run_in_threadpool(state(request).jobs.get, job_id, scope=scope(principal))
    if job is None:
        raise NotFound(f"No job {job_id}.")
    return JobOut.of(job)
