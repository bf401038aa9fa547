"""Signed, expiring customer tokens: how the shop site tells us who is chatting.

A token is base64url(JSON payload) + "." + base64url(HMAC-SHA256 of the first
part), both without padding. The payload holds the customer id ("sub") and
the issue and expiry times in Unix seconds ("iat", "exp"). A token proves only
that someone holding the secret issued it for that customer, until it expires;
it cannot be revoked before then.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from .config import StoreSettings

logger = logging.getLogger(__name__)

SECRET_ENV = "CONCIERGE_TOKEN_SECRET"  # default: var_dir/token_secret, made once
SECRET_FILE_NAME = "token_secret"
MIN_SECRET_BYTES = 32
MAX_TOKEN_CHARS = 4096
DEFAULT_TTL = timedelta(hours=8)
_B64URL = re.compile(r"[A-Za-z0-9_-]+")


class InvalidToken(Exception):
    """A token that proves nothing; `reason` is malformed, bad_signature or expired."""

    REASONS = ("malformed", "bad_signature", "expired")

    def __init__(self, reason: str) -> None:
        if reason not in self.REASONS:
            raise ValueError(f"unknown reason {reason!r}")
        super().__init__(f"invalid customer token: {reason}")
        self.reason = reason


@dataclass(frozen=True)
class TokenClaims:
    customer_id: str
    issued_at: datetime
    expires_at: datetime


def issue_token(
    customer_id: str,
    secret: bytes,
    *,
    ttl: timedelta = DEFAULT_TTL,
    now: datetime | None = None,
) -> str:
    """A token naming `customer_id`, valid for `ttl` from `now` (whole seconds)."""
    _check_secret(secret)
    if not customer_id:
        raise ValueError("customer_id must not be empty")
    if ttl.total_seconds() < 1:
        raise ValueError("ttl must be at least one second")
    issued = int(_utc(now).timestamp())
    expires = issued + int(ttl.total_seconds())
    payload = {"sub": customer_id, "iat": issued, "exp": expires}
    text = json.dumps(payload, separators=(",", ":"), sort_keys=True)
    body = _b64encode(text.encode())
    return f"{body}.{_b64encode(_sign(body, secret))}"


def verify_token(
    token: str, secret: bytes, *, now: datetime | None = None
) -> TokenClaims:
    """The claims of `token` if its signature holds and it has not expired.

    The signature is checked before the payload is parsed, so a changed
    payload reads as bad_signature; a token is expired from its "exp" second on.
    """
    _check_secret(secret)
    body, signature = _split(token)
    if not hmac.compare_digest(signature, _sign(body, secret)):
        raise InvalidToken("bad_signature")
    claims = _claims(_b64decode(body))
    if _utc(now) >= claims.expires_at:
        raise InvalidToken("expired")
    return claims


def load_secret(
    settings: StoreSettings, environ: Mapping[str, str] | None = None
) -> bytes:
    """The token secret: CONCIERGE_TOKEN_SECRET, else the var folder's secret file.

    The file is made on first use with 32 random bytes and mode 0600, so every
    process on this machine that shares the var folder shares the secret.
    """
    environ = os.environ if environ is None else environ
    from_env = environ.get(SECRET_ENV, "")
    if from_env:
        if len(from_env) < MIN_SECRET_BYTES:
            raise ValueError(
                f"{SECRET_ENV} must be at least {MIN_SECRET_BYTES} characters long "
                f"(it has {len(from_env)}); unset it to use a generated secret file"
            )
        return from_env.encode()
    return _file_secret(Path(settings.var_dir) / SECRET_FILE_NAME)


def _file_secret(path: Path) -> bytes:
    if not path.exists():
        _create_secret_file(path)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        logger.warning("Token secret file %s is open to others (mode %o)", path, mode)
    secret = path.read_bytes()
    if len(secret) < MIN_SECRET_BYTES:
        raise ValueError(f"token secret file {path} holds fewer than 32 bytes")
    return secret


def _create_secret_file(path: Path) -> None:
    """Write a new secret to a private temporary file, then link it into place.

    Linking fails if another process got there first; its secret then wins, and
    no reader ever sees a half-written file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(descriptor, 0o600)
        os.write(descriptor, secrets.token_bytes(MIN_SECRET_BYTES))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    try:
        os.link(temporary, path)
        logger.info("Generated a new token secret file in %s", path.parent)
    except FileExistsError:
        logger.debug("Token secret file appeared meanwhile; using it")
    finally:
        temporary.unlink()


def _split(token: object) -> tuple[str, bytes]:
    if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS:
        raise InvalidToken("malformed")
    parts = token.split(".")
    if len(parts) != 2 or not all(_B64URL.fullmatch(part) for part in parts):
        raise InvalidToken("malformed")
    return parts[0], _b64decode(parts[1])


def _claims(payload: bytes) -> TokenClaims:
    try:
        data = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidToken("malformed") from error
    if not isinstance(data, dict):
        raise InvalidToken("malformed")
    customer_id, issued, expires = data.get("sub"), data.get("iat"), data.get("exp")
    if not (isinstance(customer_id, str) and customer_id):
        raise InvalidToken("malformed")
    if not all(type(value) is int for value in (issued, expires)) or expires <= issued:
        raise InvalidToken("malformed")
    try:
        issued_at = datetime.fromtimestamp(issued, UTC)
        expires_at = datetime.fromtimestamp(expires, UTC)
    except (OverflowError, OSError, ValueError) as error:
        raise InvalidToken("malformed") from error
    return TokenClaims(customer_id, issued_at, expires_at)


def _sign(body: str, secret: bytes) -> bytes:
    return hmac.new(secret, body.encode("ascii"), hashlib.sha256).digest()


def _check_secret(secret: bytes) -> None:
    if not isinstance(secret, bytes) or len(secret) < MIN_SECRET_BYTES:
        raise ValueError(f"the token secret must be at least {MIN_SECRET_BYTES} bytes")


def _utc(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(UTC)


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as error:
        raise InvalidToken("malformed") from error
