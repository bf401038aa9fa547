"""Conversations as the console shows them, read from Rasa's tracker store.

Rasa's SQL tracker store keeps each event of each conversation as one row of
the `events` table: id, sender_id, type_name, timestamp (Unix seconds),
intent_name (user events), action_name (the `name` of action, slot and active
loop events) and data, the event as JSON. The dialogue engine creates and
writes that table; this module reads it, answers "no conversations" until it
exists, and adds one index to it (TIMESTAMP_INDEX, on PostgreSQL built
without blocking Rasa's writes). A conversation is everything one sender id
said and heard.

Its customer is the one named by the signed token in the message metadata,
checked as of when the message arrived: a token that has expired since still
says who it was, one that was already expired or is forged names nobody.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Engine,
    Float,
    Index,
    Integer,
    MetaData,
    Row,
    Select,
    String,
    Table,
    Text,
    and_,
    case,
    func,
    inspect,
    or_,
    select,
)
from sqlalchemy.exc import SQLAlchemyError

from profiles.config import REPO_ROOT
from profiles.identity import MIN_SECRET_BYTES, InvalidToken, verify_token

logger = logging.getLogger(__name__)

EVENTS_TABLE = "events"
DOMAIN_PATH = REPO_ROOT / "domain.yml"  # where story_yaml learns which slots count
TOKEN_METADATA_KEY = "customer_token"

HANDOFF_ACTIONS = frozenset({"action_handoff", "action_escalate"})
FALLBACK_ACTIONS = frozenset(
    {
        "action_fallback",
        "utter_ask_rephrase",
        "utter_offer_human",
        "action_default_fallback",
    }
)
FALLBACK_INTENT = "nlu_fallback"
OUTCOMES = ("handoff", "fallback", "resolved", "open")
OPEN_FOR = timedelta(minutes=30)  # younger than this since the last event: open

MAX_PAGE = 200
RECENT_BATCH = 500  # events read at a time when walking back from the newest
# Made on Rasa's events table so the newest page need not group every event;
# Rasa neither needs nor minds it.
TIMESTAMP_INDEX = "ix_events_timestamp_console"
CUSTOMER_SCAN_BATCH = 200  # conversations read at a time for a customer filter
STREAM_ROWS = 100  # rows fetched at a time when reading message metadata

# Actions that are bookkeeping, not a step of a test story.
NOT_STORY_ACTIONS = frozenset(
    {"action_listen", "action_session_start", "action_unlikely_intent", "..."}
)
TEST_STORIES_VERSION = "3.1"
# Square brackets the customer typed, written as parentheses: Rasa's stories
# mark entities with square brackets and have no escape for them, and Rasa's
# WhitespaceTokenizer drops both kinds alike at the edges of words.
TYPED_BRACKETS = str.maketrans("[]", "()")


@dataclass(frozen=True)
class Turn:
    """One message: the customer's (with its intent) or the assistant's.

    An assistant turn names the action that sent it. Flags: "fallback" or
    "handoff", from the customer's intent, from the actions that answered the
    customer, or from the action that sent the assistant's message.
    """

    at: datetime
    speaker: str  # "customer" or "assistant"
    text: str | None
    intent: str | None = None
    confidence: float | None = None
    action: str | None = None
    flags: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "speaker": self.speaker,
            "text": self.text,
            "intent": self.intent,
            "confidence": self.confidence,
            "action": self.action,
            "flags": list(self.flags),
        }


@dataclass(frozen=True)
class ConversationSummary:
    """One line of the conversation list; `turns` counts the customer's."""

    id: str
    customer_id: str | None
    started_at: datetime
    last_at: datetime
    turns: int
    intents: tuple[str, ...]  # in the order they were first seen
    outcome: str

    def as_json(self, customer: dict[str, Any] | None) -> dict[str, Any]:
        """The API's shape, with `customer` as the caller looked it up."""
        return {
            "id": self.id,
            "customer": customer,
            "started_at": self.started_at.isoformat(),
            "last_at": self.last_at.isoformat(),
            "turns": self.turns,
            "intents": list(self.intents),
            "outcome": self.outcome,
        }


