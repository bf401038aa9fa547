"""The console's rows: users, sessions, response and intent revisions, training
runs and conversation tests, in the profile store's database.

Edits are kept as revisions. The newest revision of a response (or intent) is
what the assistant uses; a revision whose payload is None means "the repo's
own", which is what a reset writes. Undo writes the revision before the newest
one again, so undo is itself in the history.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from profiles.models import (
    CONSOLE_ROLES,
    ConsoleSession,
    ConsoleUser,
    ConversationTest,
    IntentRevision,
    ResponseRevision,
    TrainingRun,
)

Clock = Callable[[], datetime]
SESSION_TTL = timedelta(hours=8)
USERNAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-")


class ConsoleError(ValueError):
    """A request the console refuses; `code` is a short machine-readable name."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: str
    is_admin: bool

    @property
    def is_developer(self) -> bool:
        return self.role == "developer"


@dataclass(frozen=True)
class Account:
    """A user as the Users page lists them, disabled ones included."""

    user: User
    created_at: datetime
    last_login_at: datetime | None
    disabled: bool


@dataclass(frozen=True)
class SignedIn:
    """A live session: who, and the CSRF token its forms must send back."""

    user: User
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True)
class Revision:
    id: int
    name: str
    payload: Any  # variants (responses) or examples (intents); None = the repo's
    action: str
    author: str
    created_at: datetime


@dataclass(frozen=True)
class MadeTest:
    """A conversation test made from a conversation in the console."""

    name: str
    story: str  # the story's YAML
    author: str
    created_at: datetime


def quoted(name: str, limit: int = 60) -> str:
    """A name as an error message repeats it: quoted, and cut if it is long."""
    return repr(name if len(name) <= limit else name[: limit - 1] + "…")


def _utc_now() -> datetime:
    return datetime.now(UTC)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_username(username: str) -> str:
    """The username in lower case, or ConsoleError if it cannot be one."""
    name = username.strip().lower()
    if not 3 <= len(name) <= 64 or not set(name) <= USERNAME_CHARS:
        raise ConsoleError(
            "bad_username",
            "A username is 3 to 64 letters, digits, dots, dashes or underscores.",
        )
    return name


