"""Command line of the profile store.

    python -m profiles migrate [--sql]
    python -m profiles seed [--reset] [--today YYYY-MM-DD] [--catalog PATH]
                            [--customers N]
    python -m profiles import-catalog PATH [--all-categories]
    python -m profiles make-subset RAW_CSV [--out PATH] [--size N]
    python -m profiles retrain-suggestions

The database is the one StoreSettings names (DATABASE_URL, CONCIERGE_VAR_DIR).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from .catalog import (
    SHOP_CATEGORIES,
    SUBSET_PATH,
    SUBSET_SIZE,
    import_catalog,
    make_subset,
)
from .config import StoreSettings
from .schema import upgrade_sql
from .seed import DEFAULT_CUSTOMERS, seed
from .store import ProfileStore


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="python -m profiles", description="The profile store's maintenance."
    )
    main.add_argument("-v", "--verbose", action="store_true", help="log at DEBUG")
    commands = main.add_subparsers(dest="command", required=True)

    migrate = commands.add_parser("migrate", help="upgrade to the newest revision")
    migrate.add_argument("--sql", action="store_true", help="print the SQL instead")

    seeding = commands.add_parser("seed", help="fill an empty store with the demo shop")
    seeding.add_argument("--reset", action="store_true", help="delete every row first")
    seeding.add_argument("--today", type=date.fromisoformat, help="anchor YYYY-MM-DD")
    seeding.add_argument(
        "--catalog", type=Path, help=f"raw-layout CSV (default: {SUBSET_PATH.name})"
    )
    seeding.add_argument("--customers", type=int, default=DEFAULT_CUSTOMERS)

    importing = commands.add_parser("import-catalog", help="add or update products")
    importing.add_argument("path", type=Path)
    importing.add_argument("--all-categories", action="store_true")

    commands.add_parser(
        "retrain-suggestions", help="ask the running action server to retrain now"
    )

    subset = commands.add_parser("make-subset", help="remake the shipped catalog")
    subset.add_argument("raw_csv", type=Path)
    subset.add_argument("--out", type=Path, default=SUBSET_PATH)
    subset.add_argument("--size", type=int, default=SUBSET_SIZE)
    return main


def run(args: argparse.Namespace) -> list[str]:
    """Do the command and return the lines to print."""
    settings = StoreSettings.from_env()
    if args.command == "make-subset":
        report, written = make_subset(args.raw_csv, args.out, args.size)
        return report.lines() + [f"wrote {written} rows to {args.out}"]
    if args.command == "migrate" and args.sql:
        return [upgrade_sql(settings)]
    if args.command == "retrain-suggestions":
        from .recommend.service import POLL_SECONDS, request_retraining

        path = request_retraining(settings.var_dir)
        wait = f"the action server starts it within {POLL_SECONDS:.0f} s"
        return [f"asked for retraining ({path}); {wait}"]
    store = ProfileStore(settings)
    try:
        if args.command == "migrate":
            store.migrate()
            return ["schema is at the newest revision"]
        if args.command == "seed":
            return seed(
                store,
                today=args.today,
                catalog_path=args.catalog,
                customers=args.customers,
                reset=args.reset,
            ).lines()
        store.migrate()
        categories = None if args.all_categories else SHOP_CATEGORIES
        return import_catalog(store, args.path, categories=categories).lines()
    finally:
        store.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        lines = run(args)
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
