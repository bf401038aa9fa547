"""The console's conversation reader against rows Rasa's SQL tracker store wrote.

data/rasa_events.json holds the `events` rows of six conversations saved by
Rasa 3.6 itself (data/record_rasa_events.py), with the test story Rasa's own
writer makes of each. Every test runs on SQLite; with
CONCIERGE_TEST_POSTGRES_URL set (`.ci/run` starts a server) also on PostgreSQL.
"""

from __future__ import annotations

import copy
import json
import logging
import os
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import (
    Engine,
    MetaData,
    create_engine,
    event,
    inspect,
)

from bot.console import conversations
from bot.console.conversations import MAX_PAGE, TIMESTAMP_INDEX, ConversationReader
from profiles.identity import InvalidToken, verify_token
from tests.rasa_tables import rasa_events_table

DATA = Path(__file__).parent / "data" / "rasa_events.json"
POSTGRES_URL_ENV = "CONCIERGE_TEST_POSTGRES_URL"

ORDER = "web-4f1a-order"
HANDOFF = "web-77c2-handoff"
FALLBACK = "web-9b3e-fallback"
OPEN = "web-c0d5-open"
TWO_SESSIONS = "web-e812-two-sessions"
STALE_TOKEN = "web-1a2b-stale-token"
NEWEST_FIRST = [OPEN, TWO_SESSIONS, ORDER, FALLBACK, HANDOFF, STALE_TOKEN]


@pytest.fixture(scope="session")
def recorded_rasa_events() -> dict[str, Any]:
    return json.loads(DATA.read_text())


@pytest.fixture
def read_at(recorded_rasa_events) -> datetime:
    return datetime.fromisoformat(recorded_rasa_events["read_at"])


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.slow),
    ]
)
def conversations_engine(request, tmp_path) -> Iterator[Engine]:
    """An engine on an empty database: a SQLite file, or the test PostgreSQL."""
    if request.param == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path / 'concierge.db'}")
    else:
        url = os.environ.get(POSTGRES_URL_ENV, "")
        if not url:
            if os.environ.get("CI") == "true":
                pytest.fail(f"{POSTGRES_URL_ENV} is not set; .ci/run starts one")
            pytest.skip(f"{POSTGRES_URL_ENV} is not set")
        engine = create_engine(url)
        rasa_events_table(MetaData()).drop(engine, checkfirst=True)
    yield engine
    rasa_events_table(MetaData()).drop(engine, checkfirst=True)
    engine.dispose()


def store_rows(engine: Engine, rows: list[dict[str, Any]]) -> None:
    table = rasa_events_table(MetaData())
    table.create(engine, checkfirst=True)
    with engine.begin() as connection:
        connection.execute(table.insert(), rows)


@pytest.fixture
def conversation_reader(
    conversations_engine, recorded_rasa_events
) -> ConversationReader:
    """A reader over the six recorded conversations."""
    store_rows(conversations_engine, recorded_rasa_events["rows"])
    secret = recorded_rasa_events["token_secret"].encode()
    return ConversationReader(conversations_engine, secret)


def rows_of(recorded: dict[str, Any], sender_id: str) -> list[dict[str, Any]]:
    return [row for row in recorded["rows"] if row["sender_id"] == sender_id]


def tokens_in(recorded: dict[str, Any]) -> set[str]:
    """Every customer token the recorded rows carry."""
    found = set()
    for row in recorded["rows"]:
        data = json.loads(row["data"])
        for metadata in (data.get("metadata"), data.get("value")):
            if isinstance(metadata, dict) and "customer_token" in metadata:
                found.add(metadata["customer_token"])
    return found


def ids(summaries) -> list[str]:
    return [summary.id for summary in summaries]


# Summaries


