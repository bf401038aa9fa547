"""Retrieval benchmark: answer quality on the labelled questions, speed and size.

    .venv/bin/python bench/retrieval.py            # full run (1M synthetic: minutes)
    .venv/bin/python bench/retrieval.py --quick    # smoke: 3k products, 20k synthetic
    .venv/bin/python bench/retrieval.py --answers-only   # quality alone, not saved

Answer quality on bench/data/questions.jsonl (labelled article and section) and
bench/data/unanswerable.jsonl, for three rankings in the same run: hybrid (what
Knowledge.answer uses: passage, sentence and written-question cosines fused
with BM25, see knowledge/ranking.py), dense passage vectors alone and a plain
BM25 baseline.
Each is reported for the tuning half, the held-out half (a fixed split by a
hash of the question, see half_of) and all questions: recall@1, recall@3 and
MRR (top 10) at the article and the section level, and for hybrid and dense
the share of unanswerable questions declined at the configured threshold and
at the best threshold of a sweep. Weights and the threshold are tuned on the
tuning half only; the held-out half says how well that carries over.

Speed and size, on the real catalog (products embedded through knowledge, the
index kept in --index-dir so a second run loads it) and on synthetic clustered
384-d unit vectors: for an exact flat index, HNSW (M=32, efSearch swept) and
IVF (nlist ~ 4*sqrt(n), nprobe swept): build time, serialized bytes, process
RSS, single-query search p50/p95, and recall@10 against exact on 1,000 queries.
On the catalog also the end-to-end latency of answer() and search_products()
with the embedding included, and one query's embedding time by the direct path
and by sentence-transformers. Figures go to bench/results/retrieval.json
(retrieval-quick.json with --quick).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import math
import os
import platform
import re
import resource
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from knowledge.articles import Passage, read_passages
from knowledge.config import KnowledgeSettings
from knowledge.embedder import Embedder
from knowledge.index import SEARCH_THREADS, VectorIndex, nlist_for
from knowledge.products import ProductFacts, facts_from_catalog
from knowledge.query import parse_product_query
from knowledge.service import Knowledge
from profiles.catalog import SUBSET_PATH

logger = logging.getLogger("bench.retrieval")

DATA = ROOT / "bench" / "data"
RESULTS = ROOT / "bench" / "results"
CATALOG = ROOT.parent / "shared" / "datasets" / "catalog" / "styles.csv"
TOP = 10  # ranks looked at for MRR
RECALL_QUERIES = 1000
LATENCY_QUERIES = 300
EF_SEARCH = (16, 32, 64, 128, 256, 512)
NPROBE = (1, 2, 4, 8, 16, 32, 64, 128)
HNSW_M = 32
SYNTHETIC_DIM = 384
SYNTHETIC_CLUSTERS = 2000
SYNTHETIC_NOISE = 0.9  # spread around a cluster centre; cos to it is about 0.7
THRESHOLD_SWEEP = tuple(round(float(t), 2) for t in np.arange(0.20, 0.71, 0.01))
HYBRID_SWEEP = tuple(round(float(t), 2) for t in np.arange(0.20, 1.01, 0.01))
FORMER_DENSE_THRESHOLD = 0.38  # the cosine threshold shipped before fusion
TUNING, HELD_OUT, ALL = "tuning", "held_out", "all"


# Answer quality


@dataclass(frozen=True)
class Question:
    text: str
    article: str | None
    section: str | None


def read_questions(path: Path) -> list[Question]:
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
    return [Question(r["question"], r.get("article"), r.get("section")) for r in rows]


class BM25:
    """Okapi BM25 over passages (k1=1.5, b=0.75), words lower-cased, no stems."""

    WORD = re.compile(r"[a-z0-9]+")
    STOP = frozenset(
        [
            "a",
            "an",
            "and",
            "are",
            "as",
            "at",
            "be",
            "by",
            "can",
            "do",
            "does",
            "for",
            "from",
            "how",
            "i",
            "if",
            "in",
            "is",
            "it",
            "my",
            "of",
            "on",
            "or",
            "the",
            "to",
            "what",
            "when",
            "where",
            "which",
            "who",
            "why",
            "will",
            "with",
            "you",
            "your",
        ]
    )

    def __init__(self, texts: Sequence[str], k1: float = 1.5, b: float = 0.75):
        self.k1, self.b = k1, b
        self.docs = [Counter(self.words(t)) for t in texts]
        self.lengths = np.array([sum(d.values()) for d in self.docs], dtype=float)
        frequency = Counter(word for doc in self.docs for word in doc)
        n = len(self.docs)
        self.idf = {
            w: math.log(1 + (n - f + 0.5) / (f + 0.5)) for w, f in frequency.items()
        }

    def words(self, text: str) -> list[str]:
        return [w for w in self.WORD.findall(text.lower()) if w not in self.STOP]

    def scores(self, query: str) -> np.ndarray:
        """Score of every passage for the query, shape (n,)."""
        out = np.zeros(len(self.docs))
        norm = self.k1 * (1 - self.b + self.b * self.lengths / self.lengths.mean())
        for word in set(self.words(query)):
            idf = self.idf.get(word)
            if idf is None:
                continue
            tf = np.array([doc.get(word, 0) for doc in self.docs], dtype=float)
            out += idf * tf * (self.k1 + 1) / (tf + norm)
        return out


def rank_metrics(ranked: list[list[Passage]], questions: list[Question]) -> dict:
    """recall@1, recall@3 and MRR@10 at the article and the section level."""
    out: dict[str, float] = {}
    for level in ("article", "section"):
        ranks = [_rank(r, q, level) for r, q in zip(ranked, questions, strict=True)]
        out[f"{level}_recall@1"] = _share(r == 1 for r in ranks)
        out[f"{level}_recall@3"] = _share(r is not None and r <= 3 for r in ranks)
        out[f"{level}_mrr"] = round(
            statistics.fmean(1 / r if r else 0 for r in ranks), 4
        )
    return out


def _rank(passages: list[Passage], question: Question, level: str) -> int | None:
    seen: list[str] = []
    for passage in passages:
        key = passage.article if level == "article" else passage.key
        if key not in seen:
            seen.append(key)
    want = question.article
    if level == "section":
        want = f"{question.article}#{question.section}"
    return seen.index(want) + 1 if want in seen else None


def _share(flags) -> float:
    flags = list(flags)
    return round(sum(map(bool, flags)) / max(len(flags), 1), 4)


def decline_figures(
    best_in: list[float],
    best_out: list[float],
    current: float,
    sweep: Sequence[float] = THRESHOLD_SWEEP,
) -> dict:
    """Declines at the configured threshold and at the sweep's best threshold.

    The best threshold maximizes the share of all questions handled right:
    answerable ones answered plus unanswerable ones declined.
    """

    def at(threshold: float) -> dict:
        return {
            "threshold": threshold,
            "unanswerable_declined": _share(s < threshold for s in best_out),
            "answerable_answered": _share(s >= threshold for s in best_in),
        }

    rows = [at(t) for t in sweep]
    n_in, n_out = len(best_in), len(best_out)
    best = max(
        rows,
        key=lambda r: (
            r["answerable_answered"] * n_in + r["unanswerable_declined"] * n_out
        ),
    )
    return {"configured": at(current), "best_of_sweep": best}


def half_of(text: str) -> str:
    """The half a question belongs to, fixed by its text alone: the first byte
    of the SHA-256 of the stripped, lower-cased question, even for tuning."""
    digest = hashlib.sha256(text.strip().lower().encode()).digest()
    return TUNING if digest[0] % 2 == 0 else HELD_OUT


def by_half(questions: list[Question]) -> dict[str, list[int]]:
    """Positions of the questions in each scope: tuning, held-out and all."""
    scopes: dict[str, list[int]] = {TUNING: [], HELD_OUT: [], ALL: []}
    for position, question in enumerate(questions):
        scopes[half_of(question.text)].append(position)
        scopes[ALL].append(position)
    return scopes


Ranking = tuple[list[list[Passage]], list[float]]  # passages best first, top score


def scope_figures(
    ranked: Ranking,
    declined: Ranking,
    questions: list[Question],
    unanswerable: list[Question],
    threshold: float | None,
    sweep: Sequence[float],
) -> dict:
    """Rank metrics and declines of one method, per half and for all."""
    (lists, best_in), (_, best_out) = ranked, declined
    scopes_in, scopes_out = by_half(questions), by_half(unanswerable)
    out = {}
    for scope, rows in scopes_in.items():
        chosen = [questions[i] for i in rows]
        figures = rank_metrics([lists[i] for i in rows], chosen)
        figures["questions"] = len(rows)
        figures["unanswerable"] = len(scopes_out[scope])
        if threshold is not None:
            inside = [best_in[i] for i in rows]
            outside = [best_out[i] for i in scopes_out[scope]]
            figures["declines"] = decline_figures(inside, outside, threshold, sweep)
            figures["article_recall@1_answered"] = _share(
                score >= threshold
                and bool(lists[i])
                and lists[i][0].article == q.article
                for i, q, score in zip(rows, chosen, inside, strict=True)
            )
        out[scope] = figures
    return out


def answer_quality(embedder: Embedder, settings: KnowledgeSettings) -> dict:
    """Hybrid (Knowledge.rank_passages, the production path), dense passage
    vectors alone and the BM25 baseline, each per half and for all."""
    passages = read_passages(settings.content_dir)
    questions = read_questions(DATA / "questions.jsonl")
    unanswerable = read_questions(DATA / "unanswerable.jsonl")
    knowledge = Knowledge(settings, embedder=embedder)
    knowledge.ensure_built()
    by_key = {p.key: p for p in passages}

    def hybrid(batch: list[Question]) -> Ranking:
        ranked = [knowledge.rank_passages(q.text, TOP) for q in batch]
        lists = [[by_key[f"{h.article}#{h.heading}"] for h in hits] for hits in ranked]
        return lists, [hits[0].score for hits in ranked]

    texts = [p.indexed_text for p in passages]
    index = VectorIndex.build(
        "dense", [p.id for p in passages], embedder.encode(texts), exact_max=len(texts)
    )
    by_id = {p.id: p for p in passages}

    def dense(batch: list[Question]) -> Ranking:
        scores, ids = index.search(embedder.encode([q.text for q in batch]), TOP)
        lists = [[by_id[int(i)] for i in row if i >= 0] for row in ids]
        return lists, [float(s) for s in scores[:, 0]]

    bm25 = BM25(texts)

    def lexical(batch: list[Question]) -> Ranking:
        ranked, best = [], []
        for question in batch:
            scores = bm25.scores(question.text)
            top = np.argsort(-scores, kind="stable")[:TOP]
            ranked.append([passages[i] for i in top])
            best.append(float(scores[top[0]]))
        return ranked, best

    out: dict[str, Any] = {
        "passages": len(passages),
        "sentences": sum(len(p.sentences) for p in passages),
        "written_questions": sum(len(p.questions) for p in passages),
        "questions": len(questions),
        "unanswerable": len(unanswerable),
        "split": "sha256(question.strip().lower())[0] even: tuning, odd: held_out",
    }
    methods = (
        ("hybrid", hybrid, settings.answer_threshold, HYBRID_SWEEP),
        ("dense", dense, FORMER_DENSE_THRESHOLD, THRESHOLD_SWEEP),
        ("bm25", lexical, None, ()),
    )
    for name, method, threshold, sweep in methods:
        out[name] = scope_figures(
            method(questions), method(unanswerable), questions, unanswerable,
            threshold, sweep,
        )  # fmt: skip
    out["hybrid"]["threshold_from_env_or_default"] = settings.answer_threshold
    out["dense"]["threshold_note"] = (
        "configured = the dense-only threshold used before fusion"
    )
    out["answer_path_agrees"] = answer_path_agrees(
        knowledge, questions + unanswerable, settings.answer_threshold
    )
    return out


def answer_path_agrees(
    knowledge: Knowledge, questions: list[Question], threshold: float
) -> bool:
    """Whether answer() declines exactly where the top ranked score is below
    the threshold, so the decline figures above are those of answer()."""
    for question in questions:
        hits = knowledge.rank_passages(question.text, 3)
        expected = hits if hits and hits[0].score >= threshold else []
        if knowledge.answer(question.text) != expected:
            return False
    return True


# Speed and size


def rss_mb() -> dict:
    status = Path("/proc/self/status").read_text()
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    mb = lambda key: round(int(fields[key].split()[0]) / 1024, 1)
    return {"rss_mb": mb("VmRSS"), "peak_rss_mb": mb("VmHWM")}


def percentiles(seconds: list[float]) -> dict:
    ms = np.array(seconds) * 1000
    return {"p50_ms": round(float(np.percentile(ms, 50)), 3),
            "p95_ms": round(float(np.percentile(ms, 95)), 3)}  # fmt: skip


def timed(
    calls: Sequence[Callable[[], Any]], before: Callable[[], Any] | None = None
) -> dict:
    """p50/p95 of each call's time; `before` runs untimed ahead of each call
    (the query cache is emptied there, so every query is embedded)."""
    seconds = []
    for call in calls:
        if before is not None:
            before()
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
    return percentiles(seconds)


def recall_at_10(found: np.ndarray, truth: np.ndarray) -> float:
    hits = [len(set(f) & set(t)) for f, t in zip(found, truth, strict=True)]
    return round(sum(hits) / truth.size, 4)


def compare_indexes(vectors: np.ndarray, queries: np.ndarray) -> dict:
    """Flat, HNSW and IVF over the same unit vectors (n, d); queries (q, d).

    Builds use every core; searches use SEARCH_THREADS, as the server does.
    """
    import faiss

    n, dim = vectors.shape
    ids = np.arange(n, dtype=np.int64)
    latency_queries = queries[:LATENCY_QUERIES]
    out: dict[str, Any] = {"vectors": n, "dimension": dim,
                           "build_threads": len(os.sched_getaffinity(0))}  # fmt: skip

    build_threads = len(os.sched_getaffinity(0))  # builds use every core
    faiss.omp_set_num_threads(build_threads)
    started = time.perf_counter()
    flat = VectorIndex.build("flat", ids, vectors, exact_max=n)
    flat_build = time.perf_counter() - started
    _, truth = flat.search(queries, 10)
    out["flat"] = {
        "build_s": round(flat_build, 2),
        "bytes": flat.memory_bytes(),
        "search": timed([lambda q=q, f=flat: f.search(q, 10) for q in latency_queries]),
        **rss_mb(),
    }
    del flat
    logger.info("flat at %d: %s", n, out["flat"])

    faiss.omp_set_num_threads(build_threads)
    started = time.perf_counter()
    hnsw = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
    hnsw.add(vectors)
    out["hnsw"] = {"M": HNSW_M, "efConstruction": hnsw.hnsw.efConstruction,
                   "build_s": round(time.perf_counter() - started, 2),
                   "bytes": int(faiss.serialize_index(hnsw).nbytes), **rss_mb(),
                   "sweep": []}  # fmt: skip
    faiss.omp_set_num_threads(SEARCH_THREADS)  # as VectorIndex.search does
    for ef in EF_SEARCH:
        params = faiss.SearchParametersHNSW(efSearch=ef)
        _, found = hnsw.search(queries, 10, params=params)
        row = {"efSearch": ef, "recall@10": recall_at_10(found, truth)}
        row["search"] = timed(
            [
                lambda q=q, h=hnsw, p=params: h.search(q[None], 10, params=p)
                for q in latency_queries
            ]
        )
        out["hnsw"]["sweep"].append(row)
        logger.info("hnsw at %d: %s", n, row)
    del hnsw

    faiss.omp_set_num_threads(build_threads)
    started = time.perf_counter()
    ivf = VectorIndex.build("ivf", ids, vectors, exact_max=0)
    ivf_build = round(time.perf_counter() - started, 2)
    out["ivf"] = {"nlist": nlist_for(n), "build_s": ivf_build,
                  "bytes": ivf.memory_bytes(), **rss_mb(), "sweep": []}  # fmt: skip
    for nprobe in NPROBE:
        ivf.nprobe = nprobe
        _, found = ivf.search(queries, 10)
        row = {"nprobe": nprobe, "recall@10": recall_at_10(found, truth)}
        row["search"] = timed([lambda q=q: ivf.search(q, 10) for q in latency_queries])
        out["ivf"]["sweep"].append(row)
        logger.info("ivf at %d: %s", n, row)
    out["choice"] = pick(out)
    return out


def pick(figures: dict, recall: float = 0.95) -> dict:
    """The fastest setting of each approximate index with recall@10 >= `recall`."""
    chosen = {}
    for name, knob in (("hnsw", "efSearch"), ("ivf", "nprobe")):
        good = [r for r in figures[name]["sweep"] if r["recall@10"] >= recall]
        best = min(good, key=lambda r: r["search"]["p95_ms"]) if good else None
        chosen[name] = best and {knob: best[knob], "recall@10": best["recall@10"],
                                 "p95_ms": best["search"]["p95_ms"]}  # fmt: skip
    return chosen


def synthetic(n: int, queries: int, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """Clustered unit vectors (n, 384) and queries (q, 384) from the same clusters.

    Clusters stand in for the topics real embeddings gather around; uniform
    random vectors would have no neighbours worth finding.
    """
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((SYNTHETIC_CLUSTERS, SYNTHETIC_DIM), np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)

    def draw(count: int) -> np.ndarray:
        out = np.empty((count, SYNTHETIC_DIM), dtype=np.float32)
        for start in range(0, count, 100_000):
            stop = min(count, start + 100_000)
            picks = rng.integers(0, SYNTHETIC_CLUSTERS, stop - start)
            noise = rng.standard_normal((stop - start, SYNTHETIC_DIM), np.float32)
            block = centres[picks] + noise * (
                SYNTHETIC_NOISE / math.sqrt(SYNTHETIC_DIM)
            )
            out[start:stop] = block / np.linalg.norm(block, axis=1, keepdims=True)
        return out

    return draw(n), draw(queries)


def product_queries(
    products: list[ProductFacts], count: int, seed: int = 3
) -> list[str]:
    """Requests a customer might type, made from real products' facts."""
    rng = np.random.default_rng(seed)
    forms = (
        "{c} {t} for {g}", "{t} for {g} under {p} dollars", "cheap {c} {t}",
        "{c} {t} size {s}", "{t} for {g}", "comfortable {c} {t} for {g}",
    )  # fmt: skip
    out = []
    for i in rng.integers(0, len(products), count):
        p = products[int(i)]
        sizes = sorted(p.sizes_in_stock) or ["M"]
        form = forms[len(out) % len(forms)]
        out.append(form.format(c=(p.colour or "").lower(), t=p.article_type.lower(),
                               g=p.gender.lower(), p=int(p.price) + 10,
                               s=sizes[0].lower()).strip())  # fmt: skip
    return out


