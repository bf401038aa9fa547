"""Interactions may name a product: shown, viewed or turned down.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04

The recommender reads these rows as signals (a view weighs less than a
purchase) and never suggests a product the customer turned down again. A
product that leaves the catalog leaves its rows without a product.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("interactions") as batch:
        batch.add_column(sa.Column("product_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_interactions_product_id_products"),
            "products",
            ["product_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index(op.f("ix_interactions_product_id"), ["product_id"])


def downgrade() -> None:
    with op.batch_alter_table("interactions") as batch:
        batch.drop_index(op.f("ix_interactions_product_id"))
        batch.drop_constraint(
            op.f("fk_interactions_product_id_products"), type_="foreignkey"
        )
        batch.drop_column("product_id")
