"""The responses the assistant may send: domain.yml's, with the console's
live edits on top, and the checks an edited variant must pass.

A variant is a dict in domain.yml's own shape: `text`, and optionally
`buttons` ([{title, payload}]), `image`, `custom`, `attachment`, `channel`
and `condition` ([{type: slot, name, value}]).
"""

from __future__ import annotations

import copy
import logging
import re
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

import yaml
from sqlalchemy.exc import SQLAlchemyError

from bot.responses.profile import PROFILE_FIELDS
from bot.responses.templates import PLACEHOLDERS, TemplateProblem, compile_template

logger = logging.getLogger(__name__)

VARIANT_KEYS = frozenset(
    {"text", "buttons", "image", "custom", "attachment", "channel", "condition", "id"}
)
MAX_VARIANTS = 20
MAX_BUTTONS = 10
MAX_BUTTON_CHARS = 500
# C0 controls but tab and newline, DEL, and the bidirectional overrides, which
# could make a reply read differently from what a review of domain.yml shows.
_UNSAFE_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")

Variant = dict[str, Any]


class EditSource(Protocol):
    """What the catalogue reads of bot.console.store.ConsoleStore."""

    def responses_version(self) -> tuple[int, int]: ...

    def current_responses(self) -> Mapping[str, Any]: ...


def read_domain_responses(domain_path: Path) -> dict[str, list[Variant]]:
    """The `responses:` block of a domain file, by response name."""
    with domain_path.open(encoding="utf-8") as handle:
        domain = yaml.safe_load(handle) or {}
    responses = domain.get("responses") or {}
    return {name: list(variants or []) for name, variants in responses.items()}


class ResponseCatalog:
    """domain.yml's responses merged with the newest console edits.

    The edits are read again only when their version (the newest revision id)
    has moved, so an edit is live on the next message and an unchanged
    catalogue costs one small query; domain.yml is read again when its file
    changes (an export writes it).
    """

    def __init__(self, domain_path: Path, edits: EditSource) -> None:
        self._domain_path = domain_path
        self._domain_stamp = domain_path.stat().st_mtime_ns
        self._defaults = read_domain_responses(domain_path)
        self._edits = edits
        self._lock = threading.Lock()
        self._version: Any = None
        self._merged: dict[str, list[Variant]] = {}
        self._edited: dict[str, Any] = {}

    def defaults(self, name: str) -> list[Variant] | None:
        variants = self._defaults.get(name)
        return copy.deepcopy(variants) if variants is not None else None

    def variants(self, name: str) -> list[Variant] | None:
        """The variants the assistant uses now for `name`; None if unknown."""
        merged, _ = self._refresh()
        variants = merged.get(name)
        return copy.deepcopy(variants) if variants is not None else None

    def all(self) -> tuple[dict[str, list[Variant]], dict[str, Any]]:
        """Every response's variants now, and the newest revision of each edited one
        (a revision back to the default counts as not edited)."""
        merged, edited = self._refresh()
        return copy.deepcopy(merged), dict(edited)

    def _refresh(self) -> tuple[dict[str, list[Variant]], dict[str, Any]]:
        try:
            version = self._edits.responses_version()
            with self._lock:
                return self._merge(version)
        except SQLAlchemyError:
            logger.warning("Response edits unreadable; using the last ones read")
            with self._lock:
                return self._merged or self._defaults, self._edited

    def _merge(self, version: Any) -> tuple[dict[str, list[Variant]], dict[str, Any]]:
        """Under the lock: the merged responses, read again if `version` moved."""
        stamp = self._domain_path.stat().st_mtime_ns
        if stamp != self._domain_stamp:  # an export rewrote it: new defaults
            self._defaults = read_domain_responses(self._domain_path)
            self._domain_stamp, self._version = stamp, None
        if version != self._version:
            current = self._edits.current_responses()
            # an edit that domain.yml now says itself (exported) is no edit
            edited = {
                n: r
                for n, r in current.items()
                if r.payload is not None and r.payload != self._defaults.get(n)
            }
            self._merged = self._defaults | {n: r.payload for n, r in edited.items()}
            self._edited, self._version = edited, version
            logger.info("Responses at version %s (%d edited)", version, len(edited))
        return self._merged, self._edited


