"""Suggestions from purchase history: interaction matrix, models, blend, ranking.

numpy and scipy (threadpoolctl caps BLAS threads while fitting); no SQL, no
model files. The store turns its orders and
events into `interactions.Event`s, `interactions.from_events` makes the matrix,
a model or the `Blend` scores customers' history rows, and `ranking.pick`
applies the shop's rules. See README.md in this folder for the models, their
defaults and the benchmark behind them.
"""

from .blend import DEFAULT_WEIGHTS, Blend, Reason, default_blend, normalized
from .interactions import Event, EventWeights, Interactions, from_arrays, from_events
from .models import (
    ALS,
    EASE,
    Content,
    Contribution,
    ItemKNN,
    ItemToItem,
    Popularity,
    Recommender,
)
from .ranking import pick, top_k

__all__ = [
    "ALS",
    "DEFAULT_WEIGHTS",
    "EASE",
    "Blend",
    "Content",
    "Contribution",
    "Event",
    "EventWeights",
    "Interactions",
    "ItemKNN",
    "ItemToItem",
    "Popularity",
    "Reason",
    "Recommender",
    "default_blend",
    "from_arrays",
    "from_events",
    "normalized",
    "pick",
    "top_k",
]
