"""/healthz (the process answers) and /readyz (store reachable, tesseract present; trust roots reported)."""
from __future__ import annotations

import os
import shutil

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from service.api.deps import state
from service.errors import PoecheckError
from service.trust import load_trust_roots

router = APIRouter(tags=["health"])


class Ready(BaseModel):
    """What /readyz found: each dependency is "ok" or what is wrong with it."""

    status: str
    store: str
    tesseract: str
    trust_roots: str = Field(description="How PDF digital signatures are verified: the roots in use, or "
                             "'none configured' (signatures are then 'warn', not 'pass'); it never makes the "
                             "service not ready.")


class NotReady(BaseModel):
    """The error body of /readyz when a dependency is missing."""

    code: str
    message: str
    store: str
    tesseract: str
    trust_roots: str


@router.get("/healthz", summary="The process is up")
async def healthz() -> dict:
    """Answers on the event loop, whatever the check threads are doing, with the id of the process that
    answered (with `serve --workers N`, one of the worker processes, as named in its log lines)."""
    return {"status": "ok", "pid": os.getpid()}


@router.get("/readyz", summary="Ready to check POE",
            responses={200: {"model": Ready}, 503: {"model": NotReady, "description": "Not ready"}})
async def readyz(request: Request) -> JSONResponse:
    """200 when the store answers and tesseract is installed; else 503 with what is missing."""
    store = "ok"
    try:
        await run_in_threadpool(state(request).store.ping)
    except Exception as exc:  # noqa: BLE001 - any driver error means "not ready"
        store = f"unreachable ({type(exc).__name__})"
    tesseract = "ok" if shutil.which("tesseract") else "missing"
    trust = await run_in_threadpool(_trust_roots, state(request).settings)
    if store == "ok" and tesseract == "ok":
        return JSONResponse({"status": "ready", "store": store, "tesseract": tesseract, "trust_roots": trust})
    return JSONResponse({"code": "not_ready", "message": f"store: {store}; tesseract: {tesseract}",
                         "store": store, "tesseract": tesseract, "trust_roots": trust}, status_code=503)


def _trust_roots(settings) -> str:
    """The trust roots in use, in one line (the folder is re-read when it changes)."""
    try:
        return load_trust_roots(settings.trust_roots).describe()
    except PoecheckError as exc:
        return f"{exc.code}: {exc.message}"
