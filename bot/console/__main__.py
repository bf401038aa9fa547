"""Console users from the command line: python -m bot.console COMMAND.

    create-admin NAME   the first administrator (a developer), or another one
    add-user NAME       a lead (--role lead, the default) or a developer
    set-password NAME   a new password; the user's sessions end
    disable-user NAME   no more sign-ins; the user's sessions end
    enable-user NAME    sign-ins again, with the password the user had
    users               every user, disabled ones marked

The password is asked for twice, or read from the first line of standard
input with --password-stdin (for scripts; never put it on the command line).
"""

from __future__ import annotations

import argparse
import getpass
import sys

from bot.console.auth import WeakPassword, hash_password
from bot.console.store import ConsoleError, ConsoleStore
from bot.settings import StackSettings
from profiles.config import StoreSettings
from profiles.store import ProfileStore


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    profiles = ProfileStore(StoreSettings.from_env())
    try:
        profiles.migrate()
        return run(args, ConsoleStore(profiles.engine))
    except (ConsoleError, WeakPassword) as error:
        print(f"concierge console: {error}", file=sys.stderr)
        if getattr(error, "code", None) == "user_exists":
            print(f"  (enable-user {args.username} if disabled)", file=sys.stderr)
        return 2
    finally:
        profiles.close()


def run(args: argparse.Namespace, store: ConsoleStore) -> int:
    if args.command == "users":
        for account in store.accounts():
            user = account.user
            admin = ", administrator" if user.is_admin else ""
            disabled = ", disabled" if account.disabled else ""
            print(f"{user.username} ({user.role}{admin}{disabled})")
        return 0
    if args.command == "disable-user":
        store.disable_user(args.username)
        print(f"{args.username} can no longer sign in.")
        return 0
    if args.command == "enable-user":
        store.enable_user(args.username)
        print(f"{args.username} can sign in again.")
        return 0
    hashed = hash_password(read_password(args.password_stdin))
    if args.command == "set-password":
        store.set_password(args.username, hashed)
        print(f"New password set for {args.username}.")
        return 0
    admin = args.command == "create-admin"
    role = "developer" if admin else args.role
    user = store.add_user(args.username, hashed, role, is_admin=admin)
    kind = "Administrator" if admin else f"User ({role})"
    page = StackSettings.from_env().page_url
    print(f"{kind} {user.username} created. Sign in at {page}/console")
    return 0


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise WeakPassword("The two passwords differ.")
    return first


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bot.console", description="Console users."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("create-admin", "add-user", "set-password"):
        command = commands.add_parser(name)
        command.add_argument("username")
        command.add_argument("--password-stdin", action="store_true")
        if name == "add-user":
            command.add_argument(
                "--role", choices=("lead", "developer"), default="lead"
            )
    commands.add_parser("disable-user").add_argument("username")
    commands.add_parser("enable-user").add_argument("username")
    commands.add_parser("users")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
