"""Order status, cancellation and change of delivery address."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import SlotSet

from actions.base import ConciergeAction, Turn
from actions.wording import order_button, order_status_response, order_values
from profiles.policy import REFUND_DAYS
from profiles.views import OrderView


def named_order(turn: Turn) -> tuple[str | None, OrderView | None]:
    """The order id the customer named (entity, else slot) and its record.

    The record is None when the id is unknown or belongs to someone else: an
    id typed or sent in a payload never reaches another customer's order.
    """
    order_id = turn.entity("order_id") or turn.tracker.get_slot("order_id")
    if not order_id or turn.customer is None:
        return order_id, None
    return order_id, turn.services.store.order(turn.customer.id, str(order_id))


def tell_status(turn: Turn, order: OrderView) -> None:
    turn.say(order_status_response(order), **order_values(order))


def offer_orders(turn: Turn, response: str, orders: list[OrderView], **values: Any):
    buttons = [order_button(order) for order in orders[:5]]
    turn.dispatcher.utter_message(response=response, buttons=buttons, **values)


class ActionOrderStatus(ConciergeAction):
    """Where is my order: no number needed when exactly one order is open."""

    interaction_kind = "order_lookup"

    def name(self) -> str:
        return "action_order_status"

    def answer(self, turn: Turn) -> list[dict[str, Any]]:
        if turn.customer is None:
            turn.say("utter_sign_in_needed")
            return []
        order_id, order = named_order(turn)
        if order is not None:
            tell_status(turn, order)
            return [SlotSet("order_id", order.id)]
        if order_id and turn.entity("order_id"):
            turn.say("utter_order_not_found", order_id=order_id)
        return self._open_orders(turn)

    def _open_orders(self, turn: Turn) -> list[dict[str, Any]]:
        store = turn.services.store
        open_orders = store.open_orders(turn.customer.id)
        if len(open_orders) == 1:
            tell_status(turn, open_orders[0])
            return [SlotSet("order_id", open_orders[0].id)]
        if open_orders:
            offer_orders(
                turn, "utter_choose_order", open_orders, count=len(open_orders)
            )
            return [SlotSet("order_id", None)]
        orders = store.orders(turn.customer.id)
        if not orders:
            turn.say("utter_no_orders")
            return []
        turn.say("utter_no_open_orders")
        tell_status(turn, orders[0])
        return [SlotSet("order_id", orders[0].id)]


class ActionCancelOrder(ConciergeAction):
    """Cancels an order that has not shipped yet, and records it."""

    interaction_kind = "cancellation"

    def name(self) -> str:
        return "action_cancel_order"

    def answer(self, turn: Turn) -> list[dict[str, Any]]:
        if turn.customer is None:
            turn.say("utter_sign_in_needed")
            return []
        order_id, order = named_order(turn)
        if order is None and order_id and turn.entity("order_id"):
            turn.say("utter_order_not_found", order_id=order_id)
        if order is None:
            return self._choose(turn)
        if order.status != "placed":
            turn.say("utter_cancel_not_possible", **order_values(order))
            return [SlotSet("order_id", order.id)]
        cancelled = turn.services.store.cancel_order(turn.customer.id, order.id)
        values = order_values(cancelled)
        turn.say("utter_cancel_done", refund_days=REFUND_DAYS, **values)
        return [SlotSet("order_id", cancelled.id)]

    def _choose(self, turn: Turn) -> list[dict[str, Any]]:
        placed = [
            order
            for order in turn.services.store.open_orders(turn.customer.id)
            if order.status == "placed"
        ]
        if not placed:
            turn.say("utter_nothing_to_cancel")
            return []
        buttons = [order_button(order, intent="cancel_order") for order in placed[:5]]
        turn.dispatcher.utter_message(
            response="utter_choose_order_to_cancel", buttons=buttons
        )
        return []


class ActionChangeAddress(ConciergeAction):
    """Asks the warehouse to change the address of an order not yet shipped."""

    interaction_kind = "address_change"

    def name(self) -> str:
        return "action_change_address"

    def answer(self, turn: Turn) -> list[dict[str, Any]]:
        if turn.customer is None:
            turn.say("utter_sign_in_needed")
            return []
        _, order = named_order(turn)
        open_orders = turn.services.store.open_orders(turn.customer.id)
        if order is None or not order.is_open:
            placed = [o for o in open_orders if o.status == "placed"]
            if len(placed) > 1:
                buttons = [order_button(o, intent="change_address") for o in placed[:5]]
                turn.dispatcher.utter_message(
                    response="utter_choose_order", buttons=buttons, count=len(placed)
                )
                return []
            order = next(iter(placed or open_orders), None)
        if order is None:
            turn.say("utter_address_change_no_order")
            return []
        if order.status == "shipped":
            turn.say("utter_address_change_too_late", **order_values(order))
            return [SlotSet("order_id", order.id)]
        ticket = turn.services.store.open_ticket(
            turn.customer.id,
            "address_change",
            order_id=order.id,
            summary="Change the delivery address before shipping",
        )
        turn.say(
            "utter_address_change_opened", ticket_id=ticket.id, **order_values(order)
        )
        return [SlotSet("order_id", order.id)]
