"""The two assistants a latency run starts: Concierge and a bare `rasa init` bot.

Concierge runs as a `bot.stack.Stack` on its own ports, with its own SQLite
profile store and var folder under var/bench/concierge/ (emptied at the start
of each run, kept afterwards for its logs). The bare assistant is the project
`rasa init` writes to var/bench/rasa-init/, made once and trained on every
run. Both speak only on 127.0.0.1, and Rasa's telemetry is switched off for
every process started here.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from bot.settings import REPO_ROOT, StackSettings
from bot.stack import Stack, StackError

logger = logging.getLogger(__name__)

QUIET_RASA = {"RASA_TELEMETRY_ENABLED": "false"}
TOKEN_TTL = timedelta(hours=2)
BARE_START_TIMEOUT_S = 180.0
BARE_STOP_TIMEOUT_S = 20.0
BARE_MODEL_NAME = "bench-rasa-init"
SETUP_TIMEOUT_S = 1200.0  # `rasa init` (which trains once) or `rasa train`


class PortInUse(RuntimeError):
    """Something already listens on a port the benchmark wants to use."""

    def __init__(self, port: int) -> None:
        super().__init__(f"port {port} on 127.0.0.1 is already in use")
        self.port = port


def check_free(*ports: int) -> None:
    """Raise PortInUse unless nothing answers on each port; a health check
    against someone else's server would otherwise pass."""
    for port in ports:
        with socket.socket() as probe:
            probe.settimeout(1.0)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                raise PortInUse(port)


@contextlib.contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables for the block, then put the old values back.

    For code that reads settings from the process environment only
    (`bot.cli.prepare`, `StoreSettings.from_env`, `ensure_model`).
    """
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, old in saved.items():
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old


@dataclass(frozen=True)
class ConciergeSite:
    """Where the Concierge under test keeps its store, secret and logs."""

    work_dir: Path

    @property
    def env(self) -> dict[str, str]:
        return {
            "DATABASE_URL": f"sqlite:///{self.work_dir / 'concierge.db'}",
            "CONCIERGE_VAR_DIR": str(self.work_dir),
            "CONCIERGE_LOG_DIR": str(self.work_dir / "log"),
            **QUIET_RASA,
        }

    def reset(self) -> None:
        shutil.rmtree(self.work_dir, ignore_errors=True)
        self.work_dir.mkdir(parents=True)

    def prepare(self, settings: StackSettings) -> None:
        """Migrate and seed this store with the project's own command."""
        from bot.cli import prepare

        with environment(self.env):
            prepare(settings)

    def customer_tokens(self, count: int) -> list[tuple[str, str]]:
        """(customer id, signed token) of up to `count` seeded demo customers."""
        from profiles.config import StoreSettings
        from profiles.identity import issue_token, load_secret
        from profiles.store import ProfileStore

        with environment(self.env):
            settings = StoreSettings.from_env()
        store = ProfileStore(settings)
        try:
            customers = store.demo_customers(count)
        finally:
            store.close()
        secret = load_secret(settings)
        return [(c.id, issue_token(c.id, secret, ttl=TOKEN_TTL)) for c in customers]

    def stack(self, settings: StackSettings, model: Path) -> Stack:
        return Stack(settings, model, extra_env=self.env)


def train_concierge(
    settings: StackSettings, site: ConciergeSite, force: bool
) -> tuple[Path, float]:
    """The Concierge model and the seconds spent training it (0.0: none needed).

    A forced training gets an empty Rasa cache, so the figure is a full
    training and not a reuse of components cached by an earlier one.
    """
    from bot.training import ensure_model

    cache = site.work_dir / "rasa-cache"
    shutil.rmtree(cache, ignore_errors=True)
    extra = {"RASA_CACHE_DIRECTORY": str(cache)} if force else {}
    with environment(QUIET_RASA | extra):
        return ensure_model(settings, force=force)


def answers(url: str) -> bool:
    """True if `url` answers 200 within two seconds."""
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return answer.status == 200
    except (urllib.error.URLError, OSError):
        return False


