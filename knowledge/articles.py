"""The shop's help articles, cut into passages at their `## ` headings.

A passage is one section: the article's title, the heading and the section's
text, shown to a customer on its own (see knowledge/content/README.md). Its id
is derived from the article id and the heading, so it survives edits of other
sections and other articles. Each sentence of a passage is also indexed on its
own (a question often matches one sentence better than the whole section); a
sentence's id comes from its passage's and its place in it. So is each of the
customers' questions the article's front matter lists for the section (a
customer's question often lies nearer a question than any sentence), with an
id from the passage's and the question's number.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

logger = logging.getLogger(__name__)

README = "README.md"
ID_BITS = 62  # passage and sentence ids stay positive int64 values
# A sentence ends at ".", "!" or "?" followed by a space; the articles use no
# abbreviations with inner full stops ("e.g."), which would cut a sentence.
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class Passage:
    """One section of an article, as indexed and as shown."""

    id: int
    article: str
    title: str
    topic: str
    audience: str
    heading: str
    text: str
    questions: tuple[str, ...] = ()  # customers' phrasings of what it answers

    @property
    def key(self) -> str:
        """The benchmark label of the passage: "article#heading"."""
        return f"{self.article}#{self.heading}"

    @property
    def indexed_text(self) -> str:
        """What is embedded: title, heading and section text together."""
        return f"{self.title}: {self.heading}. {self.text}"

    @property
    def sentences(self) -> list[str]:
        """The section's text cut into sentences, in order."""
        return [s for s in SENTENCE_END.split(self.text) if s]

    def sentence_items(self) -> list[tuple[int, str]]:
        """(id, embedded text) of each sentence: the heading, then the sentence,
        so a sentence like "It takes 3-5 days." keeps its subject."""
        return [
            (sentence_id(self.article, self.heading, n), f"{self.heading}. {text}")
            for n, text in enumerate(self.sentences)
        ]

    def question_items(self) -> list[tuple[int, str]]:
        """(id, embedded text) of each written question, the question alone: it
        is meant to lie near a customer's question, which has no heading."""
        return [
            (question_id(self.article, self.heading, n), text)
            for n, text in enumerate(self.questions)
        ]


class ArticleError(ValueError):
    """An article that does not follow the content rules; names the file."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path.name}: {reason}")
        self.path = path


def passage_id(article: str, heading: str) -> int:
    """A stable positive int64 id for a section of an article."""
    return _id(f"{article}#{heading}")


def sentence_id(article: str, heading: str, number: int) -> int:
    """A stable positive int64 id for the `number`-th sentence of a section."""
    return _id(f"{article}#{heading}#{number}")


def question_id(article: str, heading: str, number: int) -> int:
    """A stable positive int64 id for the `number`-th question of a section,
    apart from its sentence ids ("#q" before the number, "#" for a sentence)."""
    return _id(f"{article}#{heading}#q{number}")


def _id(key: str) -> int:
    digest = hashlib.sha256(key.encode()).digest()
    return int.from_bytes(digest[:8], "big") >> (64 - ID_BITS)


def read_passages(content_dir: Path) -> list[Passage]:
    """Every passage of every article in `content_dir`, by file name then order.

    Raises ArticleError for an article without front matter or sections, or
    with questions that are not a list of texts for one of its sections.
    """
    passages: list[Passage] = []
    for path in sorted(content_dir.glob("*.md")):
        if path.name != README:
            passages += article_passages(path)
    logger.debug("Read %d passages from %s", len(passages), content_dir)
    return passages


def article_passages(path: Path) -> list[Passage]:
    """The passages of one article file."""
    meta, body = _front_matter(path)
    title = str(meta.get("title") or "").strip()
    if not title:
        raise ArticleError(path, "front matter has no title")
    sections = _sections(body)
    if not sections:
        raise ArticleError(path, "no '## ' sections")
    questions = _questions(path, meta, [heading for heading, _ in sections])
    article = path.stem
    return [
        Passage(
            id=passage_id(article, heading),
            article=article,
            title=title,
            topic=str(meta.get("topic", "")),
            audience=str(meta.get("audience", "all")),
            heading=heading,
            text=text,
            questions=questions.get(heading, ()),
        )
        for heading, text in sections
    ]


def _questions(
    path: Path, meta: dict, headings: list[str]
) -> dict[str, tuple[str, ...]]:
    """The front matter's `questions:`, heading -> questions, checked against
    the article's own headings (a renamed section must take its questions)."""
    raw = meta.get("questions") or {}
    if not isinstance(raw, dict):
        raise ArticleError(path, "questions: is not a mapping of headings")
    out: dict[str, tuple[str, ...]] = {}
    for heading, questions in raw.items():
        if heading not in headings:
            raise ArticleError(path, f"questions for unknown section {heading!r}")
        if not isinstance(questions, list) or not all(
            isinstance(q, str) and q.strip() for q in questions
        ):
            raise ArticleError(path, f"questions of {heading!r}: not a list of texts")
        out[heading] = tuple(q.strip() for q in questions)
    return out


def _front_matter(path: Path) -> tuple[dict, str]:
    raw = path.read_text(encoding="utf-8")
    if not raw.startswith("---"):
        raise ArticleError(path, "does not start with '---' front matter")
    _, meta_text, body = raw.split("---", 2)
    meta = yaml.safe_load(meta_text)
    if not isinstance(meta, dict):
        raise ArticleError(path, "front matter is not a mapping")
    return meta, body


def _sections(body: str) -> list[tuple[str, str]]:
    """(heading, text) for each `## ` section; text joined into one paragraph."""
    sections: list[tuple[str, list[str]]] = []
    for line in body.splitlines():
        if line.startswith("## "):
            sections.append((line[3:].strip(), []))
        elif sections and not line.startswith("# "):
            sections[-1][1].append(line.strip())
    return [(heading, " ".join(w for w in lines if w)) for heading, lines in sections]
