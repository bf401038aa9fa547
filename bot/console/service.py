"""What the console does, apart from HTTP: each method is one console task.

The routes in bot.console.app call these in a worker thread and send back
what they return (plain JSON-ready values). Refusals are ConsoleError.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.console.auth import WeakPassword, hash_password
from bot.console.conversations import MAX_PAGE
from bot.console.export import (
    ExportError,
    export_changes,
    exported_tests,
    gate_stories,
    repo_test_names,
)
from bot.console.nlu import DomainNames, check_examples, read_intents
from bot.console.store import ConsoleError, ConsoleStore, Revision, User, quoted
from bot.console.training import TrainingBusy, edits_hash, validate_data
from bot.responses.catalog import check_variants
from bot.responses.nlg import ResponseService
from bot.responses.profile import PROFILE_FIELDS, demo_tracker
from bot.responses.render import Turn, render_variant
from bot.responses.templates import MissingValue, TemplateProblem, compile_template
from bot.training import fingerprint
from profiles.identity import issue_token

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parent.parent.parent

DEMO_CUSTOMERS = 50
PREVIEW_TOKEN_TTL = timedelta(minutes=5)
MAX_TEST_NAME = 200  # the column's size
NOT_CHECKED = object()  # a save that names no base revision is not checked


class ConsoleService:
    def __init__(
        self,
        store: ConsoleStore,
        responses: ResponseService,
        profiles: Any,  # profiles.store.ProfileStore
        secret: bytes,
        *,
        conversations: Any = None,
        training: Any = None,
        root: Path = REPO_ROOT,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.responses = responses
        self.profiles = profiles
        self._secret = secret
        self.reader = conversations
        self.training = training
        self.root = root
        self.now = now

    # Responses

    def demo_customers(self) -> dict[str, Any]:
        customers = self.profiles.demo_customers(limit=DEMO_CUSTOMERS)
        return {
            "customers": [
                {
                    "id": c.id,
                    "name": c.full_name,
                    "membership_level": c.membership_level,
                }
                for c in customers
            ]
        }

    def responses_list(self, query: str = "") -> list[dict[str, Any]]:
        merged, edited = self.responses.catalog.all()
        needle = query.strip().lower()
        found = []
        for name in sorted(merged):
            variants = merged[name]
            texts = " ".join(str(v.get("text", "")) for v in variants)
            if needle and needle not in name.lower() and needle not in texts.lower():
                continue
            revision = edited.get(name)
            found.append(
                {
                    "name": name,
                    "variants": variants,
                    "edited": revision is not None,
                    "updated_by": revision.author if revision else None,
                    "updated_at": revision.created_at.isoformat() if revision else None,
                }
            )
        return found

    def list_responses(self, query: str = "") -> dict[str, Any]:
        return {"responses": self.responses_list(query)}

    def response(self, name: str) -> dict[str, Any]:
        catalog = self.responses.catalog
        variants = catalog.variants(name)
        if variants is None:
            raise ConsoleError(
                "unknown_response", f"There is no response {quoted(name)}."
            )
        defaults = catalog.defaults(name) or []
        _, edited = catalog.all()
        return {
            "name": name,
            "variants": variants,
            "default_variants": defaults,
            "edited": name in edited,
            "placeholders": _placeholders(defaults),
            "profile_values": list(PROFILE_FIELDS),
            "history": [_history_entry(r) for r in self.store.response_history(name)],
            "undo_steps": self.store.response_undo_steps(name),
        }

    def save_response(
        self, name: str, variants: Any, user: User, base: Any = NOT_CHECKED
    ) -> dict[str, Any]:
        """Saves the variants; with `base` (the newest revision id the editor
        saw, None for none), refuses if someone saved the response since."""
        self._known_response(name)
        if base is not NOT_CHECKED:
            _check_base(name, base, self.store.response_history(name, 1))
        cleaned, problems = check_variants(variants)
        if problems:
            return {"problems": problems}
        self.store.save_response(name, cleaned, user.username)
        logger.info("Response %s edited by console user %d", name, user.id)
        return self.response(name)

    def undo_response(self, name: str, user: User) -> dict[str, Any]:
        self._known_response(name)
        self.store.undo_response(name, user.username)
        return self.response(name)

    def reset_response(self, name: str, user: User) -> dict[str, Any]:
        self._known_response(name)
        self.store.save_response(name, None, user.username, action="reset")
        return self.response(name)

    def preview(self, body: dict[str, Any]) -> dict[str, Any]:
        """Each variant rendered for a demo customer (or a guest), as the chat
        would render it now, without saving anything."""
        cleaned, problems = check_variants(body.get("variants"))
        customer_id = body.get("customer_id")
        token = None
        if isinstance(customer_id, str) and customer_id:
            demo = self.profiles.demo_customers(limit=DEMO_CUSTOMERS)
            if customer_id not in {customer.id for customer in demo}:
                raise ConsoleError(
                    "unknown_customer", "There is no such demo customer."
                )
            token = issue_token(
                customer_id, self._secret, ttl=PREVIEW_TOKEN_TTL, now=self.now()
            )
        tracker = demo_tracker(token)
        channel = body.get("channel") if isinstance(body.get("channel"), str) else None
        by_variant = {p["variant"]: p["message"] for p in problems}
        rendered = []
        for index, variant in enumerate(cleaned):
            rendered.append(
                self._preview_one(index, variant, tracker, channel, by_variant)
            )
        return {"rendered": rendered}

    def _preview_one(
        self,
        index: int,
        variant: dict,
        tracker: dict,
        channel: str | None,
        problems: dict,
    ) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "variant": index,
            "text": None,
            "buttons": [],
            "fell_back": False,
            "problem": problems.get(index),
        }
        if entry["problem"]:
            return entry
        turn = Turn(
            channel=channel,
            arguments=self._sample_values(variant, tracker),
            customer=lambda: self.responses.lookup(tracker),
        )
        try:
            message = render_variant(variant, turn)
        except MissingValue as missing:
            entry["fell_back"] = True
            entry["problem"] = (
                f"A value is missing for this customer ({missing}); another "
                "variant, or the default, is sent instead."
            )
            return entry
        except TemplateProblem as problem:
            entry["problem"] = str(problem)
            return entry
        entry["text"] = message.get("text")
        entry["buttons"] = message.get("buttons", [])
        return entry

    def _sample_values(self, variant: dict, tracker: dict) -> dict[str, Any]:
        """What the actions would pass, for the preview: the customer's own values
        where a placeholder names one (first name, level, last order's), else
        the placeholder's name in brackets."""
        names = _placeholders([variant])
        customer = self.responses.lookup(tracker) if names else None
        known: dict[str, Any] = {}
        if customer is not None:
            known = {"first_name": customer["first_name"],
                     "membership_level": customer["membership_level"]}  # fmt: skip
            order = customer.get("last_order")
            if order:
                known |= {"order_id": order["id"], "order_summary": order["summary"],
                          "order_status": order["status"],
                          "placed_date": order["placed_date"]}  # fmt: skip
        return {name: known.get(name, f"[{name}]") for name in names}

    def _known_response(self, name: str) -> None:
        if self.responses.catalog.variants(name) is None:
            raise ConsoleError(
                "unknown_response", f"There is no response {quoted(name)}."
            )

    # Intents

    def current_intents(self) -> dict[str, list[str]]:
        """Every intent's examples now: the repo's, with the console's edits."""
        examples = read_intents(self.root / "bot" / "data")
        for intent in self.domain_names().intents:
            examples.setdefault(intent, [])
        for name, revision in self.store.current_intents().items():
            if revision.payload is not None:
                examples[name] = list(revision.payload)
        return examples

    def intent_edits(self) -> dict[str, list[str]]:
        """The intents the console changed, with their full example lists."""
        return {
            name: list(revision.payload)
            for name, revision in self.store.current_intents().items()
            if revision.payload is not None
        }

    def domain_names(self) -> DomainNames:
        return DomainNames.from_file(self.root / "domain.yml")

    def intents(self) -> dict[str, Any]:
        revisions = self.store.current_intents()
        edited = self.intent_edits()
        undo_steps = self.store.undo_steps_by_intent()
        return {
            "intents": [
                {
                    "name": name,
                    "examples": examples,
                    "edited": name in edited,
                    "revision": revisions[name].id if name in revisions else None,
                    "undo_steps": undo_steps.get(name, 0),
                }
                for name, examples in sorted(self.current_intents().items())
            ]
        }

    def save_intent(
        self, name: str, examples: Any, user: User, base: Any = NOT_CHECKED
    ) -> dict[str, Any]:
        """Saves the example list; with `base` (the newest revision id the
        editor saw, None for none), refuses if someone changed the intent since."""
        current = self._known_intent(name)
        if base is not NOT_CHECKED:
            _check_base(name, base, self.store.intent_history(name, 1))
        if not isinstance(examples, list) or not all(
            isinstance(e, str) for e in examples
        ):
            raise ConsoleError("bad_examples", "Examples are a list of texts.")
        cleaned = [example.strip() for example in examples]
        problems = check_examples(name, cleaned, current, domain=self.domain_names())
        if problems:
            return {"problems": [problem.as_dict() for problem in problems]}
        self.store.save_intent(name, cleaned, user.username)
        logger.info("Intent %s edited by console user %d", name, user.id)
        return self._intent(name)

    def move_example(
        self, example: Any, source: Any, target: Any, user: User
    ) -> dict[str, Any]:
        if not all(isinstance(v, str) and v for v in (example, source, target)):
            raise ConsoleError("missing_field", "Send the example, from and to.")
        current = self._known_intent(source)
        self._known_intent(target)
        if source == target:
            raise ConsoleError("same_intent", "The example is already in that intent.")
        if example not in current[source]:
            raise ConsoleError(
                "unknown_example", f"{source} has no example {example!r}."
            )
        left = [e for e in current[source] if e != example]
        moved = [*current[target], example]
        others = {**current, source: left}
        problems = check_examples(target, moved, others, domain=self.domain_names())
        if problems:
            return {"problems": [problem.as_dict() for problem in problems]}
        self.store.move_example(example, source, target, (left, moved), user.username)
        return {"intents": [self._intent(source), self._intent(target)]}

    def undo_intent(self, name: str, user: User) -> dict[str, Any]:
        self._known_intent(name)
        self.store.undo_intent(name, user.username)
        return self._intent(name)

    def _intent(self, name: str) -> dict[str, Any]:
        history = self.store.intent_history(name)
        return {
            "name": name,
            "examples": self.current_intents().get(name, []),
            "edited": name in self.intent_edits(),
            "revision": history[0].id if history else None,
            "history": [_history_entry(r) for r in history],
            "undo_steps": self.store.intent_undo_steps(name),
        }

    def _known_intent(self, name: str) -> dict[str, list[str]]:
        current = self.current_intents()
        if name not in current:
            raise ConsoleError("unknown_intent", f"There is no intent {quoted(name)}.")
        return current

    # Validation and retraining

    def validate(self) -> dict[str, Any]:
        """`rasa data validate` on the repo's data with the console's edits."""
        ok, output = validate_data(self.training.settings, self.intent_edits())
        return {"ok": ok, "output": output}

    def start_training(self, user: User) -> dict[str, Any]:
        """A retrain of the repo's data with the intent edits, gated by the
        conversation tests: the repo's and those made here not yet exported."""
        edits = self.intent_edits()
        made = self.store.conversation_tests()
        try:
            made_tests, made_names = gate_stories(self.root, made)
        except ExportError as error:
            if error.name not in {name for name, _ in made}:
                raise ConsoleError("bad_repo_tests", str(error)) from None
            raise ConsoleError(
                "bad_test",
                f"{error} Delete that test on the Training tab, then retrain.",
            ) from None
        basis = {
            "repo_fingerprint": fingerprint(self.root),
            "edits_hash": edits_hash(edits),
            "made_tests": made_names,
        }
        run_id = self.store.add_training_run(user.username, basis)
        try:
            run = self.training.start(
                edits, user.username, run_id=run_id, extra_tests=made_tests
            )
        except TrainingBusy as busy:
            self.store.update_training_run(
                run_id, "failed", "validate", {"message": str(busy)}, finished=True
            )
            raise ConsoleError(
                "training_running", "A retrain is already running."
            ) from None
        logger.info("Retrain %s started by console user %d", run_id, user.id)
        return run.as_dict()

    def training_runs(self) -> dict[str, Any]:
        return {"runs": [self._live(run) for run in self.store.training_runs()]}

    def training_run(self, run_id: int) -> dict[str, Any]:
        run = self.store.training_run(run_id)
        if run is None:
            raise ConsoleError("no_run", f"There is no retrain {run_id}.")
        return self._live(run)

    def _live(self, run: dict[str, Any]) -> dict[str, Any]:
        """A run as saved, or as the retrainer sees it now if it is the current one."""
        current = self.training.current() if self.training else None
        if current is not None and str(current.id) == str(run["id"]):
            return current.as_dict()
        return run

    def save_training_run(self, run: Any) -> None:
        """The retrainer's on_change: each change of a run goes to the database."""
        details = run.as_dict()
        self.store.update_training_run(
            int(run.id), run.status, run.stage, details, finished=run.finished
        )

    # Export

    def export(self, user: User) -> dict[str, Any]:
        """Every console change written into the repo's own YAML files."""
        responses = {
            name: revision.payload
            for name, revision in self.store.current_responses().items()
            if revision.payload is not None
        }
        try:
            result = export_changes(
                self.root,
                responses=responses,
                intents=self.intent_edits(),
                tests=self.store.conversation_tests(),
            )
        except ExportError as error:
            raise ConsoleError("export_failed", str(error)) from None
        logger.info(
            "Export by console user %d: %s",
            user.id,
            ", ".join(result.written) or "nothing",
        )
        return result.as_dict()

    # Conversations and the tests made from them

    def conversations(
        self, customer: str | None, intent: str | None, outcome: str | None, limit: Any
    ) -> dict[str, Any]:
        try:
            count = int(limit)
        except ValueError:
            raise ConsoleError(
                "bad_filter", f"limit is a whole number from 1 to {MAX_PAGE}."
            ) from None
        try:
            found = self.reader.conversations(
                customer=customer, intent=intent, outcome=outcome, limit=count
            )
        except ValueError as error:
            raise ConsoleError("bad_filter", str(error)) from None
        names = self._customer_names(s.customer_id for s in found)
        return {"conversations": [s.as_json(names.get(s.customer_id)) for s in found]}

    def conversation(self, sender_id: str) -> dict[str, Any]:
        found = self.reader.conversation(sender_id)
        if found is None:
            raise ConsoleError("unknown_conversation", "There is no such conversation.")
        return found.as_json(
            self._customer_names([found.customer_id]).get(found.customer_id)
        )

    def make_test(self, sender_id: str, name: Any, user: User) -> dict[str, Any]:
        """The latest session of a conversation as a conversation test, saved for
        the retrains and the export (tests/conversations/console_stories.yml)."""
        if name is None:
            name = f"console {self.now():%Y-%m-%d %H%M%S} {sender_id[:12]}"
        name = self._new_test_name(name)
        story = self.reader.story_yaml(sender_id, name)
        if story is None:
            raise ConsoleError(
                "unknown_conversation",
                "That conversation has no customer turn to test.",
            )
        self.store.add_conversation_test(name, story, user.username)
        logger.info("Conversation test made by console user %d", user.id)
        return {"name": name, "yaml": story}

    def _new_test_name(self, name: Any) -> str:
        """`name` stripped, if it can name a new test: one plain line of 1 to
        MAX_TEST_NAME characters that no story of tests/conversations has."""
        if not isinstance(name, str) or not 0 < len(name.strip()) <= MAX_TEST_NAME:
            raise ConsoleError(
                "bad_name", f"A test's name is 1 to {MAX_TEST_NAME} characters."
            )
        if any(unicodedata.category(c)[0] == "C" for c in name):
            raise ConsoleError(
                "bad_name",
                "A test's name is one line, without control or formatting characters.",
            )
        name = name.strip()
        try:
            taken = name in repo_test_names(self.root)
        except ExportError as error:
            raise ConsoleError("bad_repo_tests", str(error)) from None
        if taken:
            raise ConsoleError(
                "test_exists",
                f"tests/conversations already has a story named {quoted(name)}.",
            )
        return name

    def made_tests(self) -> dict[str, Any]:
        """The tests made here, newest first; `exported` when
        console_stories.yml holds one of that name."""
        try:
            exported = exported_tests(self.root)
        except ExportError as error:
            raise ConsoleError("bad_repo_tests", str(error)) from None
        return {
            "tests": [
                {
                    "name": test.name,
                    "author": test.author,
                    "at": test.created_at.isoformat(),
                    "yaml": test.story,
                    "exported": test.name in exported,
                }
                for test in reversed(self.store.made_tests())
            ]
        }

    def delete_test(self, name: str, user: User) -> dict[str, Any]:
        """Forgets a made test: it leaves the next retrain's tests and export.
        An exported copy stays in the repo, to be removed there."""
        self.store.delete_conversation_test(name)
        logger.info("Conversation test deleted by console user %d", user.id)
        return self.made_tests()

    def _customer_names(self, ids: Any) -> dict[str, dict[str, str]]:
        names = {}
        for customer_id in {i for i in ids if i}:
            customer = self.profiles.customer(customer_id)
            if customer is not None:
                names[customer_id] = {"id": customer.id, "name": customer.full_name}
        return names

    # Users

    def users(self) -> dict[str, Any]:
        return {
            "users": [
                {
                    "username": a.user.username,
                    "role": a.user.role,
                    "is_admin": a.user.is_admin,
                    "disabled": a.disabled,
                    "created_at": a.created_at.isoformat(),
                    "last_login_at": a.last_login_at and a.last_login_at.isoformat(),
                }
                for a in self.store.accounts()
            ]
        }

    def disable_user(self, username: str, by: User) -> dict[str, Any]:
        """No more sign-ins for that user, and their sessions end. An
        administrator cannot disable themselves, nor the last active admin."""
        if username.strip().lower() == by.username:  # as the store looks names up
            raise ConsoleError(
                "own_account", "You cannot disable yourself; ask another admin."
            )
        user_id = self.store.disable_user(username, keep_an_admin=True)
        logger.info("Console user %d disabled by user %d", user_id, by.id)
        return self.users()

    def enable_user(self, username: str, by: User) -> dict[str, Any]:
        user_id = self.store.enable_user(username)
        logger.info("Console user %d enabled by user %d", user_id, by.id)
        return self.users()

    def set_password(
        self, username: str, body: dict[str, Any], by: User
    ) -> dict[str, Any]:
        """A new password for the user; their sessions end (yours too, if it is
        your own)."""
        password = body.get("password")
        if not isinstance(password, str):
            raise ConsoleError("missing_field", "Send the new password.")
        user_id = self.store.set_password(username, _hashed(password))
        logger.info("Console user %d given a new password by user %d", user_id, by.id)
        return self.users()

    def add_user(self, body: dict[str, Any], by: User) -> dict[str, Any]:
        username, password, role = (
            body.get("username"),
            body.get("password"),
            body.get("role"),
        )
        if not all(isinstance(v, str) for v in (username, password, role)):
            raise ConsoleError(
                "missing_field", "Send a username, a password and a role."
            )
        is_admin = body.get("is_admin", False)
        if not isinstance(is_admin, bool):
            raise ConsoleError("bad_field", "is_admin is true or false.")
        if is_admin and role != "developer":
            raise ConsoleError("bad_role", "An administrator is a developer.")
        user = self.store.add_user(username, _hashed(password), role, is_admin=is_admin)
        logger.info("Console user %d added by user %d", user.id, by.id)
        return {"username": user.username, "role": user.role, "is_admin": user.is_admin}


def _hashed(password: str) -> str:
    """The password's hash, or a weak_password refusal saying why."""
    try:
        return hash_password(password)
    except WeakPassword as weak:
        raise ConsoleError("weak_password", str(weak)) from None


def _check_base(name: str, base: Any, newest: Sequence[Revision]) -> None:
    """Refuses a save whose base revision (the newest the editor saw, None for
    none) is not the newest there is: someone else saved in between."""
    if base is not None and (not isinstance(base, int) or isinstance(base, bool)):
        raise ConsoleError("bad_field", "base_revision is a revision id or null.")
    if base != (newest[0].id if newest else None):
        raise ConsoleError(
            "edit_conflict",
            f"{name} was changed by {newest[0].author if newest else 'someone'}"
            " since you opened it; open it again to see that change.",
        )


def _placeholders(variants: Sequence[dict[str, Any]]) -> list[str]:
    names: set[str] = set()
    for variant in variants:
        for source in [variant.get("text")] + [
            b.get("payload")
            for b in variant.get("buttons") or []
            if isinstance(b, dict)
        ]:
            if isinstance(source, str):
                try:
                    names |= compile_template(source).placeholders
                except TemplateProblem:
                    continue
    return sorted(names)


def _history_entry(revision: Revision) -> dict[str, Any]:
    return {
        "id": revision.id,
        "author": revision.author,
        "at": revision.created_at.isoformat(),
        "action": revision.action,
        "variants": revision.payload,
    }
