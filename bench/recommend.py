"""Recommendation benchmark: popularity, item-kNN, EASE, ALS, content and the blend.

    .venv/bin/python bench/recommend.py                  # the grocery baskets
    .venv/bin/python bench/recommend.py --tsv FILE       # user item rating timestamp
    .venv/bin/python bench/recommend.py --write-online-retail DIR   # make a TSV

Baskets (default ../shared/datasets/baskets/Groceries_dataset.csv): a basket is
one (member, date); each customer's last basket is held out (customers with at
least two), the models train on all other baskets and recommend 10 items per
customer; HR@10, nDCG@10 and catalog coverage, with bought items allowed (the
headline: groceries are bought again) and excluded.

TSV: a random 75/25 split stratified per user (seeded); MAP@10, nDCG@10,
Precision@10 and Recall@10 with training items excluded (the headline, as in
recommender libraries) and allowed.

Hyper-parameters (and, for baskets, the half-life of the decay) are tuned on a
validation split made the same way inside the training data, never on the
test split. Each model's fit time, tracemalloc peak and the time to score and
rank one customer are measured on the final fit. Figures are printed and saved
to bench/results/recommend.json (recommend-<file name>.json for --tsv).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import logging
import math
import os
import platform
import re
import resource
import statistics
import sys
import time
import tracemalloc
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import scipy
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from profiles.recommend import (
    ALS,
    EASE,
    Blend,
    Content,
    Event,
    EventWeights,
    ItemKNN,
    Popularity,
    default_blend,
    from_arrays,
    from_events,
    top_k,
)
from profiles.recommend.interactions import PURCHASE

logger = logging.getLogger("bench.recommend")

RESULTS = ROOT / "bench" / "results"
BASKETS = ROOT.parent / "shared" / "datasets" / "baskets"
GROCERIES = BASKETS / "Groceries_dataset.csv"
ONLINE_RETAIL = BASKETS / "online_retail_sample.csv"
K = 10
TRAIN_SHARE = 0.75
SEED = 0
LATENCY_CUSTOMERS = 200
SCALE_ITEMS = 3000  # about the demo shop's catalog
HALF_LIVES: tuple[float | None, ...] = (None, 365.0, 180.0, 90.0, 30.0)
BLEND_STEP = 0.1  # weight grid of the blend, on the simplex

# Grids searched on the validation split. kNN gets as wide a search as EASE,
# so the comparison is against a tuned baseline, not a default one.
GRIDS: dict[str, list[dict[str, Any]]] = {
    "popularity": [{}],
    "item_knn": [
        {"neighbours": n, "shrinkage": s}
        for n in (5, 10, 20, 50, 100, 200, None)
        for s in (0.0, 10.0, 50.0, 200.0, 1000.0)
    ],
    "ease": [
        {"l2": l2}
        for l2 in (
            1.0,
            10.0,
            50.0,
            100.0,
            250.0,
            500.0,
            1000.0,
            2500.0,
            5000.0,
            1e4,
            3e4,
        )
    ],
    "als": [
        {"factors": f, "l2": l2, "alpha": a, "iterations": 10}
        for f in (8, 16, 32, 64)
        for l2 in (1.0, 10.0, 100.0, 1000.0)
        for a in (1.0, 5.0, 20.0)
    ],
    "content": [{"neighbours": n} for n in (5, 10, 20, 50, None)],
}
STRONG = ("ease", "als")  # the candidates for "the stronger model"


# Data


@dataclass(frozen=True)
class Basket:
    customer: str
    day: datetime
    items: tuple[str, ...]


def read_baskets(path: Path) -> list[Basket]:
    """Groceries layout: Member_number, Date (dd-mm-yyyy), itemDescription.

    The file has a UTF-8 byte-order mark and CRLF lines; one basket is one
    (member, date), its items in file order (an item may repeat).
    """
    grouped: dict[tuple[str, datetime], list[str]] = defaultdict(list)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            day = datetime.strptime(row["Date"], "%d-%m-%Y").replace(tzinfo=UTC)
            grouped[row["Member_number"].strip(), day].append(
                row["itemDescription"].strip()
            )
    return [Basket(c, d, tuple(items)) for (c, d), items in sorted(grouped.items())]


def hold_out_last(baskets: Sequence[Basket]) -> tuple[list[Basket], dict[str, Basket]]:
    """Each customer's latest basket, for customers with two or more, and the rest."""
    by_customer: dict[str, list[Basket]] = defaultdict(list)
    for basket in baskets:
        by_customer[basket.customer].append(basket)
    kept, held = [], {}
    for customer, own in by_customer.items():
        own.sort(key=lambda basket: basket.day)
        if len(own) >= 2:
            held[customer] = own.pop()
        kept += own
    return kept, held


