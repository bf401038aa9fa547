"""Console changes written back into the repo's own files, in the repo's layout.

Response edits go into domain.yml, intent edits into the bot/data file that
holds the intent, and conversation tests are appended to
tests/conversations/console_stories.yml. Files are edited with ruamel.yaml's
round trip, so what was not edited keeps its comments, order and quoting;
every input is checked before the first file is written, and each file is
replaced atomically. Nothing here touches the database: the caller passes
the changes.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from bot.console import nlu

DOMAIN_FILE = Path("domain.yml")
DATA_DIR = Path("bot/data")
TESTS_DIR = Path("tests/conversations")
STORIES_FILE = TESTS_DIR / "console_stories.yml"
STORIES_OFFSET = 2  # `  - story:` under `stories:`, as in test_stories.yml
STORIES_HEADER = """\
version: "3.1"

# Conversation tests made in the console from real conversations. `make test`
# runs them with the others (rasa test core --fail-on-prediction-errors).

stories:
"""
NEW_FILE_MODE = 0o644

VARIANT_KEYS = ("text", "buttons", "image", "custom", "channel", "condition")
QUOTED_KEYS = frozenset({"text", "image"})  # domain.yml double-quotes these
BUTTON_KEYS = ("title", "payload")
STORY_KEYS = frozenset({"story", "steps", "metadata"})
STEP_KEYS = frozenset(
    {"user", "intent", "entities", "action", "bot", "slot_was_set", "active_loop"}
    | {"checkpoint", "or", "metadata"}
)
# Intents and actions every Rasa 3.6 assistant has without declaring them;
# a real conversation's story may hold any of them (nlu_fallback above all).
RASA_DEFAULT_INTENTS = frozenset(
    {"restart", "back", "out_of_scope", "session_start", "nlu_fallback"}
)
RASA_DEFAULT_ACTIONS = frozenset(
    {
        "action_listen",
        "action_restart",
        "action_session_start",
        "action_default_fallback",
        "action_deactivate_loop",
        "action_revert_fallback_events",
        "action_default_ask_affirmation",
        "action_default_ask_rephrase",
        "action_two_stage_fallback",
        "action_unlikely_intent",
        "action_back",
        "action_extract_slots",
    }
)

ResponseEdits = Mapping[str, Sequence[Mapping[str, Any]]]
ConversationTests = Iterable[tuple[str, str]]  # (story name, story YAML)


class ExportError(ValueError):
    """A change that cannot be written; `name` is the response, intent or test."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote: repo-relative paths, and how many responses,
    intents and tests changed. Tests already in the file are `skipped_tests`."""

    written: list[str]
    responses: int
    intents: int
    tests: int
    skipped_tests: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "written": self.written,
            "responses": self.responses,
            "intents": self.intents,
            "tests": self.tests,
        }


def export_changes(
    root: Path,
    *,
    responses: ResponseEdits | None = None,
    intents: nlu.IntentEdits | None = None,
    tests: ConversationTests | None = None,
) -> ExportResult:
    """Writes the console's changes into the repo at `root`.

    A change equal to what a file already says writes nothing, so exporting
    twice is harmless. Raises ExportError (before writing anything) when a
    change names what the repo lacks or a test is not a valid story.
    """
    planned: dict[Path, str] = {}
    domain_path = root / DOMAIN_FILE
    changed_responses = []
    if responses:
        text, changed_responses = responses_text(domain_path, responses)
        if changed_responses:
            planned[domain_path] = text
    changed_intents = _changed_intents(root / DATA_DIR, intents or {})
    if changed_intents:
        edits = {name: intents[name] for name in changed_intents}
        planned.update(nlu.apply_intent_edits(root / DATA_DIR, edits))
    appended: list[str] = []
    skipped: list[str] = []
    if tests is not None:
        domain = nlu.DomainNames.from_file(domain_path)
        text, appended, skipped = stories_text(root / STORIES_FILE, tests, domain)
        if appended:
            planned[root / STORIES_FILE] = text
    for path, text in planned.items():
        write_atomically(path, text)
    return ExportResult(
        written=[str(path.relative_to(root)) for path in planned],
        responses=len(changed_responses),
        intents=len(changed_intents),
        tests=len(appended),
        skipped_tests=skipped,
    )


def _changed_intents(data_dir: Path, edits: nlu.IntentEdits) -> list[str]:
    if not edits:
        return []
    current = nlu.read_intents(data_dir)
    return [
        name
        for name, examples in edits.items()
        if current.get(name) != [e.strip() for e in examples]
    ]


def write_atomically(path: Path, text: str) -> None:
    """Replaces `path` with `text` in one step: a reader sees the old file or the
    new one, never half of it. Keeps the old file's permissions."""
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else NEW_FILE_MODE
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# Responses


