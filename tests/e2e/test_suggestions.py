"""End-to-end: suggestions through the real stack, with reasons, rules and
"not interested" remembered."""

from __future__ import annotations

import pytest

from tests.live_stack import LiveStack, new_sender
from tests.live_stack import product_cards as cards

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CRYSTAL = "cminh730"


def send(live_stack: LiveStack, text: str, sender: str, customer_id=None):
    return live_stack.send_as(text, sender=sender, customer_id=customer_id)


def test_suggestions_have_reasons_and_a_turned_down_one_never_returns(
    live_stack: LiveStack,
):
    sender = new_sender()
    first = cards(send(live_stack, "recommend something", sender, CRYSTAL))
    assert first and all(card["reason"] for card in first)
    assert all(card["in_stock"] for card in first)
    not_for_me = first[0]["buttons"][1]
    assert not_for_me["title"] == "Not for me"

    said = send(live_stack, not_for_me["payload"], sender, CRYSTAL)
    assert "won't suggest" in said[0]["text"]
    for _ in range(2):
        again = cards(
            send(live_stack, "any suggestions for me?", new_sender(), CRYSTAL)
        )
        assert first[0]["id"] not in {card["id"] for card in again}


def test_gift_ideas_keep_the_budget(live_stack: LiveStack):
    replies = send(
        live_stack, "gift ideas under $50 for my brother", new_sender(), CRYSTAL
    )
    gifts = cards(replies)
    assert replies[0]["text"] == "Here are a few gift ideas:"
    assert gifts and all(card["price"] <= 50 for card in gifts)


def test_a_guest_gets_popular_products(live_stack: LiveStack):
    replies = send(live_stack, "recommend something", new_sender())
    assert cards(replies)
    assert all(
        card["reason"] == "Popular with our customers" for card in cards(replies)
    )
