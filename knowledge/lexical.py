"""Okapi BM25 over the article passages: the word-matching half of an answer.

The dense vectors know that "parcel" is near "package" but blur a question's
exact words ("return my jeans" lands on washing jeans); BM25 rewards the
passages that share a question's rarer words. Words are lower-cased, stop
words dropped and cut to a rough stem ("shipped", "shipping" -> "ship"). A
question word of five letters or more that no passage holds is matched to the
known words one letter inserted, dropped or swapped with its neighbour away
("pasword", "retrun"), a common typo; a different letter is not tried, since
it turns real words into others ("ruining" -> "running").

The stemmer is deliberately small and English only; it errs by leaving words
apart (no "-ly", "-er" or "-ation" rules), never by merging unrelated ones.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

import numpy as np

K1 = 1.2  # term-frequency saturation
B = 0.75  # length normalization
MIN_TYPO_LENGTH = 5  # shorter unknown words are left alone: too many neighbours

WORD = re.compile(r"[a-z0-9]+")
# Words too common in questions and articles to tell passages apart, as written
# once apostrophes are removed.
_STOP_LIST = """
    a about an and any are as at be been but by can could do does doing for from
    get got had has have how i if in into is it its just me my of on or our so
    that the their them then there this to us was we what when where which who
    why will with would you your
    id im ive whats dont cant doesnt isnt wont didnt hasnt theres wheres thats
    youre
"""
STOP_WORDS = frozenset(_STOP_LIST.split())
VOWELS = frozenset("aeiouy")


def stem(word: str) -> str:
    """A rough stem of a lower-case word: plural and -ed/-ing endings cut,
    a doubled last consonant undone after a cut, a final "e" dropped."""
    if len(word) <= 3 or word.isdigit():
        return word
    cut = False
    if word.endswith(("ies", "ied")) and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("ing") and len(word) >= 6 and VOWELS & set(word[:-3]):
        word, cut = word[:-3], True
    elif word.endswith("ed") and len(word) >= 5 and VOWELS & set(word[:-2]):
        word, cut = word[:-2], True
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if cut and len(word) >= 3 and word[-1] == word[-2] and word[-1] not in "lsz":
        word = word[:-1]
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


def raw_words(text: str) -> list[str]:
    """Lower-case words with apostrophes removed ("doesn't" -> "doesnt")."""
    return WORD.findall(text.lower().replace("'", "").replace("\u2019", ""))


def terms(text: str) -> list[str]:
    """The indexed terms of a text, in order, repeats kept."""
    stems = (stem(w) for w in raw_words(text) if w not in STOP_WORDS)
    return [s for s in stems if s not in STOP_WORDS]


def one_typo_apart(a: str, b: str) -> bool:
    """True when one letter inserted, dropped, or two neighbours swapped turn
    `a` into `b` (a different letter in the same place does not count)."""
    if a == b:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and (a[diff[0]], a[diff[1]]) == (b[diff[1]], b[diff[0]])
        )
    shorter, longer = sorted((a, b), key=len)
    if len(longer) - len(shorter) != 1:
        return False
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class LexicalIndex:
    """BM25 scores of a question against a fixed list of texts (documents).

    Built once from the texts; `scores` costs one lookup per question term.
    Scores are >= 0 and unbounded (they grow with the number of rare words
    shared); `saturated` maps them into [0, 1) for mixing with cosines.
    """

    def __init__(self, texts: Sequence[str], *, k1: float = K1, b: float = B):
        self.size = len(texts)
        documents = [Counter(terms(t)) for t in texts]
        lengths = np.array([sum(d.values()) for d in documents], dtype=np.float64)
        mean_length = float(lengths.mean()) if self.size and lengths.any() else 1.0
        frequency = Counter(term for d in documents for term in d)
        norms = k1 * (1 - b + b * lengths / mean_length)  # (n,)
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for row, document in enumerate(documents):
            for term, tf in document.items():
                seen = frequency[term]
                idf = math.log(1 + (self.size - seen + 0.5) / (seen + 0.5))
                postings[term].append((row, idf * tf * (k1 + 1) / (tf + norms[row])))
        self._postings = {
            term: (np.array([r for r, _ in p]), np.array([w for _, w in p]))
            for term, p in postings.items()
        }  # term -> (rows (m,), weights (m,))
        self._words = {w for t in texts for w in raw_words(t)}
        self._near: dict[str, set[str]] = defaultdict(set)
        for word in self._words:
            if len(word) >= MIN_TYPO_LENGTH - 1:
                for key in _deletions(word) | {word}:
                    self._near[key].add(word)

    def query_terms(self, question: str) -> set[str]:
        """The terms looked up for a question, typos replaced by known words."""
        found: set[str] = set()
        for word in raw_words(question):
            if word in STOP_WORDS or stem(word) in STOP_WORDS:
                continue
            term = stem(word)
            if term not in self._postings:
                fixes = self.corrections(word)
                if fixes:
                    found.update(stem(f) for f in fixes)
                    continue
            found.add(term)
        return found

    def corrections(self, word: str) -> list[str]:
        """Known words one typo away from an unknown word of 5+ letters."""
        if word in self._words or len(word) < MIN_TYPO_LENGTH or word.isdigit():
            return []
        candidates: set[str] = set()
        for key in _deletions(word) | {word}:
            candidates |= self._near.get(key, set())
        return sorted(c for c in candidates if one_typo_apart(word, c))

    def scores(self, question: str) -> np.ndarray:
        """The BM25 score of every text for the question, shape (n,)."""
        out = np.zeros(self.size, dtype=np.float64)
        for term in self.query_terms(question):
            posting = self._postings.get(term)
            if posting is not None:
                rows, weights = posting  # rows are unique within a posting
                out[rows] += weights
        return out


def saturated(scores: np.ndarray | Iterable[float], half: float) -> np.ndarray:
    """BM25 scores mapped into [0, 1): s / (s + half), so `half` gives 0.5.

    Unlike dividing by the best score of the question, this keeps a weak
    lexical match weak, which the answer threshold relies on.
    """
    values = np.asarray(scores, dtype=np.float64)
    return values / (values + half)