@dataclass(frozen=True)
class Rating:
    user: str
    item: str
    rating: float
    timestamp: float


def read_tsv(path: Path, min_rating: float | None = None) -> list[Rating]:
    """Rows of `user item rating timestamp`, tab-separated; a header is skipped.

    One row per (user, item) is kept (ratings summed, the latest timestamp),
    since a pair is one implicit interaction; rows under `min_rating` are
    dropped first.
    """
    pairs: dict[tuple[str, str], list[float]] = {}
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            fields = line.rstrip("\r\n").split("\t")
            if len(fields) < 4 or (number == 0 and not _is_number(fields[2])):
                continue
            user, item, rating, stamp = fields[0], fields[1], *map(float, fields[2:4])
            if min_rating is not None and rating < min_rating:
                continue
            seen = pairs.setdefault((user, item), [0.0, stamp])
            seen[0] += rating
            seen[1] = max(seen[1], stamp)
    return [Rating(u, i, r, t) for (u, i), (r, t) in pairs.items()]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_item_names(path: Path) -> dict[str, str]:
    """`item<TAB>name` lines: the text an item's content vector is made from."""
    names = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        item, _, name = line.partition("\t")
        if name.strip():
            names[item] = name.strip()
    return names


def stratified_split(
    ratings: Sequence[Rating], share: float = TRAIN_SHARE, seed: int = SEED
) -> tuple[list[Rating], list[Rating]]:
    """Per user, a seeded shuffle; the first round(share * n) rows train.

    A user with n >= 2 rows keeps at least one on each side; a user with one
    row trains only. Users are visited in sorted order, so the split depends on
    the rows and the seed alone, not on file order.
    """
    rng = np.random.default_rng(seed)
    by_user: dict[str, list[Rating]] = defaultdict(list)
    for rating in ratings:
        by_user[rating.user].append(rating)
    train, test = [], []
    for user in sorted(by_user):
        rows = sorted(by_user[user], key=lambda rating: rating.item)
        order = rng.permutation(len(rows))
        cut = len(rows) if len(rows) == 1 else _train_count(len(rows), share)
        train += [rows[at] for at in order[:cut]]
        test += [rows[at] for at in order[cut:]]
    return train, test


def _train_count(count: int, share: float) -> int:
    return min(count - 1, max(1, math.floor(share * count + 0.5)))


def write_online_retail(source: Path, folder: Path) -> tuple[Path, Path]:
    """The Online Retail sample as `online_retail.tsv` and its item names.

    Kept: rows with a customer, a positive quantity, an invoice that is not a
    cancellation and a product stock code (five digits, optional letters:
    postage, fees and manual adjustments are left out). rating = quantity,
    timestamp = invoice time as Unix seconds; the name of a code is its most
    frequent description.
    """
    folder.mkdir(parents=True, exist_ok=True)
    product = re.compile(r"\d{5}[A-Za-z]*")
    rows, names = [], defaultdict(Counter)
    with source.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            code, customer = row["StockCode"].strip(), row["CustomerID"].strip()
            quantity = int(float(row["Quantity"]))
            if customer in ("", "NA") or quantity <= 0 or not product.fullmatch(code):
                continue
            if row["InvoiceNo"].startswith("C"):
                continue
            stamp = datetime.strptime(row["InvoiceDate"], "%Y-%m-%d %H:%M:%S")
            customer = customer.removesuffix(".0")
            rows.append(
                (customer, code, quantity, int(stamp.replace(tzinfo=UTC).timestamp()))
            )
            names[code][row["Description"].strip()] += 1
    data, named = folder / "online_retail.tsv", folder / "online_retail.names.tsv"
    data.write_text("".join("\t".join(map(str, r)) + "\n" for r in rows), "utf-8")
    named.write_text(
        "".join(
            f"{code}\t{count.most_common(1)[0][0]}\n"
            for code, count in sorted(names.items())
        ),
        "utf-8",
    )
    return data, named


