"""Order histories of the generated demo customers, as rows ready to insert.

Everything is drawn from one seeded generator in a fixed order and dated back
from an anchor moment, so the same seed and anchor give the same rows. Every
event lies before the anchor.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from .fictional import CARRIERS, person, tracking_number

LEVEL_WEIGHTS = {"guest": 20, "bronze": 35, "silver": 25, "gold": 20}
# How many open orders a customer has: none at all, only closed ones, one, several.
HISTORY_WEIGHTS = {
    "no_orders": 12,
    "closed_only": 28,
    "one_open": 35,
    "several_open": 25,
}
OPEN_ORDER_COUNTS = {"closed_only": 0, "one_open": 1, "several_open": None}
CLOSED_STATUS_WEIGHTS = {
    "delivered": 60,
    "returned": 12,
    "refunded": 10,
    "cancelled": 18,
}
OPEN_STATUSES = ("placed", "shipped", "shipped")  # drawn from: shipped twice as often
LINE_COUNT_WEIGHTS = {1: 55, 2: 25, 3: 12, 4: 8}
PAYMENT_METHODS = ("credit card", "credit card", "debit card", "paypal", "gift card")
LOCALES = ("en-US",) * 9 + ("en-GB",)
NO_PERSONALIZATION_SHARE = 0.03
INTERACTION_SHARE = 0.4


def pick(rng: random.Random, weights: dict[Any, int]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


@dataclass
class DemoRows:
    """Rows per table, as dicts of column values, in insertion order."""

    customers: list[dict[str, Any]] = field(default_factory=list)
    orders: list[dict[str, Any]] = field(default_factory=list)
    order_lines: list[dict[str, Any]] = field(default_factory=list)
    tickets: list[dict[str, Any]] = field(default_factory=list)
    interactions: list[dict[str, Any]] = field(default_factory=list)


class DemoHistory:
    """Draws customers with orders, tickets and interactions from `rng`.

    `products` are product column dicts (id, gender, sizes, price); order ids
    and usernames in `taken_*` are never reused.
    """

    def __init__(
        self,
        rng: random.Random,
        anchor: datetime,
        products: list[dict[str, Any]],
        taken_usernames: set[str],
        taken_order_ids: set[str],
    ) -> None:
        self.rng = rng
        self.anchor = anchor
        self.rows = DemoRows()
        self._usernames = taken_usernames
        self._order_ids = taken_order_ids
        self._by_gender = {
            gender: [p for p in products if p["gender"] in (gender, "Unisex")]
            for gender in ("Men", "Women")
        }
        self._products = products

    def ago(self, days: float, jitter_hours: int = 12) -> datetime:
        hours = self.rng.randint(1, jitter_hours) if jitter_hours else 0
        return self.anchor - timedelta(days=days, hours=hours)

    def customers(self, count: int) -> DemoRows:
        for _ in range(count):
            self._customer()
        return self.rows

    def _customer(self) -> None:
        rng = self.rng
        who = person(rng, self._usernames)
        level = pick(rng, LEVEL_WEIGHTS)
        customer_id = who.username
        self.rows.customers.append(
            {
                "id": customer_id,
                "first_name": who.first_name,
                "last_name": who.last_name,
                "email": who.email,
                "username": who.username,
                "phone": who.phone,
                "membership_level": level,
                "locale": rng.choice(LOCALES),
                "street": who.street,
                "city": who.city,
                "state": who.state,
                "zip_code": who.zip_code,
                "created_at": self.ago(rng.randint(730, 1800)),
                "personalization_enabled": rng.random() >= NO_PERSONALIZATION_SHARE,
            }
        )
        taste = rng.choice(("Men", "Women"))
        orders = self._history(customer_id, taste)
        if orders and rng.random() < INTERACTION_SHARE:
            self._interactions(customer_id, orders)

    def _history(self, customer_id: str, taste: str) -> list[dict[str, Any]]:
        rng = self.rng
        shape = pick(rng, HISTORY_WEIGHTS)
        if shape == "no_orders":
            return []
        open_count = OPEN_ORDER_COUNTS[shape]
        if open_count is None:
            open_count = rng.randint(2, 3)
        closed_count = rng.randint(1 if shape == "closed_only" else 0, 5)
        statuses = [pick(rng, CLOSED_STATUS_WEIGHTS) for _ in range(closed_count)]
        statuses += [rng.choice(OPEN_STATUSES) for _ in range(open_count)]
        orders = [self._order(customer_id, taste, status) for status in statuses]
        for order in orders:
            self._tickets_for(order)
        return orders

    def _order(self, customer_id: str, taste: str, status: str) -> dict[str, Any]:
        rng = self.rng
        unopened = status in ("placed", "shipped")
        order = {
            "id": self._order_id(),
            "customer_id": customer_id,
            "status": status,
            "payment_method": rng.choice(PAYMENT_METHODS),
            "has_original_packaging": unopened or rng.random() < 0.7,
            **self._dates(status),
        }
        self.rows.orders.append(order)
        self._lines(order["id"], taste)
        return order

    def _dates(self, status: str) -> dict[str, Any]:
        """placed_at, shipped_at, delivered_at, carrier and tracking for a status."""
        rng = self.rng
        dates: dict[str, Any] = {"shipped_at": None, "delivered_at": None}
        dates |= {"carrier": None, "tracking_number": None}
        if status == "placed":
            dates["placed_at"] = self.ago(rng.randint(0, 2), jitter_hours=20)
            return dates
        if status == "shipped":
            placed = self.ago(rng.randint(3, 8))
            shipped = placed + timedelta(hours=rng.randint(18, 48))
        elif status == "cancelled":
            dates["placed_at"] = self.ago(rng.randint(3, 720))
            return dates
        else:
            placed = self.ago(rng.randint(12, 720))
            shipped = placed + timedelta(hours=rng.randint(18, 48))
            dates["delivered_at"] = shipped + timedelta(days=rng.randint(2, 6))
        carrier = rng.choice(CARRIERS)
        dates |= {"placed_at": placed, "shipped_at": shipped, "carrier": carrier}
        dates["tracking_number"] = tracking_number(rng, carrier)
        return dates

    def _order_id(self) -> str:
        while True:
            order_id = str(self.rng.randrange(1_000_000_000, 10_000_000_000))
            if order_id not in self._order_ids:
                self._order_ids.add(order_id)
                return order_id

    def _lines(self, order_id: str, taste: str) -> None:
        rng = self.rng
        shelf = self._by_gender[taste] if rng.random() < 0.85 else self._products
        count = pick(rng, LINE_COUNT_WEIGHTS)
        for product in rng.sample(shelf, k=min(count, len(shelf))):
            self.rows.order_lines.append(
                {
                    "order_id": order_id,
                    "product_id": product["id"],
                    "size": rng.choice(product["sizes"].split(",")),
                    "quantity": 1 if rng.random() < 0.85 else 2,
                    "unit_price": product["price"],
                }
            )

    def _total(self, order_id: str) -> Decimal:
        lines = [line for line in self.rows.order_lines if line["order_id"] == order_id]
        prices = (line["unit_price"] * line["quantity"] for line in lines)
        return sum(prices, Decimal(0))

    def _tickets_for(self, order: dict[str, Any]) -> None:
        """Past service records an order of this status would have left."""
        rng, status = self.rng, order["status"]
        if status == "returned":
            outcome = "Return received; refund on its way"
            self._ticket(order, "return", "resolved", outcome)
        elif status == "refunded":
            amount = self._total(order["id"])
            outcome = f"Refunded ${amount} to the {order['payment_method']}"
            self._ticket(order, "refund", "closed", outcome, {"amount": float(amount)})
        elif status == "cancelled" and rng.random() < 0.5:
            self._ticket(order, "cancellation", "resolved", "Cancelled before shipping")
        elif status == "placed" and rng.random() < 0.15:
            self._ticket(order, "address_change", "open", None)
        elif status == "delivered" and rng.random() < 0.08:
            outcome = "A manager called back; the customer was satisfied"
            self._ticket(order, "handoff", "closed", outcome)
        elif status == "delivered" and rng.random() < 0.04:
            self._ticket(order, "return", "open", None, {"reason": "size"})

    def _ticket(
        self,
        order: dict[str, Any],
        topic: str,
        status: str,
        outcome: str | None,
        details: dict[str, Any] | None = None,
    ) -> None:
        after = order["delivered_at"] or order["placed_at"]
        created = min(after + timedelta(days=self.rng.randint(1, 9)), self.ago(0, 2))
        closed = status in ("resolved", "closed")
        updated = min(created + timedelta(days=self.rng.randint(1, 5)), self.ago(0, 1))
        self.rows.tickets.append(
            {
                "customer_id": order["customer_id"],
                "order_id": order["id"],
                "topic": topic,
                "status": status,
                "outcome": outcome,
                "summary": f"{topic.replace('_', ' ').capitalize()}: {order['id']}",
                "details": details or {},
                "created_at": created,
                "updated_at": updated if closed else created,
            }
        )

    def _after(self, moment: datetime) -> datetime:
        """A moment between `moment` and the anchor."""
        between = moment + (self.anchor - moment) * self.rng.random()
        return between.replace(microsecond=0)

    def _interactions(self, customer_id: str, orders: list[dict[str, Any]]) -> None:
        rng = self.rng
        for _ in range(rng.randint(1, 4)):
            order = rng.choice(orders)
            kind, intent, summary = rng.choice(
                (
                    ("order_lookup", "order_status", f"Looked up order {order['id']}"),
                    ("return_request", "return_item", f"Asked to return {order['id']}"),
                    ("product_search", "product_search", "Searched the catalog"),
                    ("message", "greet", "Opened a conversation"),
                )
            )
            self.rows.interactions.append(
                {
                    "customer_id": customer_id,
                    "occurred_at": self._after(order["placed_at"]),
                    "kind": kind,
                    "intent": intent,
                    "summary": summary,
                    "session_id": f"demo-{rng.getrandbits(48):012x}",
                }
            )
