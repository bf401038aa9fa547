"""Action tests: recorded tracker JSON, a seeded temporary store, real actions.

The trackers under trackers/ are JSON in the shape the dialogue engine posts
to the action server (sender, slots, latest message, events), written from
conversations with the assistant; each test puts the token of the customer it
plays into the latest message's metadata.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.services import Services, use_services
from knowledge.config import KnowledgeSettings
from profiles.config import StoreSettings
from profiles.identity import issue_token
from profiles.seed import seed
from profiles.store import ProfileStore

TRACKERS = Path(__file__).parent / "trackers"
SECRET = b"action-tests-secret-0123456789abcdef"
TODAY = date(2026, 12, 3)
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo shop seeded once; each test copies the file."""
    folder = tmp_path_factory.mktemp("seeded")
    settings = StoreSettings(f"sqlite:///{folder / 'shop.db'}", folder)
    store = ProfileStore(settings)
    seed(store, today=TODAY)
    store.close()
    return folder / "shop.db"


@pytest.fixture(scope="session")
def knowledge_settings(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeSettings:
    """One index folder for the session: the first test that asks a question
    builds it, the others load it (every test's shop has the same products)."""
    index_dir = tmp_path_factory.mktemp("knowledge") / "index"
    return dataclasses.replace(KnowledgeSettings.from_env(), index_dir=index_dir)


@pytest.fixture
def services(
    seeded_template: Path, tmp_path: Path, knowledge_settings: KnowledgeSettings
) -> Iterator[Services]:
    database = tmp_path / "shop.db"
    database.write_bytes(seeded_template.read_bytes())
    store = ProfileStore(StoreSettings(f"sqlite:///{database}", tmp_path))
    services = Services(
        store=store,
        token_secret=SECRET,
        now=lambda: NOW,
        knowledge_settings=knowledge_settings,
    )
    use_services(services)
    yield services
    use_services(None)
    store.close()


def find_order(services: Services, matches) -> tuple[Any, Any]:
    """The first (customer, order) of the seeded shop with matches(customer, order)."""
    for customer in services.store.demo_customers(limit=400):
        for order in services.store.orders(customer.id):
            if matches(customer, order):
                return customer, order
    raise AssertionError("the seeded shop has no such order")


def token_for(customer_id: str, *, issued_ago: timedelta = timedelta(0)) -> str:
    """A one-hour token issued `issued_ago` before the tests' clock."""
    return issue_token(
        customer_id, SECRET, ttl=timedelta(hours=1), now=NOW - issued_ago
    )


def load_tracker(
    name: str,
    *,
    customer_id: str | None = None,
    token: str | None = None,
    text: str | None = None,
    intent: str | None = None,
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
) -> Tracker:
    """A recorded tracker, signed in as `customer_id` (or with `token`)."""
    state = json.loads((TRACKERS / f"{name}.json").read_text())
    state = copy.deepcopy(state)
    message = state["latest_message"]
    if text is not None:
        message["text"] = text
    if intent is not None:
        message["intent"] = {"name": intent, "confidence": 0.99}
    if entities is not None:
        message["entities"] = entities
    metadata = {}
    if customer_id is not None:
        metadata["customer_token"] = token_for(customer_id)
    if token is not None:
        metadata["customer_token"] = token
    message["metadata"] = metadata
    state["slots"].update(slots or {})
    return Tracker.from_dict(state)


def run_action(action, tracker: Tracker, domain: dict | None = None):
    """(responses sent, events returned) of one action run."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, domain or {}))
    return dispatcher.messages, events


def response_names(messages: list[dict[str, Any]]) -> list[str]:
    return [message.get("response") for message in messages]


def entity(name: str, value: str) -> dict[str, Any]:
    return {"entity": name, "value": value, "start": 0, "end": len(value)}
