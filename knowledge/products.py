"""Products as the index sees them: one sentence of text and the facts to filter.

A product's vector id is its product id. Facts (price, colour, gender, article
type, sizes in stock) are held in a `ProductTable` of numpy columns, so a hard
filter over the whole catalog is a few vector comparisons, not a SQL query.
Products come from the profile store (read-only), a raw catalog file, or views.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import select

from profiles.catalog import product_fields, read_catalog
from profiles.models import Product
from profiles.views import ProductView

if TYPE_CHECKING:
    from profiles.store import ProfileStore

    from .query import ProductFilters

logger = logging.getLogger(__name__)

# Which catalog genders a customer's gender words admit.
GENDER_MATCHES = {
    "Men": ("Men", "Unisex"),
    "Women": ("Women", "Unisex"),
    "Boys": ("Boys",),
    "Girls": ("Girls",),
    "Unisex": ("Unisex",),
}
GENDER_PHRASES = {
    "Men": "for men",
    "Women": "for women",
    "Boys": "for boys",
    "Girls": "for girls",
    "Unisex": "for men and women",
}


@dataclass(frozen=True)
class ProductFacts:
    """What search needs of a product: its text and the values filters test."""

    id: int
    text: str
    price: float
    colour: str | None
    gender: str
    article_type: str
    master_category: str
    sizes_in_stock: frozenset[str]

    @property
    def in_stock(self) -> bool:
        return bool(self.sizes_in_stock)


def product_text(
    *,
    name: str,
    brand: str,
    gender: str,
    colour: str | None,
    article_type: str,
    sub_category: str,
    master_category: str,
    season: str | None,
    usage: str | None,
) -> str:
    """One sentence that says what the product is, as a customer would ask.

    "Puma Men Black Sports Shoes. Black sports shoes by Puma, for men;
    footwear, shoes; sports wear for summer."
    """
    what = " ".join(part for part in (colour, article_type) if part).lower()
    kinds = ", ".join(dict.fromkeys(k.lower() for k in (master_category, sub_category)))
    wear = f"{usage.lower()} wear" if usage else "wear"
    season_part = f" for {season.lower()}" if season else ""
    gender_part = GENDER_PHRASES.get(gender, f"for {gender.lower()}")
    return (
        f"{name}. {what.capitalize()} by {brand}, {gender_part}; "
        f"{kinds}; {wear}{season_part}."
    )


def facts_from_fields(fields: Mapping[str, Any]) -> ProductFacts:
    """Facts of a products-table record (profiles.catalog.product_fields, a row)."""
    sizes = fields["sizes"]
    sizes = sizes.split(",") if isinstance(sizes, str) else list(sizes)
    stock = fields.get("stock") or {}
    return ProductFacts(
        id=int(fields["id"]),
        text=product_text(
            name=fields["name"],
            brand=fields["brand"],
            gender=fields["gender"],
            colour=fields.get("colour"),
            article_type=fields["article_type"],
            sub_category=fields["sub_category"],
            master_category=fields["master_category"],
            season=fields.get("season"),
            usage=fields.get("usage"),
        ),
        price=float(fields["price"]),
        colour=fields.get("colour"),
        gender=fields["gender"],
        article_type=fields["article_type"],
        master_category=fields["master_category"],
        sizes_in_stock=frozenset(s for s in sizes if s and stock.get(s, 0) > 0),
    )


def facts_from_view(view: ProductView) -> ProductFacts:
    """Facts of a product view from the profile store."""
    return facts_from_fields(
        {name: getattr(view, name) for name in ProductView.__dataclass_fields__}
    )


def facts_from_catalog(path: Path | str) -> list[ProductFacts]:
    """Facts of every shop product in a raw-layout catalog file (styles.csv).

    Prices and stock are the catalog importer's derived ones, so they agree
    with a store that imported the same file.
    """
    rows, _ = read_catalog(path)
    return [facts_from_fields(product_fields(row)) for row in rows]


def facts_from_store(store: ProfileStore) -> list[ProductFacts]:
    """Facts of every product in the profile store, read in one unit of work.

    Read-only: the session is the store's own and nothing is written.
    """
    with store.session() as session:
        rows = session.scalars(select(Product).order_by(Product.id))
        return [facts_from_fields(_row_fields(row)) for row in rows]


def _row_fields(row: Product) -> dict[str, Any]:
    names = ("id", "name", "brand", "gender", "master_category", "sub_category")
    names += ("article_type", "colour", "season", "usage", "price", "sizes", "stock")
    return {name: getattr(row, name) for name in names}


class ProductTable:
    """Facts of many products as columns: ids (n,), price (n,), codes (n,)...

    Rebuilt from a list of facts (cheap: 44k products in well under a second);
    `put` and `drop` change single products and rebuild the columns.
    """

    def __init__(self, facts: Iterable[ProductFacts] = ()) -> None:
        self._facts: dict[int, ProductFacts] = {f.id: f for f in facts}
        self._columns()

    def __len__(self) -> int:
        return len(self._facts)

    def get(self, product_id: int) -> ProductFacts | None:
        return self._facts.get(int(product_id))

    def items(self) -> list[tuple[int, str]]:
        """(id, text) of every product, as the index is built from."""
        return [(f.id, f.text) for f in self._facts.values()]

    def put(self, facts: ProductFacts) -> None:
        self._facts[facts.id] = facts
        self._columns()

    def drop(self, product_id: int) -> None:
        self._facts.pop(int(product_id), None)
        self._columns()

    def in_stock(self, product_id: int) -> bool:
        facts = self._facts.get(int(product_id))
        return facts is not None and facts.in_stock

    def matching_ids(self, filters: ProductFilters) -> np.ndarray | None:
        """Ids (m,) of products that pass every filter; None when none is set."""
        if filters.is_empty():
            return None
        keep = np.ones(len(self._ids), dtype=bool)  # (n,)
        if filters.max_price is not None:
            keep &= self._price <= filters.max_price
        if filters.min_price is not None:
            keep &= self._price >= filters.min_price
        keep &= self._among(self._colour, filters.colour)
        keep &= self._among(self._gender, _genders(filters.gender))
        keep &= self._among(self._article_type, filters.article_type)
        keep &= self._among(self._category, filters.category)
        if filters.size is not None:
            keep &= self._has_size(filters.size)
        return self._ids[keep]

    def _columns(self) -> None:
        facts = list(self._facts.values())
        self._ids = np.array([f.id for f in facts], dtype=np.int64)  # (n,)
        self._price = np.array([f.price for f in facts], dtype=np.float64)
        self._colour = np.array([(f.colour or "").lower() for f in facts], object)
        self._gender = np.array([f.gender.lower() for f in facts], dtype=object)
        self._article_type = np.array([f.article_type.lower() for f in facts], object)
        self._category = np.array([f.master_category.lower() for f in facts], object)
        self._sizes = [frozenset(s.upper() for s in f.sizes_in_stock) for f in facts]

    @staticmethod
    def _among(column: np.ndarray, wanted: str | Iterable[str] | None) -> Any:
        if wanted is None:
            return True
        values = [wanted] if isinstance(wanted, str) else list(wanted)
        return np.isin(column, [v.lower() for v in values])

    def _has_size(self, size: str) -> np.ndarray:
        wanted = size.upper()
        return np.array([wanted in sizes for sizes in self._sizes], dtype=bool)


def _genders(gender: str | None) -> tuple[str, ...] | None:
    if gender is None:
        return None
    return GENDER_MATCHES.get(gender.capitalize(), (gender,))
