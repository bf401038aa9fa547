"""The NLG endpoint: Rasa's request in, a message Rasa accepts out, the
customer's profile only from a verified token, and live edits."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from bot.console.app import nlg_route
from profiles.identity import issue_token
from tests.conftest import SECRET

ROOT = Path(__file__).resolve().parents[2]
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"
TOKEN = "nlg-test-token"


@pytest.fixture
def nlg(response_service) -> TestClient:
    app = Starlette(routes=[nlg_route(response_service, TOKEN)])
    return TestClient(app, headers={"Authorization": f"Bearer {TOKEN}"})


def body(response: str, token: str | None = None, **arguments) -> dict:
    metadata = {"customer_token": token} if token else {}
    return {
        "response": response,
        "id": None,
        "arguments": arguments,
        "tracker": {
            "sender_id": "s1",
            "slots": {"order_id": None},
            "latest_message": {"text": "hi", "metadata": metadata},
            "events": [],
        },
        "channel": {"name": "socketio"},
    }


def token_for(customer_id: str, **expiry) -> str:
    now = datetime.now(UTC)
    return issue_token(customer_id, SECRET, ttl=timedelta(minutes=5), now=now, **expiry)


def test_a_domain_response_is_rendered_with_the_actions_arguments(nlg) -> None:
    answer = nlg.post("/nlg", json=body("utter_greet_customer", first_name="Ana"))

    assert answer.status_code == 200
    assert answer.json()["text"] in {"Hi Ana, welcome back!", "Hello again, Ana!"}


def test_buttons_come_back_in_rasas_shape(nlg) -> None:
    answer = nlg.post("/nlg", json=body("utter_offer_human")).json()

    assert answer["buttons"] == [
        {"title": "Yes, a person please", "payload": "/human_handoff"},
        {"title": "No, I'll rephrase", "payload": "/deny"},
    ]


def test_without_the_token_nothing_is_rendered(response_service) -> None:
    client = TestClient(Starlette(routes=[nlg_route(response_service, TOKEN)]))

    assert client.post("/nlg", json=body("utter_goodbye")).status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert (
        client.post("/nlg", json=body("utter_goodbye"), headers=wrong).status_code
        == 401
    )


def test_an_unset_token_refuses_everyone(response_service) -> None:
    client = TestClient(Starlette(routes=[nlg_route(response_service, "")]))

    answer = client.post(
        "/nlg", json=body("utter_goodbye"), headers={"Authorization": "Bearer "}
    )
    assert answer.status_code == 401


@pytest.mark.parametrize(
    "payload",
    [[], {"response": 3}, {"response": "utter_goodbye", "tracker": []}, "text"],
)
def test_a_malformed_request_gets_400(nlg, payload) -> None:
    assert nlg.post("/nlg", json=payload).status_code == 400


def test_an_unknown_response_gets_the_error_wording(nlg) -> None:
    answer = nlg.post("/nlg", json=body("utter_no_such_thing")).json()

    assert answer["text"].startswith("Sorry, something went wrong on my side")


def test_an_edit_is_used_on_the_next_request(nlg, console_store) -> None:
    console_store.save_response("utter_goodbye", [{"text": "See you soon!"}], "ada")

    assert nlg.post("/nlg", json=body("utter_goodbye")).json() == {
        "text": "See you soon!"
    }

    console_store.save_response("utter_goodbye", None, "ada", action="reset")
    assert nlg.post("/nlg", json=body("utter_goodbye")).json()["text"] in {
        "Thanks for shopping with Northwind Threads. Take care!",
        "Bye for now, have a great day!",
    }


def test_profile_values_come_from_the_verified_token_only(nlg, console_store) -> None:
    variants = [
        {
            "text": "Bye {{ customer.first_name }}, our "
            "{{ customer.membership_level }} member!"
        },
        {"text": "Bye!"},
    ]
    console_store.save_response("utter_goodbye", variants, "ada")

    signed_in = nlg.post("/nlg", json=body("utter_goodbye", token_for("cminh730")))
    forged = nlg.post("/nlg", json=body("utter_goodbye", token_for("cminh730") + "x"))
    guest = nlg.post("/nlg", json=body("utter_goodbye"))

    assert signed_in.json() == {"text": "Bye Crystal, our bronze member!"}
    assert forged.json() == {"text": "Bye!"}
    assert guest.json() == {"text": "Bye!"}


def test_the_last_order_is_there_for_a_customer_with_orders(nlg, console_store) -> None:
    variants = [{"text": "Your last order was {{ customer.last_order.id }}."}]
    console_store.save_response("utter_anything_else", variants, "ada")

    answer = nlg.post(
        "/nlg", json=body("utter_anything_else", token_for("aphoenix939"))
    )

    assert answer.json()["text"].startswith("Your last order was ")
    assert answer.json()["text"] != "Your last order was ."


def test_personalization_off_means_no_profile_values(
    nlg, console_store, seeded_profiles
) -> None:
    from profiles.models import Customer

    with seeded_profiles.session() as session:
        session.get(Customer, "cminh730").personalization_enabled = False
    variants = [{"text": "Bye {{ customer.first_name }}!"}, {"text": "Bye!"}]
    console_store.save_response("utter_goodbye", variants, "ada")

    answer = nlg.post("/nlg", json=body("utter_goodbye", token_for("cminh730")))

    assert answer.json() == {"text": "Bye!"}


@pytest.mark.slow
@pytest.mark.skipif(
    not RASA_PYTHON.exists(), reason="the Rasa environment is not set up"
)
def test_rasa_sends_what_we_read_and_accepts_what_we_answer(nlg) -> None:
    """Rasa's own nlg_request_format builds the requests from a real tracker, and
    its validate_response checks every answer."""
    requests = json.loads(run_rasa(REQUESTS_SCRIPT))

    answers = [nlg.post("/nlg", json=request).json() for request in requests]

    assert [a["text"] != "" for a in answers] == [True] * len(requests)
    assert run_rasa(VALIDATE_SCRIPT, json.dumps(answers)).strip() == "valid"
    assert answers[1]["text"] in {"Hi Ana, welcome back!", "Hello again, Ana!"}


def run_rasa(script: str, stdin: str = "") -> str:
    done = subprocess.run(
        [str(RASA_PYTHON), "-c", script],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip().splitlines()[-1]


REQUESTS_SCRIPT = """
import json
from rasa.core.nlg.callback import nlg_request_format
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

