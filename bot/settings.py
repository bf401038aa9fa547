"""Where things are and which ports the stack uses, read once from the
environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

DEFAULT_HOST = "127.0.0.1"  # CONCIERGE_HOST
DEFAULT_RASA_PORT = 5005  # CONCIERGE_RASA_PORT
DEFAULT_ACTIONS_PORT = 5055  # CONCIERGE_ACTIONS_PORT
DEFAULT_WEB_PORT = 8080  # CONCIERGE_WEB_PORT


def env_whole_number(
    environ: Mapping[str, str], name: str, default: int, top: int
) -> int:
    """A whole number from 1 to `top` read from the environment, else `default`."""
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 0 < int(raw) <= top:
        raise ValueError(f"{name} must be a whole number from 1 to {top}, got {raw!r}")
    return int(raw)


def _port(environ: Mapping[str, str], name: str, default: int) -> int:
    return env_whole_number(environ, name, default, 65535)


@dataclass(frozen=True)
class StackSettings:
    """Ports, host and folders of one running stack."""

    root: Path = REPO_ROOT
    host: str = DEFAULT_HOST
    rasa_port: int = DEFAULT_RASA_PORT
    actions_port: int = DEFAULT_ACTIONS_PORT
    web_port: int = DEFAULT_WEB_PORT

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> StackSettings:
        environ = os.environ if environ is None else environ
        return cls(
            host=environ.get("CONCIERGE_HOST", DEFAULT_HOST).strip() or DEFAULT_HOST,
            rasa_port=_port(environ, "CONCIERGE_RASA_PORT", DEFAULT_RASA_PORT),
            actions_port=_port(environ, "CONCIERGE_ACTIONS_PORT", DEFAULT_ACTIONS_PORT),
            web_port=_port(environ, "CONCIERGE_WEB_PORT", DEFAULT_WEB_PORT),
        )

    @property
    def python(self) -> Path:
        return self.root / ".venv" / "bin" / "python"

    @property
    def rasa(self) -> Path:
        return self.root / ".venv-rasa" / "bin" / "rasa"

    @property
    def models_dir(self) -> Path:
        return self.root / "models"

    @property
    def var_dir(self) -> Path:
        return self.root / "var"

    @property
    def page_url(self) -> str:
        return f"http://localhost:{self.web_port}"

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"
