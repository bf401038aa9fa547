"""Greeting, refunds, details volunteered, suggestions, fallback and identity."""

from __future__ import annotations

from datetime import timedelta

import pytest

from actions.fallback import ActionFallback
from actions.greeting import ActionGreet
from actions.profile import ActionAcknowledgeDetails
from actions.refunds import ActionRefundStatus
from actions.returns import ActionSubmitReturn
from actions.suggestions import ActionSuggest
from tests.actions.conftest import (
    entity,
    load_tracker,
    response_names,
    run_action,
    token_for,
)

CRYSTAL, ALESSANDRO = "cminh730", "aphoenix939"


def test_guest_greeting_has_no_name(services):
    messages, _ = run_action(ActionGreet(), load_tracker("greet"))
    assert response_names(messages) == ["utter_greet_guest"]


def test_returning_customer_is_greeted_with_the_open_refund(services):
    messages, _ = run_action(
        ActionGreet(), load_tracker("greet", customer_id=ALESSANDRO)
    )
    assert response_names(messages) == [
        "utter_greet_customer",
        "utter_greet_open_ticket",
    ]
    assert messages[0]["first_name"] == "Alessandro"
    assert messages[1]["ticket_topic"] == "refund"


def test_last_ticket_and_outcome_are_recalled_in_a_later_session(services):
    run_action(ActionSubmitReturn(), load_tracker("return_submit", customer_id=CRYSTAL))
    messages, _ = run_action(ActionGreet(), load_tracker("greet", customer_id=CRYSTAL))
    assert response_names(messages) == [
        "utter_greet_customer",
        "utter_greet_last_ticket",
    ]
    assert "refused" in messages[1]["ticket_outcome"]


def test_refund_status_comes_from_the_refund_record(services):
    tracker = load_tracker("refund_status", customer_id=ALESSANDRO)
    messages, _ = run_action(ActionRefundStatus(), tracker)
    assert response_names(messages) == ["utter_refund_status"]
    assert messages[0]["amount"] == "69.00"
    assert messages[0]["method"] == "credit card"
    assert messages[0]["order_id"] == "7916676427"


def test_no_refund_for_a_customer_without_one(services):
    messages, _ = run_action(
        ActionRefundStatus(), load_tracker("refund_status", customer_id=CRYSTAL)
    )
    assert response_names(messages) == ["utter_no_refund"]


@pytest.mark.parametrize(
    ("entities", "expected"),
    [
        pytest.param(
            [entity("username", "cminh730")], "utter_detail_matches", id="username"
        ),
        pytest.param(
            [entity("username", "someone9")], "utter_detail_differs", id="other-user"
        ),
        pytest.param(
            [entity("email", "CMINH730@email.com")], "utter_detail_matches", id="email"
        ),
        pytest.param(
            [entity("phone", "(977) 625-2661")],
            "utter_detail_phone_on_file",
            id="phone",
        ),
        pytest.param(
            [entity("phone", "(555) 010-0000")],
            "utter_detail_phone_differs",
            id="other-phone",
        ),
        pytest.param(
            [entity("person_name", "Crystal Minh")], "utter_detail_name", id="name"
        ),
        pytest.param(
            [entity("membership_level", "gold")],
            "utter_detail_level",
            id="level-from-record",
        ),
        pytest.param(
            [entity("order_id", "3348917502")], "utter_detail_order", id="order"
        ),
        pytest.param(
            [entity("order_id", "7916676427")],
            "utter_order_not_found",
            id="not-their-order",
        ),
        pytest.param([], "utter_detail_thanks", id="nothing-recognised"),
    ],
)
def test_volunteered_details_are_checked_against_the_record(
    services, entities, expected
):
    tracker = load_tracker("inform", customer_id=CRYSTAL, entities=entities)
    messages, _ = run_action(ActionAcknowledgeDetails(), tracker)
    assert response_names(messages) == [expected]
    if expected == "utter_detail_level":
        assert messages[0]["membership_level"] == "bronze"  # the record, not the text


def test_details_from_a_guest_identify_no_one(services):
    tracker = load_tracker("inform", entities=[entity("username", "cminh730")])
    messages, _ = run_action(ActionAcknowledgeDetails(), tracker)
    assert response_names(messages) == ["utter_sign_in_needed"]


def test_suggestions_are_in_stock_not_owned_and_have_reasons(services):
    customer = next(
        c
        for c in services.store.demo_customers(limit=400)
        if services.store.orders(c.id)
    )
    owned = {
        line.product_id for o in services.store.orders(customer.id) for line in o.lines
    }
    messages, _ = run_action(
        ActionSuggest(), load_tracker("suggest", customer_id=customer.id)
    )
    cards = messages[0]["attachment"]["products"]
    assert cards
    for card in cards:
        assert card["in_stock"] is True
        assert card["id"] not in owned
        assert card["reason"]
    shown = services.store.last_interaction(customer.id)
    assert shown.kind == "suggestion_shown"


def test_guest_gets_popular_items(services):
    messages, _ = run_action(ActionSuggest(), load_tracker("suggest"))
    assert response_names(messages) == ["utter_suggestions_popular"]
    assert messages[0]["attachment"]["products"]


def test_second_miss_in_a_row_offers_a_human(services):
    once, _ = run_action(ActionFallback(), load_tracker("fallback_once"))
    twice, _ = run_action(ActionFallback(), load_tracker("fallback_twice"))
    assert response_names(once) == ["utter_ask_rephrase"]
    assert response_names(twice) == ["utter_offer_human"]


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(token_for(CRYSTAL, issued_ago=timedelta(hours=2)), id="expired"),
        pytest.param(token_for(CRYSTAL)[:-4] + "AAAA", id="bad-signature"),
        pytest.param("not-a-token", id="malformed"),
        pytest.param(token_for("nobody-by-this-id"), id="unknown-customer"),
    ],
)
def test_a_bad_token_makes_a_guest(services, token):
    messages, _ = run_action(ActionGreet(), load_tracker("greet", token=token))
    assert response_names(messages) == ["utter_greet_guest"]


def test_a_store_failure_gives_the_error_response(services, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("database unreachable")

    monkeypatch.setattr(services.store, "tickets", broken)
    messages, _ = run_action(
        ActionRefundStatus(), load_tracker("refund_status", customer_id=ALESSANDRO)
    )
    assert response_names(messages)[-1] == "utter_error"


def test_handoff_never_attaches_another_customers_order(services):
    from actions.handoff import ActionHandoff

    tracker = load_tracker(
        "greet",
        customer_id=CRYSTAL,
        intent="human_handoff",
        slots={"order_id": "7916676427"},
    )
    messages, _ = run_action(ActionHandoff(), tracker)
    assert response_names(messages) == ["utter_handoff"]
    ticket = services.store.tickets(CRYSTAL)[0]
    assert ticket.topic == "handoff" and ticket.order_id is None


def test_a_phone_number_split_by_the_classifier_is_read_whole(services):
    entities = [
        {"entity": "phone", "value": "(977", "extractor": "DIETClassifier"},
        {"entity": "phone", "value": "625-2661", "extractor": "DIETClassifier"},
        {
            "entity": "phone",
            "value": "(977) 625-2661",
            "extractor": "RegexEntityExtractor",
        },
    ]
    tracker = load_tracker("inform", customer_id=CRYSTAL, entities=entities)
    messages, _ = run_action(ActionAcknowledgeDetails(), tracker)
    assert response_names(messages) == ["utter_detail_phone_on_file"]
