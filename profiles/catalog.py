"""Product catalog: read the raw `styles.csv` layout, repair it, derive shop data.

The raw file (Kaggle "Fashion Product Images (Small)", Myntra metadata) has ten
columns, but some display names hold unquoted commas, so their rows read as
eleven or twelve fields: the extra fields are joined back into the name. Rows
that cannot be repaired are skipped; each repair and each skip is logged with
its line number and listed in the import report, so no row disappears silently.

The file has no prices, sizes or stock. They are derived from the product id
with a seeded generator, so every import of the same file gives the same shop.
"""

from __future__ import annotations

import csv
import logging
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .store import ProfileStore

logger = logging.getLogger(__name__)

RAW_COLUMNS = (
    "id",
    "gender",
    "masterCategory",
    "subCategory",
    "articleType",
    "baseColour",
    "season",
    "year",
    "usage",
    "productDisplayName",
)
SHOP_CATEGORIES = ("Apparel", "Footwear", "Accessories")
SUBSET_PATH = Path(__file__).resolve().parent / "data" / "catalog.csv"
SUBSET_SIZE = 3000
MISSING = ("", "NA")  # how the raw file writes an unknown value

FOOTWEAR_SIZES = ("6", "7", "8", "9", "10", "11")
APPAREL_SIZES = ("XS", "S", "M", "L", "XL", "XXL")
ONE_SIZE = ("One Size",)
ONE_SIZE_APPAREL = ("Saree", "Apparel Set")  # sub-categories sold unsized
SOLD_OUT_SHARE = 0.08  # of products with no unit left in any size
SIZE_OUT_SHARE = 0.2  # of the remaining sizes with no unit left
MAX_UNITS_PER_SIZE = 30

# Price ranges in dollars, looked up by article type, then sub-category, then
# master category.
PRICE_RANGES: dict[str, tuple[int, int]] = {
    "Tshirts": (12, 40),
    "Shirts": (25, 90),
    "Jeans": (35, 120),
    "Jackets": (50, 180),
    "Sweaters": (30, 110),
    "Kurtas": (20, 80),
    "Casual Shoes": (40, 140),
    "Sports Shoes": (45, 160),
    "Formal Shoes": (55, 180),
    "Heels": (35, 130),
    "Watches": (50, 300),
    "Handbags": (35, 160),
    "Sunglasses": (30, 180),
    "Topwear": (15, 80),
    "Bottomwear": (25, 100),
    "Dress": (30, 150),
    "Innerwear": (8, 30),
    "Loungewear and Nightwear": (15, 60),
    "Saree": (30, 200),
    "Socks": (5, 15),
    "Sandal": (20, 70),
    "Flip Flops": (10, 35),
    "Bags": (25, 150),
    "Jewellery": (10, 120),
    "Wallets": (20, 80),
    "Belts": (15, 60),
    "Headwear": (10, 40),
    "Ties": (15, 50),
    "Apparel": (20, 90),
    "Footwear": (30, 120),
    "Accessories": (10, 60),
}
DEFAULT_PRICE_RANGE = (15, 80)
GENDER_WORDS = {"men", "men's", "mens", "women", "women's", "womens", "unisex"}
GENDER_WORDS |= {"boys", "boy's", "girls", "girl's", "kids", "kid's", "baby"}
MAX_BRAND_WORDS = 3


@dataclass(frozen=True)
class CatalogRow:
    """One product row as the raw file gives it, name repaired, cells stripped."""

    line: int
    id: int
    gender: str
    master_category: str
    sub_category: str
    article_type: str
    colour: str
    season: str
    year: str
    usage: str
    name: str

    def raw_fields(self) -> list[str]:
        """The row in the raw column order, as written back to a subset file."""
        return [
            str(self.id),
            self.gender,
            self.master_category,
            self.sub_category,
            self.article_type,
            self.colour,
            self.season,
            self.year,
            self.usage,
            self.name,
        ]


