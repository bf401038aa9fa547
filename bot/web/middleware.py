"""ASGI middleware of the page server: the access log and response headers."""

from __future__ import annotations

import logging
import re
import time

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger(__name__)

# The page loads its own scripts, styles and images only; it opens
# connections to the dialogue engine, which may sit on another port or host.
CONTENT_SECURITY_DIRECTIVES = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self' http: https: ws: wss:",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)
CONTENT_SECURITY_POLICY = "; ".join(CONTENT_SECURITY_DIRECTIVES)


# A conversation's id is the sender id a channel chose, which may be anything
# a client sent: the access log shows where it was, not what it was.
_CONVERSATION_PATH = re.compile(r"^(/console/api/conversations/)[^/]+")


def logged_path(path: str) -> str:
    return _CONVERSATION_PATH.sub(r"\1{id}", path)


class AccessLogMiddleware:
    """Log one INFO line per HTTP request: method, path, status and duration.

    The query string is left out, so nothing a client puts there reaches the
    log; paths of this server carry no personal data, once a conversation's
    id is masked.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        status = 500
        started = time.perf_counter()

        async def send_and_note_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note_status)
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            logger.info(
                "%s %s %d %.1fms", scope["method"], logged_path(scope["path"]),
                status, elapsed_ms,
            )  # fmt: skip


class SecurityHeadersMiddleware:
    """Add headers that stop MIME sniffing, framing and leaking the referrer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "no-referrer")
                headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
            await send(message)

        await self.app(scope, receive, send_with_headers)
