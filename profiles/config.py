"""Settings of the profile store, read once from the environment.

Nothing is read at import time: callers build a `StoreSettings` with
`from_env()` when they start, and pass it on.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

DATABASE_URL_ENV = "DATABASE_URL"  # default: sqlite:///<var_dir>/concierge.db
VAR_DIR_ENV = "CONCIERGE_VAR_DIR"  # default: <repo root>/var
DEFAULT_VAR_DIR = REPO_ROOT / "var"
DATABASE_FILE_NAME = "concierge.db"


@dataclass(frozen=True)
class StoreSettings:
    """Where the profile store keeps its rows and its local files.

    `var_dir` holds what is made on this machine (the SQLite file by
    default, the token secret); it is created on first use, not here.
    """

    database_url: str
    var_dir: Path

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> StoreSettings:
        """Settings from `environ` (default: the process environment).

        An unset or empty variable takes its default; with no DATABASE_URL the
        database is the SQLite file `concierge.db` inside the var folder.
        """
        environ = os.environ if environ is None else environ
        raw_var_dir = environ.get(VAR_DIR_ENV, "").strip()
        var_dir = Path(raw_var_dir).expanduser() if raw_var_dir else DEFAULT_VAR_DIR
        database_url = environ.get(DATABASE_URL_ENV, "").strip()
        if not database_url:
            database_url = f"sqlite:///{var_dir / DATABASE_FILE_NAME}"
        return cls(database_url=database_url, var_dir=var_dir)
