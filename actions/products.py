"""Product search, sent as product cards.

Search goes through the knowledge index: the customer's words are embedded
and matched by meaning, while price bounds, colour, gender, kind and size are
hard filters, read from their words (knowledge.query) and from the NLU's
entities where the words did not say. "Something like my last jacket but
cheaper" searches by the purchased product's own description, under its
price. The last search is kept in the `product_search` slot, so "show me
more" pages on and "in black" or "cheaper" refines it.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from rasa_sdk.events import SlotSet

from actions.base import ConciergeAction, Turn
from knowledge.query import (
    ARTICLE_TYPES,
    CATEGORIES,
    ProductFilters,
    parse_product_query,
)
from profiles.views import OrderLineView, ProductView

CARD_LIMIT = 3
VIEWED_KIND = "product_viewed"  # the recommender counts it as a view
MAX_SHOWN = 30  # products one search pages through before it says "that's all"
SEARCH_SLOT = "product_search"

# Words that say nothing about the product wanted ("i'd like to buy some...").
FILLER_WORDS = frozenset(
    (
        "a", "about", "an", "and", "any", "anything", "are", "buy", "can", "could",
        "do", "does", "for", "from", "get", "got", "have", "help", "i", "i'd", "i'm",
        "im", "in", "is", "it", "like", "looking", "me", "more", "my", "need", "of",
        "on", "one", "ones", "or", "pair", "please", "pls", "show", "some", "something",
        "that", "the", "them", "there", "these", "this", "those", "to", "want", "wanna",
        "what", "with", "would", "you", "your", "cheaper", "cheap", "instead", "only",
        "just", "but", "also",
    )
)  # fmt: skip
# "like my last jacket", "similar to the new running shoes": the noun is up to
# three words, ending where the rest of the request ("but cheaper") begins.
_LIKE = re.compile(
    r"\b(?:like|similar to|same as)\s+(?:my|the)\s+"
    r"(?:(?:last|latest|recent|new|old|other)\s+)?"
    r"([a-z'-]+(?:\s+[a-z'-]+){0,2}?)"
    r"(?=\s+(?:but|in|under|for|with|and|that|which|only)\b|\s*[,.!?]|\s*$)"
)
_CHEAPER = re.compile(r"\b(?:cheaper|less expensive|lower price|on a budget)\b")


@dataclass(frozen=True)
class ProductRequest:
    """One search: the words to embed, the hard filters, what was shown.

    `like` is the product the search is "like" (its description is embedded
    instead of the words, and it is never shown itself).
    """

    text: str
    filters: ProductFilters = field(default_factory=ProductFilters)
    like: int | None = None
    shown: tuple[int, ...] = ()

    def to_slot(self) -> str:
        return json.dumps(
            {
                "text": self.text,
                "filters": self.filters.as_kwargs(),
                "like": self.like,
                "shown": list(self.shown),
            }
        )

    @classmethod
    def from_slot(cls, raw: Any) -> ProductRequest | None:
        """The request kept in the slot; None when there is none or any part of
        it has the wrong type (anyone can set a slot with a typed payload)."""
        if not isinstance(raw, str) or not raw:
            return None
        try:
            data = json.loads(raw)
            like = data.get("like")
            shown = [parse_product_id(i) for i in data.get("shown") or ()]
            if not isinstance(data["text"], str) or None in shown:
                return None
            if like is not None and parse_product_id(like) is None:
                return None
            return cls(
                text=data["text"],
                filters=_filters(data.get("filters") or {}),
                like=None if like is None else parse_product_id(like),
                shown=tuple(shown),
            )
        except (ValueError, TypeError, KeyError, AttributeError):
            return None


def _filters(raw: dict[str, Any]) -> ProductFilters:
    """Filters from the slot's JSON; ValueError for a value of the wrong type."""
    values: dict[str, Any] = {}
    for name in ("max_price", "min_price"):
        price = raw.get(name)
        if price is not None:
            if isinstance(price, bool) or not isinstance(price, int | float):
                raise ValueError(f"{name} is not a number")
            if not math.isfinite(price):
                raise ValueError(f"{name} is not finite")
            values[name] = float(price)
    for name in ("colour", "gender", "category", "size"):
        value = raw.get(name)
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{name} is not text")
        values[name] = value
    kind = raw.get("article_type")
    if isinstance(kind, list) and all(isinstance(k, str) for k in kind):
        kind = tuple(kind)
    if kind is not None and not isinstance(kind, str | tuple):
        raise ValueError("article_type is not text")
    return ProductFilters(**values, article_type=kind)


