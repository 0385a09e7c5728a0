"""Turn PIAF (SQuAD-format French QA) into answer-sentence selection groups.

One `Group` per question: its paragraph's sentences (cut with the project's
`split_sentences`) with the sentence holding the answer's first character as
the positive and the others as negatives, plus *hard negatives*: sentences of
other paragraphs of the same split that the project's retrievers (French BM25
`LexicalIndex` and, when an embedder is given, e5 dense vectors, fused by
reciprocal rank) rank high for the question. A hard negative that contains the
answer text is dropped (it may well answer too).

Articles (titles) are split into train / dev / test with a fixed seed, never
questions: every question of an article lands in the same split, and hard
negatives are drawn from the question's own split only. Everything is
deterministic for a given file, seed and embedder.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from index.lexical import LexicalIndex
from ingest.sentences import split_sentences

PIAF_FILE = "piaf-v1.0.json"
SPLITS = ("train", "dev", "test")
DEFAULT_FRACTIONS = (0.8, 0.1, 0.1)
DEFAULT_SEED = 18
RRF_K = 60
RETRIEVAL_DEPTH = 30  # candidates taken from each retriever before fusion


class QueryEmbedder(Protocol):
    """What hard-negative mining needs from `index.embedder`'s embedders."""

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_passages(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray: ...


@dataclass
class Group:
    """A question and its candidate sentences with 0/1 labels.

    `kinds[i]` is `"para"` for a sentence of the question's own paragraph,
    `"hard"` for a retrieved sentence of another paragraph (always label 0 for
    PIAF) and `"cand"` for a candidate of the assistant's pipeline (gold set).
    """

    qid: str
    question: str
    article: str
    sentences: list[str]
    labels: list[int]
    kinds: list[str]

    def subset(self, max_para_negatives: int, max_hard: int) -> Group:
        """The same group keeping every positive, at most so many negatives of each kind."""
        keep: list[int] = []
        para = hard = 0
        for i, (label, kind) in enumerate(zip(self.labels, self.kinds)):
            if label:
                keep.append(i)
            elif kind == "hard":
                if hard < max_hard:
                    keep.append(i)
                    hard += 1
            elif para < max_para_negatives:
                keep.append(i)
                para += 1
        return Group(
            self.qid,
            self.question,
            self.article,
            [self.sentences[i] for i in keep],
            [self.labels[i] for i in keep],
            [self.kinds[i] for i in keep],
        )


@dataclass
class PiafData:
    """The PIAF groups of each split and what is needed to reproduce them."""

    sha256: str
    seed: int
    articles: dict[str, list[str]]
    groups: dict[str, list[Group]]
    hard_negatives: str
    skipped: int = 0
    stats: dict[str, dict[str, int]] = field(default_factory=dict)

    def record(self) -> dict[str, Any]:
        """JSON-ready provenance: file hash, seed, split sizes and a hash of each split's titles."""
        return {
            "file_sha256": self.sha256,
            "split_seed": self.seed,
            "hard_negatives": self.hard_negatives,
            "skipped_questions": self.skipped,
            "splits": {
                name: {
                    **self.stats.get(name, {}),
                    "articles_sha256": titles_hash(self.articles[name]),
                }
                for name in SPLITS
            },
        }


def default_piaf_path() -> Path:
    """`$PIAF_PATH`, else `shared/datasets/piaf-v1.0.json` in the nearest parent of the project holding it."""
    if os.environ.get("PIAF_PATH"):
        return Path(os.environ["PIAF_PATH"])
    root = Path(__file__).resolve().parents[2]
    for parent in root.parents:
        candidate = parent / "shared" / "datasets" / PIAF_FILE
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"{PIAF_FILE} introuvable : donnez son chemin dans PIAF_PATH.")


