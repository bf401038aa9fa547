"""Rasa's NLG endpoint: one request per response the assistant sends.

Rasa 3.6 posts `{"response": name, "arguments": {...}, "tracker": {...},
"channel": {"name": ...}, "id": ...}` (rasa.core.nlg.callback) and expects a
message back: `text`, and optionally `buttons`, `image`, `custom`,
`attachment`, `elements`. An unknown response, or one no variant of which can
be filled, gets the domain's `utter_error` wording rather than nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from bot.responses.catalog import ResponseCatalog
from bot.responses.render import Rendered, Turn, render_response

logger = logging.getLogger(__name__)

ERROR_RESPONSE = "utter_error"
LAST_RESORT = "Sorry, something went wrong on my side. Please try again in a moment."

ProfileLookup = Callable[[Mapping[str, Any]], dict[str, Any] | None]


class BadNlgRequest(ValueError):
    """A body that is not what Rasa sends."""


class ResponseService:
    """Renders responses for Rasa and for the console's preview."""

    def __init__(self, catalog: ResponseCatalog, lookup: ProfileLookup) -> None:
        self.catalog = catalog
        self.lookup = lookup

    def generate(self, body: Any) -> dict[str, Any]:
        """The message for one NLG request; BadNlgRequest if the body is malformed."""
        started = time.perf_counter()
        name, arguments, tracker, channel = _parse(body)
        turn = Turn(
            channel=channel,
            slots=_slots(tracker),
            arguments=arguments,
            customer=lambda: self._customer(tracker),
        )
        rendered = self.render(name, turn)
        logger.info(
            "Response %s (variant %s, %d skipped%s) in %.1f ms",
            name,
            rendered.variant if rendered else "-",
            rendered.skipped if rendered else 0,
            ", domain.yml's" if rendered and rendered.from_defaults else "",
            (time.perf_counter() - started) * 1000,
        )
        if rendered is None:
            return {"text": self._error_text(turn)}
        return rendered.message

    def _customer(self, tracker: Mapping[str, Any]) -> dict[str, Any] | None:
        """The customer's values; on a database error, none (as for a guest)."""
        try:
            return self.lookup(tracker)
        except SQLAlchemyError:
            logger.warning("Profile lookup failed; rendering without the profile")
            return None

    def render(self, name: str, turn: Turn) -> Rendered | None:
        variants = self.catalog.variants(name)
        if variants is None:
            logger.warning("Response %s is in neither domain.yml nor the edits", name)
            return None
        return render_response(variants, turn, self.catalog.defaults(name))

    def _error_text(self, turn: Turn) -> str:
        rendered = self.render(ERROR_RESPONSE, Turn(channel=turn.channel))
        return (rendered.message.get("text") if rendered else None) or LAST_RESORT


def _parse(body: Any) -> tuple[str, dict[str, Any], dict[str, Any], str | None]:
    if not isinstance(body, dict):
        raise BadNlgRequest("the body must be a JSON object")
    name = body.get("response") or body.get("template")  # Rasa 2 called it template
    if not isinstance(name, str) or not name:
        raise BadNlgRequest("'response' must name a response")
    arguments = _or_empty(body.get("arguments"))
    tracker = _or_empty(body.get("tracker"))
    channel = _or_empty(body.get("channel"))
    if not isinstance(arguments, dict) or not isinstance(tracker, dict):
        raise BadNlgRequest("'arguments' and 'tracker' must be objects")
    channel_name = channel.get("name") if isinstance(channel, dict) else None
    return (
        name,
        arguments,
        tracker,
        channel_name if isinstance(channel_name, str) else None,
    )


def _or_empty(value: Any) -> Any:
    return {} if value is None else value


def _slots(tracker: Mapping[str, Any]) -> dict[str, Any]:
    slots = tracker.get("slots")
    return slots if isinstance(slots, dict) else {}
