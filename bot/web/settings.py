"""Settings of the chat page server, read once from the environment.

Each field names its environment variable next to its default. Values are
checked when read, so a bad port or URL stops the server at start-up with a
message that says which variable to fix, instead of a broken page later.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parents[2]

DEFAULT_HOST = "127.0.0.1"  # CONCIERGE_WEB_HOST
DEFAULT_PORT = 8080  # CONCIERGE_WEB_PORT
DEFAULT_RASA_URL = ""  # CONCIERGE_RASA_URL; "" = page host + CONCIERGE_RASA_PORT
DEFAULT_RASA_PORT = 5005  # CONCIERGE_RASA_PORT
DEFAULT_TOKEN_TTL_MINUTES = 480  # CONCIERGE_TOKEN_TTL_MINUTES
DEFAULT_NODE_MODULES = REPO_ROOT / "node_modules"  # CONCIERGE_NODE_MODULES

MAX_TOKEN_TTL_MINUTES = 7 * 24 * 60


class SettingsError(ValueError):
    """An environment variable holds a value the server cannot run with."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable


@dataclass(frozen=True)
class WebSettings:
    """Where the page server listens and where the page finds the dialogue engine.

    rasa_url is the socket.io origin the page connects to; when empty, the
    page uses its own hostname with rasa_port, which suits a single host.
    """

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    rasa_url: str = DEFAULT_RASA_URL
    rasa_port: int = DEFAULT_RASA_PORT
    token_ttl_minutes: int = DEFAULT_TOKEN_TTL_MINUTES
    node_modules_dir: Path = DEFAULT_NODE_MODULES

    def __post_init__(self) -> None:
        if not self.host.strip():
            raise SettingsError("CONCIERGE_WEB_HOST", "must not be empty")
        _check_port("CONCIERGE_WEB_PORT", self.port)
        _check_port("CONCIERGE_RASA_PORT", self.rasa_port)
        _check_rasa_url(self.rasa_url)
        if not 1 <= self.token_ttl_minutes <= MAX_TOKEN_TTL_MINUTES:
            raise SettingsError(
                "CONCIERGE_TOKEN_TTL_MINUTES",
                f"must be between 1 and {MAX_TOKEN_TTL_MINUTES}, "
                f"got {self.token_ttl_minutes}",
            )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> WebSettings:
        """Read the settings from environ (os.environ when not given)."""
        env = os.environ if environ is None else environ
        return cls(
            host=env.get("CONCIERGE_WEB_HOST", DEFAULT_HOST),
            port=_int(env, "CONCIERGE_WEB_PORT", DEFAULT_PORT),
            rasa_url=env.get("CONCIERGE_RASA_URL", DEFAULT_RASA_URL).rstrip("/"),
            rasa_port=_int(env, "CONCIERGE_RASA_PORT", DEFAULT_RASA_PORT),
            token_ttl_minutes=_int(
                env, "CONCIERGE_TOKEN_TTL_MINUTES", DEFAULT_TOKEN_TTL_MINUTES
            ),
            node_modules_dir=Path(
                env.get("CONCIERGE_NODE_MODULES", str(DEFAULT_NODE_MODULES))
            ),
        )


def _int(env: Mapping[str, str], variable: str, default: int) -> int:
    raw = env.get(variable)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw.strip())
    except ValueError:
        raise SettingsError(variable, f"must be a whole number, got {raw!r}") from None


def _check_port(variable: str, port: int) -> None:
    if not 1 <= port <= 65535:
        raise SettingsError(variable, f"must be a port from 1 to 65535, got {port}")


def _check_rasa_url(url: str) -> None:
    """Accept "" or a bare origin; a path would become a socket.io namespace."""
    if url == "":
        return
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(
            "CONCIERGE_RASA_URL",
            f"must be empty or an http(s) origin like http://host:5005, got {url!r}",
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise SettingsError(
            "CONCIERGE_RASA_URL",
            f"must be an origin without a path or query, got {url!r}",
        )
    try:
        _ = parts.port  # urlsplit checks the port's range only when asked for it
    except ValueError:
        raise SettingsError("CONCIERGE_RASA_URL", f"has a bad port: {url!r}") from None
