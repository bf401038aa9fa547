"""The knowledge facade the actions use: answers from articles, product search.

Two collections live in the index folder: "articles" (one vector per passage
and one per sentence of it, see knowledge.ranking) and "products" (one per
product, id = product id). `ensure_built()` loads each
from disk when its model and content agree with the manifest; when only a few
texts changed it re-embeds just those, and otherwise it rebuilds. Products are
then changed in place with add/update/remove.

Product facts (price, stock) are read when `ensure_built()` runs and follow
add/update/remove; a stock change made elsewhere shows after the next
`ensure_built()` or `update_product()`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .articles import Passage, read_passages
from .config import KnowledgeSettings
from .embedder import Embedder
from .index import IndexInvalid, Manifest, VectorIndex, content_hash, text_digest
from .products import ProductFacts, ProductTable, facts_from_store, facts_from_view
from .query import ProductFilters
from .ranking import PassageRanker

if TYPE_CHECKING:
    from profiles.store import ProfileStore
    from profiles.views import ProductView

logger = logging.getLogger(__name__)

ARTICLES, PRODUCTS = "articles", "products"
OVERFETCH = 4  # candidates per wanted product, so stock ordering has a choice
MAX_STALE_SHARE = 0.2  # of a collection changed, above which it is rebuilt

ProductSource = Callable[[], list[ProductFacts]]


@dataclass(frozen=True)
class PassageHit:
    """A passage that answers a question, with its fused score (dense cosines
    and BM25, see knowledge.ranking; the answer threshold is in its units)."""

    article: str
    title: str
    topic: str
    heading: str
    text: str
    score: float


class Knowledge:
    """Answers and product search over the shop's indexed content.

    `products` says where products come from (default: the profile store
    passed as `store`; none if neither is given). Build once with
    `ensure_built()`; searches are safe to run from several threads, writes
    are serialized.
    """

    def __init__(
        self,
        settings: KnowledgeSettings,
        *,
        embedder: Embedder | None = None,
        store: ProfileStore | None = None,
        products: ProductSource | None = None,
    ) -> None:
        self.settings = settings
        self.embedder = embedder or Embedder(
            settings.resolved_model_path(), threads=settings.embedding_threads
        )
        if products is None and store is not None:
            products = lambda: facts_from_store(store)
        self._product_source = products
        self._lock = threading.Lock()
        self._ranker: PassageRanker | None = None
        self._articles: VectorIndex | None = None
        self._products: VectorIndex | None = None
        self._table = ProductTable()
        self.rebuilt: list[str] = []  # collections rebuilt by the last ensure_built

    @property
    def products_table(self) -> ProductTable:
        """The facts of the indexed products (price, stock...), read-only use."""
        return self._table

    @property
    def products_index(self) -> VectorIndex:
        """The built products collection, for maintenance and benchmarks."""
        return self._ready(self._products, PRODUCTS)

    # Building

    def ensure_built(self, *, progress: bool = False) -> None:
        """Load both collections; re-embed what changed, rebuild what is unusable.

        Every problem with the files on disk is one WARNING line, never an
        error: the collection is rebuilt from its content.
        """
        with self._lock:
            self.rebuilt = []
            ranker = PassageRanker(read_passages(self.settings.content_dir))
            self._articles = self._load_or_build(ARTICLES, ranker.items(), progress)
            self._ranker = ranker
            if self._product_source is not None:
                self._table = ProductTable(self._product_source())
                items = self._table.items()
                self._products = self._load_or_build(PRODUCTS, items, progress)

    def _load_or_build(
        self, name: str, items: list[tuple[int, str]], progress: bool
    ) -> VectorIndex:
        digest = content_hash(items)
        try:
            index, _ = self._load(name, digest)
            logger.info("Index %s loaded: %d vectors", name, index.count)
            return index
        except IndexInvalid as invalid:
            if invalid.stale:
                updated = self._bring_up_to_date(name, items, digest)
                if updated is not None:
                    return updated
            logger.warning("Index %s rebuilt: %s", name, invalid.reason)
        return self._build(name, items, digest, progress)

    def _load(self, name: str, digest: str | None) -> tuple[VectorIndex, Manifest]:
        return VectorIndex.load(
            self.settings.index_dir,
            name,
            model=self.embedder.name,
            dimension=self.embedder.dimension,
            content=digest,
        )

    def _bring_up_to_date(
        self, name: str, items: list[tuple[int, str]], digest: str
    ) -> VectorIndex | None:
        """The saved index with changed, new and gone items applied in place;
        None when more than MAX_STALE_SHARE of it changed (a rebuild is
        then about as fast) or when the saved files cannot be read."""
        try:
            index, _ = self._load(name, None)
        except IndexInvalid:
            return None
        wanted = {item_id: (text, text_digest(text)) for item_id, text in items}
        changed = [i for i, (_, d) in wanted.items() if index.key(i) != d]
        gone = [i for i in index.ids() if i not in wanted]
        if len(changed) + len(gone) > MAX_STALE_SHARE * max(len(wanted), 1):
            return None
        index.remove(changed + gone)
        texts = [wanted[i][0] for i in changed]
        index.add(
            changed, self.embedder.encode(texts), keys=[wanted[i][1] for i in changed]
        )
        index.save(self.settings.index_dir, model=self.embedder.name, content=digest)
        logger.warning(
            "Index %s brought up to date in place: %d changed or new, %d gone",
            name, len(changed), len(gone),
        )  # fmt: skip
        self.rebuilt.append(name)
        return index

    def _build(
        self, name: str, items: list[tuple[int, str]], digest: str, progress: bool
    ) -> VectorIndex:
        started = time.perf_counter()
        vectors = self.embedder.encode([t for _, t in items], progress=progress)
        ids = [i for i, _ in items]
        keys = [text_digest(t) for _, t in items]
        index = VectorIndex.build(
            name, ids, vectors, exact_max=self.settings.exact_max, keys=keys
        )
        index.save(self.settings.index_dir, model=self.embedder.name, content=digest)
        elapsed = time.perf_counter() - started
        logger.info("Index %s built: %d vectors in %.1f s", name, len(ids), elapsed)
        self.rebuilt.append(name)
        return index

    # Answers

    def answer(self, question: str, k: int = 3) -> list[PassageHit]:
        """The k best passages for a question; empty when even the best one
        scores below the answer threshold (the question is not covered)."""
        hits = self.rank_passages(question, k)
        if not hits or hits[0].score < self.settings.answer_threshold:
            return []
        return hits

    def rank_passages(self, question: str, k: int = 3) -> list[PassageHit]:
        """The k best passages by fused score, best first, with no threshold.

        Every vector of the articles collection is scored (a few hundred, so
        an exact search stays well under a millisecond); the catalog's size
        does not matter here.
        """
        index = self._ready(self._articles, ARTICLES)
        ranker = self._ranker
        if ranker is None:  # only while the first ensure_built runs
            raise RuntimeError(f"collection {ARTICLES} is not built yet")
        query = self.embedder.encode_query(question)  # (dim,)
        cosines, ids = index.search(query, index.count)  # (1, v) each
        scores = ranker.scores(question, ids[0], cosines[0])  # (p,)
        best = np.argsort(-scores, kind="stable")[: max(int(k), 0)]
        return [self._hit(ranker.passages[row], float(scores[row])) for row in best]

    @staticmethod
    def _hit(passage: Passage, score: float) -> PassageHit:
        return PassageHit(
            passage.article,
            passage.title,
            passage.topic,
            passage.heading,
            passage.text,
            score,
        )

    # Products

    def search_products(
        self,
        query: str,
        *,
        max_price: float | None = None,
        min_price: float | None = None,
        colour: str | None = None,
        gender: str | None = None,
        article_type: str | tuple[str, ...] | None = None,
        category: str | None = None,
        size: str | None = None,
        in_stock_first: bool = True,
        k: int = 5,
    ) -> list[tuple[int, float]]:
        """(product id, score) of the k best products that pass every filter.

        Filters are hard: the search runs only over the ids that pass them.
        With `in_stock_first` the best 4*k are fetched and those in stock come
        first, each group by score. `size` means units left in that size.
        """
        index = self._ready(self._products, PRODUCTS)
        filters = ProductFilters(
            max_price, min_price, colour, gender, article_type, category, size
        )
        allowed = self._table.matching_ids(filters)  # (m,) or None for all
        fetch = k * OVERFETCH if in_stock_first else k
        scores, ids = index.search(self.embedder.encode_query(query), fetch, allowed)
        found = [(int(i), float(s)) for s, i in zip(scores[0], ids[0]) if i >= 0]
        if in_stock_first:
            found.sort(key=lambda hit: (not self._table.in_stock(hit[0]), -hit[1]))
        return found[:k]

    def add_product(self, product: ProductView | ProductFacts) -> None:
        """Index a new product in place; ValueError if its id is indexed."""
        facts = _facts(product)
        with self._lock:
            index = self._ready(self._products, PRODUCTS)
            vectors = self.embedder.encode([facts.text])
            index.add([facts.id], vectors, keys=[text_digest(facts.text)])
            self._table.put(facts)
            self._save_products(index)

    def update_product(self, product: ProductView | ProductFacts) -> None:
        """Re-embed a changed product (text, price or stock) in place."""
        facts = _facts(product)
        with self._lock:
            index = self._ready(self._products, PRODUCTS)
            vectors = self.embedder.encode([facts.text])
            index.update([facts.id], vectors, keys=[text_digest(facts.text)])
            self._table.put(facts)
            self._save_products(index)

    def remove_product(self, product_id: int) -> bool:
        """Take a product out of the index; False if it was not there."""
        with self._lock:
            index = self._ready(self._products, PRODUCTS)
            removed = index.remove([int(product_id)]) > 0
            self._table.drop(product_id)
            self._save_products(index)
            return removed

    def _save_products(self, index: VectorIndex) -> None:
        # The manifest's hash follows the edit, so the next start loads the
        # edited index instead of rebuilding it.
        digest = content_hash(self._table.items())
        index.save(self.settings.index_dir, model=self.embedder.name, content=digest)

    @staticmethod
    def _ready(index: VectorIndex | None, name: str) -> VectorIndex:
        if index is None:
            raise RuntimeError(f"collection {name} is not built; call ensure_built()")
        return index


def _facts(product: ProductView | ProductFacts) -> ProductFacts:
    return product if isinstance(product, ProductFacts) else facts_from_view(product)
