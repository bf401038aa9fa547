"""Per-message latency of Concierge and of a bare `rasa init` bot, at 1 and 8 at once.

    .venv/bin/python bench/latency.py [--train]

Sets up and trains both assistants first, then starts, measures and stops one
after the other, so neither competes with the other for the CPUs. Each gets a
few warm-up messages that are not counted, then the same customers send the
same 200 messages once one at a time and once 8 at a time. Prints a table and
writes bench/results/latency.json. Every process started here is stopped on
the way out, on an error and on Ctrl-C or SIGTERM as well.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: make the repo's packages importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.assistants import (
    BareAssistant,
    ConciergeSite,
    PortInUse,
    bare_assistant,
    check_free,
    train_concierge,
)
from bench.conversations import (
    CONCIERGE_CONVERSATIONS,
    RASA_INIT_CONVERSATIONS,
    WARM_UP_CONCIERGE,
    WARM_UP_RASA_INIT,
    Line,
    quotas,
    script,
)
from bench.load import (
    REQUEST_TIMEOUT_S,
    Customer,
    level_figures,
    run_level,
)
from bench.report import earlier_training, machine_facts, save, table
from bot.settings import REPO_ROOT, StackSettings, env_whole_number
from bot.stack import StackError
from bot.training import TrainingFailed

logger = logging.getLogger("bench.latency")

RESULTS_PATH = REPO_ROOT / "bench" / "results" / "latency.json"
CONCIERGE_WORK_DIR = REPO_ROOT / "var" / "bench" / "concierge"

DEFAULT_MESSAGES = 200  # BENCH_MESSAGES: messages per concurrency level
DEFAULT_CUSTOMERS = 8  # BENCH_CUSTOMERS: simulated customers, the top concurrency
DEFAULT_RASA_PORT = 15105  # BENCH_RASA_PORT: Concierge's dialogue engine
DEFAULT_ACTIONS_PORT = 15155  # BENCH_ACTIONS_PORT: Concierge's action server
DEFAULT_WEB_PORT = 18180  # BENCH_WEB_PORT: Concierge's web page
DEFAULT_BARE_PORT = 15205  # BENCH_BARE_PORT: the bare `rasa init` assistant


@dataclass(frozen=True)
class BenchSettings:
    """How much traffic to send and on which loopback ports, read once."""

    messages: int = DEFAULT_MESSAGES
    customers: int = DEFAULT_CUSTOMERS
    rasa_port: int = DEFAULT_RASA_PORT
    actions_port: int = DEFAULT_ACTIONS_PORT
    web_port: int = DEFAULT_WEB_PORT
    bare_port: int = DEFAULT_BARE_PORT

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> BenchSettings:
        environ = os.environ if environ is None else environ
        return cls(
            messages=env_whole_number(
                environ, "BENCH_MESSAGES", DEFAULT_MESSAGES, 100_000
            ),
            customers=env_whole_number(
                environ, "BENCH_CUSTOMERS", DEFAULT_CUSTOMERS, 256
            ),
            rasa_port=env_whole_number(
                environ, "BENCH_RASA_PORT", DEFAULT_RASA_PORT, 65535
            ),
            actions_port=env_whole_number(
                environ, "BENCH_ACTIONS_PORT", DEFAULT_ACTIONS_PORT, 65535
            ),
            web_port=env_whole_number(
                environ, "BENCH_WEB_PORT", DEFAULT_WEB_PORT, 65535
            ),
            bare_port=env_whole_number(
                environ, "BENCH_BARE_PORT", DEFAULT_BARE_PORT, 65535
            ),
        )

    @property
    def levels(self) -> tuple[int, ...]:
        return (1, self.customers) if self.customers > 1 else (1,)

    @property
    def stack(self) -> StackSettings:
        return StackSettings(
            rasa_port=self.rasa_port,
            actions_port=self.actions_port,
            web_port=self.web_port,
        )


MakeCustomers = Callable[[str], list[Customer]]


def customers_for(
    conversations: Sequence[tuple[Line, ...]],
    tokens: Sequence[str | None],
    settings: BenchSettings,
    run_id: str,
) -> MakeCustomers:
    """A maker of fresh customers (new sender ids, so new trackers) per level."""

    def make(tag: str) -> list[Customer]:
        shares = quotas(settings.messages, settings.customers)
        return [
            Customer(
                sender=f"bench-{run_id}-{tag}-{index}",
                token=tokens[index % len(tokens)],
                lines=script(conversations, index),
                quota=quota,
            )
            for index, quota in enumerate(shares)
        ]

    return make


def warm_up(url: str, lines: tuple[Line, ...], token: str | None, run_id: str) -> None:
    """Send a short conversation that is not counted: loads models, opens stores."""
    customer = Customer(f"bench-{run_id}-warm-up", token, iter(lines), len(lines))
    conversations, _ = asyncio.run(run_level(url, [customer], 1))
    failed = [s for s in conversations[0].samples if not s.ok]
    if len(failed) == len(lines):
        raise RuntimeError(f"{url} answered no warm-up message ({failed[0].error})")


def measure(url: str, make: MakeCustomers, levels: tuple[int, ...]) -> list[dict]:
    """The figures of each concurrency level, the levels one after the other."""
    figures = []
    for level in levels:
        logger.info("Sending %s at %d at once", url, level)
        conversations, wall = asyncio.run(run_level(url, make(f"x{level}"), level))
        figures.append(level_figures(conversations, level, wall))
        figures[-1]["load_average_1m_after"] = round(os.getloadavg()[0], 2)
    return figures


def concierge_train_record(
    model: Path, seconds: float, forced: bool, timestamp: str
) -> dict[str, Any]:
    """This run's training time, else the last one saved, else 'not measured'."""
    if seconds > 0:
        return {
            "seconds": round(seconds, 1), "measured_at": timestamp, "model": model.name,
            "cache": "empty" if forced else "project", "this_run": True,
        }  # fmt: skip
    earlier = earlier_training(RESULTS_PATH)
    if earlier is not None:
        return earlier | {"current_model": model.name}
    return {"seconds": None, "note": "not measured in this run", "model": model.name}