@dataclass(frozen=True)
class Conversation:
    """A whole conversation, every session of it, as turns."""

    id: str
    customer_id: str | None
    outcome: str
    started_at: datetime
    last_at: datetime
    turns: tuple[Turn, ...]

    def as_json(self, customer: dict[str, Any] | None) -> dict[str, Any]:
        """The API's shape, with `customer` as the caller looked it up."""
        return {
            "id": self.id,
            "customer": customer,
            "outcome": self.outcome,
            "turns": [turn.as_json() for turn in self.turns],
        }


class ConversationReader:
    """Reads conversations from the `events` table behind `engine`.

    `token_secret` is the shop's customer token secret (profiles.identity's
    load_secret). The engine is the caller's; the reader never disposes of it.
    """

    def __init__(
        self,
        engine: Engine,
        token_secret: bytes,
        *,
        domain_path: Path = DOMAIN_PATH,
        customer_scan_batch: int = CUSTOMER_SCAN_BATCH,
        timestamp_index: bool = True,
    ) -> None:
        if len(token_secret) < MIN_SECRET_BYTES:
            raise ValueError(f"the token secret must be {MIN_SECRET_BYTES}+ bytes")
        if customer_scan_batch < 1:
            raise ValueError("customer_scan_batch must be at least 1")
        self._engine = engine
        self._secret = token_secret
        self._events = _events_table(MetaData())
        self._domain_path = domain_path
        self._scan_batch = customer_scan_batch
        self._slots: frozenset[str] | None = None
        self._table_exists = False
        # None: not tried yet; False: failed, or not wanted (a database user
        # that may not create indexes; every page then groups every event)
        self._indexed: bool | None = None if timestamp_index else False
        self._timestamp_index = Index(
            TIMESTAMP_INDEX,
            self._events.c.timestamp,
            self._events.c.id,
            postgresql_concurrently=engine.dialect.name == "postgresql",
        )

    def conversations(
        self,
        customer: str | None = None,
        intent: str | None = None,
        outcome: str | None = None,
        limit: int = 50,
        now: datetime | None = None,
    ) -> list[ConversationSummary]:
        """At most `limit` (1 to MAX_PAGE) summaries, latest activity first.

        The database groups, counts and filters by intent and outcome (open or
        resolved as of `now`, default the current time) and returns one page
        (without a filter, of the conversations found newest first on the
        timestamp index, so the first page does not group every event);
        only that page's customer messages that carry a token are then read, a
        few rows at a time. A customer filter needs each token verified, so it
        streams the signed-in conversations, `customer_scan_batch` at a time,
        until `limit` match: a rare customer costs a scan of the table, but
        never more than one batch in memory.
        """
        if outcome is not None and outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        if not 1 <= limit <= MAX_PAGE:
            raise ValueError(f"limit must be between 1 and {MAX_PAGE}")
        if not self._has_table():
            return []
        open_after = _utc(now).timestamp() - OPEN_FOR.total_seconds()
        batch = limit if customer is None else max(limit, self._scan_batch)

        unfiltered = customer is None and intent is None and outcome is None
        walk = unfiltered and self._has_timestamp_index()  # before a connection
        page: list[ConversationSummary] = []
        with self._engine.connect() as connection:
            if walk:
                newest = self._newest_senders(connection, limit)
                query = self._summary_query(None, None, False, open_after, newest)
            else:
                query = self._summary_query(
                    intent, outcome, customer is not None, open_after
                )
            if customer is None:
                query = query.limit(limit)
            result = connection.execute(query.execution_options(yield_per=batch))
            for rows in result.partitions():
                summaries = self._summaries(connection, rows, open_after)
                page += [s for s in summaries if customer in (None, s.customer_id)]
                if len(page) >= limit:
                    break
            result.close()
        return page[:limit]

    def conversation(
        self, sender_id: str, now: datetime | None = None
    ) -> Conversation | None:
        """Every turn of the conversation, or None if there is none.

        Reads the conversation's rows whole: fine for chats, not for a sender id
        that lives for millions of events.
        """
        if not self._has_table():
            return None
        events = self._events
        query = (
            select(
                events.c.type_name,
                events.c.timestamp,
                events.c.intent_name,
                events.c.action_name,
                events.c.data,
            )
            .where(events.c.sender_id == sender_id)
            .order_by(events.c.id)
        )
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
        if not rows:
            return None

        open_after = _utc(now).timestamp() - OPEN_FOR.total_seconds()
        handoff = any(_is_handoff(row) for row in rows)
        fallback = any(_is_fallback(row) for row in rows)
        last = max(row.timestamp for row in rows)
        messages = [row for row in rows if row.type_name == "user"]
        return Conversation(
            id=sender_id,
            customer_id=self._customer_of(reversed(messages)),
            outcome=_outcome(handoff, fallback, last, open_after),
            started_at=_at(min(row.timestamp for row in rows)),
            last_at=_at(last),
            turns=tuple(_turns(rows)),
        )

    def story_yaml(self, sender_id: str, name: str) -> str | None:
        """The latest session as a test story for `rasa test core`, or None.

        None if there is no such conversation or its latest session has no
        customer message. Steps the dialogue policies never saw (a message a
        fallback rewound, everything before a restart) are left out, and so
        are slots the domain says do not influence the conversation.
        """
        if not name.strip():
            raise ValueError("a story needs a name")
        if not self._has_table():
            return None
        with self._engine.connect() as connection:
            rows = connection.execute(self._latest_session_query(sender_id)).all()
        applied = _applied([json.loads(row.data) for row in rows])
        steps = list(_story_steps(applied, self._influencing_slots()))
        if not any("user" in step or "intent" in step for step in steps):
            return None
        return _story_document(name.strip(), steps)

    def _has_table(self) -> bool:
        """Whether the dialogue engine has created the table yet (remembered)."""
        if not self._table_exists:
            self._table_exists = inspect(self._engine).has_table(EVENTS_TABLE)
            if not self._table_exists:
                logger.debug("No %s table yet: no conversations", EVENTS_TABLE)
        return self._table_exists

    def _has_timestamp_index(self) -> bool:
        """Makes TIMESTAMP_INDEX once if it is missing; False if that failed
        (then every page groups the whole table, and it is not tried again)."""
        if self._indexed is None:
            try:
                # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
                with self._engine.connect() as connection:
                    autocommit = connection.execution_options(
                        isolation_level="AUTOCOMMIT"
                    )
                    self._timestamp_index.create(autocommit, checkfirst=True)
                self._indexed = True
            except SQLAlchemyError as error:
                self._indexed = False
                logger.warning(
                    "No index %s on %s (%s): listing groups every event",
                    TIMESTAMP_INDEX, EVENTS_TABLE, type(error).__name__,
                )  # fmt: skip
        return self._indexed

    def _newest_senders(self, connection: Connection, count: int) -> list[str]:
        """The `count` conversations whose last event is newest, and any that
        tie with the last of them (the database orders ties, in its collation),
        walking the events back from the newest, RECENT_BATCH at a time.

        A conversation is met first at its last event, so the walk stops once
        `count` are met and the events at the last one's time are all read.
        """
        events = self._events
        last_at: dict[str, float] = {}
        boundary: tuple[float, int] | None = None
        while True:
            query = (
                select(events.c.id, events.c.sender_id, events.c.timestamp)
                .where(events.c.timestamp.is_not(None))
                .order_by(events.c.timestamp.desc(), events.c.id.desc())
                .limit(RECENT_BATCH)
            )
            if boundary is not None:  # after the last row read: a range on the index
                at, below = boundary
                query = query.where(
                    events.c.timestamp <= at,
                    or_(events.c.timestamp < at, events.c.id < below),
                )
            rows = connection.execute(query).all()
            for row in rows:
                if len(last_at) >= count and row.timestamp < min(last_at.values()):
                    return list(last_at)
                last_at.setdefault(row.sender_id, row.timestamp)
            if len(rows) < RECENT_BATCH:
                return list(last_at)
            boundary = (rows[-1].timestamp, rows[-1].id)

    def _summary_query(
        self,
        intent: str | None,
        outcome: str | None,
        signed_in_only: bool,
        open_after: float,
        senders: Sequence[str] | None = None,
    ) -> Select[Any]:
        """Per-conversation figures, newest first; ties in sender id order.
        `senders` limits them to those conversations."""
        events = self._events
        is_user = events.c.type_name == "user"
        grouped = select(
            events.c.sender_id,
            func.min(events.c.timestamp).label("started_at"),
            func.max(events.c.timestamp).label("last_at"),
            func.sum(case((is_user, 1), else_=0)).label("turns"),
            func.max(case((self._handoff_event(), 1), else_=0)).label("handoff"),
            func.max(case((self._fallback_event(), 1), else_=0)).label("fallback"),
        ).group_by(events.c.sender_id)
        # A conversation without a single timestamp has no place in time.
        grouped = grouped.having(func.max(events.c.timestamp).is_not(None))
        if senders is not None:
            grouped = grouped.where(events.c.sender_id.in_(senders))
        if intent is not None:
            said = select(events.c.sender_id).where(
                is_user, events.c.intent_name == intent
            )
            grouped = grouped.where(events.c.sender_id.in_(said))
        if signed_in_only:
            grouped = grouped.where(events.c.sender_id.in_(self._signed_in_senders()))

        per_sender = grouped.subquery()
        query = select(per_sender)
        if outcome is not None:
            query = query.where(_outcome_is(per_sender.c, outcome, open_after))
        return query.order_by(per_sender.c.last_at.desc(), per_sender.c.sender_id)

    def _summaries(
        self, connection: Connection, rows: Sequence[Row[Any]], open_after: float
    ) -> list[ConversationSummary]:
        sender_ids = [row.sender_id for row in rows]
        intents = self._intents_seen(connection, sender_ids)
        customers = self._customers(connection, sender_ids)
        return [
            ConversationSummary(
                id=row.sender_id,
                customer_id=customers.get(row.sender_id),
                started_at=_at(row.started_at),
                last_at=_at(row.last_at),
                turns=int(row.turns),
                intents=tuple(intents[row.sender_id]),
                outcome=_outcome(
                    bool(row.handoff), bool(row.fallback), row.last_at, open_after
                ),
            )
            for row in rows
        ]

    def _intents_seen(
        self, connection: Connection, sender_ids: list[str]
    ) -> dict[str, list[str]]:
        events = self._events
        query = (
            select(events.c.sender_id, events.c.intent_name)
            .where(
                events.c.sender_id.in_(sender_ids),
                events.c.type_name == "user",
                events.c.intent_name.is_not(None),
            )
            .group_by(events.c.sender_id, events.c.intent_name)
            .order_by(func.min(events.c.id))
        )
        seen: dict[str, list[str]] = defaultdict(list)
        for sender_id, intent in connection.execute(query):
            seen[sender_id].append(intent)
        return seen

    def _customers(
        self, connection: Connection, sender_ids: list[str]
    ) -> dict[str, str]:
        """The customer of each conversation that has one, latest token first."""
        events = self._events
        query = (
            select(events.c.sender_id, events.c.timestamp, events.c.data)
            .where(events.c.sender_id.in_(sender_ids), self._carries_token())
            .order_by(events.c.sender_id, events.c.id.desc())
            .execution_options(yield_per=STREAM_ROWS)
        )
        customers: dict[str, str] = {}
        for row in connection.execute(query):
            if row.sender_id in customers:
                continue
            customer_id = self._customer_of([row])
            if customer_id is not None:
                customers[row.sender_id] = customer_id
        return customers

    def _customer_of(self, messages: Iterable[Row[Any]]) -> str | None:
        """The customer named by the first of `messages` whose token verifies.

        A token is checked as of the message's own time: it proved who was
        chatting then, even if it has expired since.
        """
        for message in messages:
            token = _token_in(message.data)
            if token is None:
                continue
            try:
                claims = verify_token(token, self._secret, now=_at(message.timestamp))
            except InvalidToken:
                continue
            return claims.customer_id
        return None

    def _latest_session_query(self, sender_id: str) -> Select[Any]:
        """The rows from the conversation's last session start on (or all)."""
        events = self._events
        last_start = (
            select(func.max(events.c.id))
            .where(
                events.c.sender_id == sender_id,
                events.c.type_name == "session_started",
            )
            .scalar_subquery()
        )
        return (
            select(events.c.data)
            .where(
                events.c.sender_id == sender_id,
                events.c.id >= func.coalesce(last_start, 0),
            )
            .order_by(events.c.id)
        )

    def _influencing_slots(self) -> frozenset[str]:
        """Slots whose value the policies see, read once from the domain.

        Rasa's default: a slot influences the conversation unless it says
        otherwise or is of type `any`; slots Rasa adds itself (requested_slot,
        session_started_metadata) do not.
        """
        if self._slots is None:
            domain = yaml.safe_load(self._domain_path.read_text()) or {}
            self._slots = frozenset(
                name
                for name, spec in (domain.get("slots") or {}).items()
                if (spec or {}).get(
                    "influence_conversation", (spec or {}).get("type") != "any"
                )
            )
        return self._slots

    def _handoff_event(self) -> ColumnElement[bool]:
        events = self._events
        return and_(
            events.c.type_name == "action", events.c.action_name.in_(HANDOFF_ACTIONS)
        )

    def _fallback_event(self) -> ColumnElement[bool]:
        events = self._events
        return or_(
            and_(events.c.type_name == "user", events.c.intent_name == FALLBACK_INTENT),
            and_(
                events.c.type_name == "action",
                events.c.action_name.in_(FALLBACK_ACTIONS),
            ),
        )

    def _carries_token(self) -> ColumnElement[bool]:
        """User events whose JSON has the token key: a cheap pre-filter only."""
        events = self._events
        return and_(
            events.c.type_name == "user",
            events.c.data.contains(f'"{TOKEN_METADATA_KEY}"', autoescape=True),
        )

    def _signed_in_senders(self) -> Select[Any]:
        return select(self._events.c.sender_id).where(self._carries_token())


