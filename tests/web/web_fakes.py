"""Stand-ins for the profile store and the token issuer in page server tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

SECRET = b"test-secret-of-the-page-server-32b"


@dataclass(frozen=True)
class FakeCustomer:
    """The fields of profiles.store.CustomerView the page server reads."""

    id: str
    first_name: str
    last_name: str
    membership_level: str
    email: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


CUSTOMERS = [
    FakeCustomer("cminh730", "Minh", "Cao", "gold", "minh@example.test"),
    FakeCustomer("jdoe101", "Jane", "Doe", "silver", "jane@example.test"),
    FakeCustomer("guest042", "Alex", "Berg", "guest", "alex@example.test"),
]


class FakeStore:
    """Answers demo_customers and customer from a fixed list, and records calls."""

    def __init__(self, customers: list[FakeCustomer]) -> None:
        self.customers = {customer.id: customer for customer in customers}
        self.limits: list[int] = []

    def demo_customers(self, limit: int = 50) -> list[FakeCustomer]:
        self.limits.append(limit)
        return list(self.customers.values())[:limit]

    def customer(self, customer_id: str) -> FakeCustomer | None:
        return self.customers.get(customer_id)


@dataclass
class IssuedToken:
    customer_id: str
    secret: bytes
    ttl: timedelta
    now: datetime


class FakeIssuer:
    """Stands in for profiles.identity.issue_token and keeps what it was asked."""

    def __init__(self) -> None:
        self.issued: list[IssuedToken] = []

    def __call__(
        self, customer_id: str, secret: bytes, *, ttl: timedelta, now: datetime
    ) -> str:
        self.issued.append(IssuedToken(customer_id, secret, ttl, now))
        return f"token-{len(self.issued)}-{customer_id}"
