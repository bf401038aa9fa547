"""The returns form and its decision, applied to the customer's own order."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from rasa_sdk.executor import CollectingDispatcher

from actions.returns import ActionEscalate, ActionSubmitReturn, ValidateReturnForm
from tests.actions.conftest import (
    NOW,
    find_order,
    load_tracker,
    response_names,
    run_action,
)

CRYSTAL, CRYSTAL_ORDER = "cminh730", "3348917502"  # bronze, bought 2019-11-06


def test_bronze_return_years_after_purchase_is_refused_and_recorded(services):
    tracker = load_tracker("return_submit", customer_id=CRYSTAL)
    messages, events = run_action(ActionSubmitReturn(), tracker)
    assert response_names(messages) == ["utter_return_refused"]
    refused = messages[0]
    assert refused["order_id"] == CRYSTAL_ORDER
    assert refused["window_days"] == 90
    assert refused["membership_level"] == "bronze"
    ticket = services.store.tickets(CRYSTAL)[0]
    assert ticket.topic == "return" and ticket.order_id == CRYSTAL_ORDER
    assert ticket.details["allowed"] is False
    assert ticket.details["reason"] == "wrong_size"
    assert "refused" in ticket.outcome
    assert {"event": "slot", "name": "return_reason", "value": None} in [
        {k: e[k] for k in ("event", "name", "value")} for e in events
    ]


def test_recent_delivered_order_is_accepted_within_the_window(services):
    customer, recent = find_order(
        services,
        lambda c, o: (
            c.membership_level != "gold"
            and o.status == "delivered"
            and NOW - o.placed_at < timedelta(days=25)
        ),
    )
    tracker = load_tracker(
        "return_submit", customer_id=customer.id, slots={"order_id": recent.id}
    )
    messages, _ = run_action(ActionSubmitReturn(), tracker)
    assert response_names(messages) == ["utter_return_accepted"]
    assert services.store.tickets(customer.id)[0].status == "in_progress"


def test_gold_member_may_return_an_old_order(services):
    customer, old = find_order(
        services,
        lambda c, o: (
            c.membership_level == "gold"
            and o.status == "delivered"
            and NOW - o.placed_at > timedelta(days=200)
        ),
    )
    tracker = load_tracker(
        "return_submit", customer_id=customer.id, slots={"order_id": old.id}
    )
    messages, _ = run_action(ActionSubmitReturn(), tracker)
    assert response_names(messages) == ["utter_return_accepted_unlimited"]


def test_someone_elses_order_is_not_returned(services):
    tracker = load_tracker(
        "return_submit", customer_id="aphoenix939", slots={"order_id": CRYSTAL_ORDER}
    )
    messages, _ = run_action(ActionSubmitReturn(), tracker)
    assert response_names(messages) == ["utter_return_no_orders"]
    assert all(
        t.order_id != CRYSTAL_ORDER for t in services.store.tickets("aphoenix939")
    )


def test_guest_submit_asks_to_sign_in(services):
    messages, _ = run_action(ActionSubmitReturn(), load_tracker("return_submit"))
    assert response_names(messages) == ["utter_sign_in_needed"]


def test_form_prefills_the_only_returnable_order(services):
    tracker = load_tracker("return_start", customer_id=CRYSTAL)
    _, events = run_action(
        ValidateReturnForm(),
        tracker,
        {"forms": {"return_form": {"required_slots": ["order_id", "return_reason"]}}},
    )
    assert {"event": "slot", "name": "order_id", "value": CRYSTAL_ORDER} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events
    ]


def test_form_rejects_an_order_of_another_customer(services):
    tracker = load_tracker(
        "return_start", customer_id=CRYSTAL, slots={"requested_slot": "order_id"}
    )
    dispatcher = CollectingDispatcher()
    result = ValidateReturnForm().validate_order_id(
        "7916676427", dispatcher, tracker, {}
    )
    assert result == {"order_id": None}
    assert response_names(dispatcher.messages) == ["utter_order_not_found"]


def test_asking_for_an_exception_after_a_refusal_opens_a_manager_review(services):
    run_action(ActionSubmitReturn(), load_tracker("return_submit", customer_id=CRYSTAL))
    messages, _ = run_action(
        ActionEscalate(), load_tracker("ask_exception", customer_id=CRYSTAL)
    )
    assert response_names(messages) == ["utter_escalated"]
    assert messages[0]["phone_last_digits"] == "61"
    review = services.store.tickets(CRYSTAL)[0]
    assert review.topic == "manager_review" and review.order_id == CRYSTAL_ORDER


def test_exception_without_a_refusal_changes_nothing(services):
    before = services.store.tickets(CRYSTAL)
    messages, _ = run_action(
        ActionEscalate(), load_tracker("ask_exception", customer_id=CRYSTAL)
    )
    assert response_names(messages) == ["utter_nothing_to_escalate"]
    assert services.store.tickets(CRYSTAL) == before


def test_no_delivered_order_ends_the_form_with_a_reason(services):
    # Alessandro's only order is already returned: nothing to choose from.
    tracker = load_tracker("return_start", customer_id="aphoenix939")
    form = ValidateReturnForm()
    slots = asyncio.run(
        form.required_slots(
            ["order_id", "return_reason"], CollectingDispatcher(), tracker, {}
        )
    )
    assert slots == []
    messages, _ = run_action(
        ActionSubmitReturn(),
        load_tracker(
            "return_submit", customer_id="aphoenix939", slots={"order_id": None}
        ),
    )
    assert response_names(messages) == ["utter_return_no_orders"]
