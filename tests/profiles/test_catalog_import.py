"""Reading the raw styles.csv layout: repairs, skips, derived shop data."""

from __future__ import annotations

import csv
import logging
from decimal import Decimal
from pathlib import Path

import pytest

from profiles.catalog import (
    APPAREL_SIZES,
    FOOTWEAR_SIZES,
    SUBSET_PATH,
    CatalogRow,
    brand_of,
    import_catalog,
    make_subset,
    product_fields,
    read_catalog,
)

# ../shared beside the repository, where the real data sets are kept
SHARED = Path(__file__).resolve().parents[3] / "shared"
RAW_CATALOG = SHARED / "datasets" / "catalog" / "styles.csv"
FIXED_CATALOG = RAW_CATALOG.with_name("styles_fixed.csv")
needs_raw = pytest.mark.skipif(
    not RAW_CATALOG.exists(), reason="the shared datasets folder is not on this machine"
)

HEADER = (
    "id,gender,masterCategory,subCategory,articleType,baseColour,season,year,usage,"
    "productDisplayName"
)
FIXTURE_LINES = [
    HEADER,
    "1001,Men,Apparel,Topwear,Shirts,Navy Blue,Fall,2011,Casual,Turtle Check Men Shirt",
    "1002,Women,Footwear,Shoes,Heels,Black,Summer,2012,Casual,Catwalk Women Heels",
    "1003,Men,Apparel,Topwear,Tshirts,White,Summer,2011,Casual,Myntra Men's Hey, me",
    (
        "1004,Unisex,Footwear,Flip Flops,Flip Flops,Green,Summer,2012,Casual,"
        "Kiko Unisex Live, Life, Laugh Flip Flops"
    ),
    "1005,Men,Apparel,Topwear",
    "abc,Men,Apparel,Topwear,Shirts,Blue,Fall,2011,Casual,Bad Id Shirt",
    "1001,Men,Apparel,Topwear,Shirts,Blue,Fall,2011,Casual,Second Shirt Sharing An Id",
    "1006,Men,Personal Care,Fragrance,Perfume,Blue,Spring,2017,Casual,Boss Men Perfume",
    "1007,Women,Accessories,Watches,Watches,Gold,Winter,2016,NA,Titan Women Gold Watch",
    "1008,Girls,Apparel,Dress,Dresses,Pink,,,Casual,Doodle Girls Pink Dress",
    "",
    "1010,Men,Apparel,Topwear,Shirts,Blue,Fall,2011,Casual,",
]
# line numbers in the file: the header is line 1
REPAIRED = [4, 5]
SKIPPED = {
    6: "too few fields (4 of 10)",
    7: "non-numeric id 'abc'",
    8: "duplicate id 1001 (first at line 2)",
    12: "too few fields (0 of 10)",
    13: "empty productDisplayName",
}


@pytest.fixture
def fixture_csv(tmp_path) -> Path:
    path = tmp_path / "styles.csv"
    path.write_text("\n".join(FIXTURE_LINES) + "\n", encoding="utf-8")
    return path


def test_bad_rows_are_repaired_or_skipped_and_reported(fixture_csv, caplog):
    with caplog.at_level(logging.WARNING, logger="profiles.catalog"):
        rows, report = read_catalog(fixture_csv)

    assert [row.id for row in rows] == [1001, 1002, 1003, 1004, 1007, 1008]
    assert report.repaired == REPAIRED
    assert dict(report.skipped) == SKIPPED
    assert report.excluded == {"Personal Care": 1}
    assert report.rows_read == 12 == report.imported + len(report.skipped) + 1
    for line in REPAIRED + list(SKIPPED):
        assert f"line {line}" in caplog.text


def test_with_every_category_nothing_is_dropped_silently(fixture_csv):
    rows, report = read_catalog(fixture_csv, categories=None)

    assert report.excluded == {}
    assert report.rows_read == report.imported + len(report.skipped) == len(rows) + 5


def test_repaired_names_keep_their_commas(fixture_csv):
    rows, _ = read_catalog(fixture_csv)
    names = {row.id: row.name for row in rows}

    assert names[1003] == "Myntra Men's Hey, me"
    assert names[1004] == "Kiko Unisex Live, Life, Laugh Flip Flops"
    assert rows[2].line == 4


