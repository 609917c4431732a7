"""Web page logins in the database, so a login on one replica is valid on every other one.

The browser holds a random token; the store keeps only its SHA-256 with the principal of the key that
logged in and an expiry, so a copy of the table cannot be replayed as cookies.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import DateTime, String, delete, select
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from service.auth import Principal
from service.store.db import Base


class WebSessionRow(Base):
    __tablename__ = "web_sessions"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(20))
    partner_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    name: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True, doc="UTC, naive.")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class WebSessionStore:
    """Creates, reads and ends page sessions; expired ones are removed as new ones are made."""

    def __init__(self, sessions: sessionmaker, *, lifetime_s: float) -> None:
        self._sessions = sessions
        self._lifetime = timedelta(seconds=lifetime_s)

    def create(self, principal: Principal) -> str:
        """A new session token for `principal`."""
        token = secrets.token_urlsafe(32)
        now = _now()
        with self._sessions.begin() as session:
            session.execute(delete(WebSessionRow).where(WebSessionRow.expires_at <= now))
            session.add(WebSessionRow(token_sha256=_digest(token), role=principal.role,
                                      partner_id=principal.partner_id, name=principal.name,
                                      expires_at=now + self._lifetime))
        return token

    def get(self, token: str | None) -> Principal | None:
        """The principal of a live session, or None."""
        if not token or len(token) > 200:
            return None
        with self._sessions() as session:
            row = session.scalar(select(WebSessionRow).where(WebSessionRow.token_sha256 == _digest(token),
                                                             WebSessionRow.expires_at > _now()))
        return None if row is None else Principal(role=row.role, partner_id=row.partner_id, name=row.name)

    def drop(self, token: str | None) -> None:
        """End a session."""
        if token:
            with self._sessions.begin() as session:
                session.execute(delete(WebSessionRow).where(WebSessionRow.token_sha256 == _digest(token)))