def responses_text(domain_path: Path, edits: ResponseEdits) -> tuple[str, list[str]]:
    """domain.yml's text with the edited responses' variants replaced, and the
    names of the responses that changed.

    A variant equal to the one at its place in domain.yml keeps its old
    lines; new ones are written as domain.yml writes them (text, titles and
    payloads double-quoted).
    """
    text = domain_path.read_text(encoding="utf-8")
    yaml = nlu.yaml_round_trip(nlu.sequence_offset(text))
    document = yaml.load(text)
    catalogue = document.get("responses") if isinstance(document, Mapping) else None
    changed = []
    for name, variants in edits.items():
        if not isinstance(catalogue, Mapping) or name not in catalogue:
            raise ExportError(name, f"domain.yml has no response {name!r}.")
        old = catalogue[name]
        new = _variants_node(name, old, variants)
        if new is not old:
            catalogue[name] = new
            changed.append(name)
    return (nlu.dump_yaml(yaml, document) if changed else text), changed


def _variants_node(name: str, old: Any, variants: Any) -> Any:
    """The node for the new variants, reusing old nodes that did not change;
    `old` itself when nothing did."""
    cleaned = [
        _clean_variant(name, i, v) for i, v in enumerate(_as_list(name, variants))
    ]
    old_items = list(old) if isinstance(old, CommentedSeq) else []
    if [_plain(v) for v in old_items] == cleaned:
        return old
    trailing = _pop_trailing_comment(old)
    new = CommentedSeq()
    for index, variant in enumerate(cleaned):
        if index < len(old_items) and _plain(old_items[index]) == variant:
            new.append(old_items[index])
        else:
            new.append(_variant_node(variant))
    _put_trailing_comment(new, trailing)
    return new


def _as_list(name: str, variants: Any) -> list[Any]:
    if not isinstance(variants, Sequence) or isinstance(variants, str) or not variants:
        raise ExportError(name, f"{name}: variants must be a non-empty list.")
    return list(variants)


def _clean_variant(name: str, index: int, variant: Any) -> dict[str, Any]:
    """The variant as plain data in domain.yml's key order; absent and empty
    keys left out."""
    if not isinstance(variant, Mapping):
        raise ExportError(name, f"{name}: variant {index + 1} is not a mapping.")
    unknown = set(variant) - set(VARIANT_KEYS)
    if unknown:
        raise ExportError(
            name, f"{name}: variant {index + 1} has unknown keys {sorted(unknown)}."
        )
    cleaned = {k: _plain(variant[k]) for k in VARIANT_KEYS if variant.get(k)}
    if not cleaned:
        raise ExportError(name, f"{name}: variant {index + 1} is empty.")
    for button in cleaned.get("buttons", []):
        if not isinstance(button, dict) or set(button) - set(BUTTON_KEYS):
            raise ExportError(
                name, f"{name}: a button of variant {index + 1} needs title, payload."
            )
    return cleaned


def _variant_node(variant: Mapping[str, Any]) -> CommentedMap:
    node = CommentedMap()
    for key, value in variant.items():
        if key in QUOTED_KEYS and isinstance(value, str):
            node[key] = DoubleQuotedScalarString(value)
        elif key == "buttons":
            node[key] = CommentedSeq(_button_node(b) for b in value)
        else:
            node[key] = value
    return node


def _button_node(button: Mapping[str, Any]) -> CommentedMap:
    node = CommentedMap()
    for key in BUTTON_KEYS:
        if key in button:
            value = button[key]
            node[key] = (
                DoubleQuotedScalarString(value) if isinstance(value, str) else value
            )
    return node


