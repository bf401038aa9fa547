"""End-to-end: what any REST caller can send must not hurt the stack."""

from __future__ import annotations

import json
import urllib.request

import pytest

from tests.live_stack import LiveStack, new_sender

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def post_raw(live_stack: LiveStack, body: object) -> list:
    request = urllib.request.Request(
        f"http://127.0.0.1:{live_stack.settings.rasa_port}/webhooks/rest/webhook",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.loads(answer.read())


def still_answers(live_stack: LiveStack) -> bool:
    return bool(live_stack.send("hello", sender=new_sender()))


def test_a_huge_message_is_cut_and_answered(live_stack: LiveStack):
    replies = live_stack.send("hello there " * 10_000, sender=new_sender())
    assert replies  # a reply, not a dead server
    assert still_answers(live_stack)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"message": ["where is my order"]}, id="message-list"),
        pytest.param({"message": 42}, id="message-number"),
        pytest.param({"message": "hi", "metadata": "customer_token=x"}, id="meta-str"),
        pytest.param({"message": "hi", "metadata": ["x"]}, id="meta-list"),
    ],
)
def test_wrong_shapes_get_a_reply_and_leave_the_stack_up(live_stack, body):
    replies = post_raw(live_stack, {"sender": new_sender(), **body})
    assert isinstance(replies, list)
    assert still_answers(live_stack)
