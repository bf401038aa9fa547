"""Recommenders over the weighted customers x items matrix of `interactions`.

Every model has `fit(matrix)` and `scores(history)`: `history` is a CSR matrix
of shape (n, items), one row per customer (a row of the training matrix, or a
row rebuilt from the customer's latest events), and the result a dense float32
array of shape (n, items), higher meaning more likely wanted. Scoring reads
the history row at call time, so a new order changes the next suggestions
without refitting. The item-to-item models (ItemKNN, EASE, Content) and ALS
also split an item's score into what each owned item added (`contributions`),
which is what a reason shown to the customer names.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Hashable, Sequence
from typing import NamedTuple, Protocol, Self

import numpy as np
import scipy.sparse as sp
from scipy.linalg import lapack
from threadpoolctl import threadpool_limits

logger = logging.getLogger(__name__)

Segment = Hashable | None  # e.g. a membership level; None: no known segment
# BLAS threads while fitting (None: the library's default). On this project's
# two busy cores a second OpenBLAS thread made a 3,000-item EASE fit three to
# four times slower, and a 167-item one 100 times (it waits for a free core);
# raise it on an idle machine with more cores.
DEFAULT_FIT_THREADS = 1


class Contribution(NamedTuple):
    """What owning the item in column `item` added to another item's score."""

    item: int
    weight: float


class Recommender(Protocol):
    name: str
    fit_seconds: float

    def fit(self, matrix: sp.spmatrix) -> Self: ...

    def scores(self, history: sp.spmatrix) -> np.ndarray: ...


def as_rows(matrix: sp.spmatrix | sp.sparray) -> sp.csr_matrix:
    """`matrix` as float32 CSR with sorted indices, copied only when needed."""
    rows = sp.csr_matrix(matrix, dtype=np.float32)
    if not rows.has_sorted_indices:
        rows.sort_indices()
    return rows


class Popularity:
    """Items by their summed interaction weight, overall or within a segment.

    A segment's shares are shrunk towards the overall shares by `segment_prior`
    units of weight, so a small segment mostly follows the whole shop. Scores
    are shares of weight in [0, 1].
    """

    name = "popularity"

    def __init__(self, *, segment_prior: float = 10.0) -> None:
        self.segment_prior = segment_prior
        self.fit_seconds = 0.0
        self.overall_: np.ndarray = np.zeros(0, dtype=np.float32)
        self.by_segment_: dict[Segment, np.ndarray] = {}

    def fit(
        self, matrix: sp.spmatrix, segments: Sequence[Segment] | None = None
    ) -> Self:
        """Shares per item; `segments` names the segment of each matrix row."""
        started = time.perf_counter()
        rows = as_rows(matrix)
        totals = np.asarray(rows.sum(axis=0), dtype=np.float64).ravel()
        self.overall_ = _shares(totals).astype(np.float32)
        self.by_segment_ = {}
        if segments is not None:
            self.by_segment_ = self._segment_shares(rows, segments)
        self.fit_seconds = time.perf_counter() - started
        return self

    def _segment_shares(
        self, rows: sp.csr_matrix, segments: Sequence[Segment]
    ) -> dict[Segment, np.ndarray]:
        if len(segments) != rows.shape[0]:
            raise ValueError("one segment per matrix row is needed")
        labels = np.array(segments, dtype=object)
        shares = {}
        for segment in dict.fromkeys(segments):
            if segment is None:
                continue
            totals = np.asarray(rows[labels == segment].sum(axis=0)).ravel()
            prior = self.segment_prior * self.overall_.astype(np.float64)
            shares[segment] = _shares(totals + prior).astype(np.float32)
        return shares

    def item_scores(self, segment: Segment = None) -> np.ndarray:
        """Shares of the segment (the whole shop for None or an unknown one)."""
        return self.by_segment_.get(segment, self.overall_)

    def scores(
        self, history: sp.spmatrix, segments: Sequence[Segment] | None = None
    ) -> np.ndarray:
        """The same shares for every row, or its segment's when `segments` is given."""
        count = history.shape[0]
        if segments is None:
            return np.tile(self.overall_, (count, 1))
        return np.vstack([self.item_scores(segment) for segment in segments])


def _shares(totals: np.ndarray) -> np.ndarray:
    total = totals.sum()
    return totals / total if total > 0 else np.zeros_like(totals)


