"""Product text and facts: from catalog rows, from the profile store, as a table."""

from __future__ import annotations

import pytest

from knowledge.products import ProductTable, facts_from_fields, facts_from_store
from knowledge.query import ProductFilters
from profiles.catalog import SUBSET_PATH, product_fields, read_catalog
from profiles.store import ProfileStore


@pytest.fixture(scope="module")
def records() -> list[dict]:
    rows, _ = read_catalog(SUBSET_PATH)
    return [product_fields(row) for row in rows[:40]]


def test_product_text_says_what_it_is_and_for_whom(records: list[dict]) -> None:
    record = next(r for r in records if r["gender"] == "Men" and r["colour"])
    facts = facts_from_fields(record)

    assert facts.text.startswith(record["name"] + ".")
    assert "for men" in facts.text
    assert f"{record['colour']} {record['article_type']}".lower() in facts.text.lower()
    assert facts.id == record["id"]


def test_store_products_give_the_same_facts(
    profile_store: ProfileStore, records: list[dict]
) -> None:
    profile_store.put_products(records)

    from_store = facts_from_store(profile_store)

    assert from_store == sorted(map(facts_from_fields, records), key=lambda f: f.id)


def test_the_table_filters_and_follows_changes(records: list[dict]) -> None:
    table = ProductTable(map(facts_from_fields, records))
    cheap = ProductFilters(max_price=30.0)
    want = {r["id"] for r in records if float(r["price"]) <= 30.0}

    assert set(table.matching_ids(cheap).tolist()) == want
    assert table.matching_ids(ProductFilters()) is None
    table.drop(min(want))
    assert set(table.matching_ids(cheap).tolist()) == want - {min(want)}
