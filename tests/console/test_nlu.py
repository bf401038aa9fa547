"""Intent examples: reading the repo's training data, the checks before a save,
and the merged copy of the data that retraining uses."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from bot.console import nlu
from bot.settings import REPO_ROOT

DOMAIN = nlu.DomainNames(
    intents=("greet", "goodbye", "inform", "product_search"),
    entities=frozenset({"colour", "membership_level", "person_name", "size"}),
)
OTHERS = {
    "greet": ["hi", "hello"],
    "goodbye": ["bye", "see you later"],
    "product_search": ["a [black](colour) shirt"],
}


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A copy of the repo's bot/data: tests edit the copy, never the repo."""
    target = tmp_path / "data"
    shutil.copytree(REPO_ROOT / "bot" / "data", target)
    return target


@pytest.fixture(scope="module")
def repo_intents() -> dict[str, list[str]]:
    return nlu.read_intents(REPO_ROOT / "bot" / "data")


def _safe(text: str) -> object:
    return YAML(typ="safe").load(text)


# Reading


def test_every_domain_intent_is_read_from_the_repo(repo_intents) -> None:
    domain = nlu.DomainNames.from_file(REPO_ROOT / "domain.yml")

    assert set(repo_intents) == set(domain.intents)
    assert all(repo_intents[name] for name in domain.intents)


def test_examples_keep_their_annotations_verbatim(repo_intents) -> None:
    raw = (REPO_ROOT / "bot" / "data" / "nlu.yml").read_text()
    annotated = [e for e in repo_intents["inform"] if "](" in e]

    assert "i'm a [gold](membership_level)" in repo_intents["inform"]
    assert annotated and all(f"    - {e}\n" in raw for e in annotated)


def test_the_example_counts_match_rasas_reading(repo_intents) -> None:
    # Rasa takes every line of an examples block that starts with "-".
    document = _safe((REPO_ROOT / "bot" / "data" / "nlu.yml").read_text())
    blocks = [b for b in document["nlu"] if "intent" in b]
    expected = {
        b["intent"]: sum(1 for line in b["examples"].splitlines() if line[:1] == "-")
        for b in blocks
    }

    assert {name: len(e) for name, e in repo_intents.items()} == expected


def test_two_blocks_of_one_intent_are_joined(tmp_path: Path) -> None:
    (tmp_path / "a.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - hi\n'
    )
    (tmp_path / "b.yml").write_text(
        "nlu:\n- intent: greet\n  examples: |\n    - hello\n    not an example\n"
        "- synonym: x\n  examples: |\n    - y\n"
    )
    (tmp_path / "rules.yml").write_text("rules: []\n")

    assert nlu.read_intents(tmp_path) == {"greet": ["hi", "hello"]}


def test_the_domain_names_intents_entities_and_actions() -> None:
    domain = nlu.DomainNames.from_file(REPO_ROOT / "domain.yml")

    assert "greet" in domain.intents and "colour" in domain.entities
    assert {"action_greet", "utter_goodbye", "return_form"} <= domain.actions


# Checking


def test_the_repo_data_passes_its_own_checks(repo_intents) -> None:
    domain = nlu.DomainNames.from_file(REPO_ROOT / "domain.yml")
    problems = {
        name: nlu.check_examples(name, examples, repo_intents, domain=domain)
        for name, examples in repo_intents.items()
    }

    assert {name: p for name, p in problems.items() if p} == {}


