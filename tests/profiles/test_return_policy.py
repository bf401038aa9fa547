"""The return window of each membership level, at its edges."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from profiles.errors import UnknownValue
from profiles.policy import (
    PROMO_CODE_VALID_DAYS,
    REFUND_DAYS,
    RETURN_WINDOW_DAYS,
    decide_return,
    order_return_state,
)

PURCHASE = date(2019, 11, 6)


def days_later(days: int) -> date:
    return PURCHASE + timedelta(days=days)


@pytest.mark.parametrize(
    "level, days, allowed",
    [
        pytest.param("bronze", 0, True, id="bronze-same-day"),
        pytest.param("bronze", 90, True, id="bronze-day-90"),
        pytest.param("bronze", 91, False, id="bronze-day-91"),
        pytest.param("silver", 182, True, id="silver-day-182"),
        pytest.param("silver", 183, False, id="silver-day-183"),
        pytest.param("guest", 30, True, id="guest-day-30"),
        pytest.param("guest", 31, False, id="guest-day-31"),
        pytest.param("gold", 0, True, id="gold-same-day"),
        pytest.param("gold", 5000, True, id="gold-years-later"),
    ],
)
def test_return_window_edges(level, days, allowed):
    decision = decide_return(level, PURCHASE, days_later(days))

    assert decision.allowed is allowed
    assert decision.days_since_purchase == days
    assert decision.membership_level == level
    assert decision.window_days == RETURN_WINDOW_DAYS[level]


def test_deadline_is_the_last_day_of_the_window():
    decision = decide_return("bronze", PURCHASE, date(2020, 6, 1))

    assert decision.deadline == date(2020, 2, 4) == days_later(90)
    assert decision.purchase_date == PURCHASE
    assert decide_return("gold", PURCHASE, date(2030, 1, 1)).deadline is None


def test_the_scenario_bronze_return_is_refused_months_later():
    decision = decide_return("bronze", PURCHASE, date(2020, 3, 1))

    assert not decision.allowed and decision.days_since_purchase == 116


def test_a_purchase_dated_after_today_counts_as_day_zero():
    decision = decide_return("guest", PURCHASE, PURCHASE - timedelta(days=1))

    assert decision.allowed and decision.days_since_purchase == 0


@pytest.mark.parametrize(
    "level",
    [pytest.param("platinum", id="made-up"), pytest.param("Gold", id="capitalised")],
)
def test_unknown_membership_level_raises(level):
    with pytest.raises(UnknownValue) as raised:
        decide_return(level, PURCHASE, PURCHASE)

    assert raised.value.field == "membership level" and raised.value.value == level


@pytest.mark.parametrize(
    "status, state",
    [
        pytest.param("delivered", "returnable", id="delivered"),
        pytest.param("shipped", "not_yet_delivered", id="shipped"),
        pytest.param("placed", "not_yet_delivered", id="placed"),
        pytest.param("returned", "not_returnable", id="returned"),
        pytest.param("refunded", "not_returnable", id="refunded"),
        pytest.param("cancelled", "not_returnable", id="cancelled"),
    ],
)
def test_only_delivered_orders_can_be_returned(status, state):
    assert order_return_state(status) == state


def test_order_return_state_refuses_unknown_status():
    with pytest.raises(UnknownValue):
        order_return_state("lost")


def test_quoted_promises():
    assert (REFUND_DAYS, PROMO_CODE_VALID_DAYS) == (7, 7)
