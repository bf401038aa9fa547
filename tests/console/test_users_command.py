"""python -m bot.console: the first admin, more users, disabling and enabling."""

from __future__ import annotations

import io

import pytest

from bot.console.__main__ import main
from bot.console.auth import verify_password
from bot.console.store import ConsoleStore
from profiles.engine import make_engine

PASSWORD = "a command line password"
NO_PASSWORD = {"disable-user", "enable-user", "users"}


@pytest.fixture
def users(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'console.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("CONCIERGE_VAR_DIR", str(tmp_path))
    engine = make_engine(url)
    yield ConsoleStore(engine)
    engine.dispose()


def run(monkeypatch, *argv: str, password: str = PASSWORD) -> int:
    """The command with `password` on its standard input, where it asks for one."""
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    extra = [] if argv[0] in NO_PASSWORD else ["--password-stdin"]
    return main([*argv, *extra])


def test_the_first_admin_is_a_developer_with_a_hashed_password(users, monkeypatch):
    assert run(monkeypatch, "create-admin", "Ada") == 0

    user, stored = users.password_hash("ada")
    assert (user.role, user.is_admin) == ("developer", True)
    assert verify_password(PASSWORD, stored) and PASSWORD not in stored


def test_a_weak_password_is_refused_with_status_2(users, monkeypatch, capsys):
    assert run(monkeypatch, "add-user", "lee", password="short") == 2
    assert "at least 12 characters" in capsys.readouterr().err
    assert users.password_hash("lee") is None


def test_a_disabled_user_can_be_enabled_again(users, monkeypatch, capsys):
    run(monkeypatch, "add-user", "lee")
    assert run(monkeypatch, "disable-user", "lee") == 0
    assert users.password_hash("lee") is None
    assert run(monkeypatch, "add-user", "lee") == 2
    assert "enable-user lee" in capsys.readouterr().err

    assert run(monkeypatch, "enable-user", "lee") == 0
    assert users.password_hash("lee") is not None


def test_a_new_password_ends_the_users_sessions(users, monkeypatch):
    run(monkeypatch, "add-user", "lee")
    user, _ = users.password_hash("lee")
    token, _ = users.open_session(user)

    assert (
        run(monkeypatch, "set-password", "lee", password="another long password") == 0
    )

    assert users.session_of(token) is None
    assert verify_password("another long password", users.password_hash("lee")[1])


def test_users_lists_everyone_and_says_who_is_disabled(users, monkeypatch, capsys):
    run(monkeypatch, "create-admin", "ada")
    run(monkeypatch, "add-user", "lee")
    run(monkeypatch, "disable-user", "lee")
    capsys.readouterr()

    assert run(monkeypatch, "users") == 0

    assert capsys.readouterr().out.splitlines() == [
        "ada (developer, administrator)",
        "lee (lead, disabled)",
    ]
