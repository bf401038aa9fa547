"""Which model a restart runs after the console retrained."""

from __future__ import annotations

from pathlib import Path

from bot.console.models import choose_model
from bot.console.training import edits_hash
from bot.settings import StackSettings
from bot.training import fingerprint

ROOT = Path(__file__).resolve().parents[2]
EDITS = {"greet": ["hello", "howdy partner"]}


def deployed(console_store, model: str, edits: dict, repo: str | None = None) -> None:
    run_id = console_store.add_training_run(
        "dev",
        {
            "repo_fingerprint": repo or fingerprint(ROOT),
            "edits_hash": edits_hash(edits),
        },
    )
    console_store.update_training_run(
        run_id, "deployed", "done", {"model": model}, finished=True
    )


def test_the_repo_model_runs_when_the_console_never_retrained(console_store, tmp_path):
    choice = choose_model(StackSettings(), console_store, tmp_path / "repo.tar.gz")

    assert choice.model == tmp_path / "repo.tar.gz" and choice.note is None


def test_the_console_model_runs_while_it_matches(console_store, tmp_path, monkeypatch):
    settings = StackSettings()
    monkeypatch.setattr(StackSettings, "models_dir", property(lambda self: tmp_path))
    (tmp_path / "console-7.tar.gz").write_bytes(b"model")
    console_store.save_intent("greet", EDITS["greet"], "dev")
    deployed(console_store, "console-7.tar.gz", EDITS)

    choice = choose_model(settings, console_store, tmp_path / "repo.tar.gz")

    assert choice.model == tmp_path / "console-7.tar.gz"


def test_a_newer_edit_or_repo_change_sends_back_to_the_repo_model(
    console_store, tmp_path, monkeypatch
):
    settings = StackSettings()
    monkeypatch.setattr(StackSettings, "models_dir", property(lambda self: tmp_path))
    (tmp_path / "console-7.tar.gz").write_bytes(b"model")
    deployed(console_store, "console-7.tar.gz", EDITS)
    console_store.save_intent("greet", ["hello", "something newer"], "dev")

    edited_since = choose_model(settings, console_store, tmp_path / "repo.tar.gz")
    console_store.save_intent("greet", EDITS["greet"], "dev")
    deployed(console_store, "console-7.tar.gz", EDITS, repo="another-repo")
    repo_changed = choose_model(settings, console_store, tmp_path / "repo.tar.gz")

    assert edited_since.model == tmp_path / "repo.tar.gz"
    assert "not in this model" in edited_since.note
    assert repo_changed.model == tmp_path / "repo.tar.gz"
