"""Rasa 3.6's tracker-store table as Rasa's SQLTrackerStore creates it, for the
tests and benchmarks that fill one (the console's reader only declares it)."""

from __future__ import annotations

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text


def rasa_events_table(metadata: MetaData) -> Table:
    """The `events` table: its columns and its index on sender_id."""
    return Table(
        "events",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("sender_id", String(255), nullable=False, index=True),
        Column("type_name", String(255), nullable=False),
        Column("timestamp", Float),
        Column("intent_name", String(255)),
        Column("action_name", String(255)),
        Column("data", Text),
    )