class ConsoleStore:
    """One unit of work per method, on the engine it is given."""

    def __init__(self, engine: Engine, *, clock: Clock = _utc_now) -> None:
        # Views are built inside the unit of work; nothing is read after commit.
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._clock = clock
        # Undo reads the history and writes a step back: one at a time in this
        # process, so two clicks cannot both step back from the same version.
        self._writing = threading.Lock()

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    # Users

    def add_user(
        self, username: str, password_hash: str, role: str, *, is_admin: bool = False
    ) -> User:
        if role not in CONSOLE_ROLES:
            raise ConsoleError(
                "bad_role", f"The role is one of {', '.join(CONSOLE_ROLES)}."
            )
        name = check_username(username)
        row = ConsoleUser(
            username=name,
            password_hash=password_hash,
            role=role,
            is_admin=is_admin,
            created_at=self._clock(),
        )
        try:
            with self._session() as session:
                session.add(row)
                session.flush()
                return _user(row)
        except IntegrityError:
            raise ConsoleError(
                "user_exists",
                f"There is already a user {name}; if disabled, enable them instead.",
            ) from None

    def accounts(self) -> list[Account]:
        """Every user, disabled ones too, by username."""
        with self._session() as session:
            rows = session.scalars(select(ConsoleUser).order_by(ConsoleUser.username))
            return [_account(row) for row in rows]

    def password_hash(self, username: str) -> tuple[User, str] | None:
        """The active user of that name and their stored hash, if there is one."""
        with self._session() as session:
            row = _user_named(session, username)
            if row is None or row.disabled_at is not None:
                return None
            return _user(row), row.password_hash

    def set_password(self, username: str, password_hash: str) -> int:
        """A new password; every session of the user ends. Returns their id."""
        with self._session() as session:
            row = _existing_user(session, username)
            row.password_hash = password_hash
            _end_sessions(session, row)
            return row.id

    def enable_user(self, username: str) -> int:
        """Sign-ins again, with the password the user had. Returns their id."""
        with self._session() as session:
            row = _existing_user(session, username)
            row.disabled_at = None
            return row.id

    def disable_user(self, username: str, *, keep_an_admin: bool = False) -> int:
        """No more sign-ins; every session of the user ends. Returns their id.
        With `keep_an_admin`, refused for the last active administrator (checked
        in the same transaction; two at once on PostgreSQL could still pass)."""
        with self._writing, self._session() as session:
            row = _existing_user(session, username)
            if keep_an_admin and row.is_admin:
                others = session.scalar(
                    select(func.count()).where(
                        ConsoleUser.is_admin.is_(True),
                        ConsoleUser.disabled_at.is_(None),
                        ConsoleUser.id != row.id,
                    )
                )
                if not others:
                    raise ConsoleError(
                        "last_admin", "That is the last active administrator."
                    )
            row.disabled_at = self._clock()
            _end_sessions(session, row)
            return row.id

    # Sessions

    def open_session(
        self, user: User, ttl: timedelta = SESSION_TTL
    ) -> tuple[str, SignedIn]:
        """A new session for `user`: the cookie's token (kept only hashed) and it."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = self._clock()
        with self._session() as session:
            session.execute(
                delete(ConsoleSession).where(ConsoleSession.expires_at < now)
            )
            session.add(
                ConsoleSession(
                    token_hash=token_hash(token),
                    user_id=user.id,
                    csrf_token=csrf,
                    created_at=now,
                    expires_at=now + ttl,
                )
            )
            row = session.get(ConsoleUser, user.id)
            row.last_login_at = now
        return token, SignedIn(user, csrf, now + ttl)

    def session_of(self, token: str) -> SignedIn | None:
        """The live session of a cookie's token; None if unknown or expired."""
        if not token or len(token) > 200:
            return None
        with self._session() as session:
            found = session.execute(
                select(ConsoleSession, ConsoleUser)
                .join(ConsoleUser, ConsoleUser.id == ConsoleSession.user_id)
                .where(ConsoleSession.token_hash == token_hash(token))
            ).first()
            if found is None:
                return None
            row, user = found
            if row.expires_at <= self._clock() or user.disabled_at is not None:
                return None
            return SignedIn(_user(user), row.csrf_token, row.expires_at)

    def close_session(self, token: str) -> None:
        with self._session() as session:
            session.execute(
                delete(ConsoleSession).where(
                    ConsoleSession.token_hash == token_hash(token)
                )
            )

    # Revisions of responses and intents

    def save_response(
        self, name: str, variants: list | None, author: str, action: str = "edit"
    ) -> Revision:
        return self._save(ResponseRevision, name, variants, author, action)

    def response_history(self, name: str, limit: int = 50) -> list[Revision]:
        return self._history(ResponseRevision, name, limit)

    def current_responses(self) -> dict[str, Revision]:
        """The newest revision of every response ever edited, by name."""
        return self._current(ResponseRevision)

    def responses_version(self) -> tuple[int, int]:
        """(count, newest id) of the response revisions: changes whenever a
        response does, also when PostgreSQL commits a lower id after a higher."""
        with self._session() as session:
            count, newest = session.execute(
                select(func.count(), func.max(ResponseRevision.id))
            ).one()
            return count, newest or 0

    def undo_response(self, name: str, author: str) -> Revision:
        return self._undo(ResponseRevision, name, author)

    def response_undo_steps(self, name: str) -> int:
        """How many changes to the response an undo can still take back."""
        return self._undo_steps(ResponseRevision, name)

    def save_intent(
        self, name: str, examples: list[str] | None, author: str, action: str = "edit"
    ) -> Revision:
        return self._save(IntentRevision, name, examples, author, action)

    def intent_history(self, name: str, limit: int = 50) -> list[Revision]:
        return self._history(IntentRevision, name, limit)

    def current_intents(self) -> dict[str, Revision]:
        return self._current(IntentRevision)

    def undo_intent(self, name: str, author: str) -> Revision:
        return self._undo(IntentRevision, name, author)

    def intent_undo_steps(self, name: str) -> int:
        return self._undo_steps(IntentRevision, name)

    def undo_steps_by_intent(self) -> dict[str, int]:
        """Intent -> how many of its changes an undo can still take back."""
        by_intent: dict[str, list[Any]] = defaultdict(list)
        with self._session() as session:
            for row in session.scalars(
                select(IntentRevision).order_by(IntentRevision.id)
            ):
                by_intent[row.intent].append(row)
        return {name: len(_undo_stack(rows)) for name, rows in by_intent.items()}

    def move_example(
        self,
        example: str,
        source: str,
        target: str,
        lists: tuple[list[str], list[str]],
        author: str,
    ) -> None:
        """Both intents' new lists in one unit of work, so a move is never half
        done; they share a batch, so an undo takes back both."""
        batch = secrets.token_hex(8)
        with self._writing, self._session() as session:
            now = self._clock()
            for name, examples in ((source, lists[0]), (target, lists[1])):
                session.add(
                    IntentRevision(
                        intent=name,
                        examples=examples,
                        action="move",
                        author=author,
                        created_at=now,
                        batch=batch,
                    )
                )

    def _save(
        self, table: Any, name: str, payload: Any, author: str, action: str
    ) -> Revision:
        key = _key(table)
        row = table(
            **{key: name, _payload(table): payload},
            action=action,
            author=author,
            created_at=self._clock(),
        )
        with self._session() as session:
            session.add(row)
            session.flush()
            return _revision(table, row)

    def _history(self, table: Any, name: str, limit: int) -> list[Revision]:
        key = getattr(table, _key(table))
        with self._session() as session:
            rows = session.scalars(
                select(table).where(key == name).order_by(table.id.desc()).limit(limit)
            )
            return [_revision(table, row) for row in rows]

    def _current(self, table: Any) -> dict[str, Revision]:
        key = getattr(table, _key(table))
        newest = select(func.max(table.id)).group_by(key).scalar_subquery()
        with self._session() as session:
            rows = session.scalars(select(table).where(table.id.in_(newest)))
            return {
                revision.name: revision
                for revision in (_revision(table, r) for r in rows)
            }

    def _undo(self, table: Any, name: str, author: str) -> Revision:
        """Steps back one change: each undo goes one version further back, to
        the repo's own when no change is left to undo. Undoing one intent of a
        move undoes the other too, unless it has changed since (refused)."""
        with self._writing, self._session() as session:
            stack = self._stack(session, table, name)
            if not stack:
                raise ConsoleError("nothing_to_undo", f"{name} has no change to undo.")
            names = [name] + self._partners(session, table, name, stack[-1])
            now = self._clock()
            for each in names:
                rows = stack if each == name else self._stack(session, table, each)
                previous = getattr(rows[-2], _payload(table)) if len(rows) > 1 else None
                row = table(**{_key(table): each, _payload(table): previous},
                            action="undo", author=author, created_at=now)  # fmt: skip
                session.add(row)
                if each == name:
                    undone = row
            session.flush()
            return _revision(table, undone)

    def _stack(self, session: Session, table: Any, name: str) -> list[Any]:
        """The changes to `name` an undo can still step back through, oldest
        first (_undo_stack)."""
        key = getattr(table, _key(table))
        rows = session.scalars(select(table).where(key == name).order_by(table.id))
        return _undo_stack(rows)

    def _undo_steps(self, table: Any, name: str) -> int:
        with self._session() as session:
            return len(self._stack(session, table, name))

    def _partners(self, session: Session, table: Any, name: str, top: Any) -> list[str]:
        """The other intents of the move `top` belongs to, if it is one."""
        batch = getattr(top, "batch", None)
        if batch is None:
            return []
        others = session.scalars(
            select(table).where(table.batch == batch, table.intent != name)
        ).all()
        for other in others:
            latest = self._stack(session, table, other.intent)
            if not latest or latest[-1].id != other.id:
                raise ConsoleError(
                    "undo_conflict",
                    f"{other.intent} changed after the move; undo there first.",
                )
        return [other.intent for other in others]

    # Training runs

    def add_training_run(self, started_by: str, details: dict[str, Any]) -> int:
        with self._session() as session:
            row = TrainingRun(
                started_by=started_by,
                started_at=self._clock(),
                status="running",
                stage="validate",
                details=details,
            )
            session.add(row)
            session.flush()
            return row.id

    def update_training_run(
        self,
        run_id: int,
        status: str,
        stage: str,
        details: dict[str, Any],
        finished: bool,
    ) -> None:
        with self._session() as session:
            row = session.get(TrainingRun, run_id)
            if row is None:
                return
            row.status, row.stage = status, stage
            row.details = {**(row.details or {}), **details}
            if finished:
                row.finished_at = self._clock()

    def close_stale_runs(self) -> int:
        """Runs left "running" by a web server that stopped: marked failed."""
        with self._session() as session:
            rows = session.scalars(
                select(TrainingRun).where(TrainingRun.status == "running")
            )
            count = 0
            for row in rows:
                row.status, row.finished_at, count = "failed", self._clock(), count + 1
                row.details = {
                    **(row.details or {}),
                    "status": "failed",
                    "message": "The console stopped while this retrain ran.",
                }
            return count

    def training_runs(self, limit: int = 20) -> list[dict[str, Any]]:
        with self._session() as session:
            rows = session.scalars(
                select(TrainingRun).order_by(TrainingRun.id.desc()).limit(limit)
            )
            return [_run(row) for row in rows]

    def last_deployed_run(self) -> dict[str, Any] | None:
        with self._session() as session:
            row = session.scalar(
                select(TrainingRun)
                .where(TrainingRun.status == "deployed")
                .order_by(TrainingRun.id.desc())
                .limit(1)
            )
            return None if row is None else _run(row)

    def training_run(self, run_id: int) -> dict[str, Any] | None:
        with self._session() as session:
            row = session.get(TrainingRun, run_id)
            return None if row is None else _run(row)

    # Conversation tests

    def add_conversation_test(self, name: str, story: str, author: str) -> None:
        try:
            with self._session() as session:
                session.add(
                    ConversationTest(
                        name=name, story=story, author=author, created_at=self._clock()
                    )
                )
        except IntegrityError:
            raise ConsoleError(
                "test_exists", f"There is already a test named {name!r}."
            ) from None

    def conversation_tests(self) -> list[tuple[str, str]]:
        """(name, story YAML) of every test made in the console, oldest first."""
        return [(test.name, test.story) for test in self.made_tests()]

    def made_tests(self) -> list[MadeTest]:
        """Every test made in the console, oldest first."""
        with self._session() as session:
            rows = session.scalars(
                select(ConversationTest).order_by(ConversationTest.id)
            )
            return [
                MadeTest(row.name, row.story, row.author, row.created_at)
                for row in rows
            ]

    def delete_conversation_test(self, name: str) -> None:
        with self._session() as session:
            gone = session.execute(
                delete(ConversationTest).where(ConversationTest.name == name)
            )
            if gone.rowcount == 0:
                raise ConsoleError(
                    "unknown_test", f"There is no test named {quoted(name)}."
                )


