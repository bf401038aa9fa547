"""What the actions need from outside: settings, the profile store, the clock.

Built once per process, on the first action run, never at import time. Tests
install their own with `use_services`.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from profiles.config import StoreSettings
from profiles.identity import load_secret
from profiles.store import ProfileStore

TODAY_ENV = "CONCIERGE_TODAY"  # YYYY-MM-DD; unset means the real date


@dataclass(frozen=True)
class ActionSettings:
    """Settings of the action server, read once from the environment."""

    store: StoreSettings
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
        return cls(store=StoreSettings.from_env(environ), today=today)


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    """The profile store, the token secret and the clock, shared by all actions."""

    store: ProfileStore
    token_secret: bytes
    today_override: date | None = None
    now: Callable[[], datetime] = field(default=_utc_now)

    def today(self) -> date:
        return self.today_override or self.now().date()

    @classmethod
    def from_settings(cls, settings: ActionSettings) -> Services:
        return cls(
            store=ProfileStore(settings.store),
            token_secret=load_secret(settings.store),
            today_override=settings.today,
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
        return _services


def use_services(services: Services | None) -> None:
    """Replace the process's services (tests); None makes them anew next time."""
    global _services
    with _lock:
        _services = services
