"""The recommendation benchmark's bookkeeping: metrics on hand-made lists, the
splits, the readers, and one small --tsv run end to end (no model download,
no timing asserted)."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

import bench.recommend as bench
from bench.recommend import (
    Basket,
    Rating,
    average_precision,
    coverage,
    hit,
    hold_out_last,
    ndcg,
    precision,
    read_baskets,
    read_tsv,
    recall,
    simplex,
    stratified_split,
    write_online_retail,
)

# Metrics


def test_hit_rate_counts_any_relevant_item_in_the_top_k() -> None:
    assert hit([5, 3, 9], {9}, k=3) == 1.0
    assert hit([5, 3, 9], {9}, k=2) == 0.0
    assert hit([-1, -1], {1}, k=2) == 0.0


def test_ndcg_discounts_by_the_log_of_the_rank() -> None:
    # hits at ranks 1 and 3 of 3 relevant items
    expected = (1 + 1 / math.log2(4)) / (1 + 1 / math.log2(3) + 1 / math.log2(4))

    assert ndcg([7, 1, 8, 2], {7, 8, 9}, k=4) == pytest.approx(expected)
    assert ndcg([1, 7], {7}, k=2) == pytest.approx(1 / math.log2(3))
    assert ndcg([7, 8], {7, 8}, k=2) == pytest.approx(1.0)
    assert ndcg([1, 2], {7}, k=2) == 0.0


def test_ndcg_ideal_is_capped_at_k() -> None:
    assert ndcg([1, 2], {1, 2, 3, 4, 5}, k=2) == pytest.approx(1.0)


def test_average_precision_averages_precision_at_each_hit() -> None:
    # hits at ranks 1 and 3: (1/1 + 2/3) / min(3 relevant, k=4)
    assert average_precision([7, 1, 8, 2], {7, 8, 9}, k=4) == pytest.approx(
        (1 + 2 / 3) / 3
    )
    assert average_precision([1, 7], {7}, k=2) == pytest.approx(0.5)
    assert average_precision([1, 2], {1, 2, 3, 4}, k=2) == pytest.approx(1.0)
    assert average_precision([1, 2], set(), k=2) == 0.0


def test_precision_and_recall_at_k() -> None:
    ranked, relevant = [7, 1, 8, 2], {7, 8, 9}

    assert precision(ranked, relevant, k=4) == pytest.approx(2 / 4)
    assert recall(ranked, relevant, k=4) == pytest.approx(2 / 3)
    assert precision(ranked, relevant, k=1) == 1.0
    assert recall(ranked, relevant, k=1) == pytest.approx(1 / 3)


def test_coverage_is_the_share_of_the_catalog_shown_at_least_once() -> None:
    ranked = np.array([[0, 1, -1], [1, 2, 3]])

    assert coverage(ranked, 8) == pytest.approx(4 / 8)


# Splits


def ratings(counts: dict[str, int]) -> list[Rating]:
    return [
        Rating(user, f"{user}-item{n}", 1.0, float(n))
        for user, count in counts.items()
        for n in range(count)
    ]


def test_the_split_is_stratified_per_user() -> None:
    rows = ratings({"a": 8, "b": 4, "c": 2, "d": 1, "e": 3})

    train, test = stratified_split(rows, 0.75, seed=7)

    per_user = {
        user: (sum(r.user == user for r in train), sum(r.user == user for r in test))
        for user in "abcde"
    }
    assert per_user == {"a": (6, 2), "b": (3, 1), "c": (1, 1), "d": (1, 0), "e": (2, 1)}
    assert sorted(train + test, key=str) == sorted(rows, key=str)


def test_the_split_is_seeded() -> None:
    rows = ratings({"a": 20, "b": 12})

    first = stratified_split(rows, 0.75, seed=1)
    again = stratified_split(list(reversed(rows)), 0.75, seed=1)
    other = stratified_split(rows, 0.75, seed=2)

    assert set(first[1]) == set(again[1])
    assert set(first[1]) != set(other[1])


def test_the_last_basket_of_each_customer_is_held_out() -> None:
    def basket(customer: str, day: int) -> Basket:
        return Basket(customer, datetime(2015, 1, day, tzinfo=UTC), (f"item{day}",))

    baskets = [basket("a", 3), basket("a", 9), basket("a", 5), basket("b", 2)]

    kept, held = hold_out_last(baskets)

    assert held == {"a": basket("a", 9)}
    assert sorted(kept, key=lambda b: (b.customer, b.day)) == [
        basket("a", 3),
        basket("a", 5),
        basket("b", 2),
    ]


def test_nobody_is_paired_with_their_own_history() -> None:
    task = small_task([{0}, {1}, {2}, {3}, {4}])

    assert sorted(task.others) == sorted(task.rows)
    assert all(other != own for other, own in zip(task.others, task.rows))


def test_the_shared_ranking_ceiling_ranks_items_by_how_often_they_are_next() -> None:
    # item 2 is in three of four next baskets, item 0 in two, item 1 in one
    task = small_task([{2, 0}, {2}, {2, 1}, {0}])

    ranked = [2, 0, 1]
    expected = sum(ndcg(ranked, relevant) for relevant in task.relevant) / 4
    assert task.ceiling() == round(expected, 4)


def small_task(relevant: list[set[int]]) -> bench.Task:
    rows = np.arange(len(relevant), dtype=np.int64)
    return bench.Task(lambda _: None, rows, relevant, 3, bench.BASKET_METRICS)


# Readers


def test_baskets_are_read_from_the_groceries_layout(tmp_path: Path) -> None:
    path = tmp_path / "groceries.csv"
    path.write_bytes(
        "\ufeffMember_number,Date,itemDescription\r\n"
        "1,21-07-2015,whole milk\r\n"
        "2,21-07-2015,soda\r\n"
        "1,21-07-2015,rolls/buns\r\n"
        "1,05-01-2015,whole milk".encode()
    )

    baskets = read_baskets(path)

    assert [(b.customer, b.day.date().isoformat(), b.items) for b in baskets] == [
        ("1", "2015-01-05", ("whole milk",)),
        ("1", "2015-07-21", ("whole milk", "rolls/buns")),
        ("2", "2015-07-21", ("soda",)),
    ]


def test_a_tsv_keeps_one_row_per_pair_and_skips_a_header(tmp_path: Path) -> None:
    path = tmp_path / "ratings.tsv"
    path.write_text(
        "user\titem\trating\ttimestamp\n"
        "u1\ti1\t4\t100\n"
        "u1\ti1\t2\t300\n"
        "u1\ti2\t1\t200\n"
        "u2\ti1\t5\t50\n",
        encoding="utf-8",
    )

    rows = sorted(read_tsv(path), key=lambda r: (r.user, r.item))
    liked = sorted(read_tsv(path, min_rating=4), key=lambda r: (r.user, r.item))

    assert rows == [
        Rating("u1", "i1", 6.0, 300.0),
        Rating("u1", "i2", 1.0, 200.0),
        Rating("u2", "i1", 5.0, 50.0),
    ]
    assert [(r.user, r.item) for r in liked] == [("u1", "i1"), ("u2", "i1")]


def test_the_online_retail_sample_becomes_a_tsv_of_products(tmp_path: Path) -> None:
    source = tmp_path / "retail.csv"
    header = '"InvoiceNo","StockCode","Description","Quantity","InvoiceDate",'
    header += '"UnitPrice","CustomerID","Country"\r\n'
    lines = [
        '"1","85123A","HEART HOLDER",6,"2011-01-02 10:00:00",2.5,17850,"UK"',
        '"2","85123A","HEART HOLDER",2,"2011-01-03 10:00:00",2.5,13047,"UK"',
        '"C3","85123A","HEART HOLDER",-1,"2011-01-04 10:00:00",2.5,17850,"UK"',
        '"4","POST","POSTAGE",1,"2011-01-04 10:00:00",18,12583,"France"',
        '"5","22423","CAKESTAND",1,"2011-01-05 10:00:00",12.75,NA,"UK"',
        '"6","22423","damaged",-5,"2011-01-05 10:00:00",0,NA,"UK"',
        '"7","22423","REGENCY CAKESTAND",3,"2011-01-06 10:00:00",12.75,13047,"UK"',
    ]
    source.write_text(header + "\r\n".join(lines), encoding="utf-8")

    data, names = write_online_retail(source, tmp_path / "out")

    rows = [line.split("\t") for line in data.read_text("utf-8").splitlines()]
    stamp = str(int(datetime(2011, 1, 2, 10, tzinfo=UTC).timestamp()))
    assert rows[0] == ["17850", "85123A", "6", stamp]
    assert [(r[0], r[1]) for r in rows] == [
        ("17850", "85123A"),
        ("13047", "85123A"),
        ("13047", "22423"),
    ]
    assert names.read_text("utf-8").splitlines() == [
        "22423\tREGENCY CAKESTAND",
        "85123A\tHEART HOLDER",
    ]


def test_the_blend_grid_covers_the_simplex() -> None:
    grid = simplex(["a", "b", "c"], 0.25)

    assert len(grid) == math.comb(4 + 2, 2)
    assert all(sum(w.values()) == pytest.approx(1.0) for w in grid)
    assert {"a": 1.0, "b": 0.0, "c": 0.0} in grid


# One run


def synthetic_tsv(path: Path) -> None:
    """Two tastes: users 0-29 take items 0-9, users 30-59 items 10-19."""
    rng = np.random.default_rng(0)
    lines = []
    for user in range(60):
        group = 0 if user < 30 else 10
        for item in rng.choice(10, size=6, replace=False):
            lines.append(f"u{user}\ti{group + item}\t{rng.integers(1, 6)}\t{user}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_tsv_run_tunes_every_model_and_saves_its_figures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "tastes.tsv"
    synthetic_tsv(data)
    monkeypatch.setattr(bench, "RESULTS", tmp_path / "results")
    monkeypatch.setattr(bench, "ROOT", tmp_path)
    monkeypatch.setattr(bench, "BLEND_STEP", 0.5)
    small = {
        "popularity": [{}],
        "item_knn": [{"neighbours": 5, "shrinkage": 0.0}],
        "ease": [{"l2": 1.0}, {"l2": 50.0}],
        "als": [{"factors": 2, "l2": 1.0, "alpha": 5.0, "iterations": 5}],
    }
    monkeypatch.setattr(bench, "GRIDS", small)

    assert bench.main(["--tsv", str(data), "--no-content"]) == 0

    saved = json.loads((tmp_path / "results" / "recommend-tastes.json").read_text())
    models = saved["models"]
    assert set(models) == {"popularity", "item_knn", "ease", "als", "blend"}
    assert saved["data"]["users"] == 60 and saved["data"]["items"] == 20
    assert saved["targets"]["headline"] == "bought_excluded"
    for name in ("item_knn", "ease", "als"):
        # two tastes: any of these beats the shop-wide best sellers
        assert (
            models[name]["bought_excluded"]["ndcg@10"]
            > models["popularity"]["bought_excluded"]["ndcg@10"]
        )
    assert set(models["ease"]["bought_excluded"]) == {
        "map@10",
        "ndcg@10",
        "precision@10",
        "recall@10",
        "coverage@10",
    }
    assert models["ease"]["params"] in small["ease"]
    # another user's history hides their taste half the time
    for name in ("item_knn", "als"):
        assert (
            models[name]["other_customers_history"]["ndcg@10"]
            < models[name]["bought_excluded"]["ndcg@10"]
        )
