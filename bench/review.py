"""Conversation review at scale: how long the console takes to list, filter
and open conversations as the tracker store grows.

    .venv/bin/python bench/review.py [--copies 100 1000 5000] [--repeats 5]

For each number of copies, a SQLite database under var/bench/review/ gets
Rasa's events table (its columns and its sender_id index, as Rasa's
SQLTrackerStore makes it) filled with copies of the six real conversations
(130 events) recorded from Rasa 3.6 in tests/console/data/rasa_events.json:
each copy under its own sender ids, ten minutes before the next, so 1,000
copies are 6,000 conversations and 130,000 events. Then
bot.console.conversations.ConversationReader, as the console's Conversations
tab calls it, is timed `--repeats` times per query:

- newest: the first page (50), as the tab opens (the very first listing,
  which also makes the reader's timestamp index, is timed apart), and the
  same page grouping every event, as a reader without the index makes it;
- outcome: handoffs only; intent: conversations where `return_item` was said;
- customer: a customer in a third of the conversations, and one in none (the
  worst case: every signed-in conversation's token is verified);
- transcript: one conversation opened; story: one turned into a test story.

Prints the figures and writes bench/results/review.json.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: make the repo's packages importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy
from sqlalchemy import MetaData, create_engine, insert

from bench.report import save
from bot.console.conversations import ConversationReader
from bot.settings import REPO_ROOT
from tests.rasa_tables import rasa_events_table

logger = logging.getLogger("bench.review")

RECORDED = REPO_ROOT / "tests" / "console" / "data" / "rasa_events.json"
RESULTS = REPO_ROOT / "bench" / "results" / "review.json"
WORK_DIR = REPO_ROOT / "var" / "bench" / "review"
COPY_GAP_S = 600.0  # each copy of the recorded conversations starts this much later
INSERT_BATCH = 5000
PAGE = 50
CUSTOMER = "cminh730"  # signed in to two of the six recorded conversations
NO_CUSTOMER = "nobody00"
INTENT = "return_item"
OPENED = "web-77c2-handoff"  # the recorded conversation opened and made a story


def copies(recorded: list[dict[str, Any]], count: int) -> Any:
    """The recorded rows `count` times over, copy n under sender ids ending
    in -n and COPY_GAP_S * n seconds earlier than the recording."""
    for n in range(count):
        shift = COPY_GAP_S * (count - 1 - n)
        for row in recorded:
            data = json.loads(row["data"])
            if "timestamp" in data:
                data["timestamp"] -= shift
            yield {
                "sender_id": f"{row['sender_id']}-{n}",
                "type_name": row["type_name"],
                "timestamp": row["timestamp"] - shift,
                "intent_name": row["intent_name"],
                "action_name": row["action_name"],
                "data": json.dumps(data),
            }


def build(path: Path, recorded: list[dict[str, Any]], copies_wanted: int) -> int:
    """A fresh database at `path` with the copies; the number of event rows."""
    path.unlink(missing_ok=True)
    engine = create_engine(f"sqlite:///{path}")
    table = rasa_events_table(MetaData())
    table.create(engine)
    rows, batch = 0, []
    with engine.begin() as connection:
        for row in copies(recorded, copies_wanted):
            batch.append(row)
            if len(batch) == INSERT_BATCH:
                connection.execute(insert(table), batch)
                rows, batch = rows + len(batch), []
        if batch:
            connection.execute(insert(table), batch)
            rows += len(batch)
    engine.dispose()
    return rows


def timed(call: Callable[[], Any], repeats: int) -> tuple[dict[str, float], Any]:
    """Milliseconds of `repeats` calls (median and max) and the last answer."""
    times, answer = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        answer = call()
        times.append((time.perf_counter() - started) * 1000)
    figures = {"p50_ms": round(statistics.median(times), 1)}
    figures["max_ms"] = round(max(times), 1)
    return figures, answer


def measure(
    path: Path, secret: bytes, now: datetime, copies_made: int, repeats: int
) -> dict[str, Any]:
    engine = create_engine(f"sqlite:///{path}")
    reader = ConversationReader(engine, secret)
    grouping = ConversationReader(engine, secret, timestamp_index=False)
    last = f"-{copies_made - 1}"  # the newest copy
    queries: dict[str, Callable[[], Any]] = {
        "newest": lambda: reader.conversations(limit=PAGE, now=now),
        "newest_grouping_all": lambda: grouping.conversations(limit=PAGE, now=now),
        "outcome_handoff": lambda: reader.conversations(
            outcome="handoff", limit=PAGE, now=now
        ),
        "intent": lambda: reader.conversations(intent=INTENT, limit=PAGE, now=now),
        "customer": lambda: reader.conversations(
            customer=CUSTOMER, limit=PAGE, now=now
        ),
        "customer_in_none": lambda: reader.conversations(
            customer=NO_CUSTOMER, limit=PAGE, now=now
        ),
        "transcript": lambda: reader.conversation(OPENED + last),
        "story": lambda: reader.story_yaml(OPENED + last, "bench story"),
    }
    started = time.perf_counter()
    queries["newest"]()  # the first listing makes the timestamp index
    figures: dict[str, Any] = {
        "first_newest_with_index_made": {
            "ms": round((time.perf_counter() - started) * 1000, 1)
        }
    }
    for name, call in queries.items():
        figures[name], answer = timed(call, repeats)
        figures[name]["found"] = _found(answer)
    engine.dispose()
    return figures


def _found(answer: Any) -> int:
    if isinstance(answer, list):
        return len(answer)
    return int(answer is not None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--copies", type=int, nargs="+", default=[100, 1000, 5000],
        help="copies of the six recorded conversations, one database each",
    )  # fmt: skip
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    if any(size < 1 for size in args.copies) or args.repeats < 1:
        parser.error("copies and repeats are 1 or more")
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    recorded = json.loads(RECORDED.read_text())
    secret = recorded["token_secret"].encode()
    now = datetime.fromisoformat(recorded["read_at"]).astimezone(UTC)
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    runs = []
    for size in args.copies:
        path = WORK_DIR / f"events-{size}.db"
        started = time.perf_counter()
        rows = build(path, recorded["rows"], size)
        build_s = round(time.perf_counter() - started, 1)
        figures = measure(path, secret, now, size, args.repeats)
        runs.append(
            {
                "copies": size,
                "conversations": size * 6,
                "event_rows": rows,
                "database_mb": round(path.stat().st_size / 2**20, 1),
                "build_s": build_s,
                "queries": figures,
            }
        )
        logger.info(summary(runs[-1]))
        path.unlink()
    results = {
        "machine": {
            "cpu_count": os.cpu_count(),
            "load_average": [round(load, 2) for load in os.getloadavg()],
            "platform": platform.platform(),
            "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version,
            "sqlalchemy": sqlalchemy.__version__,
        },
        "store": "SQLite (the default DATABASE_URL)",
        "page": PAGE,
        "repeats": args.repeats,
        "runs": runs,
    }
    save(results, RESULTS)
    logger.info("Saved %s", RESULTS.relative_to(REPO_ROOT))
    return 0


def summary(run: dict[str, Any]) -> str:
    head = (
        f"{run['conversations']:,} conversations, {run['event_rows']:,} events "
        f"({run['database_mb']} MB, built in {run['build_s']} s):"
    )
    lines = [head]
    first = run["queries"]["first_newest_with_index_made"]["ms"]
    lines.append(f"  first listing, making the timestamp index: {first:.1f} ms")
    for name, figures in run["queries"].items():
        if "p50_ms" not in figures:
            continue
        lines.append(
            f"  {name:<20} p50 {figures['p50_ms']:>8.1f} ms  max "
            f"{figures['max_ms']:>8.1f} ms  found {figures['found']}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