def bench_concierge(
    settings: BenchSettings, site: ConciergeSite, model: Path, run_id: str
) -> dict[str, Any]:
    """Start the stack, warm it up, measure each level, stop it."""
    tokens = [token for _, token in site.customer_tokens(settings.customers)]
    if not tokens:
        raise RuntimeError("the seeded profile store has no demo customers")
    stack = site.stack(settings.stack, model)
    try:
        startup = stack.start()
        url = settings.stack.rasa_url
        warm_up(url, WARM_UP_CONCIERGE, tokens[0], run_id)
        make = customers_for(CONCIERGE_CONVERSATIONS, tokens, settings, run_id)
        levels = measure(url, make, settings.levels)
    finally:
        stack.stop()
    return {"startup_s": round(startup, 2), "levels": levels,
            "signed_in_customers": len(tokens)}  # fmt: skip


def bench_bare(
    settings: BenchSettings, bare: BareAssistant, run_id: str
) -> dict[str, Any]:
    """Start the bare assistant, warm it up, measure each level, stop it."""
    try:
        startup = bare.start()
        warm_up(bare.url, WARM_UP_RASA_INIT, None, run_id)
        make = customers_for(RASA_INIT_CONVERSATIONS, [None], settings, run_id)
        levels = measure(bare.url, make, settings.levels)
    finally:
        bare.stop()
    return {"startup_s": round(startup, 2), "levels": levels}


def run(settings: BenchSettings, train: bool) -> dict[str, Any]:
    """Set up and train both assistants, then measure one after the other."""
    now = datetime.now(UTC)
    timestamp = now.isoformat(timespec="seconds")
    run_id = now.strftime("%Y%m%d%H%M%S")
    facts = machine_facts(REPO_ROOT / ".venv-rasa" / "bin" / "python")
    site = ConciergeSite(CONCIERGE_WORK_DIR)
    bare = bare_assistant(settings.bare_port)
    check_free(settings.rasa_port, settings.actions_port, settings.web_port,
               settings.bare_port)  # fmt: skip

    logger.info("Preparing the Concierge profile store in %s", site.work_dir)
    site.reset()
    site.prepare(settings.stack)
    logger.info("Training Concierge%s", " (forced)" if train else " if needed")
    model, concierge_train_s = train_concierge(settings.stack, site, force=train)
    if bare.ensure_project():
        logger.info("Wrote the rasa init project to %s", bare.project_dir)
    logger.info("Training the bare assistant")
    bare_train_s = bare.train()

    try:
        concierge = bench_concierge(settings, site, model, run_id)
        rasa_init = bench_bare(settings, bare, run_id)
    finally:
        bare.stop()  # again, in case stopping failed inside; a no-op otherwise
    concierge["train"] = concierge_train_record(
        model, concierge_train_s, train, timestamp
    )
    rasa_init["train"] = {"seconds": round(bare_train_s, 1), "measured_at": timestamp,
                          "cache": "none (--force)", "this_run": True}  # fmt: skip
    return {
        "timestamp": timestamp,
        "machine": facts,
        "workload": workload(settings),
        "assistants": {"concierge": concierge, "rasa init": rasa_init},
    }


def workload(settings: BenchSettings) -> dict[str, Any]:
    return {
        "messages_per_level": settings.messages,
        "customers": settings.customers,
        "levels": list(settings.levels),
        "warm_up_messages": {
            "concierge": len(WARM_UP_CONCIERGE),
            "rasa init": len(WARM_UP_RASA_INIT),
        },
        "request_timeout_s": REQUEST_TIMEOUT_S,
        "latency": "request sent to whole reply read, REST channel, errors excluded",
    }


def _stop_on_sigterm() -> None:
    """Treat SIGTERM as Ctrl-C: whatever handles SIGINT at that moment (asyncio's
    runner while traffic is sent, Python's default otherwise) handles it."""

    def interrupt(signum: int, frame: object) -> None:
        handler = signal.getsignal(signal.SIGINT)
        if callable(handler):
            handler(signal.SIGINT, frame)
        else:
            raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--train", action="store_true",
        help="train the Concierge model anyway (empty Rasa cache) and time it",
    )  # fmt: skip
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    for chatty in ("httpx", "alembic"):  # a line per request or plugin drowns ours
        logging.getLogger(chatty).setLevel(logging.WARNING)
    _stop_on_sigterm()
    try:
        results = run(BenchSettings.from_env(), args.train)
    except KeyboardInterrupt:
        print("\nInterrupted; every process started here is stopped.", file=sys.stderr)
        return 130
    except (
        PortInUse, StackError, TrainingFailed, RuntimeError, ValueError, TimeoutError,
        subprocess.CalledProcessError, subprocess.TimeoutExpired,
    ) as error:  # fmt: skip
        print(f"error: {error}", file=sys.stderr)
        return 1
    save(results, RESULTS_PATH)
    print(table(results))
    print(f"\nSaved {RESULTS_PATH.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