class ItemToItem:
    """A model whose scores are history @ W for an item x item matrix W.

    W[i, j] is what owning item i adds to item j's score, so the score of j
    for a customer is the sum over owned items of value(i) * W[i, j], and that
    sum is the attribution. `columns_` lists the items W covers (None: all);
    the others score 0.
    """

    name = "item_to_item"

    def __init__(self) -> None:
        self.fit_seconds = 0.0
        self.weights_: np.ndarray | sp.csr_matrix | None = None
        self.columns_: np.ndarray | None = None
        self.items_ = 0

    def scores(self, history: sp.spmatrix) -> np.ndarray:
        rows = as_rows(history)
        if self.columns_ is not None:
            rows = rows[:, self.columns_]
        product = rows @ self.weights_
        product = product.toarray() if sp.issparse(product) else np.asarray(product)
        if self.columns_ is None:
            return product.astype(np.float32, copy=False)
        full = np.zeros((rows.shape[0], self.items_), dtype=np.float32)
        full[:, self.columns_] = product
        return full

    def contributions(self, history: sp.spmatrix, item: int) -> list[Contribution]:
        """Owned items by what they added to `item`'s score, largest first.

        `history` is one customer's (1, items) row. The weights sum to the
        item's score; items that added nothing are left out.
        """
        row = as_rows(history)
        owned, values = row.indices, row.data.astype(np.float64)
        position, owned_positions, values = self._covered(item, owned, values)
        if position is None or not len(owned_positions):
            return []
        column = self.weights_[owned_positions, position]
        column = np.asarray(column.todense() if sp.issparse(column) else column)
        terms = values * column.ravel().astype(np.float64)
        order = np.lexsort((owned_positions, -terms))
        original = owned if self.columns_ is None else self.columns_[owned_positions]
        return [
            Contribution(int(original[at]), float(terms[at]))
            for at in order
            if terms[at] != 0
        ]

    def _covered(
        self, item: int, owned: np.ndarray, values: np.ndarray
    ) -> tuple[int | None, np.ndarray, np.ndarray]:
        """Positions in W of `item` and of the owned items W covers."""
        if self.columns_ is None:
            return item, owned, values
        where = np.searchsorted(self.columns_, owned)
        where = np.minimum(where, len(self.columns_) - 1)
        covered = self.columns_[where] == owned
        found = np.searchsorted(self.columns_, item)
        if found >= len(self.columns_) or self.columns_[found] != item:
            return None, where[covered], values[covered]
        return int(found), where[covered], values[covered]

    def because(self, history: sp.spmatrix, item: int) -> Contribution | None:
        """The owned item that added most to `item`, if any added something."""
        terms = self.contributions(history, item)
        return terms[0] if terms and terms[0].weight > 0 else None


class ItemKNN(ItemToItem):
    """Item-based nearest neighbours on co-purchases: the classic baseline.

    Similarity of items i and j is the cosine of their columns, shrunk for
    items with little support: x_i.x_j / (|x_i| |x_j| + shrinkage). Each item
    keeps its `neighbours` most similar items (None: all); W[i, j] is the
    similarity of j to i when j is among i's neighbours, so "often bought
    with your X" names the owned item i with the largest term. The defaults
    are what bench/recommend.py's validation split of the Online Retail sample
    chose (the grocery baskets chose 10 neighbours and shrinkage 200).
    """

    name = "item_knn"

    def __init__(
        self, *, neighbours: int | None = None, shrinkage: float = 50.0
    ) -> None:
        super().__init__()
        self.neighbours = neighbours
        self.shrinkage = shrinkage

    def fit(self, matrix: sp.spmatrix) -> Self:
        started = time.perf_counter()
        rows = as_rows(matrix)
        self.items_ = rows.shape[1]
        co = (rows.T @ rows).tocoo()  # (items, items), co-occurrence weights
        norms = np.sqrt(np.maximum(co.diagonal(), 0.0)).astype(np.float64)
        off = co.row != co.col
        row, col = co.row[off], co.col[off]
        data = co.data[off] / (norms[row] * norms[col] + self.shrinkage)
        similar = sp.csr_matrix(
            (data.astype(np.float32), (row, col)), shape=(self.items_,) * 2
        )
        self.weights_ = top_per_row(similar, self.neighbours)
        self.columns_ = None
        self.fit_seconds = time.perf_counter() - started
        return self