def test_summaries_match_the_rows_newest_first(
    conversation_reader, recorded_rasa_events, read_at
):
    summaries = conversation_reader.conversations(now=read_at)

    assert ids(summaries) == NEWEST_FIRST
    for summary in summaries:
        rows = rows_of(recorded_rasa_events, summary.id)
        said = [row for row in rows if row["type_name"] == "user"]
        assert summary.started_at.timestamp() == min(r["timestamp"] for r in rows)
        assert summary.last_at.timestamp() == max(r["timestamp"] for r in rows)
        assert summary.started_at.utcoffset() == timedelta(0)
        assert summary.turns == len(said)
        assert list(summary.intents) == list(
            dict.fromkeys(r["intent_name"] for r in said)
        )


@pytest.mark.parametrize(
    ("sender_id", "outcome"),
    [
        pytest.param(ORDER, "resolved", id="resolved"),
        pytest.param(HANDOFF, "handoff", id="handoff-after-a-fallback"),
        pytest.param(FALLBACK, "fallback", id="fallback"),
        pytest.param(OPEN, "open", id="open"),
        pytest.param(TWO_SESSIONS, "fallback", id="core-fallback-rewound"),
        pytest.param(STALE_TOKEN, "resolved", id="resolved-guest"),
    ],
)
def test_outcomes(conversation_reader, read_at, sender_id, outcome):
    (summary,) = [
        s for s in conversation_reader.conversations(now=read_at) if s.id == sender_id
    ]
    assert summary.outcome == outcome
    assert conversation_reader.conversation(sender_id, now=read_at).outcome == outcome


def test_open_until_thirty_minutes_after_the_last_event(conversation_reader, read_at):
    (summary,) = conversation_reader.conversations(outcome="open", now=read_at)
    just_open = summary.last_at + timedelta(minutes=30) - timedelta(seconds=1)
    closed = summary.last_at + timedelta(minutes=30)

    assert (
        conversation_reader.conversations(limit=1, now=just_open)[0].outcome == "open"
    )
    assert conversation_reader.conversations(limit=1, now=closed)[0].outcome == (
        "resolved"
    )
    assert conversation_reader.conversations(outcome="open", now=closed) == []


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        pytest.param({"intent": "return_item"}, [TWO_SESSIONS, HANDOFF], id="intent"),
        pytest.param({"intent": "nlu_fallback"}, [FALLBACK, HANDOFF], id="intent-nlu"),
        pytest.param({"intent": "cancel_order"}, [], id="intent-unseen"),
        pytest.param({"outcome": "handoff"}, [HANDOFF], id="handoff"),
        pytest.param({"outcome": "fallback"}, [TWO_SESSIONS, FALLBACK], id="fallback"),
        pytest.param({"outcome": "open"}, [OPEN], id="open"),
        pytest.param({"outcome": "resolved"}, [ORDER, STALE_TOKEN], id="resolved"),
        pytest.param({"customer": "cminh730"}, [TWO_SESSIONS, ORDER], id="customer"),
        pytest.param({"customer": "aphoenix939"}, [HANDOFF], id="customer-expired"),
        pytest.param({"customer": "nobody"}, [], id="customer-unknown"),
        pytest.param(
            {"customer": "cminh730", "intent": "order_status", "outcome": "resolved"},
            [ORDER],
            id="all-three",
        ),
    ],
)
def test_filters(conversation_reader, read_at, filters, expected):
    assert ids(conversation_reader.conversations(**filters, now=read_at)) == expected


def test_each_filter_keeps_what_the_summaries_say(conversation_reader, read_at):
    everything = conversation_reader.conversations(now=read_at)
    for outcome in ("handoff", "fallback", "resolved", "open"):
        kept = conversation_reader.conversations(outcome=outcome, now=read_at)
        assert kept == [s for s in everything if s.outcome == outcome]
    for intent in {i for s in everything for i in s.intents}:
        kept = conversation_reader.conversations(intent=intent, now=read_at)
        assert kept == [s for s in everything if intent in s.intents]


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param({"limit": 0}, id="limit-0"),
        pytest.param({"limit": MAX_PAGE + 1}, id="limit-over-max"),
        pytest.param({"outcome": "closed"}, id="unknown-outcome"),
    ],
)
def test_bad_requests_are_refused(conversation_reader, bad):
    with pytest.raises(ValueError):
        conversation_reader.conversations(**bad)


