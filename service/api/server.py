"""uvicorn with the connection limits of Settings: what `poecheck serve` runs.

uvicorn bounds requests (limit_concurrency), keep-alive idling and header size, but not how many
connections stay open or how long a client may take to send its headers. The protocol below closes
a connection at once when `max_connections` are already open (so idle or half-open connections
cannot use up file descriptors) and closes one whose request headers have not all arrived within
`header_timeout_s` (after it opened, or after its previous response). Log lines pass a RepeatFilter.
"""
from __future__ import annotations

import asyncio
import copy
import resource

import h11
import uvicorn
from uvicorn.config import LOGGING_CONFIG
from uvicorn.protocols.http.h11_impl import H11Protocol

from service.config import Settings
from service.datadir import make_private


def guarded_protocol(settings: Settings) -> type[H11Protocol]:
    """uvicorn's h11 protocol with a cap on open connections and a header timeout from `settings`."""

    class GuardedH11Protocol(H11Protocol):
        max_connections = settings.max_connections
        header_timeout_s = settings.header_timeout_s
        _header_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if len(self.connections) > self.max_connections:
                transport.abort()  # connection_lost follows and forgets it
                return
            self._arm_header_timer()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self.conn.their_state is not h11.IDLE:  # the headers are in
                self._cancel_header_timer()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
                self._arm_header_timer()

        def connection_lost(self, exc: Exception | None) -> None:
            self._cancel_header_timer()
            super().connection_lost(exc)

        def _arm_header_timer(self) -> None:
            self._cancel_header_timer()
            self._header_timer = self.loop.call_later(self.header_timeout_s, self._headers_overdue)

        def _cancel_header_timer(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _headers_overdue(self) -> None:
            self._header_timer = None
            if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
                self.transport.close()

    return GuardedH11Protocol


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


def run(settings: Settings, *, host: str, port: int) -> None:
    """Serve the app on host:port until interrupted."""
    make_private(settings)
    raise_open_files_limit(wanted=2 * (BACKLOG + settings.max_connections) + 256)

    uvicorn.run("service.api:create_app", factory=True, host=host, port=port, log_level="info",
                http=guarded_protocol(settings), limit_concurrency=settings.max_connections,
                timeout_keep_alive=settings.keep_alive_s, h11_max_incomplete_event_size=settings.max_header_bytes,
                log_config=log_config(settings), server_header=False, backlog=BACKLOG)