@dataclass
class ImportReport:
    """What reading a catalog file did: rows_read == imported + skipped + excluded.

    `excluded` counts well-formed rows of categories the shop does not sell.
    `added` and `updated` are filled when the rows are written to a store.
    """

    path: str
    rows_read: int = 0
    imported: int = 0
    repaired: list[int] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    excluded: dict[str, int] = field(default_factory=dict)
    added: int = 0
    updated: int = 0

    def lines(self) -> list[str]:
        """The report as text lines, for the command line."""
        out = [
            f"catalog: {self.path}",
            f"rows read: {self.rows_read}",
            f"imported: {self.imported}" + self._written(),
            f"repaired: {len(self.repaired)} at lines {_line_list(self.repaired)}",
            f"skipped: {len(self.skipped)}",
        ]
        out += [f"  line {line}: {reason}" for line, reason in self.skipped]
        excluded = ", ".join(f"{name} {n}" for name, n in sorted(self.excluded.items()))
        out.append(f"excluded categories: {excluded or 'none'}")
        return out

    def _written(self) -> str:
        if not (self.added or self.updated):
            return ""
        return f" (added {self.added}, updated {self.updated})"


def _line_list(lines: list[int]) -> str:
    return ", ".join(map(str, lines)) if lines else "-"


def read_catalog(
    path: Path | str, *, categories: Iterable[str] | None = SHOP_CATEGORIES
) -> tuple[list[CatalogRow], ImportReport]:
    """The rows of a raw-layout catalog file that the shop sells, and the report.

    `categories` None keeps every master category. Raises ValueError only for a
    file whose header is not the raw layout; bad rows never raise.
    """
    report = ImportReport(path=str(path))
    wanted = None if categories is None else set(categories)
    rows: list[CatalogRow] = []
    first_line_of: dict[int, int] = {}
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        _check_header(next(reader, None), path)
        for fields in reader:
            report.rows_read += 1
            row = _parse(fields, reader.line_num, report, first_line_of)
            if row is None:
                continue
            if wanted is not None and row.master_category not in wanted:
                report.excluded[row.master_category] = (
                    report.excluded.get(row.master_category, 0) + 1
                )
                continue
            rows.append(row)
    report.imported = len(rows)
    _log_summary(report)
    return rows, report


def _check_header(header: list[str] | None, path: Path | str) -> None:
    if header is None or tuple(cell.strip() for cell in header) != RAW_COLUMNS:
        raise ValueError(f"{path}: header is not {','.join(RAW_COLUMNS)}")


def _parse(
    fields: list[str], line: int, report: ImportReport, first_line_of: dict[int, int]
) -> CatalogRow | None:
    """One row, repaired if it can be; None (and a report entry) if not."""
    if len(fields) < len(RAW_COLUMNS):
        return _skip(report, line, f"too few fields ({len(fields)} of 10)")
    if len(fields) > len(RAW_COLUMNS):
        fields = fields[:9] + [",".join(fields[9:])]
        report.repaired.append(line)
        logger.warning("Catalog line %d: commas in the name; fields joined", line)
    cells = [cell.strip() for cell in fields]
    if not cells[0].isdigit():
        return _skip(report, line, f"non-numeric id {cells[0]!r}")
    product_id = int(cells[0])
    if product_id in first_line_of:
        first = first_line_of[product_id]
        return _skip(report, line, f"duplicate id {product_id} (first at line {first})")
    first_line_of[product_id] = line
    for index in (1, 2, 3, 4, 9):
        if not cells[index]:
            return _skip(report, line, f"empty {RAW_COLUMNS[index]}")
    return CatalogRow(line, product_id, *cells[1:])


def _skip(report: ImportReport, line: int, reason: str) -> None:
    report.skipped.append((line, reason))
    logger.warning("Catalog line %d skipped: %s", line, reason)


def _log_summary(report: ImportReport) -> None:
    logger.info(
        "Catalog %s: %d rows read, %d kept, %d repaired, %d skipped, %d excluded",
        report.path,
        report.rows_read,
        report.imported,
        len(report.repaired),
        len(report.skipped),
        sum(report.excluded.values()),
    )


