"""Intent examples as the console sees them: read from the training data, checked
before they are saved, and merged back into a copy of the data for retraining.

The training data is Rasa's YAML (bot/data/*.yml): `nlu:` blocks of
`- intent: NAME` with an `examples: |` literal block, one `- example` a line.
Edits replace an intent's whole example list. Files are edited with
ruamel.yaml's round trip, so regex, lookup and synonym blocks, comments and
quoting come out as they went in. Nothing here touches the database: the
caller passes the edits.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.scalarstring import LiteralScalarString
from ruamel.yaml.tokens import CommentToken

MAX_EXAMPLE_CHARS = 300
DATA_SUFFIXES = (".yml", ".yaml")
QUOTE_WIDTH = 60  # characters of an example quoted in a problem message

IntentEdits = Mapping[str, Sequence[str]]


class TrainingDataError(ValueError):
    """Training data this module cannot read or write; names the file or intent."""


@dataclass(frozen=True)
class DomainNames:
    """The names domain.yml declares; `actions` holds every name a story step
    may run: custom actions, responses and forms."""

    intents: tuple[str, ...]
    entities: frozenset[str]
    actions: frozenset[str] = frozenset()

    @classmethod
    def from_file(cls, domain_path: Path) -> DomainNames:
        domain = YAML(typ="safe").load(domain_path.read_text(encoding="utf-8"))
        domain = domain or {}
        actions = set(_declared_names(domain.get("actions")))
        actions |= set(domain.get("responses") or {}) | set(domain.get("forms") or {})
        return cls(
            intents=tuple(_declared_names(domain.get("intents"))),
            entities=frozenset(_declared_names(domain.get("entities"))),
            actions=frozenset(actions),
        )


@dataclass(frozen=True)
class ExampleProblem:
    """Why an example (by its index in the list, None for the whole intent) is
    refused; the message quotes the example."""

    example: int | None
    text: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"example": self.example, "text": self.text, "message": self.message}


def _declared_names(entries: Any) -> Iterator[str]:
    """Names from a domain list whose items are `name` or `{name: options}`."""
    for entry in entries or []:
        if isinstance(entry, str):
            yield entry
        elif isinstance(entry, Mapping):
            yield from (str(name) for name in entry)


# Reading


def read_intents(data_dir: Path) -> dict[str, list[str]]:
    """Every intent's examples, in the order the files list them.

    Two blocks of one intent are joined, as Rasa joins them.
    """
    intents: dict[str, list[str]] = {}
    for path in data_files(data_dir):
        for block in _intent_blocks(path, _load(path)):
            intents.setdefault(str(block["intent"]), []).extend(
                parse_examples(block["examples"])
            )
    return intents


def data_files(data_dir: Path) -> list[Path]:
    """The YAML files under data_dir, sorted, as `rasa train --data` finds them."""
    return sorted(
        p for p in data_dir.rglob("*") if p.is_file() and p.suffix in DATA_SUFFIXES
    )


def parse_examples(block: str) -> list[str]:
    """The examples of an `examples: |` block, read the way Rasa reads them: a
    line that does not start with "-" is skipped."""
    return [
        line[1:].strip(" \r\n") for line in block.splitlines() if line.startswith("-")
    ]


def _intent_blocks(path: Path, document: Any) -> Iterator[Mapping[str, Any]]:
    if not isinstance(document, Mapping) or "nlu" not in document:
        return
    for block in document["nlu"] or []:
        if not isinstance(block, Mapping) or "intent" not in block:
            continue
        if not isinstance(block.get("examples"), str):
            raise TrainingDataError(
                f"{path.name}: intent {block['intent']!r} does not list its "
                "examples in an `examples: |` block"
            )
        yield block


# Checking


def normalise(example: str) -> str:
    """The example as the classifier compares it: annotations reduced to their
    text, case folded, runs of spaces made one."""
    text = _ANNOTATION.sub(lambda m: m.group(1), example)
    return " ".join(text.casefold().split())


_ANNOTATION = re.compile(r"\[([^\[\]]*)\](?:\([^)]*\)|\{[^}]*\}|\[[^\]]*\])")


def check_examples(
    intent: str,
    examples: Sequence[str],
    others: Mapping[str, Sequence[str]],
    *,
    domain: DomainNames,
) -> list[ExampleProblem]:
    """Why this example list cannot be saved for `intent`; empty when it can.

    `others` is every intent's current examples (the intent itself is
    skipped), to catch an example that would teach two intents the same text.
    """
    problems = []
    if intent not in domain.intents:
        problems.append(
            _problem(None, None, f"{intent!r} is not an intent in domain.yml")
        )
    if not examples:
        problems.append(_problem(None, None, "An intent needs at least one example."))
    owners = _owners(intent, others)
    seen: dict[str, int] = {}
    for index, example in enumerate(examples):
        for message in _example_problems(example, domain.entities):
            problems.append(_problem(index, example, message))
        if not isinstance(example, str) or not example.strip():
            continue
        # Within an intent only a true repeat is refused: "HELLO" next to
        # "hello" teaches the featurizers what capitals look like.
        repeat = " ".join(example.split())
        if repeat in seen:
            message = f"{_quote(example)} repeats example {seen[repeat] + 1}."
            problems.append(_problem(index, example, message))
        elif (owner := owners.get(normalise(example))) is not None:
            message = f"{_quote(example)} is already an example of {owner!r}."
            problems.append(_problem(index, example, message))
        seen.setdefault(repeat, index)
    return problems


def _problem(index: int | None, text: Any, message: str) -> ExampleProblem:
    return ExampleProblem(index, text if isinstance(text, str) else None, message)


def _owners(intent: str, others: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Normalised example -> the other intent that has it."""
    owners: dict[str, str] = {}
    for name, examples in others.items():
        if name == intent:
            continue
        for example in examples:
            owners.setdefault(normalise(example), name)
    return owners


