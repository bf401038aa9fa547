"""Details customers volunteer.

A detail typed into the chat (a name, username, email, order id, phone
number, membership level) is acknowledged and checked against the record of
the signed-in customer; it never identifies anyone by itself.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import SlotSet

from actions.base import ConciergeAction, Turn
from actions.orders import named_order
from actions.wording import last_digits, order_values


def _same(typed: str | None, on_file: str | None) -> bool:
    return bool(typed and on_file) and typed.strip().lower() == on_file.strip().lower()


class ActionAcknowledgeDetails(ConciergeAction):
    """Uses what the customer volunteered instead of ignoring it."""

    interaction_kind = "detail_given"

    def name(self) -> str:
        return "action_acknowledge_details"

    def answer(self, turn: Turn) -> list[dict[str, Any]]:
        if turn.customer is None:
            turn.say("utter_sign_in_needed")
            return []
        if turn.entity("order_id"):
            return self._order(turn)
        for detail, typed, on_file in self._identity_details(turn):
            if typed:
                same = _same(typed, on_file)
                turn.say(
                    "utter_detail_matches" if same else "utter_detail_differs",
                    detail=detail,
                )
                return []
        if turn.entity("phone"):
            return self._phone(turn)
        if turn.entity("person_name"):
            turn.say("utter_detail_name", first_name=turn.customer.first_name)
            return []
        if turn.entity("membership_level"):
            level = turn.customer.membership_level
            turn.say("utter_detail_level", membership_level=level)
            return []
        return self._about_current_order(turn)

    def _identity_details(self, turn: Turn):
        customer = turn.customer
        yield "username", turn.entity("username"), customer.username
        yield "email address", turn.entity("email"), customer.email

    def _order(self, turn: Turn) -> list[dict[str, Any]]:
        order_id, order = named_order(turn)
        if order is None:
            turn.say("utter_order_not_found", order_id=order_id)
            return [SlotSet("order_id", None)]
        turn.say("utter_detail_order", **order_values(order))
        return [SlotSet("order_id", order.id)]

    def _phone(self, turn: Turn) -> list[dict[str, Any]]:
        on_file = last_digits(turn.customer.phone, 10)
        typed = last_digits(turn.entity("phone"), 10)
        if on_file and typed == on_file:
            turn.say("utter_detail_phone_on_file")
        else:
            digits = last_digits(turn.customer.phone) or "--"
            turn.say("utter_detail_phone_differs", phone_last_digits=digits)
        return []

    def _about_current_order(self, turn: Turn) -> list[dict[str, Any]]:
        _, order = named_order(turn)
        if order is None:
            turn.say("utter_detail_thanks")
            return []
        turn.say("utter_detail_noted", **order_values(order))
        return []
