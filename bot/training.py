"""Trains the Rasa model only when its inputs changed.

The model file is named after a hash of everything `rasa train` reads
(config.yml, domain.yml, bot/data/), so an unchanged input finds its model and
skips training; the Rasa version is part of the hash too.
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import time
from pathlib import Path

from bot.settings import StackSettings

logger = logging.getLogger(__name__)

RASA_VERSION = "3.6.21"
MODEL_PREFIX = "concierge-"


class TrainingFailed(RuntimeError):
    """`rasa train` exited with an error; its output is in the log file named."""

    def __init__(self, log_path: Path) -> None:
        super().__init__(f"rasa train failed; see {log_path}")
        self.log_path = log_path


def training_inputs(root: Path) -> list[Path]:
    data = sorted(p for p in (root / "bot" / "data").rglob("*.yml") if p.is_file())
    return [root / "config.yml", root / "domain.yml", *data]


def fingerprint(root: Path) -> str:
    digest = hashlib.sha256(RASA_VERSION.encode())
    for path in training_inputs(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def model_path(settings: StackSettings) -> Path:
    return settings.models_dir / f"{MODEL_PREFIX}{fingerprint(settings.root)}.tar.gz"


def ensure_model(settings: StackSettings, force: bool = False) -> tuple[Path, float]:
    """The model for the current inputs, trained if missing; and seconds spent."""
    target = model_path(settings)
    if target.exists() and not force:
        return target, 0.0
    settings.models_dir.mkdir(parents=True, exist_ok=True)
    log_path = settings.var_dir / "log" / "train.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    command = [
        str(settings.rasa), "train",
        "--config", "config.yml",
        "--domain", "domain.yml",
        "--data", "bot/data",
        "--out", str(settings.models_dir),
        "--fixed-model-name", target.name.removesuffix(".tar.gz"),
    ]  # fmt: skip
    started = time.perf_counter()
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false")
    with log_path.open("w") as log:
        result = subprocess.run(
            command,
            cwd=settings.root,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if result.returncode != 0 or not target.exists():
        raise TrainingFailed(log_path)
    _remove_stale_models(settings.models_dir, keep=target)
    return target, time.perf_counter() - started


def _remove_stale_models(models_dir: Path, keep: Path) -> None:
    for old in models_dir.glob(f"{MODEL_PREFIX}*.tar.gz"):
        if old != keep:
            old.unlink()
