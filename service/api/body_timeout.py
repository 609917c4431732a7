"""A deadline on receiving a request body: a slow or idle upload ends in 408, it cannot hold the server."""
from __future__ import annotations

import asyncio
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.errors import UploadTimeout


class BodyTimeout:
    """ASGI middleware: the whole body of an HTTP request must arrive within `seconds` of its headers.

    Past the deadline, the app's next read of the body raises UploadTimeout (408 upload_timeout),
    which the route's clean-up and the error handler deal with like any other typed error.
    """

    def __init__(self, app: ASGIApp, *, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        deadline = time.monotonic() + self.seconds
        body_done = False

        async def timed_receive() -> Message:
            nonlocal body_done
            if body_done:  # after the body only a disconnect can come: no deadline on waiting for it
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                raise UploadTimeout(f"The request body did not arrive within {self.seconds:g} s; "
                                    "check the connection and send it again.") from None
            if message["type"] != "http.request" or not message.get("more_body", False):
                body_done = True
            return message

        await self.app(scope, timed_receive, send)
