"""parse_product_query: filters taken out of a customer's words."""

from __future__ import annotations

import pytest

from knowledge.query import ProductFilters, parse_product_query


@pytest.mark.parametrize(
    ("query", "free", "filters"),
    [
        pytest.param(
            "waterproof boots under 80 dollars",
            "waterproof boots",
            ProductFilters(max_price=80.0, category="Footwear"),
            id="max-price-and-category",
        ),
        pytest.param(
            "black sneakers for men size 9",
            "sneakers",
            ProductFilters(
                colour="Black",
                gender="Men",
                size="9",
                article_type=("Casual Shoes", "Sports Shoes"),
            ),
            id="colour-gender-size",
        ),
        pytest.param(
            "red dress between 50 and 20",
            "dress",
            ProductFilters(min_price=20.0, max_price=50.0, colour="Red",
                           article_type="Dresses"),
            id="price-range-either-order",
        ),
        pytest.param(
            "navy shirt over $30 in XL",
            "shirt in",
            ProductFilters(min_price=30.0, colour="Navy Blue", size="XL",
                           article_type="Shirts"),
            id="alias-colour-min-price-bare-size",
        ),
        pytest.param(
            "women's sandals below 40",
            "sandals",
            ProductFilters(max_price=40.0, gender="Women",
                           article_type=("Sandals", "Sports Sandals")),
            id="possessive-gender",
        ),
        pytest.param(
            "something nice for a summer party",
            "something nice for a summer party",
            ProductFilters(),
            id="nothing-to-take",
        ),
    ],
)  # fmt: skip
def test_parse_product_query(query: str, free: str, filters: ProductFilters) -> None:
    assert parse_product_query(query) == (free, filters)


def test_a_size_number_is_not_a_price() -> None:
    _, filters = parse_product_query("running shoes size 10")

    assert filters.size == "10"
    assert filters.max_price is None and filters.min_price is None
