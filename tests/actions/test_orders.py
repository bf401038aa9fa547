"""Order status, cancellation and address changes against the seeded shop."""

from __future__ import annotations

import pytest

from actions.orders import ActionCancelOrder, ActionChangeAddress, ActionOrderStatus
from tests.actions.conftest import (
    entity,
    find_order,
    load_tracker,
    response_names,
    run_action,
)

CRYSTAL, CRYSTAL_ORDER = "cminh730", "3348917502"
ALESSANDRO_ORDER = "7916676427"


def customers_with(services, predicate):
    for customer in services.store.demo_customers(limit=400):
        if predicate(services.store.open_orders(customer.id)):
            return customer
    raise AssertionError("the seeded shop has no such customer")


def test_guest_is_asked_to_sign_in(services):
    messages, events = run_action(ActionOrderStatus(), load_tracker("order_status"))
    assert response_names(messages) == ["utter_sign_in_needed"]
    assert events == []


def test_one_open_order_needs_no_number(services):
    customer = customers_with(services, lambda orders: len(orders) == 1)
    tracker = load_tracker("order_status", customer_id=customer.id)
    messages, events = run_action(ActionOrderStatus(), tracker)
    (only,) = services.store.open_orders(customer.id)
    assert response_names(messages) == [f"utter_order_{only.status}"]
    assert messages[0]["order_id"] == only.id
    assert {"event": "slot", "name": "order_id", "value": only.id} in [
        {k: e[k] for k in ("event", "name", "value")} for e in events
    ]


def test_several_open_orders_offer_buttons(services):
    customer = customers_with(services, lambda orders: len(orders) >= 2)
    tracker = load_tracker("order_status", customer_id=customer.id)
    messages, _ = run_action(ActionOrderStatus(), tracker)
    open_ids = {order.id for order in services.store.open_orders(customer.id)}
    assert response_names(messages) == ["utter_choose_order"]
    payloads = [button["payload"] for button in messages[0]["buttons"]]
    assert {p.split('"')[3] for p in payloads} <= open_ids
    assert len(payloads) == min(5, len(open_ids))


def test_no_open_orders_tells_the_latest(services):
    tracker = load_tracker("order_status", customer_id=CRYSTAL)
    messages, _ = run_action(ActionOrderStatus(), tracker)
    assert response_names(messages) == ["utter_no_open_orders", "utter_order_delivered"]
    assert messages[1]["order_id"] == CRYSTAL_ORDER


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("entity", id="typed-entity"),
        pytest.param("slot", id="slot-set-earlier"),
    ],
)
def test_another_customers_order_is_never_shown(services, source):
    values = {"order_id": ALESSANDRO_ORDER}
    tracker = load_tracker(
        "order_status",
        customer_id=CRYSTAL,
        entities=[entity("order_id", ALESSANDRO_ORDER)] if source == "entity" else [],
        slots=values if source == "slot" else {},
    )
    messages, _ = run_action(ActionOrderStatus(), tracker)
    assert all(
        m.get("order_id") != ALESSANDRO_ORDER
        or m["response"] == "utter_order_not_found"
        for m in messages
    )
    assert "Michael Kors Shirt" not in str(messages)


def test_cancel_a_placed_order(services):
    customer, placed = find_order(services, lambda c, o: o.status == "placed")
    tracker = load_tracker(
        "cancel_order",
        customer_id=customer.id,
        entities=[entity("order_id", placed.id)],
    )
    messages, _ = run_action(ActionCancelOrder(), tracker)
    assert response_names(messages) == ["utter_cancel_done"]
    assert services.store.order(customer.id, placed.id).status == "cancelled"


def test_a_shipped_order_cannot_be_cancelled(services):
    customer, shipped = find_order(services, lambda c, o: o.status == "shipped")
    tracker = load_tracker(
        "cancel_order",
        customer_id=customer.id,
        entities=[entity("order_id", shipped.id)],
    )
    messages, _ = run_action(ActionCancelOrder(), tracker)
    assert response_names(messages) == ["utter_cancel_not_possible"]
    assert services.store.order(customer.id, shipped.id).status == "shipped"


def test_address_change_of_a_shipped_order_is_refused(services):
    customer = customers_with(
        services, lambda orders: len(orders) == 1 and orders[0].status == "shipped"
    )
    tracker = load_tracker(
        "cancel_order", customer_id=customer.id, intent="change_address"
    )
    messages, _ = run_action(ActionChangeAddress(), tracker)
    assert response_names(messages) == ["utter_address_change_too_late"]
