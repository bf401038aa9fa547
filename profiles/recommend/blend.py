"""The blend of several recommenders, with cold start, and the reason for a score.

Each component's scores are normalized per customer (negatives to 0, the
customer's best item to 1) and added with fixed weights, chosen on a
validation split by bench/recommend.py. A customer without history gets the
popularity of their segment, plus content matches to what they asked for; an
item nobody has interacted with yet gets its content score alone, scaled by
`cold_item_weight`, so a new article still reaches the customers who own
something like it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import NamedTuple, Self

import numpy as np
import scipy.sparse as sp

from .models import ALS, Content, ItemKNN, Popularity, Recommender, Segment, as_rows

# A new article that is the closest content match to the customer's history
# counts half as much as the best-scored article with a history of its own.
DEFAULT_COLD_ITEM_WEIGHT = 0.5
DEFAULT_QUERY_WEIGHT = 1.0  # what the customer said, beside the blend's total of 1
# The weights bench/recommend.py chose on the Online Retail sample's validation
# split, the closer of its two data sets to a shop with named articles (the
# grocery baskets, with nearly no personal signal, chose mostly popularity).
# item_knn weighs nothing in the sum; it is kept for "often bought with" reasons.
DEFAULT_WEIGHTS = MappingProxyType(
    {"popularity": 0.2, "item_knn": 0.0, "als": 0.3, "content": 0.5}
)


class Reason(NamedTuple):
    """Why an item scored: the component that added most and, for the
    item-to-item ones, the owned item behind it (`source`, a column)."""

    model: str
    source: int | None
    weight: float


def normalized(scores: np.ndarray) -> np.ndarray:
    """Rows of `scores` (n, items) with negatives at 0 and each row's best at 1."""
    positive = np.maximum(np.asarray(scores, dtype=np.float32), 0.0)
    best = positive.max(axis=1, keepdims=True) if positive.size else positive
    return np.divide(positive, best, out=np.zeros_like(positive), where=best > 0)