MAX_ID_DIGITS = 12  # product ids are far shorter; longer input is not an id


def parse_product_id(value: Any) -> int | None:
    """A product id from a payload or a slot, or None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value < 10**MAX_ID_DIGITS else None
    text = str(value).strip()
    if not text.isdecimal() or not text.isascii() or len(text) > MAX_ID_DIGITS:
        return None
    return int(text) or None


def message_text(turn: Turn) -> str:
    """The customer's words; empty for a button payload ("/intent{...}")."""
    text = (turn.tracker.latest_message.get("text") or "").strip()
    return "" if text.startswith("/") else text


def product_words(text: str) -> str:
    """The words of `text` that describe a product, fillers left out."""
    words = (word.strip(".,!?;:'\"") for word in text.lower().split())
    return " ".join(w for w in words if len(w) > 1 and w not in FILLER_WORDS)


def _price(raw: str | None) -> float | None:
    """The first number of a price entity ("$60", "20-50" gives 20)."""
    number = re.search(r"\d+(?:\.\d{1,2})?", raw or "")
    return float(number.group()) if number else None


def _kind(raw: str | None) -> dict[str, Any]:
    """The article type or category filter a product-type entity names, if known."""
    word = (raw or "").strip().lower()
    if word in ARTICLE_TYPES:
        kinds = ARTICLE_TYPES[word]
        return {"article_type": kinds[0] if len(kinds) == 1 else kinds}
    if word in CATEGORIES:
        return {"category": CATEGORIES[word]}
    return {}


def filters_of(turn: Turn, text: str) -> tuple[str, ProductFilters]:
    """(free words, filters): the parser reads the words, entities fill the gaps."""
    free, parsed = parse_product_query(text) if text else ("", ProductFilters())
    from_entities: dict[str, Any] = {
        "colour": (parse_product_query(turn.entity("colour") or "")[1]).colour,
        "gender": turn.entity("gender"),
        "max_price": _price(turn.entity("max_price")),
        "size": (turn.entity("size") or "").upper() or None,
        **_kind(turn.entity("product_type")),
    }
    wanted = {
        name: value
        for name, value in from_entities.items()
        if value is not None and getattr(parsed, name) is None
    }
    return product_words(free), replace(parsed, **wanted)


def describe(filters: ProductFilters) -> str:
    """Words for the embedding when the customer gave only filters."""
    kind = filters.article_type or filters.category or "clothes"
    kind = kind if isinstance(kind, str) else kind[0]
    parts = [filters.colour, kind, f"for {filters.gender}" if filters.gender else None]
    return " ".join(str(p).lower() for p in parts if p)


# Nouns that name no kind of product: "like my last order" means the newest purchase.
GENERIC_NOUNS = frozenset(("order", "purchase", "thing", "things", "item", "items"))


def last_purchase(
    turn: Turn, noun: str, filters: ProductFilters
) -> OrderLineView | None:
    """The customer's newest purchase that `noun` names ("jacket": the newest
    jacket); for a noun that names no kind ("order", "ones"), the newest of the
    kind the filters name, else the newest of all. None for a guest, or when
    nothing they bought is what they named."""
    if turn.customer is None:
        return None
    lines = [
        line
        for order in turn.services.store.orders(turn.customer.id)  # newest first
        if order.status != "cancelled"
        for line in order.lines
    ]
    words = [w for w in noun.split() if w not in GENERIC_NOUNS]
    if not words:
        kinds = filters.article_type
        kinds = (kinds,) if isinstance(kinds, str) else kinds or ()
        matching = [line for line in lines if line.article_type in kinds]
        return (matching or lines or [None])[0]
    kinds = _kind(words[-1]).get("article_type") or ()
    kinds = (kinds,) if isinstance(kinds, str) else kinds
    for line in lines:
        name = line.product_name.lower()
        if line.article_type in kinds or all(w.rstrip("s") in name for w in words):
            return line
    return None