def stop_group(popen: subprocess.Popen, timeout: float) -> None:
    """SIGTERM the process group `popen` leads; SIGKILL it if it lingers."""
    if popen.poll() is not None:
        return
    os.killpg(popen.pid, signal.SIGTERM)
    try:
        popen.wait(timeout)
    except subprocess.TimeoutExpired:
        logger.warning("pid %d did not stop in %.0f s; killing it", popen.pid, timeout)
        os.killpg(popen.pid, signal.SIGKILL)
        popen.wait()


@dataclass
class BareAssistant:
    """The bot `rasa init` writes, run with nothing of Concierge around it."""

    rasa: Path
    project_dir: Path
    port: int
    server: subprocess.Popen | None = None

    @property
    def log_dir(self) -> Path:
        return self.project_dir.parent / "log"

    @property
    def model(self) -> Path:
        return self.project_dir / "models" / f"{BARE_MODEL_NAME}.tar.gz"

    def _env(self) -> dict[str, str]:
        return dict(os.environ) | QUIET_RASA | {"PYTHONUNBUFFERED": "1"}

    def _run(self, command: list[str], log_name: str, cwd: Path) -> float:
        """Run a rasa command to its end, output to a log; returns the seconds."""
        log_path = self.log_dir / log_name
        log_path.parent.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        with log_path.open("w") as log:
            result = subprocess.run(  # the exit code is checked below, with the log
                command, check=False, cwd=cwd, env=self._env(),
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                timeout=SETUP_TIMEOUT_S,
            )  # fmt: skip
        if result.returncode != 0:
            raise StackError("bare assistant", log_path, f"{command[1]} failed")
        return time.perf_counter() - started

    def ensure_project(self) -> bool:
        """Write the `rasa init` project unless it is there; True if written now."""
        if (self.project_dir / "domain.yml").exists():
            return False
        self.project_dir.mkdir(parents=True, exist_ok=True)
        command = [str(self.rasa), "init", "--no-prompt", "--init-dir", "."]
        self._run(command, "rasa-init.log", self.project_dir)
        return True

    def train(self) -> float:
        """A full `rasa train --force` in the project folder; the seconds taken."""
        command = [
            str(self.rasa), "train", "--force",
            "--fixed-model-name", BARE_MODEL_NAME, "--out", "models",
        ]  # fmt: skip
        seconds = self._run(command, "rasa-init-train.log", self.project_dir)
        if not self.model.exists():
            raise StackError("bare assistant", self.log_dir, "left no model")
        return seconds

    @property
    def run_log(self) -> Path:
        return self.log_dir / "rasa-init-run.log"

    def start(self, timeout: float = BARE_START_TIMEOUT_S) -> float:
        """Start `rasa run` and wait until it answers; returns the seconds."""
        command = [
            str(self.rasa), "run", "--model", str(self.model),
            "--port", str(self.port), "--interface", "127.0.0.1",
        ]  # fmt: skip
        self.run_log.parent.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        with self.run_log.open("ab") as log:
            self.server = subprocess.Popen(
                command, cwd=self.project_dir, env=self._env(),
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, stopped as one
            )  # fmt: skip
        try:
            self._wait(started + timeout)
        except BaseException:
            self.stop()
            raise
        return time.perf_counter() - started

    def _wait(self, deadline: float) -> None:
        while not answers(f"{self.url}/"):
            if self.server.poll() is not None:
                raise StackError("bare assistant", self.run_log, "exited")
            if time.perf_counter() > deadline:
                raise StackError("bare assistant", self.run_log, "never answered")
            time.sleep(0.5)

    def stop(self) -> None:
        if self.server is not None:
            stop_group(self.server, BARE_STOP_TIMEOUT_S)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def bare_assistant(port: int) -> BareAssistant:
    return BareAssistant(
        rasa=REPO_ROOT / ".venv-rasa" / "bin" / "rasa",
        project_dir=REPO_ROOT / "var" / "bench" / "rasa-init",
        port=port,
    )
