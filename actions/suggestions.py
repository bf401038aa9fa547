"""Suggestions, and "not for me".

Suggestions come from the recommender (profiles.recommend.service): built
from the customer's purchases and views, under the shop's rules, each with
the reason behind it; "what goes with my new jacket" and gift ideas ("under
$50 for my brother") shape the request. A product turned down, on its card or
with "not interested", never comes back.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk.events import SlotSet

from actions.base import ConciergeAction, Turn
from actions.products import (
    CARD_LIMIT,
    MAX_SHOWN,
    filters_of,
    last_purchase,
    message_text,
    name_of,
    parse_product_id,
    product_card,
    product_words,
    send_cards,
)
from profiles.recommend.service import Pick, SuggestionRequest
from profiles.views import TURNED_DOWN_KIND

SHOWN_SLOT = "suggestions_shown"

# "a gift", "a present", "for my brother": the suggestions are for someone else.
_GIFT = re.compile(r"\b(?:gifts?|presents?|for (?:my|a|her|his) [a-z]+)\b")
# "what goes with my new jacket", "something to wear with my jeans"
_GOES_WITH = re.compile(r"\b(?:go(?:es)? with|wear with|match(?:es)?|pair with)\b")


def suggestion_request(turn: Turn) -> tuple[SuggestionRequest, str | None]:
    """What the customer asked for, and the kind of their purchase it must go
    with when that purchase cannot be found (None otherwise)."""
    text = message_text(turn).lower()
    words, filters = filters_of(turn, text)
    gift = bool(_GIFT.search(text))
    goes_with, missing = None, None
    if _GOES_WITH.search(text):
        noun = product_words(turn.entity("product_type") or words)
        line = last_purchase(turn, noun, filters)
        if line is not None:
            goes_with = line.product_id
        elif noun:
            missing = noun
    request = SuggestionRequest(
        max_price=filters.max_price,
        gender=filters.gender if gift else None,
        gift=gift,
        goes_with=goes_with,
    )
    return request, missing


class ActionSuggest(ConciergeAction):
    """Suggestions with reasons, under the shop's rules; each shown one is
    logged with its reason, and none the customer turned down comes back."""

    interaction_kind = None

    def name(self) -> str:
        return "action_suggest"

    def answer(self, turn: Turn) -> list[dict[str, Any]]:
        request, missing = suggestion_request(turn)
        if missing and turn.customer is None:
            turn.say("utter_goes_with_needs_sign_in")
        elif missing:
            turn.say("utter_goes_with_not_in_orders", item=missing)
        picks = turn.services.suggester().suggest(turn.customer, request, k=CARD_LIMIT)
        if not picks:
            turn.say("utter_suggestions_none")
            return []
        cards = [product_card(p.product, p.reason, suggested=True) for p in picks]
        response, values = suggestion_response(turn, request, picks)
        send_cards(turn, response, cards, **values)
        if turn.customer is not None:
            turn.services.store.log_products(
                turn.customer.id,
                "suggestion_shown",
                [
                    (p.product.id, f"product {p.product.id} ({p.model}): {p.reason}")
                    for p in picks
                ],
                intent=turn.intent,
                session_id=turn.tracker.sender_id,
            )
        return [SlotSet(SHOWN_SLOT, [p.product.id for p in picks])]


def suggestion_response(
    turn: Turn, request: SuggestionRequest, picks: list[Pick]
) -> tuple[str, dict[str, Any]]:
    """The sentence above the cards, and its values."""
    if request.goes_with is not None:
        anchor = turn.services.store.product(request.goes_with)
        return "utter_suggestions_go_with", {"product_name": name_of(anchor)}
    if request.gift:
        return "utter_suggestions_gift", {}
    if turn.customer is not None and any(p.model != "popularity" for p in picks):
        return "utter_suggestions_intro", {}
    return "utter_suggestions_popular", {}


class ActionRejectSuggestion(ConciergeAction):
    """ "Not for me" on a card, or "not interested" after suggestions: the
    product (or every product just suggested) is never suggested again."""

    interaction_kind = None

    def name(self) -> str:
        return "action_reject_suggestion"

    def answer(self, turn: Turn) -> list[dict[str, Any]]:
        named = parse_product_id(turn.entity("product_id") or "")
        shown = turn.tracker.get_slot(SHOWN_SLOT) or []
        ids = [named] if named is not None else _ids(shown)
        store = turn.services.store
        products = [p for p in map(store.product, ids) if p is not None]
        if not products:
            turn.say("utter_nothing_to_turn_down")
            return []
        if turn.customer is None:
            turn.say("utter_turned_down_guest")
            return [SlotSet(SHOWN_SLOT, None)]
        if turn.customer is not None:
            store.log_products(
                turn.customer.id,
                TURNED_DOWN_KIND,
                [(p.id, f"product {p.id} turned down") for p in products],
                intent=turn.intent,
                session_id=turn.tracker.sender_id,
            )
        if len(products) == 1:
            turn.say("utter_suggestion_turned_down", product_name=products[0].name)
        else:
            turn.say("utter_suggestions_turned_down")
        return [SlotSet(SHOWN_SLOT, None)]


def _ids(values: Any) -> list[int]:
    """The product ids in a slot value; anything else in it is ignored."""
    if not isinstance(values, list):
        return []
    ids = (parse_product_id(value) for value in values[:MAX_SHOWN])
    return [product_id for product_id in ids if product_id is not None]
