"""Read-only views of store records, handed to callers instead of ORM rows.

A view is a frozen copy made inside the store's session, so a caller never
holds a session or triggers a lazy load; to see a change, ask the store again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from .vocabulary import OPEN_ORDER_STATUSES, OPEN_TICKET_STATUSES


@dataclass(frozen=True)
class CustomerView:
    id: str
    first_name: str
    last_name: str
    email: str
    username: str
    phone: str | None
    membership_level: str
    locale: str
    street: str | None
    city: str | None
    state: str | None
    zip_code: str | None
    created_at: datetime
    personalization_enabled: bool

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True)
class ProductView:
    """A catalog article; `stock` maps each size to the units left."""

    id: int
    name: str
    brand: str
    gender: str
    master_category: str
    sub_category: str
    article_type: str
    colour: str | None
    season: str | None
    year: int | None
    usage: str | None
    price: Decimal
    sizes: tuple[str, ...]
    stock: dict[str, int] = field(hash=False)
    source: str
    image_url: str | None
    in_stock: bool

    def sizes_in_stock(self) -> tuple[str, ...]:
        return tuple(size for size in self.sizes if self.stock.get(size, 0) > 0)


@dataclass(frozen=True)
class OrderLineView:
    product_id: int
    product_name: str
    article_type: str
    size: str
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True)
class OrderView:
    id: str
    customer_id: str
    status: str
    placed_at: datetime
    shipped_at: datetime | None
    delivered_at: datetime | None
    carrier: str | None
    tracking_number: str | None
    payment_method: str
    has_original_packaging: bool
    lines: tuple[OrderLineView, ...]

    @property
    def total(self) -> Decimal:
        return sum((line.unit_price * line.quantity for line in self.lines), Decimal(0))

    @property
    def is_open(self) -> bool:
        """Placed or shipped: the customer is still waiting for it."""
        return self.status in OPEN_ORDER_STATUSES

    @property
    def summary(self) -> str:
        """The first article and how many more: "Nike Shirt and 2 more items"."""
        if not self.lines:
            return "an empty order"
        first, rest = self.lines[0].product_name, len(self.lines) - 1
        if rest == 0:
            return first
        return f"{first} and {rest} more item{'s' if rest > 1 else ''}"


@dataclass(frozen=True)
class TicketView:
    id: int
    customer_id: str
    order_id: str | None
    topic: str
    status: str
    outcome: str | None
    summary: str
    details: dict[str, Any] = field(hash=False)
    created_at: datetime
    updated_at: datetime

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TICKET_STATUSES


@dataclass(frozen=True)
class Suggestion:
    """A product to offer, the reason shown with it, and what it was derived from."""

    product: ProductView
    reason: str
    based_on: ProductView | None = None


PURCHASE_KIND = "purchase"  # a ProductEvent from an order line
TURNED_DOWN_KIND = "suggestion_rejected"  # never suggest that product again


@dataclass(frozen=True)
class ProductEvent:
    """A customer and a product they bought, viewed, were shown or turned down.

    `kind` is PURCHASE_KIND for an order line, else the interaction's kind.
    """

    customer_id: str
    product_id: int
    kind: str
    occurred_at: datetime
    quantity: int = 1


class InteractionView(NamedTuple):
    """A recorded interaction; unpacks as (occurred_at, kind, intent, summary)."""

    occurred_at: datetime
    kind: str
    intent: str | None
    summary: str | None
