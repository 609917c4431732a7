"""Web page logins: random tokens held in memory, mapped to the principal of the key that logged in."""
from __future__ import annotations

import secrets
import threading
import time

from service.auth import Principal

COOKIE = "poecheck_session"


class SessionStore:
    """Server-side sessions; a restart logs everybody out."""

    def __init__(self, lifetime_s: float) -> None:
        self._lifetime = lifetime_s
        self._sessions: dict[str, tuple[Principal, float]] = {}
        self._lock = threading.Lock()

    def create(self, principal: Principal) -> str:
        """A new session token for `principal`."""
        token = secrets.token_urlsafe(32)
        now = time.monotonic()
        with self._lock:
            self._sessions = {k: v for k, v in self._sessions.items() if v[1] > now}
            self._sessions[token] = (principal, now + self._lifetime)
        return token

    def get(self, token: str | None) -> Principal | None:
        """The principal of a live session, or None."""
        if not token:
            return None
        with self._lock:
            found = self._sessions.get(token)
        if found is None or found[1] <= time.monotonic():
            return None
        return found[0]

    def drop(self, token: str | None) -> None:
        """End a session."""
        if token:
            with self._lock:
                self._sessions.pop(token, None)
