"""A FAISS index over one collection of unit vectors, with int64 ids, on disk.

Vectors are (n, dim) float32, L2-normalized; the metric is the inner product,
which on unit vectors is the cosine. Up to `exact_max` vectors the index is
exact (IndexIDMap2 around IndexFlatIP); above it is an IVF index
(IndexIVFFlat, nlist ~ 4*sqrt(n)), chosen over HNSW because it adds and removes
ids in place, which HNSW cannot do without a rebuild (see bench/retrieval.py
for its speed and recall).

On disk a collection NAME is three files: NAME.faiss (the index), NAME.ids.json
(its ids and a key per id) and NAME.manifest.json (what it was built from).
faiss is imported on first use, not with this module.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
METRIC = "inner_product"
FLAT, IVF = "flat", "ivf"
# IVF lists visited per query: the least with recall@10 >= 0.95 on the real
# catalog's vectors in bench/retrieval.py (p95 0.3 ms at 42k, 2 ms at 1M).
DEFAULT_NPROBE = 64
EXACT_FILTER_MAX = 4096  # allowed ids scored exactly in an IVF index
# OpenMP threads of one search, set in the calling thread before each search
# (OpenMP keeps the count per thread, so a setting made once at start does not
# reach the server's worker threads). One query gains nothing from a second
# thread, and waking it on a busy two-core machine stalled searches by 4-8 ms
# (bench/retrieval.py).
SEARCH_THREADS = 1
MIN_TRAIN_PER_LIST = 39  # faiss warns below this many training points per list
# k-means on 50 points per list and 10 rounds: at 1M vectors faiss's defaults
# (256 points, 25 rounds) would train for over ten minutes on two cores; the
# recall reached with this training is in bench/results/retrieval.json.
MAX_TRAIN_PER_LIST = 50
TRAIN_ITERATIONS = 10
MAX_DETAIL_CHARS = 120  # of a faiss error quoted in the warning


def _faiss() -> Any:
    import faiss

    return faiss


@dataclass(frozen=True)
class Manifest:
    """What an index file was built from; a loaded index must agree with it."""

    name: str
    model: str
    dimension: int
    metric: str
    index_type: str
    content_hash: str
    count: int
    built_at: float
    format_version: int = FORMAT_VERSION


class IndexInvalid(Exception):
    """An index on disk that must not be used as it is; `reason` says why.

    `stale` is True when only the content changed: the files are sound and
    the index may be brought up to date in place.
    """

    def __init__(self, name: str, reason: str, *, stale: bool = False) -> None:
        super().__init__(f"index {name}: {reason}")
        self.name = name
        self.reason = reason
        self.stale = stale


def text_digest(text: str) -> str:
    """A short digest of one text, kept per id to see which texts changed."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def content_hash(items: Iterable[tuple[int, str]]) -> str:
    """A digest of (id, text) pairs, independent of their order."""
    digest = hashlib.sha256()
    for item_id, text in sorted(items):
        digest.update(f"{item_id}\x1f{text}\x1e".encode())
    return digest.hexdigest()


def nlist_for(count: int) -> int:
    """IVF lists for `count` vectors: about 4*sqrt(n), at least 1."""
    return max(1, int(4 * math.sqrt(max(count, 1))))