def catalog_figures(
    embedder: Embedder, settings: KnowledgeSettings, catalog: Path, quick: bool
) -> dict:
    products = facts_from_catalog(catalog if not quick else SUBSET_PATH)
    knowledge = Knowledge(settings, embedder=embedder, products=lambda: products)
    started = time.perf_counter()
    knowledge.ensure_built(progress=not quick)
    ensure_s = time.perf_counter() - started
    manifest = json.loads((settings.index_dir / "products.manifest.json").read_text())
    out: dict[str, Any] = {
        "catalog": str(catalog if not quick else SUBSET_PATH),
        "products": len(products),
        "ensure_built_s": round(ensure_s, 2),
        "rebuilt": knowledge.rebuilt,
        "index_type": manifest["index_type"],
    }
    texts = product_queries(products, RECALL_QUERIES)
    questions = [q.text for q in read_questions(DATA / "questions.jsonl")]
    out.update(query_embedding_figures(embedder, questions[:LATENCY_QUERIES]))
    out["load_average_before_answer_timing"] = load_average()
    out["answer_with_embedding"] = timed(
        [lambda q=q: knowledge.answer(q) for q in questions[:LATENCY_QUERIES]],
        before=embedder.clear_cache,
    )
    out["search_products_with_embedding"] = timed(
        [lambda q=q: _product_search(knowledge, q) for q in texts[:LATENCY_QUERIES]],
        before=embedder.clear_cache,
    )
    started = time.perf_counter()
    query_vectors = embedder.encode(texts)  # (1000, dim)
    out["embed_per_query_batched_ms"] = round(
        (time.perf_counter() - started) * 1000 / len(texts), 3
    )
    _, vectors = knowledge.products_index.export()
    out["indexes"] = compare_indexes(vectors, query_vectors)
    out.update(rss_mb())
    return out