def file_sha256(path: Path) -> str:
    """SHA-256 hex digest of a file."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def titles_hash(titles: Iterable[str]) -> str:
    """SHA-256 of the sorted titles, one per line (identifies a split's article list)."""
    return hashlib.sha256("\n".join(sorted(titles)).encode("utf-8")).hexdigest()


def split_articles(
    titles: Sequence[str], seed: int = DEFAULT_SEED, fractions: Sequence[float] = DEFAULT_FRACTIONS
) -> dict[str, list[str]]:
    """Titles shuffled with `seed` and cut into train / dev / test (sorted within each)."""
    ordered = sorted(set(titles))
    random.Random(seed).shuffle(ordered)
    n_dev = max(1, round(fractions[1] * len(ordered)))
    n_test = max(1, round(fractions[2] * len(ordered)))
    n_train = len(ordered) - n_dev - n_test
    if n_train < 1:
        raise ValueError(f"{len(ordered)} articles are too few for three splits")
    cut = {
        "train": ordered[:n_train],
        "dev": ordered[n_train : n_train + n_dev],
        "test": ordered[n_train + n_dev :],
    }
    return {name: sorted(cut[name]) for name in SPLITS}


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def answer_sentence(spans: Sequence[tuple[int, int]], start: int, length: int) -> tuple[int, set[int]]:
    """Index of the sentence holding character `start`, and of every sentence the answer touches.

    An answer starting in the blank between two sentences belongs to the next one.
    Returns (-1, set()) when no sentence holds it.
    """
    end = start + max(1, length)
    touched = {i for i, (a, b) in enumerate(spans) if a < end and start < b}
    for i, (a, b) in enumerate(spans):
        if start < b and (a <= start or i in touched):
            return i, touched | {i}
    return -1, set()


@dataclass
class _Question:
    qid: str
    question: str
    article: str
    paragraph: int  # index into the split's paragraph list
    answer: str
    positive: int  # index of the positive sentence within the paragraph
    touched: set[int]


@dataclass
class _Paragraph:
    article: str
    sentences: list[str]


def load_piaf(
    path: Path | None = None,
    seed: int = DEFAULT_SEED,
    embedder: QueryEmbedder | None = None,
    hard_per_question: int = 4,
    articles_limit: int | None = None,
) -> PiafData:
    """PIAF as groups per split, hard negatives mined within each split.

    `embedder` adds e5 dense retrieval to BM25 for mining (None: BM25 only).
    `articles_limit` keeps only the first articles of each split (tests).
    """
    path = Path(path) if path is not None else default_piaf_path()
    raw = json.loads(path.read_text(encoding="utf-8"))
    articles = split_articles([a["title"] for a in raw["data"]], seed)
    if articles_limit is not None:
        articles = {name: titles[:articles_limit] for name, titles in articles.items()}
    split_of = {title: name for name, titles in articles.items() for title in titles}

    paragraphs: dict[str, list[_Paragraph]] = {name: [] for name in SPLITS}
    questions: dict[str, list[_Question]] = {name: [] for name in SPLITS}
    skipped = 0
    for article in raw["data"]:
        split = split_of.get(article["title"])
        if split is None:
            continue
        for para in article["paragraphs"]:
            context = para["context"]
            spans = split_sentences(context)
            index = len(paragraphs[split])
            paragraphs[split].append(_Paragraph(article["title"], [context[a:b] for a, b in spans]))
            for qa in para["qas"]:
                answer = qa["answers"][0]
                positive, touched = answer_sentence(spans, answer["answer_start"], len(answer["text"]))
                if positive < 0 or len(spans) < 2:
                    skipped += 1  # no negative in its paragraph, or a span outside the text
                    continue
                questions[split].append(
                    _Question(
                        qa["id"], qa["question"].strip(), article["title"], index,
                        answer["text"], positive, touched,
                    )
                )

    groups: dict[str, list[Group]] = {}
    stats: dict[str, dict[str, int]] = {}
    for split in SPLITS:
        groups[split] = _build_groups(paragraphs[split], questions[split], embedder, hard_per_question)
        stats[split] = {
            "articles": len(articles[split]),
            "paragraphs": len(paragraphs[split]),
            "questions": len(groups[split]),
            "pairs": sum(len(g.sentences) for g in groups[split]),
            "positives": sum(sum(g.labels) for g in groups[split]),
        }
    return PiafData(
        sha256=file_sha256(path),
        seed=seed,
        articles=articles,
        groups=groups,
        hard_negatives="bm25+e5 (RRF)" if embedder is not None else "bm25",
        skipped=skipped,
        stats=stats,
    )


def _build_groups(
    paragraphs: list[_Paragraph],
    questions: list[_Question],
    embedder: QueryEmbedder | None,
    hard_per_question: int,
) -> list[Group]:
    if not questions:
        return []
    flat = [(p, s) for p, para in enumerate(paragraphs) for s in range(len(para.sentences))]
    texts = [paragraphs[p].sentences[s] for p, s in flat]
    owner = np.array([p for p, _ in flat])
    rankings = _hard_rankings([q.question for q in questions], texts, embedder)
    out = []
    for q, ranked in zip(questions, rankings):
        para = paragraphs[q.paragraph]
        sentences, labels, kinds = [], [], []
        for i, text in enumerate(para.sentences):
            if i != q.positive and i in q.touched:
                continue  # holds part of the answer: neither positive nor negative
            sentences.append(text)
            labels.append(int(i == q.positive))
            kinds.append("para")
        folded_answer = _fold(q.answer)
        seen = {_fold(t) for t in sentences}
        hard = 0
        for row in ranked:
            if hard >= hard_per_question:
                break
            if owner[row] == q.paragraph:
                continue
            folded = _fold(texts[row])
            if folded in seen or (len(folded_answer) >= 2 and folded_answer in folded):
                continue
            seen.add(folded)
            sentences.append(texts[row])
            labels.append(0)
            kinds.append("hard")
            hard += 1
        out.append(Group(q.qid, q.question, q.article, sentences, labels, kinds))
    return out


def _hard_rankings(
    queries: list[str], texts: list[str], embedder: QueryEmbedder | None
) -> list[list[int]]:
    """Sentence rows ranked for each query: BM25, fused with e5 cosine by RRF when available."""
    lexical = LexicalIndex.build(texts)
    dense_top: np.ndarray | None = None
    if embedder is not None:
        passages = embedder.embed_passages(texts, batch_size=32)
        query_vecs = embedder.embed_queries(queries)
        sims = query_vecs @ passages.T
        depth = min(RETRIEVAL_DEPTH, len(texts))
        dense_top = np.argsort(-sims, axis=1, kind="stable")[:, :depth]
    rankings = []
    for qi, query in enumerate(queries):
        fused: dict[int, float] = {}
        for rank, (row, _) in enumerate(lexical.search(query, RETRIEVAL_DEPTH)):
            fused[row] = fused.get(row, 0.0) + 1.0 / (RRF_K + rank + 1)
        if dense_top is not None:
            for rank, row in enumerate(dense_top[qi]):
                fused[int(row)] = fused.get(int(row), 0.0) + 1.0 / (RRF_K + rank + 1)
        rankings.append(sorted(fused, key=lambda r: (-fused[r], r)))
    return rankings


def write_groups(groups: Iterable[Group], path: Path) -> None:
    """Groups as JSON lines."""
    with Path(path).open("w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(asdict(g), ensure_ascii=False) + "\n" for g in groups)


def read_groups(path: Path) -> list[Group]:
    """Groups written by `write_groups`."""
    with Path(path).open(encoding="utf-8") as handle:
        return [Group(**json.loads(line)) for line in handle if line.strip()]
