"""Fixtures shared across the test packages: a migrated throwaway profile store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from profiles.config import StoreSettings
from profiles.store import ProfileStore

# The one real stack of a test session, shared by the e2e and browser tests.
# Defined here, once: two definitions would start two stacks on one set of
# ports.
from tests.live_stack import live_stack  # noqa: F401


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: takes seconds, not milliseconds")


@pytest.fixture
def store_settings(tmp_path: Path) -> StoreSettings:
    """Settings naming a fresh SQLite file and var folder under tmp_path."""
    var_dir = tmp_path / "var"
    return StoreSettings(
        database_url=f"sqlite:///{var_dir / 'concierge.db'}", var_dir=var_dir
    )


@pytest.fixture
def profile_store(store_settings: StoreSettings) -> Iterator[ProfileStore]:
    """An empty, migrated profile store; disposed of after the test."""
    store = ProfileStore(store_settings)
    store.migrate()
    yield store
    store.close()
