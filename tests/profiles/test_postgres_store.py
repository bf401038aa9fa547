"""The profile store on a real PostgreSQL server, not only SQLite.

Runs when CONCIERGE_TEST_POSTGRES_URL names an empty database (`.ci/run`
starts a throwaway server and sets it); skipped otherwise, except in CI.
"""

from __future__ import annotations

import os
from datetime import date

import pytest
from sqlalchemy import create_engine, inspect, text

from profiles.config import StoreSettings
from profiles.seed import seed
from profiles.store import ProfileStore

URL_ENV = "CONCIERGE_TEST_POSTGRES_URL"

pytestmark = pytest.mark.slow


@pytest.fixture
def postgres_store(tmp_path):
    url = os.environ.get(URL_ENV, "")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{URL_ENV} is not set; .ci/run starts PostgreSQL for this")
        pytest.skip(f"{URL_ENV} is not set")
    engine = create_engine(url)
    with engine.begin() as connection:  # an empty schema for every test
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    store = ProfileStore(StoreSettings(database_url=url, var_dir=tmp_path))
    yield store
    store.close()


def test_migrations_create_every_table(postgres_store):
    postgres_store.migrate()
    engine = create_engine(postgres_store.settings.database_url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert {"customers", "products", "orders", "order_lines", "tickets"} <= tables
    assert "interactions" in tables and "alembic_version" in tables


def test_seeded_shop_answers_the_same_queries(postgres_store):
    seed(postgres_store, today=date(2026, 12, 3), customers=30)
    crystal = postgres_store.customer("cminh730")
    assert crystal is not None and crystal.membership_level == "bronze"
    (order,) = postgres_store.orders("cminh730")
    assert order.id == "3348917502" and order.status == "delivered"
    assert postgres_store.order("aphoenix939", "3348917502") is None
    ticket = postgres_store.open_ticket("cminh730", "handoff", summary="a person")
    assert postgres_store.tickets("cminh730")[0].id == ticket.id
    postgres_store.log_interaction("cminh730", "message", intent="greet")
    assert postgres_store.last_interaction("cminh730").intent == "greet"
