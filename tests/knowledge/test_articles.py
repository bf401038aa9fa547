"""Articles cut into passages at their ## headings, with stable ids, and the
customers' questions their front matter lists per section."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.articles import (
    ArticleError,
    passage_id,
    question_id,
    read_passages,
    sentence_id,
)
from knowledge.config import DEFAULT_CONTENT_DIR

ARTICLE = """---
title: Gift cards
topic: payment
audience: all
questions:
  Buying a gift card:
    - can i buy a gift card
    - "do gift cards expire: ever?"
{extra}---
# Gift cards

## Buying a gift card
Gift cards come in amounts from $10 to $200.

## Using a gift card
Enter the code at checkout.
"""


def test_every_article_section_is_one_passage() -> None:
    passages = read_passages(DEFAULT_CONTENT_DIR)

    refunds = [p for p in passages if p.article == "refunds"]
    assert [p.heading for p in refunds][:2] == [
        "When a refund starts",
        "How long a refund takes",
    ]
    assert refunds[1].title == "Refunds"
    assert refunds[1].text.startswith("Once processed, a refund reaches")
    assert "##" not in refunds[1].text
    assert "README" not in {p.article for p in passages}
    assert len({p.id for p in passages}) == len(passages)


def test_passage_ids_depend_only_on_article_and_heading() -> None:
    first = passage_id("refunds", "How long a refund takes")

    assert first == passage_id("refunds", "How long a refund takes")
    assert first != passage_id("refunds", "When a refund starts")
    assert 0 < first < 2**63


def test_an_article_without_front_matter_is_refused(tmp_path: Path) -> None:
    (tmp_path / "bad.md").write_text("# Title\n\n## Section\ntext\n", "utf-8")

    with pytest.raises(ArticleError, match="bad.md"):
        read_passages(tmp_path)


def test_a_passage_is_also_indexed_sentence_by_sentence() -> None:
    passages = read_passages(DEFAULT_CONTENT_DIR)
    refunds = next(p for p in passages if p.heading == "How long a refund takes")

    assert " ".join(refunds.sentences) == refunds.text
    assert len(refunds.sentences) > 1
    items = refunds.sentence_items()
    assert items[0] == (
        sentence_id("refunds", "How long a refund takes", 0),
        f"How long a refund takes. {refunds.sentences[0]}",
    )
    every_id = [p.id for p in passages] + [
        i for p in passages for i, _ in p.sentence_items()
    ]
    assert len(set(every_id)) == len(every_id)


def test_every_section_lists_three_to_six_customers_questions() -> None:
    passages = read_passages(DEFAULT_CONTENT_DIR)

    counts = {p.key: len(p.questions) for p in passages}
    assert all(3 <= count <= 6 for count in counts.values()), counts
    every = [q for p in passages for q in p.questions]
    assert all(q == q.strip() and q for q in every)
    assert not set(every) & {s for p in passages for s in p.sentences}


def test_questions_are_read_per_heading_and_keep_their_order(tmp_path: Path) -> None:
    (tmp_path / "gift-cards.md").write_text(ARTICLE.format(extra=""), "utf-8")

    buying, using = read_passages(tmp_path)

    assert buying.questions == ("can i buy a gift card", "do gift cards expire: ever?")
    assert using.questions == ()
    assert buying.question_items() == [
        (question_id("gift-cards", "Buying a gift card", 0), "can i buy a gift card"),
        (question_id("gift-cards", "Buying a gift card", 1), buying.questions[1]),
    ]


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        pytest.param("  Selling a gift card:\n    - hi\n", "unknown section",
                     id="unknown-heading"),
        pytest.param("  Using a gift card:\n    - ''\n", "not a list of texts",
                     id="empty-question"),
        pytest.param("  Using a gift card:\n    - 20\n", "not a list of texts",
                     id="number"),
        pytest.param("  Using a gift card: enter it\n", "not a list of texts",
                     id="not-a-list"),
    ],
)  # fmt: skip
def test_questions_that_break_the_rules_are_refused(
    tmp_path: Path, extra: str, reason: str
) -> None:
    (tmp_path / "gift-cards.md").write_text(ARTICLE.format(extra=extra), "utf-8")

    with pytest.raises(ArticleError, match=f"gift-cards.md: .*{reason}"):
        read_passages(tmp_path)


def test_question_ids_are_stable_and_apart_from_every_other_id() -> None:
    passages = read_passages(DEFAULT_CONTENT_DIR)
    first = question_id("refunds", "How long a refund takes", 0)

    assert first == question_id("refunds", "How long a refund takes", 0)
    assert first != sentence_id("refunds", "How long a refund takes", 0)
    assert 0 < first < 2**63
    every_id = [p.id for p in passages]
    every_id += [i for p in passages for i, _ in p.sentence_items()]
    every_id += [i for p in passages for i, _ in p.question_items()]
    assert len(set(every_id)) == len(every_id)
