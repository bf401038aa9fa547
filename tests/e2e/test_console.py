"""The console against the real stack: an edit made over the console's API is
in the very next reply, with the signed-in customer's own values; the
conversation itself is kept in SQL where the console reads it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from bot.console.auth import hash_password
from bot.console.store import ConsoleStore
from profiles.engine import make_engine
from tests.live_stack import LiveStack, new_sender

PASSWORD = "an e2e console password"
BOT_QUESTION = "are you a bot?"


@pytest.fixture(scope="module")
def console(live_stack: LiveStack) -> Iterator[httpx.Client]:
    """A developer signed in to the live stack's console."""
    engine = make_engine(live_stack.store_settings.database_url)
    store = ConsoleStore(engine)
    if store.password_hash("e2e-dev") is None:
        store.add_user("e2e-dev", hash_password(PASSWORD), "developer")
    engine.dispose()
    base = live_stack.page_url
    with httpx.Client(base_url=base, headers={"Origin": base}, timeout=30) as client:
        answer = client.post(
            "/console/api/login", json={"username": "e2e-dev", "password": PASSWORD}
        )
        assert answer.status_code == 200, answer.text
        client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
        yield client
        client.post("/console/api/responses/utter_iamabot/reset")


def reply_text(live_stack: LiveStack, text: str, **who) -> str:
    replies = live_stack.send_as(text, sender=who.pop("sender", new_sender()), **who)
    return "\n".join(reply.get("text", "") for reply in replies)


def test_an_edited_response_is_in_the_next_reply(live_stack, console) -> None:
    before = reply_text(live_stack, BOT_QUESTION)
    edit = [{"text": "I'm the shop's assistant bot; ask for a human at any time."}]

    saved = console.put("/console/api/responses/utter_iamabot", json={"variants": edit})
    after = reply_text(live_stack, BOT_QUESTION)

    assert saved.status_code == 200
    assert before.startswith("I'm Northwind Threads' virtual assistant")
    assert after == edit[0]["text"]


def test_a_personal_edit_uses_the_customers_profile_and_falls_back_for_a_guest(
    live_stack, console
) -> None:
    edit = [
        {"text": "I'm a bot, {{ customer.first_name }}, at your "
                 "{{ customer.membership_level }} service."},
        {"text": "I'm a bot, at your service."},
    ]  # fmt: skip
    console.put("/console/api/responses/utter_iamabot", json={"variants": edit})

    crystal = reply_text(live_stack, BOT_QUESTION, customer_id="cminh730")
    guest = reply_text(live_stack, BOT_QUESTION)

    assert crystal == "I'm a bot, Crystal, at your bronze service."
    assert guest == "I'm a bot, at your service."


def test_a_reset_brings_the_domain_wording_back(live_stack, console) -> None:
    console.put(
        "/console/api/responses/utter_iamabot", json={"variants": [{"text": "Edited."}]}
    )
    console.post("/console/api/responses/utter_iamabot/reset")

    assert reply_text(live_stack, BOT_QUESTION).startswith(
        "I'm Northwind Threads' virtual assistant"
    )


def test_the_conversation_is_kept_in_sql(live_stack) -> None:
    sender = new_sender()
    reply_text(live_stack, "hi", sender=sender, customer_id="cminh730")

    engine = make_engine(live_stack.store_settings.database_url)
    try:
        with engine.connect() as connection:
            rows = connection.exec_driver_sql(
                "SELECT type_name FROM events WHERE sender_id = ?", (sender,)
            ).all()
    finally:
        engine.dispose()

    kinds = {row[0] for row in rows}
    assert {"user", "bot", "action"} <= kinds