def test_a_file_of_another_layout_is_refused(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("sku,name\n1,Shirt\n", encoding="utf-8")

    with pytest.raises(ValueError, match="header"):
        read_catalog(path)


def test_the_report_prints_every_skip(fixture_csv):
    _, report = read_catalog(fixture_csv)
    text = "\n".join(report.lines())

    assert "repaired: 2 at lines 4, 5" in text
    assert "line 7: non-numeric id 'abc'" in text
    assert "excluded categories: Personal Care 1" in text


def row(**fields) -> CatalogRow:
    values = {
        "line": 2,
        "id": 1001,
        "gender": "Men",
        "master_category": "Apparel",
        "sub_category": "Topwear",
        "article_type": "Shirts",
        "colour": "Navy Blue",
        "season": "Fall",
        "year": "2011",
        "usage": "Casual",
        "name": "Turtle Check Men Shirt",
    } | fields
    return CatalogRow(**values)


@pytest.mark.parametrize(
    "fields, sizes",
    [
        pytest.param({}, APPAREL_SIZES, id="apparel"),
        pytest.param({"master_category": "Footwear"}, FOOTWEAR_SIZES, id="footwear"),
        pytest.param({"master_category": "Accessories"}, ("One Size",), id="accessory"),
        pytest.param({"sub_category": "Saree"}, ("One Size",), id="saree"),
    ],
)
def test_sizes_follow_the_kind_of_article(fields, sizes):
    product = product_fields(row(**fields))

    assert product["sizes"] == ",".join(sizes)
    assert list(product["stock"]) == list(sizes)
    assert product["units_in_stock"] == sum(product["stock"].values())


def test_derived_fields_are_deterministic_and_sensible():
    first, again = product_fields(row()), product_fields(row())

    assert first == again
    assert first["brand"] == "Turtle Check"
    assert Decimal("24.99") <= first["price"] <= Decimal("89.99")
    assert first["price"] % 1 == Decimal("0.99")


def test_missing_cells_become_none():
    product = product_fields(row(usage="NA", season="", year="", colour="NA"))

    assert (product["usage"], product["season"], product["year"]) == (None, None, None)
    assert product["colour"] is None


@pytest.mark.parametrize(
    "name, brand",
    [
        pytest.param("Peter England Men Party Blue Jeans", "Peter England", id="two"),
        pytest.param("Puma Unisex Black Cap", "Puma", id="unisex"),
        pytest.param("Myntra Men's Yes, its me", "Myntra", id="apostrophe"),
        pytest.param("Lino Perros Women Brown Handbag", "Lino Perros", id="women"),
        pytest.param("Men Blue Jeans", "Men", id="gender-first"),
        pytest.param("Fastrack Black Sunglasses", "Fastrack", id="no-gender-word"),
    ],
)
def test_brand_is_the_words_before_the_gender(name, brand):
    assert brand_of(name) == brand


def test_the_shipped_subset_reads_clean():
    rows, report = read_catalog(SUBSET_PATH)
    products = [product_fields(r) for r in rows]

    assert 2500 <= len(rows) <= 3000
    assert report.repaired == [] and report.skipped == [] and report.excluded == {}
    assert {r.master_category for r in rows} == {"Apparel", "Footwear", "Accessories"}
    sold_out = [p for p in products if p["units_in_stock"] == 0]
    some_sizes_out = [
        p for p in products if p["units_in_stock"] and 0 in p["stock"].values()
    ]
    assert 0.03 < len(sold_out) / len(products) < 0.15
    assert len(some_sizes_out) > len(products) / 5


def test_import_adds_then_updates_products(store, fixture_csv):
    first = import_catalog(store, fixture_csv)
    again = import_catalog(store, fixture_csv)

    assert (first.added, first.updated) == (6, 0)
    assert (again.added, again.updated) == (0, 6)
    product = store.product(1003)
    assert product.name == "Myntra Men's Hey, me"
    assert product.source == "catalog"
    assert store.product(1006) is None


@needs_raw
def test_the_real_raw_file():
    rows, report = read_catalog(RAW_CATALOG, categories=None)

    assert report.rows_read == 44446 == len(rows)
    assert len(report.repaired) == 22 and report.repaired[0] == 6044
    assert report.skipped == []
    names = {r.id: r.name for r in rows}
    assert names[44065] == "Boss Men Perfume, After Shave Balm and Shower Gel Set"


@needs_raw
def test_repairs_agree_with_the_fixed_copy():
    if not FIXED_CATALOG.exists():
        pytest.skip("styles_fixed.csv is not on this machine")
    rows, _ = read_catalog(RAW_CATALOG, categories=None)
    with open(FIXED_CATALOG, encoding="utf-8", newline="") as handle:
        fixed = {int(r["id"]): r["productDisplayName"] for r in csv.DictReader(handle)}

    # the reader also trims spaces around cells, which the fixed copy keeps
    assert {r.id: r.name for r in rows} == {k: v.strip() for k, v in fixed.items()}


@needs_raw
def test_make_subset_remakes_the_shipped_file(tmp_path):
    report, written = make_subset(RAW_CATALOG, tmp_path / "catalog.csv")

    assert report.rows_read == report.imported + sum(report.excluded.values())
    assert written == 2994
    assert (tmp_path / "catalog.csv").read_bytes() == SUBSET_PATH.read_bytes()