def _events_table(metadata: MetaData) -> Table:
    """Rasa 3.6's `events` table, declared to be read, never created here."""
    return Table(
        EVENTS_TABLE,
        metadata,
        Column("id", Integer, primary_key=True),
        Column("sender_id", String(255), nullable=False),
        Column("type_name", String(255), nullable=False),
        Column("timestamp", Float),
        Column("intent_name", String(255)),
        Column("action_name", String(255)),
        Column("data", Text),
    )


def _token_in(data: str) -> str | None:
    """The customer token in a user event's metadata, if it carries one."""
    metadata = json.loads(data).get("metadata")
    if not isinstance(metadata, dict):
        return None
    token = metadata.get(TOKEN_METADATA_KEY)
    return token if isinstance(token, str) and token else None


def _outcome(handoff: bool, fallback: bool, last_at: float, open_after: float) -> str:
    """The one definition `_outcome_is` mirrors in SQL."""
    if handoff:
        return "handoff"
    if fallback:
        return "fallback"
    return "open" if last_at > open_after else "resolved"


def _outcome_is(figures: Any, outcome: str, open_after: float) -> ColumnElement[bool]:
    """`_outcome(...) == outcome` over the per-conversation figures, in SQL."""
    if outcome == "handoff":
        return figures.handoff == 1
    if outcome == "fallback":
        return and_(figures.handoff == 0, figures.fallback == 1)
    quiet = and_(figures.handoff == 0, figures.fallback == 0)
    if outcome == "open":
        return and_(quiet, figures.last_at > open_after)
    return and_(quiet, figures.last_at <= open_after)


