"""Alembic set up from StoreSettings, with no alembic.ini needed.

ProfileStore.migrate() runs the revisions on a live connection; `upgrade_sql`
writes them out as SQL for a database this machine cannot reach or has no
driver for (a PostgreSQL server, say), to hand to whoever runs it.
"""

from __future__ import annotations

import io
from pathlib import Path

from alembic import command
from alembic.config import Config

from .config import StoreSettings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(
    settings: StoreSettings, output: io.StringIO | None = None
) -> Config:
    """An Alembic configuration whose env.py takes its URL from `settings`."""
    config = Config(output_buffer=output)
    # Alembic interpolates "%" in option values; a path may contain one.
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    config.attributes["settings"] = settings
    return config


def upgrade_sql(settings: StoreSettings, revision: str = "head") -> str:
    """The SQL that upgrades an empty database at settings.database_url."""
    output = io.StringIO()
    command.upgrade(alembic_config(settings, output), revision, sql=True)
    return output.getvalue()
