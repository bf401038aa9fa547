"""Alembic environment of the profile store.

The URL comes from StoreSettings, never from alembic.ini: the settings passed
in by ProfileStore.migrate(), else the environment. A connection passed in by
migrate() is used as is, so a caller's in-memory database migrates too.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection
from sqlalchemy.pool import NullPool

from profiles.config import StoreSettings
from profiles.engine import make_engine
from profiles.models import Base


def settings() -> StoreSettings:
    return context.config.attributes.get("settings") or StoreSettings.from_env()


def run_offline() -> None:
    """Write the SQL of the revisions instead of running it (alembic --sql)."""
    context.configure(
        url=settings().database_url,
        target_metadata=Base.metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite alters tables by copying them; batch mode does that for later
        # revisions.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    engine = make_engine(settings().database_url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            run_on(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