def query_embedding_figures(embedder: Embedder, questions: list[str]) -> dict:
    """One-query embedding time by the direct path (what answer() uses) and by
    sentence-transformers' encode, and the largest cosine gap between the two
    vectors of a question (1 - cos), over the same questions."""
    direct = [embedder.embed_query(q) for q in questions]  # warm both paths
    library = embedder.encode(questions)  # (q, dim), batched
    gap = max(1.0 - float(d @ v) for d, v in zip(direct, library, strict=True))
    return {
        "direct_query_path": embedder.direct_queries,
        "embed_query_direct": timed(
            [lambda q=q: embedder.embed_query(q) for q in questions]
        ),
        "embed_query_sentence_transformers": timed(
            [lambda q=q: embedder.encode([q]) for q in questions]
        ),
        "direct_vs_library_max_cosine_gap": float(f"{gap:.2e}"),
    }


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _product_search(knowledge: Knowledge, text: str) -> None:
    free, filters = parse_product_query(text)
    knowledge.search_products(free or text, **filters.as_kwargs())


# Run


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("faiss.loader").setLevel(logging.WARNING)
    base = KnowledgeSettings.from_env()
    settings = KnowledgeSettings(
        model_path=base.model_path, index_dir=args.index_dir,
        content_dir=base.content_dir, exact_max=base.exact_max,
        answer_threshold=base.answer_threshold,
        embedding_threads=base.embedding_threads,
    )  # fmt: skip
    embedder = Embedder(settings.resolved_model_path(), threads=base.embedding_threads)
    results: dict[str, Any] = {"run": run_facts(args, embedder)}
    started = time.perf_counter()
    results["answers"] = answer_quality(embedder, settings)
    logger.info("answer quality: %s", json.dumps(results["answers"]))
    if args.answers_only:
        print(json.dumps(results["answers"], indent=2))
        return 0
    results["catalog"] = catalog_figures(embedder, settings, args.catalog, args.quick)
    logger.info("catalog: %s", json.dumps(results["catalog"]))
    if args.synthetic:
        vectors, queries = synthetic(args.synthetic, RECALL_QUERIES)
        results["synthetic"] = compare_indexes(vectors, queries)
        del vectors
    else:
        results.update(carried_over(args))
    results["run"]["wall_s"] = round(time.perf_counter() - started, 1)
    results["run"]["end"] = rss_mb()
    results["targets"] = targets(results)
    save(
        results, RESULTS / ("retrieval-quick.json" if args.quick else "retrieval.json")
    )
    print(summary(results))
    return 0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    parser.add_argument(
        "--answers-only",
        action="store_true",
        help="answer quality alone, printed as JSON and not saved",
    )
    parser.add_argument("--catalog", type=Path, default=CATALOG)
    parser.add_argument(
        "--index-dir",
        type=Path,
        default=ROOT / "var" / "bench-index",
        help="where the catalog's product index is built and kept",
    )
    parser.add_argument(
        "--synthetic",
        type=int,
        default=None,
        help="synthetic vectors (default 1,000,000; 20,000 quick; 0 none)",
    )
    args = parser.parse_args(argv)
    if args.synthetic is None:
        args.synthetic = 20_000 if args.quick else 1_000_000
    if args.quick:
        args.index_dir = args.index_dir.with_name(args.index_dir.name + "-quick")
    return args


