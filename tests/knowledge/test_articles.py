"""Articles cut into passages at their ## headings, with stable ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.articles import ArticleError, passage_id, read_passages, sentence_id
from knowledge.config import DEFAULT_CONTENT_DIR


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