def _user_named(session: Session, username: str) -> ConsoleUser | None:
    name = username.strip().lower()
    return session.scalar(select(ConsoleUser).where(ConsoleUser.username == name))


def _existing_user(session: Session, username: str) -> ConsoleUser:
    row = _user_named(session, username)
    if row is None:
        raise ConsoleError("no_user", f"There is no user {quoted(username)}.")
    return row


def _end_sessions(session: Session, user: ConsoleUser) -> None:
    session.execute(delete(ConsoleSession).where(ConsoleSession.user_id == user.id))


def _undo_stack(rows: Iterable[Any]) -> list[Any]:
    """One name's revisions, oldest first, as the stack an undo steps back
    through: every change pushes its row, every undo pops one."""
    stack: list[Any] = []
    for row in rows:
        if row.action == "undo":
            stack = stack[:-1]
        else:
            stack.append(row)
    return stack


def _key(table: Any) -> str:
    return "response" if table is ResponseRevision else "intent"


def _payload(table: Any) -> str:
    return "variants" if table is ResponseRevision else "examples"


def _revision(table: Any, row: Any) -> Revision:
    return Revision(
        row.id,
        getattr(row, _key(table)),
        getattr(row, _payload(table)),
        row.action,
        row.author,
        row.created_at,
    )


def _user(row: ConsoleUser) -> User:
    return User(row.id, row.username, row.role, bool(row.is_admin))


def _account(row: ConsoleUser) -> Account:
    disabled = row.disabled_at is not None
    return Account(_user(row), row.created_at, row.last_login_at, disabled)


def _run(row: TrainingRun) -> dict[str, Any]:
    return {
        **(row.details or {}),
        "id": row.id,
        "status": row.status,
        "stage": row.stage,
        "started_by": row.started_by,
        "started_at": row.started_at.isoformat(),
        "finished_at": row.finished_at.isoformat() if row.finished_at else None,
    }
