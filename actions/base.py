"""The frame every Concierge action runs in.

It identifies the customer, times the run, writes one INFO line (action,
intent, customer hash, latency), records the interaction in the profile store
and turns an unexpected error into the domain's `utter_error` response.
"""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.identity import customer_hash, identify
from actions.services import Services, get_services
from profiles.views import CustomerView

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Turn:
    """What an action knows about the message it answers."""

    tracker: Tracker
    dispatcher: CollectingDispatcher
    services: Services
    customer: CustomerView | None
    #: what the action found, kept with the interaction (e.g. the article used)
    notes: list[str] = field(default_factory=list)

    @property
    def intent(self) -> str | None:
        return (self.tracker.latest_message.get("intent") or {}).get("name")

    def entity(self, name: str) -> str | None:
        """The entity's value in the latest message, if any.

        Where two extractors found it (the regexes and the classifier, which
        may split "(977) 625-2661" in two), the regex match wins, then the
        longest value.
        """
        found = [
            e
            for e in self.tracker.latest_message.get("entities") or []
            if e.get("entity") == name and e.get("value") is not None
        ]
        if not found:
            return None
        best = max(
            found,
            key=lambda e: (
                e.get("extractor") == "RegexEntityExtractor",
                len(str(e["value"])),
            ),
        )
        return str(best["value"]).strip()

    def say(self, response: str, **values: Any) -> None:
        self.dispatcher.utter_message(response=response, **values)

    def note(self, text: str) -> None:
        """Keep `text` with this turn's interaction record, for support to read."""
        self.notes.append(text)


class ConciergeAction(Action, ABC):
    """A custom action with identity, logging and an error boundary."""

    #: the interaction kind recorded for a signed-in customer; None records none
    interaction_kind: str | None = "message"

    @abstractmethod
    def name(self) -> str: ...

    @abstractmethod
    def answer(self, turn: Turn) -> list[dict[str, Any]]:
        """Send the responses of this turn and return the events it makes."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> list[dict[str, Any]]:
        started = time.perf_counter()
        services = get_services()
        customer = identify(tracker, services)
        turn = Turn(tracker, dispatcher, services, customer)
        try:
            events = self.answer(turn)
        except Exception:  # the one boundary: the customer gets a domain response
            logger.exception("Action %s failed", self.name())
            dispatcher.utter_message(response="utter_error")
            events = []
        self._record(turn)
        logger.info(
            "action=%s intent=%s customer=%s ms=%.1f",
            self.name(),
            turn.intent,
            customer_hash(customer),
            (time.perf_counter() - started) * 1000,
        )
        return events

    def _record(self, turn: Turn) -> None:
        if turn.customer is None or self.interaction_kind is None:
            return
        turn.services.store.log_interaction(
            turn.customer.id,
            self.interaction_kind,
            intent=turn.intent,
            summary="; ".join([self.name(), *turn.notes]),
            session_id=turn.tracker.sender_id,
        )
