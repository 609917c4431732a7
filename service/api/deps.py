"""Request dependencies: the app state and the caller's principal (API key header or page session)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from service.api.jobs import CheckRunner, ReuseHook
from service.api.sessions import COOKIE
from service.async_checks import JobWorker
from service.auth import KeyRing, Principal
from service.config import Settings
from service.errors import Unauthorized
from service.store.decisions import DecisionStore
from service.store.jobs import JobStore
from service.store.reports import ReportStore
from service.store.web_sessions import WebSessionStore


@dataclass
class AppState:
    """What the routers share; built once by create_app."""

    settings: Settings
    keys: KeyRing
    store: ReportStore
    runner: CheckRunner
    reuse: ReuseHook
    sessions: WebSessionStore
    decisions: DecisionStore
    jobs: JobStore
    worker: JobWorker


def state(request: Request) -> AppState:
    return request.app.state.poe


def api_key(request: Request) -> str | None:
    """The key from `Authorization: Bearer <key>` or `X-API-Key`."""
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip()
    return request.headers.get("x-api-key")


def current_principal(request: Request) -> Principal | None:
    """The caller, from an API key or else the page session cookie; None when anonymous."""
    st = state(request)
    key = api_key(request)
    if key is not None:
        return st.keys.authenticate(key)
    return st.sessions.get(request.cookies.get(COOKIE))


def require_principal(request: Request) -> Principal:
    """The caller, or 401."""
    principal = current_principal(request)
    if principal is None:
        raise Unauthorized("Missing or unknown API key: send 'Authorization: Bearer <key>' or log in.")
    return principal


def scope(principal: Principal) -> str | None:
    """The partner id a caller's reads are limited to (None: everything)."""
    return None if principal.is_reviewer else principal.partner_id


Caller = Annotated[Principal, Depends(require_principal)]
