"""Ranking an answer's passages: dense cosines and BM25 fused into one score.

The articles collection holds two kinds of unit vectors: one per passage (its
title, heading and text) and one per sentence (heading and sentence). For a
question, every passage gets

    score = PASSAGE * cos(question, passage)
          + SENTENCE * max over its sentences of cos(question, sentence)
          + LEXICAL * bm25 / (bm25 + LEXICAL_HALF)

The sentence term catches a question that one sentence answers inside a long
section; the BM25 term (knowledge.lexical) rewards the question's own rarer
words, which the dense vectors blur. With the default weights a score lies in
[-1, 1.4); the answer threshold (knowledge.config) is in these units. The
weights are the best of a grid on the tuning half of bench/data/questions.jsonl
(bench/retrieval.py reports both halves).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .articles import Passage
from .lexical import LexicalIndex, saturated


@dataclass(frozen=True)
class FusionWeights:
    """How much each signal adds to a passage's score."""

    passage: float = 0.6
    sentence: float = 0.4
    lexical: float = 0.4
    lexical_half: float = 10.0  # BM25 score that counts as half a full match


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
        is_passage: list[bool] = []
        for row, passage in enumerate(self.passages):
            self._items.append((passage.id, passage.indexed_text))
            rows.append(row)
            is_passage.append(True)
            for item in passage.sentence_items():
                self._items.append(item)
                rows.append(row)
                is_passage.append(False)
        ids = np.array([i for i, _ in self._items], dtype=np.int64)  # (v,)
        order = np.argsort(ids)
        self._ids = ids[order]  # sorted vector ids
        self._rows = np.array(rows, dtype=np.int64)[order]  # passage row per id
        self._is_passage = np.array(is_passage, dtype=bool)[order]
        self._no_sentences = np.array([not p.sentences for p in self.passages])

    def items(self) -> list[tuple[int, str]]:
        """(id, text) of every vector the articles collection holds."""
        return list(self._items)

    def scores(self, question: str, ids: np.ndarray, cosines: np.ndarray) -> np.ndarray:
        """The fused score of every passage, shape (p,), in passage order.

        `ids` and `cosines` (v,) are a search of the articles collection; ids
        of -1 (padding) or unknown to the ranker are ignored, and a passage
        whose vectors were not returned counts their cosines as -1. A passage
        without sentences (an empty section) uses its own cosine for both.
        """
        ids = np.asarray(ids, dtype=np.int64)
        cosines = np.asarray(cosines, dtype=np.float64)
        at = np.clip(np.searchsorted(self._ids, ids), 0, len(self._ids) - 1)
        known = self._ids[at] == ids
        at, cosines = at[known], cosines[known]
        rows, whole = self._rows[at], self._is_passage[at]
        count = len(self.passages)
        dense = np.full(count, -1.0)
        dense[rows[whole]] = cosines[whole]
        sentence = np.full(count, -1.0)
        np.maximum.at(sentence, rows[~whole], cosines[~whole])
        sentence[self._no_sentences] = dense[self._no_sentences]
        lexical = saturated(self.lexical.scores(question), self.weights.lexical_half)
        w = self.weights
        return w.passage * dense + w.sentence * sentence + w.lexical * lexical
