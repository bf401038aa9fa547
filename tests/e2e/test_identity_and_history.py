"""End-to-end: the real stack, over the REST channel, as two signed-in
customers and as a guest. Each must see only their own facts, whatever the
sender id, metadata or typed intent says."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest

from tests.live_stack import LiveStack, new_sender

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CRYSTAL = "cminh730"  # bronze; order 3348917502, Michael Kors Jeans, 2019-11-06
ALESSANDRO = "aphoenix939"  # gold; order 7916676427 returned, refund in progress
CRYSTAL_ORDER = "3348917502"
ALESSANDRO_ORDER = "7916676427"


def test_signed_in_customer_gets_own_order_without_giving_a_number(
    live_stack: LiveStack,
):
    sender = new_sender()
    reply = live_stack.chat("where is my order", sender=sender, customer_id=CRYSTAL)
    assert CRYSTAL_ORDER in reply
    assert ALESSANDRO_ORDER not in reply


def test_other_customer_gets_own_refund(live_stack: LiveStack):
    sender = new_sender()
    reply = live_stack.chat(
        "what's the status of my refund", sender=sender, customer_id=ALESSANDRO
    )
    assert ALESSANDRO_ORDER in reply
    assert "69.00" in reply
    assert CRYSTAL_ORDER not in reply


def test_greeting_names_the_customer(live_stack: LiveStack):
    reply = live_stack.chat("hello", sender=new_sender(), customer_id=ALESSANDRO)
    assert "Alessandro" in reply
    assert "refund" in reply  # the open refund is what is on his mind


def test_guest_gets_no_personal_data(live_stack: LiveStack):
    reply = live_stack.chat("where is my order", sender=new_sender())
    assert "sign in" in reply.lower()
    assert CRYSTAL_ORDER not in reply and ALESSANDRO_ORDER not in reply


def test_typed_intent_with_another_customers_order_reveals_nothing(
    live_stack: LiveStack,
):
    typed = f'/order_status{{"order_id": "{ALESSANDRO_ORDER}"}}'
    reply = live_stack.chat(typed, sender=new_sender(), customer_id=CRYSTAL)
    assert "Michael Kors Shirt" not in reply
    assert "can't find order" in reply


def test_reused_sender_id_without_token_is_a_guest(live_stack: LiveStack):
    sender = new_sender()
    first = live_stack.chat("where is my order", sender=sender, customer_id=CRYSTAL)
    assert CRYSTAL_ORDER in first
    hijack = live_stack.chat("where is my order", sender=sender)
    assert CRYSTAL_ORDER not in hijack
    assert "sign in" in hijack.lower()


def test_reused_sender_id_with_another_token_sees_only_that_customer(
    live_stack: LiveStack,
):
    sender = new_sender()
    live_stack.chat("where is my order", sender=sender, customer_id=CRYSTAL)
    reply = live_stack.chat("where is my order", sender=sender, customer_id=ALESSANDRO)
    assert CRYSTAL_ORDER not in reply


@pytest.mark.parametrize(
    "metadata",
    [
        pytest.param({"customer_id": CRYSTAL}, id="unsigned-customer-id"),
        pytest.param({"customer_token": "garbage"}, id="malformed-token"),
        pytest.param({"customer_token": ["not", "a", "string"]}, id="wrong-type"),
    ],
)
def test_unsigned_or_malformed_identity_is_a_guest(live_stack: LiveStack, metadata):
    replies = live_stack.send(
        "where is my order", sender=new_sender(), metadata=metadata
    )
    text = json.dumps(replies)
    assert CRYSTAL_ORDER not in text
    assert "sign in" in text.lower()


def test_expired_token_is_a_guest(live_stack: LiveStack):
    token = live_stack.token(CRYSTAL, issued_ago=timedelta(hours=2))
    replies = live_stack.send(
        "where is my order", sender=new_sender(), metadata={"customer_token": token}
    )
    assert CRYSTAL_ORDER not in json.dumps(replies)


def test_forged_token_is_a_guest(live_stack: LiveStack):
    real = live_stack.token(ALESSANDRO)
    payload, signature = real.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = CRYSTAL
    forged_payload = (
        base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    )
    forged = f"{forged_payload}.{signature}"
    replies = live_stack.send(
        "where is my order", sender=new_sender(), metadata={"customer_token": forged}
    )
    assert CRYSTAL_ORDER not in json.dumps(replies)


def test_return_outside_the_window_is_refused_and_recalled_next_session(
    live_stack: LiveStack,
):
    sender = new_sender()
    live_stack.chat("I need to return my jeans", sender=sender, customer_id=CRYSTAL)
    reply = live_stack.chat("they are too small", sender=sender, customer_id=CRYSTAL)
    assert "can't accept this return" in reply
    assert "90 days" in reply
    later = live_stack.chat("hi", sender=new_sender(), customer_id=CRYSTAL)
    assert "Crystal" in later
    assert "return" in later


def test_guest_starting_a_return_is_asked_to_sign_in(live_stack: LiveStack):
    reply = live_stack.chat("i want to return my jeans", sender=new_sender())
    assert "sign in" in reply.lower()
    assert CRYSTAL_ORDER not in reply


def test_customer_without_a_delivered_order_is_told_so(live_stack: LiveStack):
    reply = live_stack.chat(
        "i want to return my shirt", sender=new_sender(), customer_id=ALESSANDRO
    )
    assert "could be returned" in reply
