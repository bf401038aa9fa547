"""Who is talking: the customer named by a verified token, or a guest.

The page (or a messaging connector) sends the shop's signed customer token in
the message metadata under `customer_token`. It is verified on every message
that reaches an action; slots, entities and the sender id are never taken as
identity, because the customer (or any REST caller) can set them.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from rasa_sdk import Tracker

from actions.services import Services
from profiles.identity import InvalidToken, verify_token
from profiles.views import CustomerView

TOKEN_METADATA_KEY = "customer_token"

logger = logging.getLogger(__name__)


def token_from(tracker: Tracker) -> str | None:
    """The customer token of the latest user message, if it carries one."""
    metadata: Any = (tracker.latest_message or {}).get("metadata") or {}
    if not isinstance(metadata, dict):
        return None
    token = metadata.get(TOKEN_METADATA_KEY)
    return token if isinstance(token, str) and token else None


def identify(tracker: Tracker, services: Services) -> CustomerView | None:
    """The signed-in customer of this message, or None for a guest."""
    token = token_from(tracker)
    if token is None:
        return None
    try:
        claims = verify_token(token, services.token_secret, now=services.now())
    except InvalidToken as error:
        logger.info("Token refused (%s); answering as a guest", error.reason)
        return None
    customer = services.store.customer(claims.customer_id)
    if customer is None:
        logger.info("Token names no known customer; answering as a guest")
    return customer


def customer_hash(customer: CustomerView | None) -> str:
    """A short, stable stand-in for a customer id in log lines."""
    if customer is None:
        return "guest"
    return hashlib.sha256(customer.id.encode()).hexdigest()[:10]