# Metrics (binary relevance, a ranked list of item columns; -1 pads a list)


def hit(ranked: Sequence[int], relevant: set[int], k: int = K) -> float:
    return float(any(item in relevant for item in ranked[:k]))


def ndcg(ranked: Sequence[int], relevant: set[int], k: int = K) -> float:
    """DCG of gains 1/log2(rank + 1) over the ideal DCG of min(|relevant|, k) hits."""
    gains = sum(
        1.0 / math.log2(rank + 2)
        for rank, item in enumerate(ranked[:k])
        if item in relevant
    )
    ideal = sum(1.0 / math.log2(rank + 2) for rank in range(min(len(relevant), k)))
    return gains / ideal if ideal else 0.0


def average_precision(ranked: Sequence[int], relevant: set[int], k: int = K) -> float:
    """Sum of precision@i at each hit i <= k, over min(|relevant|, k)."""
    hits, total = 0, 0.0
    for rank, item in enumerate(ranked[:k]):
        if item in relevant:
            hits += 1
            total += hits / (rank + 1)
    return total / min(len(relevant), k) if relevant else 0.0


def precision(ranked: Sequence[int], relevant: set[int], k: int = K) -> float:
    return sum(item in relevant for item in ranked[:k]) / k


def recall(ranked: Sequence[int], relevant: set[int], k: int = K) -> float:
    hits = sum(item in relevant for item in ranked[:k])
    return hits / len(relevant) if relevant else 0.0


def coverage(ranked: np.ndarray, items: int) -> float:
    """Share of the catalog that appears in at least one list."""
    shown = np.unique(ranked[ranked >= 0])
    return len(shown) / items if items else 0.0


BASKET_METRICS: dict[str, Callable[..., float]] = {"hr@10": hit, "ndcg@10": ndcg}
TSV_METRICS: dict[str, Callable[..., float]] = {
    "map@10": average_precision,
    "ndcg@10": ndcg,
    "precision@10": precision,
    "recall@10": recall,
}


def mean_metrics(
    ranked: np.ndarray, relevant: Sequence[set[int]], metrics: Mapping[str, Callable]
) -> dict[str, float]:
    """Each metric averaged over the rows of `ranked` (n, k)."""
    lists = [list(row) for row in ranked]
    return {
        name: round(statistics.fmean(map(metric, lists, relevant)) if lists else 0.0, 4)
        for name, metric in metrics.items()
    }


# A split ready for the models


@dataclass
class Task:
    """One train/evaluation split: the training matrix at any half-life, the
    rows of the evaluated customers and the items each of them took next."""

    build: Callable[[float | None], sp.csr_matrix]
    rows: np.ndarray
    relevant: list[set[int]]
    items: int
    metrics: Mapping[str, Callable]

    def __post_init__(self) -> None:
        self._matrices: dict[float | None, sp.csr_matrix] = {}
        # Each evaluated customer paired with another one's row (nobody with their own)
        order = np.random.default_rng(SEED).permutation(len(self.rows))
        self.others = np.empty_like(self.rows)
        self.others[order] = self.rows[np.roll(order, 1)]

    def ceiling(self) -> float:
        """nDCG@10 of the one ranking shared by everyone that fits these targets
        best: items by how often they are in them. It reads the answers, so no
        non-personal model can beat it; anything above needs personal signal."""
        counts = np.zeros(self.items)
        for relevant in self.relevant:
            counts[list(relevant)] += 1
        ranked = list(np.argsort(-counts, kind="stable")[:K])
        return round(statistics.fmean(ndcg(ranked, r) for r in self.relevant), 4)

    def matrix(self, half_life: float | None) -> sp.csr_matrix:
        if half_life not in self._matrices:
            self._matrices[half_life] = self.build(half_life)
        return self._matrices[half_life]

    def evaluate(
        self, scores: np.ndarray, half_life: float | None, exclude: bool
    ) -> dict[str, float]:
        """Metrics of `scores` (evaluated rows, items); `exclude` hides history."""
        history = self.matrix(half_life)[self.rows] if exclude else None
        ranked = top_k(scores, K, history)
        out = mean_metrics(ranked, self.relevant, self.metrics)
        out["coverage@10"] = round(coverage(ranked, self.items), 4)
        return out


