"""The customer values a response template may use, for the customer named by
the signed token of the conversation's latest message.

Nothing else identifies a customer here: slots and the sender id can be set by
whoever talks to the assistant. A customer who turned personalization off, a
guest, or a token that does not verify gives no values, so templates that
use them fall back to a plain variant.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from actions.wording import order_values
from profiles.identity import InvalidToken, verify_token
from profiles.views import CustomerView, OrderView

logger = logging.getLogger(__name__)

TOKEN_METADATA_KEY = "customer_token"  # as actions.identity reads it
# What `customer` holds in a template (see customer_values); the console lists them.
PROFILE_FIELDS = (
    "customer.first_name",
    "customer.membership_level",
    "customer.last_order.id",
    "customer.last_order.summary",
    "customer.last_order.status",
    "customer.last_order.placed_date",
)


class Profiles(Protocol):
    """The two profile store methods read here."""

    def customer(self, customer_id: str) -> CustomerView | None: ...

    def orders(self, customer_id: str) -> Sequence[OrderView]: ...


def token_of(tracker: Mapping[str, Any]) -> str | None:
    """The customer token in the metadata of the tracker's latest message."""
    latest = tracker.get("latest_message")
    metadata = latest.get("metadata") if isinstance(latest, dict) else None
    token = metadata.get(TOKEN_METADATA_KEY) if isinstance(metadata, dict) else None
    return token if isinstance(token, str) and token else None


def customer_values(
    customer: CustomerView, orders: Sequence[OrderView]
) -> dict[str, Any]:
    """`customer.*` of a template: first name, membership level, last order."""
    values: dict[str, Any] = {
        "first_name": customer.first_name,
        "membership_level": customer.membership_level,
    }
    if orders:
        last = order_values(orders[0])
        values["last_order"] = {
            "id": last["order_id"],
            "summary": last["order_summary"],
            "status": last["order_status"],
            "placed_date": last["placed_date"],
        }
    return values


def profile_lookup(
    profiles: Profiles, secret: bytes, now: Callable[[], datetime]
) -> Callable[[Mapping[str, Any]], dict[str, Any] | None]:
    """A function from an NLG request's tracker to its customer's values."""

    def lookup(tracker: Mapping[str, Any]) -> dict[str, Any] | None:
        token = token_of(tracker)
        if token is None:
            return None
        try:
            claims = verify_token(token, secret, now=now())
        except InvalidToken as error:
            logger.info("Token refused for a response (%s)", error.reason)
            return None
        customer = profiles.customer(claims.customer_id)
        if customer is None or not customer.personalization_enabled:
            return None
        return customer_values(customer, profiles.orders(customer.id))

    return lookup


def demo_tracker(token: str | None) -> dict[str, Any]:
    """The smallest tracker a preview renders against."""
    metadata = {TOKEN_METADATA_KEY: token} if token else {}
    return {"slots": {}, "latest_message": {"metadata": metadata}}
