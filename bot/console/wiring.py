"""Putting the console and the NLG endpoint together for the web process.

Read once at start from the environment:

- CONCIERGE_NLG_TOKEN: the bearer token Rasa sends to /nlg (the stack makes a
  new one each run); unset, /nlg refuses every request.
- CONCIERGE_CONSOLE_SECURE_COOKIE: "true" marks the session cookie Secure even
  when the request looks like plain http (behind a TLS-terminating proxy).
- CONCIERGE_CONSOLE_ORIGIN: the console's public origin(s), comma-separated
  (https://support.example.com), when a proxy in front changes scheme or host;
  the browser's Origin header must be the request's own or one of these.
- CONCIERGE_RASA_API_TOKEN: the token of the dialogue engine's HTTP API, used
  to load a model the console trained.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from starlette.routing import BaseRoute

from bot.console.app import console_routes, nlg_route
from bot.console.conversations import ConversationReader
from bot.console.service import ConsoleService
from bot.console.store import ConsoleStore
from bot.console.training import Retrainer, TrainingSettings
from bot.responses.catalog import ResponseCatalog
from bot.responses.nlg import ResponseService
from bot.responses.profile import profile_lookup
from bot.settings import StackSettings
from profiles.store import ProfileStore

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
NLG_TOKEN_ENV = "CONCIERGE_NLG_TOKEN"
SECURE_COOKIE_ENV = "CONCIERGE_CONSOLE_SECURE_COOKIE"
RASA_API_TOKEN_ENV = "CONCIERGE_RASA_API_TOKEN"
ORIGIN_ENV = "CONCIERGE_CONSOLE_ORIGIN"


@dataclass(frozen=True)
class ConsoleSettings:
    root: Path = REPO_ROOT
    nlg_token: str = field(default="", repr=False)
    secure_cookie: bool = False
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_api_token: str = field(default="", repr=False)
    origins: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ConsoleSettings:
        env = os.environ if environ is None else environ
        secure = env.get(SECURE_COOKIE_ENV, "").strip().lower()
        if secure not in ("", "true", "false", "1", "0"):
            raise ValueError(
                f"{SECURE_COOKIE_ENV} must be true or false, got {secure!r}"
            )
        port = env.get("CONCIERGE_RASA_PORT", "5005").strip() or "5005"
        return cls(
            nlg_token=env.get(NLG_TOKEN_ENV, "").strip(),
            secure_cookie=secure in ("true", "1"),
            rasa_url=f"http://127.0.0.1:{port}",
            rasa_api_token=env.get(RASA_API_TOKEN_ENV, "").strip(),
            origins=tuple(
                o.strip().rstrip("/")
                for o in env.get(ORIGIN_ENV, "").split(",")
                if o.strip()
            ),
        )


def _utc_now() -> datetime:
    return datetime.now(UTC)


def response_service(
    settings: ConsoleSettings,
    profiles: ProfileStore,
    consoles: ConsoleStore,
    secret: bytes,
) -> ResponseService:
    catalog = ResponseCatalog(settings.root / "domain.yml", consoles)
    return ResponseService(catalog, profile_lookup(profiles, secret, _utc_now))


def console_and_nlg_routes(
    settings: ConsoleSettings, profiles: ProfileStore, secret: bytes
) -> list[BaseRoute]:
    return build_console(settings, profiles, secret)[1]


def build_console(
    settings: ConsoleSettings, profiles: ProfileStore, secret: bytes
) -> tuple[ConsoleService, list[BaseRoute]]:
    """The console's service, with its retrainer, and the routes serving it."""
    consoles = ConsoleStore(profiles.engine)
    responses = response_service(settings, profiles, consoles, secret)
    if not settings.nlg_token:
        logger.warning("%s is not set: /nlg will refuse every request", NLG_TOKEN_ENV)
    reader = ConversationReader(
        profiles.engine, secret, domain_path=settings.root / "domain.yml"
    )
    service = ConsoleService(
        consoles, responses, profiles, secret, conversations=reader, root=settings.root
    )
    stale = consoles.close_stale_runs()
    if stale:
        logger.warning("%d retrain(s) were cut short by a restart", stale)
    service.training = Retrainer(
        TrainingSettings.for_stack(StackSettings.from_env(), settings.rasa_api_token),
        on_change=service.save_training_run,
    )
    return service, [
        nlg_route(responses, settings.nlg_token),
        *console_routes(
            service, secure_cookie=settings.secure_cookie, origins=settings.origins
        ),
    ]
