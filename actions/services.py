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
import math
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import numpy as np

from knowledge.config import KnowledgeSettings
from knowledge.service import Knowledge
from profiles.config import StoreSettings
from profiles.identity import load_secret
from profiles.recommend.service import Retrainer, Suggester
from profiles.store import ProfileStore

logger = logging.getLogger(__name__)

TODAY_ENV = "CONCIERGE_TODAY"  # YYYY-MM-DD; unset means the real date
RETRAIN_ENV = "CONCIERGE_SUGGESTIONS_RETRAIN_MINUTES"
DEFAULT_RETRAIN_MINUTES = 60.0  # full retraining of the suggestions, in the background


@dataclass(frozen=True)
class ActionSettings:
    """Settings of the action server, read once from the environment."""

    store: StoreSettings
    knowledge: KnowledgeSettings
    today: date | None = None
    retrain_minutes: float = DEFAULT_RETRAIN_MINUTES

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
        raw_minutes = environ.get(RETRAIN_ENV, "").strip()
        try:
            minutes = float(raw_minutes) if raw_minutes else DEFAULT_RETRAIN_MINUTES
        except ValueError as error:
            raise ValueError(f"{RETRAIN_ENV} must be a number of minutes") from error
        if not math.isfinite(minutes) or minutes <= 0:
            raise ValueError(f"{RETRAIN_ENV} must be above 0, got {raw_minutes!r}")
        return cls(
            store=StoreSettings.from_env(environ),
            knowledge=KnowledgeSettings.from_env(environ),
            today=today,
            retrain_minutes=minutes,
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
    retrain_minutes: float = DEFAULT_RETRAIN_MINUTES
    _knowledge: Knowledge | None = field(default=None, init=False, repr=False)
    # re-entrant: building the suggester needs the knowledge indexes
    _knowledge_lock: threading.RLock = field(
        default_factory=threading.RLock, init=False, repr=False
    )
    _suggester: Suggester | None = field(default=None, init=False, repr=False)
    _retrainer: Retrainer | None = field(default=None, init=False, repr=False)

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

    def suggester(self) -> Suggester:
        """The suggestions model, trained on first use over the store's events,
        with the knowledge index's product vectors for content similarity."""
        knowledge = self.knowledge()
        with self._knowledge_lock:
            if self._suggester is not None:
                return self._suggester
        # trained outside the lock, so questions and searches need not wait
        suggester = Suggester(
            self.store,
            item_vectors=lambda ids: product_vectors(knowledge, ids),
            clock=self.now,
        )
        suggester.train()
        with self._knowledge_lock:
            if self._suggester is None:
                self._suggester = suggester
            return self._suggester

    def start_retraining(self) -> Retrainer:
        """Retrain the suggestions every `retrain_minutes` in the background."""
        with self._knowledge_lock:
            if self._retrainer is None:
                self._retrainer = Retrainer(
                    self.suggester(),
                    interval=self.retrain_minutes * 60,
                    var_dir=self.store.settings.var_dir,
                )
                self._retrainer.start()
            return self._retrainer

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
            self.start_retraining()
        except Exception:  # the first question retries and reports it
            logger.exception("Loading the knowledge indexes or suggestions failed")

    @classmethod
    def from_settings(cls, settings: ActionSettings) -> Services:
        return cls(
            store=ProfileStore(settings.store),
            token_secret=load_secret(settings.store),
            today_override=settings.today,
            knowledge_settings=settings.knowledge,
            retrain_minutes=settings.retrain_minutes,
        )


def product_vectors(knowledge: Knowledge, product_ids) -> np.ndarray:
    """The indexed vector of each product id, (n, dim); zeros for one not indexed."""
    known, vectors = knowledge.products_index.export()
    position = {int(product_id): row for row, product_id in enumerate(known)}
    found = np.zeros((len(product_ids), vectors.shape[1]), dtype=np.float32)
    for row, product_id in enumerate(product_ids):
        if int(product_id) in position:
            found[row] = vectors[position[int(product_id)]]
    return found


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
