"""The retrieval benchmark's bookkeeping: the fixed split, rank metrics and
declines, on hand-made rankings (no model is loaded, no timing asserted)."""

from __future__ import annotations

import pytest

from bench.retrieval import (
    ALL,
    DATA,
    HELD_OUT,
    TUNING,
    Question,
    by_half,
    decline_figures,
    half_of,
    rank_metrics,
    read_questions,
    scope_figures,
)
from knowledge.articles import Passage, passage_id


def passage(article: str, heading: str) -> Passage:
    return Passage(
        passage_id(article, heading), article, article, "", "all", heading, "text"
    )


REFUND, LABEL, WASH = (
    passage("refunds", "How long"),
    passage("returns", "Label"),
    passage("care", "Jeans"),
)


def test_the_split_depends_on_the_text_alone() -> None:
    assert half_of("How long do refunds take? ") == half_of("how long do refunds take?")
    halves = {half_of(f"question {n}") for n in range(20)}
    assert halves == {TUNING, HELD_OUT}


@pytest.mark.parametrize("name", ["questions.jsonl", "unanswerable.jsonl"])
def test_both_halves_of_each_file_are_sizeable_and_disjoint(name: str) -> None:
    questions = read_questions(DATA / name)

    scopes = by_half(questions)

    assert sorted(scopes[TUNING] + scopes[HELD_OUT]) == scopes[ALL]
    assert not set(scopes[TUNING]) & set(scopes[HELD_OUT])
    for half in (TUNING, HELD_OUT):
        assert len(scopes[half]) >= 0.4 * len(questions)


def test_rank_metrics_count_articles_once() -> None:
    questions = [
        Question("q1", "refunds", "How long"),
        Question("q2", "returns", "Label"),
    ]
    ranked = [[REFUND, LABEL], [WASH, passage("care", "Shirts"), LABEL]]

    figures = rank_metrics(ranked, questions)

    assert figures["article_recall@1"] == 0.5
    assert figures["article_recall@3"] == 1.0
    # The second question's article comes second once care counts once.
    assert figures["article_mrr"] == pytest.approx((1 + 1 / 2) / 2, abs=1e-4)
    assert figures["section_mrr"] == pytest.approx((1 + 1 / 3) / 2, abs=1e-4)


def test_decline_figures_at_the_configured_and_the_best_threshold() -> None:
    figures = decline_figures([0.9, 0.8, 0.4], [0.3, 0.5], 0.45, (0.35, 0.45, 0.6))

    assert figures["configured"] == {
        "threshold": 0.45,
        "unanswerable_declined": 0.5,
        "answerable_answered": 0.6667,
    }
    # 0.35 and 0.6 both handle 4 of 5 right; 0.45 only 3.
    assert figures["best_of_sweep"]["threshold"] in (0.35, 0.6)
    clear = decline_figures([0.9, 0.8, 0.7], [0.3, 0.5], 0.45, (0.35, 0.45, 0.6))
    assert clear["best_of_sweep"]["threshold"] == 0.6


def test_a_declined_question_is_a_miss_when_answered_recall_is_counted() -> None:
    questions = [Question("q1", "refunds", "How long"), Question("q2", "care", "x")]
    ranked = ([[REFUND], [WASH]], [0.9, 0.2])
    declined = ([[LABEL]], [0.1])

    figures = scope_figures(ranked, declined, questions, [Question("u", None, None)],
                            0.5, (0.5,))[ALL]  # fmt: skip

    assert figures["article_recall@1"] == 1.0
    assert figures["article_recall@1_answered"] == 0.5
    assert figures["declines"]["configured"]["unanswerable_declined"] == 1.0