def request_of(turn: Turn, previous: ProductRequest | None) -> ProductRequest:
    """The search this message asks for: new, "like" a product, or a refinement.

    May tell the customer why a "like my last ..." could not be followed.
    """
    text = message_text(turn)
    liked = parse_product_id(turn.entity("product_id") or "")
    if liked is not None and turn.services.store.product(liked) is not None:
        # a card's "More like this": a product viewed
        if turn.customer is not None:
            turn.services.store.log_interaction(
                turn.customer.id,
                VIEWED_KIND,
                intent=turn.intent,
                summary="more like this",
                session_id=turn.tracker.sender_id,
                product_id=liked,
            )
        return ProductRequest(text="", like=liked)
    lowered = text.lower()
    cheaper = bool(_CHEAPER.search(lowered))
    like = _LIKE.search(lowered)
    rest = f"{lowered[: like.start()]} {lowered[like.end() :]}" if like else lowered
    words, filters = filters_of(turn, rest)
    if like:
        noun = product_words(like.group(1))
        line = last_purchase(turn, noun, filters)
        if line is not None:
            if cheaper and filters.max_price is None:
                filters = replace(filters, max_price=float(line.unit_price) - 0.01)
            return ProductRequest(text="", filters=filters, like=line.product_id)
        if turn.customer is None:
            turn.say("utter_like_needs_sign_in")
        else:
            turn.say("utter_like_not_in_orders", item=noun or "that")
        words = " ".join(w for w in (words, noun) if w and w not in GENERIC_NOUNS)
        return ProductRequest(text=words, filters=filters)
    if previous is not None and not words:
        merged = {k: v for k, v in filters.as_kwargs().items() if v is not None}
        cheapest = _cheapest(turn, previous.shown) if cheaper else None
        if cheapest is not None and "max_price" not in merged:
            merged["max_price"] = cheapest - 0.01
        if merged:
            refined = replace(previous.filters, **merged)
            return replace(previous, filters=refined, shown=())
    return ProductRequest(text=words, filters=filters)


def _cheapest(turn: Turn, product_ids: Iterable[int]) -> float | None:
    """The lowest price among products shown; None when none is known."""
    table = turn.services.knowledge().products_table
    prices = [f.price for f in map(table.get, product_ids) if f is not None]
    return min(prices) if prices else None


def search(turn: Turn, request: ProductRequest) -> list[ProductView]:
    """The next page of the request's results, products already shown left out."""
    knowledge = turn.services.knowledge()
    skip = set(request.shown)
    text = request.text or describe(request.filters)
    if request.like is not None:
        facts = knowledge.products_table.get(request.like)
        text = facts.text if facts is not None else text
        skip.add(request.like)
    found = knowledge.search_products(
        text, k=len(skip) + CARD_LIMIT, **request.filters.as_kwargs()
    )
    store = turn.services.store
    fresh = [product_id for product_id, _ in found if product_id not in skip]
    products = (store.product(product_id) for product_id in fresh[:CARD_LIMIT])
    return [product for product in products if product is not None]


def more_like(product: ProductView) -> str:
    """A button payload that searches for products like this one."""
    return f'/product_search{{"product_id": "{product.id}"}}'


def not_for_me(product: ProductView) -> str:
    """A button payload that turns a suggested product down for good."""
    return f'/reject_suggestion{{"product_id": "{product.id}"}}'


