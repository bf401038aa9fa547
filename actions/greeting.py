"""Greeting and goodbye: a returning customer is greeted by name, with what is
most likely on their mind (an order on its way, an open request), or with
the outcome of their last request."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import SlotSet

from actions.base import ConciergeAction, Turn
from actions.wording import order_values, ticket_values


class ActionGreet(ConciergeAction):
    def name(self) -> str:
        return "action_greet"

    def answer(self, turn: Turn) -> list[dict[str, Any]]:
        customer = turn.customer
        if customer is None:
            turn.say("utter_greet_guest")
            return []
        turn.say("utter_greet_customer", first_name=customer.first_name)
        return self._on_their_mind(turn)

    def _on_their_mind(self, turn: Turn) -> list[dict[str, Any]]:
        store = turn.services.store
        customer_id = turn.customer.id
        open_tickets = store.open_tickets(customer_id)
        if open_tickets:
            turn.say("utter_greet_open_ticket", **ticket_values(open_tickets[0]))
            return []
        open_orders = store.open_orders(customer_id)
        if open_orders:
            order = open_orders[0]
            turn.say(f"utter_greet_open_order_{order.status}", **order_values(order))
            return [SlotSet("order_id", order.id)]
        last = store.last_closed_ticket(customer_id)
        if last is not None and last.outcome:
            turn.say("utter_greet_last_ticket", **ticket_values(last))
            return []
        turn.say("utter_how_can_i_help")
        return []


class ActionGoodbye(ConciergeAction):
    def name(self) -> str:
        return "action_goodbye"

    def answer(self, turn: Turn) -> list[dict[str, Any]]:
        turn.say("utter_goodbye")
        return []
