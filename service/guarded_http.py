"""uvicorn's h11 protocol with a cap on open connections and a header timeout, and the Config that carries them.

uvicorn bounds requests (limit_concurrency), keep-alive idling and header size, but not how many
connections stay open or how long a client may take to send its headers. GuardedH11Protocol closes
a connection at once when `max_connections` are already open in its process (so idle or half-open
connections cannot use up file descriptors) and closes one whose request headers have not all arrived
within `header_timeout_s` (after it opened, or after its previous response). GuardedEventLoop stops a round
of accepts at the first one that fails for want of file descriptors.

This module stays light (uvicorn and h11 only): with `serve --workers N` uvicorn pickles the ServeConfig
to each worker process, which imports this module before it can answer its supervisor's health checks.
"""
from __future__ import annotations

import asyncio
import errno
import socket

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


_EXHAUSTED = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})


class GuardedEventLoop(asyncio.SelectorEventLoop):
    """asyncio's selector loop, but a round of accepts ends at the first accept that fails for want of file
    descriptors or memory (CPython gh-151615, in 3.11): asyncio goes on calling accept up to `backlog`
    times, logging each failure and scheduling one retry per failure; at shutdown every retry still
    pending logged a traceback of its own (600 idle connections to a server short of descriptors: 470
    tracebacks, 750 KB of log). A retry left pending when the server closes does nothing."""

    def _accept_connection(self, protocol_factory, sock, *args, **kwargs) -> None:
        super()._accept_connection(protocol_factory, _OneRound(sock), *args, **kwargs)

    def _start_serving(self, protocol_factory, sock, *args, **kwargs) -> None:
        sock = getattr(sock, "listening", sock)
        if sock.fileno() != -1:  # -1: the server closed while a retry waited
            super()._start_serving(protocol_factory, sock, *args, **kwargs)


class _OneRound:
    """The listening socket as one round of accepts sees it: after an accept failed for want of resources,
    the queue reads as empty (BlockingIOError), which ends the round."""

    def __init__(self, listening: socket.socket) -> None:
        self.listening = listening
        self._exhausted = False

    def accept(self) -> tuple[socket.socket, object]:
        if self._exhausted:
            raise BlockingIOError(errno.EAGAIN, "the round of accepts ended for want of resources")
        try:
            return self.listening.accept()
        except OSError as exc:
            self._exhausted = exc.errno in _EXHAUSTED
            raise

    def __getattr__(self, name: str):
        return getattr(self.listening, name)
