"""The FastAPI app factory: store, keys, worker pool and routers, built from one Settings."""
from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import sessionmaker

from models import Claim
from service.api import errors
from service.api.body_timeout import BodyTimeout
from service.api.browser import BrowserGuard
from service.api.deps import AppState
from service.api.jobs import CheckRunner, ReuseHook, _lower_priority
from service.api.routers import checks, decisions, health, jobs, pages, payouts, review_pages
from service.async_checks import JobWorker
from service.auth import KeyRing
from service.config import Settings
from service.decisions import reason_codes
from service.store.decisions import DecisionStore
from service.store.jobs import JobStore
from service.store.reports import ReportStore
from service.store.sessions import session_factory
from service.store.uploads import purge_uploads
from service.store.web_sessions import WebSessionStore
from service.trust import TrustStore, load_trust_roots

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent.parent / "web" / "static"


def load_configuration(settings: Settings) -> tuple[TrustStore, KeyRing, sessionmaker]:
    """The trust roots, the API keys and the store's session factory, each checked: a bad trust-roots folder,
    decision reason file or key file, or an outdated database schema raises its PoecheckError here, at start,
    never in a request. `serve` calls it once before starting its worker processes, and each app again."""
    trust = load_trust_roots(settings.trust_roots)
    reason_codes()
    keys = KeyRing.from_settings(settings)
    return trust, keys, session_factory(settings)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app for `settings` (default: from the environment); the configuration is checked on start."""
    settings = settings or Settings()
    trust, keys, db = load_configuration(settings)
    if trust.anchors:
        log.info("trust roots: %s (%s)", trust.describe(), trust.source)
    else:
        log.warning("no trust roots are configured: an intact PDF digital signature is reported 'warn' (its "
                    "signer cannot be verified); set POECHECK_TRUST_ROOTS (README, 'Trusting signatures')")
    if not len(keys):
        log.warning("no API keys configured: every request will get 401 (see README, 'Running the service')")
    runner = CheckRunner(settings)
    reuse = ReuseHook(settings)
    job_store = JobStore(db)
    worker = JobWorker(settings, job_store, reuse, thread_init=_lower_priority)  # as the check threads

    @asynccontextmanager
    async def lifespan(_: FastAPI):
        purge_uploads(settings)
        worker.start()
        yield
        worker.close()
        runner.close()

    app = FastAPI(
        title="poecheck",
        version="1",
        summary="Pre-screens Proof of Execution (POE) for Microsoft partner incentive claims.",
        description="Send POE files with a claim; get a verdict, every check with quoted evidence and "
                    "what to fix, and the payout ledger. Authenticate with `Authorization: Bearer <key>`.",
        lifespan=lifespan,
    )
    app.state.poe = AppState(settings=settings, keys=keys, store=ReportStore(db),
                             runner=runner, reuse=reuse, jobs=job_store, worker=worker,
                             sessions=WebSessionStore(db, lifetime_s=settings.session_hours * 3600),
                             decisions=DecisionStore(db))
    errors.install(app)
    app.add_middleware(BodyTimeout, seconds=settings.body_timeout_s)
    app.add_middleware(BrowserGuard)
    for module in (checks, jobs, decisions, payouts, health, pages, review_pages):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.openapi = lambda: _openapi(app)
    return app


def _openapi(app: FastAPI) -> dict:
    """The generated schema plus the Claim model that the multipart and JSON bodies refer to."""
    if app.openapi_schema is None:
        schema = get_openapi(title=app.title, version=app.version, summary=app.summary,
                             description=app.description, routes=app.routes)
        claim = Claim.model_json_schema(ref_template="#/components/schemas/{model}")
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(claim.pop("$defs", {}))
        components["Claim"] = claim
        app.openapi_schema = schema
    return app.openapi_schema
