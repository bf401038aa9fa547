"""Low NLU confidence: ask to rephrase once; a second miss offers a human."""

from __future__ import annotations

from typing import Any

from actions.base import ConciergeAction, Turn

FALLBACK_INTENT = "nlu_fallback"


def misses_in_a_row(turn: Turn) -> int:
    """How many of the latest user messages, counting back, were not understood."""
    count = 0
    for event in reversed(turn.tracker.events):
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent != FALLBACK_INTENT:
            break
        count += 1
    return count


class ActionFallback(ConciergeAction):
    interaction_kind = "not_understood"

    def name(self) -> str:
        return "action_fallback"

    def answer(self, turn: Turn) -> list[dict[str, Any]]:
        if misses_in_a_row(turn) >= 2:
            turn.say("utter_offer_human")
        else:
            turn.say("utter_ask_rephrase")
        return []
