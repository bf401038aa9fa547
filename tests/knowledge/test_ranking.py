"""PassageRanker: what the articles collection holds and how scores are fused."""

from __future__ import annotations

import numpy as np
import pytest

from knowledge.articles import Passage, passage_id, question_id
from knowledge.lexical import saturated
from knowledge.ranking import FusionWeights, PassageRanker


def passage(
    article: str, heading: str, text: str, questions: tuple[str, ...] = ()
) -> Passage:
    return Passage(
        id=passage_id(article, heading),
        article=article,
        title=article.title(),
        topic="",
        audience="all",
        heading=heading,
        text=text,
        questions=questions,
    )


PASSAGES = [
    passage("shipping", "Costs", "Standard costs $4.99. Express costs $14.99."),
    passage(
        "returns",
        "Labels",
        "We email a prepaid label. It lasts 30 days.",
        ("where is my return label", "do i pay to send it back"),
    ),
    passage("care", "Jeans", "Wash jeans cold. Hang them to dry."),
]


@pytest.fixture
def ranker() -> PassageRanker:
    return PassageRanker(PASSAGES)


def test_items_are_each_passage_its_sentences_and_its_questions(
    ranker: PassageRanker,
) -> None:
    items = ranker.items()

    assert len(items) == 3 + 6 + 2
    assert items[0] == (PASSAGES[0].id, PASSAGES[0].indexed_text)
    assert items[1][1] == "Costs. Standard costs $4.99."
    assert items[3:7] == [
        (PASSAGES[1].id, PASSAGES[1].indexed_text),
        *PASSAGES[1].sentence_items(),
        (question_id("returns", "Labels", 0), "where is my return label"),
    ]
    assert len({item_id for item_id, _ in items}) == len(items)


def test_scores_fuse_passage_best_sentence_best_question_and_bm25(
    ranker: PassageRanker,
) -> None:
    items = ranker.items()
    ids = np.array([item_id for item_id, _ in items])
    cosines = np.linspace(0.1, 0.9, len(items))
    cosines[6] = 0.95  # the returns passage's first question beats its second
    question = "how long does the prepaid label last"

    scores = ranker.scores(question, ids, cosines)

    w = FusionWeights()
    lexical = saturated(ranker.lexical.scores(question), w.lexical_half)
    # The returns passage is item 3, its sentences 4 and 5, its questions 6, 7.
    expected = (
        w.passage * cosines[3]
        + w.sentence * cosines[5]
        + w.question * 0.95
        + w.lexical * lexical[1]
    )
    assert scores.shape == (3,)
    assert scores[1] == pytest.approx(expected)
    assert lexical[1] > 0 and lexical[0] == 0


def test_padding_and_unknown_ids_are_ignored(ranker: PassageRanker) -> None:
    ids = np.array([PASSAGES[2].id, -1, 12345])
    cosines = np.array([0.8, 0.99, 0.99])

    scores = ranker.scores("zzz", ids, cosines)

    w = FusionWeights()
    # Missing vectors count as cosine -1, and a passage without questions
    # counts its best sentence for them; no word of "zzz" matches.
    assert scores[2] == pytest.approx(w.passage * 0.8 - w.sentence - w.question)
    assert scores[0] == pytest.approx(-w.passage - w.sentence - w.question)
    assert scores[1] == scores[0]


def test_a_close_written_question_lifts_its_passage() -> None:
    ranker = PassageRanker(PASSAGES)
    ids = np.array([item_id for item_id, _ in ranker.items()])
    cosines = np.full(len(ids), 0.5)
    cosines[0] = 0.6  # the vectors of the prose lean to shipping
    cosines[7] = 0.9  # "do i pay to send it back"

    scores = ranker.scores("do i pay to send it back", ids, cosines)

    assert int(np.argmax(scores)) == 1


def test_shared_words_lift_a_passage_the_vectors_rank_lower() -> None:
    ranker = PassageRanker(PASSAGES)
    ids = np.array([item_id for item_id, _ in ranker.items()])
    cosines = np.full(len(ids), 0.5)
    cosines[0] = 0.55  # the vectors lean to shipping

    scores = ranker.scores("wash my jeans cold", ids, cosines)

    assert int(np.argmax(scores)) == 2


def test_a_section_without_text_uses_its_own_cosine_twice() -> None:
    empty = passage("faq", "Empty", "")
    ranker = PassageRanker([empty])

    scores = ranker.scores("zzz", np.array([empty.id]), np.array([0.7]))

    w = FusionWeights()
    assert scores[0] == pytest.approx((w.passage + w.sentence + w.question) * 0.7)
