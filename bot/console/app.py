"""The console's routes: the page at /console and its JSON API under
/console/api, plus Rasa's NLG endpoint at /nlg.

Every API route but /login needs a live session; every route that changes
something needs the session's CSRF token in the X-CSRF-Token header, and a
same-origin Origin when the browser sends one. Developer-only routes answer
403 to a lead. Handlers are thin: the work is in bot.console.service.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from bot.console.auth import SignInGuard, spend_a_check, verify_password
from bot.console.service import NOT_CHECKED, ConsoleService
from bot.console.store import ConsoleError, SignedIn
from bot.responses.nlg import LAST_RESORT, BadNlgRequest, ResponseService

logger = logging.getLogger(__name__)

PAGE_FILE = (
    Path(__file__).resolve().parent.parent / "web" / "templates" / "console.html"
)
COOKIE = "concierge_console"
MAX_BODY_BYTES = 256 * 1024
NO_STORE = {"Cache-Control": "no-store"}
SAFE_METHODS = frozenset({"GET", "HEAD"})

Handler = Callable[[Request, SignedIn], Awaitable[Response]]


def console_routes(
    service: ConsoleService,
    *,
    secure_cookie: bool = False,
    origins: tuple[str, ...] = (),
) -> list[Route]:
    """The page and its API. `origins` are origins besides the request's own
    that the browser may name (the public https one behind a TLS proxy)."""
    api = ConsoleApi(service, secure_cookie, origins)
    get, post, put, delete = ["GET"], ["POST"], ["PUT"], ["DELETE"]
    routes = [
        ("/me", api.me, get, None),
        ("/logout", api.logout, post, None),
        ("/customers", api.customers, get, None),
        ("/responses", api.responses, get, None),
        ("/responses/{name}", api.response, get, None),
        ("/responses/{name}", api.save_response, put, None),
        ("/responses/{name}/undo", api.undo_response, post, None),
        ("/responses/{name}/reset", api.reset_response, post, None),
        ("/preview", api.preview, post, None),
        ("/intents", api.intents, get, None),
        ("/intents/move", api.move_example, post, None),
        ("/intents/{name}", api.save_intent, put, None),
        ("/intents/{name}/undo", api.undo_intent, post, None),
        ("/validate", api.validate, post, "developer"),
        ("/train", api.start_training, post, "developer"),
        ("/train", api.training_runs, get, None),
        ("/train/{run_id:int}", api.training_run, get, None),
        ("/conversations", api.conversations, get, None),
        ("/conversations/{sender_id}", api.conversation, get, None),
        ("/conversations/{sender_id}/test", api.make_test, post, "developer"),
        ("/tests", api.made_tests, get, None),
        ("/tests/{name:path}", api.delete_test, delete, "developer"),
        ("/export", api.export, post, "developer"),
        ("/users", api.users, get, "admin"),
        ("/users", api.add_user, post, "admin"),
        ("/users/{username}/disable", api.disable_user, post, "admin"),
        ("/users/{username}/enable", api.enable_user, post, "admin"),
        ("/users/{username}/password", api.set_password, put, "admin"),
    ]
    return [
        Route("/console", api.page, methods=get),
        Route("/console/", api.page, methods=get),
        Route(
            "/console/api/login", api.login, methods=post, max_body_size=MAX_BODY_BYTES
        ),
        *(
            Route(
                f"/console/api{path}",
                api.guarded(handler, need),
                methods=methods,
                max_body_size=MAX_BODY_BYTES,
            )
            for path, handler, methods, need in routes
        ),
    ]


def nlg_route(responses: ResponseService, token: str) -> Route:
    """POST /nlg for Rasa, with the bearer token the stack gave both sides."""

    async def nlg(request: Request) -> Response:
        sent = request.headers.get("authorization", "")
        if not token or not hmac.compare_digest(
            sent.encode(), f"Bearer {token}".encode()
        ):
            return _error(401, "unauthorized", "The NLG endpoint needs its token.")
        body, problem = await _json(request)
        if problem is not None:
            return problem
        try:
            message = await run_in_threadpool(responses.generate, body)
        except BadNlgRequest as error:
            return _error(400, "bad_request", str(error))
        except Exception:  # the boundary: the customer still gets a reply
            logger.exception("A response could not be rendered")
            message = {"text": LAST_RESORT}
        return JSONResponse(message)

    return Route("/nlg", nlg, methods=["POST"])


class ConsoleApi:
    def __init__(
        self, service: ConsoleService, secure_cookie: bool, origins: tuple[str, ...]
    ) -> None:
        self.service = service
        self._secure_cookie = secure_cookie
        self._origins = origins
        self._guard = SignInGuard()

    # The frame every API call runs in

    def guarded(
        self, handler: Handler, need: str | None
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            signed_in = await run_in_threadpool(
                self.service.store.session_of, request.cookies.get(COOKIE, "")
            )
            if signed_in is None:
                return _error(401, "login_required", "Please sign in to the console.")
            if request.method not in SAFE_METHODS:
                problem = _csrf_problem(request, signed_in, self._origins)
                if problem is not None:
                    return problem
            if need == "developer" and not signed_in.user.is_developer:
                return _error(403, "forbidden", "Only a developer may do this.")
            if need == "admin" and not signed_in.user.is_admin:
                return _error(403, "forbidden", "Only an administrator may do this.")
            try:
                return await handler(request, signed_in)
            except ConsoleError as error:
                status = (
                    409
                    if error.code in CONFLICTS
                    else 404
                    if error.code in MISSING
                    else 422
                )
                return _error(status, error.code, str(error))

        return endpoint

    async def page(self, request: Request) -> Response:
        return FileResponse(PAGE_FILE, headers=NO_STORE)

    # Signing in and out

    async def login(self, request: Request) -> Response:
        if not _same_origin(request, self._origins):
            return _error(403, "origin", "Sign in from the console's own page.")
        body, problem = await _json(request)
        if problem is not None:
            return problem
        username, password = body.get("username"), body.get("password")
        if not isinstance(username, str) or not isinstance(password, str):
            return _error(400, "missing_field", "Send a username and a password.")
        client = request.client.host if request.client else "unknown"
        if not self._guard.attempt(username, client):
            return _error(
                429, "too_many_attempts", "Too many failed sign-ins; wait 15 minutes."
            )
        found = await run_in_threadpool(self.service.store.password_hash, username)
        if found is None:
            await run_in_threadpool(spend_a_check, password)
        ok = found is not None and await run_in_threadpool(
            verify_password, password, found[1]
        )
        if not ok:
            logger.info("Console sign-in refused")
            return _error(401, "bad_login", "That username and password do not match.")
        self._guard.succeeded(username, client)
        token, signed_in = await run_in_threadpool(
            self.service.store.open_session, found[0]
        )
        logger.info("Console sign-in of user %d", signed_in.user.id)
        response = JSONResponse(_me(signed_in), headers=NO_STORE)
        response.set_cookie(
            COOKIE,
            token,
            max_age=int((signed_in.expires_at - self.service.now()).total_seconds()),
            path="/console",
            httponly=True,
            samesite="strict",
            secure=self._secure_cookie or request.url.scheme == "https",
        )
        return response

    async def me(self, request: Request, signed_in: SignedIn) -> Response:
        return JSONResponse(_me(signed_in), headers=NO_STORE)

    async def logout(self, request: Request, signed_in: SignedIn) -> Response:
        await run_in_threadpool(
            self.service.store.close_session, request.cookies.get(COOKIE, "")
        )
        response = Response(status_code=204, headers=NO_STORE)
        response.delete_cookie(COOKIE, path="/console")
        return response

    # Responses

    async def customers(self, request: Request, signed_in: SignedIn) -> Response:
        return await self._answer(self.service.demo_customers)

    async def responses(self, request: Request, signed_in: SignedIn) -> Response:
        query = request.query_params.get("q", "")
        return await self._answer(self.service.list_responses, query)

    async def response(self, request: Request, signed_in: SignedIn) -> Response:
        return await self._answer(self.service.response, request.path_params["name"])

    async def save_response(self, request: Request, signed_in: SignedIn) -> Response:
        body, problem = await _json(request)
        if problem is not None:
            return problem
        name = request.path_params["name"]
        base = body.get("base_revision", NOT_CHECKED)
        result = await run_in_threadpool(
            self.service.save_response, name, body.get("variants"), signed_in.user, base
        )
        if "problems" in result:
            return JSONResponse({"error": "invalid", **result}, status_code=422)
        return JSONResponse(result, headers=NO_STORE)

    async def undo_response(self, request: Request, signed_in: SignedIn) -> Response:
        name = request.path_params["name"]
        return await self._answer(self.service.undo_response, name, signed_in.user)

    async def reset_response(self, request: Request, signed_in: SignedIn) -> Response:
        name = request.path_params["name"]
        return await self._answer(self.service.reset_response, name, signed_in.user)

    async def preview(self, request: Request, signed_in: SignedIn) -> Response:
        body, problem = await _json(request)
        if problem is not None:
            return problem
        return await self._answer(self.service.preview, body)

    # Intents and training

    async def intents(self, request: Request, signed_in: SignedIn) -> Response:
        return await self._answer(self.service.intents)

    async def save_intent(self, request: Request, signed_in: SignedIn) -> Response:
        body, problem = await _json(request)
        if problem is not None:
            return problem
        name = request.path_params["name"]
        base = body.get("base_revision", NOT_CHECKED)
        result = await run_in_threadpool(
            self.service.save_intent, name, body.get("examples"), signed_in.user, base
        )
        if "problems" in result:
            return JSONResponse({"error": "invalid", **result}, status_code=422)
        return JSONResponse(result, headers=NO_STORE)

    async def move_example(self, request: Request, signed_in: SignedIn) -> Response:
        body, problem = await _json(request)
        if problem is not None:
            return problem
        result = await run_in_threadpool(
            self.service.move_example,
            body.get("example"),
            body.get("from"),
            body.get("to"),
            signed_in.user,
        )
        if "problems" in result:
            return JSONResponse({"error": "invalid", **result}, status_code=422)
        return JSONResponse(result, headers=NO_STORE)

    async def undo_intent(self, request: Request, signed_in: SignedIn) -> Response:
        name = request.path_params["name"]
        return await self._answer(self.service.undo_intent, name, signed_in.user)

    async def validate(self, request: Request, signed_in: SignedIn) -> Response:
        return await self._answer(self.service.validate)

    async def start_training(self, request: Request, signed_in: SignedIn) -> Response:
        run = await run_in_threadpool(self.service.start_training, signed_in.user)
        return JSONResponse({"run": run}, status_code=202, headers=NO_STORE)

    async def training_runs(self, request: Request, signed_in: SignedIn) -> Response:
        return await self._answer(self.service.training_runs)

    async def training_run(self, request: Request, signed_in: SignedIn) -> Response:
        return await self._answer(
            self.service.training_run, request.path_params["run_id"]
        )

    # Conversations, tests and export

    async def conversations(self, request: Request, signed_in: SignedIn) -> Response:
        query = request.query_params
        return await self._answer(
            self.service.conversations,
            query.get("customer") or None,
            query.get("intent") or None,
            query.get("outcome") or None,
            query.get("limit", "50"),
        )

    async def conversation(self, request: Request, signed_in: SignedIn) -> Response:
        return await self._answer(
            self.service.conversation, request.path_params["sender_id"]
        )

    async def make_test(self, request: Request, signed_in: SignedIn) -> Response:
        body, problem = await _json(request, allow_empty=True)
        if problem is not None:
            return problem
        sender_id = request.path_params["sender_id"]
        return await self._answer(
            self.service.make_test, sender_id, body.get("name"), signed_in.user
        )

    async def made_tests(self, request: Request, signed_in: SignedIn) -> Response:
        return await self._answer(self.service.made_tests)

    async def delete_test(self, request: Request, signed_in: SignedIn) -> Response:
        return await self._answer(
            self.service.delete_test, request.path_params["name"], signed_in.user
        )

    async def export(self, request: Request, signed_in: SignedIn) -> Response:
        return await self._answer(self.service.export, signed_in.user)

    async def users(self, request: Request, signed_in: SignedIn) -> Response:
        return await self._answer(self.service.users)

    async def add_user(self, request: Request, signed_in: SignedIn) -> Response:
        body, problem = await _json(request)
        if problem is not None:
            return problem
        return await self._answer(self.service.add_user, body, signed_in.user)

    async def disable_user(self, request: Request, signed_in: SignedIn) -> Response:
        return await self._answer(
            self.service.disable_user, request.path_params["username"], signed_in.user
        )

    async def enable_user(self, request: Request, signed_in: SignedIn) -> Response:
        return await self._answer(
            self.service.enable_user, request.path_params["username"], signed_in.user
        )

    async def set_password(self, request: Request, signed_in: SignedIn) -> Response:
        body, problem = await _json(request)
        if problem is not None:
            return problem
        return await self._answer(
            self.service.set_password,
            request.path_params["username"],
            body,
            signed_in.user,
        )

    async def _answer(self, call: Callable[..., Any], *args: Any) -> Response:
        return JSONResponse(await run_in_threadpool(call, *args), headers=NO_STORE)


CONFLICTS = frozenset(
    {
        "nothing_to_undo",
        "undo_conflict",
        "edit_conflict",
        "training_running",
        "user_exists",
        "test_exists",
        "own_account",
        "last_admin",
    }
)
MISSING = frozenset(
    {
        "unknown_response",
        "unknown_intent",
        "unknown_conversation",
        "no_run",
        "unknown_customer",
        "unknown_test",
        "no_user",
    }
)


def _me(signed_in: SignedIn) -> dict[str, Any]:
    user = signed_in.user
    return {
        "username": user.username,
        "role": user.role,
        "is_admin": user.is_admin,
        "csrf_token": signed_in.csrf_token,
    }


def _csrf_problem(
    request: Request, signed_in: SignedIn, origins: tuple[str, ...]
) -> Response | None:
    sent = request.headers.get("x-csrf-token", "")
    if not _same_origin(request, origins) or not hmac.compare_digest(
        sent.encode(), signed_in.csrf_token.encode()
    ):
        logger.info("Console request refused: CSRF token or origin")
        return _error(403, "csrf", "This request did not come from the console page.")
    return None


def _same_origin(request: Request, origins: tuple[str, ...]) -> bool:
    """False when the browser says the request came from another site."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    own = f"{request.url.scheme}://{request.url.netloc}"
    return origin == own or origin in origins


async def _json(
    request: Request, *, allow_empty: bool = False
) -> tuple[dict[str, Any], Response | None]:
    raw = await request.body()  # the route refuses bodies over MAX_BODY_BYTES
    if allow_empty and not raw.strip():
        return {}, None
    try:
        body = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {}, _error(400, "invalid_json", "The body must be a JSON object.")
    if not isinstance(body, dict):
        return {}, _error(400, "invalid_json", "The body must be a JSON object.")
    return body, None


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(
        {"error": code, "message": message}, status_code=status, headers=NO_STORE
    )
