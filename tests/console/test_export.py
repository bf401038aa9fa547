"""Export: console changes written into a copy of the repo's files, and checked
with `git diff` to touch only the lines that changed."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from bot.console import export, nlu
from bot.settings import REPO_ROOT

GIT = ["git", "-c", "user.name=test", "-c", "user.email=test@localhost"]
GREET_STORY = """\
version: "3.1"

stories:
  - story: from the console
    steps:
      - user: |
          hello there
        intent: greet
      - action: action_greet
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """domain.yml, bot/data and tests/conversations copied into a fresh git
    repository, committed, so `git diff` shows what an export changed."""
    root = tmp_path / "repo"
    (root / "bot").mkdir(parents=True)
    (root / "tests").mkdir()
    shutil.copy(REPO_ROOT / "domain.yml", root / "domain.yml")
    shutil.copytree(REPO_ROOT / "bot" / "data", root / "bot" / "data")
    shutil.copytree(
        REPO_ROOT / "tests" / "conversations", root / "tests" / "conversations"
    )
    for command in (["init", "-q"], ["add", "."], ["commit", "-qm", "base"]):
        subprocess.run([*GIT, *command], cwd=root, check=True)
    return root


def _diff(root: Path) -> list[str]:
    """The changed lines of tracked files, as `+line` and `-line`."""
    out = subprocess.run(
        [*GIT, "diff", "-U0", "--no-color"],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [
        line
        for line in out.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def _untracked(root: Path) -> list[str]:
    out = subprocess.run(
        [*GIT, "status", "--porcelain", "--untracked-files=all"],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return sorted(line[3:] for line in out.splitlines() if line.startswith("??"))


def _safe(path: Path) -> object:
    return YAML(typ="safe").load(path.read_text())


# Responses


def test_a_response_edit_changes_only_its_lines(repo: Path) -> None:
    result = export.export_changes(
        repo,
        responses={
            "utter_greet_customer": [
                {"text": "Hi {first_name}, welcome back!"},
                {"text": "Good to see you, {first_name}!"},
            ]
        },
    )

    assert result.as_dict() == {
        "written": ["domain.yml"],
        "responses": 1,
        "intents": 0,
        "tests": 0,
    }
    assert _diff(repo) == [
        '-    - text: "Hello again, {first_name}!"',
        '+    - text: "Good to see you, {first_name}!"',
    ]


def test_new_variants_are_written_as_domain_yml_writes_them(repo: Path) -> None:
    variants = [
        {"text": 'Sorry: "something" went wrong\non my side, {first_name}. Café?'},
        {
            "text": "Try again?",
            "buttons": [{"title": "Yes", "payload": "/affirm"}],
            "channel": "socketio",
        },
        {
            "custom": {"kind": "card", "items": [1, 2]},
            "condition": [{"type": "slot", "name": "order_id", "value": None}],
        },
    ]

    export.export_changes(repo, responses={"utter_error": variants})

    assert _safe(repo / "domain.yml")["responses"]["utter_error"] == variants
    diff = _diff(repo)
    assert diff[0].startswith('-    - text: "Sorry, something went wrong')
    assert diff[1:] == [
        (
            '+    - text: "Sorry: \\"something\\" went wrong\\non my side, '
            '{first_name}. Café?"'
        ),
        '+    - text: "Try again?"',
        "+      buttons:",
        '+        - title: "Yes"',
        '+          payload: "/affirm"',
        "+      channel: socketio",
        "+    - custom:",
        "+        kind: card",
        "+        items:",
        "+          - 1",
        "+          - 2",
        "+      condition:",
        "+        - type: slot",
        "+          name: order_id",
        "+          value: null",
    ]


def test_the_comment_after_an_edited_response_stays_in_place(repo: Path) -> None:
    export.export_changes(
        repo,
        responses={"utter_error": [{"text": "One"}, {"text": "Two"}]},
    )

    text = (repo / "domain.yml").read_text()
    assert '    - text: "Two"\n\n  # Orders\n  utter_no_orders:\n' in text
    assert _diff(repo) == [
        (
            '-    - text: "Sorry, something went wrong on my side. Please try again '
            'in a moment, or ask for a human."'
        ),
        '+    - text: "One"',
        '+    - text: "Two"',
    ]


def test_variants_with_buttons_that_did_not_change_keep_their_lines(
    repo: Path,
) -> None:
    catalogue = _safe(repo / "domain.yml")["responses"]
    variants = catalogue["utter_offer_human"] + [{"text": "Or shall I try again?"}]

    export.export_changes(repo, responses={"utter_offer_human": variants})

    assert _diff(repo) == ['+    - text: "Or shall I try again?"']


def test_an_unchanged_response_writes_nothing(repo: Path) -> None:
    catalogue = _safe(repo / "domain.yml")["responses"]
    before = (repo / "domain.yml").stat().st_mtime_ns

    result = export.export_changes(
        repo, responses={"utter_offer_human": catalogue["utter_offer_human"]}
    )

    assert result.written == [] and result.responses == 0
    assert (repo / "domain.yml").stat().st_mtime_ns == before


@pytest.mark.parametrize(
    ("edits", "message"),
    [
        pytest.param({"utter_nope": [{"text": "x"}]}, "no response", id="unknown"),
        pytest.param({"utter_error": []}, "non-empty list", id="no-variants"),
        pytest.param({"utter_error": [{"txt": "x"}]}, "unknown keys", id="key"),
        pytest.param({"utter_error": [{"text": ""}]}, "is empty", id="empty"),
        pytest.param(
            {"utter_error": [{"text": "x", "buttons": [{"label": "y"}]}]},
            "title, payload",
            id="button",
        ),
    ],
)
def test_a_bad_response_edit_is_refused_and_nothing_is_written(
    repo: Path, edits: dict, message: str
) -> None:
    with pytest.raises(export.ExportError, match=message):
        export.export_changes(repo, responses=edits)

    assert _diff(repo) == []


# Intents


def test_an_intent_edit_goes_into_the_file_that_holds_it(repo: Path) -> None:
    greet = nlu.read_intents(repo / "bot" / "data")["greet"]
    edited = [e for e in greet if e != "yo"] + [
        'hi, [gold]{"entity": "membership_level"}'
    ]

    result = export.export_changes(repo, intents={"greet": edited})

    assert result.written == ["bot/data/nlu.yml"] and result.intents == 1
    assert _diff(repo) == [
        "-    - yo",
        '+    - hi, [gold]{"entity": "membership_level"}',
    ]
    text = (repo / "bot" / "data" / "nlu.yml").read_text()
    assert "- intent: greet\n  examples: |\n    - hi\n" in text
    assert nlu.read_intents(repo / "bot" / "data")["greet"] == edited


def test_only_changed_intents_are_counted(repo: Path) -> None:
    intents = nlu.read_intents(repo / "bot" / "data")

    result = export.export_changes(
        repo, intents={"greet": intents["greet"], "thanks": intents["thanks"][1:]}
    )

    assert result.intents == 1
    assert _diff(repo) == [f"-    - {intents['thanks'][0]}"]


# Conversation tests


def test_tests_go_into_a_new_console_stories_file(repo: Path) -> None:
    result = export.export_changes(repo, tests=[("greeting", GREET_STORY)])

    stories = repo / "tests" / "conversations" / "console_stories.yml"
    assert result.written == ["tests/conversations/console_stories.yml"]
    assert result.tests == 1
    assert _untracked(repo) == ["tests/conversations/console_stories.yml"]
    assert stories.read_text() == export.STORIES_HEADER + (
        "  - story: greeting\n"
        "    steps:\n"
        "      - user: |\n"
        "          hello there\n"
        "        intent: greet\n"
        "      - action: action_greet\n"
    )
    assert _safe(stories)["version"] == "3.1"


def test_tests_are_appended_once_and_the_old_bytes_kept(repo: Path) -> None:
    export.export_changes(repo, tests=[("greeting", GREET_STORY)])
    stories = repo / "tests" / "conversations" / "console_stories.yml"
    before = stories.read_bytes()
    thanks = (
        "- story: x\n  steps:\n  - intent: thanks\n  - action: utter_youre_welcome\n"
    )

    result = export.export_changes(
        repo, tests=[("greeting", GREET_STORY), ("thanks", thanks)]
    )

    assert result.tests == 1 and result.skipped_tests == ["greeting"]
    assert stories.read_bytes().startswith(before + b"\n  - story: thanks\n")
    names = [s["story"] for s in _safe(stories)["stories"]]
    assert names == ["greeting", "thanks"]
    again = export.export_changes(repo, tests=[("thanks", thanks)])
    assert again.written == [] and again.skipped_tests == ["thanks"]


def test_every_test_step_is_as_rasa_reads_it(repo: Path) -> None:
    form = """\
- story: a return
  steps:
  - user: |
      i want to return something
    intent: return_item
  - action: return_form
  - active_loop: return_form
  - slot_was_set:
    - requested_slot: order_id
  - user: |
      [1234567890](order_id)
    intent: inform
    entities:
    - order_id: "1234567890"
  - action: return_form
  - active_loop: null
  - action: action_submit_return
"""
    export.export_changes(repo, tests=[("a return", form)])

    story = _safe(repo / "tests" / "conversations" / "console_stories.yml")
    steps = story["stories"][0]["steps"]
    assert steps[4]["entities"] == [{"order_id": "1234567890"}]
    assert steps[6] == {"active_loop": None}
    assert (
        "      - active_loop: null\n"
        in (repo / "tests" / "conversations" / "console_stories.yml").read_text()
    )


def test_stories_as_rasa_writes_them_are_accepted(repo: Path) -> None:
    # Rasa 3.6's own story writer, on conversations it stored (recorded for
    # the conversation reader's tests): fallbacks, forms, two sessions.
    recorded = json.loads(
        (REPO_ROOT / "tests/console/data/rasa_events.json").read_text()
    )
    stories = recorded["rasa_test_stories"]

    result = export.export_changes(repo, tests=list(stories.items()))

    written = _safe(repo / "tests" / "conversations" / "console_stories.yml")
    assert result.tests == len(stories) > 3
    assert [s["story"] for s in written["stories"]] == list(stories)
    steps = [step for s in written["stories"] for step in s["steps"]]
    assert {"intent": "nlu_fallback", "user": "asdfgh jkl"} in steps


@pytest.mark.parametrize(
    ("story", "message"),
    [
        pytest.param("- story: x\n  steps:\n  - user: hi\n", "no intent", id="user"),
        pytest.param("- story: x\n  steps:\n  - intent: nope\n", "not an intent"),
        pytest.param("- story: x\n  steps:\n  - action: utter_nope\n", "not an action"),
        pytest.param("- story: x\n  steps: []\n", "list of steps", id="no-steps"),
        pytest.param("- story: x\n  steps:\n  - jump: 1\n", "not a story step"),
        pytest.param("- story: x\n- story: y\n", "exactly one story", id="two"),
        pytest.param("just words", "is not a story", id="words"),
        pytest.param("- story: [x\n", "not valid YAML", id="yaml"),
    ],
)
def test_a_bad_test_is_refused_and_nothing_is_written(
    repo: Path, story: str, message: str
) -> None:
    with pytest.raises(export.ExportError, match=message) as raised:
        export.export_changes(
            repo,
            responses={"utter_error": [{"text": "changed"}]},
            tests=[("bad one", story)],
        )

    assert raised.value.name == "bad one"
    assert _diff(repo) == [] and _untracked(repo) == []


def test_a_name_another_test_file_uses_is_refused(repo: Path) -> None:
    taken = _safe(repo / "tests" / "conversations" / "test_stories.yml")["stories"][0]

    with pytest.raises(export.ExportError, match="test_stories.yml already has"):
        export.export_changes(repo, tests=[(taken["story"], GREET_STORY)])


def test_a_name_given_twice_is_refused(repo: Path) -> None:
    with pytest.raises(export.ExportError, match="Two conversation tests"):
        export.export_changes(repo, tests=[("a", GREET_STORY), ("a", GREET_STORY)])


def test_a_stories_file_that_does_not_end_with_its_stories_is_refused(
    repo: Path,
) -> None:
    stories = repo / "tests" / "conversations" / "console_stories.yml"
    stories.write_text(
        'stories:\n  - story: old\n    steps:\n      - intent: greet\nversion: "3.1"\n'
    )

    with pytest.raises(export.ExportError, match="does not end with"):
        export.export_changes(repo, tests=[("greeting", GREET_STORY)])


# Everything at once, and how files are written


def test_one_export_writes_every_kind_of_change(repo: Path) -> None:
    greet = nlu.read_intents(repo / "bot" / "data")["greet"]

    result = export.export_changes(
        repo,
        responses={"utter_error": [{"text": "changed"}]},
        intents={"greet": greet + ["hullo"]},
        tests=[("greeting", GREET_STORY)],
    )

    assert result.as_dict() == {
        "written": [
            "domain.yml",
            "bot/data/nlu.yml",
            "tests/conversations/console_stories.yml",
        ],
        "responses": 1,
        "intents": 1,
        "tests": 1,
    }
    assert len(_diff(repo)) == 3


def test_a_written_file_keeps_its_mode_and_leaves_no_temporary(repo: Path) -> None:
    domain = repo / "domain.yml"
    os.chmod(domain, 0o640)

    export.export_changes(repo, responses={"utter_error": [{"text": "changed"}]})

    assert stat.S_IMODE(domain.stat().st_mode) == 0o640
    assert [p.name for p in repo.iterdir() if p.name.startswith(".domain")] == []


def test_a_failed_replace_leaves_the_old_file_whole(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = (repo / "domain.yml").read_bytes()

    def refuse(source: str, target: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(export.os, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        export.write_atomically(repo / "domain.yml", "half")

    assert (repo / "domain.yml").read_bytes() == before
    assert [p.name for p in repo.iterdir() if p.name.startswith(".domain")] == []
