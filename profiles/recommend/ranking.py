"""From scores to the columns of the items to suggest.

`top_k` ranks many customers at once (benchmarks, batch jobs); `pick` ranks one
customer under the shop's rules: only allowed items (in stock, in a known
size, within budget: a boolean mask the caller builds), nothing already owned,
and at most `per_group` items of one category so the list is varied.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence

import numpy as np
import scipy.sparse as sp


def top_k(scores: np.ndarray, k: int, exclude: sp.spmatrix | None = None) -> np.ndarray:
    """Columns of the k best items of each row of `scores` (n, items), best first.

    Ties go to the lower column. `exclude` (n, items) marks items a row must
    not get (e.g. its history); a row with fewer than k other items is padded
    with -1.
    """
    scores = np.array(scores, dtype=np.float64, ndmin=2)
    if exclude is not None:
        marked = sp.coo_matrix(exclude)
        scores[marked.row, marked.col] = -np.inf
    k = min(k, scores.shape[1])
    if k == 0:
        return np.zeros((scores.shape[0], 0), dtype=np.int64)
    ranked = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    kth = np.take_along_axis(scores, ranked, axis=1).min(axis=1, keepdims=True)
    # where the k-th score is shared by items left out, settle the tie by column
    tied = (scores >= kth).sum(axis=1) > k
    ranked[tied] = np.argsort(-scores[tied], axis=1, kind="stable")[:, :k]
    values = np.take_along_axis(scores, ranked, axis=1)
    ranked = np.take_along_axis(ranked, np.lexsort((ranked, -values)), axis=1)
    ranked[np.take_along_axis(scores, ranked, axis=1) == -np.inf] = -1
    return ranked


def pick(
    scores: np.ndarray,
    k: int,
    *,
    allowed: np.ndarray | None = None,
    owned: Sequence[int] = (),
    groups: Sequence[Hashable] | None = None,
    per_group: int | None = None,
) -> list[int]:
    """Up to k columns for one customer's `scores` (items,), best first.

    `allowed` (items,) is True for items the rules let through; `owned` are
    left out; with `groups` (one label per item, e.g. the article type) no
    label appears more than `per_group` times. Ties go to the lower column.
    """
    scores = np.asarray(scores, dtype=np.float64)
    mask = np.ones(len(scores), dtype=bool) if allowed is None else allowed.copy()
    mask[list(owned)] = False
    candidates = np.flatnonzero(mask)
    order = candidates[np.lexsort((candidates, -scores[candidates]))]
    chosen: list[int] = []
    seen: Counter[Hashable] = Counter()
    for column in order:
        if groups is not None and per_group is not None:
            if seen[groups[column]] >= per_group:
                continue
            seen[groups[column]] += 1
        chosen.append(int(column))
        if len(chosen) == k:
            break
    return chosen
