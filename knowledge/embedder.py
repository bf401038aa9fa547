"""Sentence embeddings: one model per process, loaded lazily, on the CPU.

Vectors are float32 and L2-normalized, so an inner product is a cosine.
The model never downloads: HF_HUB_OFFLINE is set before it loads, and a
model path that is not on disk fails with the loader's own error.

A single query skips sentence-transformers' batching machinery: the tokenizer
and the transformer are called directly under torch.inference_mode and the
token vectors mean-pooled, which gives the same vector (to float rounding) in
less time (bench/retrieval.py times both). The shortcut is taken only for the
pipeline it mirrors (transformer, mean pooling, optional normalization); any
other model's queries go through sentence-transformers.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 64
QUERY_CACHE_SIZE = 512  # single queries kept; a customer often asks again

_models: dict[str, Any] = {}  # model path -> loaded model, shared in the process
_models_lock = threading.Lock()

QueryPath = Callable[[str], np.ndarray]


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
        self._query_path: QueryPath | None = None
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
        vector = self.embed_query(text)  # (dim,)
        vector.setflags(write=False)
        with self._lock:
            self._cache[text] = vector
            if len(self._cache) > QUERY_CACHE_SIZE:
                self._cache.popitem(last=False)
        return vector

    def embed_query(self, text: str) -> np.ndarray:
        """The unit vector of one query, shape (dim,), never from the cache:
        the direct path when the model allows it, else `encode`."""
        self._loaded()
        if self._query_path is not None:
            return self._query_path(text)
        return self.encode([text])[0]

    @property
    def direct_queries(self) -> bool:
        """Whether single queries take the direct path (loads the model)."""
        self._loaded()
        return self._query_path is not None

    def clear_cache(self) -> None:
        """Forget cached queries, so the next ones are embedded again."""
        with self._lock:
            self._cache.clear()

    def _loaded(self) -> Any:
        if self._model is None:
            model = _shared_model(self.model_path, self.threads)
            self._query_path = direct_query_path(model)
            self._model = model
        return self._model


def direct_query_path(model: Any) -> QueryPath | None:
    """One text -> unit vector (dim,) by tokenizer and transformer alone, or
    None when `model` is not transformer + mean pooling (+ normalization).

    One unpadded text has no padding tokens, so the mean over all its tokens
    is sentence-transformers' masked mean.
    """
    import torch

    names = [type(module).__name__ for module in model]
    if names not in (
        ["Transformer", "Pooling"],
        ["Transformer", "Pooling", "Normalize"],
    ):
        return None
    transformer, pooling = model[0], model[1]
    if getattr(pooling, "pooling_mode", None) != "mean":
        return None
    try:
        tokenizer, network = transformer.tokenizer, transformer.auto_model
        max_length = int(transformer.max_seq_length)
        lower = bool(getattr(transformer, "do_lower_case", False))
    except AttributeError:
        return None

    def embed(text: str) -> np.ndarray:
        features = tokenizer(
            text.lower() if lower else text,
            truncation=True,
            max_length=max_length,
            return_tensors="pt",
        )
        with torch.inference_mode():
            tokens = network(**features).last_hidden_state[0]  # (tokens, dim)
            vector = torch.nn.functional.normalize(tokens.mean(dim=0), dim=0)
        return vector.numpy().astype(np.float32, copy=False)  # (dim,)

    return embed


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
