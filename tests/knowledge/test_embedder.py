"""Embedder: unit float32 vectors of the model's dimension, queries cached, and
the direct single-query path equal to sentence-transformers' vectors."""

from __future__ import annotations

import numpy as np
import pytest

from knowledge.embedder import Embedder, direct_query_path


def test_encode_gives_unit_float32_rows(embedder: Embedder) -> None:
    vectors = embedder.encode(["where is my parcel", "red running shoes"])

    assert vectors.shape == (2, embedder.dimension) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    assert embedder.encode([]).shape == (0, embedder.dimension)


def test_a_repeated_query_comes_from_the_cache(embedder: Embedder) -> None:
    embedder.clear_cache()
    first = embedder.encode_query("can I return sale items")

    assert embedder.encode_query("can I return sale items") is first
    assert first.shape == (embedder.dimension,) and not first.flags.writeable
    np.testing.assert_allclose(first, embedder.encode(["can I return sale items"])[0],
                               rtol=1e-4, atol=1e-5)  # fmt: skip


def test_embedders_of_one_path_share_the_model(embedder: Embedder) -> None:
    other = Embedder(embedder.model_path)

    assert other.dimension == embedder.dimension
    assert other._loaded() is embedder._loaded()


QUERIES = [
    pytest.param("where is my parcel", id="short"),
    pytest.param("retrun label pls?? its been 2 weeks!!", id="typos"),
    pytest.param("Café crème & naïve résumé – 10% off", id="accents"),
    pytest.param("", id="empty"),
    pytest.param("my order " * 200, id="longer-than-the-model-reads"),
]


@pytest.mark.parametrize("text", QUERIES)
def test_the_direct_query_path_matches_sentence_transformers(
    embedder: Embedder, text: str
) -> None:
    direct = embedder.embed_query(text)
    library = embedder._loaded().encode([text], normalize_embeddings=True)[0]

    assert embedder.direct_queries
    assert direct.shape == (embedder.dimension,) and direct.dtype == np.float32
    assert 1.0 - float(direct @ library) <= 1e-5
    np.testing.assert_allclose(np.linalg.norm(direct), 1.0, rtol=1e-5)


def module(name: str, **attributes: object) -> object:
    """A stand-in pipeline module: only its class name and attributes count."""
    return type(name, (), attributes)()


@pytest.mark.parametrize(
    "modules",
    [
        pytest.param(
            [module("Transformer"), module("Pooling", pooling_mode="cls")],
            id="cls-pooling",
        ),
        pytest.param(
            [
                module("Transformer"),
                module("Pooling", pooling_mode="mean"),
                module("Dense"),
            ],
            id="extra-layer",
        ),
        pytest.param([module("StaticEmbedding")], id="static"),
    ],
)
def test_other_pipelines_keep_the_library_path(modules: list) -> None:
    assert direct_query_path(modules) is None
