"""The recommenders against direct computations on tiny matrices."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from profiles.recommend import ALS, EASE, Content, ItemKNN, Popularity
from profiles.recommend.models import dense_gram, spd_inverse, top_per_row, unit_rows


def random_matrix(users: int = 12, items: int = 7, seed: int = 3) -> sp.csr_matrix:
    """A sparse non-negative matrix with every item bought by someone."""
    rng = np.random.default_rng(seed)
    dense = rng.random((users, items)) * (rng.random((users, items)) < 0.45)
    dense[np.arange(items) % users, np.arange(items)] += 1.0
    return sp.csr_matrix(dense.astype(np.float32))


def brute_knn(matrix: sp.csr_matrix, neighbours: int | None, shrinkage: float):
    """Cosine with shrinkage between columns, top neighbours per row, by loops."""
    dense = matrix.toarray().astype(np.float64)
    items = dense.shape[1]
    similar = np.zeros((items, items))
    for i in range(items):
        for j in range(items):
            if i != j:
                norms = np.linalg.norm(dense[:, i]) * np.linalg.norm(dense[:, j])
                similar[i, j] = dense[:, i] @ dense[:, j] / (norms + shrinkage)
    if neighbours is not None:
        for i in range(items):
            order = sorted(range(items), key=lambda j: (-similar[i, j], j))
            for j in order[neighbours:]:
                similar[i, j] = 0.0
    return similar


# Popularity


def test_popularity_ranks_items_by_their_summed_weight() -> None:
    matrix = sp.csr_matrix(np.array([[1.0, 0, 2], [1, 0, 0], [1, 1, 0]]))
    model = Popularity().fit(matrix)

    assert model.item_scores() == pytest.approx([3 / 6, 1 / 6, 2 / 6])
    assert model.scores(matrix[:2]).shape == (2, 3)
    assert np.allclose(model.scores(matrix[:2]), model.item_scores())


def test_segment_popularity_is_shrunk_towards_the_whole_shop() -> None:
    matrix = sp.csr_matrix(np.array([[4.0, 0], [0, 1], [0, 1], [0, 1], [0, 1]]))
    segments = ["gold", "basic", "basic", "basic", "basic"]
    model = Popularity(segment_prior=2.0).fit(matrix, segments)
    overall = np.array([0.5, 0.5])

    gold = model.item_scores("gold")

    assert gold == pytest.approx((np.array([4.0, 0]) + 2 * overall) / 6)
    assert gold[0] > gold[1]
    assert model.item_scores("basic")[1] > model.item_scores("basic")[0]
    assert model.item_scores("unknown") == pytest.approx(overall)
    rows = model.scores(matrix[:2], ["gold", None])
    assert rows[0] == pytest.approx(gold) and rows[1] == pytest.approx(overall)


# ItemKNN


@pytest.mark.parametrize(
    ("neighbours", "shrinkage"),
    [
        pytest.param(None, 0.0, id="all-neighbours-plain-cosine"),
        pytest.param(2, 0.0, id="two-neighbours"),
        pytest.param(3, 5.0, id="three-neighbours-shrunk"),
    ],
)
def test_item_knn_equals_a_brute_force_computation(neighbours, shrinkage) -> None:
    matrix = random_matrix()
    expected = brute_knn(matrix, neighbours, shrinkage)

    model = ItemKNN(neighbours=neighbours, shrinkage=shrinkage).fit(matrix)

    assert model.weights_.toarray() == pytest.approx(expected, abs=1e-6)
    assert model.scores(matrix) == pytest.approx(matrix.toarray() @ expected, abs=1e-5)


def test_item_knn_names_the_owned_item_that_added_most() -> None:
    matrix = random_matrix()
    model = ItemKNN(neighbours=3, shrinkage=1.0).fit(matrix)
    history = sp.csr_matrix(np.array([[1.0, 0, 2.0, 0, 0.5, 0, 0]], np.float32))
    weights = model.weights_.toarray()

    for item in range(7):
        terms = model.contributions(history, item)
        expected = {i: history[0, i] * weights[i, item] for i in (0, 2, 4)}
        assert sum(t.weight for t in terms) == pytest.approx(
            model.scores(history)[0, item], abs=1e-6
        )
        assert {t.item: t.weight for t in terms} == pytest.approx(
            {i: w for i, w in expected.items() if w}
        )
        best = model.because(history, item)
        if any(expected.values()):
            assert best.item == max(expected, key=expected.get)
        else:
            assert best is None


def test_top_per_row_keeps_the_largest_positive_entries() -> None:
    matrix = sp.csr_matrix(np.array([[0.1, 0.5, -0.3, 0.5], [0, 0, 0, 0.2]]))

    kept = top_per_row(matrix, 2).toarray()

    assert kept == pytest.approx(np.array([[0, 0.5, 0, 0.5], [0, 0, 0, 0.2]]))
    assert top_per_row(matrix, None).toarray()[0, 2] == 0.0


# EASE


def test_ease_has_a_zero_diagonal_and_equals_a_direct_solve() -> None:
    matrix = random_matrix(users=20, items=6)
    l2 = 3.0
    model = EASE(l2=l2).fit(matrix)
    weights = model.weights_.astype(np.float64)
    gram = matrix.toarray().astype(np.float64).T @ matrix.toarray()

    assert np.diag(weights) == pytest.approx(np.zeros(6))
    for j in range(6):
        others = [i for i in range(6) if i != j]
        # minimizing |x_j - X_others b|^2 + l2 |b|^2 column by column
        system = gram[np.ix_(others, others)] + l2 * np.eye(5)
        direct = np.linalg.solve(system, gram[others, j])
        assert weights[others, j] == pytest.approx(direct, rel=1e-4, abs=1e-6)


def test_ease_attribution_sums_to_the_score_and_names_the_largest_term() -> None:
    matrix = random_matrix(users=20, items=6)
    model = EASE(l2=1.0).fit(matrix)
    history = matrix[4]
    scores = model.scores(history)[0]

    for item in range(6):
        terms = model.contributions(history, item)
        assert sum(t.weight for t in terms) == pytest.approx(scores[item], abs=1e-5)
        by_hand = {
            int(i): float(v) * float(model.weights_[i, item])
            for i, v in zip(history.indices, history.data, strict=True)
        }
        assert terms[0].item == max(by_hand, key=by_hand.get)


def test_ease_restricted_to_the_most_bought_items_leaves_the_rest_at_zero() -> None:
    matrix = random_matrix(users=30, items=8, seed=5)
    support = np.diff(matrix.tocsc().indptr)
    covered = np.sort(np.argsort(-support, kind="stable")[:5])

    model = EASE(l2=2.0, max_items=5).fit(matrix)
    alone = EASE(l2=2.0).fit(matrix[:, covered])

    scores = model.scores(matrix)
    assert list(model.columns_) == list(covered)
    assert scores[:, covered] == pytest.approx(alone.scores(matrix[:, covered]))
    left_out = np.setdiff1d(np.arange(8), covered)
    assert not scores[:, left_out].any()
    assert model.contributions(matrix[0], int(left_out[0])) == []


def test_the_dense_gram_matrix_is_built_in_column_blocks() -> None:
    matrix = random_matrix(users=15, items=9)
    dense = matrix.toarray().astype(np.float64)

    assert dense_gram(matrix, block=4) == pytest.approx(dense.T @ dense, rel=1e-6)


def test_spd_inverse_matches_numpy_across_its_blocks() -> None:
    rng = np.random.default_rng(0)
    factor = rng.normal(size=(1200, 1100))
    matrix = factor.T @ factor + np.eye(1100)
    expected = np.linalg.inv(matrix)

    assert spd_inverse(matrix.copy()) == pytest.approx(expected, abs=1e-9)


def test_spd_inverse_refuses_a_matrix_that_is_not_positive_definite() -> None:
    with pytest.raises(np.linalg.LinAlgError):
        spd_inverse(np.array([[1.0, 2.0], [2.0, 1.0]]))


# ALS


def two_groups(seed: int = 0) -> sp.csr_matrix:
    """Customers 0-9 buy two or three of items 0-3, customers 10-19 of items 4-7."""
    rng = np.random.default_rng(seed)
    dense = np.zeros((20, 8), dtype=np.float32)
    for user in range(20):
        group = 0 if user < 10 else 4
        dense[user, group + rng.choice(4, size=2 + user % 2, replace=False)] = 1.0
    return sp.csr_matrix(dense)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_als_folds_in_a_history_and_prefers_its_group(seed: int) -> None:
    model = ALS(factors=2, l2=1.0, alpha=5.0, iterations=10).fit(two_groups(seed))
    history = sp.csr_matrix(np.eye(8, dtype=np.float32)[[0]])

    scores = model.scores(history)[0]

    assert min(scores[1:4]) > max(scores[4:])


def test_als_training_equals_alternating_dense_least_squares() -> None:
    matrix = two_groups(4)
    dense = matrix.toarray().astype(np.float64)
    confidence, preference = 1 + 5.0 * dense, (dense > 0).astype(float)
    items = np.random.default_rng(0).normal(0.0, 0.01, (8, 3))

    def side(weights, wanted, fixed):
        return np.array(
            [
                np.linalg.solve(
                    fixed.T @ np.diag(c) @ fixed + 2.0 * np.eye(3), fixed.T @ (c * p)
                )
                for c, p in zip(weights, wanted, strict=True)
            ]
        )

    for _ in range(3):
        users = side(confidence, preference, items)
        items = side(confidence.T, preference.T, users)
    model = ALS(factors=3, l2=2.0, alpha=5.0, iterations=3, seed=0, chunk=7)

    assert model.fit(matrix).item_factors_ == pytest.approx(items, abs=1e-9)


def test_als_fold_in_solves_the_weighted_least_squares_of_the_paper() -> None:
    model = ALS(factors=3, l2=0.5, alpha=4.0, iterations=3).fit(two_groups())
    history = sp.csr_matrix(np.array([[1.0, 0, 2.0, 0, 0, 0, 0, 0]], np.float32))
    items = model.item_factors_
    confidence = 1 + 4.0 * history.toarray()[0]
    preference = (history.toarray()[0] > 0).astype(float)

    system = items.T @ np.diag(confidence) @ items + 0.5 * np.eye(3)
    user = np.linalg.solve(system, items.T @ (confidence * preference))

    assert model.scores(history)[0] == pytest.approx(items @ user, abs=1e-5)


def test_als_contributions_sum_to_the_fold_in_score() -> None:
    model = ALS(factors=4, iterations=5).fit(two_groups())
    history = sp.csr_matrix(np.array([[1.0, 0, 1.0, 0, 2.0, 0, 0, 0]], np.float32))
    scores = model.scores(history)[0]

    for item in range(8):
        terms = model.contributions(history, item)
        assert sum(t.weight for t in terms) == pytest.approx(scores[item], abs=1e-4)
        assert [t.weight for t in terms] == sorted([t.weight for t in terms])[::-1]


# Content


def catalog_vectors() -> np.ndarray:
    """Five items; item 4 is almost item 0 (a new colour of the same chinos)."""
    return np.array(
        [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0.6, 0.8, 0], [0.99, 0.05, 0]],
        dtype=np.float32,
    )


def test_a_new_item_without_interactions_is_reached_through_content() -> None:
    matrix = sp.csr_matrix(np.array([[1.0, 1, 0, 0, 0], [0, 1, 1, 1, 0]], np.float32))
    model = Content(catalog_vectors(), neighbours=2).fit(matrix)
    history = sp.csr_matrix(np.array([[1.0, 0, 0, 0, 0]], np.float32))

    scores = model.scores(history)[0]

    assert int(np.argmax(scores)) == 4
    assert model.because(history, 4).item == 0
    assert scores[0] == 0.0  # an item is not similar to itself


def test_content_similarity_is_cosine_with_top_neighbours_in_any_chunking() -> None:
    vectors = np.random.default_rng(1).normal(size=(9, 4)).astype(np.float32)
    cosine = unit_rows(vectors) @ unit_rows(vectors).T
    np.fill_diagonal(cosine, 0.0)
    expected = top_per_row(sp.csr_matrix(np.maximum(cosine, 0)), 3).toarray()

    whole = Content(vectors, neighbours=3, chunk=100).fit()
    pieces = Content(vectors, neighbours=3, chunk=2).fit()

    assert whole.weights_.toarray() == pytest.approx(expected, abs=1e-6)
    assert pieces.weights_.toarray() == pytest.approx(expected, abs=1e-6)


def test_content_needs_one_vector_per_item() -> None:
    with pytest.raises(ValueError):
        Content(catalog_vectors()).fit(sp.csr_matrix((2, 4), dtype=np.float32))


def test_an_item_without_a_vector_is_similar_to_nothing() -> None:
    vectors = catalog_vectors()
    vectors[4] = 0.0
    model = Content(vectors, neighbours=None).fit()

    assert model.weights_[4].nnz == 0
    assert model.weights_[:, 4].nnz == 0
    assert model.query_scores(np.array([1.0, 0, 0]))[0, 4] == 0.0
