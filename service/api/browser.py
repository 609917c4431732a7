"""What a browser is told and allowed: security headers on every response, and no cross-site requests that
change state with the page session cookie (login CSRF, upload or logout from another site)."""
from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
#: The API docs page loads Swagger UI from its CDN with an inline script: it keeps the other headers only.
NO_CSP = ("/docs", "/redoc")
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class BrowserGuard:
    """ASGI middleware: refuse cross-site state changes that rely on the cookie, add security headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        if scope["method"] in UNSAFE and cross_site(Headers(scope=scope)):
            response = JSONResponse({"code": "cross_site_request", "message": "This form was sent from another "
                                     "site; open poecheck itself and send it from there."}, status_code=403)
            await response(scope, receive, self._with_headers(send, path))
            return
        await self.app(scope, receive, self._with_headers(send, path))

    @staticmethod
    def _with_headers(send: Send, path: str) -> Send:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Referrer-Policy", "no-referrer")
                if not path.startswith(NO_CSP):
                    headers.setdefault("Content-Security-Policy", CSP)
                if not path.startswith("/static/"):
                    headers["Cache-Control"] = "no-store"  # reports, page images and pages stay off disk caches
            await send(message)

        return send_with_headers


def cross_site(headers: Headers) -> bool:
    """A browser request from another site that would act with the page session cookie.

    Requests with an API key are not: a browser cannot add that header across sites. The browser's
    Sec-Fetch-Site says where the request comes from; older browsers send only Origin, compared with Host.
    """
    if headers.get("authorization", "")[:7].lower() == "bearer " or "x-api-key" in headers:
        return False
    site = headers.get("sec-fetch-site")
    if site is not None:
        return site not in ("same-origin", "none")
    origin = headers.get("origin")
    if origin is None:
        return False  # not a browser form or script: the cookie is not sent by anything else unasked
    return origin == "null" or urlsplit(origin).netloc.lower() != headers.get("host", "").lower()
