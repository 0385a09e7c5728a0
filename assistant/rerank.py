"""Sentence-level second stage inside the top passages.

No offline cross-encoder exists for French here, so each sentence of the top
passages is scored against the question with the embedder (the cosine of its
vector, computed when the index was built) plus IDF-weighted stemmed-term
overlap and a bonus when a quantity or a date is asked and the sentence holds
one. The best
sentences rerank their passages and become the answer's candidate quotes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from assistant.language import QuestionProfile, holds_answer_kind
from assistant.models import ScoredPassage
from index.store import IndexSnapshot
from index.terms import TermStatistics, count_terms
from ingest.text import fold, numbers_in

MIN_SENTENCE_CHARS = 25
# Orders addressed to an assistant inside a document (prompt injection) are
# never quoted as answers.
_INSTRUCTION = re.compile(
    r"\b(ignore[zr]?|oubliez|disregard|forget)\b.{0,60}\b(instructions?|consignes?|règles|rules|prompt)\b",
    re.IGNORECASE,
)


def is_instruction_to_assistant(sentence: str) -> bool:
    """True for « ignorez les consignes précédentes… »-style injected orders."""
    return bool(_INSTRUCTION.search(sentence))
# e5 cosines between a question and a sentence sit roughly in [0.75, 0.95].
COSINE_FLOOR, COSINE_SPAN = 0.75, 0.20
_WORDS = re.compile(r"[^\W_]+")
# Subtracted from a heading line's score: it names a topic, it does not answer.
HEADING_PENALTY = 0.1


@dataclass
class ScoredSentence:
    """A sentence of a retrieved passage, scored against the question."""

    passage_index: int
    start: int  # offsets inside the passage text
    end: int
    text: str
    score: float
    cosine: float
    overlap: float
    has_number: bool
    vector: np.ndarray = field(repr=False, compare=False, default_factory=lambda: np.zeros(0, np.float32))
    heading: bool = False  # a heading line of the document, not prose


PASSAGE_TERMS_CACHE = 4096  # passages whose analysed terms a version keeps (about 2 MB)
SENTENCE_TERMS_CACHE = 32_768  # sentences whose analysed terms a version keeps (tens of MB at most)


class TermStats:
    """Document frequencies of analysed terms over an index's chunks, and its vocabulary."""

    def __init__(
        self,
        texts: Sequence[str],
        analyze: Callable[[str], list[str]],
        labels: Sequence[str] = (),
        *,
        statistics: TermStatistics | None = None,
    ) -> None:
        """`texts` are the chunks; `labels` (titles, sections, ids) only feed the vocabulary.
        `statistics` (an index version's own, counted at build time) replaces both."""
        self.analyze = analyze
        # The analysed terms of a passage's text, kept for the `PASSAGE_TERMS_CACHE` passages
        # used last (index data: several questions read the same passages).
        self.terms_of: Callable[[str], frozenset[str]] = lru_cache(maxsize=PASSAGE_TERMS_CACHE)(
            lambda text: frozenset(analyze(text)))
        counted = statistics or count_terms(texts, analyze, labels)
        self.n_docs = counted.n_docs
        self.df: Mapping[str, int] = counted.df
        self.vocabulary: Set[str] = counted.vocabulary  # accent-folded words of the whole index

    def unknown(self, names: Sequence[str]) -> list[str]:
        """Names none of whose words occurs anywhere in the index."""
        return [n for n in names if not set(_WORDS.findall(fold(n))) & self.vocabulary]

    def idf(self, term: str) -> float:
        return math.log(1 + (self.n_docs - self.df.get(term, 0) + 0.5) / (self.df.get(term, 0) + 0.5))

    def rarest(self, terms: set[str]) -> str | None:
        """The indexed term of highest IDF (terms absent from the index are ignored)."""
        known = [t for t in terms if self.df.get(t)]
        return max(known, key=lambda t: (self.idf(t), t)) if known else None

    def weighted_overlap(self, query_terms: Set[str], text_terms: Set[str]) -> float:
        """IDF-weighted share of the query's terms present in a text (0..1)."""
        if not query_terms:
            return 0.0
        total = sum(self.idf(t) for t in query_terms)
        return sum(self.idf(t) for t in query_terms & text_terms) / total


