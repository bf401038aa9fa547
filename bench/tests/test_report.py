"""The saved figures: the carried-over training time and the printed table."""

from __future__ import annotations

import json
from pathlib import Path

from bench.report import earlier_training, save, table


def _results(train: dict) -> dict:
    level = {
        "concurrency": 1,
        "messages": 200,
        "errors": 0,
        "p50_ms": 80.5,
        "p95_ms": 140.0,
        "mean_ms": 90.1,
        "max_ms": 300.2,
        "messages_per_s": 11.0,
    }
    return {
        "timestamp": "2025-01-01T00:00:00+00:00",
        "machine": {"cpu_count": 2, "python_actions": "3.11.2",
                    "python_rasa": "3.10.13", "rasa": "3.6.21", "rasa_sdk": "3.21.0"},
        "assistants": {"concierge": {"train": train, "startup_s": 40.0,
                                     "levels": [level]}},
    }  # fmt: skip


def test_a_saved_training_time_is_carried_over_as_earlier(tmp_path: Path) -> None:
    path = tmp_path / "latency.json"
    measured = {"seconds": 321.0, "measured_at": "2025-01-01", "this_run": True}
    save(_results(measured), path)

    earlier = earlier_training(path)

    assert earlier == measured | {"this_run": False}
    assert not path.with_name("latency.json.tmp").exists()


def test_no_saved_figure_gives_none(tmp_path: Path) -> None:
    assert earlier_training(tmp_path / "missing.json") is None
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    assert earlier_training(broken) is None
    unmeasured = tmp_path / "unmeasured.json"
    unmeasured.write_text(json.dumps(_results({"seconds": None})))
    assert earlier_training(unmeasured) is None


def test_table_shows_each_level_and_the_training_note() -> None:
    text = table(_results({"seconds": None, "note": "not measured in this run"}))

    row = next(line for line in text.splitlines() if line.startswith("concierge "))
    assert row.split() == ["concierge", "1", "200", "0", "80.5", "140.0", "90.1",
                           "300.2", "11.0"]  # fmt: skip
    assert "rasa train not measured in this run; start-up 40.0 s" in text
