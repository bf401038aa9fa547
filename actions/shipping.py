"""Shipping questions: the shop's shipping terms, and the customer's own."""

from __future__ import annotations

from typing import Any

from actions.base import ConciergeAction, Turn
from actions.orders import tell_status


class ActionShippingInfo(ConciergeAction):
    def name(self) -> str:
        return "action_shipping_info"

    def answer(self, turn: Turn) -> list[dict[str, Any]]:
        turn.say("utter_shipping_info")
        if turn.customer is None:
            return []
        level = turn.customer.membership_level
        turn.say(f"utter_shipping_member_{level}", membership_level=level)
        shipped = [
            order
            for order in turn.services.store.open_orders(turn.customer.id)
            if order.status == "shipped"
        ]
        if shipped:
            tell_status(turn, shipped[0])
        return []
