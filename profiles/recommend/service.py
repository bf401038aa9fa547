"""The shop's suggestions: the blend trained on the store's events, the shop's
rules applied to one customer, and a reason for every product.

`Suggester.train()` reads every product and every product event of the store
(purchases and views) and fits the blend: popularity per
membership level, item-kNN on co-purchases, ALS, and content similarity from
the knowledge index's product vectors, with the weights bench/recommend.py
chose (`default_blend`; see README.md here). `suggest()` scores one customer's
history, read from the store at that moment, so a new order changes the next
suggestions without retraining; retraining (new co-purchase patterns, new
products) runs in the background (see `Retrainer`).

The rules: in stock; for the customer's own wear, in a size they have bought
before (letter sizes for clothes, numbers for shoes) when they have bought one;
within a stated budget; not owned; never a product they turned down; at most
one of each article type, so the picks are varied.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from profiles.views import PURCHASE_KIND, CustomerView, ProductView

from .blend import Blend, default_blend
from .interactions import PURCHASE, VIEW, Event, EventWeights, from_events
from .ranking import pick

logger = logging.getLogger(__name__)

# Store interaction kinds as the recommender's event kinds; others are ignored.
# A suggestion shown is not a sign of interest (it may be turned down next),
# so only what the customer chose counts.
EVENT_KINDS = {PURCHASE_KIND: PURCHASE, "product_viewed": VIEW}
PER_ARTICLE_TYPE = 1  # picks of one kind in one answer
# Candidates ranked per product wanted, so those sold out or repriced since the
# last training can be dropped and still leave k.
FRESH_CHECK_FACTOR = 3
# In "what goes with my X", the customer's own scores break the ties among
# products never bought together with X.
GOES_WITH_OWN_WEIGHT = 0.2
LETTER_SIZES = frozenset({"XS", "S", "M", "L", "XL", "XXL", "XXXL"})

ItemVectors = Callable[[Sequence[int]], np.ndarray | None]


@dataclass(frozen=True)
class SuggestionRequest:
    """What the customer asked for beyond "suggest something".

    `gift`: for someone else, so the customer's sizes and purchases do not
    narrow the choice (owned products are still left out). `goes_with`: a
    product id the suggestions should complement (other kinds than it).
    """

    max_price: float | None = None
    gender: str | None = None
    gift: bool = False
    goes_with: int | None = None


@dataclass(frozen=True)
class Pick:
    """One suggested product and the reason shown with it."""

    product: ProductView
    reason: str
    model: str  # the blend component the reason comes from


@dataclass
class _Catalog:
    """Products as columns: the views and the numpy facts the rules test."""

    views: list[ProductView]
    ids: np.ndarray  # (items,) product ids
    price: np.ndarray  # (items,)
    in_stock: np.ndarray  # (items,) bool
    gender: np.ndarray  # (items,) object
    kind: np.ndarray  # (items,) article type, object
    group: np.ndarray  # (items,) sub-category ("Topwear"), object
    sizes: list[frozenset[str]] = field(default_factory=list)  # in stock, per item
    # which products have a size in stock, by size: the size rule's columns
    with_size: dict[str, np.ndarray] = field(default_factory=dict)
    lettered: np.ndarray | None = None  # (items,) sized S, M, L...
    numbered: np.ndarray | None = None  # (items,) sized 6, 7, 8...
    positions: dict[int, int] = field(default_factory=dict)  # product id -> column

    def __post_init__(self) -> None:
        count = len(self.ids)
        for column, sizes in enumerate(self.sizes):
            for size in sizes:
                self.with_size.setdefault(size, np.zeros(count, dtype=bool))
                self.with_size[size][column] = True
        self.lettered = np.array([bool(s & LETTER_SIZES) for s in self.sizes], bool)
        self.numbered = np.array(
            [any(size.isdigit() for size in s) for s in self.sizes], dtype=bool
        )
        self.positions = {int(product_id): i for i, product_id in enumerate(self.ids)}

    def any_size(self, sizes: Iterable[str]) -> np.ndarray:
        """(items,) True where one of `sizes` is in stock."""
        found = np.zeros(len(self.ids), dtype=bool)
        for size in sizes:
            if size in self.with_size:
                found |= self.with_size[size]
        return found

    @classmethod
    def of(cls, views: list[ProductView]) -> _Catalog:
        return cls(
            views=views,
            ids=np.array([v.id for v in views], dtype=np.int64),
            price=np.array([float(v.price) for v in views], dtype=np.float64),
            in_stock=np.array([v.in_stock for v in views], dtype=bool),
            gender=np.array([v.gender for v in views], dtype=object),
            kind=np.array([v.article_type for v in views], dtype=object),
            group=np.array([v.sub_category for v in views], dtype=object),
            sizes=[frozenset(v.sizes_in_stock()) for v in views],
        )


class Suggester:
    """Suggestions for one customer at a time from a blend trained on the store.

    Thread-safe: `train()` builds a new model and swaps it in whole, so
    `suggest()` calls running meanwhile finish on the old one.
    """

    def __init__(
        self,
        store,
        *,
        item_vectors: ItemVectors | None = None,
        event_weights: EventWeights | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.item_vectors = item_vectors
        self.event_weights = event_weights or EventWeights()
        self.clock = clock
        self._lock = threading.Lock()
        self._model: tuple[Blend, object, _Catalog] | None = None
        self.trained_at: datetime | None = None
        self.train_seconds = 0.0

    # Training

    def train(self) -> float:
        """Fit the blend on the store as it is now; the seconds it took."""
        started = time.perf_counter()
        catalog = _Catalog.of(self.store.all_products())
        items = [str(i) for i in catalog.ids]
        now = self.clock()
        events = list(_events(self.store.product_events()))
        customers = sorted({e.customer for e in events})
        interactions = from_events(
            events, self.event_weights, now=now, customers=customers, items=items
        )
        levels = self.store.membership_levels(customers)
        segments = [levels.get(c) for c in customers]
        vectors = self.item_vectors(list(catalog.ids)) if self.item_vectors else None
        blend = default_blend(vectors)
        blend.fit(interactions.matrix, segments)
        with self._lock:
            self._model = (blend, interactions, catalog)
            self.trained_at = now
            self.train_seconds = time.perf_counter() - started
        logger.info(
            "Suggestions trained on %d events of %d customers over %d products "
            "in %.2f s",
            len(events), len(customers), len(items), self.train_seconds,
        )  # fmt: skip
        return self.train_seconds

    def _ready(self) -> tuple[Blend, object, _Catalog]:
        with self._lock:
            model = self._model
        if model is None:
            self.train()
            with self._lock:
                model = self._model
        return model

    # Suggesting

    def suggest(
        self,
        customer: CustomerView | None,
        request: SuggestionRequest = SuggestionRequest(),
        *,
        k: int = 3,
    ) -> list[Pick]:
        """Up to k products for the customer (None: a guest) under the rules.

        A guest, or a customer who turned personalization off, gets what is
        popular (in their membership level, for a signed-in one), never
        anything built from a history.
        """
        blend, interactions, catalog = self._ready()
        personal = customer is not None and customer.personalization_enabled
        personal = personal and not request.gift  # a gift follows no one's history
        owned = self.store.owned_products(customer.id) if customer else frozenset()
        turned_down = self.store.turned_down(customer.id) if customer else frozenset()
        history = (
            self._history(interactions, customer.id, turned_down) if personal else None
        )
        if history is None:
            history = sp.csr_matrix((1, len(catalog.ids)), dtype=np.float32)
        segment = customer.membership_level if customer is not None else None
        scores = blend.scores(history, [segment])[0]
        own_wear = customer if personal else None  # sizes and wearer from history
        allowed = self._allowed(catalog, request, own_wear, owned, turned_down)
        if request.goes_with is not None:
            scores = self._goes_with(blend, catalog, request.goes_with, scores)
            allowed &= np.isfinite(scores)
        columns = pick(
            scores,
            k * FRESH_CHECK_FACTOR,
            allowed=allowed,
            owned=[c for c in map(_column(catalog), owned) if c is not None],
            groups=list(catalog.kind),
            per_group=PER_ARTICLE_TYPE,
        )
        fresh = [c for c in columns if self._still_fits(catalog, c, request)][:k]
        return [
            self._pick(blend, catalog, history, column, segment, request, owned)
            for column in fresh
        ]

    def _still_fits(self, catalog: _Catalog, column: int, request) -> bool:
        """The product as the store has it now is still in stock and in budget
        (the model's copy is from its last training); the card shows it so."""
        product = self.store.product(int(catalog.ids[column]))
        if product is None or not product.in_stock:
            return False
        if request.max_price is not None and float(product.price) > request.max_price:
            return False
        catalog.views[column] = product
        return True

    def _history(
        self, interactions, customer_id: str, turned_down: frozenset[int]
    ) -> sp.csr_matrix:
        """The customer's row built now from the store: new orders count at once;
        a product they turned down counts for nothing, even if they viewed it."""
        events = [
            e
            for e in self.store.product_events(customer_id)
            if e.product_id not in turned_down
        ]
        return interactions.history_of(
            _events(events), self.event_weights, now=self.clock()
        )

    def _allowed(
        self,
        catalog: _Catalog,
        request: SuggestionRequest,
        customer: CustomerView | None,
        owned: frozenset[int],
        turned_down: frozenset[int],
    ) -> np.ndarray:
        allowed = catalog.in_stock.copy()
        if request.max_price is not None:
            allowed &= catalog.price <= request.max_price
        if request.gender is not None:
            allowed &= np.isin(catalog.gender, (request.gender, "Unisex"))
        if turned_down:
            allowed &= ~np.isin(catalog.ids, list(turned_down))
        if customer is not None and not request.gift:  # their own, personal wear
            allowed &= self._in_known_sizes(catalog, customer.id)
            allowed &= self._for_their_wear(catalog, owned)
        return allowed

    @staticmethod
    def _for_their_wear(catalog: _Catalog, owned: frozenset[int]) -> np.ndarray:
        """True for products of the genders the customer buys for (and unisex);
        True everywhere when they have bought nothing gendered."""
        columns = [c for c in map(_column(catalog), owned) if c is not None]
        genders = set(catalog.gender[columns]) - {"Unisex"}
        if not genders:
            return np.ones(len(catalog.ids), dtype=bool)
        return np.isin(catalog.gender, [*genders, "Unisex"])

    def _in_known_sizes(self, catalog: _Catalog, customer_id: str) -> np.ndarray:
        """True where the product comes, in stock, in a size the customer has
        bought in the same size system; True everywhere for an unknown system."""
        bought = self.store.sizes_bought(customer_id)
        letters = {s for s in bought if s in LETTER_SIZES}
        numbers = {s for s in bought if s.isdigit()}
        fits = np.ones(len(catalog.ids), dtype=bool)
        if letters:
            fits &= ~catalog.lettered | catalog.any_size(letters)
        if numbers:
            fits &= ~catalog.numbered | catalog.lettered | catalog.any_size(numbers)
        return fits

    @staticmethod
    def _goes_with(
        blend: Blend, catalog: _Catalog, product_id: int, scores: np.ndarray
    ) -> np.ndarray:
        """Scores led by what is bought together with the product, then by the
        customer's own scores; only other kinds of wear (another sub-category)
        for the same wearer as the product."""
        column = _column(catalog)(product_id)
        if column is None:
            return scores
        anchor = sp.csr_matrix(
            ([1.0], ([0], [column])), shape=(1, len(catalog.ids)), dtype=np.float32
        )
        parts = blend.component_scores(anchor)
        bought_with = parts.get("item_knn", np.zeros_like(parts["popularity"]))[0]
        combined = bought_with + GOES_WITH_OWN_WEIGHT * scores
        combined[catalog.group == catalog.group[column]] = -np.inf
        wearer = catalog.gender[column]
        if wearer != "Unisex":
            combined[~np.isin(catalog.gender, (wearer, "Unisex"))] = -np.inf
        return combined

    def _pick(
        self,
        blend: Blend,
        catalog: _Catalog,
        history: sp.csr_matrix,
        column: int,
        segment,
        request: SuggestionRequest,
        owned: frozenset[int],
    ) -> Pick:
        product = catalog.views[column]
        if request.goes_with is not None:
            anchor = self.store.product(request.goes_with)
            name = anchor.name if anchor else "purchase"
            return Pick(product, f"To wear with your {name}", "goes_with")
        reason = blend.explain(history, column, segment)
        source = None
        if reason.source is not None and reason.source != column:
            source = catalog.views[reason.source]
        bought = source is not None and source.id in owned
        wording = _wording(reason.model, source, segment, bought=bought)
        if reason.source == column:
            wording = "You looked at this one before"
        return Pick(product, wording, reason.model)


def _wording(model: str, source: ProductView | None, segment, *, bought: bool) -> str:
    """The reason a customer reads, from the component and the product behind it:
    one they bought, or (`bought` False) one they looked at."""
    if source is not None and not bought:
        return f"Like the {source.name} you looked at"
    if source is not None and model == "item_knn":
        return f"Often bought with your {source.name}"
    if source is not None and model in ("als", "ease"):
        return f"Because you bought the {source.name}"
    if source is not None and model == "content":
        return f"Like the {source.name} you bought"
    if segment in ("gold", "silver", "bronze"):
        return f"Popular with {segment} members"
    return "Popular with our customers"


def _events(store_events: Iterable) -> Iterable[Event]:
    """The store's product events as the recommender's; turned-down ones and
    kinds it does not know are left out (the rules exclude turned-down ones)."""
    for e in store_events:
        kind = EVENT_KINDS.get(e.kind)
        if kind is None:
            continue
        for _ in range(max(1, e.quantity) if kind == PURCHASE else 1):
            yield Event(e.customer_id, str(e.product_id), kind, e.occurred_at)


def _column(catalog: _Catalog) -> Callable[[int], int | None]:
    return catalog.positions.get


RETRAIN_REQUEST_FILE = (
    "retrain-suggestions"  # in the var folder; see request_retraining
)
POLL_SECONDS = 5.0  # how often the retrainer looks for a request


def request_retraining(var_dir: Path) -> Path:
    """Ask the running action server to retrain its suggestions now: it finds
    this file within POLL_SECONDS, removes it and retrains in the background."""
    var_dir.mkdir(parents=True, exist_ok=True)
    path = var_dir / RETRAIN_REQUEST_FILE
    path.write_text(datetime.now(UTC).isoformat() + "\n")
    return path


class Retrainer:
    """Retrains a Suggester in a background thread every `interval` seconds,
    and soon after a request: `request()` in the process, or the file that
    `request_retraining` writes in `var_dir` from another one (a command)."""

    def __init__(
        self, suggester: Suggester, interval: float, var_dir: Path | None = None
    ) -> None:
        self.suggester = suggester
        self.interval = interval
        self.request_file = var_dir / RETRAIN_REQUEST_FILE if var_dir else None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._run, name="suggestions-retrain", daemon=True
        )
        self._thread.start()

    def request(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def _run(self) -> None:
        last = time.monotonic()
        while not self._stop.is_set():
            woken = self._wake.wait(min(self.interval, POLL_SECONDS))
            self._wake.clear()
            if self._stop.is_set():
                return
            asked = woken or self._take_request()
            if asked or time.monotonic() - last >= self.interval:
                self._train()
                last = time.monotonic()

    def _take_request(self) -> bool:
        if self.request_file is None or not self.request_file.exists():
            return False
        self.request_file.unlink(missing_ok=True)
        logger.info("Retraining the suggestions on request")
        return True

    def _train(self) -> None:
        try:
            self.suggester.train()
        except Exception:  # the old model keeps serving; next round retries
            logger.exception("Retraining the suggestions failed")
