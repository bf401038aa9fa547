"""Tables of the profile store (SQLAlchemy 2 declarative mapping).

Importing this module defines classes and metadata only: no engine, no tables
and no rows exist until `ProfileStore.migrate()` runs the Alembic revisions,
which spell out this same schema (a test compares the two).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    TypeDecorator,
    column,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from .vocabulary import (
    MEMBERSHIP_LEVELS,
    ORDER_STATUSES,
    PRODUCT_SOURCES,
    TICKET_STATUSES,
)

# Named constraints, so that later migrations can alter them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def one_of(name: str, values: tuple[str, ...]) -> CheckConstraint:
    """A CHECK, named after the column, that `name` holds one of `values`."""
    return CheckConstraint(column(name).in_(values), name)


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back as an aware UTC datetime.

    SQLite keeps no zone, so the value is written there as naive UTC; naive
    datetimes are refused on the way in rather than guessed at.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = (one_of("membership_level", MEMBERSHIP_LEVELS),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    phone: Mapped[str | None] = mapped_column(String(32))
    membership_level: Mapped[str] = mapped_column(String(16))
    locale: Mapped[str] = mapped_column(String(16))
    street: Mapped[str | None] = mapped_column(String(120))
    city: Mapped[str | None] = mapped_column(String(80))
    state: Mapped[str | None] = mapped_column(String(40))
    zip_code: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    personalization_enabled: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=true()
    )

    orders: Mapped[list[Order]] = relationship(back_populates="customer")


class Product(Base):
    """A catalog article; `units_in_stock` is the sum of `stock`, kept with it.

    The sum is stored so that "in stock" can be filtered and ordered in SQL on
    every backend; `set_stock` is the one place that writes both.
    """

    __tablename__ = "products"
    __table_args__ = (one_of("source", PRODUCT_SOURCES),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200))
    brand: Mapped[str] = mapped_column(String(80))
    gender: Mapped[str] = mapped_column(String(16))
    master_category: Mapped[str] = mapped_column(String(40))
    sub_category: Mapped[str] = mapped_column(String(40))
    article_type: Mapped[str] = mapped_column(String(60))
    colour: Mapped[str | None] = mapped_column(String(40))
    season: Mapped[str | None] = mapped_column(String(16))
    year: Mapped[int | None] = mapped_column(Integer)
    usage: Mapped[str | None] = mapped_column(String(32))
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    sizes: Mapped[str] = mapped_column(String(200))  # comma list, e.g. "S,M,L"
    stock: Mapped[dict[str, int]] = mapped_column(JSON)  # size -> units
    units_in_stock: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(16))
    image_url: Mapped[str | None] = mapped_column(String(300))

    def set_stock(self, stock: dict[str, int]) -> None:
        self.stock = dict(stock)
        self.units_in_stock = sum(stock.values())


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (one_of("status", ORDER_STATUSES),)

    id: Mapped[str] = mapped_column(String(10), primary_key=True)
    customer_id: Mapped[str] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16))
    placed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    shipped_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    carrier: Mapped[str | None] = mapped_column(String(32))
    tracking_number: Mapped[str | None] = mapped_column(String(40))
    payment_method: Mapped[str] = mapped_column(String(32))
    has_original_packaging: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=true()
    )

    customer: Mapped[Customer] = relationship(back_populates="orders")
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", order_by="OrderLine.id", cascade="all, delete-orphan"
    )


class OrderLine(Base):
    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[str] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    size: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(Numeric(10, 2))

    order: Mapped[Order] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()


class Interaction(Base):
    """One thing a customer did with the shop's service, without message text."""

    __tablename__ = "interactions"
    # The composite index also serves the customer_id foreign key.
    __table_args__ = (Index(None, "customer_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[str] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE")
    )
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime())
    kind: Mapped[str] = mapped_column(String(32))
    intent: Mapped[str | None] = mapped_column(String(100))
    summary: Mapped[str | None] = mapped_column(String(280))
    session_id: Mapped[str | None] = mapped_column(String(128))
    # the product it was about (shown, viewed, turned down), if any
    product_id: Mapped[int | None] = mapped_column(
        ForeignKey("products.id", ondelete="SET NULL"), index=True
    )


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (one_of("status", TICKET_STATUSES),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[str] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    order_id: Mapped[str | None] = mapped_column(
        ForeignKey("orders.id", ondelete="SET NULL"), index=True
    )
    topic: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(String(280), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


# The support console: its users, their sessions, and what they changed. The
# changes are revisions, never updates in place, so history and undo are reads.

CONSOLE_ROLES = ("lead", "developer")


class ConsoleUser(Base):
    __tablename__ = "console_users"
    __table_args__ = (one_of("role", CONSOLE_ROLES),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    disabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class ConsoleSession(Base):
    """A signed-in browser. Only the SHA-256 of the cookie's token is kept."""

    __tablename__ = "console_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("console_users.id", ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ResponseRevision(Base):
    """One saved version of a response; `variants` None means domain.yml's own."""

    __tablename__ = "response_revisions"
    __table_args__ = (Index(None, "response", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    response: Mapped[str] = mapped_column(String(100))
    variants: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    action: Mapped[str] = mapped_column(String(16))  # edit, undo or reset
    author: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class IntentRevision(Base):
    """One saved example list of an intent; `examples` None means the repo's."""

    __tablename__ = "intent_revisions"
    __table_args__ = (Index(None, "intent", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    intent: Mapped[str] = mapped_column(String(100))
    examples: Mapped[list[str] | None] = mapped_column(JSON)
    action: Mapped[str] = mapped_column(String(16))
    # the same for both intents of a move, so that undo takes back both
    batch: Mapped[str | None] = mapped_column(String(32))
    author: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class TrainingRun(Base):
    __tablename__ = "training_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_by: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    status: Mapped[str] = mapped_column(String(16))
    stage: Mapped[str] = mapped_column(String(16))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ConversationTest(Base):
    """A conversation test story made from a real conversation in the console."""

    __tablename__ = "conversation_tests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    story: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
