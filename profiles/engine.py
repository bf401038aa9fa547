"""Engines for the profile store's database URL.

SQLite needs two things the other backends do not: the folder of the file
must exist, and foreign keys are off unless each connection turns them on.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

logger = logging.getLogger(__name__)


def sqlite_file(database_url: str) -> Path | None:
    """The database file of a SQLite URL; None for memory or other backends."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def make_engine(database_url: str, **options: Any) -> Engine:
    """An engine for `database_url`, creating a SQLite file's folder if missing."""
    path = sqlite_file(database_url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(database_url, **options)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
    logger.debug("Engine for %s", engine.url.render_as_string(hide_password=True))
    return engine


def _enable_sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