@dataclass
class Split:
    """Validation (inside the training data) and test tasks of one data set."""

    validation: Task
    test: Task
    half_lives: tuple[float | None, ...]
    exclude: bool  # the headline protocol: bought items hidden or not
    facts: dict[str, Any]


def basket_split(baskets: Sequence[Basket]) -> tuple[Split, list[str]]:
    """Last basket of each customer for the test, the one before for validation."""
    training, held = hold_out_last(baskets)
    inner, validation = hold_out_last(training)
    customers = sorted({basket.customer for basket in baskets})
    items = sorted({item for basket in baskets for item in basket.items})
    column = {item: position for position, item in enumerate(items)}

    def task(train: Sequence[Basket], targets: Mapping[str, Basket]) -> Task:
        row = {customer: position for position, customer in enumerate(customers)}
        evaluated = sorted(targets)
        return Task(
            lambda half_life: basket_matrix(train, customers, items, half_life),
            np.array([row[c] for c in evaluated], dtype=np.int64),
            [{column[i] for i in targets[c].items} for c in evaluated],
            len(items),
            BASKET_METRICS,
        )

    facts = basket_facts(baskets, training, held)
    facts["validation_customers"] = len(validation)
    split = Split(
        task(inner, validation), task(training, held), HALF_LIVES, False, facts
    )
    return split, items


def basket_matrix(
    baskets: Sequence[Basket],
    customers: Sequence[str],
    items: Sequence[str],
    half_life: float | None,
) -> sp.csr_matrix:
    """Purchases through `interactions.from_events`, decayed to the last day."""
    events = [
        Event(basket.customer, item, PURCHASE, basket.day)
        for basket in baskets
        for item in basket.items
    ]
    weights = EventWeights(half_life_days=half_life)
    built = from_events(events, weights, customers=customers, items=items)
    return built.matrix


def basket_facts(
    baskets: Sequence[Basket], training: Sequence[Basket], held: Mapping[str, Basket]
) -> dict[str, Any]:
    """Sizes of the data, and how much the next basket repeats the customer's own
    past compared with another customer's (a measure of personal signal)."""
    bought: dict[str, set[str]] = defaultdict(set)
    for basket in training:
        bought[basket.customer].update(basket.items)
    shuffled = list(np.random.default_rng(SEED).permutation(sorted(held)))
    customers, others = shuffled, shuffled[1:] + shuffled[:1]  # nobody is their own
    own = sum(len(set(held[c].items) & bought[c]) for c in customers)
    other = sum(len(set(held[c].items) & bought[o]) for c, o in zip(customers, others))
    sizes = sum(len(bought[c]) for c in customers), sum(len(bought[o]) for o in others)
    next_items = sum(len(set(held[c].items)) for c in customers)
    return {
        "rows": sum(len(basket.items) for basket in baskets),
        "customers": len({basket.customer for basket in baskets}),
        "items": len({item for basket in baskets for item in basket.items}),
        "baskets": len(baskets),
        "test_customers": len(held),
        "mean_held_out_basket_items": round(next_items / max(len(held), 1), 2),
        "held_out_items_bought_before": round(own / max(next_items, 1), 4),
        "held_out_items_in_own_history_per_history_item": round(
            own / max(sizes[0], 1), 4
        ),
        "held_out_items_in_random_customers_history_per_history_item": round(
            other / max(sizes[1], 1), 4
        ),
    }


