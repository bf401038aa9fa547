"""Signed customer tokens and the secret they are signed with."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import stat
from datetime import UTC, datetime, timedelta

import pytest

from profiles.config import StoreSettings
from profiles.identity import (
    MAX_TOKEN_CHARS,
    InvalidToken,
    TokenClaims,
    issue_token,
    load_secret,
    verify_token,
)

SECRET = b"s" * 32
OTHER_SECRET = b"o" * 32
ISSUED = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)
HUGE_EXPIRY = b'{"sub": "x", "iat": 1, "exp": ' + b"9" * 20 + b"}"  # past year 9999


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.fixture
def token() -> str:
    return issue_token("cminh730", SECRET, ttl=timedelta(hours=8), now=ISSUED)


def test_round_trip(token):
    claims = verify_token(token, SECRET, now=ISSUED + timedelta(hours=1))

    assert claims == TokenClaims(
        customer_id="cminh730",
        issued_at=ISSUED,
        expires_at=ISSUED + timedelta(hours=8),
    )
    assert claims.issued_at.tzinfo is UTC


def test_format_is_payload_dot_signature_without_padding(token):
    body, signature = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))

    assert "=" not in token
    assert payload == {"sub": "cminh730", "iat": 1717232400, "exp": 1717261200}
    assert len(base64.urlsafe_b64decode(signature + "=")) == 32


@pytest.mark.parametrize(
    "after, valid",
    [
        pytest.param(timedelta(hours=8) - timedelta(seconds=1), True, id="last-second"),
        pytest.param(timedelta(hours=8), False, id="at-expiry"),
        pytest.param(timedelta(days=3), False, id="days-later"),
    ],
)
def test_expiry(token, after, valid):
    if valid:
        assert verify_token(token, SECRET, now=ISSUED + after).customer_id == "cminh730"
        return
    with pytest.raises(InvalidToken) as raised:
        verify_token(token, SECRET, now=ISSUED + after)
    assert raised.value.reason == "expired"


def forged_signature(token: str) -> str:
    body, _ = token.split(".")
    return f"{body}.{b64(b'x' * 32)}"


def tampered_payload(token: str) -> str:
    _, signature = token.split(".")
    payload = {"sub": "aphoenix939", "iat": 1717232400, "exp": 1717261200}
    body = b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    return f"{body}.{signature}"


def signed(payload: bytes) -> str:
    """A correctly signed token around an arbitrary payload."""
    body = b64(payload)
    return f"{body}.{b64(hmac.new(SECRET, body.encode(), hashlib.sha256).digest())}"


@pytest.mark.parametrize(
    "make, reason",
    [
        pytest.param(forged_signature, "bad_signature", id="forged-signature"),
        pytest.param(tampered_payload, "bad_signature", id="tampered-payload"),
        pytest.param(
            lambda t: t[:-2] + ("AA" if t[-2:] != "AA" else "BB"),
            "bad_signature",
            id="changed-signature",
        ),
        pytest.param(lambda t: t.replace(".", ""), "malformed", id="no-dot"),
        pytest.param(lambda t: t + ".x", "malformed", id="three-parts"),
        pytest.param(lambda t: "", "malformed", id="empty"),
        pytest.param(lambda t: "a$b.c", "malformed", id="bad-alphabet"),
        pytest.param(lambda t: "abcde.f", "malformed", id="bad-base64-length"),
        pytest.param(lambda t: None, "malformed", id="not-a-string"),
        pytest.param(lambda t: signed(b"not json"), "malformed", id="signed-garbage"),
        pytest.param(lambda t: signed(b"[1, 2]"), "malformed", id="signed-list"),
        pytest.param(
            lambda t: signed(b'{"sub": "x", "iat": 5}'),
            "malformed",
            id="signed-no-expiry",
        ),
        pytest.param(
            lambda t: signed(b'{"sub": "", "iat": 1, "exp": 9}'),
            "malformed",
            id="signed-empty-subject",
        ),
        pytest.param(
            lambda t: signed(b'{"sub": "x", "iat": 1, "exp": 1e400}'),
            "malformed",
            id="signed-float-expiry",
        ),
        pytest.param(lambda t: signed(HUGE_EXPIRY), "malformed", id="signed-huge-exp"),
        pytest.param(
            lambda t: signed(b'{"sub": "x", "iat": 9, "exp": 9}'),
            "malformed",
            id="signed-expiry-not-after-issue",
        ),
    ],
)
def test_refused_tokens(token, make, reason):
    with pytest.raises(InvalidToken) as raised:
        verify_token(make(token), SECRET, now=ISSUED)

    assert raised.value.reason == reason
    assert "cminh730" not in str(raised.value)


def test_wrong_secret(token):
    with pytest.raises(InvalidToken) as raised:
        verify_token(token, OTHER_SECRET, now=ISSUED)

    assert raised.value.reason == "bad_signature"


def test_oversize_token_is_malformed_before_any_check():
    huge = issue_token("x" * MAX_TOKEN_CHARS, SECRET, now=ISSUED)

    with pytest.raises(InvalidToken) as raised:
        verify_token(huge, SECRET, now=ISSUED)

    assert len(huge) > MAX_TOKEN_CHARS and raised.value.reason == "malformed"


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda: issue_token("c", b"short", now=ISSUED), id="short-secret"),
        pytest.param(lambda: issue_token("", SECRET, now=ISSUED), id="empty-customer"),
        pytest.param(lambda: issue_token("c", SECRET, ttl=timedelta(0)), id="no-ttl"),
        pytest.param(
            lambda: issue_token("c", SECRET, now=datetime(2024, 1, 1)), id="naive-now"
        ),
        pytest.param(lambda: verify_token("a.b", b"short"), id="verify-short-secret"),
    ],
)
def test_bad_arguments_raise_value_error(call):
    with pytest.raises(ValueError):
        call()


def test_secret_from_the_environment(tmp_path):
    settings = StoreSettings("sqlite://", tmp_path / "var")
    value = "e" * 40

    assert load_secret(settings, {"CONCIERGE_TOKEN_SECRET": value}) == value.encode()
    assert not (tmp_path / "var").exists()


def test_short_secret_in_the_environment_is_refused(tmp_path):
    settings = StoreSettings("sqlite://", tmp_path / "var")

    with pytest.raises(ValueError, match="CONCIERGE_TOKEN_SECRET.*at least 32"):
        load_secret(settings, {"CONCIERGE_TOKEN_SECRET": "too-short"})


def test_secret_file_is_made_once_with_mode_0600(tmp_path):
    settings = StoreSettings("sqlite://", tmp_path / "var")

    first = load_secret(settings, {})
    second = load_secret(settings, {})
    path = tmp_path / "var" / "token_secret"

    assert first == second == path.read_bytes() and len(first) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["token_secret"]
    token = issue_token("jwu9085", first, now=ISSUED)
    assert verify_token(token, second, now=ISSUED).customer_id == "jwu9085"


def test_an_existing_secret_file_is_used(tmp_path):
    (tmp_path / "token_secret").write_bytes(b"k" * 48)
    settings = StoreSettings("sqlite://", tmp_path)

    assert load_secret(settings, {"CONCIERGE_TOKEN_SECRET": ""}) == b"k" * 48


def test_a_truncated_secret_file_is_refused(tmp_path):
    (tmp_path / "token_secret").write_bytes(b"k" * 5)

    with pytest.raises(ValueError, match="fewer than 32 bytes"):
        load_secret(StoreSettings("sqlite://", tmp_path), {})
