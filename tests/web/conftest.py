"""Fixtures of the page server tests: settings, a fake store, a test client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from web_fakes import CUSTOMERS, SECRET, FakeIssuer, FakeStore

from bot.web.app import create_app
from bot.web.settings import WebSettings


@pytest.fixture
def vendor_dir(tmp_path: Path) -> Path:
    """A node_modules folder holding a stand-in socket.io client."""
    dist = tmp_path / "node_modules" / "socket.io-client" / "dist"
    dist.mkdir(parents=True)
    (dist / "socket.io.min.js").write_text("/* socket.io stand-in */ var io;\n")
    return tmp_path / "node_modules"


@pytest.fixture
def settings(vendor_dir: Path) -> WebSettings:
    return WebSettings(token_ttl_minutes=90, node_modules_dir=vendor_dir)


@pytest.fixture
def store() -> FakeStore:
    return FakeStore(CUSTOMERS)


@pytest.fixture
def issuer() -> FakeIssuer:
    return FakeIssuer()


@pytest.fixture
def client(
    settings: WebSettings, store: FakeStore, issuer: FakeIssuer
) -> Iterator[TestClient]:
    app = create_app(settings, store, SECRET, issue_token=issuer)
    with TestClient(app) as test_client:
        yield test_client
