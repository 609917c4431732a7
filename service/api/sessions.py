"""Web page logins: the cookie that carries the session token (sessions are stored in service.store.web_sessions)."""
from __future__ import annotations

COOKIE = "poecheck_session"
