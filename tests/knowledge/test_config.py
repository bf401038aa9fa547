"""KnowledgeSettings.from_env: defaults and overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.config import (
    DEFAULT_ANSWER_THRESHOLD,
    DEFAULT_CONTENT_DIR,
    DEFAULT_EXACT_MAX,
    KnowledgeSettings,
)
from profiles.config import DEFAULT_VAR_DIR


def test_defaults() -> None:
    settings = KnowledgeSettings.from_env({})

    assert settings.model_path is None
    assert settings.index_dir == DEFAULT_VAR_DIR / "index"
    assert settings.content_dir == DEFAULT_CONTENT_DIR
    assert settings.exact_max == DEFAULT_EXACT_MAX
    assert settings.answer_threshold == DEFAULT_ANSWER_THRESHOLD
    assert settings.embedding_threads == 1
    assert Path(settings.resolved_model_path(), "config.json").exists()


def test_overrides(tmp_path: Path) -> None:
    settings = KnowledgeSettings.from_env(
        {
            "CONCIERGE_VAR_DIR": str(tmp_path),
            "CONCIERGE_EMBEDDING_MODEL": "/models/x",
            "CONCIERGE_EXACT_MAX": "10",
            "CONCIERGE_ANSWER_THRESHOLD": "0.5",
            "CONCIERGE_EMBEDDING_THREADS": "2",
        }
    )

    assert settings.index_dir == tmp_path / "index"
    assert settings.resolved_model_path() == "/models/x"
    assert (settings.exact_max, settings.answer_threshold) == (10, 0.5)
    assert settings.embedding_threads == 2


def test_a_bad_number_names_its_variable() -> None:
    with pytest.raises(ValueError, match="CONCIERGE_EXACT_MAX"):
        KnowledgeSettings.from_env({"CONCIERGE_EXACT_MAX": "many"})
