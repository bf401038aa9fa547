"""Embedder: unit float32 vectors of the model's dimension, queries cached."""

from __future__ import annotations

import numpy as np

from knowledge.embedder import Embedder


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
