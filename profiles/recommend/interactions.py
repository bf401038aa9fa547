"""Customer events turned into the weighted customers x items matrix the models read.

An event is (customer, item, kind, time). Its weight is the kind's weight (a
purchase counts more than a view or a search) halved every `half_life_days`
before `now`. The weights of one customer and item add up, then saturate the
way BM25 saturates term counts: one purchase today is worth 1.0, many are
worth at most 1 + `saturation`. Rows are customers, columns items; both id
maps travel with the matrix in an `Interactions` value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from profiles.errors import UnknownValue

PURCHASE, CART, VIEW, SEARCH = "purchase", "cart", "view", "search"
# A purchase is the strongest evidence of taste; putting an article in the cart
# is half of it, looking at it or finding it in a search much less. The ratios
# follow the usual implicit-feedback practice (a view is noisy, a purchase is
# paid for); bench/recommend.py measures purchases alone, which the demo shop
# and the baskets have.
DEFAULT_KIND_WEIGHTS = MappingProxyType(
    {PURCHASE: 1.0, CART: 0.5, VIEW: 0.2, SEARCH: 0.1}
)
# Tastes in clothing move with the seasons: an event loses half its weight in
# about three months.
DEFAULT_HALF_LIFE_DAYS = 90.0
DEFAULT_SATURATION = 2.0  # k events of weight 1 are worth k(1+s)/(k+s), at most 1+s
SECONDS_PER_DAY = 86_400.0


class Event(NamedTuple):
    """One thing a customer did with one article: `kind` is a key of the weights."""

    customer: str
    item: str
    kind: str
    at: datetime


@dataclass(frozen=True)
class EventWeights:
    """How events become matrix values: weight per kind, decay and saturation.

    `half_life_days` None keeps old events at full weight; `saturation` None
    lets repeated events add up without a ceiling.
    """

    kinds: Mapping[str, float] = field(default_factory=lambda: DEFAULT_KIND_WEIGHTS)
    half_life_days: float | None = DEFAULT_HALF_LIFE_DAYS
    saturation: float | None = DEFAULT_SATURATION

    def __post_init__(self) -> None:
        if any(weight < 0 for weight in self.kinds.values()):
            raise ValueError("event weights must not be negative")
        if self.half_life_days is not None and self.half_life_days <= 0:
            raise ValueError("half_life_days must be positive")
        if self.saturation is not None and self.saturation <= 0:
            raise ValueError("saturation must be positive")

    def of_kind(self, kind: str) -> float:
        """The weight of one fresh event; UnknownValue for a kind not listed."""
        try:
            return self.kinds[kind]
        except KeyError:
            raise UnknownValue("event kind", kind) from None

    def decay(self, age_days: np.ndarray) -> np.ndarray:
        """Factor in (0, 1] per age; events from the future count as fresh."""
        if self.half_life_days is None:
            return np.ones_like(age_days, dtype=np.float64)
        ages = np.maximum(np.asarray(age_days, dtype=np.float64), 0.0)
        return np.exp2(-ages / self.half_life_days)

    def saturate(self, totals: np.ndarray) -> np.ndarray:
        """Summed weights mapped to t(1+s)/(t+s): 1 stays 1, the ceiling is 1+s."""
        if self.saturation is None:
            return totals
        return totals * (1.0 + self.saturation) / (totals + self.saturation)


@dataclass(frozen=True)
class Interactions:
    """The weighted customers x items matrix and the ids of its rows and columns.

    `matrix` is CSR, float32, shape (len(customers), len(items)), no explicit
    zeros. Ids are strings; a column may be empty (an article nobody touched
    yet, which only content similarity reaches).
    """

    matrix: sp.csr_matrix
    customers: tuple[str, ...]
    items: tuple[str, ...]
    _rows: Mapping[str, int] = field(init=False, repr=False, compare=False)
    _columns: Mapping[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.matrix.shape != (len(self.customers), len(self.items)):
            raise ValueError(
                f"matrix {self.matrix.shape} does not match "
                f"{len(self.customers)} customers x {len(self.items)} items"
            )
        object.__setattr__(self, "_rows", _index_of(self.customers, "customer"))
        object.__setattr__(self, "_columns", _index_of(self.items, "item"))

    def row_of(self, customer: str) -> int | None:
        return self._rows.get(customer)

    def column_of(self, item: str) -> int | None:
        return self._columns.get(item)

    def history(self, customer: str) -> sp.csr_matrix:
        """The customer's row, shape (1, items); empty for an unknown customer."""
        row = self.row_of(customer)
        if row is None:
            return sp.csr_matrix((1, len(self.items)), dtype=np.float32)
        return self.matrix[row]

    def history_of(
        self,
        events: Iterable[Event],
        weights: EventWeights = EventWeights(),
        *,
        now: datetime,
    ) -> sp.csr_matrix:
        """One customer's events as a (1, items) row over these columns.

        This is how a new order reaches the suggestions at once: the models
        score a history row, so rebuilding the row needs no retraining.
        Events of articles without a column are left out.
        """
        kept = [
            event._replace(customer="")
            for event in events
            if event.item in self._columns
        ]
        return from_events(
            kept, weights, now=now, customers=("",), items=self.items
        ).matrix

    def item_ids(self, columns: Iterable[int]) -> list[str]:
        return [self.items[column] for column in columns]


