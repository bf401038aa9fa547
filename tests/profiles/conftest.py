"""A hand-built shop for store tests: a fixed clock and a row builder."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from profiles.config import StoreSettings
from profiles.engine import sqlite_file
from profiles.models import Customer, Order, OrderLine, Product, Ticket
from profiles.store import ProfileStore

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


class FakeClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class ShopBuilder:
    """Adds rows straight through the ORM, each call in its own unit of work
    unless inside `batch()`, which writes them all in one."""

    store: ProfileStore
    _session: Session | None = None

    @contextmanager
    def batch(self) -> Iterator[None]:
        with self.store.session() as session:
            self._session = session
            try:
                yield
            finally:
                self._session = None

    @contextmanager
    def _unit(self) -> Iterator[Session]:
        if self._session is not None:
            yield self._session
            self._session.flush()
            return
        with self.store.session() as session:
            yield session

    def customer(self, customer_id: str, level: str = "bronze", **fields) -> str:
        values = {
            "first_name": customer_id.capitalize(),
            "last_name": "Tester",
            "email": f"{customer_id}@example.com",
            "username": customer_id,
            "membership_level": level,
            "locale": "en-US",
            "created_at": NOW - timedelta(days=400),
        } | fields
        with self._unit() as session:
            session.add(Customer(id=customer_id, **values))
        return customer_id

    def product(
        self,
        product_id: int,
        name: str,
        *,
        article_type: str = "Jeans",
        sub_category: str = "Bottomwear",
        gender: str = "Women",
        colour: str = "Blue",
        price: str = "50.00",
        stock: dict[str, int] | None = None,
    ) -> int:
        row = Product(
            id=product_id,
            name=name,
            brand=name.split()[0],
            gender=gender,
            master_category="Apparel",
            sub_category=sub_category,
            article_type=article_type,
            colour=colour,
            price=Decimal(price),
            sizes="S,M,L",
            source="catalog",
        )
        row.set_stock({"S": 1, "M": 2, "L": 0} if stock is None else stock)
        with self._unit() as session:
            session.add(row)
        return product_id

    def order(
        self,
        order_id: str,
        customer_id: str,
        status: str,
        placed_days_ago: float,
        products: tuple[int, ...] = (),
    ) -> str:
        with self._unit() as session:
            prices = {p: session.get(Product, p).price for p in products}
            session.add(
                Order(
                    id=order_id,
                    customer_id=customer_id,
                    status=status,
                    placed_at=NOW - timedelta(days=placed_days_ago),
                    payment_method="credit card",
                    lines=[
                        OrderLine(product_id=p, size="M", quantity=1, unit_price=price)
                        for p, price in prices.items()
                    ],
                )
            )
        return order_id

    def ticket(
        self, customer_id: str, topic: str, status: str, updated_days_ago: float
    ) -> int:
        moment = NOW - timedelta(days=updated_days_ago)
        row = Ticket(
            customer_id=customer_id,
            topic=topic,
            status=status,
            summary=f"{topic} ticket",
            details={},
            created_at=moment - timedelta(days=1),
            updated_at=moment,
        )
        with self._unit() as session:
            session.add(row)
            session.flush()
            return row.id


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def migrated_file(tmp_path_factory) -> Path:
    """An empty SQLite file at the newest revision, migrated once per run."""
    folder = tmp_path_factory.mktemp("template")
    store = ProfileStore(StoreSettings(f"sqlite:///{folder / 'empty.db'}", folder))
    store.migrate()
    store.close()
    return folder / "empty.db"


@pytest.fixture
def store(store_settings, clock, migrated_file) -> Iterator[ProfileStore]:
    """A migrated, empty store whose clock is `clock` (a copy of the template)."""
    database = sqlite_file(store_settings.database_url)
    database.parent.mkdir(parents=True)
    shutil.copyfile(migrated_file, database)
    store = ProfileStore(store_settings, clock=clock)
    yield store
    store.close()


@pytest.fixture
def shop(store) -> ShopBuilder:
    return ShopBuilder(store)