class VectorIndex:
    """One collection's vectors under int64 ids; search returns cosine scores.

    Ids are unique: `add` of a known id raises ValueError, `update` replaces.
    Not thread-safe for writes; searches may run alongside each other.
    """

    def __init__(self, name: str, dimension: int, index: Any, index_type: str):
        self.name = name
        self.dimension = dimension
        self.index_type = index_type
        self.nprobe = DEFAULT_NPROBE
        self._index = index
        self._keys: dict[int, str] = {}
        self._known: np.ndarray | None = None  # sorted ids, made on demand

    @classmethod
    def build(
        cls,
        name: str,
        ids: Sequence[int],
        vectors: np.ndarray,
        *,
        exact_max: int,
        keys: Sequence[str] | None = None,
    ) -> VectorIndex:
        """An index over `vectors` (n, dim): exact up to exact_max, else IVF."""
        vectors = _as_matrix(vectors)
        kind = FLAT if len(ids) <= exact_max else IVF
        index = _empty_index(kind, vectors)
        built = cls(name, vectors.shape[1], index, kind)
        built.add(ids, vectors, keys=keys)
        return built

    @property
    def count(self) -> int:
        return int(self._index.ntotal)

    def ids(self) -> list[int]:
        return sorted(self._keys)

    def key(self, item_id: int) -> str | None:
        """The key stored with an id (an article section, a product id)."""
        return self._keys.get(int(item_id))

    def __contains__(self, item_id: object) -> bool:
        return isinstance(item_id, int) and item_id in self._keys

    def add(
        self,
        ids: Sequence[int],
        vectors: np.ndarray,
        *,
        keys: Sequence[str] | None = None,
    ) -> None:
        """Add vectors (n, dim) under new ids; raises ValueError on a known id."""
        vectors = _as_matrix(vectors, self.dimension)
        id_array = np.asarray(ids, dtype=np.int64)  # (n,)
        if len(id_array) != len(vectors):
            raise ValueError(f"{len(id_array)} ids for {len(vectors)} vectors")
        known = [int(i) for i in id_array if int(i) in self._keys]
        if known or len(set(id_array.tolist())) != len(id_array):
            raise ValueError(f"index {self.name}: ids already present {known[:5]}")
        self._index.add_with_ids(vectors, id_array)
        key_list = keys if keys is not None else [str(i) for i in id_array]
        self._keys.update(zip(id_array.tolist(), key_list, strict=True))
        self._known = None

    def remove(self, ids: Iterable[int]) -> int:
        """Remove ids in place; unknown ids are ignored. Returns how many went."""
        id_array = np.asarray([i for i in ids if int(i) in self._keys], np.int64)
        if len(id_array) == 0:
            return 0
        # An array selector: the only kind IVF's hashtable direct map accepts.
        selector = _faiss().IDSelectorArray(id_array)
        removed = int(self._index.remove_ids(selector))
        for item_id in id_array.tolist():
            self._keys.pop(item_id, None)
        self._known = None
        return removed

    def update(
        self,
        ids: Sequence[int],
        vectors: np.ndarray,
        *,
        keys: Sequence[str] | None = None,
    ) -> None:
        """Replace (or add) the vectors of `ids`: remove then add, no rebuild."""
        self.remove(ids)
        self.add(ids, vectors, keys=keys)

    def search(
        self,
        query_vectors: np.ndarray,
        k: int,
        allowed_ids: Iterable[int] | np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, ids), each (q, k), best first; id -1 pads a short row.

        `allowed_ids` limits the search to those ids (a hard filter, applied
        inside faiss). With IVF a filter of up to EXACT_FILTER_MAX ids is
        scored exactly; a wider one sees only the probed lists, so it may
        return fewer than k even when more match.
        """
        queries = _as_matrix(np.atleast_2d(query_vectors), self.dimension)
        k = max(1, min(int(k), max(self.count, 1)))
        allowed = None
        if allowed_ids is not None:
            allowed = np.unique(np.asarray(list(allowed_ids), dtype=np.int64))
            if self.index_type == IVF:  # reconstruct needs known ids only
                allowed = allowed[np.isin(allowed, self._id_array())]
            if len(allowed) == 0:
                return _empty_result(len(queries), k)
            if self.index_type == IVF and len(allowed) <= EXACT_FILTER_MAX:
                return self._exact_among(queries, k, allowed)
        _faiss().omp_set_num_threads(SEARCH_THREADS)
        scores, ids = self._index.search(queries, k, params=self._params(allowed))
        return scores, ids  # (q, k) float32, (q, k) int64

    def _exact_among(
        self, queries: np.ndarray, k: int, allowed: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Brute-force top-k over the vectors of `allowed` ids only."""
        vectors = self._index.reconstruct_batch(allowed)  # (m, dim)
        scores = queries @ vectors.T  # (q, m) cosines
        top = np.argsort(-scores, axis=1, kind="stable")[:, :k]  # (q, <=k)
        best = np.take_along_axis(scores, top, axis=1)
        out_scores, out_ids = _empty_result(len(queries), k)
        out_scores[:, : top.shape[1]] = best
        out_ids[:, : top.shape[1]] = allowed[top]
        return out_scores, out_ids

    def _id_array(self) -> np.ndarray:
        if self._known is None:
            known = np.fromiter(self._keys, dtype=np.int64, count=len(self._keys))
            self._known = np.sort(known)
        return self._known

    def _params(self, allowed: np.ndarray | None) -> Any:
        faiss = _faiss()
        selector = faiss.IDSelectorBatch(allowed) if allowed is not None else None
        if self.index_type == IVF:
            return faiss.SearchParametersIVF(sel=selector, nprobe=self.nprobe)
        return faiss.SearchParameters(sel=selector) if selector else None

    # Disk

    def save(self, folder: Path, *, model: str, content: str) -> Manifest:
        """Write the three files through temp files renamed in place.

        The manifest is renamed last, so a crash midway leaves a manifest that
        disagrees with the other files and the next load rebuilds.
        """
        folder.mkdir(parents=True, exist_ok=True)
        manifest = Manifest(
            name=self.name,
            model=model,
            dimension=self.dimension,
            metric=METRIC,
            index_type=self.index_type,
            content_hash=content,
            count=self.count,
            built_at=time.time(),
        )
        paths = collection_paths(folder, self.name)
        index_tmp = paths["faiss"].with_suffix(".faiss.tmp")
        _faiss().write_index(self._index, str(index_tmp))
        os.replace(index_tmp, paths["faiss"])
        keys = {str(item_id): key for item_id, key in self._keys.items()}
        _write_json(paths["ids"], {"nprobe": self.nprobe, "keys": keys})
        _write_json(paths["manifest"], asdict(manifest))
        return manifest

    @classmethod
    def load(
        cls,
        folder: Path,
        name: str,
        *,
        model: str,
        dimension: int,
        content: str | None,
    ) -> tuple[VectorIndex, Manifest]:
        """The saved collection, if it matches; raises IndexInvalid otherwise.

        Checked: all files present and readable, format version, model,
        dimension, content hash (unless `content` is None), and the same count
        in all three files.
        """
        paths = collection_paths(folder, name)
        manifest = _read_manifest(paths["manifest"], name)
        _check_manifest(manifest, name, model=model, dimension=dimension)
        if content is not None and manifest.content_hash != content:
            raise IndexInvalid(name, "content changed since the build", stale=True)
        saved_ids = _read_json(paths["ids"], name)
        index = _read_index(paths["faiss"], name)
        keys = {int(i): key for i, key in saved_ids.get("keys", {}).items()}
        if not index.ntotal == manifest.count == len(keys):
            raise IndexInvalid(
                name,
                f"count mismatch: {index.ntotal} vectors, {len(keys)} ids, "
                f"manifest {manifest.count}",
            )
        if index.d != dimension:
            raise IndexInvalid(name, f"index dimension {index.d}, model {dimension}")
        loaded = cls(name, dimension, index, manifest.index_type)
        loaded._keys = keys
        loaded.nprobe = int(saved_ids.get("nprobe", DEFAULT_NPROBE))
        return loaded, manifest

    def export(self) -> tuple[np.ndarray, np.ndarray]:
        """All (ids (n,), vectors (n, dim)) in id order, read back from faiss."""
        ids = np.asarray(self.ids(), dtype=np.int64)
        if len(ids) == 0:
            return ids, np.zeros((0, self.dimension), dtype=np.float32)
        return ids, self._index.reconstruct_batch(ids)

    def memory_bytes(self) -> int:
        """The size of the index serialized, a fair stand-in for its memory."""
        return int(_faiss().serialize_index(self._index).nbytes)