def top_per_row(matrix: sp.csr_matrix, keep: int | None) -> sp.csr_matrix:
    """`matrix` with only the `keep` largest positive entries of each row.

    Ties are broken by the lower column. None keeps every positive entry.
    """
    matrix = as_rows(matrix)
    matrix.eliminate_zeros()
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    order = np.lexsort((matrix.indices, -matrix.data, rows))
    rank = np.arange(len(order)) - matrix.indptr[rows[order]]
    limit = len(order) if keep is None else keep
    kept = order[(matrix.data[order] > 0) & (rank < limit)]
    return sp.csr_matrix(
        (matrix.data[kept], (rows[kept], matrix.indices[kept])), shape=matrix.shape
    )


# Items covered by EASE's dense matrix. Fitting holds about 12 bytes per cell at
# its peak (the float64 inverse made in place, then the float32 result), so
# 10,000 items take about 1.1 GiB while fitting and 380 MiB after; the real
# catalog's 44,446 would take 22 GiB, 15 GiB of it for the inverse alone.
DEFAULT_EASE_MAX_ITEMS = 10_000


class EASE(ItemToItem):
    """Embarrassingly shallow autoencoder (Steck 2019): a closed-form item x item W.

    W minimizes |X - XW|^2 + l2 |W|^2 with a zero diagonal; with P the inverse
    of X'X + l2 I, W[i, j] = -P[i, j] / P[j, j]. W is dense over the items it
    covers: those bought by at least `min_support` customers, at most
    `max_items` of them (most bought first); the others score 0 here and are
    reached through the other models of a blend. l2 = 100 is what the Online
    Retail sample's validation split chose (bench/recommend.py).
    """

    name = "ease"

    def __init__(
        self,
        *,
        l2: float = 100.0,
        max_items: int = DEFAULT_EASE_MAX_ITEMS,
        min_support: int = 1,
        threads: int | None = DEFAULT_FIT_THREADS,
    ) -> None:
        super().__init__()
        self.l2 = l2
        self.max_items = max_items
        self.min_support = min_support
        self.threads = threads

    def fit(self, matrix: sp.spmatrix) -> Self:
        started = time.perf_counter()
        rows = as_rows(matrix)
        self.items_ = rows.shape[1]
        columns = self._covered_items(rows)
        gram = dense_gram(rows[:, columns])  # (n, n) float64, X'X
        gram[np.diag_indices_from(gram)] += self.l2
        with threadpool_limits(limits=self.threads, user_api="blas"):
            inverse = spd_inverse(gram)
        inverse /= -np.diag(inverse)[np.newaxis, :]
        np.fill_diagonal(inverse, 0.0)
        self.weights_ = inverse.astype(np.float32)
        del inverse, gram
        self.columns_ = None if len(columns) == self.items_ else columns
        self.fit_seconds = time.perf_counter() - started
        logger.debug("EASE covers %d of %d items", len(columns), self.items_)
        return self

    def _covered_items(self, rows: sp.csr_matrix) -> np.ndarray:
        """Sorted columns with enough support, the `max_items` most bought."""
        support = np.diff(rows.tocsc().indptr)
        eligible = np.flatnonzero(support >= self.min_support)
        if len(eligible) > self.max_items:
            order = np.lexsort((eligible, -support[eligible]))
            eligible = eligible[order[: self.max_items]]
        return np.sort(eligible)


def dense_gram(rows: sp.csr_matrix, block: int = 1024) -> np.ndarray:
    """X'X of `rows` (users, n) as a dense float64 (n, n) array.

    Made `block` columns at a time, so the sparse products in between stay
    small next to the 8 bytes per cell of the result.
    """
    size = rows.shape[1]
    by_column = rows.tocsc()
    by_item = by_column.T.tocsr()  # (n, users)
    gram = np.empty((size, size), dtype=np.float64)
    for start in range(0, size, block):
        part = by_item @ by_column[:, start : start + block]
        gram[:, start : start + block] = part.toarray()
    return gram


def spd_inverse(matrix: np.ndarray) -> np.ndarray:
    """Inverse of a symmetric positive definite float64 matrix, in its own buffer.

    Cholesky factor and inverse overwrite `matrix` (LAPACK potrf/potri); the
    missing triangle is then copied over in blocks, so no second n x n array
    is made. Raises LinAlgError if the matrix is not positive definite.
    """
    fortran = matrix.T  # the same symmetric matrix, Fortran-ordered, no copy
    factor, info = lapack.dpotrf(fortran, lower=True, overwrite_a=True, clean=False)
    if info != 0:
        raise np.linalg.LinAlgError(f"not positive definite (potrf info {info})")
    inverse, info = lapack.dpotri(factor, lower=True, overwrite_c=True)
    if info != 0:
        raise np.linalg.LinAlgError(f"inverse failed (potri info {info})")
    result = inverse.T  # C-ordered view of `matrix`; its upper triangle is set
    size, block = result.shape[0], 1024
    for start in range(0, size, block):
        stop = min(start + block, size)
        result[start:stop, :start] = result[:start, start:stop].T
        square = result[start:stop, start:stop]
        lower = np.tril_indices(stop - start, -1)
        square[lower] = square.T[lower]
    return result


