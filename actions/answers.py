"""Policy and help questions, answered from the shop's own articles.

The passage that answers best is shown with the title of its article. Where
the answer depends on the customer, the facts of their account follow it:
their return window and how it applies to their latest delivered order, their
shipping terms and the order on its way, their membership benefits, the
refund in progress. A question no passage answers well enough gets "not sure"
and the offer of a person, never a loosely related article.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from actions.base import ConciergeAction, Turn
from actions.orders import tell_status
from actions.refunds import refund_tickets
from actions.returns import returnable_orders
from actions.wording import day, order_values
from profiles.policy import REFUND_DAYS, RETURN_WINDOW_DAYS, decide_return

# What a button that names only the intent ("/shipping_question") asks.
INTENT_QUESTIONS = {
    "shipping_question": "What are the shipping options and what do they cost?",
    "promo_code_question": "How long are promo codes valid?",
    "account_help": "How do I reset my password?",
    "membership_question": "What are the membership levels and their benefits?",
}


def question_of(turn: Turn) -> str | None:
    """What the customer asked, or the intent's own question for a button."""
    text = (turn.tracker.latest_message.get("text") or "").strip()
    if text and not text.startswith("/"):
        return text
    return INTENT_QUESTIONS.get(turn.intent or "")


class ActionAnswerQuestion(ConciergeAction):
    """Shows the best passage, names its article, adds the customer's facts."""

    interaction_kind = "question"

    def name(self) -> str:
        return "action_answer_question"

    def answer(self, turn: Turn) -> list[dict[str, Any]]:
        question = question_of(turn)
        if question is None:
            turn.say("utter_ask_rephrase")
            return []
        hits = turn.services.knowledge().answer(question, k=1)
        if not hits:
            turn.note("no article answers it")
            turn.say("utter_answer_not_sure")
            return []
        best = hits[0]
        turn.note(f"answered from {best.article} ({best.heading}, {best.score:.2f})")
        turn.say("utter_answer", article_title=best.title, passage=best.text)
        personal = PERSONAL_FACTS.get(best.topic)
        if personal is None:
            return []
        if turn.customer is None:
            turn.say("utter_answer_sign_in_for_yours")
        else:
            personal(turn)
        return []


def tell_return_window(turn: Turn) -> None:
    """Their level's window, applied to their latest delivered order."""
    level = turn.customer.membership_level
    delivered = returnable_orders(turn)
    if not delivered:
        if RETURN_WINDOW_DAYS[level] is None:
            turn.say("utter_your_returns_unlimited", membership_level=level)
        else:
            turn.say(
                "utter_your_return_window",
                membership_level=level,
                window_days=RETURN_WINDOW_DAYS[level],
            )
        return
    order = delivered[0]  # newest first
    decision = decide_return(level, order.placed_at.date(), turn.services.today())
    values = order_values(order) | {
        "membership_level": level,
        "window_days": decision.window_days,
        "deadline": day(decision.deadline),
    }
    if decision.window_days is None:
        turn.say("utter_your_order_returnable_unlimited", **values)
    elif decision.allowed:
        turn.say("utter_your_order_returnable_until", **values)
    else:
        turn.say("utter_your_order_return_window_closed", **values)


def tell_shipping_terms(turn: Turn) -> None:
    """Their level's shipping terms, and the order on its way if there is one."""
    level = turn.customer.membership_level
    turn.say(f"utter_shipping_member_{level}", membership_level=level)
    store = turn.services.store
    shipped = [o for o in store.open_orders(turn.customer.id) if o.status == "shipped"]
    if shipped:
        tell_status(turn, shipped[0])


def tell_membership(turn: Turn) -> None:
    level = turn.customer.membership_level
    turn.say(f"utter_member_benefits_{level}", membership_level=level)


def tell_open_refund(turn: Turn) -> None:
    """The refund in progress, when there is one; nothing otherwise."""
    open_refunds = [ticket for ticket in refund_tickets(turn) if ticket.is_open]
    if not open_refunds:
        return
    ticket = open_refunds[0]
    turn.say(
        "utter_your_refund_in_progress",
        order_id=ticket.order_id,
        amount=f"{float(ticket.details.get('amount', 0)):.2f}",
        refund_days=REFUND_DAYS,
    )


# The customer's own facts that complete an answer, by the article's topic.
PERSONAL_FACTS: dict[str, Callable[[Turn], None]] = {
    "returns": tell_return_window,
    "shipping": tell_shipping_terms,
    "membership": tell_membership,
    "refunds": tell_open_refund,
}
