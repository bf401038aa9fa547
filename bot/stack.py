"""Starts and stops the three processes of a running Concierge.

`Stack.start()` prepares nothing itself: call `prepare()` and `ensure_model()`
first (the command line does). Each process writes to its own log file under
var/log/; a process that dies or never answers stops the whole stack with a
message naming its log.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

from sqlalchemy.engine import make_url

from bot.settings import StackSettings
from profiles.config import StoreSettings

logger = logging.getLogger(__name__)

START_TIMEOUT_S = 180.0
STOP_TIMEOUT_S = 20.0


class StackError(RuntimeError):
    """A process of the stack failed to start or died; names its log file."""

    def __init__(self, process: str, log_path: Path, problem: str) -> None:
        super().__init__(f"{process} {problem}; see {log_path}")
        self.process = process
        self.log_path = log_path


def port_in_use(port: int) -> bool:
    """Whether something on this machine already listens on the TCP port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Process:
    name: str
    command: list[str]
    health_url: str
    log_path: Path
    env: dict[str, str]
    popen: subprocess.Popen | None = None

    @property
    def port(self) -> int:
        return int(urllib.parse.urlsplit(self.health_url).port or 80)

    def start(self, cwd: Path) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.popen = subprocess.Popen(
            self.command,
            cwd=cwd,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, stopped as one
        )
        log.close()

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.health_url, timeout=2) as answer:
                return answer.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def terminate(self) -> None:
        if self.alive():
            os.killpg(self.popen.pid, signal.SIGTERM)

    def wait_or_kill(self, timeout: float) -> None:
        if self.popen is None:
            return
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            logger.warning("%s did not stop in %.0f s; killing it", self.name, timeout)
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()


SECRET_ENV = ("CONCIERGE_NLG_TOKEN", "CONCIERGE_RASA_API_TOKEN")


def loopback(host: str) -> str:
    """The address to reach a server of this stack listening on `host`."""
    return "127.0.0.1" if host in ("", "0.0.0.0", "::") else host


def tracker_store_env(database_url: str) -> dict[str, str]:
    """Rasa's SQL tracker store on the profile store's database.

    Rasa runs SQLAlchemy 1.4 with psycopg2, so a PostgreSQL URL for psycopg 3
    is given psycopg2's driver name; SQLite stays as it is.
    """
    url = make_url(database_url)
    dialect = url.get_backend_name()
    if dialect == "postgresql":
        url = url.set(drivername="postgresql+psycopg2")
    return {
        "CONCIERGE_TRACKER_DIALECT": dialect,
        "CONCIERGE_TRACKER_URL": url.render_as_string(hide_password=False),
        "CONCIERGE_TRACKER_DB": url.database or "",
    }


@dataclass
class Stack:
    """The dialogue engine, the action server and the web page, together."""

    settings: StackSettings
    model: Path
    extra_env: Mapping[str, str] = field(default_factory=dict)
    processes: list[Process] = field(default_factory=list)
    # Fresh each run: what Rasa shows the NLG endpoint, what the console shows
    # Rasa's HTTP API when it loads a model it trained.
    nlg_token: str = field(
        default_factory=lambda: secrets.token_urlsafe(32), repr=False
    )
    rasa_api_token: str = field(
        default_factory=lambda: secrets.token_urlsafe(32), repr=False
    )

    def _env(self) -> dict[str, str]:
        env = dict(os.environ) | dict(self.extra_env)
        s = self.settings
        env |= tracker_store_env(StoreSettings.from_env(env).database_url)
        env |= {
            "CONCIERGE_NLG_URL": f"http://{loopback(s.host)}:{s.web_port}/nlg",
            "CONCIERGE_NLG_TOKEN": self.nlg_token,
            "CONCIERGE_RASA_API_TOKEN": self.rasa_api_token,
            "CONCIERGE_ACTION_ENDPOINT": f"http://127.0.0.1:{s.actions_port}/webhook",
            "CONCIERGE_RASA_PORT": str(s.rasa_port),
            "CONCIERGE_WEB_PORT": str(s.web_port),
            "CONCIERGE_WEB_HOST": s.host,
            "SANIC_HOST": "127.0.0.1",  # the action server listens on loopback only
            "HF_HUB_OFFLINE": "1",
            "RASA_TELEMETRY_ENABLED": "false",  # nothing leaves the machine
            "PYTHONUNBUFFERED": "1",
        }
        return env

    def _plan(self) -> list[Process]:
        s = self.settings
        env = self._env()
        log_dir = Path(env.get("CONCIERGE_LOG_DIR", s.var_dir / "log"))
        origins = [f"http://localhost:{s.web_port}", f"http://127.0.0.1:{s.web_port}"]
        # The action server needs neither token.
        action_env = {k: v for k, v in env.items() if k not in SECRET_ENV}
        actions = Process(
            "action server",
            [str(s.python), "-m", "rasa_sdk", "--actions", "actions",
             "--port", str(s.actions_port)],
            f"http://127.0.0.1:{s.actions_port}/health",
            log_dir / "actions.log",
            action_env,
        )  # fmt: skip
        # bot.rasa_run adds --enable-api and the token from the environment
        rasa = Process(
            "dialogue engine",
            [str(s.rasa.with_name("python")), "-m", "bot.rasa_run",
             "run", "--model", str(self.model),
             "--endpoints", "bot/endpoints.yml", "--credentials", "bot/credentials.yml",
             "--interface", s.host, "--port", str(s.rasa_port), "--cors", *origins],
            f"http://127.0.0.1:{s.rasa_port}/",
            log_dir / "rasa.log",
            env,
        )  # fmt: skip
        web = Process(
            "web page",
            [str(s.python), "-m", "bot.web"],
            f"http://127.0.0.1:{s.web_port}/healthz",
            log_dir / "web.log",
            env,
        )
        return [actions, rasa, web]

    def start(self, timeout: float = START_TIMEOUT_S) -> float:
        """Starts all three and waits until each answers; returns the seconds.

        Refuses to start when a port is taken: the health checks would
        otherwise be answered by whatever already listens there.
        """
        started = time.perf_counter()
        self.processes = self._plan()
        for process in self.processes:
            if port_in_use(process.port):
                raise StackError(
                    process.name,
                    process.log_path,
                    f"cannot start: port {process.port} is in use",
                )
        for process in self.processes:
            process.start(self.settings.root)
        try:
            self._wait_healthy(started + timeout)
        except BaseException:
            self.stop()
            raise
        return time.perf_counter() - started

    def _wait_healthy(self, deadline: float) -> None:
        waiting = list(self.processes)
        while waiting:
            for process in list(waiting):
                if not process.alive():
                    raise StackError(process.name, process.log_path, "exited")
                if process.healthy():
                    logger.info("%s is up", process.name)
                    waiting.remove(process)
            if time.perf_counter() > deadline:
                names = ", ".join(p.name for p in waiting)
                raise StackError(names, waiting[0].log_path, "did not start in time")
            time.sleep(0.5)

    def dead(self) -> Process | None:
        """The first process that has exited, if any."""
        return next((p for p in self.processes if not p.alive()), None)

    def stop(self) -> None:
        """Asks all three to stop at once, then waits; kills what lingers."""
        for process in self.processes:
            process.terminate()
        deadline = time.perf_counter() + STOP_TIMEOUT_S
        for process in self.processes:
            process.wait_or_kill(max(0.1, deadline - time.perf_counter()))

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