def _example_problems(example: Any, entities: frozenset[str]) -> list[str]:
    if not isinstance(example, str):
        return ["An example must be text."]
    text = example.strip()
    if not text:
        return ["An example is empty."]
    if "\n" in text or "\r" in text:
        return [f"{_quote(text)} must be one line."]
    problems = []
    if len(text) > MAX_EXAMPLE_CHARS:
        problems.append(
            f"{_quote(text)} has {len(text)} characters; "
            f"the limit is {MAX_EXAMPLE_CHARS}."
        )
    if any(unicodedata.category(c) == "Cc" for c in text):
        problems.append(f"{_quote(text)} contains a control character.")
    problems.extend(
        f"{_quote(text)}: {message}" for message in annotation_problems(text, entities)
    )
    return problems


def _quote(example: str) -> str:
    short = (
        example if len(example) <= QUOTE_WIDTH else example[: QUOTE_WIDTH - 3] + "..."
    )
    return f"'{short}'"


def annotation_problems(example: str, entities: frozenset[str]) -> list[str]:
    """What is wrong with the entity annotations of one example.

    Accepts Rasa's three forms: `[text](entity)` or `[text](entity:value)`,
    `[text]{"entity": ...}` and `[text][{"entity": ...}, ...]`. A bracket
    that opens no annotation, or closes none, is reported.
    """
    problems: list[str] = []
    position = 0
    while position < len(example):
        char = example[position]
        if char == "]":
            problems.append("a ']' closes no '['.")
            position += 1
        elif char == "[":
            position = _check_annotation(example, position, entities, problems)
        else:
            position += 1
    return problems


def _check_annotation(
    example: str, start: int, entities: frozenset[str], problems: list[str]
) -> int:
    """Checks the annotation opening at `start`; returns where to read on."""
    close = example.find("]", start + 1)
    opened = example.find("[", start + 1)
    if close == -1 or -1 < opened < close:
        problems.append("a '[' is never closed.")
        return start + 1
    if not example[start + 1 : close].strip():
        problems.append("an annotation marks no text.")
    after = close + 1
    opener = example[after : after + 1]
    closer = {"(": ")", "{": "}", "[": "]"}.get(opener)
    end = example.find(closer, after + 1) if closer else -1
    if closer is None:
        problems.append(
            f"[{example[start + 1 : close]}] names no entity; "
            "write [text](entity_name)."
        )
        return after
    if end == -1:
        problems.append(f"a '{opener}' after [...] is never closed with '{closer}'.")
        return len(example)
    problems.extend(_entity_problems(example[after : end + 1], entities))
    return end + 1


def _entity_problems(described: str, entities: frozenset[str]) -> list[str]:
    """`described` is what follows [text]: (entity), {...} or [{...}, ...]."""
    if described.startswith("("):
        names = [described[1:-1].split(":", 1)[0].strip()]
    else:
        try:
            parsed = json.loads(described)
        except json.JSONDecodeError:
            return [f"{described} is not valid JSON."]
        items = parsed if isinstance(parsed, list) else [parsed]
        if not items or not all(
            isinstance(i, dict) and isinstance(i.get("entity"), str) for i in items
        ):
            return ['an entity description needs "entity": "name".']
        names = [i["entity"] for i in items]
    return [
        f"{name!r} is not an entity in domain.yml."
        for name in names
        if name not in entities
    ]


# Writing


def yaml_round_trip(offset: int) -> YAML:
    """A ruamel.yaml round-trip loader and dumper for files whose block
    sequences put the dash `offset` columns right of their key (see
    sequence_offset); nulls stay spelled `null`, long lines are never folded.
    """
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=offset + 2, offset=offset)
    yaml.representer.add_representer(type(None), _represent_null)
    return yaml


