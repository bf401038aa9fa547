"""The console's HTTP API: sign-in, sessions, roles, CSRF, and the response
tasks (list, edit, preview, history, undo, reset)."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from bot.console.app import COOKIE, console_routes
from bot.console.auth import hash_password
from bot.console.conversations import ConversationReader
from bot.console.service import ConsoleService
from bot.console.store import ConsoleError
from bot.console.training import TrainingBusy, TrainingRun
from tests.conftest import SECRET
from tests.console.test_conversations import DATA as RECORDED
from tests.console.test_conversations import HANDOFF, store_rows

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a long enough password"
BASE = "http://testserver"


class FakeRetrainer:
    """Stands in for bot.console.training.Retrainer: records what it was given."""

    def __init__(self) -> None:
        self.started: list[tuple[dict, str, int]] = []
        self.extra_tests: list[str | None] = []
        self.busy = False

    def start(self, edits, started_by, *, run_id=None, extra_tests=None):
        if self.busy:
            raise TrainingBusy(run_id)
        self.started.append((dict(edits), started_by, run_id))
        self.extra_tests.append(extra_tests)
        self.busy = True
        return TrainingRun(
            id=run_id, status="running", stage="validate", progress=0.0,
            started_by=started_by, started_at=datetime.now(UTC),
        )  # fmt: skip

    def current(self):
        return None


@pytest.fixture
def repo(tmp_path) -> Path:
    """A copy of the files the console reads and exports to."""
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "bot" / "data", root / "bot" / "data")
    shutil.copytree(ROOT / "tests" / "conversations", root / "tests" / "conversations")
    shutil.copy(ROOT / "domain.yml", root / "domain.yml")
    shutil.copy(ROOT / "config.yml", root / "config.yml")
    return root


@pytest.fixture
def retrainer() -> FakeRetrainer:
    return FakeRetrainer()


@pytest.fixture
def service(
    console_store, response_service, seeded_profiles, repo, retrainer
) -> ConsoleService:
    hashed = hash_password(PASSWORD)
    console_store.add_user("lee", hashed, "lead")
    console_store.add_user("dev", hashed, "developer")
    console_store.add_user("ada", hashed, "developer", is_admin=True)
    recorded = json.loads(RECORDED.read_text())
    store_rows(seeded_profiles.engine, recorded["rows"])
    reader = ConversationReader(
        seeded_profiles.engine, recorded["token_secret"].encode()
    )
    service = ConsoleService(
        console_store, response_service, seeded_profiles, SECRET,
        conversations=reader, root=repo,
    )  # fmt: skip
    service.training = retrainer
    return service


@pytest.fixture
def app(service) -> Starlette:
    return Starlette(routes=console_routes(service))


def signed_in(app: Starlette, username: str) -> TestClient:
    """A client signed in as `username`, sending its CSRF token and origin."""
    client = TestClient(app, base_url=BASE)
    answer = client.post(
        "/console/api/login",
        json={"username": username, "password": PASSWORD},
        headers={"Origin": BASE},
    )
    assert answer.status_code == 200, answer.text
    client.headers.update({"X-CSRF-Token": answer.json()["csrf_token"], "Origin": BASE})
    return client


@pytest.fixture
def lead(app) -> TestClient:
    return signed_in(app, "lee")


@pytest.fixture
def developer(app) -> TestClient:
    return signed_in(app, "dev")


# Every route needs a session

API_ROUTES = [
    ("GET", "/console/api/me"),
    ("GET", "/console/api/customers"),
    ("GET", "/console/api/responses"),
    ("GET", "/console/api/responses/utter_goodbye"),
    ("PUT", "/console/api/responses/utter_goodbye"),
    ("POST", "/console/api/responses/utter_goodbye/undo"),
    ("POST", "/console/api/responses/utter_goodbye/reset"),
    ("POST", "/console/api/preview"),
    ("GET", "/console/api/intents"),
    ("PUT", "/console/api/intents/greet"),
    ("POST", "/console/api/intents/move"),
    ("POST", "/console/api/intents/greet/undo"),
    ("POST", "/console/api/validate"),
    ("POST", "/console/api/train"),
    ("GET", "/console/api/train"),
    ("GET", "/console/api/train/1"),
    ("GET", "/console/api/conversations"),
    ("GET", "/console/api/conversations/abc"),
    ("POST", "/console/api/conversations/abc/test"),
    ("GET", "/console/api/tests"),
    ("DELETE", "/console/api/tests/a test"),
    ("POST", "/console/api/export"),
    ("GET", "/console/api/users"),
    ("POST", "/console/api/users"),
    ("POST", "/console/api/users/lee/disable"),
    ("POST", "/console/api/users/lee/enable"),
    ("PUT", "/console/api/users/lee/password"),
    ("POST", "/console/api/logout"),
]
DEVELOPER_ONLY = [
    ("POST", "/console/api/validate"),
    ("POST", "/console/api/train"),
    ("POST", "/console/api/conversations/abc/test"),
    ("DELETE", "/console/api/tests/a test"),
    ("POST", "/console/api/export"),
]
ADMIN_ONLY = [
    ("GET", "/console/api/users"),
    ("POST", "/console/api/users"),
    ("POST", "/console/api/users/lee/disable"),
    ("POST", "/console/api/users/lee/enable"),
    ("PUT", "/console/api/users/lee/password"),
]


def test_the_console_routes_are_all_listed_here(app) -> None:
    served = {
        (method, route.path)
        for route in app.routes
        for method in route.methods - {"HEAD"}
        if route.path.startswith("/console/api/") and route.path != "/console/api/login"
    }
    listed = {(m, p.replace("/1", "/{run_id:int}").replace("/abc", "/{sender_id}")
               .replace("/utter_goodbye", "/{name}").replace("/greet", "/{name}")
               .replace("/a test", "/{name:path}").replace("/lee/", "/{username}/"))
              for m, p in API_ROUTES}  # fmt: skip

    assert served == listed


@pytest.mark.parametrize(("method", "path"), API_ROUTES)
def test_every_route_needs_a_login(app, method: str, path: str) -> None:
    client = TestClient(app, base_url=BASE)

    answer = client.request(method, path, json={}, headers={"Origin": BASE})

    assert answer.status_code == 401
    assert answer.json()["error"] == "login_required"


@pytest.mark.parametrize(("method", "path"), API_ROUTES)
def test_a_forged_or_expired_cookie_is_no_login(app, method: str, path: str) -> None:
    client = TestClient(app, base_url=BASE, cookies={COOKIE: "made-up"})

    assert client.request(method, path, json={}).status_code == 401


@pytest.mark.parametrize(("method", "path"), DEVELOPER_ONLY + ADMIN_ONLY)
def test_a_lead_cannot_do_what_only_a_developer_or_admin_may(
    lead, method: str, path: str
) -> None:
    answer = lead.request(method, path, json={})

    assert answer.status_code == 403
    assert answer.json()["error"] == "forbidden"


@pytest.mark.parametrize(("method", "path"), ADMIN_ONLY)
def test_a_developer_who_is_no_admin_cannot_manage_users(
    developer, method: str, path: str
) -> None:
    assert developer.request(method, path, json={}).status_code == 403


def test_the_page_itself_is_served_to_show_the_login(app) -> None:
    answer = TestClient(app).get("/console")

    assert answer.status_code == 200
    assert "text/html" in answer.headers["content-type"]


# Sign-in


def test_a_wrong_password_is_refused_and_sets_no_cookie(app) -> None:
    client = TestClient(app, base_url=BASE)

    answer = client.post(
        "/console/api/login", json={"username": "lee", "password": "wrong one!!!!"}
    )

    assert answer.status_code == 401
    assert COOKIE not in answer.cookies


def test_an_unknown_user_gets_the_same_answer(app) -> None:
    client = TestClient(app, base_url=BASE)

    answer = client.post(
        "/console/api/login", json={"username": "nobody", "password": PASSWORD}
    )

    assert answer.status_code == 401
    assert answer.json()["error"] == "bad_login"


def test_the_session_cookie_is_httponly_strict_and_scoped(app) -> None:
    client = TestClient(app, base_url=BASE)

    answer = client.post(
        "/console/api/login", json={"username": "lee", "password": PASSWORD}
    )

    cookie = answer.headers["set-cookie"].lower()
    assert (
        "httponly" in cookie
        and "samesite=strict" in cookie
        and "path=/console" in cookie
    )
    assert "secure" not in cookie  # plain http here


def test_over_https_the_cookie_is_secure(app) -> None:
    client = TestClient(app, base_url="https://testserver")

    answer = client.post(
        "/console/api/login", json={"username": "lee", "password": PASSWORD}
    )

    assert "secure" in answer.headers["set-cookie"].lower()


def test_repeated_failures_lock_the_username_for_a_while(app) -> None:
    client = TestClient(app, base_url=BASE)
    wrong = {"username": "lee", "password": "not the password"}

    statuses = [
        client.post("/console/api/login", json=wrong).status_code for _ in range(6)
    ]
    right = client.post(
        "/console/api/login", json={"username": "lee", "password": PASSWORD}
    )

    assert statuses == [401] * 5 + [429]
    assert right.status_code == 429


def test_sign_in_from_another_site_is_refused(app) -> None:
    client = TestClient(app, base_url=BASE)

    answer = client.post(
        "/console/api/login",
        json={"username": "lee", "password": PASSWORD},
        headers={"Origin": "https://evil.example"},
    )

    assert answer.status_code == 403


def test_the_password_hash_is_never_the_password(service, console_store) -> None:
    _, stored = console_store.password_hash("lee")

    assert PASSWORD not in stored and stored.startswith("scrypt$")


def test_logout_ends_the_session_for_good(lead) -> None:
    cookie = lead.cookies[COOKIE]
    assert lead.post("/console/api/logout").status_code == 204

    lead.cookies.set(COOKIE, cookie)
    assert lead.get("/console/api/me").status_code == 401


def test_me_says_who_and_which_role(lead) -> None:
    me = lead.get("/console/api/me").json()

    assert me["username"] == "lee" and me["role"] == "lead" and not me["is_admin"]


# CSRF


def test_a_change_without_the_csrf_token_is_refused(lead) -> None:
    del lead.headers["X-CSRF-Token"]

    answer = lead.put(
        "/console/api/responses/utter_goodbye", json={"variants": [{"text": "x"}]}
    )

    assert answer.status_code == 403 and answer.json()["error"] == "csrf"


def test_a_wrong_csrf_token_is_refused(lead) -> None:
    lead.headers["X-CSRF-Token"] = "guess"

    assert lead.post("/console/api/responses/utter_goodbye/reset").status_code == 403


def test_a_change_from_another_origin_is_refused(lead) -> None:
    lead.headers["Origin"] = "https://evil.example"

    assert lead.post("/console/api/responses/utter_goodbye/reset").status_code == 403


def test_reading_needs_no_csrf_token(lead) -> None:
    del lead.headers["X-CSRF-Token"]

    assert lead.get("/console/api/responses").status_code == 200


# Responses


def test_responses_are_listed_and_searched(lead) -> None:
    everything = lead.get("/console/api/responses").json()["responses"]
    found = lead.get("/console/api/responses", params={"q": "welcome back"}).json()

    assert len(everything) > 50
    assert [r["name"] for r in found["responses"]] == ["utter_greet_customer"]


def test_an_edit_is_saved_with_its_author_and_shown_as_edited(lead) -> None:
    variants = [{"text": "Bye {{ customer.first_name }}!"}, {"text": "Bye!"}]

    saved = lead.put(
        "/console/api/responses/utter_goodbye", json={"variants": variants}
    )

    assert saved.status_code == 200
    body = saved.json()
    assert body["variants"] == variants and body["edited"]
    assert (
        body["history"][0]["author"] == "lee" and body["history"][0]["action"] == "edit"
    )
    listed = lead.get("/console/api/responses", params={"q": "utter_goodbye"}).json()
    assert listed["responses"][0]["updated_by"] == "lee"


def test_undo_restores_the_version_before_and_reset_the_default(lead) -> None:
    path = "/console/api/responses/utter_goodbye"
    default = lead.get(path).json()["variants"]
    lead.put(path, json={"variants": [{"text": "First"}]})
    lead.put(path, json={"variants": [{"text": "Second"}]})

    undone = lead.post(f"{path}/undo").json()
    reset = lead.post(f"{path}/reset").json()

    assert undone["variants"] == [{"text": "First"}]
    assert reset["variants"] == default and not reset["edited"]
    assert [h["action"] for h in reset["history"]] == ["reset", "undo", "edit", "edit"]


def test_undo_with_nothing_to_undo_is_a_conflict(lead) -> None:
    assert lead.post("/console/api/responses/utter_goodbye/undo").status_code == 409


@pytest.mark.parametrize(
    "variants",
    [
        pytest.param([], id="none"),
        pytest.param([{"text": ""}], id="empty-text"),
        pytest.param([{"text": "{{ ''.__class__ }}"}], id="unsafe"),
        pytest.param([{"text": "{% for x in y %}{% endfor %}"}], id="loop"),
        pytest.param([{"text": "Hi {{ customer.first_name"}], id="syntax"),
        pytest.param(
            [{"text": "ok", "buttons": [{"title": "no payload"}]}], id="button"
        ),
        pytest.param([{"text": "ok", "colour": "red"}], id="unknown-key"),
        pytest.param("text", id="not-a-list"),
    ],
)
def test_a_bad_edit_is_refused_with_its_problems_and_nothing_saved(
    lead, variants
) -> None:
    path = "/console/api/responses/utter_goodbye"

    answer = lead.put(path, json={"variants": variants})

    assert answer.status_code == 422
    assert answer.json()["problems"]
    assert lead.get(path).json()["history"] == []


def test_an_unknown_response_is_404(lead) -> None:
    assert lead.get("/console/api/responses/utter_nope").status_code == 404
    put = lead.put(
        "/console/api/responses/utter_nope", json={"variants": [{"text": "x"}]}
    )
    assert put.status_code == 404


def test_a_malformed_body_is_400(lead) -> None:
    answer = lead.put(
        "/console/api/responses/utter_goodbye",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )

    assert answer.status_code == 400


def test_the_preview_renders_for_the_chosen_customer_and_for_a_guest(lead) -> None:
    variants = [
        {"text": "Hi {{ customer.first_name }}, {{ customer.membership_level }}!"}
    ]

    crystal = lead.post(
        "/console/api/preview",
        json={"name": "utter_goodbye", "variants": variants, "customer_id": "cminh730"},
    ).json()["rendered"][0]
    guest = lead.post(
        "/console/api/preview",
        json={"name": "utter_goodbye", "variants": variants, "customer_id": None},
    ).json()["rendered"][0]

    assert crystal["text"] == "Hi Crystal, bronze!" and not crystal["fell_back"]
    assert guest["text"] is None and guest["fell_back"] and guest["problem"]


def test_the_preview_names_a_template_problem(lead) -> None:
    answer = lead.post(
        "/console/api/preview",
        json={"name": "utter_goodbye", "variants": [{"text": "{{ x.__class__ }}"}]},
    ).json()

    assert "cannot be looked up" in answer["rendered"][0]["problem"]


def test_the_demo_customers_are_listed_for_the_preview(lead) -> None:
    customers = lead.get("/console/api/customers").json()["customers"]

    assert {
        "id": "cminh730",
        "name": "Crystal Minh",
        "membership_level": "bronze",
    } in customers


def test_the_response_names_the_placeholders_its_actions_pass(lead) -> None:
    answer = lead.get("/console/api/responses/utter_greet_customer").json()

    assert answer["placeholders"] == ["first_name"]


# Users


def test_an_admin_adds_a_lead_who_can_then_sign_in(app) -> None:
    admin = signed_in(app, "ada")

    added = admin.post(
        "/console/api/users",
        json={"username": "Newbie", "password": PASSWORD, "role": "lead"},
    )

    assert added.status_code == 200 and added.json()["username"] == "newbie"
    assert signed_in(app, "newbie").get("/console/api/me").json()["role"] == "lead"


def test_the_users_are_listed_disabled_ones_too(app) -> None:
    admin = signed_in(app, "ada")
    admin.post("/console/api/users/lee/disable")

    users = {u["username"]: u for u in admin.get("/console/api/users").json()["users"]}

    assert sorted(users) == ["ada", "dev", "lee"]
    assert users["lee"]["disabled"] is True and users["dev"]["disabled"] is False
    assert users["ada"]["is_admin"] is True and users["ada"]["last_login_at"]
    assert users["dev"]["last_login_at"] is None
    assert {key for user in users.values() for key in user} == {
        "username", "role", "is_admin", "disabled", "created_at", "last_login_at",
    }  # fmt: skip


def test_a_disabled_user_is_signed_out_and_cannot_sign_in_until_enabled(app) -> None:
    admin, lead = signed_in(app, "ada"), signed_in(app, "lee")

    assert admin.post("/console/api/users/lee/disable").status_code == 200

    assert lead.get("/console/api/me").status_code == 401
    refused = TestClient(app, base_url=BASE).post(
        "/console/api/login",
        json={"username": "lee", "password": PASSWORD},
        headers={"Origin": BASE},
    )
    assert refused.status_code == 401
    assert admin.post("/console/api/users/lee/enable").status_code == 200
    assert signed_in(app, "lee").get("/console/api/me").status_code == 200


def test_an_admin_cannot_disable_themselves_but_another_admin_can(app, service) -> None:
    admin = signed_in(app, "ada")

    own = admin.post("/console/api/users/ada/disable")

    assert (own.status_code, own.json()["error"]) == (409, "own_account")
    service.store.add_user("bea", hash_password(PASSWORD), "developer", is_admin=True)
    other = signed_in(app, "bea")
    assert other.post("/console/api/users/ada/disable").status_code == 200
    assert admin.get("/console/api/me").status_code == 401
    assert other.post("/console/api/users/nobody/disable").status_code == 404


def test_the_last_active_admin_is_never_disabled_from_the_console(service) -> None:
    store = service.store
    store.add_user("bea", hash_password(PASSWORD), "developer", is_admin=True)
    store.disable_user("bea", keep_an_admin=True)  # ada is still an admin

    with pytest.raises(ConsoleError) as refused:
        store.disable_user("ada", keep_an_admin=True)

    assert refused.value.code == "last_admin"
    assert store.password_hash("ada") is not None
    store.disable_user("ada")  # the command line may: create-admin recovers


def test_an_admin_sets_a_password_and_the_old_one_no_longer_works(app) -> None:
    admin, lead = signed_in(app, "ada"), signed_in(app, "lee")
    new = "another long enough password"

    weak = admin.put("/console/api/users/lee/password", json={"password": "short"})
    answer = admin.put("/console/api/users/lee/password", json={"password": new})

    assert weak.status_code == 422
    assert answer.status_code == 200
    assert lead.get("/console/api/me").status_code == 401
    login = {"username": "lee", "password": PASSWORD}
    fresh = TestClient(app, base_url=BASE)
    old = fresh.post("/console/api/login", json=login, headers={"Origin": BASE})
    assert old.status_code == 401
    login["password"] = new
    ok = fresh.post("/console/api/login", json=login, headers={"Origin": BASE})
    assert ok.status_code == 200


def test_a_weak_password_is_refused(app) -> None:
    admin = signed_in(app, "ada")

    answer = admin.post(
        "/console/api/users",
        json={"username": "x1x", "password": "short", "role": "lead"},
    )

    assert answer.status_code == 422


# Conversations


def test_conversations_are_listed_and_filtered_by_outcome(lead) -> None:
    everything = lead.get("/console/api/conversations").json()["conversations"]
    handoffs = lead.get("/console/api/conversations", params={"outcome": "handoff"})

    assert len(everything) == 6
    assert [c["id"] for c in handoffs.json()["conversations"]] == [HANDOFF]


def test_a_bad_filter_is_refused(lead) -> None:
    answer = lead.get("/console/api/conversations", params={"outcome": "happy"})

    assert answer.status_code == 422


def test_a_conversation_shows_its_handoff_turn(lead) -> None:
    turns = lead.get(f"/console/api/conversations/{HANDOFF}").json()["turns"]

    assert any("handoff" in turn["flags"] for turn in turns)
    assert lead.get("/console/api/conversations/nobody").status_code == 404


def test_a_developer_turns_a_conversation_into_a_saved_test(
    developer, console_store
) -> None:
    answer = developer.post(
        f"/console/api/conversations/{HANDOFF}/test", json={"name": "handoff asked"}
    )

    assert answer.status_code == 200
    assert "story: handoff asked" in answer.json()["yaml"]
    assert [name for name, _ in console_store.conversation_tests()] == ["handoff asked"]
    again = developer.post(
        f"/console/api/conversations/{HANDOFF}/test", json={"name": "handoff asked"}
    )
    assert again.status_code == 409


def test_the_made_tests_are_listed_newest_first_and_one_is_deleted(
    developer, console_store, repo
) -> None:
    for name in ("first/one", "second"):
        developer.post(
            f"/console/api/conversations/{HANDOFF}/test", json={"name": name}
        )

    listed = developer.get("/console/api/tests").json()["tests"]
    left = developer.delete("/console/api/tests/first%2Fone")

    assert [(t["name"], t["author"], t["exported"]) for t in listed] == [
        ("second", "dev", False), ("first/one", "dev", False),
    ]  # fmt: skip
    assert "story: second" in listed[0]["yaml"]
    assert left.status_code == 200
    assert [t["name"] for t in left.json()["tests"]] == ["second"]
    assert console_store.conversation_tests()[0][0] == "second"
    assert developer.delete("/console/api/tests/first%2Fone").status_code == 404


def test_an_exported_test_is_marked_so(developer) -> None:
    developer.post(f"/console/api/conversations/{HANDOFF}/test", json={"name": "kept"})

    developer.post("/console/api/export")

    assert developer.get("/console/api/tests").json()["tests"][0]["exported"] is True


def test_a_lead_sees_the_made_tests_but_cannot_delete_one(developer, lead) -> None:
    developer.post(f"/console/api/conversations/{HANDOFF}/test", json={"name": "kept"})

    assert [t["name"] for t in lead.get("/console/api/tests").json()["tests"]] == [
        "kept"
    ]
    assert lead.delete("/console/api/tests/kept").status_code == 403
    assert developer.delete("/console/api/tests/kept").status_code == 200


def test_a_retrain_also_runs_the_made_tests_not_yet_exported(
    developer, retrainer
) -> None:
    developer.post(f"/console/api/conversations/{HANDOFF}/test", json={"name": "mine"})

    run = developer.post("/console/api/train").json()["run"]

    stories = retrainer.extra_tests[0]
    assert stories.startswith('version: "3.1"')
    assert "  - story: mine\n" in stories
    assert "intent: " in stories
    assert developer.get(f"/console/api/train/{run['id']}").status_code == 200


def test_an_exported_test_is_not_run_twice_and_no_tests_means_none(
    developer, retrainer
) -> None:
    developer.post("/console/api/train")
    retrainer.busy = False
    developer.post(f"/console/api/conversations/{HANDOFF}/test", json={"name": "mine"})
    developer.post("/console/api/export")

    developer.post("/console/api/train")

    assert retrainer.extra_tests == [None, None]


def test_a_made_test_that_is_no_story_stops_the_retrain_and_says_which(
    developer, console_store, retrainer
) -> None:
    console_store.add_conversation_test("broken", "steps: [1, 2]\n", "dev")

    answer = developer.post("/console/api/train")

    assert answer.status_code == 422
    assert answer.json()["error"] == "bad_test"
    assert "broken" in answer.json()["message"]
    assert "on the Training tab" in answer.json()["message"]
    assert retrainer.started == []


def test_a_name_a_hand_written_story_has_is_refused_for_a_made_test(developer) -> None:
    answer = developer.post(
        f"/console/api/conversations/{HANDOFF}/test",
        json={"name": "greeting, thanks and goodbye"},
    )

    assert (answer.status_code, answer.json()["error"]) == (409, "test_exists")
    assert developer.get("/console/api/tests").json()["tests"] == []


def test_a_broken_repo_test_file_is_named_not_blamed_on_a_made_test(
    developer, repo, retrainer
) -> None:
    developer.post(f"/console/api/conversations/{HANDOFF}/test", json={"name": "mine"})
    stories = repo / "tests" / "conversations" / "console_stories.yml"
    stories.write_text("stories: [unclosed\n")

    listed = developer.get("/console/api/tests")
    retrain = developer.post("/console/api/train")

    for answer in (listed, retrain):
        assert (answer.status_code, answer.json()["error"]) == (422, "bad_repo_tests")
        assert "console_stories.yml" in answer.json()["message"]
    assert retrainer.started == []


def test_undo_steps_count_what_an_undo_can_still_take_back(lead) -> None:
    path = "/console/api/responses/utter_goodbye"
    assert lead.get(path).json()["undo_steps"] == 0
    lead.put(path, json={"variants": [{"text": "A"}]})
    lead.put(path, json={"variants": [{"text": "B"}]})
    assert lead.get(path).json()["undo_steps"] == 2

    lead.post(f"{path}/undo")
    lead.post(f"{path}/undo")

    assert lead.get(path).json()["undo_steps"] == 0
    assert len(lead.get(path).json()["history"]) == 4


def test_intents_say_how_many_changes_an_undo_can_take_back(lead) -> None:
    examples = intent(lead, "greet")["examples"]
    saved = lead.put(
        "/console/api/intents/greet",
        json={"examples": [*examples, "top of the morning"]},
    )
    assert saved.json()["undo_steps"] == 1
    assert intent(lead, "greet")["undo_steps"] == 1
    assert intent(lead, "goodbye")["undo_steps"] == 0

    undone = lead.post("/console/api/intents/greet/undo").json()

    assert undone["undo_steps"] == 0
    assert intent(lead, "greet")["undo_steps"] == 0


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("line one\nline two", id="newline"),
        pytest.param("bell\x07", id="control"),
        pytest.param("right\u202eleft", id="bidi"),
    ],
)
def test_a_test_name_is_one_plain_line(developer, name) -> None:
    answer = developer.post(
        f"/console/api/conversations/{HANDOFF}/test", json={"name": name}
    )

    assert (answer.status_code, answer.json()["error"]) == (422, "bad_name")


def test_a_bad_limit_is_refused_in_plain_words(lead) -> None:
    answer = lead.get("/console/api/conversations", params={"limit": "abc"})

    assert answer.status_code == 422
    assert answer.json()["message"] == "limit is a whole number from 1 to 200."


@pytest.mark.parametrize("base", ["abc", 1.5, True, [1]])
def test_a_base_revision_that_is_no_id_is_refused_not_a_conflict(lead, base) -> None:
    answer = lead.put(
        "/console/api/responses/utter_goodbye",
        json={"variants": [{"text": "Bye"}], "base_revision": base},
    )

    assert (answer.status_code, answer.json()["error"]) == (422, "bad_field")


def test_a_long_unknown_name_is_not_repeated_whole(app) -> None:
    admin = signed_in(app, "ada")

    answer = admin.post(f"/console/api/users/{'x' * 3000}/enable")

    assert answer.status_code == 404
    assert len(answer.json()["message"]) < 100


# Intents


def intent(client: TestClient, name: str) -> dict:
    listed = client.get("/console/api/intents").json()["intents"]
    return next(i for i in listed if i["name"] == name)


def test_intents_are_listed_with_their_examples(lead) -> None:
    greet = intent(lead, "greet")

    assert "hello" in greet["examples"] and not greet["edited"]


def test_an_example_is_added_saved_and_undone(lead) -> None:
    examples = [*intent(lead, "greet")["examples"], "howdy partner"]

    saved = lead.put("/console/api/intents/greet", json={"examples": examples})
    after_save = intent(lead, "greet")
    undone = lead.post("/console/api/intents/greet/undo")

    assert saved.status_code == 200 and saved.json()["edited"]
    assert after_save["examples"][-1] == "howdy partner" and after_save["edited"]
    assert "howdy partner" not in undone.json()["examples"]
    assert [h["action"] for h in undone.json()["history"]] == ["undo", "edit"]


def test_an_example_of_another_intent_is_refused(lead) -> None:
    examples = [*intent(lead, "greet")["examples"], "bye"]

    answer = lead.put("/console/api/intents/greet", json={"examples": examples})

    assert answer.status_code == 422
    assert "goodbye" in answer.json()["problems"][0]["message"]


def test_an_example_moves_between_intents_in_one_step(lead) -> None:
    moved = lead.post(
        "/console/api/intents/move",
        json={"example": "hiya", "from": "greet", "to": "thanks"},
    )

    assert moved.status_code == 200
    assert "hiya" not in intent(lead, "greet")["examples"]
    assert "hiya" in intent(lead, "thanks")["examples"]


def test_an_unknown_intent_is_404(lead) -> None:
    assert (
        lead.put("/console/api/intents/nope", json={"examples": ["x"]}).status_code
        == 404
    )


# Retraining and export


def test_a_retrain_gets_the_edits_and_is_saved_as_a_run(developer, retrainer) -> None:
    examples = [*intent(developer, "greet")["examples"], "howdy partner"]
    developer.put("/console/api/intents/greet", json={"examples": examples})

    started = developer.post("/console/api/train")
    second = developer.post("/console/api/train")

    assert started.status_code == 202
    run_id = started.json()["run"]["id"]
    assert retrainer.started[0][0]["greet"][-1] == "howdy partner"
    assert retrainer.started[0][1:] == ("dev", run_id)
    assert second.status_code == 409
    assert developer.get(f"/console/api/train/{run_id}").json()["status"] == "running"


def test_a_saved_run_follows_the_retrainers_changes(service, console_store) -> None:
    run_id = console_store.add_training_run("dev", {})
    run = TrainingRun(
        id=run_id, status="rejected", stage="test", progress=0.9, started_by="dev",
        started_at=datetime.now(UTC), finished_at=datetime.now(UTC),
        message="A conversation test failed.",
    )  # fmt: skip

    service.save_training_run(run)

    saved = service.training_run(run_id)
    assert (saved["status"], saved["stage"], saved["message"]) == (
        "rejected", "test", "A conversation test failed.",
    )  # fmt: skip
    assert saved["finished_at"] is not None


def test_export_writes_the_changes_into_the_repo_files(developer, repo) -> None:
    developer.put(
        "/console/api/responses/utter_goodbye",
        json={"variants": [{"text": "Cheerio!"}]},
    )
    examples = [*intent(developer, "greet")["examples"], "howdy partner"]
    developer.put("/console/api/intents/greet", json={"examples": examples})
    developer.post(
        f"/console/api/conversations/{HANDOFF}/test", json={"name": "from the console"}
    )

    answer = developer.post("/console/api/export")

    assert answer.status_code == 200
    assert sorted(answer.json()["written"]) == [
        "bot/data/nlu.yml", "domain.yml", "tests/conversations/console_stories.yml",
    ]  # fmt: skip
    assert "Cheerio!" in (repo / "domain.yml").read_text()
    assert "    - howdy partner\n" in (repo / "bot" / "data" / "nlu.yml").read_text()
    stories = (repo / "tests" / "conversations" / "console_stories.yml").read_text()
    assert "story: from the console" in stories


def test_each_undo_steps_one_version_further_back(lead) -> None:
    path = "/console/api/responses/utter_goodbye"
    default = lead.get(path).json()["variants"]
    for text in ("A", "B", "C"):
        lead.put(path, json={"variants": [{"text": text}]})

    steps = [lead.post(f"{path}/undo").json()["variants"] for _ in range(3)]

    assert steps == [[{"text": "B"}], [{"text": "A"}], default]
    assert lead.post(f"{path}/undo").status_code == 409


def test_the_preview_fills_the_actions_values_from_the_customer(lead) -> None:
    variants = [{"text": "Hi {first_name}, about {order_id} and {ticket_id}."}]

    rendered = lead.post(
        "/console/api/preview",
        json={"name": "utter_greet_customer", "variants": variants,
              "customer_id": "cminh730"},
    ).json()["rendered"][0]  # fmt: skip

    assert rendered["text"].startswith("Hi Crystal, about ")
    assert rendered["text"].endswith(" and [ticket_id].")
    assert "[order_id]" not in rendered["text"]


def test_undoing_a_move_takes_the_example_back_from_both_intents(lead) -> None:
    lead.post(
        "/console/api/intents/move",
        json={"example": "hiya", "from": "greet", "to": "thanks"},
    )

    undone = lead.post("/console/api/intents/greet/undo")

    assert undone.status_code == 200
    assert "hiya" in intent(lead, "greet")["examples"]
    assert "hiya" not in intent(lead, "thanks")["examples"]


def test_a_move_whose_other_intent_changed_since_cannot_be_half_undone(lead) -> None:
    lead.post(
        "/console/api/intents/move",
        json={"example": "hiya", "from": "greet", "to": "thanks"},
    )
    thanks = [*intent(lead, "thanks")["examples"], "cheers, you legend"]
    lead.put("/console/api/intents/thanks", json={"examples": thanks})

    refused = lead.post("/console/api/intents/greet/undo")

    assert refused.status_code == 409
    assert "thanks changed after the move" in refused.json()["message"]
    assert "hiya" not in intent(lead, "greet")["examples"]


def test_the_preview_is_for_demo_customers_only(lead, seeded_profiles) -> None:
    demo = {c.id for c in seeded_profiles.demo_customers(limit=50)}
    with seeded_profiles.session() as session:
        from profiles.models import Customer

        others = session.scalars(select(Customer.id)).all()
    outsider = next(c for c in others if c not in demo)

    answer = lead.post(
        "/console/api/preview",
        json={"name": "utter_goodbye", "variants": [{"text": "x"}],
              "customer_id": outsider},
    )  # fmt: skip

    assert answer.status_code == 404


def test_a_configured_public_origin_may_sign_in_and_change(service) -> None:
    public = "https://support.example.com"
    app = Starlette(routes=console_routes(service, origins=(public,)))
    client = TestClient(app, base_url=BASE)

    login = client.post(
        "/console/api/login",
        json={"username": "lee", "password": PASSWORD},
        headers={"Origin": public},
    )
    csrf = {"Origin": public, "X-CSRF-Token": login.json()["csrf_token"]}
    reset = client.post("/console/api/responses/utter_goodbye/reset", headers=csrf)

    assert login.status_code == 200 and reset.status_code == 200


def test_conversation_ids_are_masked_in_the_access_log() -> None:
    from bot.web.middleware import logged_path

    assert logged_path("/console/api/conversations/ana@x.com/test") == (
        "/console/api/conversations/{id}/test"
    )


@pytest.mark.parametrize(
    ("text", "says"),
    [
        pytest.param(
            "Hi {{ customer.frist_name }}", "no customer.frist_name", id="typo"
        ),
        pytest.param("Hi {{ custmer.first_name }}", "no value custmer", id="name"),
        pytest.param("Hi \u202eenoyreve", "text-direction", id="bidi-override"),
        pytest.param("Hi\x00", "control", id="nul"),
    ],
)
def test_a_template_naming_what_does_not_exist_is_refused(lead, text, says) -> None:
    answer = lead.put(
        "/console/api/responses/utter_goodbye", json={"variants": [{"text": text}]}
    )

    assert answer.status_code == 422
    assert says in answer.json()["problems"][0]["message"]


def test_a_save_over_someone_elses_newer_change_is_refused(app) -> None:
    path = "/console/api/responses/utter_goodbye"
    first, second = signed_in(app, "lee"), signed_in(app, "dev")
    opened = first.get(path).json()
    second.put(path, json={"variants": [{"text": "Theirs"}], "base_revision": None})

    mine = first.put(
        path,
        json={"variants": [{"text": "Mine"}], "base_revision": opened["history"][0]["id"]
              if opened["history"] else None},
    )  # fmt: skip

    assert mine.status_code == 409 and "changed by dev" in mine.json()["message"]
    assert first.get(path).json()["variants"] == [{"text": "Theirs"}]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"role": "lead", "is_admin": "false"}, id="string-flag"),
        pytest.param({"role": "lead", "is_admin": True}, id="lead-admin"),
    ],
)
def test_admin_rights_are_given_only_plainly_and_to_developers(app, body) -> None:
    admin = signed_in(app, "ada")

    answer = admin.post(
        "/console/api/users", json={"username": "someone", "password": PASSWORD, **body}
    )

    assert answer.status_code == 422


def test_an_intent_save_over_someone_elses_newer_change_is_refused(app) -> None:
    first, second = signed_in(app, "lee"), signed_in(app, "dev")
    opened = intent(first, "greet")
    theirs = [*opened["examples"], "good evening to you"]
    second.put(
        "/console/api/intents/greet",
        json={"examples": theirs, "base_revision": opened["revision"]},
    )

    mine = first.put(
        "/console/api/intents/greet",
        json={"examples": [*opened["examples"], "hey you"],
              "base_revision": opened["revision"]},
    )  # fmt: skip

    assert opened["revision"] is None
    assert mine.status_code == 409 and "changed by dev" in mine.json()["message"]
    assert intent(first, "greet")["examples"] == theirs
