"""Ranking an answer's passages: dense cosines and BM25 fused into one score.

The articles collection holds three kinds of unit vectors: one per passage
(its title, heading and text), one per sentence (heading and sentence) and one
per customers' question written for the section in its article's front matter.
For a question, every passage gets

    score = PASSAGE * cos(question, passage)
          + SENTENCE * max over its sentences of cos(question, sentence)
          + QUESTION * max over its written questions of cos(question, written)
          + LEXICAL * bm25 / (bm25 + LEXICAL_HALF)

The sentence term catches a question that one sentence answers inside a long
section; the question term one worded as customers word it, far from the
section's own prose; the BM25 term (knowledge.lexical) rewards the question's
own rarer words, which the dense vectors blur. A score lies in [-(PASSAGE +
SENTENCE + QUESTION), PASSAGE + SENTENCE + QUESTION + LEXICAL); the answer
threshold (knowledge.config) is in these units. The weights are the best of a
grid on the tuning half of bench/data/questions.jsonl (bench/retrieval.py
reports both halves).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .articles import Passage
from .lexical import LexicalIndex, saturated

PASSAGE, SENTENCE, QUESTION = 0, 1, 2  # the kinds of vector, rows of _best_cosines


@dataclass(frozen=True)
class FusionWeights:
    """How much each signal adds to a passage's score."""

    passage: float = 0.5
    sentence: float = 0.3
    # The largest weight: on the tuning half a close written question told
    # the right section apart better than the prose, worded as the shop words it.
    question: float = 0.8
    lexical: float = 0.2
    lexical_half: float = 20.0  # BM25 score that counts as half a full match


class PassageRanker:
    """Scores every passage of the articles for a question.

    Made once from the passages (it builds the BM25 index, cheap at a few
    hundred passages); `items` says what the articles collection must hold.
    Read-only after construction, so safe to share across threads.
    """

    def __init__(
        self, passages: Sequence[Passage], weights: FusionWeights | None = None
    ) -> None:
        self.passages = list(passages)
        self.weights = weights or FusionWeights()
        self.lexical = LexicalIndex([p.indexed_text for p in self.passages])
        self._items: list[tuple[int, str]] = []
        rows: list[int] = []
        kinds: list[int] = []
        for row, passage in enumerate(self.passages):
            vectors = [[(passage.id, passage.indexed_text)]]
            vectors += [passage.sentence_items(), passage.question_items()]
            for kind, items in zip((PASSAGE, SENTENCE, QUESTION), vectors):
                self._items += items
                rows += [row] * len(items)
                kinds += [kind] * len(items)
        ids = np.array([i for i, _ in self._items], dtype=np.int64)  # (v,)
        order = np.argsort(ids)
        self._ids = ids[order]  # sorted vector ids
        self._rows = np.array(rows, dtype=np.int64)[order]  # passage row per id
        self._kinds = np.array(kinds, dtype=np.int8)[order]  # PASSAGE, SENTENCE...
        self._no_sentences = np.array([not p.sentences for p in self.passages])
        self._no_questions = np.array([not p.questions for p in self.passages])

    def items(self) -> list[tuple[int, str]]:
        """(id, text) of every vector the articles collection holds: each
        passage, then its sentences, then its written questions."""
        return list(self._items)

    def scores(self, question: str, ids: np.ndarray, cosines: np.ndarray) -> np.ndarray:
        """The fused score of every passage, shape (p,), in passage order.

        `ids` and `cosines` (v,) are a search of the articles collection; ids
        of -1 (padding) or unknown to the ranker are ignored, and a passage
        whose vectors were not returned counts their cosines as -1. A passage
        without sentences (an empty section) uses its own cosine for them, and
        one without written questions its best sentence for those.
        """
        dense, sentence, written = self._best_cosines(ids, cosines)
        sentence[self._no_sentences] = dense[self._no_sentences]
        written[self._no_questions] = sentence[self._no_questions]
        lexical = saturated(self.lexical.scores(question), self.weights.lexical_half)
        w = self.weights
        return (
            w.passage * dense
            + w.sentence * sentence
            + w.question * written
            + w.lexical * lexical
        )

    def _best_cosines(
        self, ids: np.ndarray, cosines: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per passage (p,) each: its own cosine, its best sentence's and its
        best written question's; -1 where none of that kind was returned."""
        ids = np.asarray(ids, dtype=np.int64)
        cosines = np.asarray(cosines, dtype=np.float64)
        at = np.clip(np.searchsorted(self._ids, ids), 0, len(self._ids) - 1)
        known = self._ids[at] == ids
        at, cosines = at[known], cosines[known]
        rows, kinds = self._rows[at], self._kinds[at]
        best = np.full((3, len(self.passages)), -1.0)  # (kind, p)
        np.maximum.at(best, (kinds, rows), cosines)
        return best[PASSAGE], best[SENTENCE], best[QUESTION]