def check_variants(variants: Any) -> tuple[list[Variant], list[dict[str, Any]]]:
    """The variants cleaned up, and the problems found, each naming its variant.

    Text and button titles and payloads must compile as templates; keys are
    those of domain.yml; a variant needs text, an image or a custom payload.
    """
    if not isinstance(variants, list) or not variants:
        return [], [
            {"variant": None, "message": "A response needs at least one variant."}
        ]
    if len(variants) > MAX_VARIANTS:
        return [], [{"variant": None, "message": f"At most {MAX_VARIANTS} variants."}]
    cleaned, problems = [], []
    for index, variant in enumerate(variants):
        found: list[str] = []
        clean = _clean_variant(variant, found)
        cleaned.append(clean)
        problems += [{"variant": index, "message": message} for message in found]
    return cleaned, problems


def _clean_variant(variant: Any, problems: list[str]) -> Variant:
    if not isinstance(variant, dict):
        problems.append("A variant is an object with a text.")
        return {}
    unknown = set(variant) - VARIANT_KEYS
    if unknown:
        problems.append(f"Unknown keys: {', '.join(sorted(map(str, unknown)))}.")
    clean = {
        k: v
        for k, v in variant.items()
        if k in VARIANT_KEYS and v not in (None, "", [])
    }
    text = clean.get("text")
    if text is not None and not isinstance(text, str):
        problems.append("The text must be text.")
    elif isinstance(text, str):
        clean["text"] = text.strip()
        _check_template(clean["text"], "The text", problems)
    if not (clean.get("text") or clean.get("image") or clean.get("custom")):
        problems.append("A variant needs a text (or an image or a custom payload).")
    if "buttons" in clean:
        clean["buttons"] = _clean_buttons(clean["buttons"], problems)
    if "custom" in clean and not isinstance(clean["custom"], dict):
        problems.append("A custom payload must be an object.")
    if "channel" in clean and not isinstance(clean["channel"], str):
        problems.append("The channel must be a channel's name.")
    if "condition" in clean:
        _check_condition(clean["condition"], problems)
    return clean


def _clean_buttons(buttons: Any, problems: list[str]) -> list[dict[str, str]]:
    if not isinstance(buttons, list) or len(buttons) > MAX_BUTTONS:
        problems.append(f"Buttons are a list of at most {MAX_BUTTONS}.")
        return []
    clean = []
    for number, button in enumerate(buttons, start=1):
        if not isinstance(button, dict) or not all(
            isinstance(button.get(k), str) and button.get(k).strip()
            for k in ("title", "payload")
        ):
            problems.append(f"Button {number} needs a title and a payload.")
            continue
        title, payload = button["title"].strip(), button["payload"].strip()
        if len(title) > MAX_BUTTON_CHARS or len(payload) > MAX_BUTTON_CHARS:
            problems.append(
                f"Button {number} is longer than {MAX_BUTTON_CHARS} characters."
            )
        _check_template(title, f"Button {number}'s title", problems)
        _check_template(payload, f"Button {number}'s payload", problems)
        clean.append({"title": title, "payload": payload})
    return clean


def _check_template(source: str, what: str, problems: list[str]) -> None:
    """A template must compile and name only values that exist: a misspelt
    name would otherwise make the variant silently never sent."""
    if _UNSAFE_CHARACTERS.search(source):
        problems.append(f"{what}: holds control or text-direction characters")
        return
    try:
        compiled = compile_template(source)
    except TemplateProblem as problem:
        problems.append(f"{what}: {problem}")
        return
    unknown = sorted(compiled.names - {"customer", PLACEHOLDERS})
    if unknown:
        problems.append(f"{what}: there is no value {', '.join(unknown)}")
    for path in sorted(compiled.customer_paths):
        if not any(f"{field}.".startswith(f"{path}.") for field in PROFILE_FIELDS):
            problems.append(
                f"{what}: there is no {path}; a profile has "
                + ", ".join(PROFILE_FIELDS)
            )


def _check_condition(condition: Any, problems: list[str]) -> None:
    if not isinstance(condition, list) or not all(
        isinstance(c, dict)
        and c.get("type") == "slot"
        and isinstance(c.get("name"), str)
        for c in condition
    ):
        problems.append("A condition is a list of {type: slot, name, value}.")