def _represent_null(representer: Any, _: None) -> Any:
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")


def sequence_offset(text: str) -> int:
    """How far the first block sequence's dash sits right of its key: 2 in
    domain.yml (`  - greet` under `intents:`), 0 in bot/data/nlu.yml."""
    key_indent = None
    for line in text.splitlines():
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(stripped)
        if key_indent is not None and stripped.startswith("- "):
            return max(indent - key_indent, 0)
        key_indent = indent if stripped.rstrip().endswith(":") else None
    return 0


def dump_yaml(yaml: YAML, document: Any) -> str:
    stream = io.StringIO()
    yaml.dump(document, stream)
    return stream.getvalue()


def examples_block(examples: Sequence[str]) -> LiteralScalarString:
    """The `examples: |` block for an example list; refuses what would not read
    back as the same list."""
    lines = []
    for example in examples:
        text = example.strip()
        if not text or "\n" in text or "\r" in text:
            raise TrainingDataError(f"cannot write the example {example!r}")
        lines.append(f"- {text}\n")
    return LiteralScalarString("".join(lines))


def apply_intent_edits(data_dir: Path, edits: IntentEdits) -> dict[Path, str]:
    """The new text of each data file the edits change (nothing else).

    An edited intent's examples are replaced in the block that holds it; a
    second block of the same intent is removed, its examples being in the
    edit. An intent no file has yet is added to the first NLU file, after its
    last intent.
    """
    pending: dict[str, list[str] | None] = {n: list(e) for n, e in edits.items()}
    changed: dict[Path, tuple[YAML, Any]] = {}
    first = None
    for path in data_files(data_dir):
        text = path.read_text(encoding="utf-8")
        yaml = yaml_round_trip(sequence_offset(text))
        document = yaml.load(text)
        if not isinstance(document, Mapping) or "nlu" not in document:
            continue
        first = first or (path, yaml, document)
        if _replace_examples(path, document, pending):
            changed[path] = (yaml, document)
    missing = {name: e for name, e in pending.items() if e is not None}
    if missing:
        if first is None:
            raise TrainingDataError(f"no NLU file in {data_dir} to add intents to")
        path, yaml, document = first
        for name, examples in missing.items():
            _add_intent(document["nlu"], name, examples)
        changed[path] = (yaml, document)
    return {path: dump_yaml(yaml, doc) for path, (yaml, doc) in changed.items()}


def _replace_examples(path: Path, document: Any, pending: dict) -> bool:
    """Puts pending edits into this document's blocks; True if it changed.

    A handled intent's entry in `pending` becomes None, so a later block of
    the same intent is dropped rather than filled again.
    """
    changed = False
    blocks: CommentedSeq = document["nlu"]
    for block in list(_intent_blocks(path, document)):
        name = str(block["intent"])
        if name not in pending:
            continue
        examples = pending[name]
        if examples is None:
            del blocks[next(i for i, b in enumerate(blocks) if b is block)]
            changed = True
            continue
        if parse_examples(block["examples"]) != [e.strip() for e in examples]:
            block["examples"] = examples_block(examples)
            changed = True
        pending[name] = None
    return changed


def _add_intent(blocks: CommentedSeq, name: str, examples: Sequence[str]) -> None:
    block = CommentedMap(intent=name, examples=examples_block(examples))
    last = max(
        (i for i, b in enumerate(blocks) if isinstance(b, Mapping) and "intent" in b),
        default=len(blocks) - 1,
    )
    blocks.insert(last + 1, block)
    previous = blocks[last] if last >= 0 else None
    if isinstance(previous, CommentedMap) and isinstance(
        previous.get("examples"), LiteralScalarString
    ):
        # In ruamel's model the blank line or comment after a block belongs to
        # its last value: the new block takes it over, and the block before
        # keeps a blank line ("\n" after a literal block is one empty line).
        trailing = previous.ca.items.pop("examples", None)
        if trailing is not None:
            block.ca.items["examples"] = trailing
        blank = CommentToken("\n", CommentMark(0), None)
        previous.ca.items["examples"] = [None, None, blank, None]


def write_training_data(
    data_dir: Path, target_dir: Path, edits: IntentEdits
) -> list[Path]:
    """A complete copy of data_dir in target_dir (which must not exist yet), with
    the edits merged in; returns the files rewritten. For `rasa train --data`."""
    changed = apply_intent_edits(data_dir, edits)
    shutil.copytree(data_dir, target_dir)
    written = []
    for source, text in changed.items():
        target = target_dir / source.relative_to(data_dir)
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


def _load(path: Path) -> Any:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))
