"""A real Concierge stack for end-to-end and browser tests.

Started once per test session on its own ports, with a temporary, seeded
profile store and token secret, and stopped afterwards. The Rasa model must
exist (`python -m bot train`; `make test` trains it first).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.cli import prepare
from bot.settings import StackSettings
from bot.stack import Stack
from bot.training import model_path
from profiles.config import StoreSettings
from profiles.identity import issue_token, load_secret

TEST_PORTS = {"rasa_port": 15005, "actions_port": 15055, "web_port": 18080}


@dataclass
class LiveStack:
    settings: StackSettings
    store_settings: StoreSettings
    secret: bytes

    @property
    def page_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.web_port}"

    def token(self, customer_id: str, *, issued_ago: timedelta = timedelta(0)) -> str:
        """A one-hour token for the customer, issued `issued_ago` before now."""
        issued = datetime.now(UTC) - issued_ago
        return issue_token(customer_id, self.secret, ttl=timedelta(hours=1), now=issued)

    def send(
        self, text: str, *, sender: str, metadata: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """One message over the REST channel; the bot's replies."""
        body = {"sender": sender, "message": text}
        if metadata is not None:
            body["metadata"] = metadata
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.settings.rasa_port}/webhooks/rest/webhook",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as answer:
            return json.loads(answer.read())

    def send_as(
        self, text: str, *, sender: str, customer_id: str | None = None
    ) -> list[dict[str, Any]]:
        """One message as a signed-in customer (or a guest); the bot's replies."""
        metadata = {"customer_token": self.token(customer_id)} if customer_id else None
        return self.send(text, sender=sender, metadata=metadata)

    def chat(self, text: str, *, sender: str, customer_id: str | None = None) -> str:
        """One message as a signed-in customer (or a guest); all reply text."""
        replies = self.send_as(text, sender=sender, customer_id=customer_id)
        return "\n".join(json.dumps(reply) for reply in replies)


def product_cards(replies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The product cards of all replies, in order."""
    return [
        card
        for reply in replies
        for card in (reply.get("attachment") or {}).get("products", [])
    ]


def new_sender() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def live_stack() -> Iterator[LiveStack]:
    settings = StackSettings(**TEST_PORTS)
    model = model_path(settings)
    if not model.exists():
        pytest.fail(f"no trained model at {model}; run `python -m bot train` first")
    # Not under pytest's own temporary folder: another pytest run on the
    # machine may prune that while this stack still uses its files.
    with tempfile.TemporaryDirectory(prefix="concierge-e2e-") as folder:
        yield from _run_stack(settings, model, Path(folder))


def _run_stack(settings: StackSettings, model: Path, var_dir: Path):
    env = {
        "DATABASE_URL": f"sqlite:///{var_dir / 'concierge.db'}",
        "CONCIERGE_VAR_DIR": str(var_dir),
        "CONCIERGE_LOG_DIR": str(var_dir / "log"),
    }
    prepare(settings, env=os.environ | env)
    store_settings = StoreSettings.from_env(env)
    stack = Stack(settings, model, extra_env=env)
    try:
        stack.start()
        yield LiveStack(settings, store_settings, load_secret(store_settings))
    finally:
        stack.stop()
        # the three processes' logs outlive the temporary folder, for a look
        # after a failure
        kept = settings.var_dir / "test-results" / "e2e-logs"
        if (var_dir / "log").exists():
            shutil.copytree(var_dir / "log", kept, dirs_exist_ok=True)
