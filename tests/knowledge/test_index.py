"""VectorIndex against brute force, in-place changes, and what load refuses."""

from __future__ import annotations

import threading
from pathlib import Path

import faiss
import numpy as np
import pytest

from knowledge.index import (
    FLAT,
    IVF,
    SEARCH_THREADS,
    IndexInvalid,
    VectorIndex,
    collection_paths,
)

DIM = 32


def unit_vectors(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    vectors = rng.standard_normal((n, DIM)).astype(np.float32)  # (n, DIM)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def brute_force(
    queries: np.ndarray, vectors: np.ndarray, ids: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    scores = queries @ vectors.T  # (q, n) cosines
    top = np.argsort(-scores, axis=1)[:, :k]
    return np.take_along_axis(scores, top, axis=1), ids[top]


def test_exact_search_equals_brute_force() -> None:
    vectors, ids = unit_vectors(500), np.arange(1000, 1500, dtype=np.int64)
    index = VectorIndex.build("t", ids, vectors, exact_max=1000)
    queries = unit_vectors(20, seed=1)

    scores, found = index.search(queries, 10)

    want_scores, want_ids = brute_force(queries, vectors, ids, 10)
    assert index.index_type == FLAT
    np.testing.assert_array_equal(found, want_ids)
    np.testing.assert_allclose(scores, want_scores, rtol=1e-5, atol=1e-6)


def test_ivf_above_the_threshold_and_exact_when_every_list_is_probed() -> None:
    vectors, ids = unit_vectors(2000), np.arange(2000, dtype=np.int64) * 7
    index = VectorIndex.build("t", ids, vectors, exact_max=100)
    index.nprobe = 10_000  # every list: the IVF search is then exhaustive
    queries = unit_vectors(10, seed=2)

    _, found = index.search(queries, 5)

    assert index.index_type == IVF
    np.testing.assert_array_equal(found, brute_force(queries, vectors, ids, 5)[1])


@pytest.mark.parametrize("exact_max", [10_000, 100], ids=["flat", "ivf"])
def test_add_update_remove_in_place(exact_max: int) -> None:
    vectors, ids = unit_vectors(1000), np.arange(1000, dtype=np.int64)
    index = VectorIndex.build("t", ids, vectors, exact_max=exact_max)
    index.nprobe = 10_000
    probe = unit_vectors(3, seed=3)

    index.add([5000, 5001], probe[:2])
    index.remove([5000, 10])
    index.update([20], probe[2:])

    assert index.count == 1000
    assert index.search(probe[1], 1)[1][0, 0] == 5001
    assert 5000 not in index.search(probe[0], 5)[1][0]
    assert index.search(probe[2], 1)[1][0, 0] == 20
    assert 10 not in index.search(vectors[10], 5)[1][0]
    with pytest.raises(ValueError):
        index.add([5001], probe[:1])


@pytest.mark.parametrize("exact_max", [10_000, 100], ids=["flat", "ivf"])
def test_allowed_ids_limit_the_search(exact_max: int) -> None:
    vectors, ids = unit_vectors(1000), np.arange(1000, dtype=np.int64)
    index = VectorIndex.build("t", ids, vectors, exact_max=exact_max)
    allowed = np.array([3, 50, 700, 999])

    _, found = index.search(unit_vectors(4, seed=4), 3, allowed_ids=allowed)

    assert set(found.ravel()) <= set(allowed)
    want = brute_force(unit_vectors(4, seed=4), vectors[allowed], allowed, 3)[1]
    np.testing.assert_array_equal(found, want)
    assert index.search(vectors[0], 3, allowed_ids=[])[1].max() == -1


def saved(folder: Path) -> VectorIndex:
    index = VectorIndex.build("t", np.arange(50), unit_vectors(50), exact_max=100)
    index.save(folder, model="m", content="c")
    return index


def test_save_then_load_gives_the_same_answers(tmp_path: Path) -> None:
    index = saved(tmp_path)

    loaded, manifest = VectorIndex.load(
        tmp_path, "t", model="m", dimension=DIM, content="c"
    )

    assert (manifest.count, manifest.index_type, manifest.dimension) == (50, FLAT, DIM)
    query = unit_vectors(1, seed=5)
    np.testing.assert_array_equal(loaded.search(query, 5)[1], index.search(query, 5)[1])
    assert not list(tmp_path.glob("*.tmp"))


@pytest.mark.parametrize(
    ("model", "dimension", "content", "reason"),
    [
        pytest.param("other", DIM, "c", "model", id="other-model"),
        pytest.param("m", 64, "c", "dimension", id="other-dimension"),
        pytest.param("m", DIM, "changed", "content", id="changed-content"),
    ],
)
def test_load_refuses_a_mismatch(
    tmp_path: Path, model: str, dimension: int, content: str, reason: str
) -> None:
    saved(tmp_path)

    with pytest.raises(IndexInvalid, match=reason):
        VectorIndex.load(
            tmp_path, "t", model=model, dimension=dimension, content=content
        )


def test_load_refuses_a_truncated_or_missing_file(tmp_path: Path) -> None:
    saved(tmp_path)
    paths = collection_paths(tmp_path, "t")
    paths["faiss"].write_bytes(paths["faiss"].read_bytes()[:100])

    with pytest.raises(IndexInvalid, match="unreadable"):
        VectorIndex.load(tmp_path, "t", model="m", dimension=DIM, content="c")
    paths["ids"].unlink()
    with pytest.raises(IndexInvalid, match="missing"):
        VectorIndex.load(tmp_path, "t", model="m", dimension=DIM, content="c")


def test_a_search_sets_the_thread_count_in_the_calling_thread() -> None:
    index = VectorIndex.build("t", [1, 2], unit_vectors(2), exact_max=10)
    seen: list[int] = []

    def search_then_look() -> None:
        faiss.omp_set_num_threads(SEARCH_THREADS + 1)  # as a worker may have
        index.search(unit_vectors(1, seed=1), 1)
        seen.append(faiss.omp_get_max_threads())

    worker = threading.Thread(target=search_then_look)
    worker.start()
    worker.join()

    assert seen == [SEARCH_THREADS]