@pytest.mark.parametrize(
    ("examples", "index", "fragment"),
    [
        pytest.param(["hey", ""], 1, "is empty", id="empty"),
        pytest.param(["hey", "   "], 1, "is empty", id="whitespace"),
        pytest.param(["x" * 301], 0, "301 characters", id="too-long"),
        pytest.param(["hey there", "hey  there"], 1, "repeats example 1", id="repeat"),
        pytest.param(["HI"], 0, "already an example of 'greet'", id="other-case"),
        pytest.param(["see   you LATER"], 0, "of 'goodbye'", id="other-spacing"),
        pytest.param(["a black shirt"], 0, "of 'product_search'", id="annotation"),
        pytest.param(["two\nlines"], 0, "must be one line", id="two-lines"),
        pytest.param(["bell\x07"], 0, "control character", id="control"),
        pytest.param(["[red](hue) one"], 0, "'hue' is not an entity", id="entity"),
        pytest.param(["a [red(colour)"], 0, "never closed", id="open-bracket"),
        pytest.param(["a red] one"], 0, "closes no '['", id="stray-bracket"),
        pytest.param(["[red] one"], 0, "names no entity", id="no-entity"),
        pytest.param(["[red](colour one"], 0, "never closed with ')'", id="open-paren"),
        pytest.param(["[](colour) one"], 0, "marks no text", id="empty-text"),
        pytest.param(['[red]{"entity": colour}'], 0, "not valid JSON", id="bad-json"),
        pytest.param(['[red]{"role": "a"}'], 0, '"entity": "name"', id="json-no-key"),
        pytest.param(['[x]{"entity": "hue"}'], 0, "'hue' is not", id="json-entity"),
    ],
)
def test_a_bad_example_is_refused_by_name(
    examples: list[str], index: int, fragment: str
) -> None:
    problems = nlu.check_examples("inform", examples, OTHERS, domain=DOMAIN)

    assert [p.example for p in problems] == [index]
    assert fragment in problems[0].message
    assert problems[0].text == examples[index]
    if examples[index].strip():  # the message quotes the example
        assert f"'{examples[index][:20]}" in problems[0].message


@pytest.mark.parametrize(
    "example",
    [
        pytest.param("a [black](colour) shirt in [M](size)", id="round"),
        pytest.param("[navy](colour:Navy Blue) please", id="synonym"),
        pytest.param('i am [gold]{"entity": "membership_level"}', id="json"),
        pytest.param(
            '[gold]{"entity": "membership_level", "value": "gold", "role": "x"}',
            id="json-role",
        ),
        pytest.param('[Sam][{"entity": "person_name"}, {"entity": "size"}]', id="list"),
        pytest.param("size (M) for me", id="parentheses"),
        pytest.param("x" * 300, id="at-the-limit"),
    ],
)
def test_good_examples_pass(example: str) -> None:
    assert nlu.check_examples("inform", [example], OTHERS, domain=DOMAIN) == []


def test_capitals_of_an_example_in_the_same_intent_are_allowed() -> None:
    problems = nlu.check_examples("greet", ["hi", "HI", "Hi"], OTHERS, domain=DOMAIN)

    assert problems == []


def test_the_intent_itself_is_not_another_intent() -> None:
    assert nlu.check_examples("greet", ["hi"], OTHERS, domain=DOMAIN) == []


def test_an_unknown_intent_and_an_empty_list_are_refused() -> None:
    unknown = nlu.check_examples("order_pizza", ["a pizza"], OTHERS, domain=DOMAIN)
    empty = nlu.check_examples("greet", [], OTHERS, domain=DOMAIN)

    assert [(p.example, p.message) for p in unknown] == [
        (None, "'order_pizza' is not an intent in domain.yml")
    ]
    assert [p.example for p in empty] == [None]


def test_every_problem_of_an_example_is_listed() -> None:
    examples = ["fine", "[x](hue) " + "y" * 300, "fine"]
    problems = nlu.check_examples("inform", examples, OTHERS, domain=DOMAIN)

    assert [p.example for p in problems] == [1, 1, 2]
    assert problems[0].as_dict()["example"] == 1
    assert "'[x](hue) yyyy" in problems[0].message  # quoted, then cut short
    assert problems[0].message.count("y") < 80


def test_normalise_reduces_annotations_case_and_spaces() -> None:
    assert nlu.normalise("  A [Black](colour)   SHIRT ") == "a black shirt"
    assert nlu.normalise('[gold]{"entity": "membership_level"} me') == "gold me"


# Writing


def test_the_layout_of_sequences_is_read_from_each_file() -> None:
    assert nlu.sequence_offset((REPO_ROOT / "domain.yml").read_text()) == 2
    assert nlu.sequence_offset((REPO_ROOT / "bot/data/nlu.yml").read_text()) == 0
    assert nlu.sequence_offset((REPO_ROOT / "bot/data/rules.yml").read_text()) == 2


