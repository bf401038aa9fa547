"""Handing the conversation to a person, recorded as a ticket."""

from __future__ import annotations

from typing import Any

from actions.base import ConciergeAction, Turn
from actions.orders import named_order


class ActionHandoff(ConciergeAction):
    interaction_kind = "handoff"

    def name(self) -> str:
        return "action_handoff"

    def answer(self, turn: Turn) -> list[dict[str, Any]]:
        if turn.customer is None:
            turn.say("utter_handoff_guest")
            return []
        _, order = named_order(turn)  # only an order of this customer is attached
        ticket = turn.services.store.open_ticket(
            turn.customer.id,
            "handoff",
            order_id=order.id if order else None,
            summary=f"Customer asked for a person (intent {turn.intent})",
            details={"conversation": turn.tracker.sender_id},
        )
        turn.say("utter_handoff", ticket_id=ticket.id)
        return []