def _is_handoff(row: Row[Any]) -> bool:
    return row.type_name == "action" and row.action_name in HANDOFF_ACTIONS


def _is_fallback(row: Row[Any]) -> bool:
    if row.type_name == "user":
        return row.intent_name == FALLBACK_INTENT
    return row.type_name == "action" and row.action_name in FALLBACK_ACTIONS


def _action_flag(action: str | None) -> str | None:
    if action in HANDOFF_ACTIONS:
        return "handoff"
    if action in FALLBACK_ACTIONS:
        return "fallback"
    return None


def _turns(rows: Iterable[Row[Any]]) -> list[Turn]:
    """Messages in order; the actions between them name and flag them."""
    turns: list[dict[str, Any]] = []
    customer: dict[str, Any] | None = None  # the turn the actions answer
    action: str | None = None
    for row in rows:
        if row.type_name == "user":
            customer = _customer_turn(row)
            turns.append(customer)
            action = None
        elif row.type_name == "action":
            action = row.action_name
            flag = _action_flag(action)
            if customer is not None and flag and flag not in customer["flags"]:
                customer["flags"] += (flag,)
        elif row.type_name == "bot":
            flag = _action_flag(action)
            turns.append(
                {
                    "at": _at(row.timestamp),
                    "speaker": "assistant",
                    "text": json.loads(row.data).get("text"),
                    "action": action,
                    "flags": (flag,) if flag else (),
                }
            )
    return [Turn(**turn) for turn in turns]


