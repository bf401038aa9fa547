"""Command line of the knowledge indexes.

    python -m knowledge build [--catalog PATH]
    python -m knowledge add ID | update ID | remove ID
    python -m knowledge search "query" [-k N] [--catalog PATH]
    python -m knowledge answer "question" [-k N]

Products come from the profile store (DATABASE_URL, CONCIERGE_VAR_DIR), or
with --catalog from a raw styles.csv file; indexes live in CONCIERGE_INDEX_DIR.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from profiles.config import StoreSettings
from profiles.store import ProfileStore

from .config import KnowledgeSettings
from .products import ProductTable, facts_from_catalog
from .query import parse_product_query
from .service import Knowledge


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="python -m knowledge", description="The shop's search indexes."
    )
    main.add_argument("-v", "--verbose", action="store_true", help="log at DEBUG")
    commands = main.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="build what changed (both collections)")
    build.add_argument("--catalog", type=Path, help="products from a raw styles.csv")
    for name in ("add", "update", "remove"):
        one = commands.add_parser(name, help=f"{name} one store product in place")
        one.add_argument("product_id", type=int)
    search = commands.add_parser("search", help="search products")
    search.add_argument("query")
    search.add_argument("-k", type=int, default=5)
    search.add_argument("--catalog", type=Path, help="products from a raw styles.csv")
    answer = commands.add_parser("answer", help="answer from the help articles")
    answer.add_argument("question")
    answer.add_argument("-k", type=int, default=3)
    return main


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    level = logging.DEBUG if args.verbose else logging.INFO
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("faiss.loader").setLevel(logging.WARNING)
    settings = KnowledgeSettings.from_env()
    store = ProfileStore(StoreSettings.from_env())
    catalog = getattr(args, "catalog", None)
    try:
        knowledge = _knowledge(settings, store, catalog)
        knowledge.ensure_built(progress=True)
        return COMMANDS[args.command](knowledge, store, args)
    finally:
        store.close()


def _knowledge(
    settings: KnowledgeSettings, store: ProfileStore, catalog: Path | None
) -> Knowledge:
    if catalog is None:
        return Knowledge(settings, store=store)
    facts = facts_from_catalog(catalog)
    return Knowledge(settings, products=lambda: facts)


def _build(knowledge: Knowledge, store: ProfileStore, args: argparse.Namespace) -> int:
    rebuilt = ", ".join(knowledge.rebuilt) or "nothing (all up to date)"
    print(f"rebuilt: {rebuilt}; index folder {knowledge.settings.index_dir}")
    return 0


def _change(knowledge: Knowledge, store: ProfileStore, args: argparse.Namespace) -> int:
    if args.command == "remove":
        gone = knowledge.remove_product(args.product_id)
        print(f"product {args.product_id}: {'removed' if gone else 'was not indexed'}")
        return 0
    product = store.product(args.product_id)
    if product is None:
        print(f"product {args.product_id} is not in the profile store", file=sys.stderr)
        return 1
    if args.command == "add":
        if args.product_id in knowledge.products_index:
            print(f"product {args.product_id} is already indexed; use update")
            return 1
        knowledge.add_product(product)
    else:
        knowledge.update_product(product)
    print(f"product {args.product_id}: {args.command}d")
    return 0


def _search(knowledge: Knowledge, store: ProfileStore, args: argparse.Namespace) -> int:
    free, filters = parse_product_query(args.query)
    print(f"text: {free!r}; filters: {_shown(filters.as_kwargs())}")
    table: ProductTable = knowledge.products_table
    for product_id, score in knowledge.search_products(
        free or args.query, k=args.k, **filters.as_kwargs()
    ):
        facts = table.get(product_id)
        stock = "in stock" if facts and facts.in_stock else "sold out"
        line = f"{facts.text}  ${facts.price:.2f}, {stock}" if facts else ""
        print(f"{score:.3f}  {product_id}  {line}")
    return 0


def _answer(knowledge: Knowledge, store: ProfileStore, args: argparse.Namespace) -> int:
    hits = knowledge.answer(args.question, k=args.k)
    if not hits:
        print("no article answers that question")
    for hit in hits:
        print(f"{hit.score:.3f}  {hit.title} > {hit.heading}\n       {hit.text}\n")
    return 0


def _shown(values: dict[str, object]) -> str:
    return ", ".join(f"{k}={v}" for k, v in values.items() if v is not None) or "none"


COMMANDS = {
    "build": _build,
    "add": _change,
    "update": _change,
    "remove": _change,
    "search": _search,
    "answer": _answer,
}

if __name__ == "__main__":
    sys.exit(main())
