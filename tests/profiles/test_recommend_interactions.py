"""Events to the weighted matrix: kind weights, decay, saturation and id maps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from profiles.errors import UnknownValue
from profiles.recommend import Event, EventWeights, from_events
from profiles.recommend.interactions import PURCHASE, SEARCH, VIEW

NOW = datetime(2024, 6, 1, tzinfo=UTC)
PLAIN = EventWeights(half_life_days=None, saturation=None)


def event(customer: str, item: str, kind: str = PURCHASE, days_ago: float = 0):
    return Event(customer, item, kind, NOW - timedelta(days=days_ago))


def value(built, customer: str, item: str) -> float:
    return float(built.matrix[built.row_of(customer), built.column_of(item)])


def test_a_purchase_weighs_more_than_a_view_or_a_search() -> None:
    built = from_events(
        [
            event("ann", "chinos"),
            event("ann", "shirt", VIEW),
            event("ann", "cap", SEARCH),
        ],
        PLAIN,
        now=NOW,
    )

    assert value(built, "ann", "chinos") == pytest.approx(1.0)
    assert value(built, "ann", "shirt") == pytest.approx(0.2)
    assert value(built, "ann", "cap") == pytest.approx(0.1)


def test_configured_weights_replace_the_defaults() -> None:
    weights = EventWeights(kinds={PURCHASE: 3.0, VIEW: 1.5}, half_life_days=None)
    built = from_events([event("ann", "chinos", VIEW)], weights, now=NOW)

    assert value(built, "ann", "chinos") == pytest.approx(1.5 * 3 / 3.5)


def test_an_event_loses_half_its_weight_every_half_life() -> None:
    weights = EventWeights(half_life_days=30.0, saturation=None)
    built = from_events(
        [
            event("ann", "new"),
            event("ann", "month", days_ago=30),
            event("ann", "old", days_ago=90),
        ],
        weights,
        now=NOW,
    )

    assert value(built, "ann", "new") == pytest.approx(1.0)
    assert value(built, "ann", "month") == pytest.approx(0.5)
    assert value(built, "ann", "old") == pytest.approx(0.125)


def test_an_event_after_now_counts_as_fresh() -> None:
    built = from_events([event("ann", "boots", days_ago=-3)], EventWeights(), now=NOW)

    assert value(built, "ann", "boots") == pytest.approx(1.0)


def test_now_defaults_to_the_latest_event() -> None:
    weights = EventWeights(half_life_days=10.0, saturation=None)
    built = from_events([event("ann", "a", days_ago=10), event("bob", "b")], weights)

    assert value(built, "ann", "a") == pytest.approx(0.5)
    assert value(built, "bob", "b") == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("repeats", "expected"),
    [(1, 1.0), (2, 2 * 3 / 4), (4, 4 * 3 / 6), (100, 100 * 3 / 102)],
)
def test_repeated_events_add_up_and_saturate(repeats: int, expected: float) -> None:
    weights = EventWeights(half_life_days=None, saturation=2.0)
    built = from_events([event("ann", "socks")] * repeats, weights, now=NOW)

    assert value(built, "ann", "socks") == pytest.approx(expected)
    assert value(built, "ann", "socks") < 3.0


def test_events_of_one_pair_are_summed_before_saturation() -> None:
    weights = EventWeights(half_life_days=None, saturation=2.0)
    built = from_events(
        [event("ann", "socks"), event("ann", "socks", VIEW)], weights, now=NOW
    )

    assert value(built, "ann", "socks") == pytest.approx(1.2 * 3 / 3.2)


def test_ids_map_to_rows_and_columns_and_back() -> None:
    built = from_events(
        [event("ann", "chinos"), event("bob", "shirt"), event("ann", "shirt")], PLAIN
    )

    assert built.customers == ("ann", "bob")
    assert built.items == ("chinos", "shirt")
    assert built.matrix.shape == (2, 2)
    assert built.item_ids([1, 0]) == ["shirt", "chinos"]
    assert built.row_of("carl") is None and built.column_of("hat") is None
    assert built.matrix.toarray().tolist() == [[1.0, 1.0], [0.0, 1.0]]


def test_fixed_items_keep_a_column_for_an_article_nobody_touched() -> None:
    built = from_events(
        [event("ann", "chinos")], PLAIN, items=("chinos", "new coat"), now=NOW
    )

    assert built.matrix.shape == (1, 2)
    assert built.matrix[:, built.column_of("new coat")].nnz == 0


def test_an_event_of_an_item_outside_fixed_ids_raises() -> None:
    with pytest.raises(KeyError):
        from_events([event("ann", "hat")], PLAIN, items=("chinos",), now=NOW)


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(UnknownValue) as raised:
        from_events([event("ann", "chinos", "wishlist")], EventWeights(), now=NOW)

    assert raised.value.value == "wishlist"


@pytest.mark.parametrize(
    "settings",
    [
        pytest.param({"kinds": {PURCHASE: -1.0}}, id="negative-weight"),
        pytest.param({"half_life_days": 0.0}, id="zero-half-life"),
        pytest.param({"saturation": -2.0}, id="negative-saturation"),
    ],
)
def test_weights_out_of_range_are_refused(settings: dict) -> None:
    with pytest.raises(ValueError):
        EventWeights(**settings)


def test_a_history_row_is_rebuilt_from_new_events_without_refitting() -> None:
    weights = EventWeights(half_life_days=30.0)
    built = from_events(
        [event("ann", "chinos", days_ago=30), event("bob", "shirt")], weights, now=NOW
    )
    newer = [
        event("ann", "chinos", days_ago=30),
        event("ann", "shirt"),
        event("ann", "hat"),
    ]

    row = built.history_of(newer, weights, now=NOW)

    assert row.shape == (1, 2)
    assert row.toarray()[0] == pytest.approx([0.5 * 3 / 2.5, 1.0])


def test_an_unknown_customer_has_an_empty_history() -> None:
    built = from_events([event("ann", "chinos")], PLAIN)

    assert built.history("zoe").shape == (1, 1)
    assert built.history("zoe").nnz == 0
    assert np.array_equal(built.history("ann").toarray(), [[1.0]])


def test_duplicate_ids_are_refused() -> None:
    with pytest.raises(ValueError):
        from_events([event("ann", "a")], PLAIN, customers=("ann", "ann"))
