"""The closed sets of words the store accepts, shared by models, store and policy."""

from __future__ import annotations

from .errors import UnknownValue

MEMBERSHIP_LEVELS = ("guest", "bronze", "silver", "gold")
ORDER_STATUSES = ("placed", "shipped", "delivered", "returned", "refunded", "cancelled")
OPEN_ORDER_STATUSES = ("placed", "shipped")
TICKET_STATUSES = ("open", "in_progress", "resolved", "closed")
OPEN_TICKET_STATUSES = ("open", "in_progress")
CLOSED_TICKET_STATUSES = ("resolved", "closed")
TICKET_TOPICS = (
    "return",
    "refund",
    "handoff",
    "cancellation",
    "address_change",
    "exchange",
    "complaint",
    "manager_review",
)
PRODUCT_SOURCES = ("catalog", "scenario")


def checked(field: str, value: str, allowed: tuple[str, ...]) -> str:
    """`value` itself when it is one of `allowed`, else UnknownValue."""
    if value not in allowed:
        raise UnknownValue(field, value)
    return value
