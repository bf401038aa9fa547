"""Product search through the knowledge index: filters, paging, refining,
"like my last ..." and the cards' "More like this"."""

from __future__ import annotations

import json

import pytest

from actions.products import (
    SEARCH_SLOT,
    ActionMoreProducts,
    ActionProductSearch,
    ProductRequest,
)
from tests.actions.conftest import entity, load_tracker, response_names, run_action

CRYSTAL = "cminh730"  # bought only Michael Kors Jeans
NOT_IDS = ["²", "9" * 30, "-3", "0", "1e3"]  # typed where a product id goes


def search(text: str, *, customer_id=None, entities=(), slot=None, intent=None):
    """(messages, the search slot's new value) of one product search message."""
    tracker = load_tracker(
        "product_search",
        customer_id=customer_id,
        text=text,
        intent=intent,
        entities=list(entities),
        slots={SEARCH_SLOT: slot},
    )
    action = (
        ActionMoreProducts() if intent == "more_products" else ActionProductSearch()
    )
    messages, events = run_action(action, tracker)
    new_slot = next((e["value"] for e in events if e.get("name") == SEARCH_SLOT), None)
    return messages, new_slot


def cards(messages) -> list[dict]:
    return [
        card
        for message in messages
        for card in (message.get("attachment") or {}).get("products", [])
    ]


@pytest.mark.parametrize(
    "text, entities, check",
    [
        pytest.param(
            "navy shirt for men size M",
            [],
            lambda c: (
                c["colour"] == "Navy Blue"
                and c["article_type"] == "Shirts"
                and "M" in c["sizes_in_stock"]
            ),
            id="colour-kind-gender-size",
        ),
        pytest.param(
            "black shoes for men under 60",
            [entity("colour", "Black"), entity("max_price", "60")],
            lambda c: c["colour"] == "Black" and c["price"] <= 60,
            id="colour-price",
        ),
        pytest.param(
            "watches between 50 and 90 dollars",
            [],
            lambda c: c["article_type"] == "Watches" and 50 <= c["price"] <= 90,
            id="price-range",
        ),
        pytest.param(
            "a cap for my dad",
            [entity("product_type", "caps"), entity("gender", "Men")],
            lambda c: c["article_type"] == "Caps",
            id="entities-only",
        ),
    ],
)
def test_every_card_passes_the_filters(services, text, entities, check):
    messages, _ = search(text, entities=entities)
    found = cards(messages)
    assert found, response_names(messages)
    assert all(check(card) for card in found), found


def test_nothing_passing_the_filters_says_so_instead_of_bending_them(services):
    messages, slot = search("a watch under 2 dollars")
    assert response_names(messages) == ["utter_products_none"]
    assert slot is None


def test_gender_from_the_words_admits_unisex_but_no_other(services):
    messages, _ = search("sunglasses for women")
    products = [services.store.product(card["id"]) for card in cards(messages)]
    assert products
    assert {p.gender for p in products} <= {"Women", "Unisex"}


def test_results_come_with_the_offer_to_see_more_or_narrow_down(services):
    messages, slot = search("navy shirt for men")
    assert response_names(messages) == [
        "utter_products_found",
        "utter_products_more_or_refine",
    ]
    kept = ProductRequest.from_slot(slot)
    assert kept.shown == tuple(card["id"] for card in cards(messages))


def test_show_more_pages_on_without_repeats_and_keeps_the_filters(services):
    first, slot = search("navy shirt for men size M")
    second, slot = search("/more_products", intent="more_products", slot=slot)
    first_ids = {card["id"] for card in cards(first)}
    second_cards = cards(second)
    assert second_cards
    assert first_ids.isdisjoint(card["id"] for card in second_cards)
    assert all(card["colour"] == "Navy Blue" for card in second_cards)
    assert len(ProductRequest.from_slot(slot).shown) == 6


def test_a_filter_alone_after_a_search_refines_it(services):
    _, slot = search("casual shoes for men")
    messages, refined = search(
        "in black", entities=[entity("colour", "black")], slot=slot
    )
    assert cards(messages)
    assert all(card["colour"] == "Black" for card in cards(messages))
    request = ProductRequest.from_slot(refined)
    assert request.text == "casual shoes"
    assert request.filters.gender == "Men" and request.filters.colour == "Black"


def test_cheaper_refines_below_the_cheapest_shown(services):
    first, slot = search("watches for men")
    cheapest = min(card["price"] for card in cards(first))
    messages, _ = search("anything cheaper?", slot=slot)
    assert cards(messages)
    assert all(card["price"] < cheapest for card in cards(messages))


def test_new_product_words_start_a_new_search(services):
    _, slot = search("navy shirt for men")
    messages, new_slot = search("red dress", slot=slot)
    assert ProductRequest.from_slot(new_slot).filters.gender is None
    assert all(card["colour"] == "Red" for card in cards(messages))