def _plain(node: Any) -> Any:
    """ruamel's round-trip types as plain dicts, lists and scalars, to compare."""
    if isinstance(node, Mapping):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list | tuple):
        return [_plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    return node


def _last_leaf(node: Any) -> tuple[Any, Any] | None:
    """(container, key) of the last scalar in a nested node, or None."""
    while isinstance(node, CommentedMap | CommentedSeq) and len(node):
        key = list(node)[-1] if isinstance(node, CommentedMap) else len(node) - 1
        child = node[key]
        if not (isinstance(child, CommentedMap | CommentedSeq) and len(child)):
            return node, key
        node = child
    return None


def _comment_slot(container: Any) -> int:
    # ruamel keeps the comment after a mapping value in slot 2 of its entry,
    # after a sequence item in slot 0.
    return 2 if isinstance(container, CommentedMap) else 0


def _pop_trailing_comment(node: Any) -> Any:
    """Detaches the comment and blank lines after a node: in ruamel's model
    they belong to its last scalar, though they introduce what follows."""
    leaf = _last_leaf(node)
    if leaf is None:
        return None
    container, key = leaf
    entry = container.ca.items.get(key)
    if not entry:
        return None
    slot = _comment_slot(container)
    token, entry[slot] = entry[slot], None
    return token


def _put_trailing_comment(node: Any, token: Any) -> None:
    leaf = _last_leaf(node)
    if token is None or leaf is None:
        return
    container, key = leaf
    entry = container.ca.items.setdefault(key, [None, None, None, None])
    entry[_comment_slot(container)] = token


# Conversation tests


def stories_text(
    path: Path, tests: ConversationTests, domain: nlu.DomainNames
) -> tuple[str, list[str], list[str]]:
    """console_stories.yml's text with the new tests appended; the names
    appended; the names skipped because the file has them already.

    The existing text is kept byte for byte. A name another file of the
    conversation tests uses, or one given twice, is an ExportError.
    """
    existing = path.read_text(encoding="utf-8") if path.exists() else None
    present = _story_names(path, existing)
    taken = _names_elsewhere(path)
    new_stories, skipped, names = [], [], set()
    for name, story_yaml in tests:
        if name in names:
            raise ExportError(name, f"Two conversation tests are named {name!r}.")
        names.add(name)
        if name in present:
            skipped.append(name)
            continue
        if name in taken:
            raise ExportError(
                name, f"{taken[name]} already has a story named {name!r}."
            )
        new_stories.append(parse_story(name, story_yaml, domain))
    if not new_stories:
        return existing or "", [], skipped
    text = _appended(path, existing, [_story_lines(s) for s in new_stories])
    appended = [str(s["story"]) for s in new_stories]
    _check_appended(path, text, present, appended)
    return text, appended, skipped


def gate_stories(root: Path, tests: ConversationTests) -> tuple[str | None, list[str]]:
    """The made tests not exported yet, as the text of one stories file for a
    retrain's test stage (None when there are none), and their names. Raises
    ExportError for a test that is not a valid story, or a broken repo file."""
    domain = nlu.DomainNames.from_file(root / DOMAIN_FILE)
    exported = exported_tests(root)
    stories = [
        parse_story(name, story_yaml, domain)
        for name, story_yaml in tests
        if name not in exported
    ]
    if not stories:
        return None, []
    text = STORIES_HEADER + "\n".join(_story_lines(story) for story in stories)
    return text, [str(story["story"]) for story in stories]


def exported_tests(root: Path) -> set[str]:
    """The story names in console_stories.yml: the made tests exported."""
    path = root / STORIES_FILE
    if not path.exists():
        return set()
    return set(_story_names(path, path.read_text(encoding="utf-8")))


def repo_test_names(root: Path) -> set[str]:
    """The story names of every file of the repo's conversation tests."""
    return exported_tests(root) | set(_names_elsewhere(root / STORIES_FILE))


def parse_story(name: str, story_yaml: str, domain: nlu.DomainNames) -> CommentedMap:
    """One story from its YAML, named `name`, checked as `rasa test core` needs it.

    The YAML may be a whole stories file with one story, a one-item list, or
    the story mapping itself.
    """
    yaml = nlu.yaml_round_trip(STORIES_OFFSET)
    try:
        document = yaml.load(story_yaml)
    except YAMLError as error:
        raise ExportError(name, f"Test {name!r} is not valid YAML: {error}") from None
    if isinstance(document, Mapping) and "stories" in document:
        document = document["stories"]
    if isinstance(document, list):
        if len(document) != 1:
            raise ExportError(name, f"Test {name!r} must hold exactly one story.")
        document = document[0]
    if not isinstance(document, CommentedMap):
        raise ExportError(name, f"Test {name!r} is not a story.")
    if "story" in document:
        document["story"] = name
    else:
        document.insert(0, "story", name)
    problem = story_problem(document, domain)
    if problem:
        raise ExportError(name, f"Test {name!r}: {problem}")
    return document


def story_problem(story: Mapping[str, Any], domain: nlu.DomainNames) -> str | None:
    """Why `rasa test core` could not run this story, or None."""
    if set(story) - STORY_KEYS:
        return f"unknown keys {sorted(set(story) - STORY_KEYS)}."
    steps = story.get("steps")
    if not isinstance(steps, list) or not steps:
        return "a story needs a list of steps."
    known_intents = set(domain.intents) | RASA_DEFAULT_INTENTS
    known_actions = domain.actions | RASA_DEFAULT_ACTIONS
    for number, step in enumerate(steps, start=1):
        if not isinstance(step, Mapping) or not step or set(step) - STEP_KEYS:
            return f"step {number} is not a story step."
        if "user" in step and "intent" not in step:
            return f"step {number} has the customer's text but no intent."
        intent = step.get("intent")
        if intent is not None and intent not in known_intents:
            return f"step {number}: {intent!r} is not an intent in domain.yml."
        action = step.get("action")
        if action is not None and action not in known_actions:
            return f"step {number}: {action!r} is not an action in domain.yml."
    return None


def _story_names(path: Path, text: str | None) -> list[str]:
    """The story names of a stories file's text, in order; none for no file."""
    document = _safe_load(path, text)
    stories = document.get("stories") if isinstance(document, Mapping) else None
    return [str(s.get("story")) for s in stories or [] if isinstance(s, Mapping)]


def _safe_load(path: Path, text: str | None) -> Any:
    try:
        return YAML(typ="safe").load(text) if text else None
    except YAMLError as error:
        raise ExportError(
            path.name, f"{path.name} is not valid YAML: {error}"
        ) from None


def _names_elsewhere(path: Path) -> dict[str, str]:
    """Story name -> file name, for the other files of the conversation tests."""
    names: dict[str, str] = {}
    for other in sorted(path.parent.glob("*.y*ml")):
        if other.resolve() == path.resolve():
            continue
        for name in _story_names(other, other.read_text(encoding="utf-8")):
            names.setdefault(name, other.name)
    return names


def _story_lines(story: CommentedMap) -> str:
    """One story as an item of the file's `stories:` list."""
    yaml = nlu.yaml_round_trip(STORIES_OFFSET)
    dumped = nlu.dump_yaml(yaml, {"stories": [story]})
    return dumped.split("\n", 1)[1]


def _appended(path: Path, existing: str | None, items: list[str]) -> str:
    body = "\n".join(items)
    document = _safe_load(path, existing)
    if not isinstance(document, Mapping):
        return STORIES_HEADER + body
    if "stories" not in document:
        return existing.rstrip("\n") + "\n\nstories:\n" + body
    return existing.rstrip("\n") + "\n\n" + body


def _check_appended(path: Path, text: str, before: list[str], added: list[str]) -> None:
    """The appended file must read as the old stories and then the new ones,
    which it does only when its `stories:` list ends the file."""
    try:
        names = _story_names(path, text)
    except ExportError:
        names = None
    if names != before + added:
        raise ExportError(
            path.name,
            f"{path.name} does not end with its stories: list; "
            "new tests cannot be appended to it.",
        )