def collection_paths(folder: Path, name: str) -> dict[str, Path]:
    return {
        "faiss": folder / f"{name}.faiss",
        "ids": folder / f"{name}.ids.json",
        "manifest": folder / f"{name}.manifest.json",
    }


def _empty_index(kind: str, vectors: np.ndarray) -> Any:
    """An empty index of `kind` for vectors like these (IVF is trained on them)."""
    faiss = _faiss()
    dimension = vectors.shape[1]
    if kind == FLAT:
        return faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))
    nlist = min(nlist_for(len(vectors)), max(1, len(vectors) // MIN_TRAIN_PER_LIST))
    index = faiss.index_factory(
        dimension, f"IVF{nlist},Flat", faiss.METRIC_INNER_PRODUCT
    )
    index.cp.niter = TRAIN_ITERATIONS
    index.train(_training_sample(vectors, nlist * MAX_TRAIN_PER_LIST))
    # A hashtable direct map lets remove_ids find an id without a list scan.
    index.set_direct_map_type(faiss.DirectMap.Hashtable)
    return index


def _training_sample(vectors: np.ndarray, limit: int) -> np.ndarray:
    """At most `limit` rows (m, dim) of vectors, a fixed random pick."""
    if len(vectors) <= limit:
        return vectors
    rows = np.random.default_rng(0).choice(len(vectors), limit, replace=False)
    return vectors[np.sort(rows)]


def _as_matrix(vectors: np.ndarray, dimension: int | None = None) -> np.ndarray:
    matrix = np.ascontiguousarray(vectors, dtype=np.float32)
    if matrix.ndim != 2 or (dimension is not None and matrix.shape[1] != dimension):
        raise ValueError(f"vectors of shape {matrix.shape}, want (n, {dimension})")
    return matrix


def _empty_result(queries: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    scores = np.full((queries, k), -np.inf, dtype=np.float32)
    return scores, np.full((queries, k), -1, dtype=np.int64)


def _write_json(path: Path, payload: dict[str, Any]) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(payload, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def _read_json(path: Path, name: str) -> dict[str, Any]:
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise IndexInvalid(name, f"{path.name} is missing") from error
    except (OSError, ValueError) as error:
        raise IndexInvalid(name, f"{path.name} is unreadable ({error})") from error
    if not isinstance(payload, dict):
        raise IndexInvalid(name, f"{path.name} is not a JSON object")
    return payload


def _read_manifest(path: Path, name: str) -> Manifest:
    payload = _read_json(path, name)
    try:
        return Manifest(**payload)
    except TypeError as error:
        raise IndexInvalid(name, f"manifest fields are wrong ({error})") from error


def _check_manifest(manifest: Manifest, name: str, *, model: str, dimension: int):
    if manifest.format_version != FORMAT_VERSION:
        raise IndexInvalid(name, f"format version {manifest.format_version}")
    if manifest.model != model:
        raise IndexInvalid(name, f"built with model {manifest.model}")
    if manifest.dimension != dimension:
        raise IndexInvalid(name, f"built for dimension {manifest.dimension}")
    if manifest.metric != METRIC or manifest.index_type not in (FLAT, IVF):
        raise IndexInvalid(name, f"metric {manifest.metric}, {manifest.index_type}")


def _read_index(path: Path, name: str) -> Any:
    if not path.exists():
        raise IndexInvalid(name, f"{path.name} is missing")
    try:
        return _faiss().read_index(str(path))
    except RuntimeError as error:
        detail = str(error).strip().splitlines()[0][-MAX_DETAIL_CHARS:]
        raise IndexInvalid(name, f"{path.name} is unreadable ({detail})") from error
