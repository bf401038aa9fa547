"""Record the console tests' conversations as rows of Rasa's SQL tracker store.

Builds dialogue trackers from Rasa's own event classes, saves them through
Rasa's `SQLTrackerStore` into a temporary SQLite file and dumps the `events`
rows to rasa_events.json beside this script, so the tests read exactly what
the dialogue engine writes without needing Rasa themselves. With each
conversation goes the test story Rasa's own writer makes of its latest session
(what `GET /conversations/{id}/story` answers), for comparison.

Customer tokens are made by profiles.identity in the app environment (Python
3.11) with the test secret below. Re-run from the repository root after
changing the conversations, then run the console tests:

    .venv-rasa/bin/python tests/console/data/record_rasa_events.py
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import rasa
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    DefinePrevUserUtteredFeaturization,
    Event,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.core.training_data.story_writer.yaml_story_writer import (
    YAMLStoryWriter,
)

REPO = Path(__file__).resolve().parents[3]
OUTPUT = Path(__file__).with_name("rasa_events.json")
APP_PYTHON = REPO / ".venv" / "bin" / "python"

TEST_SECRET = "console-tests-secret-0123456789abcdef"  # tests only
FORGERS_SECRET = "not-the-shops-secret-0123456789abcdef"
# timezone.utc, not datetime.UTC: this runs on Rasa's Python 3.10
UTC = timezone.utc  # noqa: UP017
READ_AT = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)

CRYSTAL = "cminh730"
ASHLEY = "aphoenix939"


def at(text: str) -> datetime:
    """A UTC time written as 'YYYY-MM-DD HH:MM:SS'."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def mint_tokens(requests: dict[str, tuple[str, str, datetime, int]]) -> dict[str, str]:
    """Tokens from profiles.identity, run in the app's Python (it needs 3.11)."""
    program = (
        "import json, sys\n"
        "from datetime import datetime, timedelta\n"
        "from profiles.identity import issue_token\n"
        "asked = json.load(sys.stdin)\n"
        "print(json.dumps({name: issue_token(c, s.encode(), ttl=timedelta(seconds=t),"
        " now=datetime.fromisoformat(n)) for name, (c, s, n, t) in asked.items()}))\n"
    )
    asked = {
        name: (customer, secret, issued.isoformat(), ttl)
        for name, (customer, secret, issued, ttl) in requests.items()
    }
    done = subprocess.run(
        [str(APP_PYTHON), "-c", program],
        input=json.dumps(asked),
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    return json.loads(done.stdout)


class Recorder:
    """Events of one conversation, each stamped a second after the last."""

    def __init__(self, start: datetime) -> None:
        self.clock = start.timestamp()
        self.events: list[Event] = []

    def _stamp(self) -> float:
        self.clock += 1.0
        return self.clock

    def jump(self, to: datetime) -> None:
        self.clock = to.timestamp()

    def session(self, metadata: dict[str, Any] | None = None) -> None:
        self.events.append(
            ActionExecuted("action_session_start", timestamp=self._stamp())
        )
        self.events.append(SessionStarted(timestamp=self._stamp()))
        if metadata:
            self.events.append(
                SlotSet("session_started_metadata", metadata, timestamp=self._stamp())
            )
        self.listen()

    def listen(self) -> None:
        self.events.append(ActionExecuted("action_listen", timestamp=self._stamp()))

    def user(
        self,
        text: str,
        intent: str,
        confidence: float,
        *,
        entities: Sequence[dict[str, Any]] = (),
        token: str | None = None,
    ) -> None:
        metadata = {"customer_token": token} if token else {}
        ranking = [{"name": intent, "confidence": confidence}]
        if intent == "nlu_fallback":
            ranking.append({"name": "greet", "confidence": 0.21})
        parse_data = {
            "intent": {"name": intent, "confidence": confidence},
            "entities": list(entities),
            "text": text,
            "message_id": f"m{len(self.events)}",
            "metadata": metadata,
            "intent_ranking": ranking,
        }
        self.events.append(
            UserUttered(
                text,
                parse_data["intent"],
                list(entities),
                parse_data,
                timestamp=self._stamp(),
                input_channel="rest",
                message_id=parse_data["message_id"],
                metadata=metadata,
            )
        )
        self.events.append(
            DefinePrevUserUtteredFeaturization(False, timestamp=self._stamp())
        )

    def action(self, name: str, policy: str = "RulePolicy") -> None:
        self.events.append(
            ActionExecuted(name, policy=policy, confidence=1.0, timestamp=self._stamp())
        )

    def bot(self, text: str, response: str, **data: Any) -> None:
        payload = {
            key: data.get(key)
            for key in ("elements", "quick_replies", "buttons", "attachment", "image")
        }
        payload["custom"] = data.get("custom")
        self.events.append(
            BotUttered(
                text, payload, {"utter_action": response}, timestamp=self._stamp()
            )
        )

    def slot(self, name: str, value: Any) -> None:
        self.events.append(SlotSet(name, value, timestamp=self._stamp()))

    def loop(self, name: str | None) -> None:
        self.events.append(ActiveLoop(name, timestamp=self._stamp()))

    def rewind(self) -> None:
        self.events.append(UserUtteranceReverted(timestamp=self._stamp()))


def entity(
    text: str, part: str, name: str, value: Any = None, **extra: Any
) -> dict[str, Any]:
    """An extracted entity over `part` of `text`, as Rasa's extractors report it."""
    start = text.index(part)
    found = {
        "entity": name,
        "start": start,
        "end": start + len(part),
        "value": part if value is None else value,
        "extractor": "RegexEntityExtractor",
    }
    if value is not None:
        found["processors"] = ["EntitySynonymMapper"]
    return found | extra


def order_then_thanks(token: str) -> Recorder:
    """Resolved: a greeting, an order looked up by its number, thanks."""
    talk = Recorder(at("2026-12-03 09:00:00"))
    talk.session({"customer_token": token})
    talk.user("hi", "greet", 0.98, token=token)
    talk.action("action_greet")
    talk.bot("Hi Crystal, welcome back!", "utter_greet_customer")
    talk.listen()
    text = "where is my order 3348917502?"
    found = entity(text, "3348917502", "order_id")
    talk.user(text, "order_status", 0.95, entities=[found], token=token)
    talk.slot("order_id", "3348917502")
    talk.action("action_order_status", "TEDPolicy")
    talk.slot("order_id", "3348917502")
    talk.bot(
        "Order 3348917502 (Selvedge jeans) shipped on Dec 1 with UPS. "
        "The tracking number is 1Z999.",
        "utter_order_shipped",
    )
    talk.listen()
    talk.user("thanks!", "thanks", 0.97, token=token)
    talk.action("utter_youre_welcome")
    talk.bot(
        "You're welcome! Is there anything else I can do for you?",
        "utter_youre_welcome",
    )
    talk.listen()
    return talk


def fallback_return_handoff(token: str) -> Recorder:
    """Handoff: not understood once, a return started, then a person asked for."""
    talk = Recorder(at("2026-12-02 10:00:00"))
    talk.session({"customer_token": token})
    talk.user("asdfgh jkl", "nlu_fallback", 0.31, token=token)
    talk.action("action_fallback")
    talk.bot(
        "Sorry, I didn't quite get that. Could you say it another way?",
        "utter_ask_rephrase",
    )
    talk.listen()
    talk.user("i want to send back a pair of jeans", "return_item", 0.93, token=token)
    talk.action("return_form")
    talk.loop("return_form")
    talk.slot("requested_slot", "order_id")
    talk.bot(
        "Which order would you like to return something from?",
        "utter_ask_return_form_order_id",
    )
    talk.listen()
    talk.user("let me talk to a real person", "human_handoff", 0.99, token=token)
    talk.action("action_deactivate_loop")
    talk.loop(None)
    talk.slot("requested_slot", None)
    talk.action("action_handoff")
    talk.bot(
        "I've asked a teammate to take over (request #1042). They'll get back to "
        "you by email within one business day, with this conversation in front "
        "of them.",
        "utter_handoff",
    )
    talk.listen()
    return talk


def fallback_then_search() -> Recorder:
    """Fallback: a guest not understood, then a search with awkward text."""
    talk = Recorder(at("2026-12-03 07:30:00"))
    talk.session()
    talk.user("the blue one: size 10\nor maybe 11?", "nlu_fallback", 0.28)
    talk.action("action_fallback")
    talk.bot(
        "Sorry, I didn't quite get that. Could you say it another way?",
        "utter_ask_rephrase",
    )
    talk.listen()
    text = 'jeans in "navy blue", size: 32 # long'
    found = [
        entity(text, "jeans", "product_type"),
        entity(text, "navy blue", "colour", "navy"),
        entity(text, "32", "size"),
    ]
    talk.user(text, "product_search", 0.88, entities=found)
    talk.action("action_product_search", "TEDPolicy")
    talk.slot("product_search", json.dumps({"words": "jeans", "colour": "navy"}))
    talk.bot(
        "Here's what I found:",
        "utter_products_found",
        attachment={"products": [{"id": 1163, "name": "Selvedge jeans"}]},
    )
    talk.listen()
    return talk


def open_search(token: str) -> Recorder:
    """Open: a search and a suggestion turned down ten minutes before reading."""
    talk = Recorder(READ_AT - timedelta(minutes=12))
    talk.session({"customer_token": token})
    text = "show me black sneakers for men"
    found = [
        entity(text, "black", "colour"),
        entity(text, "sneakers", "product_type"),
        entity(text, "men", "gender"),
    ]
    talk.user(text, "product_search", 0.96, entities=found, token=token)
    talk.action("action_product_search", "TEDPolicy")
    talk.slot("product_search", json.dumps({"words": "sneakers", "colour": "black"}))
    talk.bot("Here's what I found:", "utter_products_found")
    talk.listen()
    text = '/reject_suggestion{"product_id": "1163"}'
    payload = entity(text, '{"product_id": "1163"}', "product_id", "1163")
    payload.pop("processors")
    talk.user(text, "reject_suggestion", 1.0, entities=[payload], token=token)
    talk.action("action_reject_suggestion")
    talk.slot("suggestions_shown", None)
    talk.bot(
        "Got it, I won't suggest the Court Sneaker again.",
        "utter_suggestion_turned_down",
    )
    talk.listen()
    return talk


def two_sessions(first_token: str, token: str) -> Recorder:
    """Fallback: an old session, then a core fallback rewound and a return."""
    talk = Recorder(at("2026-12-01 15:00:00"))
    talk.session({"customer_token": first_token})
    talk.user("hello", "greet", 0.99, token=first_token)
    talk.action("action_greet")
    talk.bot("Hello again, Crystal!", "utter_greet_customer")
    talk.listen()
    talk.user("bye", "goodbye", 0.99, token=first_token)
    talk.action("action_goodbye")
    talk.bot("Bye for now, have a great day!", "utter_goodbye")
    talk.listen()

    talk.jump(at("2026-12-03 10:00:00"))
    talk.session({"customer_token": token})
    talk.user("hmm", "affirm", 0.35, token=token)
    talk.action("action_default_fallback")
    talk.rewind()
    talk.listen()
    talk.user("i want to send back a pair of jeans", "return_item", 0.94, token=token)
    talk.action("return_form")
    talk.loop("return_form")
    talk.slot("order_id", "3348917502")
    talk.slot("requested_slot", "return_reason")
    talk.bot(
        "I can help with that. This is about order 3348917502 (Selvedge jeans), "
        "bought on Nov 20. What's the reason for the return?",
        "utter_ask_return_reason_for_order",
    )
    talk.listen()
    text = "they're too small"
    found = entity(text, "too small", "return_reason", "wrong_size")
    talk.user(text, "explain_return_reason", 0.9, entities=[found], token=token)
    talk.slot("return_reason", "wrong_size")
    talk.action("return_form")
    talk.slot("return_reason", "wrong_size")
    talk.slot("requested_slot", None)
    talk.loop(None)
    talk.action("action_submit_return")
    talk.bot(
        "Good news: gold members have no return deadline, so order 3348917502 "
        "can be returned. I've opened return request #1043.",
        "utter_return_accepted_unlimited",
    )
    talk.listen()
    talk.user("thanks a lot", "thanks", 0.98, token=token)
    talk.action("utter_youre_welcome")
    talk.bot("Happy to help. Anything else?", "utter_youre_welcome")
    talk.listen()
    return talk


def stale_token(token: str) -> Recorder:
    """Resolved: a greeting with a token that had expired before it was sent."""
    talk = Recorder(at("2026-12-01 09:00:00"))
    talk.session({"customer_token": token})
    talk.user("good morning", "greet", 0.97, token=token)
    talk.action("action_greet")
    talk.bot(
        "Hi! I'm the Northwind Threads assistant. I can help with orders, returns, "
        "refunds, shipping and finding something to wear.",
        "utter_greet_guest",
    )
    talk.listen()
    return talk


def conversations() -> dict[str, Recorder]:
    tokens = mint_tokens(
        {
            "valid": (CRYSTAL, TEST_SECRET, at("2026-12-03 08:50:00"), 8 * 3600),
            "expired": (ASHLEY, TEST_SECRET, at("2026-12-02 09:00:00"), 8 * 3600),
            "forged": (CRYSTAL, FORGERS_SECRET, at("2026-12-03 11:40:00"), 8 * 3600),
            "earlier": (CRYSTAL, TEST_SECRET, at("2026-12-01 14:55:00"), 8 * 3600),
            "later": (CRYSTAL, TEST_SECRET, at("2026-12-03 09:55:00"), 8 * 3600),
            "stale": (ASHLEY, TEST_SECRET, at("2026-11-30 08:00:00"), 3600),
        }
    )
    return {
        "web-4f1a-order": order_then_thanks(tokens["valid"]),
        "web-77c2-handoff": fallback_return_handoff(tokens["expired"]),
        "web-9b3e-fallback": fallback_then_search(),
        "web-c0d5-open": open_search(tokens["forged"]),
        "web-e812-two-sessions": two_sessions(tokens["earlier"], tokens["later"]),
        "web-1a2b-stale-token": stale_token(tokens["stale"]),
    }


async def record(database: Path) -> tuple[list[dict[str, Any]], dict[str, str]]:
    domain = Domain.load(REPO / "domain.yml")
    store = SQLTrackerStore(domain, dialect="sqlite", db=str(database))
    for sender_id, talk in conversations().items():
        tracker = DialogueStateTracker.from_events(
            sender_id, talk.events, slots=domain.slots
        )
        await store.save(tracker)

    stories = {}
    for sender_id in await store.keys():
        latest = await store.retrieve(sender_id)
        stories[sender_id] = YAMLStoryWriter().dumps(
            latest.as_story().story_steps, is_test_story=True
        )

    with store.engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT * FROM events ORDER BY id"))
        return [dict(row._mapping) for row in rows], stories


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        rows, stories = asyncio.run(record(Path(folder) / "rasa.db"))

    document = {
        "recorded_with": f"rasa {rasa.__version__}",
        "token_secret": TEST_SECRET,
        "read_at": READ_AT.isoformat(),
        "rows": rows,
        "rasa_test_stories": stories,
    }
    OUTPUT.write_text(json.dumps(document, indent=1) + "\n")
    print(
        f"{len(rows)} rows of {len(stories)} conversations in {OUTPUT}", file=sys.stderr
    )


if __name__ == "__main__":
    main()