def line_of_kind(services, article_type: str):
    """(customer, order line) of a seeded customer who bought that kind."""
    for customer in services.store.demo_customers(limit=400):
        for order in services.store.orders(customer.id):
            if order.status == "cancelled":
                continue
            for line in order.lines:
                if line.article_type == article_type:
                    return customer, line
    raise AssertionError(f"nobody in the seeded shop bought {article_type}")


def test_like_my_last_purchase_but_cheaper(services):
    customer, line = line_of_kind(services, "Tshirts")
    messages, slot = search(
        "something like my last t-shirt but cheaper", customer_id=customer.id
    )
    assert response_names(messages)[0] == "utter_products_like"
    found = cards(messages)
    assert found
    for card in found:
        assert card["id"] != line.product_id
        assert card["price"] < float(line.unit_price)
        assert card["reason"].startswith(f"Like your {line.product_name}")
    assert ProductRequest.from_slot(slot).like == line.product_id


def test_like_a_kind_they_never_bought_says_so_and_searches(services):
    messages, _ = search(
        "something like my last jacket", customer_id=CRYSTAL, entities=[]
    )
    assert response_names(messages)[:2] == [
        "utter_like_not_in_orders",
        "utter_products_found",
    ]
    assert messages[0]["item"] == "jacket"
    assert all("Jacket" in card["article_type"] for card in cards(messages))


def test_like_my_last_purchase_as_a_guest_asks_to_sign_in(services):
    messages, _ = search("something like my last jacket")
    assert response_names(messages)[0] == "utter_like_needs_sign_in"
    assert "utter_products_like" not in response_names(messages)


def test_more_like_this_button_finds_similar_products_but_not_itself(services):
    first, _ = search("white sneakers")
    card = cards(first)[0]
    payload = card["buttons"][0]["payload"]
    assert payload == "/product_search" + json.dumps({"product_id": str(card["id"])})
    product_id = card["id"]
    messages, _ = search(payload, entities=[entity("product_id", str(product_id))])
    assert response_names(messages)[0] == "utter_products_like"
    assert cards(messages)
    assert product_id not in {card["id"] for card in cards(messages)}


@pytest.mark.parametrize("text", ["show me something", "/product_search"])
def test_a_request_with_nothing_to_search_asks_what_they_want(services, text):
    messages, slot = search(text)
    assert response_names(messages) == ["utter_ask_product_details"]
    assert slot is None


@pytest.mark.parametrize(
    "slot",
    [
        "{not json",
        '{"filters": 3}',
        "[]",
        '"text"',
        '{"text": "x", "like": "abc"}',
        '{"text": "x", "like": [1]}',
        '{"text": "x", "like": 1000000000000000000000000000000}',
        '{"text": "x", "filters": {"max_price": "x"}}',
        '{"text": "x", "filters": {"max_price": NaN}}',
        '{"text": "x", "filters": {"colour": 5}}',
        '{"text": "x", "shown": ["1", "abc"]}',
    ],
)
def test_an_unreadable_search_slot_is_ignored(services, slot):
    messages, _ = search("/more_products", intent="more_products", slot=slot)
    assert response_names(messages) == ["utter_ask_product_details"]


def test_the_search_is_logged_with_filters_and_products_not_words(services):
    messages, _ = search("navy shirt for men", customer_id=CRYSTAL)
    record = services.store.last_interaction(CRYSTAL)
    assert record.kind == "product_search"
    assert "colour=Navy Blue" in record.summary
    assert str(cards(messages)[0]["id"]) in record.summary
    assert "navy shirt for men" not in record.summary


def test_more_like_this_is_recorded_as_a_view(services):
    first, _ = search("white sneakers", customer_id=CRYSTAL)
    product_id = cards(first)[0]["id"]
    search(
        f'/product_search{{"product_id": "{product_id}"}}',
        customer_id=CRYSTAL,
        entities=[entity("product_id", str(product_id))],
    )
    viewed = [e for e in services.store.product_events(CRYSTAL) if e.kind != "purchase"]
    assert [(e.product_id, e.kind) for e in viewed] == [(product_id, "product_viewed")]


@pytest.mark.parametrize("typed", NOT_IDS)
def test_a_typed_product_id_that_is_no_id_is_harmless(services, typed):
    messages, _ = search("/product_search", entities=[entity("product_id", typed)])
    assert response_names(messages) == ["utter_ask_product_details"]


def test_a_search_like_someone_elses_purchase_never_says_your(services):
    customer, line = line_of_kind(services, "Tshirts")
    _, slot = search(
        "something like my last t-shirt but cheaper", customer_id=customer.id
    )
    messages, _ = search("/more_products", intent="more_products", slot=slot)  # a guest
    assert cards(messages)
    for card in cards(messages):
        assert not card["reason"].startswith("Like your")
        assert card["reason"].startswith(f"Like the {line.product_name}")
