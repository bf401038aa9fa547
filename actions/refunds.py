"""Refund status, read from the customer's refund tickets."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import SlotSet

from actions.base import ConciergeAction, Turn
from actions.orders import named_order
from actions.wording import order_values
from profiles.policy import REFUND_DAYS
from profiles.views import TicketView


def refund_tickets(turn: Turn) -> list[TicketView]:
    tickets = turn.services.store.tickets(turn.customer.id)
    return [ticket for ticket in tickets if ticket.topic == "refund"]


def pick_refund(turn: Turn, tickets: list[TicketView]) -> TicketView | None:
    """The refund of the order named, else the open one, else the latest."""
    _, order = named_order(turn)
    if order is not None:
        for ticket in tickets:
            if ticket.order_id == order.id:
                return ticket
    return next((t for t in tickets if t.is_open), tickets[0] if tickets else None)


class ActionRefundStatus(ConciergeAction):
    """Tells the status, amount and payment method of the customer's refund."""

    interaction_kind = "refund_lookup"

    def name(self) -> str:
        return "action_refund_status"

    def answer(self, turn: Turn) -> list[dict[str, Any]]:
        if turn.customer is None:
            turn.say("utter_sign_in_needed")
            return []
        ticket = pick_refund(turn, refund_tickets(turn))
        if ticket is None:
            turn.say("utter_no_refund")
            return []
        order = turn.services.store.order(turn.customer.id, ticket.order_id or "")
        values = order_values(order) if order else {"order_id": ticket.order_id}
        values |= {
            "amount": f"{float(ticket.details.get('amount', 0)):.2f}",
            "method": ticket.details.get("method", "original payment method"),
            "refund_status": ticket.details.get("refund_status", ticket.status).replace(
                "_", " "
            ),
            "refund_days": REFUND_DAYS,
        }
        response = "utter_refund_status" if ticket.is_open else "utter_refund_complete"
        turn.say(response, **values)
        return [SlotSet("order_id", ticket.order_id)] if order else []
