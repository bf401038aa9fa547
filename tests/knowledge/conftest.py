"""One embedding model per test session, a sample of real products, and a
Knowledge built once over the shop's articles and those products."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from knowledge.config import DEFAULT_CONTENT_DIR, KnowledgeSettings
from knowledge.embedder import Embedder
from knowledge.products import ProductFacts, facts_from_catalog
from knowledge.service import Knowledge
from profiles.catalog import SUBSET_PATH

SAMPLE_STEP = 25  # every 25th product of the shipped subset: 120 products


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The shipped model, loaded once for the whole session, default threads."""
    settings = KnowledgeSettings.from_env({})
    return Embedder(settings.resolved_model_path(), threads=settings.embedding_threads)


@pytest.fixture(scope="session")
def sample_products() -> list[ProductFacts]:
    return facts_from_catalog(SUBSET_PATH)[::SAMPLE_STEP]


@pytest.fixture
def make_knowledge(embedder: Embedder, tmp_path: Path) -> Callable[..., Knowledge]:
    """Knowledge over a temporary index folder; content and products chosen."""

    def make(content_dir: Path = DEFAULT_CONTENT_DIR, products=None, **kw):
        settings = KnowledgeSettings(
            model_path=None,
            index_dir=kw.pop("index_dir", tmp_path / "index"),
            content_dir=content_dir,
            **kw,
        )
        source = None if products is None else (lambda: list(products))
        return Knowledge(settings, embedder=embedder, products=source)

    return make


@pytest.fixture
def small_content(tmp_path: Path) -> Path:
    """A content folder of two real articles, cheap to embed again."""
    folder = tmp_path / "content"
    folder.mkdir()
    for name in ("promo-codes.md", "footwear-care.md", "README.md"):
        shutil.copy(DEFAULT_CONTENT_DIR / name, folder / name)
    return folder


@pytest.fixture(scope="session")
def shop(
    embedder: Embedder,
    sample_products: list[ProductFacts],
    tmp_path_factory: pytest.TempPathFactory,
) -> Knowledge:
    """The real articles and the product sample, built once; tests only read."""
    settings = KnowledgeSettings(
        model_path=None, index_dir=tmp_path_factory.mktemp("shop-index")
    )
    knowledge = Knowledge(
        settings, embedder=embedder, products=lambda: list(sample_products)
    )
    knowledge.ensure_built()
    return knowledge