def _customer_turn(row: Row[Any]) -> dict[str, Any]:
    event = json.loads(row.data)
    intent = (event.get("parse_data") or {}).get("intent") or {}
    return {
        "at": _at(row.timestamp),
        "speaker": "customer",
        "text": event.get("text"),
        "intent": row.intent_name,
        "confidence": intent.get("confidence"),
        "flags": ("fallback",) if row.intent_name == FALLBACK_INTENT else (),
    }


def _applied(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events the dialogue policies saw, as Rasa's tracker replays them.

    A restart forgets everything before it; a rewind (a fallback that undoes
    the customer's message) drops that message and the listen before it; an
    undo drops the last action.
    """
    applied: list[dict[str, Any]] = []
    for event in events:
        kind = event.get("event")
        if kind in ("restart", "session_started"):
            applied.clear()
        elif kind == "rewind":
            _drop_back_to("user", applied)
            _drop_back_to("action", applied)
        elif kind == "undo":
            _drop_back_to("action", applied)
        else:
            applied.append(event)
    return applied


def _drop_back_to(kind: str, applied: list[dict[str, Any]]) -> None:
    """Remove events from the end up to and including the last one of `kind`."""
    while applied:
        if applied.pop().get("event") == kind:
            return


def _story_steps(
    events: Iterable[dict[str, Any]], slots: frozenset[str]
) -> Iterator[dict[str, Any]]:
    """Test story steps in the layout of tests/conversations/test_stories.yml."""
    for event in events:
        kind = event.get("event")
        if kind == "user":
            yield _user_step(event)
        elif kind == "action":
            name = event.get("name")
            if name and name not in NOT_STORY_ACTIONS:
                yield {"action": name}
        elif kind == "active_loop":
            yield {"active_loop": event.get("name")}
        elif kind == "slot" and event.get("name") in slots:
            yield {"slot_was_set": [{event["name"]: event.get("value")}]}


def _user_step(event: dict[str, Any]) -> dict[str, Any]:
    """The message with its entities marked inline, and its intent.

    Rasa reads the text back stripped, and takes `/intent{...}` payloads'
    entities from their JSON, so those are left unmarked.
    """
    parse_data = event.get("parse_data") or {}
    text = (event.get("text") or "").strip()
    step: dict[str, Any] = {}
    if text:
        marked = text if text.startswith("/") else _marked(text, parse_data)
        step["user"] = _Message(marked + "\n")
    intent = (parse_data.get("intent") or {}).get("name")
    if intent:
        step["intent"] = intent
    return step


def _marked(text: str, parse_data: dict[str, Any]) -> str:
    """`text` with entities written as `[text](entity)` or `[text]{...}`.

    Entities without a position, or overlapping an earlier one, stay unmarked.
    Square brackets the customer typed become parentheses (TYPED_BRACKETS),
    so that "[a](b)" cannot read back as an entity.
    """
    text = text.translate(TYPED_BRACKETS)
    by_start: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for entity in parse_data.get("entities") or []:
        if isinstance(entity.get("start"), int) and isinstance(entity.get("end"), int):
            by_start[entity["start"]].append(entity)

    parts, position = [], 0
    for start, entities in sorted(by_start.items()):
        end = entities[0]["end"]
        if start < position or any(entity["end"] != end for entity in entities):
            continue
        parts += [text[position:start], _annotation(text[start:end], entities)]
        position = end
    return "".join(parts) + text[position:]


def _annotation(span: str, entities: list[dict[str, Any]]) -> str:
    """One span's mark: short `(entity)` when nothing else needs saying."""
    described = [_entity_attributes(span, entity) for entity in entities]
    if len(described) > 1:
        return f"[{span}][{', '.join(json.dumps(item) for item in described)}]"
    if described[0].keys() == {"entity"}:
        return f"[{span}]({described[0]['entity']})"
    return f"[{span}]{json.dumps(described[0])}"


def _entity_attributes(span: str, entity: dict[str, Any]) -> dict[str, Any]:
    value = entity.get("value")
    attributes = {
        "entity": entity.get("entity"),
        "role": entity.get("role"),
        "group": entity.get("group"),
        "value": None if value == span else value,
    }
    return {key: value for key, value in attributes.items() if value is not None}


class _Message(str):
    """A customer's message: a literal block (`user: |`) where YAML allows one."""


class _StoryDumper(yaml.SafeDumper):
    """The repo's story layout: lists indented under their key, double quotes.

    PyYAML quotes whatever a plain scalar cannot hold, and writes a message
    that a literal block cannot hold (tabs, control characters, trailing
    spaces) as a double-quoted string instead.
    """

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)

    def choose_scalar_style(self) -> str:
        style = super().choose_scalar_style()
        return '"' if style == "'" else style


# YAML 1.1 line breaks a literal block would not give back as they were.
_UNFAITHFUL_IN_BLOCKS = frozenset("\x85\u2028\u2029")


def _represent_message(dumper: yaml.SafeDumper, text: _Message) -> yaml.ScalarNode:
    style = '"' if _UNFAITHFUL_IN_BLOCKS & set(text) else "|"
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(text), style=style)


_StoryDumper.add_representer(_Message, _represent_message)


def _story_document(name: str, steps: list[dict[str, Any]]) -> str:
    """A whole test-story file holding one story.

    Everything after the `stories:` line is the story's list item, indented
    as in the repo's files, so stories can be gathered under one header.
    """
    stories = yaml.dump(
        {"stories": [{"story": name, "steps": steps}]},
        Dumper=_StoryDumper,
        sort_keys=False,
        allow_unicode=True,
        width=float("inf"),
    )
    return f'version: "{TEST_STORIES_VERSION}"\n\n{stories}'


def _at(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


def _utc(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(UTC)
