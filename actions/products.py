"""Product search and suggestions, sent as product cards.

Search is the store's attribute search for now; suggestions are similar to the
customer's last purchase, in stock and not already owned, each with the reason
built from the purchase record.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from actions.base import ConciergeAction, Turn
from profiles.views import ProductView, Suggestion

CARD_LIMIT = 3


def more_like(product: ProductView) -> str:
    """A button payload that searches for more of the product's type."""
    entities = json.dumps({"product_type": product.article_type})
    return f"/product_search{entities}"


def product_card(product: ProductView, reason: str | None) -> dict[str, Any]:
    """One product as the chat page's card (see bot/web/static)."""
    return {
        "id": product.id,
        "name": product.name,
        "price": float(product.price),
        "currency": "USD",
        "reason": reason,
        "image_url": product.image_url,
        "in_stock": product.in_stock,
        "colour": product.colour,
        "article_type": product.article_type,
        "buttons": [
            {
                "title": "More like this",
                "payload": more_like(product),
            }
        ],
    }


def send_cards(turn: Turn, response: str, cards: Iterable[dict[str, Any]]) -> None:
    cards = list(cards)
    attachment = {"type": "product_cards", "products": cards}
    turn.dispatcher.utter_message(response=response, attachment=attachment)


def _max_price(turn: Turn) -> float | None:
    raw = turn.entity("max_price")
    if raw is None:
        return None
    digits = "".join(ch for ch in raw if ch.isdigit() or ch == ".")
    try:
        return float(digits) if digits else None
    except ValueError:
        return None


# Words that say nothing about the product wanted ("i'd like to buy some...").
FILLER_WORDS = frozenset(
    """about any anything are buy can could do does for from get got have
    help i i'd i'm im like looking looking me my need please show some
    something that the them there these this those to want wanna what with
    would you your""".split()
)


def _words(turn: Turn) -> tuple[str, ...]:
    text = (turn.tracker.latest_message.get("text") or "").lower()
    if text.startswith("/"):
        return ()
    words = (word.strip(".,!?;:'\"") for word in text.split())
    return tuple(w for w in words if len(w) > 2 and w not in FILLER_WORDS)


def find_products(turn: Turn) -> list[ProductView]:
    """Entities are hard filters; free words refine only when there are none.

    The attribute search needs every word to match, so when the whole phrase
    finds nothing, each word is tried on its own.
    """
    filters = {
        "colour": turn.entity("colour"),
        "gender": turn.entity("gender"),
        "article_type": turn.entity("product_type"),
        "max_price": _max_price(turn),
    }
    words = () if any(v is not None for v in filters.values()) else _words(turn)
    search = turn.services.store.search_products
    found = search(words=words, limit=CARD_LIMIT, **filters)
    for word in words if not found and len(words) > 1 else ():
        found = search(words=(word,), limit=CARD_LIMIT, **filters)
        if found:
            break
    return found


class ActionProductSearch(ConciergeAction):
    interaction_kind = "product_search"

    def name(self) -> str:
        return "action_product_search"

    def answer(self, turn: Turn) -> list[dict[str, Any]]:
        products = find_products(turn)
        if not products:
            turn.say("utter_products_none")
            return []
        send_cards(
            turn, "utter_products_found", (product_card(p, None) for p in products)
        )
        return []


class ActionSuggest(ConciergeAction):
    """Suggestions with reasons; each shown one is logged with its reason."""

    interaction_kind = None

    def name(self) -> str:
        return "action_suggest"

    def answer(self, turn: Turn) -> list[dict[str, Any]]:
        store = turn.services.store
        suggestions: list[Suggestion] = []
        if turn.customer is not None:
            suggestions = store.similar_to_last_purchase(turn.customer.id, CARD_LIMIT)
        response = "utter_suggestions_intro"
        if not suggestions:
            suggestions = store.popular_products(CARD_LIMIT)
            response = "utter_suggestions_popular"
        if not suggestions:
            turn.say("utter_products_none")
            return []
        cards = (product_card(s.product, s.reason) for s in suggestions)
        send_cards(turn, response, cards)
        if turn.customer is not None:
            for suggestion in suggestions:
                store.log_interaction(
                    turn.customer.id,
                    "suggestion_shown",
                    intent=turn.intent,
                    summary=f"product {suggestion.product.id}: {suggestion.reason}",
                    session_id=turn.tracker.sender_id,
                )
        return []
