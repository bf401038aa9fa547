"""The page server: the chat page, its assets, its configuration, demo sign-in.

The page itself talks to the dialogue engine over socket.io; this server
only hands out what the page needs before it can do so. Customer records
come from the profile store passed in, tokens from profiles.identity.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot.web.middleware import AccessLogMiddleware, SecurityHeadersMiddleware
from bot.web.settings import WebSettings
from profiles.identity import issue_token as profiles_issue_token

logger = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parent
PAGE_FILE = WEB_DIR / "templates" / "index.html"
STATIC_DIR = WEB_DIR / "static"
VENDOR_FILES = ("socket.io.min.js", "socket.io.min.js.map")
DEMO_CUSTOMER_LIMIT = 50
SIGN_IN_MAX_BODY_BYTES = 4096
NO_STORE = {"Cache-Control": "no-store"}


class Customer(Protocol):
    """What the page server reads of a profiles.store.CustomerView."""

    id: str
    first_name: str
    membership_level: str

    @property
    def full_name(self) -> str: ...


class CustomerDirectory(Protocol):
    """The two profile store methods the page server calls."""

    def demo_customers(self, limit: int = 50) -> Sequence[Customer]: ...

    def customer(self, customer_id: str) -> Customer | None: ...


TokenIssuer = Callable[..., str]


def create_app(
    settings: WebSettings,
    store: CustomerDirectory,
    secret: bytes,
    *,
    issue_token: TokenIssuer = profiles_issue_token,
    extra_routes: Sequence[BaseRoute] = (),
) -> Starlette:
    """Build the page server.

    issue_token is profiles.identity.issue_token unless a test passes another
    callable with the same signature. extra_routes are the console's and the
    NLG endpoint's (bot.console.app), when the server runs them.
    """
    endpoints = _Endpoints(settings, store, secret, issue_token)
    routes = [
        Route("/", endpoints.page),
        Route("/healthz", endpoints.health),
        Route("/api/config", endpoints.config),
        Route("/api/demo/customers", endpoints.demo_customers),
        Route(
            "/api/demo/sign-in",
            endpoints.sign_in,
            methods=["POST"],
            max_body_size=SIGN_IN_MAX_BODY_BYTES,
        ),
        Route("/vendor/{name}", endpoints.vendor),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
        *extra_routes,
    ]
    middleware = [
        Middleware(AccessLogMiddleware),
        Middleware(SecurityHeadersMiddleware),
    ]
    return Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={500: _internal_error},
    )


class _Endpoints:
    """Request handlers, sharing the settings, the store and the secret."""

    def __init__(
        self,
        settings: WebSettings,
        store: CustomerDirectory,
        secret: bytes,
        issue_token: TokenIssuer,
    ) -> None:
        self._settings = settings
        self._store = store
        self._secret = secret
        self._issue_token = issue_token

    async def page(self, request: Request) -> Response:
        return FileResponse(PAGE_FILE, headers={"Cache-Control": "no-cache"})

    async def health(self, request: Request) -> Response:
        return JSONResponse({"status": "ok"}, headers=NO_STORE)

    async def config(self, request: Request) -> Response:
        body = {
            "rasa_url": self._settings.rasa_url,
            "rasa_port": self._settings.rasa_port,
        }
        return JSONResponse(body, headers=NO_STORE)

    async def vendor(self, request: Request) -> Response:
        """Serve the socket.io client from node_modules, never from the repo."""
        name = request.path_params["name"]
        if name not in VENDOR_FILES:
            return PlainTextResponse("Not Found", status_code=404)
        path = self._settings.node_modules_dir / "socket.io-client" / "dist" / name
        if not path.is_file():
            logger.warning("socket.io client missing at %s", path)
            return PlainTextResponse(
                "The socket.io client is not installed: run npm ci", status_code=503
            )
        return FileResponse(path, media_type=_media_type(name))

    async def demo_customers(self, request: Request) -> Response:
        customers = await run_in_threadpool(
            self._store.demo_customers, limit=DEMO_CUSTOMER_LIMIT
        )
        body = [
            {
                "id": customer.id,
                "name": customer.full_name,
                "membership_level": customer.membership_level,
            }
            for customer in customers
        ]
        return JSONResponse(body, headers=NO_STORE)

    async def sign_in(self, request: Request) -> Response:
        """Issue a customer token for a demo sign-in; the page sends it as metadata."""
        customer_id, problem = await _customer_id_from(request)
        if problem is not None:
            return problem

        customer = await run_in_threadpool(self._store.customer, customer_id)
        if customer is None:
            return _error(404, "unknown_customer", "No customer has this id.")

        now = datetime.now(UTC)
        ttl = timedelta(minutes=self._settings.token_ttl_minutes)
        token = self._issue_token(customer.id, self._secret, ttl=ttl, now=now)
        logger.debug("demo sign-in issued a token valid for %s", ttl)
        return JSONResponse(_signed_in(customer, token, now + ttl), headers=NO_STORE)


async def _customer_id_from(request: Request) -> tuple[str, Response | None]:
    """Read customer_id from a JSON body, or say with a 400 what is wrong."""
    try:
        body = json.loads(await request.body())
    except (json.JSONDecodeError, UnicodeDecodeError):
        return "", _error(400, "invalid_json", "The body must be a JSON object.")

    customer_id = body.get("customer_id") if isinstance(body, dict) else None
    if not isinstance(customer_id, str) or not customer_id.strip():
        detail = "customer_id must be a non-empty string."
        return "", _error(400, "missing_field", detail, field="customer_id")
    return customer_id.strip(), None


def _signed_in(customer: Customer, token: str, expires_at: datetime) -> dict[str, Any]:
    return {
        "token": token,
        "expires_at": expires_at.isoformat(timespec="seconds"),
        "customer": {
            "id": customer.id,
            "first_name": customer.first_name,
            "membership_level": customer.membership_level,
        },
    }


def _error(status: int, code: str, detail: str, **extra: str) -> JSONResponse:
    return JSONResponse(
        {"error": code, "detail": detail, **extra},
        status_code=status,
        headers=NO_STORE,
    )


async def _internal_error(request: Request, exc: Exception) -> Response:
    """Answer an unhandled error with JSON; the server log keeps the traceback."""
    return _error(500, "internal_error", "The server could not answer this request.")


def _media_type(name: str) -> str:
    return "application/json" if name.endswith(".map") else "text/javascript"
