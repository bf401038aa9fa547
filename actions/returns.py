"""The returns form: which order, why, and the decision the policy gives.

The order must be the signed-in customer's own; the return window of their
membership level is applied to the order's purchase date, and every outcome is
recorded as a ticket, so a later session can recall it.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.base import ConciergeAction, Turn
from actions.identity import identify
from actions.orders import named_order
from actions.services import get_services
from actions.wording import day, last_digits, order_button, order_values
from profiles.policy import REFUND_DAYS, decide_return
from profiles.views import CustomerView, OrderView

RETURNABLE = ("delivered",)


def returnable_orders(turn: Turn) -> list[OrderView]:
    orders = turn.services.store.orders(turn.customer.id)
    return [order for order in orders if order.status in RETURNABLE]


class ValidateReturnForm(FormValidationAction):
    """Fills the order when only one can be returned; checks it is theirs."""

    def name(self) -> str:
        return "validate_return_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        # A guest, or a customer with no delivered order, has nothing to pick:
        # the form ends at once and the submit action says why.
        turn = _turn(dispatcher, tracker)
        if turn.customer is None or not returnable_orders(turn):
            return []
        return domain_slots

    async def extract_order_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        # Only when the form starts: later turns fill the slot from the
        # customer's answer (an entity or an order button).
        if tracker.get_slot("requested_slot"):
            return {}
        turn = _turn(dispatcher, tracker)
        if turn.customer is None or turn.entity("order_id"):
            return {}
        candidates = returnable_orders(turn)
        current = tracker.get_slot("order_id")
        if any(order.id == current for order in candidates):
            return {}
        return {"order_id": candidates[0].id if len(candidates) == 1 else None}

    def validate_order_id(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        turn = _turn(dispatcher, tracker)
        if turn.customer is None or value is None:
            return {"order_id": None}
        order = turn.services.store.order(turn.customer.id, str(value))
        if order is None:
            turn.say("utter_order_not_found", order_id=value)
            return {"order_id": None}
        return {"order_id": order.id}


def _turn(dispatcher: CollectingDispatcher, tracker: Tracker) -> Turn:
    services = get_services()
    return Turn(tracker, dispatcher, services, identify(tracker, services))


class ActionAskReturnOrder(ConciergeAction):
    """Asks which order, with a button for each order that can be returned."""

    interaction_kind = None

    def name(self) -> str:
        return "action_ask_return_form_order_id"

    def answer(self, turn: Turn) -> list[dict[str, Any]]:
        candidates = returnable_orders(turn) if turn.customer else []
        if not candidates:
            candidates = (
                turn.services.store.orders(turn.customer.id)[:5]
                if (turn.customer)
                else []
            )
        buttons = [order_button(order) for order in candidates[:5]]
        turn.dispatcher.utter_message(
            response="utter_ask_return_form_order_id", buttons=buttons
        )
        return []


class ActionAskReturnReason(ConciergeAction):
    """Asks why, naming the order the return is about."""

    interaction_kind = None

    def name(self) -> str:
        return "action_ask_return_form_return_reason"

    def answer(self, turn: Turn) -> list[dict[str, Any]]:
        _, order = named_order(turn)
        if order is None:
            turn.say("utter_ask_return_form_return_reason")
        else:
            turn.say("utter_ask_return_reason_for_order", **order_values(order))
        return []


class ActionSubmitReturn(ConciergeAction):
    """Applies the return policy to the chosen order and records the outcome."""

    interaction_kind = "return_request"

    def name(self) -> str:
        return "action_submit_return"

    def answer(self, turn: Turn) -> list[dict[str, Any]]:
        reset = [SlotSet("return_reason", None)]
        if turn.customer is None:
            turn.say("utter_sign_in_needed")
            return reset
        _, order = named_order(turn)
        if order is None:
            turn.say("utter_return_no_orders")
            return reset
        if order.status in ("placed", "shipped"):
            turn.say("utter_return_not_delivered", **order_values(order))
        elif order.status != "delivered":
            turn.say("utter_return_already", **order_values(order))
        else:
            self._decide(turn, turn.customer, order)
        return reset

    def _decide(self, turn: Turn, customer: CustomerView, order: OrderView) -> None:
        decision = decide_return(
            customer.membership_level, order.placed_at.date(), turn.services.today()
        )
        reason = turn.tracker.get_slot("return_reason") or "not given"
        details = {
            "reason": reason,
            "membership_level": decision.membership_level,
            "window_days": decision.window_days,
            "days_since_purchase": decision.days_since_purchase,
            "allowed": decision.allowed,
        }
        outcome = _outcome(decision)
        ticket = turn.services.store.open_ticket(
            customer.id,
            "return",
            order_id=order.id,
            summary=f"Return request ({reason})",
            status="in_progress" if decision.allowed else "closed",
            outcome=outcome,
            details=details,
        )
        values = order_values(order) | {
            "ticket_id": ticket.id,
            "membership_level": decision.membership_level,
            "window_days": decision.window_days,
            "days_since_purchase": decision.days_since_purchase,
            "refund_days": REFUND_DAYS,
        }
        if decision.allowed and decision.window_days is None:
            turn.say("utter_return_accepted_unlimited", **values)
        elif decision.allowed:
            turn.say("utter_return_accepted", deadline=day(decision.deadline), **values)
        else:
            turn.say("utter_return_refused", **values)


def _outcome(decision) -> str:
    """The outcome recorded on the ticket, recalled in later sessions."""
    if decision.allowed:
        return "return accepted, label sent"
    return (
        f"return refused: bought {decision.days_since_purchase} days earlier, "
        f"outside the {decision.window_days}-day {decision.membership_level} window"
    )


class ActionEscalate(ConciergeAction):
    """The customer asks for an exception: a manager reviews the last refusal."""

    interaction_kind = "escalation"

    def name(self) -> str:
        return "action_escalate"

    def answer(self, turn: Turn) -> list[dict[str, Any]]:
        if turn.customer is None:
            turn.say("utter_nothing_to_escalate")
            return []
        refused = self._last_refusal(turn)
        if refused is None:
            turn.say("utter_nothing_to_escalate")
            return []
        ticket = turn.services.store.open_ticket(
            turn.customer.id,
            "manager_review",
            order_id=refused.order_id,
            summary=f"Customer asks a manager to review request #{refused.id}",
            details={"review_of": refused.id, "contact": "phone on file"},
        )
        digits = last_digits(turn.customer.phone)
        if digits:
            turn.say("utter_escalated", ticket_id=ticket.id, phone_last_digits=digits)
        else:
            turn.say("utter_escalated_no_phone", ticket_id=ticket.id)
        return []

    def _last_refusal(self, turn: Turn):
        for ticket in turn.services.store.tickets(turn.customer.id):
            if ticket.topic == "return" and not ticket.details.get("allowed", True):
                return ticket
        return None
