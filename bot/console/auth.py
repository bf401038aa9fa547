"""Passwords and sign-in attempts of the console.

Passwords are hashed with scrypt (hashlib, RFC 7914) and a random salt per
user; the stored form names its parameters, so they can be raised later
without breaking old hashes. Failed sign-ins are counted per username and
per client address in this process; the count is lost on restart, which is
the limit of this guard (a second web process would keep its own).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 256
MAX_FAILURES = 5  # per username within the window, then a pause
# per client address: higher, since people behind one address (an office, a
# proxy) would otherwise lock each other out
MAX_CLIENT_FAILURES = 20
FAILURE_WINDOW_S = 15 * 60


class WeakPassword(ValueError):
    """A password the console will not store."""


def hash_password(password: str) -> str:
    check_password(password)
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return "$".join(
        [
            "scrypt",
            str(SCRYPT_N),
            str(SCRYPT_R),
            str(SCRYPT_P),
            _b64(salt),
            _b64(digest),
        ]
    )


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` matches; a malformed stored hash matches nothing."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt" or len(password) > MAX_PASSWORD_CHARS:
            return False
        expected = base64.b64decode(digest)
        actual = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise WeakPassword(
            f"A password needs at least {MIN_PASSWORD_CHARS} characters."
        )
    if len(password) > MAX_PASSWORD_CHARS:
        raise WeakPassword(f"A password has at most {MAX_PASSWORD_CHARS} characters.")
    if len(set(password)) < 4:
        raise WeakPassword("A password needs more than three different characters.")


# Checked against when a username is unknown, so both cases take as long.
_DUMMY_HASH = "$".join(
    ["scrypt", str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P), "AAAAAAAAAAAAAAAAAAAAAA==",
     "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="]
)  # fmt: skip


def spend_a_check(password: str) -> None:
    verify_password(password, _DUMMY_HASH)


class SignInGuard:
    """Refuses sign-in for a while after MAX_FAILURES failures of one username,
    or MAX_CLIENT_FAILURES from one client address, within FAILURE_WINDOW_S.

    Each attempt counts as a failure from the moment it starts, under the lock,
    so attempts sent at once cannot all pass the check before any fails; a
    success takes its own count back.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def attempt(self, username: str, client: str) -> bool:
        """False while blocked; otherwise the attempt is counted, and True."""
        with self._lock:
            keys = _keys(username, client)
            limits = (MAX_FAILURES, MAX_CLIENT_FAILURES)
            if any(
                len(self._recent(k)) >= n for k, n in zip(keys, limits, strict=True)
            ):
                return False
            for key in keys:
                self._recent(key).append(self._clock())
            return True

    def succeeded(self, username: str, client: str) -> None:
        with self._lock:
            user_key, client_key = _keys(username, client)
            self._failures.pop(user_key, None)
            if self._failures.get(client_key):
                self._failures[client_key].pop()

    def _recent(self, key: str) -> deque[float]:
        times = self._failures[key]
        while times and times[0] < self._clock() - FAILURE_WINDOW_S:
            times.popleft()
        return times


def _keys(username: str, client: str) -> tuple[str, str]:
    return f"user:{username.strip().lower()}", f"client:{client}"


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode(), salt=salt, n=n, r=r, p=p, maxmem=64 * 2**20, dklen=32
    )


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()
