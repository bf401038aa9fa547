"""The shop's return policy and the service promises the dialogue quotes.

Returns depend on membership level and on the days since the purchase (the
order's placed date): gold members may return at any time, silver members
within 182 days (six months), bronze within 90 and guests within 30. Every
online order has its receipt on record, so no receipt or packaging exception
is needed. Only a delivered order can be returned; one that is placed or
shipped has not arrived yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .vocabulary import MEMBERSHIP_LEVELS, ORDER_STATUSES, checked

RETURN_WINDOW_DAYS: dict[str, int | None] = {
    "gold": None,  # unlimited
    "silver": 182,
    "bronze": 90,
    "guest": 30,
}
RETURNABLE_ORDER_STATUSES = ("delivered",)
NOT_YET_DELIVERED_STATUSES = ("placed", "shipped")
REFUND_DAYS = 7  # a processed refund reaches the original payment method within
PROMO_CODE_VALID_DAYS = 7  # from the day the code is issued


@dataclass(frozen=True)
class ReturnDecision:
    """Whether a purchase may still be returned, with the figures that decided it.

    `deadline` is the last day a return is accepted; None when unlimited.
    """

    allowed: bool
    membership_level: str
    window_days: int | None
    purchase_date: date
    deadline: date | None
    days_since_purchase: int


def decide_return(
    membership_level: str, purchase_date: date, today: date
) -> ReturnDecision:
    """Apply the return window of `membership_level` to a purchase.

    Day N of the window is still inside it (bronze: day 90 yes, day 91 no). A
    purchase date after `today` (clock skew) counts as day 0.
    """
    checked("membership level", membership_level, MEMBERSHIP_LEVELS)
    window = RETURN_WINDOW_DAYS[membership_level]
    days = max(0, (today - purchase_date).days)
    deadline = None if window is None else purchase_date + timedelta(days=window)
    return ReturnDecision(
        allowed=window is None or days <= window,
        membership_level=membership_level,
        window_days=window,
        purchase_date=purchase_date,
        deadline=deadline,
        days_since_purchase=days,
    )


def order_return_state(order_status: str) -> str:
    """Whether an order's status lets it be returned: "returnable",
    "not_yet_delivered" or "not_returnable".

    Returned, refunded and cancelled orders have nothing left to send back.
    """
    checked("order status", order_status, ORDER_STATUSES)
    if order_status in RETURNABLE_ORDER_STATUSES:
        return "returnable"
    if order_status in NOT_YET_DELIVERED_STATUSES:
        return "not_yet_delivered"
    return "not_returnable"