domain = Domain.load("domain.yml")
tracker = DialogueStateTracker.from_events("s1", [
    ActionExecuted("action_listen"),
    UserUttered("hi", {"name": "greet", "confidence": 0.9}, metadata={"x": 1}),
    SlotSet("order_id", "A1"),
], slots=domain.slots)
print(json.dumps([
    nlg_request_format("utter_goodbye", tracker, "socketio"),
    nlg_request_format("utter_greet_customer", tracker, "rest", first_name="Ana"),
    nlg_request_format("utter_offer_human", tracker, "socketio", response_id=None),
]))
"""

VALIDATE_SCRIPT = """
import json, sys
from rasa.core.nlg.callback import CallbackNaturalLanguageGenerator as NLG
for answer in json.load(sys.stdin):
    assert NLG.validate_response(answer)
print("valid")
"""


def test_a_database_error_in_the_profile_lookup_answers_as_for_a_guest(
    response_service, console_store
) -> None:
    from sqlalchemy.exc import OperationalError

    def broken(tracker):
        raise OperationalError("SELECT", {}, Exception("database is locked"))

    response_service.lookup = broken
    variants = [{"text": "Bye {{ customer.first_name }}!"}, {"text": "Bye!"}]
    console_store.save_response("utter_goodbye", variants, "ada")
    client = TestClient(
        Starlette(routes=[nlg_route(response_service, TOKEN)]),
        headers={"Authorization": f"Bearer {TOKEN}"},
    )

    answer = client.post("/nlg", json=body("utter_goodbye", token_for("cminh730")))

    assert answer.json() == {"text": "Bye!"}


def test_an_unexpected_error_still_gives_the_customer_a_reply(response_service) -> None:
    def broken(body):
        raise RuntimeError("boom")

    response_service.generate = broken
    client = TestClient(
        Starlette(routes=[nlg_route(response_service, TOKEN)]),
        headers={"Authorization": f"Bearer {TOKEN}"},
    )

    answer = client.post("/nlg", json=body("utter_goodbye"))

    assert answer.status_code == 200
    assert answer.json()["text"].startswith("Sorry, something went wrong")