# The customer of a conversation


@pytest.mark.parametrize(
    ("sender_id", "customer_id"),
    [
        pytest.param(ORDER, "cminh730", id="valid"),
        pytest.param(HANDOFF, "aphoenix939", id="expired-since"),
        pytest.param(OPEN, None, id="forged"),
        pytest.param(STALE_TOKEN, None, id="expired-when-sent"),
        pytest.param(FALLBACK, None, id="guest"),
        pytest.param(TWO_SESSIONS, "cminh730", id="latest-session"),
    ],
)
def test_customer_from_the_token(conversation_reader, read_at, sender_id, customer_id):
    (summary,) = [
        s for s in conversation_reader.conversations(now=read_at) if s.id == sender_id
    ]
    assert summary.customer_id == customer_id
    assert conversation_reader.conversation(sender_id).customer_id == customer_id


def test_the_tokens_are_what_the_cases_claim(recorded_rasa_events, read_at):
    """The recorded tokens really are expired or forged, as the cases say."""
    secret = recorded_rasa_events["token_secret"].encode()

    def token_of(sender_id: str) -> str:
        said = [r for r in rows_of(recorded_rasa_events, sender_id) if r["intent_name"]]
        return json.loads(said[0]["data"])["metadata"]["customer_token"]

    assert verify_token(token_of(ORDER), secret, now=read_at).customer_id == "cminh730"
    for sender_id, reason in [
        (HANDOFF, "expired"),
        (STALE_TOKEN, "expired"),
        (OPEN, "bad_signature"),
    ]:
        with pytest.raises(InvalidToken) as refused:
            verify_token(token_of(sender_id), secret, now=read_at)
        assert refused.value.reason == reason


def test_no_token_is_returned_or_logged(
    conversation_reader, recorded_rasa_events, read_at, caplog
):
    caplog.set_level(logging.DEBUG)
    said = [
        json.dumps([s.as_json(None) for s in conversation_reader.conversations()]),
        *(
            json.dumps(conversation_reader.conversation(sender_id).as_json(None))
            for sender_id in NEWEST_FIRST
        ),
        *(conversation_reader.story_yaml(s, "a test") or "" for s in NEWEST_FIRST),
        caplog.text,
    ]
    tokens = tokens_in(recorded_rasa_events)

    assert len(tokens) == 6
    assert not [token for token in tokens if any(token in text for text in said)]


# Where the table is missing, and large tables


def test_no_table_means_no_conversations(conversations_engine, recorded_rasa_events):
    secret = recorded_rasa_events["token_secret"].encode()
    reader = ConversationReader(conversations_engine, secret)

    assert reader.conversations() == []
    assert reader.conversation(ORDER) is None
    assert reader.story_yaml(ORDER, "an order") is None
    assert not inspect(conversations_engine).has_table("events")

    store_rows(conversations_engine, recorded_rasa_events["rows"])
    assert ids(reader.conversations(limit=1)) == [OPEN]


