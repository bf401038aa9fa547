"""Sentence embeddings: one model per process, loaded lazily, on the CPU.

Vectors are float32 and L2-normalized, so an inner product is a cosine.
The model never downloads: HF_HUB_OFFLINE is set before it loads, and a
model path that is not on disk fails with the loader's own error.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 64
QUERY_CACHE_SIZE = 512  # single queries kept; a customer often asks again

_models: dict[str, Any] = {}  # model path -> loaded model, shared in the process
_models_lock = threading.Lock()


class Embedder:
    """Turns texts into unit vectors of shape (n, dim) with one loaded model.

    The model loads on the first `encode` (or on `dimension`), not in the
    constructor, so making an Embedder is cheap; every Embedder of the same
    path in a process shares one model. `threads` sets torch's thread count
    for the whole process when the model loads (None: torch's default).
    Safe to share across threads.
    """

    def __init__(
        self,
        model_path: str,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        threads: int | None = None,
    ) -> None:
        self.model_path = model_path
        self.batch_size = batch_size
        self.threads = threads
        self._model: Any = None
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    @property
    def name(self) -> str:
        """What the manifest records as the model: its folder's name and path."""
        return str(Path(self.model_path).resolve())

    @property
    def dimension(self) -> int:
        return int(self._loaded().get_embedding_dimension())

    def encode(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """Unit vectors of `texts`, shape (len(texts), dim), float32, in order."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._loaded().encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)  # (n, dim)

    def encode_query(self, text: str) -> np.ndarray:
        """The unit vector of one query, shape (dim,); repeated queries are cached.

        The cached array is shared: callers must not write into it.
        """
        with self._lock:
            cached = self._cache.get(text)
            if cached is not None:
                self._cache.move_to_end(text)
                return cached
        vector = self.encode([text])[0]  # (dim,)
        vector.setflags(write=False)
        with self._lock:
            self._cache[text] = vector
            if len(self._cache) > QUERY_CACHE_SIZE:
                self._cache.popitem(last=False)
        return vector

    def clear_cache(self) -> None:
        """Forget cached queries, so the next ones are embedded again."""
        with self._lock:
            self._cache.clear()

    def _loaded(self) -> Any:
        if self._model is None:
            self._model = _shared_model(self.model_path, self.threads)
        return self._model


def _shared_model(model_path: str, threads: int | None) -> Any:
    """The process's one copy of a model: Embedders of the same path share it."""
    with _models_lock:
        if model_path not in _models:
            _models[model_path] = _load_model(model_path, threads)
        return _models[model_path]


def _load_model(model_path: str, threads: int | None) -> Any:
    os.environ["HF_HUB_OFFLINE"] = "1"  # never reach for the hub, even by accident
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    from sentence_transformers import SentenceTransformer

    if threads:
        torch.set_num_threads(threads)
    started = time.perf_counter()
    model = SentenceTransformer(model_path, device="cpu")
    elapsed = time.perf_counter() - started
    logger.info("Embedding model %s loaded in %.2f s", model_path, elapsed)
    return model
