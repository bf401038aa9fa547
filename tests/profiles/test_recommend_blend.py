"""The blend's cold starts and reasons, and the ranking under the shop's rules."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from profiles.recommend import (
    EASE,
    Blend,
    Content,
    ItemKNN,
    Popularity,
    default_blend,
    normalized,
    pick,
    top_k,
)

# Items: 0 navy chinos, 1 white shirt, 2 running shoes, 3 sports socks,
# 4 grey chinos (new: nobody has bought them yet).
VECTORS = np.array(
    [[1, 0.1, 0], [0.2, 1, 0], [0, 0, 1], [0, 0.3, 1], [0.98, 0.1, 0.05]],
    dtype=np.float32,
)
BOUGHT = sp.csr_matrix(
    np.array(
        [
            [1, 1, 0, 0, 0],
            [1, 1, 0, 0, 0],
            [0, 1, 1, 1, 0],
            [0, 0, 1, 1, 0],
            [0, 0, 1, 1, 0],
            [0, 0, 1, 0, 0],
        ],
        dtype=np.float32,
    )
)
SEGMENTS = ["gold", "gold", "basic", "basic", "basic", "basic"]


def blend(weights: dict[str, float], **options) -> Blend:
    components = {
        "popularity": Popularity(segment_prior=1.0),
        "item_knn": ItemKNN(neighbours=None, shrinkage=0.0),
        "ease": EASE(l2=1.0),
        "content": Content(VECTORS, neighbours=None),
    }
    return Blend(components, weights, **options).fit(BOUGHT, SEGMENTS)


def row(*items: int) -> sp.csr_matrix:
    dense = np.zeros((1, 5), dtype=np.float32)
    dense[0, list(items)] = 1.0
    return sp.csr_matrix(dense)


def test_normalized_scores_put_each_customers_best_at_one() -> None:
    scores = np.array([[2.0, -1.0, 1.0], [0.0, 0.0, 0.0], [-3.0, -1.0, -2.0]])

    assert normalized(scores).tolist() == [[1.0, 0.0, 0.5], [0, 0, 0], [0, 0, 0]]


def test_a_new_customer_gets_the_popularity_of_their_segment() -> None:
    model = blend({"popularity": 0.2, "item_knn": 0.4, "ease": 0.4})
    empty = sp.csr_matrix((2, 5), dtype=np.float32)

    scores = model.scores(empty, ["gold", "basic"])

    assert scores[0] == pytest.approx(
        normalized([model.components["popularity"].item_scores("gold")])[0]
    )
    assert scores[1] == pytest.approx(
        normalized([model.components["popularity"].item_scores("basic")])[0]
    )
    assert int(np.argmax(scores[0])) in (0, 1) and int(np.argmax(scores[1])) == 2
    assert model.explain(empty[0], 2, "basic").model == "popularity"


def test_what_a_new_customer_said_adds_content_matches() -> None:
    model = blend({"popularity": 0.5, "item_knn": 0.5}, query_weight=2.0)
    empty = sp.csr_matrix((1, 5), dtype=np.float32)
    socks = np.array([[0, 0.3, 1]], dtype=np.float32)

    scores = model.scores(empty, ["gold"], queries=socks)[0]
    unasked = model.scores(empty, ["gold"])[0]

    assert int(np.argmax(unasked)) == 1  # gold members buy shirts
    assert int(np.argmax(scores)) == 3


def test_a_new_item_reaches_the_owner_of_a_similar_item_through_content() -> None:
    model = blend({"item_knn": 1.0}, cold_item_weight=0.5)
    navy = row(0)

    scores = model.scores(navy)[0]

    assert model.cold_items_.tolist() == [False, False, False, False, True]
    assert scores[4] == pytest.approx(0.5)  # its nearest owned item is item 0
    assert scores[4] > scores[2] and scores[4] > scores[3]
    assert 4 in top_k(scores[np.newaxis], 2, exclude=navy)[0]
    assert model.explain(navy, 4) == (
        "content",
        0,
        pytest.approx(0.5),
    )


def test_the_reason_names_the_component_and_the_owned_item_behind_it() -> None:
    model = blend({"item_knn": 0.9, "popularity": 0.1})
    history = row(0, 2)

    reason = model.explain(history, 1)

    assert reason.model == "item_knn"
    assert reason.source == 0  # the shirt is bought with the chinos, not the shoes
    parts = model.component_scores(history)
    assert model.explain(history, 1, parts=parts) == reason


def test_popularity_is_the_reason_when_no_owned_item_points_at_the_item() -> None:
    model = blend({"item_knn": 0.5, "popularity": 0.5})

    reason = model.explain(row(0), 2, "basic")

    assert reason.model == "popularity" and reason.source is None


def test_a_blend_refuses_weights_of_unknown_components_and_needs_popularity() -> None:
    with pytest.raises(ValueError):
        Blend({"popularity": Popularity()}, {"ease": 1.0})
    with pytest.raises(ValueError):
        Blend({"ease": EASE()}, {"ease": 1.0})


def test_other_weights_can_be_tried_on_the_same_component_scores() -> None:
    model = blend({"item_knn": 1.0})
    history = BOUGHT[:3]
    parts = model.component_scores(history, SEGMENTS[:3])

    only_popularity = model.combine(parts, history, weights={"popularity": 1.0})

    warm = only_popularity[:, ~model.cold_items_]
    assert warm == pytest.approx(parts["popularity"][:, ~model.cold_items_])
    assert model.combine(parts, history) == pytest.approx(
        model.scores(history, SEGMENTS[:3])
    )


def test_the_default_blend_fits_with_or_without_item_vectors() -> None:
    with_content = default_blend(VECTORS).fit(BOUGHT, SEGMENTS)
    without = default_blend().fit(BOUGHT)

    assert set(with_content.weights) == {"popularity", "item_knn", "als", "content"}
    assert sum(without.weights.values()) == pytest.approx(1.0)
    assert without.content is None and without.weights["als"] == pytest.approx(0.6)
    assert with_content.scores(row(0)).shape == without.scores(row(0)).shape == (1, 5)
    assert with_content.scores(row(0))[0, 4] > 0 == without.scores(row(0))[0, 4]


# Ranking


def test_top_k_breaks_ties_by_column_and_skips_excluded_items() -> None:
    scores = np.array([[0.5, 0.9, 0.5, 0.1, 0.5], [1.0, 0.0, 0.0, 0.0, 0.0]])
    exclude = sp.csr_matrix(np.array([[0, 1, 0, 0, 0], [0, 1, 1, 1, 1]]))

    assert top_k(scores, 3).tolist() == [[1, 0, 2], [0, 1, 2]]
    assert top_k(scores, 3, exclude).tolist() == [[0, 2, 4], [0, -1, -1]]


def test_pick_applies_the_rules_owned_and_variety() -> None:
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    groups = ["chinos", "chinos", "chinos", "shirts", "shoes", "shirts"]
    in_stock = np.array([True, True, True, True, False, True])

    picked = pick(scores, 4, allowed=in_stock, owned=[0], groups=groups, per_group=1)

    assert picked == [1, 3]
    assert pick(scores, 2) == [0, 1]
    assert pick(scores, 10, owned=[1, 2]) == [0, 3, 4, 5]