class SentenceScorer:
    """Scores the sentences of passages against a question, with the sentence data of the index.

    Each chunk's sentences (offsets, heading flag) and their vectors were
    computed when the index was built: nothing is split or embedded here.
    """

    def __init__(self, snapshot: IndexSnapshot, stats: TermStats) -> None:
        self.snapshot = snapshot
        self.stats = stats
        # Analysed terms of the sentences read last: (row, start) → terms, at most
        # `SENTENCE_TERMS_CACHE` of them (a service over 200,000 passages must not keep them all).
        self._terms: dict[tuple[int, int], frozenset[str]] = {}

    def terms(self, row: int, start: int, text: str) -> frozenset[str]:
        """The analysed terms of a sentence of chunk `row` (kept while it is among the
        `SENTENCE_TERMS_CACHE` sentences used last)."""
        key = (row, start)
        terms = self._terms.pop(key, None)
        if terms is None:
            terms = frozenset(self.stats.analyze(text))
            if len(self._terms) >= SENTENCE_TERMS_CACHE:
                del self._terms[next(iter(self._terms))]  # the least recently used
        self._terms[key] = terms  # (re)inserted last: the most recently used
        return terms

    def score(
        self,
        question: str,
        query_vector: np.ndarray,
        profile: QuestionProfile,
        passages: Sequence[ScoredPassage],
        focus: str | None = None,
    ) -> list[ScoredSentence]:
        """All usable sentences of the passages, best first.

        `focus` is what a follow-up itself asks (see conversation.follow_up_focus).
        """
        candidates: list[tuple[int, int, int, str, np.ndarray, bool, int]] = []
        row_of = self.snapshot.rows_of_chunks([p.chunk_id for p in passages])
        rows = [row_of[p.chunk_id] for p in passages]
        chunks = self.snapshot.chunks_at(rows)
        for index, (passage, row, chunk, vectors) in enumerate(
            zip(passages, rows, chunks, self.snapshot.sentence_vectors(rows))
        ):
            for span, vector in zip(chunk.sentences, vectors):
                text = passage.text[span.start : span.end].strip()
                # Questions asked by the report itself are not answers.
                if (
                    len(text) >= MIN_SENTENCE_CHARS
                    and re.search(r"[a-zà-ÿ]{3}", text)
                    and not text.rstrip(" »\"").endswith("?")
                    and not is_instruction_to_assistant(text)
                ):
                    candidates.append((index, span.start, span.end, text, vector, span.heading, row))
        if not candidates:
            return []
        cosines = np.stack([c[4] for c in candidates]) @ query_vector
        query_terms = set(self.stats.analyze(question))
        focus_terms = set(self.stats.analyze(focus)) if focus else set()
        english = profile.language == "en"
        scored = []
        for (index, start, end, text, vector, heading, row), cosine in zip(candidates, cosines):
            sentence_terms = self.terms(row, start, text)
            overlap = self.stats.weighted_overlap(query_terms, sentence_terms)
            if focus_terms:
                # A follow-up's own words count as much as the whole resolved question.
                overlap = (overlap + self.stats.weighted_overlap(focus_terms, sentence_terms)) / 2
            has_number = bool(numbers_in(text))
            semantic = min(1.0, max(0.0, (float(cosine) - COSINE_FLOOR) / COSINE_SPAN))
            score = (0.8 if english else 0.55) * semantic + (0.2 if english else 0.45) * overlap
            # A bonus for holding the figure or date asked for (names are left
            # to the gate: most sentences hold some capitalised word).
            if profile.answer_kind in ("quantity", "date") and holds_answer_kind(
                profile.answer_kind, text, question
            ):
                score += 0.08
            if profile.years and any(y in text for y in profile.years):
                score += 0.05
            # A small prior from the passage's fused rank keeps ties sensible.
            score += 0.04 / (1 + index)
            if heading:  # a title names a topic; the sentences under it say something about it
                score -= HEADING_PENALTY
            scored.append(
                ScoredSentence(index, start, end, text, score, float(cosine), overlap, has_number,
                               vector, heading)
            )
        scored.sort(key=lambda s: s.score, reverse=True)
        return scored


def rerank_passages(
    passages: list[ScoredPassage], sentences: list[ScoredSentence]
) -> tuple[list[ScoredPassage], list[ScoredSentence]]:
    """Order passages by their best sentence blended with their fused rank.

    Returns the reordered passages and the sentences with `passage_index`
    remapped to the new order.
    """
    best: dict[int, float] = {}
    for sentence in sentences:
        best[sentence.passage_index] = max(best.get(sentence.passage_index, 0.0), sentence.score)
    order = sorted(
        range(len(passages)),
        key=lambda i: 0.7 * best.get(i, 0.0) + 0.3 / (1 + i) ** 0.5,
        reverse=True,
    )
    new_index = {old: new for new, old in enumerate(order)}
    for sentence in sentences:
        sentence.passage_index = new_index[sentence.passage_index]
    return [passages[i] for i in order], sentences


def numbers_missing(profile: QuestionProfile, texts: Sequence[str]) -> list[str]:
    """Numbers and years of the question that none of the texts contains."""
    available = numbers_in(" ".join(texts))
    return sorted(n for n in set(profile.numbers) if n not in available)
