"""BM25 over passages: stems, stop words, typos, and scores against the formula."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest

from knowledge.lexical import (
    K1,
    B,
    LexicalIndex,
    one_typo_apart,
    saturated,
    stem,
    terms,
)

TEXTS = [
    "Standard shipping takes 3-5 business days and costs $4.99.",
    "Reset your password from the sign-in page; the reset link lasts one hour.",
    "Shipped parcels carry a tracking number in the shipping email.",
    "Gift wrapping costs $4.99 per item and ships in its own box.",
]


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("shipping", "ship"),
        ("shipped", "ship"),
        ("ships", "ship"),
        ("deliveries", "delivery"),
        ("carried", "carry"),
        ("returned", "return"),
        ("dresses", "dress"),
        ("status", "status"),
        ("boxes", "box"),
        ("glasses", "glass"),
        ("wearing", "wear"),
        ("stopped", "stop"),
        ("bus", "bus"),
        ("2024", "2024"),
    ],
)
def test_stems(word: str, expected: str) -> None:
    assert stem(word) == expected


def test_terms_drop_stop_words_and_apostrophes() -> None:
    assert terms("Where's my parcel? It doesn't ARRIVE") == ["parcel", "arriv"]


@pytest.mark.parametrize(
    ("a", "b", "apart"),
    [
        pytest.param("retrun", "return", True, id="neighbours-swapped"),
        pytest.param("pasword", "password", True, id="letter-dropped"),
        pytest.param("adddress", "address", True, id="letter-added"),
        pytest.param("ruining", "running", False, id="letter-changed"),
        pytest.param("reutrns", "return", False, id="two-edits"),
        pytest.param("return", "return", False, id="same-word"),
    ],
)
def test_one_typo_apart(a: str, b: str, apart: bool) -> None:
    assert one_typo_apart(a, b) is apart
    assert one_typo_apart(b, a) is apart


def bm25_by_the_formula(texts: list[str], question: str) -> np.ndarray:
    """Okapi BM25 written out term by term, as a check on the postings."""
    documents = [Counter(terms(t)) for t in texts]
    lengths = [sum(d.values()) for d in documents]
    mean = sum(lengths) / len(lengths)
    out = np.zeros(len(texts))
    for term in set(terms(question)):
        seen = sum(term in d for d in documents)
        if not seen:
            continue
        idf = math.log(1 + (len(texts) - seen + 0.5) / (seen + 0.5))
        for row, document in enumerate(documents):
            tf = document[term]
            norm = K1 * (1 - B + B * lengths[row] / mean)
            out[row] += idf * tf * (K1 + 1) / (tf + norm)
    return out


@pytest.mark.parametrize(
    "question",
    ["how much is standard shipping", "reset password link", "gift box costs"],
)
def test_scores_follow_the_bm25_formula(question: str) -> None:
    index = LexicalIndex(TEXTS)

    np.testing.assert_allclose(
        index.scores(question), bm25_by_the_formula(TEXTS, question)
    )


def test_the_passage_sharing_rare_words_ranks_first() -> None:
    scores = LexicalIndex(TEXTS).scores("where is my tracking number")

    assert int(np.argmax(scores)) == 2
    assert scores.shape == (len(TEXTS),) and (scores >= 0).all()


def test_a_question_sharing_no_word_scores_zero() -> None:
    assert not LexicalIndex(TEXTS).scores("weather in paris tomorrow").any()


def test_a_typo_of_a_known_word_still_matches() -> None:
    index = LexicalIndex(TEXTS)

    assert index.corrections("pasword") == ["password"]
    assert int(np.argmax(index.scores("forgot my pasword"))) == 1
    assert index.corrections("password") == []  # known words are left alone
    assert index.corrections("pswd") == []  # too short to guess


def test_saturated_maps_half_to_one_half_and_stays_below_one() -> None:
    values = saturated([0.0, 10.0, 1e9], half=10.0)

    np.testing.assert_allclose(values[:2], [0.0, 0.5])
    assert values[2] < 1.0