def tsv_split(ratings: Sequence[Rating], seed: int) -> tuple[Split, list[str]]:
    """Stratified 75/25 for the test; the same again inside the 75 for validation."""
    training, testing = stratified_split(ratings, TRAIN_SHARE, seed)
    inner, validation = stratified_split(training, TRAIN_SHARE, seed + 1)
    users = sorted({rating.user for rating in ratings})
    items = sorted({rating.item for rating in ratings})
    row = {user: position for position, user in enumerate(users)}
    column = {item: position for position, item in enumerate(items)}

    def task(train: Sequence[Rating], targets: Sequence[Rating]) -> Task:
        wanted: dict[str, set[int]] = defaultdict(set)
        for rating in targets:
            wanted[rating.user].add(column[rating.item])
        evaluated = sorted(wanted)
        rows = np.array([row[r.user] for r in train], dtype=np.int64)
        columns = np.array([column[r.item] for r in train], dtype=np.int64)
        binary = EventWeights(half_life_days=None, saturation=None)
        matrix = from_arrays(rows, columns, np.ones(len(rows)), users, items, binary)
        return Task(
            lambda half_life: matrix.matrix,
            np.array([row[u] for u in evaluated], dtype=np.int64),
            [wanted[u] for u in evaluated],
            len(items),
            TSV_METRICS,
        )

    facts = {
        "rows": len(ratings),
        "users": len(users),
        "items": len(items),
        "train_rows": len(training),
        "test_rows": len(testing),
        "test_users": len({r.user for r in testing}),
        "validation_users": len({r.user for r in validation}),
        "items_only_in_test": len(
            {r.item for r in testing} - {r.item for r in training}
        ),
    }
    return Split(
        task(inner, validation), task(training, testing), (None,), True, facts
    ), items


# Tuning on the validation split


Factory = Callable[[Mapping[str, Any]], Any]


def factories(vectors: np.ndarray | None) -> dict[str, Factory]:
    """How each model is made from its parameters; content only with vectors."""
    out: dict[str, Factory] = {
        "popularity": lambda params: Popularity(**params),
        "item_knn": lambda params: ItemKNN(**params),
        "ease": lambda params: EASE(**params),
        "als": lambda params: ALS(**params),
    }
    if vectors is not None:
        out["content"] = lambda params: Content(vectors, **params)
    return out


def validation_ndcg(
    model: Any, task: Task, half_life: float | None, exclude: bool
) -> float:
    matrix = task.matrix(half_life)
    model.fit(matrix)
    scores = model.scores(matrix[task.rows])
    return task.evaluate(scores, half_life, exclude)["ndcg@10"]


def tune(name: str, make: Factory, split: Split) -> dict[str, Any]:
    """Parameters at the first half-life of the grid, then the half-life at those.

    One pass of coordinate search: ALS's grid times five half-lives would take
    minutes for a difference the second pass shows is small.
    """
    task, tried = split.validation, []
    first = split.half_lives[0]
    for params in GRIDS[name]:
        score = validation_ndcg(make(params), task, first, split.exclude)
        tried.append({"params": params, "half_life": first, "ndcg@10": score})
    best = max(tried, key=lambda entry: entry["ndcg@10"])
    for half_life in split.half_lives[1:]:
        score = validation_ndcg(make(best["params"]), task, half_life, split.exclude)
        tried.append(
            {"params": best["params"], "half_life": half_life, "ndcg@10": score}
        )
    best = max(tried, key=lambda entry: entry["ndcg@10"])
    logger.info("%s: best on validation %s", name, best)
    return {**best, "grid": tried}


def simplex(names: Sequence[str], step: float) -> list[dict[str, float]]:
    """Every weighting of `names` in multiples of `step` that sums to 1."""
    units = round(1 / step)
    out = []
    for cut in itertools.product(range(units + 1), repeat=len(names) - 1):
        if sum(cut) <= units:
            shares = [*cut, units - sum(cut)]
            out.append(
                {n: round(s * step, 4) for n, s in zip(names, shares, strict=True)}
            )
    return out


def blend_components(
    makers: Mapping[str, Factory], tuned: Mapping[str, dict], names: Sequence[str]
) -> dict[str, Any]:
    return {name: makers[name](tuned[name]["params"]) for name in names}


def tune_blend(
    makers: Mapping[str, Factory],
    tuned: Mapping[str, dict],
    names: Sequence[str],
    split: Split,
) -> dict[str, Any]:
    """Blend weights (a grid on the simplex) and half-life on the validation split."""
    task, per_half_life = split.validation, []
    for half_life in split.half_lives:
        blend = Blend(blend_components(makers, tuned, names), {})
        matrix = task.matrix(half_life)
        blend.fit(matrix)
        history = matrix[task.rows]
        parts = blend.component_scores(history)
        best = {"ndcg@10": -1.0}
        for weights in simplex(names, BLEND_STEP):
            scores = blend.combine(parts, history, weights=weights)
            score = task.evaluate(scores, half_life, split.exclude)["ndcg@10"]
            if score > best["ndcg@10"]:
                best = {"params": weights, "half_life": half_life, "ndcg@10": score}
        per_half_life.append(best)
    best = {**max(per_half_life, key=lambda entry: entry["ndcg@10"])}
    best["grid"] = per_half_life  # the best weights at each half-life
    logger.info("blend: best on validation %s", best)
    return best


