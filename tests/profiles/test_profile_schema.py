"""Settings, migrations and the agreement between the Alembic head and the models."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from profiles.config import DEFAULT_VAR_DIR, REPO_ROOT, StoreSettings
from profiles.models import Base
from profiles.schema import alembic_config, upgrade_sql
from profiles.store import ProfileStore

TABLES = {"customers", "products", "orders", "order_lines", "interactions", "tickets"}
CONSOLE_TABLES = {
    "console_users",
    "console_sessions",
    "response_revisions",
    "intent_revisions",
    "training_runs",
    "conversation_tests",
}


def schema_differences(store: ProfileStore) -> list:
    with store.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        return compare_metadata(context, Base.metadata)


def test_settings_default_to_the_repository_var_folder():
    settings = StoreSettings.from_env({})

    assert settings.var_dir == REPO_ROOT / "var" == DEFAULT_VAR_DIR
    assert settings.database_url == f"sqlite:///{REPO_ROOT / 'var' / 'concierge.db'}"
    assert REPO_ROOT == Path(__file__).resolve().parents[2]


def test_settings_read_the_environment(tmp_path):
    environ = {
        "DATABASE_URL": "postgresql://shop@db/concierge",
        "CONCIERGE_VAR_DIR": str(tmp_path),
    }

    settings = StoreSettings.from_env(environ)

    assert settings == StoreSettings("postgresql://shop@db/concierge", tmp_path)


def test_var_folder_setting_moves_the_default_database(tmp_path):
    settings = StoreSettings.from_env({"CONCIERGE_VAR_DIR": str(tmp_path)})

    assert settings.database_url == f"sqlite:///{tmp_path / 'concierge.db'}"


def test_a_new_store_touches_nothing_until_used(store_settings):
    ProfileStore(store_settings)

    assert not store_settings.var_dir.exists()


def test_migrate_creates_the_var_folder_and_every_table(store_settings):
    store = ProfileStore(store_settings)
    try:
        store.migrate()
        names = set(inspect(store.engine).get_table_names())
    finally:
        store.close()

    assert (store_settings.var_dir / "concierge.db").is_file()
    assert names == TABLES | CONSOLE_TABLES | {"alembic_version"}


def test_migrate_twice_is_harmless(profile_store):
    profile_store.migrate()

    with profile_store.engine.connect() as connection:
        versions = connection.execute(text("SELECT version_num FROM alembic_version"))
        assert [row[0] for row in versions] == ["0003"]


def test_an_older_database_is_upgraded_without_losing_interactions(store_settings):
    store = ProfileStore(store_settings)
    try:
        config = alembic_config(store_settings)
        with store.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0001")
            connection.execute(
                text(
                    "INSERT INTO customers (id, first_name, last_name, email,"
                    " username, membership_level, locale, created_at)"
                    " VALUES ('c1', 'Ada', 'Byron', 'ada@example.com', 'ada1',"
                    " 'gold', 'en-US', '2026-01-01 00:00:00')"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO interactions (customer_id, occurred_at, kind)"
                    " VALUES ('c1', '2026-01-02 00:00:00', 'order_lookup')"
                )
            )
        store.migrate()
        with store.engine.connect() as connection:
            rows = connection.execute(
                text("SELECT customer_id, kind, product_id FROM interactions")
            ).all()
    finally:
        store.close()
    assert [tuple(row) for row in rows] == [("c1", "order_lookup", None)]


def test_alembic_head_matches_the_models(profile_store):
    assert schema_differences(profile_store) == []


def test_the_comparison_notices_a_missing_index(profile_store):
    with profile_store.engine.begin() as connection:
        connection.execute(text("DROP INDEX ix_orders_customer_id"))

    differences = schema_differences(profile_store)

    assert [difference[0] for difference in differences] == ["add_index"]


def test_foreign_keys_are_enforced_on_sqlite(profile_store):
    with (
        pytest.raises(IntegrityError, match="FOREIGN KEY"),
        profile_store.engine.begin() as connection,
    ):
        connection.execute(
            text(
                "INSERT INTO orders (id, customer_id, status, placed_at,"
                " payment_method, has_original_packaging) VALUES"
                " ('1000000001', 'nobody', 'placed', '2024-01-01', 'paypal', 1)"
            )
        )


def test_revisions_render_for_postgresql_without_a_server(tmp_path):
    sql = upgrade_sql(StoreSettings("postgresql://shop@localhost/concierge", tmp_path))

    for table in TABLES:
        assert f"CREATE TABLE {table} (" in sql
    assert "TIMESTAMP WITH TIME ZONE" in sql
    assert "CREATE INDEX ix_interactions_customer_id_occurred_at" in sql
    assert "INSERT INTO alembic_version (version_num) VALUES ('0001')" in sql