def carried_over(args: argparse.Namespace) -> dict:
    """The synthetic figures of the last saved run, marked with when they were
    measured, so a run with --synthetic 0 does not drop them."""
    path = RESULTS / ("retrieval-quick.json" if args.quick else "retrieval.json")
    if not path.exists():
        return {}
    previous = json.loads(path.read_text("utf-8"))
    if "synthetic" not in previous:
        return {}
    synthetic = dict(previous["synthetic"])
    synthetic.setdefault("measured_utc", previous["run"]["time_utc"])
    return {"synthetic": synthetic}


def run_facts(args: argparse.Namespace, embedder: Embedder) -> dict:
    import faiss

    return {
        "time_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "quick": args.quick,
        "cpus": len(os.sched_getaffinity(0)),
        "load_average": load_average(),
        "python": platform.python_version(),
        "faiss": faiss.__version__,
        "model": embedder.name,
        "embedding_threads": embedder.threads,
        "search_threads": SEARCH_THREADS,
        "dimension": embedder.dimension,
        "max_rss_kb_start": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }


def targets(results: dict) -> dict:
    """The issue's targets and this run's figures for them: answer() on all
    labelled questions at the configured threshold, and the held-out half."""
    hybrid = results["answers"]["hybrid"]
    catalog = results["catalog"]
    out = {
        "answer_p95_ms_at_catalog<=15": catalog["answer_with_embedding"]["p95_ms"],
        "search_products_p95_ms_at_catalog<=15":
            catalog["search_products_with_embedding"]["p95_ms"],
    }  # fmt: skip
    for scope in (ALL, HELD_OUT):
        figures = hybrid[scope]
        declined = figures["declines"]["configured"]["unanswerable_declined"]
        out[f"{scope}:article_recall@1>=0.90"] = figures["article_recall@1"]
        out[f"{scope}:unanswerable_declined>=0.80"] = declined
    if "synthetic" in results:
        out["synthetic_choice(recall@10>=0.95,p95<=10ms)"] = results["synthetic"][
            "choice"
        ]
    return out


