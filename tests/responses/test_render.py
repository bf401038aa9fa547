"""Choosing and filling a response variant, and falling back when a value is
missing."""

from __future__ import annotations

import random

from bot.responses.render import Turn, render_response

CRYSTAL = {"first_name": "Crystal", "membership_level": "bronze"}


def rendered_texts(variants, turn, defaults=None, times=30) -> set[str]:
    rng = random.Random(7)
    return {
        render_response(variants, turn, defaults, rng).message["text"]
        for _ in range(times)
    }


def test_a_signed_in_customer_gets_the_personal_variant() -> None:
    variants = [{"text": "Hi there!"}, {"text": "Hi {{ customer.first_name }}!"}]

    texts = rendered_texts(variants, Turn(customer=lambda: CRYSTAL))

    assert texts == {"Hi Crystal!"}


def test_a_guest_gets_the_plain_variant_never_a_broken_sentence() -> None:
    variants = [{"text": "Hi {{ customer.first_name }}!"}, {"text": "Hi there!"}]

    rendered = render_response(variants, Turn(customer=lambda: None))

    assert rendered.message == {"text": "Hi there!"}
    assert rendered.skipped == 1 and not rendered.from_defaults


def test_with_no_variant_that_fills_the_domain_default_is_sent() -> None:
    edited = [{"text": "Your last order {{ customer.last_order.id }} is here."}]
    defaults = [{"text": "How can I help you today?"}]

    rendered = render_response(edited, Turn(customer=lambda: CRYSTAL), defaults)

    assert rendered.message == {"text": "How can I help you today?"}
    assert rendered.from_defaults and rendered.skipped == 1


def test_nothing_at_all_when_no_variant_anywhere_fills() -> None:
    variants = [{"text": "Order {order_id}"}]

    assert render_response(variants, Turn(), variants) is None


def test_arguments_win_over_slots_as_in_rasa() -> None:
    turn = Turn(slots={"order_id": "FROM-SLOT"}, arguments={"order_id": "FROM-ACTION"})

    rendered = render_response([{"text": "Order {order_id}"}], turn)

    assert rendered.message["text"] == "Order FROM-ACTION"


def test_a_slot_fills_what_the_action_did_not_pass() -> None:
    turn = Turn(slots={"order_id": "A1", "unused": None})

    assert render_response([{"text": "Order {order_id}"}], turn).message["text"] == (
        "Order A1"
    )


def test_buttons_are_filled_and_images_and_custom_payloads_kept() -> None:
    variant = {
        "text": "Which order?",
        "buttons": [
            {
                "title": "Order {order_id}",
                "payload": '/inform{{ \'{\' }}"o": "{order_id}"}',
            }
        ],
        "image": "https://shop.example/logo.png",
        "custom": {"kind": "card"},
    }

    message = render_response([variant], Turn(arguments={"order_id": "A1"})).message

    assert message == {
        "text": "Which order?",
        "buttons": [{"title": "Order A1", "payload": '/inform{"o": "A1"}'}],
        "image": "https://shop.example/logo.png",
        "custom": {"kind": "card"},
    }


def test_a_channel_variant_is_used_on_its_channel_only() -> None:
    variants = [{"text": "Web"}, {"text": "Phone", "channel": "twilio"}]

    assert rendered_texts(variants, Turn(channel="twilio")) == {"Phone"}
    assert rendered_texts(variants, Turn(channel="socketio")) == {"Web"}


def test_a_conditional_variant_wins_when_its_slots_match() -> None:
    variants = [
        {"text": "Plain"},
        {
            "text": "Gold",
            "condition": [{"type": "slot", "name": "level", "value": "gold"}],
        },
    ]

    assert rendered_texts(variants, Turn(slots={"level": "gold"})) == {"Gold"}
    assert rendered_texts(variants, Turn(slots={"level": "bronze"})) == {"Plain"}


def test_variations_are_all_used() -> None:
    variants = [{"text": "Bye!"}, {"text": "Take care!"}]

    assert rendered_texts(variants, Turn()) == {"Bye!", "Take care!"}


def test_the_profile_is_looked_up_only_when_a_variant_needs_it() -> None:
    calls = []

    def lookup():
        calls.append(1)
        return CRYSTAL

    render_response([{"text": "Plain"}], Turn(customer=lookup))
    assert calls == []
    render_response([{"text": "Hi {{ customer.first_name }}"}], Turn(customer=lookup))
    assert calls == [1]