# Final fits, measured


def measure(make: Callable[[], Any], matrix: sp.csr_matrix) -> tuple[Any, dict]:
    """A model fitted once for its time and once more under tracemalloc.

    tracemalloc sees numpy's and scipy's arrays, not BLAS work buffers; the
    timed fit runs without it, since tracing slows allocation.
    """
    model = make().fit(matrix)
    tracemalloc.start()
    make().fit(matrix)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return model, {
        "fit_s": round(model.fit_seconds, 3),
        "fit_peak_mb": round(peak / 2**20, 1),
    }


def suggest_ms(model: Any, matrix: sp.csr_matrix, rows: np.ndarray) -> dict[str, float]:
    """Time to score one customer's history row and rank the top 10, per customer."""
    times = []
    for row in rows[:LATENCY_CUSTOMERS]:
        history = matrix[row]
        started = time.perf_counter()
        top_k(model.scores(history), K)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "p50": round(statistics.median(times), 3),
        "p95": round(times[max(0, math.ceil(0.95 * len(times)) - 1)], 3),
        "customers": len(times),
    }


def final_figures(
    name: str, make: Callable[[], Any], chosen: Mapping[str, Any], split: Split
) -> dict[str, Any]:
    """The tuned model fitted on the whole training data, on the test split."""
    task, half_life = split.test, chosen["half_life"]
    matrix = task.matrix(half_life)
    model, cost = measure(make, matrix)
    scores = model.scores(matrix[task.rows])
    headline = split.exclude
    shuffled = model.scores(matrix[task.others])
    out = {
        "params": chosen["params"],
        "half_life_days": half_life,
        "validation_ndcg@10": chosen["ndcg@10"],
        "bought_allowed": task.evaluate(scores, half_life, exclude=False),
        "bought_excluded": task.evaluate(scores, half_life, exclude=True),
        # Scored on another customer's history: what is left without personal signal
        "other_customers_history": {
            "ndcg@10": task.evaluate(shuffled, half_life, exclude=headline)["ndcg@10"]
        },
        **cost,
        "suggest_one_customer_ms": suggest_ms(model, matrix, task.rows),
    }
    logger.info("%s: %s", name, out)
    return out


def run_models(split: Split, vectors: np.ndarray | None) -> dict[str, Any]:
    """Tune every model and the blend on validation, then measure them on test."""
    makers = factories(vectors)
    tuned = {name: tune(name, make, split) for name, make in makers.items()}
    strong = max(STRONG, key=lambda name: tuned[name]["ndcg@10"])
    names = ["popularity", "item_knn", strong] + (
        ["content"] if vectors is not None else []
    )
    tuned["blend"] = tune_blend(makers, tuned, names, split)
    models = {}
    for name, make in makers.items():
        params = tuned[name]["params"]
        models[name] = final_figures(
            name, lambda make=make, params=params: make(params), tuned[name], split
        )
    weights = tuned["blend"]["params"]
    models["blend"] = final_figures(
        "blend",
        lambda: Blend(blend_components(makers, tuned, names), weights),
        tuned["blend"],
        split,
    )
    models["blend"]["components"] = names
    return {
        "models": models,
        "strong_model": strong,
        "validation_grid": {name: entry["grid"] for name, entry in tuned.items()},
    }


# Size


