"""Which model `make run` starts when the console has retrained.

A model the console trained and deployed keeps being used after a restart
while it still matches: the repo's training inputs are the ones it was
trained from, and the console's intent edits are the same. Otherwise the
repo's own model runs; when intent edits exist that it does not hold, the
caller is told, so they can retrain from the console or export the edits.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from bot.console.store import ConsoleStore
from bot.console.training import edits_hash
from bot.settings import StackSettings
from bot.training import fingerprint

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelChoice:
    model: Path
    note: str | None = None  # a line for the person starting the assistant


def choose_model(
    settings: StackSettings, store: ConsoleStore, repo_model: Path
) -> ModelChoice:
    edits = {
        name: revision.payload
        for name, revision in store.current_intents().items()
        if revision.payload is not None
    }
    run = store.last_deployed_run()
    if run is not None and run.get("model"):
        model = settings.models_dir / run["model"]
        matches = run.get("repo_fingerprint") == fingerprint(settings.root) and run.get(
            "edits_hash"
        ) == edits_hash(edits)
        if matches and model.exists():
            return ModelChoice(
                model, f"Using the model retrained in the console ({model.name})."
            )
    if edits:
        return ModelChoice(
            repo_model,
            f"{len(edits)} intent(s) edited in the console are not in this model: "
            "retrain from the console, or export the edits and run again.",
        )
    return ModelChoice(repo_model)
