"""Errors the profile store raises.

    StoreError        anything the store refuses to do
    ├── UnknownValue  an argument outside its vocabulary (topic, status, level)
    ├── NotFound      a write names a record that does not exist
    └── NotAllowed    a change the record's state forbids (cancel a shipped order)

Reads never raise for unknown ids: they return None or an empty list.
"""

from __future__ import annotations


class StoreError(Exception):
    """Base class of the profile store's own errors."""


class UnknownValue(StoreError, ValueError):
    """`value` is not one of the values `field` may take."""

    def __init__(self, field: str, value: object) -> None:
        super().__init__(f"unknown {field}: {value!r}")
        self.field = field
        self.value = value


class NotFound(StoreError, LookupError):
    """No `kind` record has id `record_id` (for this customer)."""

    def __init__(self, kind: str, record_id: object) -> None:
        super().__init__(f"no {kind} with id {record_id!r}")
        self.kind = kind
        self.record_id = record_id


class NotAllowed(StoreError):
    """The record `record_id` is in a state that forbids the change."""

    def __init__(self, record_id: object, reason: str) -> None:
        super().__init__(f"{record_id!r}: {reason}")
        self.record_id = record_id
        self.reason = reason