def scale_figures(items: int, seed: int = SEED) -> dict[str, Any]:
    """Fit cost and one customer's scoring time of each model at its defaults, on
    synthetic purchases over `items` articles (the demo shop has about 3,000).

    Two customers per article, 8 purchases each, drawn with a long-tailed
    popularity (weight 1 / (rank + 10)); random 384-d item vectors stand in for
    the product vectors. The figures are about size, not quality.
    """
    rng = np.random.default_rng(seed)
    customers, per_customer = 2 * items, 8
    weight = 1.0 / (np.arange(items) + 10.0)
    rows = np.repeat(np.arange(customers), per_customer)
    columns = rng.choice(items, size=len(rows), p=weight / weight.sum())
    ids = [str(n) for n in range(max(customers, items))]
    binary = EventWeights(half_life_days=None, saturation=None)
    matrix = from_arrays(
        rows, columns, np.ones(len(rows)), ids[:customers], ids[:items], binary
    ).matrix
    vectors = rng.normal(size=(items, 384)).astype(np.float32)
    makers = {**factories(vectors), "blend": lambda _: default_blend(vectors)}
    sample = rng.choice(customers, size=LATENCY_CUSTOMERS, replace=False)
    out: dict[str, Any] = {"items": items, "customers": customers, "nnz": matrix.nnz}
    for name, make in makers.items():
        model, cost = measure(lambda make=make: make({}), matrix)
        out[name] = {
            **cost,
            "suggest_one_customer_ms": suggest_ms(model, matrix, sample),
        }
        logger.info("scale %d, %s: %s", items, name, out[name])
    return out


# Item vectors


def item_vectors(names: Sequence[str]) -> tuple[np.ndarray, dict[str, Any]]:
    """Unit vectors (items, dim) of the item names by the local sentence model;
    an empty name gets a zero row, which Content treats as similar to nothing."""
    from knowledge.config import KnowledgeSettings
    from knowledge.embedder import Embedder

    settings = KnowledgeSettings.from_env()
    embedder = Embedder(
        settings.resolved_model_path(), threads=settings.embedding_threads
    )
    started = time.perf_counter()
    named = [position for position, name in enumerate(names) if name]
    vectors = np.zeros((len(names), embedder.dimension), dtype=np.float32)
    vectors[named] = embedder.encode([names[position] for position in named])
    facts = {
        "model": "/".join(Path(embedder.name).parts[-2:]),
        "named_items": len(named),
        "embed_s": round(time.perf_counter() - started, 2),
    }
    return vectors, facts


