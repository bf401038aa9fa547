"""Facts about the machine and the figures of a run: a table, and the JSON file.

The JSON keeps the last measured Concierge training time: a run that does not
train carries the earlier figure over, marked with the run it came from.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

_RASA_SIDE = (
    "import importlib.metadata as m, platform; "
    "print(m.version('rasa'), platform.python_version())"
)


def machine_facts(rasa_python: Path) -> dict[str, Any]:
    """CPU count, load and the versions on both sides of the stack.

    The load average is there because the machine may be shared: figures taken
    while other work runs are slower than the stack alone would be.
    """
    answer = subprocess.run(
        [str(rasa_python), "-c", _RASA_SIDE],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    rasa_version, rasa_python_version = answer.stdout.split()
    return {
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "platform": platform.platform(),
        "python_actions": platform.python_version(),
        "python_rasa": rasa_python_version,
        "rasa": rasa_version,
        "rasa_sdk": metadata.version("rasa_sdk"),
        "httpx": metadata.version("httpx"),
    }


def earlier_training(results_path: Path) -> dict[str, Any] | None:
    """The Concierge training figure saved by an earlier run, if there is one."""
    try:
        earlier = json.loads(results_path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, json.JSONDecodeError) as error:
        logger.warning("Cannot read earlier results %s: %s", results_path, error)
        return None
    training = earlier.get("assistants", {}).get("concierge", {}).get("train")
    if not isinstance(training, dict) or training.get("seconds") is None:
        return None
    return training | {"this_run": False}


def save(results: dict[str, Any], path: Path) -> None:
    """Write the JSON next to its final place first, so a reader never sees half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(json.dumps(results, indent=2, sort_keys=False) + "\n")
    partial.replace(path)


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _training_note(training: dict[str, Any]) -> str:
    if training.get("seconds") is None:
        return "not measured in this run"
    if training.get("this_run"):
        when = "this run"
    else:
        when = f"run of {training['measured_at']}"
    cache = training.get("cache", "?")
    return f"{training['seconds']:.1f} s ({when}; Rasa cache: {cache})"


COLUMNS = ("concurrency", "messages", "errors", "p50_ms", "p95_ms", "mean_ms", "max_ms")
HEADINGS = ("at once", "messages", "errors", "p50 ms", "p95 ms", "mean ms", "max ms")


def table(results: dict[str, Any]) -> str:
    """The figures of a run as lines of text for a terminal."""
    facts = results["machine"]
    versions = (
        f"{facts['cpu_count']} CPUs; Python {facts['python_actions']} (actions) and "
        f"{facts['python_rasa']} (Rasa {facts['rasa']}, rasa_sdk {facts['rasa_sdk']})"
    )
    lines = [
        f"Latency per message through the REST channel, {results['timestamp']}",
        versions,
        "",
    ]
    header = f"{'assistant':<11}" + "".join(f"{name:>10}" for name in HEADINGS)
    lines += [header + f"{'msg/s':>8}", "-" * (len(header) + 8)]
    for name, assistant in results["assistants"].items():
        for level in assistant["levels"]:
            cells = [level.get(column, "-") for column in COLUMNS]
            row = f"{name:<11}" + "".join(f"{cell:>10}" for cell in cells)
            lines.append(row + f"{level['messages_per_s']:>8}")
    lines.append("")
    for name, assistant in results["assistants"].items():
        lines.append(
            f"{name}: rasa train {_training_note(assistant['train'])}; "
            f"start-up {_seconds(assistant['startup_s'])} s"
        )
    return "\n".join(lines)
