"""End-to-end: policy answers and product search through the real stack.

Every reply is what a customer would read over the REST channel: the passage
and its article, the facts of their own account, the product cards and the
buttons that follow them.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.live_stack import LiveStack, new_sender
from tests.live_stack import product_cards as cards

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CRYSTAL = "cminh730"  # bronze; order 3348917502 bought 6 November 2019
ALESSANDRO = "aphoenix939"  # gold
RETURN_QUESTION = "how long have I got to send something back?"


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(reply.get("text") or "" for reply in replies)


def send(live_stack: LiveStack, text: str, sender: str, customer_id=None):
    return live_stack.send_as(text, sender=sender, customer_id=customer_id)


def test_membership_changes_the_answer_to_a_return_question(live_stack: LiveStack):
    bronze = texts(send(live_stack, RETURN_QUESTION, new_sender(), CRYSTAL))
    gold = texts(send(live_stack, RETURN_QUESTION, new_sender(), ALESSANDRO))
    assert bronze.startswith("From our help article")
    assert gold.startswith("From our help article")
    assert "bronze member you have 90 days" in bronze
    assert "3348917502" in bronze and "closed on 4 February 2020" in bronze
    assert "gold member" in gold and "at any time" in gold
    assert "3348917502" not in gold


def test_a_guest_gets_the_article_and_no_ones_facts(live_stack: LiveStack):
    reply = texts(send(live_stack, RETURN_QUESTION, new_sender()))
    assert reply.startswith("From our help article")
    assert "If you sign in" in reply
    assert "3348917502" not in reply and "member you have" not in reply


def test_an_unanswerable_question_is_declined_with_a_person_offered(
    live_stack: LiveStack,
):
    replies = send(live_stack, "do you have a shop in dallas?", new_sender())
    assert "not sure" in texts(replies)
    assert "From our help article" not in texts(replies)
    payloads = [b["payload"] for r in replies for b in r.get("buttons") or []]
    assert "/human_handoff" in payloads


def test_search_then_more_then_narrow_down(live_stack: LiveStack):
    sender = new_sender()
    first = send(live_stack, "navy shirts for men", sender, CRYSTAL)
    shown = cards(first)
    assert shown and all(card["colour"] == "Navy Blue" for card in shown)
    buttons = {b["title"]: b["payload"] for r in first for b in r.get("buttons") or []}
    assert buttons == {
        "Show me more": "/more_products",
        "Narrow it down": "/refine_search",
    }

    more = cards(send(live_stack, "/more_products", sender, CRYSTAL))
    assert more and {c["id"] for c in more}.isdisjoint(c["id"] for c in shown)

    ask = texts(send(live_stack, "/refine_search", sender, CRYSTAL))
    assert "what to change" in ask
    narrowed = cards(send(live_stack, "size M please", sender, CRYSTAL))
    assert narrowed
    for card in narrowed:
        assert card["colour"] == "Navy Blue" and "M" in card["sizes_in_stock"]


def test_more_like_this_on_a_card(live_stack: LiveStack):
    sender = new_sender()
    first = cards(send(live_stack, "white sneakers", sender))
    assert first
    payload = first[0]["buttons"][0]["payload"]
    assert payload.startswith("/product_search{")
    similar = send(live_stack, payload, sender)
    assert texts(similar).startswith("Here are a few like the")
    assert first[0]["id"] not in {card["id"] for card in cards(similar)}