# Run


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(levelname)s %(name)s: %(message)s"
    )
    if args.write_online_retail:
        data, names = write_online_retail(ONLINE_RETAIL, args.write_online_retail)
        print(f"wrote {data} and {names}")
        return 0
    started = time.perf_counter()
    results: dict[str, Any] = {"run": run_facts()}
    if args.scale_only:
        results["scale"] = scale_figures(args.scale_only)
        results["run"]["load_average_end"] = load_average()
        results["run"]["wall_s"] = round(time.perf_counter() - started, 1)
        out = RESULTS / f"recommend-scale-{args.scale_only}.json"
        save(results, out)
        print(json.dumps(results["scale"], indent=2))
        return 0
    if args.tsv:
        ratings = read_tsv(args.tsv, args.min_rating)
        split, items = tsv_split(ratings, args.seed)
        names = read_item_names(args.item_names) if args.item_names else None
        protocol = TSV_PROTOCOL
        out = RESULTS / f"recommend-{args.tsv.stem}.json"
        source = args.tsv
    else:
        baskets = read_baskets(args.baskets)
        split, items = basket_split(baskets)
        names = {item: item for item in items}
        protocol = BASKET_PROTOCOL
        out = RESULTS / "recommend.json"
        source = args.baskets
    vectors = None
    if names is not None and not args.no_content:
        vectors, results["item_vectors"] = item_vectors(
            [names.get(i, "") for i in items]
        )
    results["data"] = {"file": source.name, **split.facts}
    results["protocol"] = protocol
    results.update(run_models(split, vectors))
    results["targets"] = targets(results, split)
    if args.scale_items:
        results["scale"] = scale_figures(args.scale_items)
    results["run"]["load_average_end"] = load_average()
    results["run"]["wall_s"] = round(time.perf_counter() - started, 1)
    results["run"]["max_rss_mb"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
    )
    save(results, out)
    print(summary(results, split))
    print(f"saved {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0


BASKET_PROTOCOL = (
    "each customer's last basket held out (customers with >= 2 baskets), training "
    "on all other baskets; validation: the last basket of the training data held "
    "out the same way; 10 items per customer; headline: bought items allowed"
)
TSV_PROTOCOL = (
    "random 75/25 split stratified per user (seeded), one row per (user, item), "
    "every row a positive; validation: 75/25 again inside the training rows; "
    "10 items per user; headline: training items excluded"
)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baskets", type=Path, default=GROCERIES)
    parser.add_argument(
        "--tsv", type=Path, help="user item rating timestamp, tab-separated"
    )
    parser.add_argument(
        "--item-names", type=Path, help="item<TAB>name, for content vectors"
    )
    parser.add_argument("--min-rating", type=float, help="TSV rows below are dropped")
    parser.add_argument("--seed", type=int, default=SEED, help="of the TSV split")
    parser.add_argument("--no-content", action="store_true", help="skip item vectors")
    parser.add_argument(
        "--scale-items", type=int, default=None,
        help="synthetic catalog size for fit cost and latency (default 3000 for "
             "the baskets, 0 for --tsv; 0 skips)",
    )  # fmt: skip
    parser.add_argument(
        "--write-online-retail", type=Path, metavar="DIR",
        help="convert the Online Retail sample to a TSV and names file, then stop",
    )  # fmt: skip
    parser.add_argument(
        "--scale-only", type=int, metavar="ITEMS",
        help="only the synthetic size figures, saved to recommend-scale-ITEMS.json",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.scale_items is None:
        args.scale_items = 0 if args.tsv else SCALE_ITEMS
    return args


def run_facts() -> dict[str, Any]:
    return {
        "time_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "cpus": len(os.sched_getaffinity(0)),
        "load_average_start": load_average(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
    }


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def targets(results: dict, split: Split) -> dict[str, Any]:
    """The issue's target: the stronger model's nDCG@10 over item-kNN's on the
    headline protocol (>= 15%), and its fit time (< 60 s)."""
    models, strong = results["models"], results["strong_model"]
    headline = "bought_excluded" if split.exclude else "bought_allowed"
    ours = models[strong][headline]["ndcg@10"]
    baseline = models["item_knn"][headline]["ndcg@10"]
    gain = (ours - baseline) / baseline if baseline else math.inf
    needed = round(baseline * 1.15, 4)
    return {
        "needed_ndcg@10": needed,
        "same_ranking_for_everyone_ceiling_ndcg@10": split.test.ceiling(),
        "model": strong,
        "headline": headline,
        "ndcg@10_gain_over_item_knn": round(gain, 4),
        "gain>=0.15": gain >= 0.15,
        "fit_s": models[strong]["fit_s"],
        "fit_s<60": models[strong]["fit_s"] < 60,
    }


def save(results: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)


def summary(results: dict, split: Split) -> str:
    """A table per protocol variant: metrics, fit time and memory of each model."""
    metrics = list(split.test.metrics) + ["coverage@10"]
    lines = [f"{results['data']}", f"protocol: {results['protocol']}"]
    for variant in ("bought_allowed", "bought_excluded"):
        lines.append(
            f"\n{variant}"
            + (" (headline)" if (variant == "bought_excluded") == split.exclude else "")
        )
        lines.append(
            f"{'model':<11}"
            + "".join(f"{m:>13}" for m in metrics)
            + f"{'fit s':>9}{'peak MB':>9}{'p95 ms':>8}"
        )
        for name, figures_ in results["models"].items():
            row = figures_[variant]
            lines.append(
                f"{name:<11}" + "".join(f"{row[m]:>13.4f}" for m in metrics)
                + f"{figures_['fit_s']:>9.2f}{figures_['fit_peak_mb']:>9.1f}"
                + f"{figures_['suggest_one_customer_ms']['p95']:>8.2f}"
            )  # fmt: skip
    if "scale" in results:
        scale = results["scale"]
        lines.append(f"\nsynthetic {scale['items']} items, defaults:")
        for name in ("popularity", "item_knn", "ease", "als", "content", "blend"):
            figures_ = scale[name]
            lines.append(
                f"{name:<11} fit {figures_['fit_s']:.2f} s, peak "
                f"{figures_['fit_peak_mb']:.1f} MB, one customer p95 "
                f"{figures_['suggest_one_customer_ms']['p95']:.2f} ms"
            )
    lines.append(
        "\nnDCG@10 scored on another customer's history (no personal signal): "
        + ", ".join(
            f"{name} {figures_['other_customers_history']['ndcg@10']:.4f}"
            for name, figures_ in results["models"].items()
        )
    )
    lines.append(f"\ntargets: {results['targets']}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
