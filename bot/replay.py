"""Replays the customer turns of the three real ABCD conversations against the
running stack, signed in as each scenario's customer, and prints the
transcripts (also saved under var/replay/).

The conversations come from ../shared/datasets/abcd/abcd_sample.json (ABCD,
ASAPP Research, MIT licence); the customers are seeded from the same
scenarios by `python -m profiles seed`.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bot.settings import StackSettings

SAMPLE = Path("../shared/datasets/abcd/abcd_sample.json")
REPLY_TIMEOUT_S = 60


def scenarios(root: Path) -> list[dict[str, Any]]:
    path = (root / SAMPLE).resolve()
    if not path.exists():
        raise FileNotFoundError(
            f"{path} not found: the replay needs the shared ABCD sample beside the repo"
        )
    return json.loads(path.read_text())


def customer_turns(conversation: dict[str, Any]) -> Iterator[str]:
    for speaker, text in conversation["original"]:
        if speaker == "customer":
            yield text


def customer_id_for(scenario: dict[str, Any], store) -> str:
    """The seeded customer whose name is the scenario's customer name."""
    name = scenario["personal"]["customer_name"].strip().lower()
    for customer in store.demo_customers(limit=10):
        if customer.full_name.lower() == name:
            return customer.id
    raise LookupError(f"no seeded customer named {name!r}; run `make prepare`")


def send(url: str, sender: str, text: str, token: str) -> list[dict[str, Any]]:
    body = json.dumps(
        {"sender": sender, "message": text, "metadata": {"customer_token": token}}
    ).encode()
    request = urllib.request.Request(
        f"{url}/webhooks/rest/webhook",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=REPLY_TIMEOUT_S) as answer:
        return json.loads(answer.read())


def render(message: dict[str, Any]) -> list[str]:
    lines = [f"  concierge: {message['text']}"] if message.get("text") else []
    for button in message.get("buttons") or []:
        lines.append(f"             [button] {button['title']}")
    attachment = message.get("attachment") or {}
    for product in (
        attachment.get("products", []) if isinstance(attachment, dict) else []
    ):
        reason = f" ({product['reason']})" if product.get("reason") else ""
        lines.append(
            f"             [card] {product['name']} ${product['price']:.2f}{reason}"
        )
    return lines


def replay_one(url: str, scenario: dict[str, Any], customer_id: str, token: str):
    sender = f"replay-{scenario['convo_id']}-{uuid.uuid4().hex[:8]}"
    subflow = scenario["scenario"]["subflow"]
    lines = [f"# conversation {scenario['convo_id']} ({subflow}), as {customer_id}"]
    for text in customer_turns(scenario):
        lines.append(f"customer: {text}")
        for message in send(url, sender, text, token):
            lines.extend(render(message))
    return lines


class AssistantUnreachable(RuntimeError):
    """No assistant answered at the URL the replay was pointed at."""

    def __init__(self, url: str, reason: object) -> None:
        super().__init__(
            f"no assistant answers at {url} ({reason}); "
            "start it first with `make run` in another terminal"
        )


def replay_all(settings: StackSettings, url: str | None) -> Iterator[str]:
    """Each conversation's transcript, in turn, also saved under var/replay/."""
    from profiles.config import StoreSettings
    from profiles.identity import issue_token, load_secret
    from profiles.store import ProfileStore

    store_settings = StoreSettings.from_env()
    store = ProfileStore(store_settings)
    secret = load_secret(store_settings)
    url = url or settings.rasa_url
    out_dir = settings.var_dir / "replay"
    out_dir.mkdir(parents=True, exist_ok=True)
    for conversation in scenarios(settings.root):
        customer_id = customer_id_for(conversation["scenario"], store)
        started = time.perf_counter()
        token = issue_token(customer_id, secret)
        try:
            lines = replay_one(url, conversation, customer_id, token)
        except urllib.error.URLError as error:
            raise AssistantUnreachable(url, error.reason) from error
        lines.append(f"# {time.perf_counter() - started:.1f} s")
        transcript = "\n".join(lines)
        (out_dir / f"{conversation['convo_id']}.txt").write_text(transcript + "\n")
        yield transcript
