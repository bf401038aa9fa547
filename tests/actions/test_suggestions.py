"""Suggestions through the action: cards with reasons and "Not for me",
turned-down products never shown again, guests remembered for nothing."""

from __future__ import annotations

import pytest

from actions.suggestions import SHOWN_SLOT, ActionRejectSuggestion, ActionSuggest
from tests.actions.conftest import entity, load_tracker, response_names, run_action
from tests.actions.test_products import CRYSTAL, NOT_IDS, cards


def suggest(customer_id=None, slots=None):
    tracker = load_tracker("suggest", customer_id=customer_id, slots=slots)
    return run_action(ActionSuggest(), tracker)


def reject(customer_id=None, product_id=None, shown=None):
    entities = [entity("product_id", str(product_id))] if product_id else []
    tracker = load_tracker(
        "suggest",
        customer_id=customer_id,
        text="not interested",
        intent="reject_suggestion",
        entities=entities,
        slots={SHOWN_SLOT: shown},
    )
    return run_action(ActionRejectSuggestion(), tracker)


def test_a_suggestion_turned_down_is_never_suggested_again(services):
    messages, events = suggest(CRYSTAL)
    first = cards(messages)
    assert first
    assert [b["title"] for b in first[0]["buttons"]] == ["More like this", "Not for me"]
    assert events[-1]["value"] == [card["id"] for card in first]

    turned_down = first[0]["id"]
    said, _ = reject(CRYSTAL, product_id=turned_down)
    assert response_names(said) == ["utter_suggestion_turned_down"]
    assert services.store.turned_down(CRYSTAL) == {turned_down}
    for _ in range(3):
        again, _ = suggest(CRYSTAL)
        assert turned_down not in {card["id"] for card in cards(again)}


def test_not_interested_turns_down_every_product_just_suggested(services):
    _, events = suggest(CRYSTAL)
    shown = events[-1]["value"]
    said, slot_events = reject(CRYSTAL, shown=shown)
    assert response_names(said) == ["utter_suggestions_turned_down"]
    assert services.store.turned_down(CRYSTAL) == set(shown)
    assert slot_events[-1]["value"] is None


def test_not_interested_with_nothing_suggested_asks_what_they_want(services):
    said, _ = reject(CRYSTAL, shown=None)
    assert response_names(said) == ["utter_nothing_to_turn_down"]


def test_a_guest_turning_down_is_acknowledged_and_nothing_is_stored(services):
    _, events = suggest()
    shown = events[-1]["value"]
    said, _ = reject(None, shown=shown)
    assert response_names(said) == ["utter_turned_down_guest"]
    assert all(
        not services.store.turned_down(c.id) for c in services.store.demo_customers(5)
    )


@pytest.mark.parametrize("typed", NOT_IDS)
def test_turning_down_a_typed_id_that_is_no_id_is_harmless(services, typed):
    said, _ = reject(CRYSTAL, product_id=typed)
    assert response_names(said) == ["utter_nothing_to_turn_down"]


def goes_with(customer_id, text):
    tracker = load_tracker(
        "suggest",
        customer_id=customer_id,
        text=text,
        entities=[entity("product_type", text.split()[-1])],
    )
    return run_action(ActionSuggest(), tracker)


def test_goes_with_a_purchase_they_never_made_says_so_and_suggests(services):
    messages, _ = goes_with(CRYSTAL, "what goes with my new jacket")
    assert response_names(messages)[0] == "utter_goes_with_not_in_orders"
    assert messages[0]["item"] == "jacket"
    assert cards(messages)


def test_goes_with_as_a_guest_asks_to_sign_in_and_shows_popular(services):
    messages, _ = goes_with(None, "what goes with my new jeans")
    assert response_names(messages)[:2] == [
        "utter_goes_with_needs_sign_in",
        "utter_suggestions_popular",
    ]


def test_goes_with_their_own_purchase_names_it(services):
    messages, _ = goes_with(CRYSTAL, "what goes with my new jeans")
    assert response_names(messages) == ["utter_suggestions_go_with"]
    assert messages[0]["product_name"] == "Michael Kors Jeans"
    assert all(
        c["reason"] == "To wear with your Michael Kors Jeans" for c in cards(messages)
    )
