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


# The console and the response service over a seeded demo shop

SECRET = b"s" * 32  # a test token secret, never a real one


@pytest.fixture(scope="session")
def seeded_file(tmp_path_factory) -> Path:
    """A SQLite file holding the demo shop, seeded once per test run."""
    from profiles.seed import seed

    folder = tmp_path_factory.mktemp("seeded")
    store = ProfileStore(StoreSettings(f"sqlite:///{folder / 'shop.db'}", folder))
    seed(store)
    store.close()
    return folder / "shop.db"


@pytest.fixture
def seeded_profiles(tmp_path: Path, seeded_file: Path) -> Iterator[ProfileStore]:
    """A copy of the seeded demo shop, private to the test."""
    import shutil

    database = tmp_path / "shop.db"
    shutil.copyfile(seeded_file, database)
    store = ProfileStore(StoreSettings(f"sqlite:///{database}", tmp_path))
    yield store
    store.close()


@pytest.fixture
def console_store(seeded_profiles: ProfileStore):
    from bot.console.store import ConsoleStore

    return ConsoleStore(seeded_profiles.engine)


@pytest.fixture
def response_service(seeded_profiles: ProfileStore, console_store):
    from bot.console.wiring import ConsoleSettings, response_service

    return response_service(ConsoleSettings(), seeded_profiles, console_store, SECRET)
