"""Every test layer, in order: data validation, conversation tests, then
pytest (unit tests, end-to-end tests against a real stack, browser tests).

Each layer runs even when an earlier one failed, so one run shows every
problem; the exit status is non-zero when any layer failed.
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from bot.settings import StackSettings
from bot.training import ensure_model


@dataclass(frozen=True)
class Layer:
    name: str
    command: list[str]


def layers(settings: StackSettings, model: Path, results: Path) -> list[Layer]:
    rasa = str(settings.rasa)
    return [
        Layer(
            "rasa data validate",
            [rasa, "data", "validate", "--config", "config.yml",
             "--domain", "domain.yml", "--data", "bot/data"],
        ),
        Layer(
            "conversation tests (rasa test)",
            [rasa, "test", "core", "--model", str(model),
             "--stories", "tests/conversations", "--fail-on-prediction-errors",
             "--out", str(results / "conversations")],
        ),
        Layer(
            "pytest (unit, end-to-end, browser)",
            [str(settings.python), "-m", "pytest", "-q",
             f"--junitxml={results / 'pytest.xml'}"],
        ),
    ]  # fmt: skip


def pytest_counts(junit: Path) -> tuple[int, int, int]:
    """(passed, failed, skipped) from pytest's JUnit XML report."""
    if not junit.exists():
        return 0, 0, 0
    suite = ElementTree.parse(junit).getroot()
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
    total = int(suite.get("tests", 0))
    failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
    skipped = int(suite.get("skipped", 0))
    return total - failed - skipped, failed, skipped


def run_all(settings: StackSettings) -> int:
    results = settings.var_dir / "test-results"
    results.mkdir(parents=True, exist_ok=True)
    model, seconds = ensure_model(settings)
    if seconds:
        print(f"Trained {model.name} in {seconds:.1f} s")
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false")
    outcomes: list[tuple[str, bool, float]] = []
    for layer in layers(settings, model, results):
        print(f"\n=== {layer.name}", flush=True)
        started = time.perf_counter()
        code = subprocess.run(
            layer.command, cwd=settings.root, env=env, check=False
        ).returncode
        outcomes.append((layer.name, code == 0, time.perf_counter() - started))
    print("\n=== summary")
    for name, ok, seconds in outcomes:
        print(f"{'ok    ' if ok else 'FAILED'} {name} ({seconds:.0f} s)")
    passed, failed, skipped = pytest_counts(results / "pytest.xml")
    layers_failed = sum(1 for _, ok, _ in outcomes if not ok)
    print(f"layers: {len(outcomes) - layers_failed} passed, {layers_failed} failed")
    print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if layers_failed else 0