class Blend:
    """A weighted sum of normalized component scores; see the module docstring.

    `components` maps names to unfitted models and must hold one Popularity
    (the cold-start answer); a Content component also serves cold items and
    query vectors. `weights` gives each component's weight, normally summing
    to 1; a component left out weighs 0.
    """

    name = "blend"

    def __init__(
        self,
        components: Mapping[str, Recommender],
        weights: Mapping[str, float],
        *,
        cold_item_weight: float = DEFAULT_COLD_ITEM_WEIGHT,
        query_weight: float = DEFAULT_QUERY_WEIGHT,
    ) -> None:
        unknown = set(weights) - set(components)
        if unknown:
            raise ValueError(f"weights for unknown components: {sorted(unknown)}")
        self.components = dict(components)
        self.weights = {name: float(weights.get(name, 0.0)) for name in components}
        self.popularity = self._one_of(Popularity, required=True)
        self.content = self._one_of(Content, required=False)
        self.cold_item_weight = cold_item_weight
        self.query_weight = query_weight
        self.fit_seconds = 0.0
        self.cold_items_ = np.zeros(0, dtype=bool)

    def _one_of(self, kind: type, *, required: bool) -> str | None:
        names = [
            name for name, model in self.components.items() if isinstance(model, kind)
        ]
        if len(names) > 1 or (required and not names):
            raise ValueError(
                f"a blend needs {'exactly' if required else 'at most'} "
                f"one {kind.__name__} component"
            )
        return names[0] if names else None

    def fit(
        self, matrix: sp.spmatrix, segments: Sequence[Segment] | None = None
    ) -> Self:
        """Fits every component; items with an empty column become cold items."""
        started = time.perf_counter()
        rows = as_rows(matrix)
        for name, model in self.components.items():
            if name == self.popularity:
                model.fit(rows, segments)
            else:
                model.fit(rows)
        self.cold_items_ = np.diff(rows.tocsc().indptr) == 0
        self.fit_seconds = time.perf_counter() - started
        return self

    def component_scores(
        self, history: sp.spmatrix, segments: Sequence[Segment] | None = None
    ) -> dict[str, np.ndarray]:
        """Each component's normalized scores (n, items), by name."""
        rows = as_rows(history)
        parts = {}
        for name, model in self.components.items():
            if name == self.popularity:
                parts[name] = normalized(model.scores(rows, segments))
            else:
                parts[name] = normalized(model.scores(rows))
        return parts

    def combine(
        self,
        parts: Mapping[str, np.ndarray],
        history: sp.spmatrix,
        *,
        weights: Mapping[str, float] | None = None,
        queries: np.ndarray | None = None,
    ) -> np.ndarray:
        """Blended scores (n, items) from `component_scores` (other `weights` allowed).

        `queries` (n, dim) holds a vector of what each customer said; an
        all-zero row means nothing was said.
        """
        weights = self.weights if weights is None else weights
        rows = as_rows(history)
        total = sum(weights.get(name, 0.0) * part for name, part in parts.items())
        total = np.array(total, dtype=np.float32)
        if self.content is not None:
            cold = self.cold_items_
            total[:, cold] = self.cold_item_weight * parts[self.content][:, cold]
        newcomers = np.diff(rows.indptr) == 0
        total[newcomers] = parts[self.popularity][newcomers]
        if queries is not None and self.content is not None:
            asked = self.components[self.content].query_scores(queries)
            total += self.query_weight * normalized(asked)
        return total

    def scores(
        self,
        history: sp.spmatrix,
        segments: Sequence[Segment] | None = None,
        queries: np.ndarray | None = None,
    ) -> np.ndarray:
        """Blended scores (n, items); `segments` and `queries` are per row."""
        parts = self.component_scores(history, segments)
        return self.combine(parts, history, queries=queries)

    def explain(
        self,
        history: sp.spmatrix,
        item: int,
        segment: Segment = None,
        parts: Mapping[str, np.ndarray] | None = None,
    ) -> Reason:
        """The reason behind one customer's score of `item`.

        The component with the largest weighted share of the item's score is
        named; an item-to-item one (or ALS) also names the owned item that
        added most (for popularity, `source` is None). A customer without
        history and an item only reached through content get those answers
        directly. `parts` may pass this customer's `component_scores`, so
        several suggestions are explained without scoring again.
        """
        row = as_rows(history)
        parts = self.component_scores(row, [segment]) if parts is None else parts
        if not row.nnz:
            return Reason(self.popularity, None, float(parts[self.popularity][0, item]))
        if self.content is not None and self.cold_items_[item]:
            shares = {
                self.content: self.cold_item_weight * parts[self.content][0, item]
            }
        else:
            shares = {
                name: self.weights[name] * part[0, item] for name, part in parts.items()
            }
        for name in sorted(shares, key=lambda name: -shares[name]):
            model = self.components[name]
            source = model.because(row, item) if hasattr(model, "because") else None
            if name == self.popularity or source is not None:
                return Reason(
                    name, None if source is None else source.item, float(shares[name])
                )
        return Reason(self.popularity, None, float(shares.get(self.popularity, 0.0)))


def default_blend(vectors: np.ndarray | None = None) -> Blend:
    """Popularity, ItemKNN, ALS and (with item vectors) Content at their defaults,
    weighted by DEFAULT_WEIGHTS; without vectors the others' weights are scaled
    back to a sum of 1. Unfitted."""
    components: dict[str, Recommender] = {
        "popularity": Popularity(),
        "item_knn": ItemKNN(),
        "als": ALS(),
    }
    if vectors is not None:
        components["content"] = Content(vectors)
    weights = {name: DEFAULT_WEIGHTS[name] for name in components}
    total = sum(weights.values())
    return Blend(components, {name: w / total for name, w in weights.items()})
