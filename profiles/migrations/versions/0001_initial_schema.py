"""Initial schema: customers, products, orders, order lines, interactions, tickets.

Revision ID: 0001
Revises:
Create Date: 2024-06-01

Written out by hand, with the vocabularies of that day copied in, so that this
revision keeps meaning the same schema when the models move on.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

MEMBERSHIP_LEVELS = ("guest", "bronze", "silver", "gold")
ORDER_STATUSES = ("placed", "shipped", "delivered", "returned", "refunded", "cancelled")
TICKET_STATUSES = ("open", "in_progress", "resolved", "closed")
PRODUCT_SOURCES = ("catalog", "scenario")


def timestamp(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    create_customers()
    create_products()
    create_orders()
    create_order_lines()
    create_interactions()
    create_tickets()


def create_customers() -> None:
    op.create_table(
        "customers",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("first_name", sa.String(80), nullable=False),
        sa.Column("last_name", sa.String(80), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("phone", sa.String(32), nullable=True),
        sa.Column("membership_level", sa.String(16), nullable=False),
        sa.Column("locale", sa.String(16), nullable=False),
        sa.Column("street", sa.String(120), nullable=True),
        sa.Column("city", sa.String(80), nullable=True),
        sa.Column("state", sa.String(40), nullable=True),
        sa.Column("zip_code", sa.String(16), nullable=True),
        timestamp("created_at"),
        sa.Column(
            "personalization_enabled",
            sa.Boolean(),
            server_default=sa.true(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
        sa.UniqueConstraint("email", name=op.f("uq_customers_email")),
        sa.UniqueConstraint("username", name=op.f("uq_customers_username")),
        sa.CheckConstraint(
            sa.column("membership_level").in_(MEMBERSHIP_LEVELS),
            name=op.f("ck_customers_membership_level"),
        ),
    )


def create_products() -> None:
    op.create_table(
        "products",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("brand", sa.String(80), nullable=False),
        sa.Column("gender", sa.String(16), nullable=False),
        sa.Column("master_category", sa.String(40), nullable=False),
        sa.Column("sub_category", sa.String(40), nullable=False),
        sa.Column("article_type", sa.String(60), nullable=False),
        sa.Column("colour", sa.String(40), nullable=True),
        sa.Column("season", sa.String(16), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("usage", sa.String(32), nullable=True),
        sa.Column("price", sa.Numeric(10, 2), nullable=False),
        sa.Column("sizes", sa.String(200), nullable=False),
        sa.Column("stock", sa.JSON(), nullable=False),
        sa.Column("units_in_stock", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("image_url", sa.String(300), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
        sa.CheckConstraint(
            sa.column("source").in_(PRODUCT_SOURCES), name=op.f("ck_products_source")
        ),
    )


def create_orders() -> None:
    op.create_table(
        "orders",
        sa.Column("id", sa.String(10), nullable=False),
        sa.Column("customer_id", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        timestamp("placed_at"),
        timestamp("shipped_at", nullable=True),
        timestamp("delivered_at", nullable=True),
        sa.Column("carrier", sa.String(32), nullable=True),
        sa.Column("tracking_number", sa.String(40), nullable=True),
        sa.Column("payment_method", sa.String(32), nullable=False),
        sa.Column(
            "has_original_packaging",
            sa.Boolean(),
            server_default=sa.true(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_orders_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.CheckConstraint(
            sa.column("status").in_(ORDER_STATUSES), name=op.f("ck_orders_status")
        ),
    )
    op.create_index(op.f("ix_orders_customer_id"), "orders", ["customer_id"])


def create_order_lines() -> None:
    op.create_table(
        "order_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.String(10), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("size", sa.String(16), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.Numeric(10, 2), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_lines")),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_order_lines_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_order_lines_product_id_products"),
        ),
    )
    op.create_index(op.f("ix_order_lines_order_id"), "order_lines", ["order_id"])
    op.create_index(op.f("ix_order_lines_product_id"), "order_lines", ["product_id"])


def create_interactions() -> None:
    op.create_table(
        "interactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.String(32), nullable=False),
        timestamp("occurred_at"),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("intent", sa.String(100), nullable=True),
        sa.Column("summary", sa.String(280), nullable=True),
        sa.Column("session_id", sa.String(128), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interactions")),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_interactions_customer_id_customers"),
            ondelete="CASCADE",
        ),
    )
    # Leads with customer_id, so it also serves that foreign key.
    op.create_index(
        op.f("ix_interactions_customer_id_occurred_at"),
        "interactions",
        ["customer_id", "occurred_at"],
    )


def create_tickets() -> None:
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.String(32), nullable=False),
        sa.Column("order_id", sa.String(10), nullable=True),
        sa.Column("topic", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("summary", sa.String(280), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        timestamp("created_at"),
        timestamp("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tickets")),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_tickets_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_tickets_order_id_orders"),
            ondelete="SET NULL",
        ),
        sa.CheckConstraint(
            sa.column("status").in_(TICKET_STATUSES), name=op.f("ck_tickets_status")
        ),
    )
    op.create_index(op.f("ix_tickets_customer_id"), "tickets", ["customer_id"])
    op.create_index(op.f("ix_tickets_order_id"), "tickets", ["order_id"])


def downgrade() -> None:
    for table in (
        "tickets",
        "interactions",
        "order_lines",
        "orders",
        "products",
        "customers",
    ):
        op.drop_table(table)