@pytest.mark.parametrize("name", ["nlu.yml", "rules.yml", "stories.yml"])
def test_the_round_trip_leaves_each_data_file_byte_identical(name: str) -> None:
    text = (REPO_ROOT / "bot" / "data" / name).read_text()
    yaml = nlu.yaml_round_trip(nlu.sequence_offset(text))

    assert nlu.dump_yaml(yaml, yaml.load(text)) == text


def test_without_edits_the_merged_folder_is_a_byte_identical_copy(
    data_dir: Path, tmp_path: Path
) -> None:
    target = tmp_path / "merged"

    assert nlu.write_training_data(data_dir, target, {}) == []
    for source in nlu.data_files(data_dir):
        assert (target / source.name).read_bytes() == source.read_bytes()


def test_an_edit_changes_only_that_intents_examples(
    data_dir: Path, tmp_path: Path
) -> None:
    before = (data_dir / "nlu.yml").read_text()
    greet = nlu.read_intents(data_dir)["greet"]
    edited = [e for e in greet if e != "hiya"] + ["hey [Sam](person_name)"]

    written = nlu.write_training_data(data_dir, tmp_path / "m", {"greet": edited})

    after = (tmp_path / "m" / "nlu.yml").read_text()
    changed = [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), n=0)
        if line[:1] in "+-" and line[:3] not in ("+++", "---")
    ]
    assert written == [tmp_path / "m" / "nlu.yml"]
    assert sorted(changed) == ["+    - hey [Sam](person_name)", "-    - hiya"]
    assert nlu.read_intents(tmp_path / "m")["greet"] == edited
    for name in ("rules.yml", "stories.yml"):
        assert (tmp_path / "m" / name).read_bytes() == (data_dir / name).read_bytes()


def test_regex_lookup_and_synonym_blocks_are_kept(data_dir: Path) -> None:
    edits = {"inform": ["[Ana](person_name)"], "greet": ["hi"]}
    after = _safe(nlu.apply_intent_edits(data_dir, edits)[data_dir / "nlu.yml"])
    before = _safe((data_dir / "nlu.yml").read_text())

    def others(document):
        return [b for b in document["nlu"] if "intent" not in b]

    assert others(after) == others(before)
    assert len(others(before)) > 60


def test_an_edit_equal_to_the_file_changes_nothing(data_dir: Path) -> None:
    greet = nlu.read_intents(data_dir)["greet"]

    assert nlu.apply_intent_edits(data_dir, {"greet": [f" {e} " for e in greet]}) == {}


def test_a_second_block_of_the_intent_is_removed(tmp_path: Path) -> None:
    (tmp_path / "a.yml").write_text(
        "nlu:\n- intent: greet\n  examples: |\n    - hi\n"
        "- intent: goodbye\n  examples: |\n    - bye\n"
        "- intent: greet\n  examples: |\n    - hello\n"
    )

    changed = nlu.apply_intent_edits(tmp_path, {"greet": ["hey", "hello"]})

    assert changed[tmp_path / "a.yml"] == (
        "nlu:\n- intent: greet\n  examples: |\n    - hey\n    - hello\n"
        "- intent: goodbye\n  examples: |\n    - bye\n"
    )


def test_an_intent_without_examples_yet_goes_after_the_last_intent(
    data_dir: Path,
) -> None:
    edits = {"ask_opening_hours": ["when do you open"]}
    text = nlu.apply_intent_edits(data_dir, edits)[data_dir / "nlu.yml"]
    (data_dir / "nlu.yml").write_text(text)

    assert nlu.read_intents(data_dir)["ask_opening_hours"] == ["when do you open"]
    assert (
        "    - the username is [lconti56](username)\n"
        "\n"
        "- intent: ask_opening_hours\n"
        "  examples: |\n"
        "    - when do you open\n"
        "\n"
        "- regex: order_id\n"
    ) in text


def test_an_example_that_cannot_be_written_is_refused(data_dir: Path) -> None:
    with pytest.raises(nlu.TrainingDataError, match="cannot write"):
        nlu.apply_intent_edits(data_dir, {"greet": ["hi", "two\nlines"]})
    with pytest.raises(nlu.TrainingDataError, match="cannot write"):
        nlu.apply_intent_edits(data_dir, {"greet": ["  "]})


def test_the_merged_folder_must_be_new(data_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()

    with pytest.raises(FileExistsError):
        nlu.write_training_data(data_dir, tmp_path / "taken", {})
