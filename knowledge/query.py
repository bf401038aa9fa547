"""Product filters, and a parser that takes them out of a customer's words.

`parse_product_query("waterproof boots under 80 dollars")` gives the free text
left for the embedding ("waterproof boots") and the hard filters (max_price
80). The parser knows price bounds, the catalog's colours, gender words, sizes
and a few categories; whatever it does not know stays in the free text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields

COLOURS = (
    "black", "white", "blue", "brown", "grey", "red", "green", "navy blue",
    "pink", "purple", "silver", "yellow", "beige", "gold", "maroon", "orange",
    "olive", "cream", "charcoal", "off white", "peach", "lavender", "khaki",
    "teal", "magenta", "tan", "mustard", "bronze", "copper", "rust",
    "burgundy", "taupe", "mauve",
)  # fmt: skip
COLOUR_ALIASES = {"gray": "grey", "navy": "navy blue", "golden": "gold"}
GENDERS = {
    "men": "Men", "mens": "Men", "man": "Men", "male": "Men",
    "women": "Women", "womens": "Women", "woman": "Women", "ladies": "Women",
    "female": "Women", "boys": "Boys", "boy": "Boys", "girls": "Girls",
    "girl": "Girls", "unisex": "Unisex",
}  # fmt: skip
# Words naming a kind of article, and the catalog article types they mean.
ARTICLE_TYPES = {
    "sneakers": ("Casual Shoes", "Sports Shoes"),
    "trainers": ("Sports Shoes",),
    "running shoes": ("Sports Shoes",),
    "sandals": ("Sandals", "Sports Sandals"),
    "flip flops": ("Flip Flops",),
    "heels": ("Heels",),
    "t-shirts": ("Tshirts",), "t-shirt": ("Tshirts",), "tshirts": ("Tshirts",),
    "tshirt": ("Tshirts",), "tees": ("Tshirts",),
    "shirts": ("Shirts",), "shirt": ("Shirts",),
    "jeans": ("Jeans",), "trousers": ("Trousers",), "shorts": ("Shorts",),
    "jackets": ("Jackets", "Rain Jacket"), "jacket": ("Jackets", "Rain Jacket"),
    "sweaters": ("Sweaters",), "sweater": ("Sweaters",),
    "dresses": ("Dresses",), "dress": ("Dresses",),
    "watches": ("Watches",), "watch": ("Watches",),
    "handbags": ("Handbags",), "backpacks": ("Backpacks",),
    "sunglasses": ("Sunglasses",), "wallets": ("Wallets",), "belts": ("Belts",),
    "socks": ("Socks",), "caps": ("Caps",),
}  # fmt: skip
CATEGORIES = {
    "shoes": "Footwear", "boots": "Footwear", "footwear": "Footwear",
    "clothes": "Apparel", "clothing": "Apparel", "apparel": "Apparel",
    "accessories": "Accessories",
}  # fmt: skip
SIZE_WORDS = ("xxl", "xl", "xs", "s", "m", "l")  # "size m"; bare only when long

_NUMBER = r"\$?\s*(\d+(?:\.\d{1,2})?)\s*(?:dollars|usd|bucks|\$)?"
_MAX_PRICE = re.compile(
    rf"\b(?:under|below|less than|cheaper than|max|up to)\s+{_NUMBER}"
)
_MIN_PRICE = re.compile(rf"\b(?:over|above|more than|at least|from)\s+{_NUMBER}")
_BETWEEN = re.compile(rf"\bbetween\s+{_NUMBER}\s+and\s+{_NUMBER}")
_SIZE = re.compile(r"\bsize\s+(\d{1,2}|xxl|xl|xs|s|m|l)\b")
_BARE_SIZE = re.compile(r"\b(xxl|xl|xs)\b")
_GENDER = re.compile(r"\b(?:for\s+)?(" + "|".join(GENDERS) + r")(?:'s)?\b")


@dataclass(frozen=True)
class ProductFilters:
    """Hard filters on a product search; None means "any"."""

    max_price: float | None = None
    min_price: float | None = None
    colour: str | None = None
    gender: str | None = None
    article_type: str | tuple[str, ...] | None = None
    category: str | None = None
    size: str | None = None

    def is_empty(self) -> bool:
        return all(getattr(self, f.name) is None for f in fields(self))

    def as_kwargs(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def parse_product_query(query: str) -> tuple[str, ProductFilters]:
    """(free text, filters) of a product request in plain English.

    Takes out one price bound or range, one colour, one gender, one size and
    one kind of article; the kind also stays in the free text, as it helps the
    embedding. Numbers without a price word ("size 9") are never prices.
    """
    text = " " + query.lower().replace("’", "'") + " "
    found: dict[str, object] = {}
    text = _take_prices(text, found)
    text = _take(text, _SIZE, lambda m: found.setdefault("size", m.group(1).upper()))
    text = _take(
        text, _BARE_SIZE, lambda m: found.setdefault("size", m.group(1).upper())
    )
    text = _take(
        text, _GENDER, lambda m: found.setdefault("gender", GENDERS[m.group(1)])
    )
    text = _take_colour(text, found)
    _find_kind(text, found)
    free = re.sub(r"\s+", " ", text).strip(" ,.?!")
    return free, ProductFilters(**found)


def _take(text: str, pattern: re.Pattern[str], keep) -> str:
    match = pattern.search(text)
    if match is None:
        return text
    keep(match)
    return text[: match.start()] + " " + text[match.end() :]


def _take_prices(text: str, found: dict[str, object]) -> str:
    def between(match: re.Match[str]) -> None:
        low, high = sorted((float(match.group(1)), float(match.group(2))))
        found.update(min_price=low, max_price=high)

    text = _take(text, _BETWEEN, between)
    if "max_price" not in found:
        text = _take(text, _MAX_PRICE, lambda m: found.update(max_price=float(m[1])))
        text = _take(text, _MIN_PRICE, lambda m: found.update(min_price=float(m[1])))
    return text


def _take_colour(text: str, found: dict[str, object]) -> str:
    names = sorted((*COLOURS, *COLOUR_ALIASES), key=len, reverse=True)
    for name in names:
        match = re.search(rf"\b{re.escape(name)}\b", text)
        if match:
            found["colour"] = COLOUR_ALIASES.get(name, name).title()
            return text[: match.start()] + " " + text[match.end() :]
    return text


def _find_kind(text: str, found: dict[str, object]) -> None:
    for word in sorted(ARTICLE_TYPES, key=len, reverse=True):
        if re.search(rf"\b{re.escape(word)}\b", text):
            kinds = ARTICLE_TYPES[word]
            found["article_type"] = kinds[0] if len(kinds) == 1 else kinds
            return
    for word, category in CATEGORIES.items():
        if re.search(rf"\b{word}\b", text):
            found["category"] = category
            return