def product_fields(row: CatalogRow) -> dict[str, Any]:
    """The products-table values of a catalog row, derived deterministically."""
    rng = random.Random(f"concierge-catalog:{row.id}")
    sizes = sizes_for(row)
    price = price_for(row, rng)
    stock = stock_for(sizes, rng)
    return {
        "id": row.id,
        "name": row.name,
        "brand": brand_of(row.name),
        "gender": row.gender,
        "master_category": row.master_category,
        "sub_category": row.sub_category,
        "article_type": row.article_type,
        "colour": _known(row.colour),
        "season": _known(row.season),
        "year": int(row.year) if row.year.isdigit() else None,
        "usage": _known(row.usage),
        "price": price,
        "sizes": ",".join(sizes),
        "stock": stock,
        "units_in_stock": sum(stock.values()),
        "source": "catalog",
        "image_url": None,  # the images are not shipped with the shop
    }


def _known(cell: str) -> str | None:
    return None if cell in MISSING else cell


def brand_of(name: str) -> str:
    """The words of a display name before its gender word ("Peter England Men ...").

    Falls back to the first word when the name has no gender word up front.
    """
    words = name.split()
    for index, word in enumerate(words[: MAX_BRAND_WORDS + 1]):
        if word.lower() in GENDER_WORDS:
            return " ".join(words[:index]) or words[0]
    return words[0] if words else ""


def price_for(row: CatalogRow, rng: random.Random) -> Decimal:
    """A price ending in .99 inside the range of the row's kind of article."""
    low, high = (
        PRICE_RANGES.get(row.article_type)
        or PRICE_RANGES.get(row.sub_category)
        or PRICE_RANGES.get(row.master_category)
        or DEFAULT_PRICE_RANGE
    )
    return Decimal(rng.randint(low, high)) - Decimal("0.01")


def sizes_for(row: CatalogRow) -> tuple[str, ...]:
    """Shoe sizes 6-11 for footwear, XS-XXL for sized apparel, else one size."""
    if row.master_category == "Footwear":
        return FOOTWEAR_SIZES
    if row.master_category == "Apparel" and row.sub_category not in ONE_SIZE_APPAREL:
        return APPAREL_SIZES
    return ONE_SIZE


def stock_for(sizes: tuple[str, ...], rng: random.Random) -> dict[str, int]:
    """Units per size: some products sold out, some sizes out, the rest 1-30."""
    if rng.random() < SOLD_OUT_SHARE:
        return {size: 0 for size in sizes}
    return {
        size: 0 if rng.random() < SIZE_OUT_SHARE else rng.randint(1, MAX_UNITS_PER_SIZE)
        for size in sizes
    }


def select_subset(rows: list[CatalogRow], size: int = SUBSET_SIZE) -> list[CatalogRow]:
    """Every n-th row in id order, n chosen so that at most `size` rows remain."""
    ordered = sorted(rows, key=lambda row: row.id)
    step = max(1, math.ceil(len(ordered) / size))
    return ordered[::step]


def write_rows(rows: Iterable[CatalogRow], path: Path | str) -> int:
    """Write rows in the raw column layout with standard CSV quoting (LF)."""
    count = 0
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(RAW_COLUMNS)
        for row in rows:
            writer.writerow(row.raw_fields())
            count += 1
    return count


def make_subset(
    raw_path: Path | str, out_path: Path | str = SUBSET_PATH, size: int = SUBSET_SIZE
) -> tuple[ImportReport, int]:
    """Remake the shipped subset from the raw file: shop categories, every n-th id."""
    rows, report = read_catalog(raw_path)
    written = write_rows(select_subset(rows, size), out_path)
    logger.info("Wrote %d catalog rows to %s", written, out_path)
    return report, written


def import_catalog(
    store: ProfileStore,
    path: Path | str,
    *,
    categories: Iterable[str] | None = SHOP_CATEGORIES,
) -> ImportReport:
    """Read a raw-layout file and write its products to `store` in one unit.

    Known ids are overwritten, derived price and stock included; products of
    the scenarios (other ids) are left alone.
    """
    rows, report = read_catalog(path, categories=categories)
    report.added, report.updated = store.put_products([product_fields(r) for r in rows])
    return report