def many_conversations(recorded: dict[str, Any], copies: int) -> list[dict[str, Any]]:
    """`copies` of every recorded conversation, each copy a day earlier.

    Copies 2k and 2k+1 share their timestamps, so pages must break ties.
    """
    rows = []
    for copy_number in range(copies):
        shift = 86400.0 * (copy_number // 2)
        for row in recorded["rows"]:
            moved = copy.copy(row)
            moved["id"] = len(rows) + 1
            moved["sender_id"] = f"{row['sender_id']}-{copy_number:03d}"
            moved["timestamp"] = row["timestamp"] - shift
            rows.append(moved)
    return rows


def test_pages_agree_with_one_big_page(conversations_engine, recorded_rasa_events):
    store_rows(conversations_engine, many_conversations(recorded_rasa_events, 30))
    secret = recorded_rasa_events["token_secret"].encode()
    reader = ConversationReader(conversations_engine, secret, customer_scan_batch=7)
    now = datetime.fromisoformat(recorded_rasa_events["read_at"])
    everything = reader.conversations(limit=MAX_PAGE, now=now)

    assert len(everything) == 180
    assert [s.last_at for s in everything] == sorted(
        (s.last_at for s in everything), reverse=True
    )
    assert reader.conversations(limit=25, now=now) == everything[:25]
    for customer in ("cminh730", "aphoenix939"):
        theirs = [s for s in everything if s.customer_id == customer]
        assert (
            reader.conversations(customer=customer, limit=25, now=now) == (theirs[:25])
        )
        assert reader.conversations(customer=customer, limit=MAX_PAGE, now=now) == (
            theirs
        )


@pytest.mark.parametrize("batch", [1, 5, 500])
def test_the_newest_page_walked_on_the_index_is_the_grouped_one(
    conversations_engine, recorded_rasa_events, monkeypatch, batch
):
    store_rows(conversations_engine, many_conversations(recorded_rasa_events, 30))
    secret = recorded_rasa_events["token_secret"].encode()
    now = datetime.fromisoformat(recorded_rasa_events["read_at"])
    grouped = ConversationReader(conversations_engine, secret, timestamp_index=False)
    monkeypatch.setattr(conversations, "RECENT_BATCH", batch)
    walked = ConversationReader(conversations_engine, secret)

    for limit in (1, 2, 3, 25, 179, 180, MAX_PAGE):
        expected = grouped.conversations(limit=limit, now=now)
        assert walked.conversations(limit=limit, now=now) == expected, limit
    indexes = inspect(conversations_engine).get_indexes("events")
    assert TIMESTAMP_INDEX in {index["name"] for index in indexes}


def test_the_newest_page_breaks_a_tie_of_last_events_by_sender_id(
    conversations_engine, recorded_rasa_events
):
    rows = many_conversations(recorded_rasa_events, 2)  # copies 0 and 1 tie
    store_rows(conversations_engine, rows)
    secret = recorded_rasa_events["token_secret"].encode()
    reader = ConversationReader(conversations_engine, secret)
    newest = max(rows, key=lambda row: row["timestamp"])["sender_id"].rsplit("-", 1)[0]

    page = reader.conversations(limit=1)

    assert [summary.id for summary in page] == [f"{newest}-000"]
    assert [s.id for s in reader.conversations(limit=2)] == [
        f"{newest}-000", f"{newest}-001",
    ]  # fmt: skip


def test_the_database_orders_a_tie_and_a_timeless_conversation_is_left_out(
    conversations_engine, recorded_rasa_events
):
    rows = many_conversations(recorded_rasa_events, 1)
    newest = max(row["timestamp"] for row in rows)
    extra = [
        {**rows[0], "id": len(rows) + n, "sender_id": sender, "timestamp": at}
        for n, (sender, at) in enumerate(
            [("Zed-web", newest + 60), ("abe-web", newest + 60), ("timeless", None)],
            start=1,
        )
    ]
    store_rows(conversations_engine, rows + extra)
    secret = recorded_rasa_events["token_secret"].encode()
    grouped = ConversationReader(conversations_engine, secret, timestamp_index=False)
    walked = ConversationReader(conversations_engine, secret)

    for limit in (1, 2, 3, 50):
        page = walked.conversations(limit=limit)
        assert page == grouped.conversations(limit=limit), limit
        assert "timeless" not in {summary.id for summary in page}
    assert {s.id for s in walked.conversations(limit=2)} == {"Zed-web", "abe-web"}


def test_a_page_reads_message_data_of_its_own_conversations_only(
    conversations_engine, recorded_rasa_events
):
    store_rows(conversations_engine, many_conversations(recorded_rasa_events, 30))
    secret = recorded_rasa_events["token_secret"].encode()
    reader = ConversationReader(conversations_engine, secret)
    statements: list[tuple[str, Any]] = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(conversations_engine, "before_cursor_execute", seen)
    try:
        page = reader.conversations(limit=3)
    finally:
        event.remove(conversations_engine, "before_cursor_execute", seen)

    reads_data = [
        (statement, parameters)
        for statement, parameters in statements
        if "events.data" in statement.split("FROM")[0]
    ]
    assert len(reads_data) == 1
    _, parameters = reads_data[0]
    values = parameters.values() if isinstance(parameters, dict) else parameters
    senders = {value for value in values if str(value).startswith("web-")}
    assert senders == set(ids(page))


# Turns


def test_turns_of_a_handoff(conversation_reader):
    conversation = conversation_reader.conversation(HANDOFF)
    turns = [
        (t.speaker, t.intent, t.confidence, t.action, t.flags)
        for t in conversation.turns
    ]

    assert turns == [
        ("customer", "nlu_fallback", 0.31, None, ("fallback",)),
        ("assistant", None, None, "action_fallback", ("fallback",)),
        ("customer", "return_item", 0.93, None, ()),
        ("assistant", None, None, "return_form", ()),
        ("customer", "human_handoff", 0.99, None, ("handoff",)),
        ("assistant", None, None, "action_handoff", ("handoff",)),
    ]
    assert conversation.turns[4].text == "let me talk to a real person"
    assert conversation.turns[0].at.isoformat() == "2026-12-02T10:00:05+00:00"


def test_turns_span_every_session_and_flag_a_silent_fallback(conversation_reader):
    turns = conversation_reader.conversation(TWO_SESSIONS).turns
    said = [(t.speaker, t.text, t.flags) for t in turns if t.speaker == "customer"]

    assert [text for _, text, _ in said] == [
        "hello",
        "bye",
        "hmm",
        "i want to send back a pair of jeans",
        "they're too small",
        "thanks a lot",
    ]
    # action_default_fallback answered "hmm" without a message of its own
    assert said[2][2] == ("fallback",)
    assert len(turns) == 6 + 5
    assert turns[-1].action == "utter_youre_welcome"


def test_turn_json_has_the_api_shape(conversation_reader, read_at):
    answer = conversation_reader.conversation(ORDER, now=read_at).as_json(
        {"id": "cminh730", "name": "Crystal Minh"}
    )

    assert answer["id"] == ORDER
    assert answer["outcome"] == "resolved"
    assert answer["customer"] == {"id": "cminh730", "name": "Crystal Minh"}
    assert answer["turns"][0] == {
        "at": "2026-12-03T09:00:05+00:00",
        "speaker": "customer",
        "text": "hi",
        "intent": "greet",
        "confidence": 0.98,
        "action": None,
        "flags": [],
    }
    assert answer["turns"][1]["action"] == "action_greet"
    assert conversation_reader.conversation("web-unknown") is None


# Conversation -> test story


def steps_of(document: str) -> list[dict[str, Any]]:
    (story,) = yaml.safe_load(document)["stories"]
    for step in story["steps"]:
        if "user" in step:
            step["user"] = step["user"].strip()
    return story["steps"]


@pytest.mark.parametrize("sender_id", NEWEST_FIRST)
def test_story_is_rasas_own_less_what_must_not_be_there(
    conversation_reader, recorded_rasa_events, sender_id
):
    """Rasa's writer keeps rewound turns and every slot (even the token); we
    keep what the policies see."""
    rasas = steps_of(recorded_rasa_events["rasa_test_stories"][sender_id])
    expected = [step for step in rasas if "slot_was_set" not in step]
    if sender_id == TWO_SESSIONS:
        rewound = [
            {"intent": "affirm", "user": "hmm"},
            {"action": "action_default_fallback"},
        ]
        assert expected[:2] == rewound
        expected = expected[2:]

    document = conversation_reader.story_yaml(sender_id, "from the console")

    assert steps_of(document) == expected
    assert document.startswith(
        'version: "3.1"\n\nstories:\n  - story: from the console\n'
    )


def test_story_in_the_repos_exact_layout(conversation_reader):
    assert conversation_reader.story_yaml(TWO_SESSIONS, "return: too small") == (
        'version: "3.1"\n'
        "\n"
        "stories:\n"
        '  - story: "return: too small"\n'
        "    steps:\n"
        "      - user: |\n"
        "          i want to send back a pair of jeans\n"
        "        intent: return_item\n"
        "      - action: return_form\n"
        "      - active_loop: return_form\n"
        "      - user: |\n"
        "          they're [too small]"
        '{"entity": "return_reason", "value": "wrong_size"}\n'
        "        intent: explain_return_reason\n"
        "      - action: return_form\n"
        "      - active_loop: null\n"
        "      - action: action_submit_return\n"
        "      - user: |\n"
        "          thanks a lot\n"
        "        intent: thanks\n"
        "      - action: utter_youre_welcome\n"
    )


def test_story_keeps_the_slots_the_domain_says_count(
    conversations_engine, recorded_rasa_events, tmp_path
):
    domain = tmp_path / "domain.yml"
    domain.write_text(
        "slots:\n"
        "  order_id:\n    type: text\n    influence_conversation: true\n"
        "  return_reason:\n    type: text\n"  # Rasa's default: it counts
        "  product_search:\n    type: text\n    influence_conversation: false\n"
        "  notes:\n    type: any\n"
    )
    store_rows(conversations_engine, recorded_rasa_events["rows"])
    secret = recorded_rasa_events["token_secret"].encode()
    reader = ConversationReader(conversations_engine, secret, domain_path=domain)

    slots = [
        step["slot_was_set"]
        for step in steps_of(reader.story_yaml(TWO_SESSIONS, "slots"))
        if "slot_was_set" in step
    ]
    searched = [
        step
        for step in steps_of(reader.story_yaml(FALLBACK, "search"))
        if "slot_was_set" in step
    ]

    assert slots == [
        [{"order_id": "3348917502"}],
        [{"return_reason": "wrong_size"}],
        [{"return_reason": "wrong_size"}],
    ]
    assert searched == []


def one_message_reader(
    engine: Engine,
    recorded: dict[str, Any],
    text: str,
    entities: list[dict[str, Any]] | None = None,
) -> ConversationReader:
    """A reader over the stale-token conversation, its one customer message
    replaced by `text` (with `entities`, when given)."""
    rows = copy.deepcopy(rows_of(recorded, STALE_TOKEN))
    (message,) = [row for row in rows if row["type_name"] == "user"]
    data = json.loads(message["data"])
    data["text"] = data["parse_data"]["text"] = text
    if entities is not None:
        data["parse_data"]["entities"] = entities
    message["data"] = json.dumps(data)
    store_rows(engine, rows)
    return ConversationReader(engine, recorded["token_secret"].encode())


AWKWARD_TEXTS = [
    pytest.param('she said "hi": then left', id="quotes-colon"),
    pytest.param("line one\nline two\n\n  indented three", id="newlines"),
    pytest.param("# not a comment", id="hash"),
    pytest.param("- not a list", id="dash"),
    pytest.param("yes", id="yaml-bool"),
    pytest.param("null", id="yaml-null"),
    pytest.param("3348917502", id="digits"),
    pytest.param("'single' and \\ back", id="single-quotes"),
    pytest.param("tab\there", id="tab"),
    pytest.param("trailing space \nnext", id="space-before-break"),
    pytest.param("  surrounded  \n", id="outer-space"),
    pytest.param("{not: flow} [nor] &this *that !tag |pipe >fold %d @ `", id="marks"),
    pytest.param("emoji 😀 and ümlaut", id="unicode"),
    pytest.param("odd\u2028break and \x85next", id="unicode-breaks"),
    pytest.param("bell\x07", id="control"),
    pytest.param("---\n...", id="document-marks"),
]


@pytest.mark.parametrize("text", AWKWARD_TEXTS)
def test_story_text_survives_yaml(conversations_engine, recorded_rasa_events, text):
    reader = one_message_reader(conversations_engine, recorded_rasa_events, text)

    document = reader.story_yaml(STALE_TOKEN, f"story of {text}")
    (story,) = yaml.safe_load(document)["stories"]

    assert story["story"] == f"story of {text}".strip()
    typed = text.strip().replace("[", "(").replace("]", ")")  # see TYPED_BRACKETS
    assert story["steps"][0]["user"].strip() == typed
    assert story["steps"][0]["intent"] == "greet"


def test_story_marks_roles_and_shared_spans(conversations_engine, recorded_rasa_events):
    entities = [
        {"entity": "city", "start": 9, "end": 15, "value": "Berlin", "role": "from"},
        {"entity": "city", "start": 19, "end": 23, "value": "Rome"},
        {"entity": "capital", "start": 19, "end": 23, "value": "Roma"},
        {"entity": "noise", "start": 20, "end": 22, "value": "om"},
        {"entity": "nowhere", "value": "x"},
    ]
    reader = one_message_reader(
        conversations_engine, recorded_rasa_events, "fly from Berlin to Rome", entities
    )

    (user,) = [s for s in steps_of(reader.story_yaml(STALE_TOKEN, "x")) if "user" in s]

    assert user["user"] == (
        'fly from [Berlin]{"entity": "city", "role": "from"} to '
        '[Rome][{"entity": "city"}, {"entity": "capital", "value": "Roma"}]'
    )


def test_brackets_the_customer_typed_do_not_read_back_as_entities(
    conversations_engine, recorded_rasa_events
):
    text = "is [this](colour) or [that]{x} or [it][y] a Rome [size] shirt"
    entities = [
        {"entity": "colour", "start": 4, "end": 8, "value": "this"},
        {"entity": "city", "start": 44, "end": 48, "value": "Rome"},
        {"entity": "size", "start": 49, "end": 55, "value": "[size]"},
    ]
    reader = one_message_reader(
        conversations_engine, recorded_rasa_events, text, entities
    )

    (user,) = [s for s in steps_of(reader.story_yaml(STALE_TOKEN, "x")) if "user" in s]

    assert user["user"] == (
        "is ([this](colour))(colour) or (that){x} or (it)(y) a [Rome](city) "
        '[(size)]{"entity": "size", "value": "[size]"} shirt'
    )


def test_no_story_without_a_customer_message(
    conversations_engine, recorded_rasa_events
):
    rows = rows_of(recorded_rasa_events, ORDER)
    later = rows[-1]["timestamp"] + 7200
    for number, (kind, name) in enumerate(
        [("action", "action_session_start"), ("session_started", None)]
        + [("action", "action_listen")]
    ):
        data = {"event": kind, "timestamp": later + number, "name": name}
        rows.append(
            {
                "id": rows[-1]["id"] + 1,
                "sender_id": ORDER,
                "type_name": kind,
                "timestamp": later + number,
                "intent_name": None,
                "action_name": name,
                "data": json.dumps(data),
            }
        )
    store_rows(conversations_engine, rows)
    secret = recorded_rasa_events["token_secret"].encode()
    reader = ConversationReader(conversations_engine, secret)

    assert reader.story_yaml(ORDER, "a new session, nothing said") is None
    assert reader.story_yaml("web-unknown", "nothing") is None
    assert len(reader.conversation(ORDER).turns) == 6
    with pytest.raises(ValueError):
        reader.story_yaml(ORDER, "  ")
