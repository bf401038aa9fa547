"""Choosing and filling one variant of a response, as Rasa's NLG would.

Which variants may be sent: those for this channel (or for none) whose
conditions hold on the conversation's slots; the most specific group first
(matching condition and channel, then channel, then condition, then
neither), in the order Rasa's own filter uses. Inside a group the order is
random, but variants that use the customer's profile go first, so a
signed-in customer gets the personal wording when there is one. A variant
whose values are missing is skipped for the next; when none of the edited
variants can be filled, the response's domain.yml variants are tried
(`from_defaults`).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.responses.templates import (
    PLACEHOLDERS,
    Compiled,
    MissingValue,
    TemplateProblem,
    compile_template,
)

logger = logging.getLogger(__name__)

Variant = dict[str, Any]
MESSAGE_KEYS = ("image", "custom", "attachment")


@dataclass
class Turn:
    """What a response is filled from: the action's arguments, the slots, the
    output channel, and the customer's values (looked up only when a variant
    needs them)."""

    channel: str | None = None
    slots: Mapping[str, Any] = field(default_factory=dict)
    arguments: Mapping[str, Any] = field(default_factory=dict)
    customer: Callable[[], dict[str, Any] | None] = lambda: None
    _customer: Any = field(default=None, init=False, repr=False)
    _looked_up: bool = field(default=False, init=False, repr=False)

    def context(self, personal: bool) -> dict[str, Any]:
        # Arguments win over slots, as in Rasa's own templated NLG.
        values = {k: v for k, v in self.slots.items() if v is not None}
        values |= {k: v for k, v in self.arguments.items() if v is not None}
        context: dict[str, Any] = {PLACEHOLDERS: values}
        if personal:
            if not self._looked_up:
                self._customer, self._looked_up = self.customer(), True
            if self._customer is not None:
                context["customer"] = self._customer
        return context


@dataclass(frozen=True)
class Rendered:
    """The message, which variant it came from, and how many were skipped for a
    missing value first; `from_defaults` when domain.yml's variants were used
    because none of the edited ones could be filled."""

    message: dict[str, Any]  # Rasa's NLG answer: text, buttons, image, custom...
    variant: int | None  # index in the list it came from
    skipped: int
    from_defaults: bool = False


def render_response(
    variants: Sequence[Variant],
    turn: Turn,
    defaults: Sequence[Variant] | None = None,
    rng: random.Random | None = None,
) -> Rendered | None:
    """The message to send, or None when no variant can be filled."""
    rng = rng or random.Random()
    rendered = _first_that_fills(variants, turn, rng)
    if rendered is not None:
        return rendered
    if defaults and list(defaults) != list(variants):
        rendered = _first_that_fills(defaults, turn, rng)
        if rendered is not None:
            skipped = rendered.skipped + len(variants)
            return Rendered(rendered.message, rendered.variant, skipped, True)
    return None


def render_variant(variant: Variant, turn: Turn) -> dict[str, Any]:
    """One variant filled in; MissingValue or TemplateProblem if it cannot be."""
    text = variant.get("text")
    compiled = [compile_template(text)] if isinstance(text, str) else []
    buttons = [
        (compile_template(b["title"]), compile_template(b["payload"]))
        for b in variant.get("buttons") or []
        if isinstance(b, dict) and isinstance(b.get("title"), str)
        and isinstance(b.get("payload"), str)
    ]  # fmt: skip
    personal = any(c.personal for c in compiled) or any(
        t.personal or p.personal for t, p in buttons
    )
    context = turn.context(personal)
    message: dict[str, Any] = {}
    if compiled:
        message["text"] = compiled[0].render(context).strip()
    if buttons:
        message["buttons"] = [
            {"title": t.render(context), "payload": p.render(context)}
            for t, p in buttons
        ]
    for key in MESSAGE_KEYS:
        if variant.get(key) is not None:
            message[key] = variant[key]
    return message


def uses_customer(variant: Variant) -> bool:
    sources = [variant.get("text")] + [
        value
        for button in variant.get("buttons") or []
        if isinstance(button, dict)
        for value in (button.get("title"), button.get("payload"))
    ]
    return any(_compiled(s) is not None and _compiled(s).personal for s in sources)


def _first_that_fills(
    variants: Sequence[Variant], turn: Turn, rng: random.Random
) -> Rendered | None:
    skipped = 0
    for group in _groups(variants, turn):
        rng.shuffle(group)
        group.sort(key=lambda index: not uses_customer(variants[index]))
        for index in group:
            try:
                message = render_variant(variants[index], turn)
            except MissingValue as missing:
                logger.debug("Variant %d skipped: %s", index, missing)
                skipped += 1
                continue
            except TemplateProblem as problem:
                logger.warning("Variant %d cannot be used: %s", index, problem)
                skipped += 1
                continue
            return Rendered(message, index, skipped)
    return None


def _groups(variants: Sequence[Variant], turn: Turn) -> list[list[int]]:
    """Indexes of the variants that may be sent, most specific group first."""
    groups: dict[tuple[bool, bool], list[int]] = {}
    for index, variant in enumerate(variants):
        channel, condition = variant.get("channel"), variant.get("condition")
        if channel and channel != turn.channel:
            continue
        if condition and not _holds(condition, turn.slots):
            continue
        groups.setdefault((bool(condition), bool(channel)), []).append(index)
    order = [(True, True), (False, True), (True, False), (False, False)]
    return [groups[key] for key in order if key in groups]


def _holds(condition: Any, slots: Mapping[str, Any]) -> bool:
    if not isinstance(condition, list):
        return False
    return all(
        isinstance(c, dict)
        and c.get("type") == "slot"
        and slots.get(c.get("name")) == c.get("value")
        for c in condition
    )


def _compiled(source: Any) -> Compiled | None:
    if not isinstance(source, str):
        return None
    try:
        return compile_template(source)
    except TemplateProblem:
        return None
