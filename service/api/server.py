"""What `poecheck serve` runs: uvicorn with the connection limits of Settings (service.guarded_http), in one
process or in N worker processes under uvicorn's supervisor. Log lines pass a RepeatFilter."""
from __future__ import annotations

import contextlib
import copy
import ctypes
import logging
import multiprocessing
import os
import resource
import signal
import sys

import uvicorn
from fastapi import FastAPI
from uvicorn.config import LOGGING_CONFIG, STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

from service.api.app import create_app
from service.config import Settings
from service.datadir import make_private
from service.errors import PoecheckError
from service.guarded_http import GuardedH11Protocol, ServeConfig

log = logging.getLogger(__name__)


def log_config(settings: Settings) -> dict:
    """uvicorn's logging set-up, with every handler (and the root logger's) behind one RepeatFilter."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"repeats": {"()": "service.logfilter.RepeatFilter",
                                     "per_minute": settings.log_repeats_per_minute}}
    for handler in config["handlers"].values():
        handler["filters"] = ["repeats"]
    # the app's, asyncio's ("Too many open files") and the libraries' warnings go through it too
    config["root"] = {"handlers": ["default"], "level": "WARNING"}
    return config


BACKLOG = 2048  # uvicorn's default; asyncio also accepts up to this many connections in one go
#: How long the supervisor of `--workers N` waits for a worker to answer its health ping before it kills and
#: replaces it. uvicorn's 5 s is shorter than a worker's start on a loaded machine, and than a long regex holding
#: the interpreter lock; the price: a worker that dies during a ping is noticed only after this wait.
WORKER_HEALTHCHECK_S = 30


def raise_open_files_limit(*, wanted: int) -> int:
    """Raise the soft limit of open files towards `wanted` (never above the hard limit); returns it.

    asyncio accepts up to BACKLOG waiting connections at once before the protocol can close the
    ones over max_connections, so the server needs that many descriptors to spare."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        return target
    return soft


def app_factory() -> FastAPI:
    """The app of one server process, from the environment's Settings (uvicorn calls it in each worker).

    A start-up error is logged in one line and ends the process with uvicorn's STARTUP_FAILURE: the
    supervisor of `--workers N` then stops instead of restarting the worker again and again."""
    _stop_with_supervisor()
    try:
        return create_app()
    except PoecheckError as exc:
        log.error("poecheck: %s: %s", exc.code, exc.message)
        sys.exit(STARTUP_FAILURE)


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _stop_with_supervisor() -> None:
    """In a worker process of `--workers N`, have the kernel send SIGTERM (a graceful stop) when the supervisor
    dies, even by SIGKILL, so a worker never serves on without it. Linux only; elsewhere, and in a server
    that is not a worker, nothing."""
    supervisor = multiprocessing.parent_process()
    if supervisor is None or not sys.platform.startswith("linux"):
        return
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != supervisor.pid:  # it died before the prctl
        os.kill(os.getpid(), signal.SIGTERM)


def run(settings: Settings, *, host: str, port: int, workers: int = 1) -> None:
    """Serve the app on host:port until SIGINT or SIGTERM, in this process or in `workers` uvicorn worker
    processes that share the listening socket. Each worker builds the app from the same environment, so
    every limit of `settings` holds per worker process (as per replica)."""
    make_private(settings)
    raise_open_files_limit(wanted=2 * (BACKLOG + settings.max_connections) + 256)  # the workers inherit it

    config = ServeConfig("service.api.server:app_factory", factory=True, host=host, port=port, workers=workers,
                         max_connections=settings.max_connections, header_timeout_s=settings.header_timeout_s,
                         http=GuardedH11Protocol, loop="service.guarded_http:GuardedEventLoop",
                         limit_concurrency=settings.max_connections,
                         timeout_keep_alive=settings.keep_alive_s,
                         h11_max_incomplete_event_size=settings.max_header_bytes, log_level="info",
                         log_config=log_config(settings), server_header=False, backlog=BACKLOG,
                         timeout_worker_healthcheck=WORKER_HEALTHCHECK_S)
    if workers == 1:
        server = uvicorn.Server(config)
        with contextlib.suppress(KeyboardInterrupt):  # uvicorn re-raises the SIGINT it shut down on
            server.run()
        if not server.started:
            sys.exit(STARTUP_FAILURE)
        return
    supervisor = Multiprocess(config, sockets=[config.bind_socket()])
    supervisor.run()  # until SIGINT/SIGTERM, restarting a worker that dies; then SIGTERM to each and wait
    failed = [str(p.pid) for p in supervisor.processes if p.exitcode == STARTUP_FAILURE]
    if failed:
        raise PoecheckError(f"worker process {', '.join(failed)} could not start (its error is logged above); "
                            "the server stopped", code="worker_failed")