def from_events(
    events: Iterable[Event],
    weights: EventWeights = EventWeights(),
    *,
    now: datetime | None = None,
    customers: Sequence[str] | None = None,
    items: Sequence[str] | None = None,
) -> Interactions:
    """Weighted interactions of `events`, decayed to `now` (default: the latest).

    `customers` and `items` fix the rows and columns (e.g. the whole catalog,
    so a new article has a column); without them the ids appear in order of
    first sight. With fixed ids, an event of an unknown id raises KeyError.
    """
    events = list(events)
    if now is None:
        now = max((event.at for event in events), default=datetime.min)
    ages = np.array(
        [(now - event.at).total_seconds() / SECONDS_PER_DAY for event in events],
        dtype=np.float64,
    )
    kinds = np.array([weights.of_kind(event.kind) for event in events])
    row_ids = customers if customers is not None else _first_seen(events, 0)
    column_ids = items if items is not None else _first_seen(events, 1)
    rows = _positions([event.customer for event in events], row_ids)
    columns = _positions([event.item for event in events], column_ids)
    values = kinds * weights.decay(ages)
    return from_arrays(rows, columns, values, row_ids, column_ids, weights)


def from_arrays(
    rows: np.ndarray,
    columns: np.ndarray,
    values: np.ndarray,
    customers: Sequence[str],
    items: Sequence[str],
    weights: EventWeights = EventWeights(),
) -> Interactions:
    """Interactions from parallel arrays of already weighted and decayed events.

    Duplicate (row, column) pairs are summed, then saturated; zero totals are
    dropped. The bulk path for benchmarks and large histories.
    """
    shape = (len(customers), len(items))
    summed = sp.coo_matrix(
        (np.asarray(values, dtype=np.float64), (rows, columns)), shape=shape
    ).tocsr()
    summed.sum_duplicates()
    summed.data = weights.saturate(summed.data)
    summed.eliminate_zeros()
    matrix = summed.astype(np.float32)
    return Interactions(matrix, tuple(customers), tuple(items))


def _first_seen(events: Sequence[Event], field_index: int) -> tuple[str, ...]:
    return tuple(dict.fromkeys(event[field_index] for event in events))


def _positions(ids: Sequence[str], known: Sequence[str]) -> np.ndarray:
    """Index of each id in `known`; KeyError for an id not in it."""
    index = {value: position for position, value in enumerate(known)}
    return np.array([index[value] for value in ids], dtype=np.int64)


def _index_of(ids: Sequence[str], what: str) -> Mapping[str, int]:
    index = {value: position for position, value in enumerate(ids)}
    if len(index) != len(ids):
        raise ValueError(f"duplicate {what} ids")
    return MappingProxyType(index)