class ALS:
    """Implicit-feedback matrix factorization (Hu, Koren and Volinsky 2008).

    Confidence 1 + alpha * value for each interaction, preference 1 where
    there is one and 0 elsewhere; user and item factors are solved in turn
    exactly, `iterations` times. A history row is scored by solving its user
    factors against the fixed item factors (fold-in), so new events count at
    once; `contributions` uses the paper's split of a score over owned items.
    The defaults are the Online Retail sample's choice on its validation split
    (bench/recommend.py); the grocery baskets chose the same but alpha 1.
    """

    name = "als"

    def __init__(
        self,
        *,
        factors: int = 8,
        l2: float = 100.0,
        alpha: float = 20.0,
        iterations: int = 10,
        seed: int = 0,
        chunk: int = 1024,
        threads: int | None = DEFAULT_FIT_THREADS,
    ) -> None:
        self.factors = factors
        self.l2 = l2
        self.alpha = alpha
        self.iterations = iterations
        self.seed = seed
        self.chunk = chunk
        self.threads = threads
        self.fit_seconds = 0.0
        self.item_factors_ = np.zeros((0, factors))  # (items, factors)
        self.gram_ = np.zeros((factors, factors))  # Y'Y + l2 I, for fold-in

    def fit(self, matrix: sp.spmatrix) -> Self:
        started = time.perf_counter()
        rows = as_rows(matrix)
        by_item = as_rows(rows.T)
        rng = np.random.default_rng(self.seed)
        items = rng.normal(0.0, 0.01, (rows.shape[1], self.factors))
        with threadpool_limits(limits=self.threads, user_api="blas"):
            for _ in range(self.iterations):
                users = self._solve(rows, items)
                items = self._solve(by_item, users)
        self.item_factors_ = items
        self.gram_ = items.T @ items + self.l2 * np.eye(self.factors)
        self.fit_seconds = time.perf_counter() - started
        return self

    def _solve(self, rows: sp.csr_matrix, fixed: np.ndarray) -> np.ndarray:
        """Least-squares factors of every row given the other side's `fixed`.

        Row u solves (Y'Y + Y'(C_u - I)Y + l2 I) x = Y'C_u p_u. The middle
        terms of `chunk` rows at once come from one sparse product with the
        outer products y y' of the fixed side, a (len(fixed), f*f) array: 130 MB
        for 4,000 rows at 64 factors, which is where this stops scaling.
        """
        size = self.factors
        gram = fixed.T @ fixed + self.l2 * np.eye(size)
        outer = np.einsum("ni,nj->nij", fixed, fixed).reshape(len(fixed), -1)
        confidence = rows.astype(np.float64)
        confidence.data *= self.alpha
        solved = np.zeros((rows.shape[0], size))
        for start in range(0, rows.shape[0], self.chunk):
            block = confidence[start : start + self.chunk]
            present = np.flatnonzero(np.diff(block.indptr))
            block = block[present]
            systems = (block @ outer).reshape(-1, size, size) + gram
            targets = block @ fixed + _binary(block) @ fixed
            solved[start + present] = np.linalg.solve(systems, targets[..., None])[
                ..., 0
            ]
        return solved

    def scores(self, history: sp.spmatrix) -> np.ndarray:
        """Fold-in scores: each row's factors solved from its own items alone,
        an f x f system per customer (no pass over the catalog's outer products)."""
        rows = as_rows(history)
        users = np.zeros((rows.shape[0], self.factors))
        for row in range(rows.shape[0]):
            begin, end = rows.indptr[row], rows.indptr[row + 1]
            if begin < end:
                owned, values = rows.indices[begin:end], rows.data[begin:end]
                users[row] = self._fold_in(owned, values)[0]
        return (users @ self.item_factors_.T).astype(np.float32)

    def _fold_in(
        self, owned: np.ndarray, values: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """A customer's factors (f,) and system matrix (f, f) from owned items."""
        factors = self.item_factors_[owned]  # (owned, f)
        extra = self.alpha * values.astype(np.float64)
        system = self.gram_ + (factors.T * extra) @ factors
        return np.linalg.solve(system, factors.T @ (1.0 + extra)), system

    def contributions(self, history: sp.spmatrix, item: int) -> list[Contribution]:
        """Owned items by their term c_ui * y_j' W y_i of `item`'s score.

        W is the inverse of the customer's system matrix, so the terms sum to
        the fold-in score (the paper's section 5 explanation).
        """
        row = as_rows(history)
        if not row.nnz:
            return []
        _, system = self._fold_in(row.indices, row.data)
        owned = self.item_factors_[row.indices]
        similarity = owned @ np.linalg.solve(system, self.item_factors_[item])
        terms = (1.0 + self.alpha * row.data.astype(np.float64)) * similarity
        order = np.lexsort((row.indices, -terms))
        return [Contribution(int(row.indices[at]), float(terms[at])) for at in order]

    def because(self, history: sp.spmatrix, item: int) -> Contribution | None:
        terms = self.contributions(history, item)
        return terms[0] if terms and terms[0].weight > 0 else None


class Content(ItemToItem):
    """Item similarity from item vectors: reaches articles nobody has bought.

    `vectors` has shape (items, dim), one row per matrix column (e.g. the
    knowledge index's product vectors); rows are scaled to unit norm, and an
    all-zero row (an item without a text) is similar to nothing. W keeps each
    item's `neighbours` most similar items with a cosine above
    `min_similarity`, computed `chunk` rows at a time, about 17 bytes per
    item and row at once (cosines, their negation, a mask and the ranks
    argpartition returns): a 45k catalog peaked at 249 MB with the default
    256 rows (bench/recommend.py --scale-only 45000), not 45k x 45k floats.
    Both benchmark data sets chose 5 neighbours for ranking; the default is
    wider because a new article reaches a customer only through owned items
    that count it a neighbour.
    """

    name = "content"

    def __init__(
        self,
        vectors: np.ndarray,
        *,
        neighbours: int | None = 20,
        min_similarity: float = 0.0,
        chunk: int = 256,
        threads: int | None = DEFAULT_FIT_THREADS,
    ) -> None:
        super().__init__()
        if neighbours is not None and neighbours < 1:
            raise ValueError("neighbours must be at least 1 (None: all)")
        self.vectors = unit_rows(vectors)
        self.neighbours = neighbours
        self.min_similarity = min_similarity
        self.chunk = chunk
        self.threads = threads

    def fit(self, matrix: sp.spmatrix | None = None) -> Self:
        """Builds W from the vectors; `matrix` only checks the item count."""
        started = time.perf_counter()
        self.items_ = self.vectors.shape[0]
        if matrix is not None and matrix.shape[1] != self.items_:
            raise ValueError(
                f"{self.items_} item vectors for a matrix of {matrix.shape[1]} items"
            )
        with threadpool_limits(limits=self.threads, user_api="blas"):
            starts = range(0, self.items_, self.chunk)
            blocks = [self._block(start) for start in starts]
        self.weights_ = sp.vstack(blocks, format="csr")
        self.columns_ = None
        self.fit_seconds = time.perf_counter() - started
        return self

    def _block(self, start: int) -> sp.csr_matrix:
        """Rows start..start+chunk of W: cosines, own item and weak ones removed.

        Ties at the k-th cosine are broken arbitrarily (argpartition).
        """
        part = self.vectors[start : start + self.chunk]
        cosines = part @ self.vectors.T  # (chunk, items)
        rows = np.arange(len(part))
        cosines[rows, start + rows] = 0.0
        cosines[cosines <= self.min_similarity] = 0.0
        keep = self.neighbours
        if keep is None or keep >= cosines.shape[1]:
            return sp.csr_matrix(cosines)
        best = np.argpartition(-cosines, keep - 1, axis=1)[:, :keep]
        values = np.take_along_axis(cosines, best, axis=1)
        block = sp.csr_matrix(
            (values.ravel(), (np.repeat(rows, keep), best.ravel())), shape=cosines.shape
        )
        block.eliminate_zeros()
        return block

    def query_scores(self, queries: np.ndarray) -> np.ndarray:
        """Cosine of each query vector (n, dim) with every item, negatives as 0."""
        return np.maximum(unit_rows(queries) @ self.vectors.T, 0.0)


def _binary(rows: sp.csr_matrix) -> sp.csr_matrix:
    """The same sparsity pattern with every stored value 1."""
    ones = rows.copy()
    ones.data = np.ones_like(ones.data)
    return ones


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """float32 copy of `vectors` (n, dim) with each non-zero row at unit norm."""
    vectors = np.array(vectors, dtype=np.float32, ndmin=2)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
