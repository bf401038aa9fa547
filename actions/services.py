"""What the actions need from outside: settings, the profile store, the clock
and the knowledge indexes.

Built once per process, on the first action run, never at import time. Tests
install their own with `use_services`. The knowledge indexes (the embedding
model and two FAISS collections) take a few seconds to load, so the first
action run starts loading them in the background; the first question or
product search waits for them if they are not ready yet.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from knowledge.config import KnowledgeSettings
from knowledge.service import Knowledge
from profiles.config import StoreSettings
from profiles.identity import load_secret
from profiles.store import ProfileStore

logger = logging.getLogger(__name__)

TODAY_ENV = "CONCIERGE_TODAY"  # YYYY-MM-DD; unset means the real date


@dataclass(frozen=True)
class ActionSettings:
    """Settings of the action server, read once from the environment."""

    store: StoreSettings
    knowledge: KnowledgeSettings
    today: date | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ActionSettings:
        environ = os.environ if environ is None else environ
        raw_today = environ.get(TODAY_ENV, "").strip()
        try:
            today = date.fromisoformat(raw_today) if raw_today else None
        except ValueError as error:
            raise ValueError(
                f"{TODAY_ENV} must be YYYY-MM-DD, got {raw_today!r}"
            ) from error
        return cls(
            store=StoreSettings.from_env(environ),
            knowledge=KnowledgeSettings.from_env(environ),
            today=today,
        )


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    """The profile store, the token secret, the clock and the knowledge indexes,
    shared by all actions.

    `knowledge_settings` None means the knowledge indexes are made from the
    environment when first needed; tests hand over a built `Knowledge` with
    `use_knowledge`.
    """

    store: ProfileStore
    token_secret: bytes
    today_override: date | None = None
    now: Callable[[], datetime] = field(default=_utc_now)
    knowledge_settings: KnowledgeSettings | None = None
    _knowledge: Knowledge | None = field(default=None, init=False, repr=False)
    _knowledge_lock: threading.Lock = field(
        default_factory=threading.Lock, init=False, repr=False
    )

    def today(self) -> date:
        return self.today_override or self.now().date()

    def knowledge(self) -> Knowledge:
        """The built knowledge indexes, loaded (or rebuilt) on first use.

        Raises what loading raises (a missing model, unreadable content); the
        action's error boundary turns that into the domain's error response
        and the next call tries again.
        """
        with self._knowledge_lock:
            if self._knowledge is None:
                settings = self.knowledge_settings or KnowledgeSettings.from_env()
                knowledge = Knowledge(settings, store=self.store)
                knowledge.ensure_built()
                self._knowledge = knowledge
            return self._knowledge

    def use_knowledge(self, knowledge: Knowledge) -> None:
        """Answer from an already built `Knowledge` (tests, tools)."""
        with self._knowledge_lock:
            self._knowledge = knowledge

    def warm_up(self) -> None:
        """Start loading the knowledge indexes in a background thread."""
        threading.Thread(
            target=self._warm, name="knowledge-warm-up", daemon=True
        ).start()

    def _warm(self) -> None:
        try:
            self.knowledge()
        except Exception:  # the first question retries and reports it
            logger.exception("Loading the knowledge indexes failed")

    @classmethod
    def from_settings(cls, settings: ActionSettings) -> Services:
        return cls(
            store=ProfileStore(settings.store),
            token_secret=load_secret(settings.store),
            today_override=settings.today,
            knowledge_settings=settings.knowledge,
        )


_lock = threading.Lock()
_services: Services | None = None


LOG_LEVEL_ENV = "LOG_LEVEL"  # the action server's own level, INFO by default


def configure_worker_logging(environ: Mapping[str, str] | None = None) -> None:
    """Gives the action server's worker process a log handler.

    The server runs actions in worker processes that start without the
    logging set up by its command line, so their INFO lines would be lost.
    Does nothing where logging is already configured (tests, other hosts).
    """
    root = logging.getLogger()
    if root.handlers:
        return
    environ = os.environ if environ is None else environ
    logging.basicConfig(
        level=environ.get(LOG_LEVEL_ENV, "INFO").upper(),
        format="%(asctime)s %(levelname)-8s %(name)s  - %(message)s",
    )


def get_services() -> Services:
    """The process's services, made from the environment on first use."""
    global _services
    with _lock:
        if _services is None:
            configure_worker_logging()
            _services = Services.from_settings(ActionSettings.from_env())
            _services.warm_up()
        return _services


def use_services(services: Services | None) -> None:
    """Replace the process's services (tests); None makes them anew next time."""
    global _services
    with _lock:
        _services = services