def product_card(
    product: ProductView, reason: str | None, *, suggested: bool = False
) -> dict[str, Any]:
    """One product as the chat page's card (see bot/web/static); a suggested
    one also has a "Not for me" button."""
    buttons = [{"title": "More like this", "payload": more_like(product)}]
    if suggested:
        buttons.append({"title": "Not for me", "payload": not_for_me(product)})
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
        "sizes_in_stock": list(product.sizes_in_stock()),
        "buttons": buttons,
    }


def send_cards(turn: Turn, response: str, cards: Iterable[dict[str, Any]], **values):
    attachment = {"type": "product_cards", "products": list(cards)}
    turn.dispatcher.utter_message(response=response, attachment=attachment, **values)


def search_note(request: ProductRequest, products: list[ProductView]) -> str:
    """What the search was, in the shop's words: filters and products, no text."""
    filters = ", ".join(
        f"{name}={value}"
        for name, value in request.filters.as_kwargs().items()
        if value is not None
    )
    like = f"like product {request.like}; " if request.like is not None else ""
    shown = " ".join(str(p.id) for p in products) or "none"
    return f"{like}filters: {filters or 'none'}; shown: {shown}"


class ActionProductSearch(ConciergeAction):
    """A new search, a search like a product, or a refinement of the last one."""

    interaction_kind = "product_search"

    def name(self) -> str:
        return "action_product_search"

    def answer(self, turn: Turn) -> list[dict[str, Any]]:
        previous = ProductRequest.from_slot(turn.tracker.get_slot(SEARCH_SLOT))
        request = request_of(turn, previous)
        if not request.text and request.like is None and request.filters.is_empty():
            turn.say("utter_ask_product_details")
            return []
        return show_page(turn, request)


class ActionMoreProducts(ConciergeAction):
    """The next few products of the last search."""

    interaction_kind = "product_search"

    def name(self) -> str:
        return "action_more_products"

    def answer(self, turn: Turn) -> list[dict[str, Any]]:
        request = ProductRequest.from_slot(turn.tracker.get_slot(SEARCH_SLOT))
        if request is None:
            turn.say("utter_ask_product_details")
            return []
        if len(request.shown) >= MAX_SHOWN:
            turn.say("utter_products_no_more")
            return []
        return show_page(turn, request)


def show_page(turn: Turn, request: ProductRequest) -> list[dict[str, Any]]:
    """Cards for the next page of `request`, then the offer to see more or refine."""
    products = search(turn, request)
    turn.note(search_note(request, products))
    if not products:
        turn.say("utter_products_no_more" if request.shown else "utter_products_none")
        return []
    liked = _liked(turn, request)
    cards = [product_card(p, reason_for(request, liked, p)) for p in products]
    if request.like is not None and not request.shown:
        send_cards(
            turn,
            "utter_products_like",
            cards,
            product_name=name_of(liked[0] if liked else None),
        )
    else:
        send_cards(turn, "utter_products_found", cards)
    turn.say("utter_products_more_or_refine")
    shown = replace(request, shown=request.shown + tuple(p.id for p in products))
    return [SlotSet(SEARCH_SLOT, shown.to_slot())]


def _liked(turn: Turn, request: ProductRequest) -> tuple[ProductView, bool] | None:
    """The product the search is like, and whether the signed-in customer
    bought it; None for a search not like a product (or one gone)."""
    if request.like is None:
        return None
    liked = turn.services.store.product(request.like)
    if liked is None:
        return None
    store, customer = turn.services.store, turn.customer
    return liked, customer is not None and liked.id in store.owned_products(customer.id)


def reason_for(
    request: ProductRequest,
    liked: tuple[ProductView, bool] | None,
    product: ProductView,
) -> str | None:
    """Why this card: the product it is like, and by how much it is cheaper."""
    if liked is None:
        return None
    like, bought = liked
    saving = float(like.price) - float(product.price)
    cheaper = request.filters.max_price is not None and saving > 0
    if cheaper and bought:
        return f"Like your {like.name}, ${saving:.2f} less"
    if cheaper:
        return f"Like the {like.name}, ${saving:.2f} less"
    return f"Like the {like.name}"


def name_of(product: ProductView | None) -> str:
    return product.name if product is not None else "that one"
