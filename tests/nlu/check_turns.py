"""Check a trained NLU model against a file of labelled customer turns.

Reads a file in Rasa's NLU test format (by default tests/nlu/real_turns.yml),
parses every example with the model and prints one line per turn: whether
the intent and the annotated entities came out as labelled. An entity counts
as found when some extractor returns its type with the labelled value (the
synonym value where the file gives one, else the annotated text, compared
without case). Extra entities the model finds are shown but not counted.

Run it with the Rasa environment, after `rasa train nlu`:

    .venv-rasa/bin/python tests/nlu/check_turns.py --model /tmp/nlu-models

The exit status is 0 when at least --min-correct turns (default: all) are
right, 1 otherwise. This is a command-line check, not a pytest module: it
needs rasa, which lives only in .venv-rasa.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_TURNS = Path(__file__).with_name("real_turns.yml")


@dataclass(frozen=True)
class TurnResult:
    """What the model made of one labelled turn."""

    text: str
    expected_intent: str
    predicted_intent: str
    confidence: float
    missing_entities: tuple[tuple[str, str], ...]
    found_entities: tuple[tuple[str, str, str], ...]

    @property
    def correct(self) -> bool:
        """True when the intent matches and no labelled entity is missing."""
        return self.expected_intent == self.predicted_intent and not (
            self.missing_entities
        )


def expected_entities(example: Any) -> list[tuple[str, str]]:
    """(type, value) pairs labelled on a training-data message, lower case."""
    return [
        (entity["entity"], str(entity["value"]).lower())
        for entity in example.get("entities") or []
    ]


def compare(example: Any, parsed: dict[str, Any]) -> TurnResult:
    """Compare one labelled example with the model's parse of its text."""
    found = tuple(
        (entity["entity"], str(entity["value"]), entity.get("extractor", "?"))
        for entity in parsed.get("entities", [])
    )
    found_pairs = {(kind, value.lower()) for kind, value, _ in found}
    missing = tuple(
        pair for pair in expected_entities(example) if pair not in found_pairs
    )

    intent = parsed.get("intent") or {}
    return TurnResult(
        text=example.get("text"),
        expected_intent=example.get("intent"),
        predicted_intent=intent.get("name") or "",
        confidence=float(intent.get("confidence") or 0.0),
        missing_entities=missing,
        found_entities=found,
    )


async def check_file(model: Path, turns: Path) -> list[TurnResult]:
    """Load the newest model under `model` and parse every turn in `turns`.

    Imports rasa lazily so that `--help` works without it.
    """
    from rasa.core.agent import Agent
    from rasa.model import get_local_model
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.utils.log_utils import configure_structlog

    # Rasa logs every parse with the message text at debug level; keep the
    # report readable by showing warnings only.
    configure_structlog(logging.WARNING)
    agent = Agent.load(get_local_model(str(model)))
    examples = load_data(str(turns)).intent_examples

    results = []
    for example in examples:
        parsed = await agent.parse_message(example.get("text"))
        results.append(compare(example, parsed))
    return results


def format_result(result: TurnResult) -> str:
    """One report line: mark, intent, confidence, entity gaps, text."""
    mark = "ok " if result.correct else "BAD"
    intent = result.predicted_intent
    if intent != result.expected_intent:
        intent = f"{intent} (want {result.expected_intent})"
    line = f"{mark} {result.confidence:.2f} {intent:<45} {result.text!r}"

    if result.missing_entities:
        line += f"\n      missing {list(result.missing_entities)}"
    if result.found_entities:
        line += f"\n      found   {list(result.found_entities)}"
    return line


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--model",
        type=Path,
        default=Path("models"),
        help="model file or folder (newest model is used)",
    )
    parser.add_argument(
        "--turns",
        type=Path,
        default=DEFAULT_TURNS,
        help="labelled turns in Rasa NLU test format",
    )
    parser.add_argument(
        "--min-correct",
        type=int,
        default=None,
        help="turns that must be right (default: all)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Print the report and return the exit status."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING)

    results = asyncio.run(check_file(args.model, args.turns))
    for result in results:
        print(format_result(result))

    correct = sum(result.correct for result in results)
    print(f"\n{correct}/{len(results)} turns right")
    needed = len(results) if args.min_correct is None else args.min_correct
    return 0 if correct >= needed else 1


if __name__ == "__main__":
    sys.exit(main())
