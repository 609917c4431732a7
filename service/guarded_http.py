"""uvicorn's h11 protocol with a cap on open connections and a header timeout, and the Config that carries them.

uvicorn bounds requests (limit_concurrency), keep-alive idling and header size, but not how many
connections stay open or how long a client may take to send its headers. GuardedH11Protocol closes
a connection at once when `max_connections` are already open in its process (so idle or half-open
connections cannot use up file descriptors) and closes one whose request headers have not all arrived
within `header_timeout_s` (after it opened, or after its previous response).

This module stays light (uvicorn and h11 only): with `serve --workers N` uvicorn pickles the ServeConfig
to each worker process, which imports this module before it can answer its supervisor's health checks.
"""
from __future__ import annotations

import asyncio

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol


class ServeConfig(uvicorn.Config):
    """uvicorn's Config plus the limits GuardedH11Protocol reads. With `--workers N` uvicorn pickles the
    config to each worker process, so it holds plain values, import strings and module-level classes."""

    def __init__(self, app: str, *, max_connections: int, header_timeout_s: float, **options) -> None:
        super().__init__(app, **options)
        self.max_connections = max_connections
        self.header_timeout_s = header_timeout_s


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a cap on the process's open connections and a header timeout (ServeConfig)."""

    config: ServeConfig
    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.config.max_connections:
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
        self._header_timer = self.loop.call_later(self.config.header_timeout_s, self._headers_overdue)

    def _cancel_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_overdue(self) -> None:
        self._header_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()
