"""The support console: users, sessions, response and intent revisions, training
runs and conversation tests.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04

Written out by hand, like 0001, so it keeps meaning the same schema when the
models move on.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

CONSOLE_ROLES = ("lead", "developer")


def timestamp(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "console_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        timestamp("created_at"),
        timestamp("last_login_at", nullable=True),
        timestamp("disabled_at", nullable=True),
        sa.CheckConstraint(sa.column("role").in_(CONSOLE_ROLES), name="role"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "console_sessions",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        timestamp("created_at"),
        timestamp("expires_at"),
        sa.ForeignKeyConstraint(["user_id"], ["console_users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index(
        op.f("ix_console_sessions_user_id"), "console_sessions", ["user_id"]
    )
    revisions("response_revisions", "response", "variants")
    revisions(
        "intent_revisions", "intent", "examples", sa.Column("batch", sa.String(32))
    )
    op.create_table(
        "training_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_by", sa.String(64), nullable=False),
        timestamp("started_at"),
        timestamp("finished_at", nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "conversation_tests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("story", sa.Text(), nullable=False),
        sa.Column("author", sa.String(64), nullable=False),
        timestamp("created_at"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )


def revisions(table: str, key: str, payload: str, *extra: sa.Column) -> None:
    op.create_table(
        table,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(key, sa.String(100), nullable=False),
        sa.Column(payload, sa.JSON(), nullable=True),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("author", sa.String(64), nullable=False),
        timestamp("created_at"),
        *extra,
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f(f"ix_{table}_{key}_id"), table, [key, "id"])


def downgrade() -> None:
    for table in (
        "conversation_tests",
        "training_runs",
        "intent_revisions",
        "response_revisions",
        "console_sessions",
        "console_users",
    ):
        op.drop_table(table)
