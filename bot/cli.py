"""The stack's command line: `python -m bot prepare | train | run | test | replay`.

`make run` and `make test` call it once the virtual environments exist.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from bot.settings import StackSettings
from bot.stack import Stack, StackError
from bot.training import TrainingFailed, ensure_model

if TYPE_CHECKING:
    from bot.console.models import ModelChoice

logger = logging.getLogger("bot")


def prepare(settings: StackSettings, env: Mapping[str, str] | None = None) -> None:
    """Migrates and seeds the profile store, makes the token secret and brings
    the knowledge indexes up to date (rebuilt only where content changed).

    `env` replaces the process environment (tests point DATABASE_URL and
    CONCIERGE_VAR_DIR at a temporary folder).
    """
    from profiles.config import StoreSettings
    from profiles.identity import load_secret

    env = dict(os.environ if env is None else env)
    python = str(settings.python)
    for step in (["profiles", "migrate"], ["profiles", "seed"], ["knowledge", "build"]):
        subprocess.run([python, "-m", *step], cwd=settings.root, env=env, check=True)
    load_secret(StoreSettings.from_env(env))


def train(settings: StackSettings, force: bool = False) -> None:
    model, seconds = ensure_model(settings, force=force)
    if seconds:
        print(f"Trained {model.name} in {seconds:.1f} s")
    else:
        print(f"Model {model.name} is up to date; no training needed")


def run(settings: StackSettings) -> int:
    prepare(settings)
    model, _ = ensure_model(settings)
    choice = console_model(settings, model)
    if choice.note:
        print(choice.note)
    stack = Stack(settings, choice.model)
    stopping = False

    def request_stop(signum, frame) -> None:
        nonlocal stopping
        stopping = True

    print("Starting the dialogue engine, the action server and the web page...")
    try:
        seconds = stack.start()  # stops what it started if interrupted
    except KeyboardInterrupt:
        print("\nStopped before start-up finished.")
        return 130
    # Installed explicitly: a shell that starts us in the background may have
    # set SIGINT to be ignored, and Ctrl-C must still stop all three.
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, request_stop)
    print(f"Concierge is up in {seconds:.1f} s: {settings.page_url}")
    print("Press Ctrl-C to stop.")
    try:
        while not stopping:
            dead = stack.dead()
            if dead is not None:
                print(f"{dead.name} stopped unexpectedly; see {dead.log_path}")
                return 1
            time.sleep(0.5)
    finally:
        print("\nStopping...")
        stack.stop()
        print("Stopped.")
    return 0


def console_model(settings: StackSettings, repo_model: Path) -> ModelChoice:
    """The model to run: the console's retrained one while it still matches."""
    from bot.console.models import choose_model
    from bot.console.store import ConsoleStore
    from profiles.config import StoreSettings
    from profiles.store import ProfileStore

    profiles = ProfileStore(StoreSettings.from_env())
    try:
        return choose_model(settings, ConsoleStore(profiles.engine), repo_model)
    finally:
        profiles.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("prepare", help="migrate and seed the profile store")
    train_parser = commands.add_parser("train", help="train if the inputs changed")
    train_parser.add_argument("--force", action="store_true", help="train anyway")
    commands.add_parser("run", help="start the whole stack until Ctrl-C")
    commands.add_parser("test", help="run every test layer")
    replay_parser = commands.add_parser("replay", help="replay the real conversations")
    replay_parser.add_argument("--url", help="dialogue engine URL (default: local)")
    args = parser.parse_args(argv)

    sys.stdout.reconfigure(line_buffering=True)  # progress shows even in a pipe
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    settings = StackSettings.from_env()
    try:
        if args.command == "prepare":
            prepare(settings)
        elif args.command == "train":
            train(settings, force=args.force)
        elif args.command == "run":
            return run(settings)
        elif args.command == "test":
            from bot.testing import run_all

            return run_all(settings)
        elif args.command == "replay":
            from bot.replay import AssistantUnreachable, replay_all

            try:
                for transcript in replay_all(settings, args.url):
                    print(transcript + "\n")
            except (AssistantUnreachable, FileNotFoundError, LookupError) as error:
                print(f"error: {error}", file=sys.stderr)
                return 1
    except (TrainingFailed, StackError, subprocess.CalledProcessError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0
