"""The demo shop: catalog products, generated customers and the scenario customers.

`seed` fills an empty store and does nothing to one that has customers, unless
asked to reset it first. The same anchor day, customer count and catalog give
the same rows, whichever day or machine it runs on.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from .catalog import SUBSET_PATH, ImportReport, product_fields, read_catalog
from .demo_history import DemoHistory
from .models import Customer, Interaction, Order, OrderLine, Product, Ticket
from .scenarios import scenario_data
from .store import ProfileStore, upsert_products

logger = logging.getLogger(__name__)

DEMO_SEED = 20191106  # the day of the first scenario order
DEFAULT_CUSTOMERS = 240
TABLES = (Customer, Product, Order, OrderLine, Ticket, Interaction)
DELETE_ORDER = (Interaction, Ticket, OrderLine, Order, Customer, Product)


@dataclass
class SeedReport:
    """What `seed` did, with the row count of every table afterwards."""

    seeded: bool
    anchor: date | None = None
    catalog: ImportReport | None = None
    counts: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        if self.seeded:
            head = f"seeded the demo shop (anchor {self.anchor})"
        else:
            head = "the store already has customers; nothing seeded (use --reset)"
        out = [head] + (self.catalog.lines() if self.catalog else [])
        return out + [f"{table}: {count}" for table, count in self.counts.items()]


def seed(
    store: ProfileStore,
    *,
    today: date | None = None,
    catalog_path: Path | str | None = None,
    customers: int = DEFAULT_CUSTOMERS,
    reset: bool = False,
) -> SeedReport:
    """Fill the store with the demo shop; a no-op on a store with customers.

    `today` is the anchor day the generated history is dated back from (default:
    today in UTC); the scenario orders keep their real 2019 dates.
    """
    if customers < 0:
        raise ValueError(f"customers must be zero or more, not {customers}")
    anchor_day = today or datetime.now(UTC).date()
    store.migrate()
    with store.session() as session:
        if reset:
            for model in DELETE_ORDER:
                session.execute(delete(model))
        elif _count(session, Customer):
            return SeedReport(seeded=False, counts=_counts(session))
        rows, report = read_catalog(catalog_path or SUBSET_PATH)
        catalog = [product_fields(row) for row in rows]
        report.added, report.updated = upsert_products(session, catalog)
        upsert_products(session, _products())
        _insert_shop(session, anchor_day, catalog, customers)
        counts = _counts(session)
    logger.info("Seeded the demo shop: %s", counts)
    return SeedReport(seeded=True, anchor=anchor_day, catalog=report, counts=counts)


def _insert_shop(
    session: Session, anchor_day: date, catalog: list[dict[str, Any]], count: int
) -> None:
    """Scenario customers first, then `count` generated ones, table by table."""
    anchor = datetime.combine(anchor_day, time(0), UTC)
    scenario = _scenario_rows(anchor)
    history = DemoHistory(
        random.Random(DEMO_SEED),
        anchor,
        catalog,
        taken_usernames={row["username"] for row in scenario["customers"]},
        taken_order_ids={row["id"] for row in scenario["orders"]},
    ).customers(count)
    for model, name in (
        (Customer, "customers"),
        (Order, "orders"),
        (OrderLine, "order_lines"),
        (Ticket, "tickets"),
        (Interaction, "interactions"),
    ):
        rows = scenario.get(name, []) + getattr(history, name)
        if rows:
            session.execute(insert(model), rows)


def _counts(session: Session) -> dict[str, int]:
    return {model.__tablename__: _count(session, model) for model in TABLES}


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _products() -> list[dict[str, Any]]:
    """The scenario products as product column dicts (source "scenario")."""
    rows = []
    for item in scenario_data()["products"]:
        row = {key: value for key, value in item.items() if key != "derived"}
        row |= {
            "price": Decimal(item["price"]),
            "sizes": ",".join(item["sizes"]),
            "units_in_stock": sum(item["stock"].values()),
            "source": "scenario",
            "image_url": None,
        }
        rows.append(row)
    return rows


def _scenario_rows(anchor: datetime) -> dict[str, list[dict[str, Any]]]:
    """Rows per table for the scenario customers, orders and tickets."""
    out: dict[str, list[dict[str, Any]]] = {"customers": [], "orders": []}
    out |= {"order_lines": [], "tickets": []}
    for item in scenario_data()["customers"]:
        out["customers"].append(_customer_row(item))
        for order in item["orders"]:
            out["orders"].append(_order_row(item["id"], order))
            lines = order["lines"]
            out["order_lines"] += [_line_row(order["id"], line) for line in lines]
        out["tickets"] += [_ticket_row(item["id"], t, anchor) for t in item["tickets"]]
    return out


def _customer_row(item: dict[str, Any]) -> dict[str, Any]:
    skip = {"derived", "orders", "tickets"}
    row = {key: value for key, value in item.items() if key not in skip}
    row["created_at"] = datetime.fromisoformat(item["created_at"])
    row["personalization_enabled"] = True
    return row


def _order_row(customer_id: str, order: dict[str, Any]) -> dict[str, Any]:
    row = {key: order[key] for key in order if key not in ("derived", "lines")}
    for key in ("placed_at", "shipped_at", "delivered_at"):
        row[key] = datetime.fromisoformat(order[key]) if order.get(key) else None
    row["customer_id"] = customer_id
    return row


def _line_row(order_id: str, line: dict[str, Any]) -> dict[str, Any]:
    return line | {"order_id": order_id, "unit_price": Decimal(line["unit_price"])}


def _ticket_row(
    customer_id: str, ticket: dict[str, Any], anchor: datetime
) -> dict[str, Any]:
    morning = anchor + timedelta(hours=10)  # of the anchor day; days go back from it
    created = morning - timedelta(days=ticket["created_days_before_anchor"])
    updated = morning - timedelta(days=ticket["updated_days_before_anchor"])
    return {
        "customer_id": customer_id,
        "order_id": ticket["order_id"],
        "topic": ticket["topic"],
        "status": ticket["status"],
        "outcome": ticket["outcome"],
        "summary": ticket["summary"],
        "details": ticket["details"],
        "created_at": created,
        "updated_at": updated,
    }