def save(results: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)


def summary(results: dict) -> str:
    lines = []
    for name in ("hybrid", "dense", "bm25"):
        for scope in (TUNING, HELD_OUT, ALL):
            figures = results["answers"][name][scope]
            shown = {k: v for k, v in figures.items() if "@" in k or "mrr" in k}
            lines.append(f"{name} {scope}: {shown}")
            if "declines" in figures:
                lines.append(f"  declines: {figures['declines']}")
    catalog = results["catalog"]
    lines.append(
        f"catalog {catalog['products']} products, index {catalog['index_type']}"
    )
    for key in (
        "load_average_before_answer_timing",
        "embed_query_direct",
        "embed_query_sentence_transformers",
        "direct_vs_library_max_cosine_gap",
        "answer_with_embedding",
        "search_products_with_embedding",
    ):
        lines.append(f"  {key}: {catalog[key]}")
    for scope in ("catalog", "synthetic"):
        figures = results.get(scope, {})
        figures = figures.get("indexes", figures)
        if "flat" in figures:
            lines.append(f"{scope} {figures['vectors']} vectors:")
            lines.append(f"  flat: {figures['flat']}")
            lines.append(f"  choice at recall@10>=0.95: {figures['choice']}")
    lines.append(f"targets: {results['targets']}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
