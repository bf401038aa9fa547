"""The page server's routes, against a fake profile store and token issuer."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from web_fakes import SECRET, FakeIssuer, FakeStore

from bot.web.app import STATIC_DIR, create_app
from bot.web.settings import WebSettings

REQUIRED_IDS = [
    "signin-select",
    "signin-button",
    "guest-button",
    "signout-button",
    "message-input",
    "send-button",
    "transcript",
]


def test_health(client: TestClient) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_page_is_html_with_the_elements_the_browser_test_finds(
    client: TestClient,
) -> None:
    response = client.get("/")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "Northwind Threads" in response.text
    for element_id in REQUIRED_IDS:
        assert f'id="{element_id}"' in response.text, element_id
    assert 'aria-live="polite"' in response.text
    assert 'for="message-input"' in response.text


def test_page_sends_security_headers(client: TestClient) -> None:
    headers = client.get("/").headers

    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"


def test_every_asset_the_page_and_its_modules_name_is_served(
    client: TestClient,
) -> None:
    page = client.get("/").text
    assets = set(re.findall(r'(?:src|href)="(/(?:static|vendor)/[^"]+)"', page))
    assert "/static/js/main.js" in assets and "/vendor/socket.io.min.js" in assets

    for module in (STATIC_DIR / "js").glob("*.js"):
        for name in re.findall(r'from "\./([\w.-]+)"', module.read_text()):
            assets.add(f"/static/js/{name}")

    for asset in sorted(assets):
        response = client.get(asset)
        assert response.status_code == 200, asset
        assert response.content, asset


def test_static_files_have_their_types(client: TestClient) -> None:
    css = client.get("/static/css/chat.css")
    js = client.get("/static/js/main.js")

    assert css.headers["content-type"].startswith("text/css")
    assert "javascript" in js.headers["content-type"]


def test_vendor_script_comes_from_node_modules(
    client: TestClient, vendor_dir: Path
) -> None:
    response = client.get("/vendor/socket.io.min.js")

    assert response.status_code == 200
    assert "javascript" in response.headers["content-type"]
    expected = vendor_dir / "socket.io-client" / "dist" / "socket.io.min.js"
    assert response.text == expected.read_text()


def test_vendor_script_missing_says_to_run_npm_ci(
    store: FakeStore, issuer: FakeIssuer, tmp_path: Path
) -> None:
    settings = WebSettings(node_modules_dir=tmp_path / "no_node_modules")
    client = TestClient(create_app(settings, store, SECRET, issue_token=issuer))

    response = client.get("/vendor/socket.io.min.js")

    assert response.status_code == 503
    assert "run npm ci" in response.text


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/vendor/other.js", id="not-listed"),
        pytest.param("/vendor/..%2F..%2Fpackage.json", id="traversal"),
        pytest.param("/static/../app.py", id="static-traversal"),
    ],
)
def test_only_listed_files_are_served(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 404


def test_config_defaults_to_the_page_host(client: TestClient) -> None:
    response = client.get("/api/config")

    assert response.json() == {"rasa_url": "", "rasa_port": 5005}
    assert response.headers["cache-control"] == "no-store"


def test_config_names_a_configured_origin(store: FakeStore, issuer: FakeIssuer) -> None:
    settings = WebSettings(rasa_url="https://chat.example.test", rasa_port=5105)
    client = TestClient(create_app(settings, store, SECRET, issue_token=issuer))

    body = client.get("/api/config").json()

    assert body == {"rasa_url": "https://chat.example.test", "rasa_port": 5105}


def test_demo_customers_list_names_and_levels_only(
    client: TestClient, store: FakeStore
) -> None:
    response = client.get("/api/demo/customers")

    assert response.status_code == 200
    assert response.json() == [
        {"id": "cminh730", "name": "Minh Cao", "membership_level": "gold"},
        {"id": "jdoe101", "name": "Jane Doe", "membership_level": "silver"},
        {"id": "guest042", "name": "Alex Berg", "membership_level": "guest"},
    ]
    assert store.limits == [50]


def test_sign_in_issues_a_token_for_the_customer(
    client: TestClient, issuer: FakeIssuer
) -> None:
    before = datetime.now(UTC).replace(microsecond=0)

    response = client.post("/api/demo/sign-in", json={"customer_id": "cminh730"})

    assert response.status_code == 200
    body = response.json()
    assert body["token"] == "token-1-cminh730"
    assert body["customer"] == {
        "id": "cminh730",
        "first_name": "Minh",
        "membership_level": "gold",
    }
    [issued] = issuer.issued
    assert (issued.customer_id, issued.secret) == ("cminh730", SECRET)
    assert issued.ttl == timedelta(minutes=90)
    expires_at = datetime.fromisoformat(body["expires_at"])
    assert expires_at == (issued.now + issued.ttl).replace(microsecond=0)
    earliest = before + issued.ttl
    assert earliest <= expires_at <= earliest + timedelta(seconds=5)


def test_sign_in_token_verifies_for_that_customer(
    settings: WebSettings, store: FakeStore
) -> None:
    identity = pytest.importorskip("profiles.identity")
    client = TestClient(create_app(settings, store, SECRET))

    body = client.post("/api/demo/sign-in", json={"customer_id": "jdoe101"}).json()

    claims = identity.verify_token(body["token"], SECRET)
    assert claims.customer_id == "jdoe101"
    assert claims.expires_at == datetime.fromisoformat(body["expires_at"])
    with pytest.raises(identity.InvalidToken):
        identity.verify_token(body["token"], b"another-secret-of-thirty-two-bytes")


@pytest.mark.parametrize(
    ("body", "error"),
    [
        pytest.param(b"{not json", "invalid_json", id="broken-json"),
        pytest.param(b"\xff\xfe", "invalid_json", id="not-utf8"),
        pytest.param(b"", "invalid_json", id="empty"),
        pytest.param(b"[]", "missing_field", id="a-list"),
        pytest.param(b"{}", "missing_field", id="no-field"),
        pytest.param(b'{"customer_id": ""}', "missing_field", id="empty-id"),
        pytest.param(b'{"customer_id": 730}', "missing_field", id="number-id"),
    ],
)
def test_sign_in_rejects_a_bad_body(
    client: TestClient, issuer: FakeIssuer, body: bytes, error: str
) -> None:
    response = client.post(
        "/api/demo/sign-in", content=body, headers={"content-type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json()["error"] == error
    assert issuer.issued == []


def test_sign_in_of_an_unknown_customer_is_404(
    client: TestClient, issuer: FakeIssuer
) -> None:
    response = client.post("/api/demo/sign-in", json={"customer_id": "nobody"})

    assert response.status_code == 404
    assert response.json()["error"] == "unknown_customer"
    assert issuer.issued == []


def test_sign_in_refuses_a_large_body(client: TestClient) -> None:
    body = b'{"customer_id": "' + b"x" * 10_000 + b'"}'

    response = client.post("/api/demo/sign-in", content=body)

    assert response.status_code == 413


def test_sign_in_is_post_only(client: TestClient) -> None:
    assert client.get("/api/demo/sign-in").status_code == 405


def test_a_failing_store_answers_json_500(
    settings: WebSettings, issuer: FakeIssuer
) -> None:
    class BrokenStore(FakeStore):
        def demo_customers(self, limit: int = 50) -> list:
            raise RuntimeError("database is down")

    app = create_app(settings, BrokenStore([]), SECRET, issue_token=issuer)
    client = TestClient(app, raise_server_exceptions=False)

    response = client.get("/api/demo/customers")

    assert response.status_code == 500
    assert response.json()["error"] == "internal_error"
    assert "database" not in response.text


def test_one_info_line_per_request_without_personal_data(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    body = client.post("/api/demo/sign-in", json={"customer_id": "cminh730"}).json()

    ours = [r for r in caplog.records if r.name.startswith("bot.web")]
    info = [r for r in ours if r.levelno >= logging.INFO]
    assert len(info) == 1
    assert re.fullmatch(r"POST /api/demo/sign-in 200 \d+\.\dms", info[0].getMessage())
    logged = "\n".join(record.getMessage() for record in ours)
    for secret_text in (body["token"], "Minh", "minh@example.test"):
        assert secret_text not in logged
