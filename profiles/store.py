"""The profile store: customers, their orders, tickets and interactions, products.

Each public method is one unit of work in its own session and returns frozen
views (profiles.views), never ORM rows, so callers hold no session. Reads of
unknown ids return None or an empty list; writes raise profiles.errors.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from alembic import command
from sqlalchemy import (
    ColumnElement,
    Engine,
    Select,
    case,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session, selectinload, sessionmaker

from . import suggestions
from .config import StoreSettings
from .engine import make_engine
from .errors import NotAllowed, NotFound, UnknownValue
from .models import Customer, Interaction, Order, OrderLine, Product, Ticket
from .rows import customer_view, order_view, product_view, ticket_view
from .scenarios import scenario_customer_ids
from .schema import alembic_config
from .views import (
    PURCHASE_KIND,
    TURNED_DOWN_KIND,
    CustomerView,
    InteractionView,
    OrderView,
    ProductEvent,
    ProductView,
    Suggestion,
    TicketView,
)
from .vocabulary import (
    CLOSED_TICKET_STATUSES,
    OPEN_ORDER_STATUSES,
    OPEN_TICKET_STATUSES,
    TICKET_STATUSES,
    TICKET_TOPICS,
    checked,
)

logger = logging.getLogger(__name__)

INTERACTION_KIND = re.compile(r"[a-z][a-z0-9_]{0,31}")
MAX_SUMMARY_CHARS = 280
MAX_INTENT_CHARS = 100
MAX_SESSION_ID_CHARS = 128
MAX_SEARCH_RESULTS = 50

Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def customer_ref(customer_id: str) -> str:
    """A short stand-in for a customer id in log lines."""
    return hashlib.sha256(customer_id.encode()).hexdigest()[:10]


class ProfileStore:
    """The shop's record of its customers; the engine is made on first use.

    `clock` gives the time written on new tickets and interactions (aware UTC);
    tests and the demo seeding pass their own.
    """

    def __init__(self, settings: StoreSettings, *, clock: Clock = _utc_now) -> None:
        self.settings = settings
        self._clock = clock
        self._engine: Engine | None = None
        self._sessions: sessionmaker[Session] | None = None
        self._lock = threading.Lock()

    @property
    def engine(self) -> Engine:
        return self._ready()[0]

    def _ready(self) -> tuple[Engine, sessionmaker[Session]]:
        with self._lock:
            if self._engine is None or self._sessions is None:
                self._engine = make_engine(self.settings.database_url)
                # Every view is made inside its unit of work, so no caller reads
                # a row after commit; not expiring spares maintenance code (the
                # seeding) a reload when it reads a flushed row afterwards.
                self._sessions = sessionmaker(self._engine, expire_on_commit=False)
            return self._engine, self._sessions

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: commits when the block ends, rolls back on error.

        For this package's own maintenance code (seeding, catalog import);
        other callers use the methods below.
        """
        _, sessions = self._ready()
        with sessions.begin() as session:
            yield session

    def close(self) -> None:
        """Close the engine's connections; the next call opens new ones."""
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
            self._engine = self._sessions = None

    def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision (upgrade head)."""
        config = alembic_config(self.settings)
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        logger.info("Profile store schema is at the newest revision")

    # Customers

    def customer(self, customer_id: str) -> CustomerView | None:
        with self.session() as session:
            row = session.get(Customer, customer_id)
            return customer_view(row) if row is not None else None

    def demo_customers(self, limit: int = 50) -> list[CustomerView]:
        """Customers to sign in as on the demo page: the scenario ones first."""
        if limit <= 0:
            return []
        first = scenario_customer_ids()
        with self.session() as session:
            rows = [row for key in first if (row := session.get(Customer, key))]
            others = (
                select(Customer)
                .where(Customer.id.not_in(first))
                .order_by(Customer.id)
                .limit(max(0, limit - len(rows)))
            )
            rows += session.scalars(others).all()
            return [customer_view(row) for row in rows[:limit]]

    # Orders

    def orders(self, customer_id: str) -> list[OrderView]:
        """The customer's orders, newest first."""
        return self._orders(_orders_of(customer_id))

    def open_orders(self, customer_id: str) -> list[OrderView]:
        """Orders placed or shipped but not yet delivered, newest first."""
        query = _orders_of(customer_id).where(Order.status.in_(OPEN_ORDER_STATUSES))
        return self._orders(query)

    def order(self, customer_id: str, order_id: str) -> OrderView | None:
        """The order, if it exists and is this customer's; otherwise None."""
        found = self._orders(_orders_of(customer_id).where(Order.id == str(order_id)))
        return found[0] if found else None

    def cancel_order(self, customer_id: str, order_id: str) -> OrderView | None:
        """Cancel an order that has not shipped; None if it is not theirs.

        Raises NotAllowed for any status but "placed".
        """
        with self.session() as session:
            row = session.scalars(
                _orders_of(customer_id).where(Order.id == str(order_id))
            ).first()
            if row is None:
                return None
            if row.status != "placed":
                raise NotAllowed(row.id, f"cannot cancel an order that is {row.status}")
            row.status = "cancelled"
            session.flush()
            return order_view(row)

    def _orders(self, query: Select[tuple[Order]]) -> list[OrderView]:
        with self.session() as session:
            return [order_view(row) for row in session.scalars(query)]

    # Tickets

    def tickets(self, customer_id: str) -> list[TicketView]:
        """The customer's tickets, the latest updated first."""
        return self._tickets(_tickets_of(customer_id))

    def open_tickets(self, customer_id: str) -> list[TicketView]:
        query = _tickets_of(customer_id).where(Ticket.status.in_(OPEN_TICKET_STATUSES))
        return self._tickets(query)

    def last_closed_ticket(self, customer_id: str) -> TicketView | None:
        """The latest ticket that was resolved or closed, for recall next session."""
        closed = Ticket.status.in_(CLOSED_TICKET_STATUSES)
        found = self._tickets(_tickets_of(customer_id).where(closed).limit(1))
        return found[0] if found else None

    def open_ticket(
        self,
        customer_id: str,
        topic: str,
        *,
        order_id: str | None = None,
        summary: str = "",
        status: str = "open",
        outcome: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> TicketView:
        """Record a new ticket; NotFound if the customer or their order is unknown.

        `summary` and `details` are shown to support staff: no secrets in them.
        """
        checked("ticket topic", topic, TICKET_TOPICS)
        checked("ticket status", status, TICKET_STATUSES)
        details = _json_object(details)
        now = self._clock()
        with self.session() as session:
            self._check_owner(session, customer_id, order_id)
            row = Ticket(
                customer_id=customer_id,
                order_id=order_id,
                topic=topic,
                status=status,
                outcome=outcome,
                summary=summary[:MAX_SUMMARY_CHARS],
                details=details,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            session.flush()
            ref = customer_ref(customer_id)
            logger.info("Ticket %d (%s) opened for %s", row.id, topic, ref)
            return ticket_view(row)

    def update_ticket(
        self,
        ticket_id: int,
        *,
        status: str | None = None,
        outcome: str | None = None,
        customer_id: str | None = None,
    ) -> TicketView:
        """Change a ticket's status and/or outcome; NotFound if there is no such ticket.

        With `customer_id`, a ticket of another customer counts as not found.
        """
        if status is not None:
            checked("ticket status", status, TICKET_STATUSES)
        with self.session() as session:
            row = session.get(Ticket, ticket_id)
            if row is None or customer_id not in (None, row.customer_id):
                raise NotFound("ticket", ticket_id)
            if status is not None or outcome is not None:
                row.status = status or row.status
                row.outcome = outcome if outcome is not None else row.outcome
                row.updated_at = self._clock()
            session.flush()
            return ticket_view(row)

    def _tickets(self, query: Select[tuple[Ticket]]) -> list[TicketView]:
        with self.session() as session:
            return [ticket_view(row) for row in session.scalars(query)]

    @staticmethod
    def _check_owner(session: Session, customer_id: str, order_id: str | None) -> None:
        if session.get(Customer, customer_id) is None:
            raise NotFound("customer", customer_id)
        if order_id is None:
            return
        order = session.get(Order, order_id)
        if order is None or order.customer_id != customer_id:
            raise NotFound("order", order_id)

    # Interactions

    def log_interaction(
        self,
        customer_id: str,
        kind: str,
        *,
        intent: str | None = None,
        summary: str | None = None,
        session_id: str | None = None,
        product_id: int | None = None,
    ) -> None:
        """Remember that the customer did `kind` (e.g. "order_lookup").

        `summary` says what happened in the shop's words; never message text or
        secrets. `product_id` names the product it was about (a suggestion
        shown or turned down, a product viewed); an id not in the catalog is
        dropped. Unknown customers are not recorded (a WARNING says so).
        Raises UnknownValue for a kind that is not a lower_snake word.
        """
        if not INTERACTION_KIND.fullmatch(kind):
            raise UnknownValue("interaction kind", kind)
        with self.session() as session:
            if session.get(Customer, customer_id) is None:
                ref = customer_ref(customer_id)
                logger.warning("No customer %s; interaction not recorded", ref)
                return
            if product_id is not None and session.get(Product, product_id) is None:
                product_id = None
            session.add(
                Interaction(
                    customer_id=customer_id,
                    occurred_at=self._clock(),
                    kind=kind,
                    intent=_cut(intent, MAX_INTENT_CHARS),
                    summary=_cut(summary, MAX_SUMMARY_CHARS),
                    session_id=_cut(session_id, MAX_SESSION_ID_CHARS),
                    product_id=product_id,
                )
            )

    def log_products(
        self,
        customer_id: str,
        kind: str,
        products: Iterable[tuple[int, str]],
        *,
        intent: str | None = None,
        session_id: str | None = None,
    ) -> None:
        """One interaction of `kind` per (product id, summary), in one unit of
        work (a suggestion shows several products at once). Same rules as
        `log_interaction`; product ids not in the catalog are left out."""
        if not INTERACTION_KIND.fullmatch(kind):
            raise UnknownValue("interaction kind", kind)
        wanted = list(products)
        with self.session() as session:
            if session.get(Customer, customer_id) is None:
                ref = customer_ref(customer_id)
                logger.warning("No customer %s; interactions not recorded", ref)
                return
            known = set(
                session.scalars(
                    select(Product.id).where(Product.id.in_([p for p, _ in wanted]))
                )
            )
            now = self._clock()
            session.add_all(
                Interaction(
                    customer_id=customer_id,
                    occurred_at=now,
                    kind=kind,
                    intent=_cut(intent, MAX_INTENT_CHARS),
                    summary=_cut(summary, MAX_SUMMARY_CHARS),
                    session_id=_cut(session_id, MAX_SESSION_ID_CHARS),
                    product_id=product_id,
                )
                for product_id, summary in wanted
                if product_id in known
            )

    def owned_products(self, customer_id: str) -> frozenset[int]:
        """Products the customer bought (cancelled orders left out)."""
        query = (
            select(OrderLine.product_id)
            .join(Order, Order.id == OrderLine.order_id)
            .where(Order.customer_id == customer_id, Order.status != "cancelled")
        )
        with self.session() as session:
            return frozenset(session.scalars(query))

    def sizes_bought(self, customer_id: str) -> frozenset[str]:
        """Sizes of everything the customer bought (cancelled orders left out)."""
        query = (
            select(OrderLine.size)
            .join(Order, Order.id == OrderLine.order_id)
            .where(Order.customer_id == customer_id, Order.status != "cancelled")
        )
        with self.session() as session:
            return frozenset(size for size in session.scalars(query) if size)

    def membership_levels(self, customer_ids: Iterable[str]) -> dict[str, str]:
        """The membership level of each of these customers that exists."""
        wanted = list(customer_ids)
        levels: dict[str, str] = {}
        with self.session() as session:
            for start in range(0, len(wanted), 500):  # bound the IN list
                chunk = wanted[start : start + 500]
                query = select(Customer.id, Customer.membership_level).where(
                    Customer.id.in_(chunk)
                )
                levels.update({cid: level for cid, level in session.execute(query)})
        return levels

    def all_products(self) -> list[ProductView]:
        """Every product of the catalog, by id."""
        with self.session() as session:
            rows = session.scalars(select(Product).order_by(Product.id))
            return [product_view(row) for row in rows]

    def turned_down(self, customer_id: str) -> frozenset[int]:
        """Products the customer said they are not interested in."""
        query = select(Interaction.product_id).where(
            Interaction.customer_id == customer_id,
            Interaction.kind == TURNED_DOWN_KIND,
            Interaction.product_id.is_not(None),
        )
        with self.session() as session:
            return frozenset(session.scalars(query))

    def product_events(self, customer_id: str | None = None) -> list[ProductEvent]:
        """Every purchase and every interaction naming a product, oldest first;
        of one customer, or of everyone. The recommender learns from these.

        A purchase is an order line of an order that was not cancelled, at the
        time the order was placed, with its quantity. Customers who turned
        personalization off contribute nothing.
        """
        purchases = (
            select(
                Order.customer_id,
                OrderLine.product_id,
                Order.placed_at,
                OrderLine.quantity,
            )
            .join(OrderLine, OrderLine.order_id == Order.id)
            .join(Customer, Customer.id == Order.customer_id)
            .where(Order.status != "cancelled", Customer.personalization_enabled)
        )
        named = (
            select(
                Interaction.customer_id,
                Interaction.product_id,
                Interaction.occurred_at,
                Interaction.kind,
            )
            .join(Customer, Customer.id == Interaction.customer_id)
            .where(
                Interaction.product_id.is_not(None), Customer.personalization_enabled
            )
        )
        if customer_id is not None:
            purchases = purchases.where(Order.customer_id == customer_id)
            named = named.where(Interaction.customer_id == customer_id)
        with self.session() as session:
            events = [
                ProductEvent(who, product, PURCHASE_KIND, when, quantity)
                for who, product, when, quantity in session.execute(purchases)
            ]
            events += [
                ProductEvent(who, product, kind, when, 1)
                for who, product, when, kind in session.execute(named)
            ]
        return sorted(events, key=lambda e: (e.occurred_at, e.customer_id))

    def last_interaction(self, customer_id: str) -> InteractionView | None:
        """(occurred_at, kind, intent, summary) of the latest interaction, or None."""
        query = (
            select(Interaction)
            .where(Interaction.customer_id == customer_id)
            .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
            .limit(1)
        )
        with self.session() as session:
            row = session.scalars(query).first()
            if row is None:
                return None
            return InteractionView(row.occurred_at, row.kind, row.intent, row.summary)

    # Products

    def product(self, product_id: int) -> ProductView | None:
        try:
            key = int(product_id)
        except (TypeError, ValueError):
            return None
        with self.session() as session:
            row = session.get(Product, key)
            return product_view(row) if row is not None else None

    def search_products(
        self,
        *,
        words: Iterable[str] = (),
        colour: str | None = None,
        gender: str | None = None,
        article_type: str | None = None,
        max_price: Decimal | float | None = None,
        limit: int = 5,
    ) -> list[ProductView]:
        """Products matching every given attribute and word, in-stock first.

        A word matches part of the name or the article type, ignoring case and
        a plural "s"; a gender also matches unisex articles. No ranking beyond
        stock and id: the knowledge index is meant to take this over.
        """
        query = select(Product)
        for word in words:
            if word.strip():
                query = query.where(_word_matches(word))
        if colour:
            query = query.where(func.lower(Product.colour) == colour.strip().lower())
        if gender:
            genders = (gender.strip().lower(), "unisex")
            query = query.where(func.lower(Product.gender).in_(genders))
        if article_type:
            types = _forms(article_type)
            query = query.where(func.lower(Product.article_type).in_(types))
        if max_price is not None:
            query = query.where(Product.price <= Decimal(str(max_price)))
        sold_out_last = case((Product.units_in_stock > 0, 0), else_=1)
        query = query.order_by(sold_out_last, Product.id)
        limit = max(0, min(limit, MAX_SEARCH_RESULTS))
        with self.session() as session:
            return [product_view(row) for row in session.scalars(query.limit(limit))]

    def similar_to_last_purchase(
        self, customer_id: str, limit: int = 3
    ) -> list[Suggestion]:
        """In-stock articles like the customer's latest purchase, not yet owned.

        Empty when they bought nothing or turned personalization off.
        """
        with self.session() as session:
            customer = session.get(Customer, customer_id)
            if customer is None or not customer.personalization_enabled or limit <= 0:
                return []
            return suggestions.similar_suggestions(session, customer_id, limit)

    def popular_products(self, limit: int = 3) -> list[Suggestion]:
        """Best sellers in stock, for guests and customers without history."""
        if limit <= 0:
            return []
        with self.session() as session:
            return suggestions.popular_suggestions(session, self._clock(), limit)

    def put_products(self, records: list[dict[str, Any]]) -> tuple[int, int]:
        """Insert new products and overwrite known ones by id: (added, updated)."""
        with self.session() as session:
            return upsert_products(session, records)


def upsert_products(session: Session, records: list[dict[str, Any]]) -> tuple[int, int]:
    """Bulk insert or update product rows (full column dicts): (added, updated)."""
    known = set(session.scalars(select(Product.id)))
    new = [record for record in records if record["id"] not in known]
    old = [record for record in records if record["id"] in known]
    if new:
        session.execute(insert(Product), new)
    if old:
        session.execute(update(Product), old)
    return len(new), len(old)


def _orders_of(customer_id: str) -> Select[tuple[Order]]:
    # Lines and their products are loaded eagerly: every view needs them, and
    # selectin loading keeps it to three queries whatever the number of orders.
    return (
        select(Order)
        .where(Order.customer_id == customer_id)
        .options(selectinload(Order.lines).selectinload(OrderLine.product))
        .order_by(Order.placed_at.desc(), Order.id.desc())
    )


def _tickets_of(customer_id: str) -> Select[tuple[Ticket]]:
    return (
        select(Ticket)
        .where(Ticket.customer_id == customer_id)
        .order_by(Ticket.updated_at.desc(), Ticket.id.desc())
    )


def _forms(word: str) -> tuple[str, ...]:
    """The lower-case word with and without a plural "s"."""
    word = word.strip().lower()
    stem = word[:-1] if len(word) > 3 and word.endswith("s") else word
    return (stem, stem + "s", word)


def _word_matches(word: str) -> ColumnElement[bool]:
    """Name or article type contains the word's stem (LIKE wildcards escaped)."""
    stem = _forms(word)[0]
    for special in ("\\", "%", "_"):
        stem = stem.replace(special, "\\" + special)
    pattern = f"%{stem}%"  # a bound LIKE pattern, not SQL text
    name = Product.name.ilike(pattern, escape="\\")
    return name | Product.article_type.ilike(pattern, escape="\\")


def _cut(text: str | None, limit: int) -> str | None:
    return text[:limit] if text else None


def _json_object(details: dict[str, Any] | None) -> dict[str, Any]:
    """A copy of `details` that is known to store as JSON; UnknownValue if not."""
    if details is None:
        return {}
    if not isinstance(details, dict):
        raise UnknownValue("ticket details", type(details).__name__)
    try:
        return json.loads(json.dumps(details))
    except (TypeError, ValueError) as error:
        raise UnknownValue("ticket details", type(details).__name__) from error
