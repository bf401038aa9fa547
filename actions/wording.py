"""Values the domain's responses are filled with, taken from store records.

The sentences live in `domain.yml`; this module only turns records into the
values those sentences name (dates, order summaries, the response to use for
an order's status).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from profiles.views import OrderView, TicketView


def day(value: date | datetime | None) -> str:
    """A date as customers read it, e.g. "6 November 2019"."""
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y}"


def order_values(order: OrderView) -> dict[str, Any]:
    """Everything an order response may name."""
    return {
        "order_id": order.id,
        "order_summary": order.summary,
        "order_status": order.status.replace("_", " "),
        "purchase_date": day(order.placed_at),
        "placed_date": day(order.placed_at),
        "shipped_date": day(order.shipped_at),
        "delivered_date": day(order.delivered_at),
        "carrier": order.carrier or "",
        "tracking_number": order.tracking_number or "",
        "payment_method": order.payment_method or "original payment method",
    }


def order_status_response(order: OrderView) -> str:
    """The response that tells an order's status, one per status."""
    return f"utter_order_{order.status}"


def ticket_values(ticket: TicketView) -> dict[str, Any]:
    return {
        "ticket_id": ticket.id,
        "ticket_topic": ticket.topic.replace("_", " "),
        "ticket_status": ticket.status.replace("_", " "),
        "ticket_date": day(ticket.created_at),
        "ticket_outcome": ticket.outcome or "",
    }


def last_digits(phone: str | None, count: int = 2) -> str:
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    return digits[-count:]


def order_button(order: OrderView, intent: str = "inform") -> dict[str, str]:
    """A button that names an order by its record and picks it by id."""
    title = f"{order.id}: {order.summary} ({day(order.placed_at)})"
    return {"title": title, "payload": f'/{intent}{{"order_id": "{order.id}"}}'}
