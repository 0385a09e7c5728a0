"""Sentence-level second stage inside the top passages.

No offline cross-encoder exists for French here, so each sentence of the top
passages is scored against the question with the embedder (cosine, computed
once per sentence and cached) plus IDF-weighted stemmed-term overlap and a
bonus when a quantity or a date is asked and the sentence holds one. The best
sentences rerank their passages and become the answer's candidate quotes.
"""

from __future__ import annotations

import math
import re
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass

import numpy as np

from assistant.language import QuestionProfile, holds_answer_kind
from assistant.models import ScoredPassage
from index.embedder import Embedder
from index.terms import TermStatistics, count_terms
from ingest.text import fold, numbers_in
from ingest.sentences import split_sentences

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


class TermStats:
    """Document frequencies of analysed terms over an index's chunks."""

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
        counted = statistics or count_terms(texts, analyze, labels)
        self.n_docs = counted.n_docs
        self.df: Mapping[str, int] = counted.df
        self.vocabulary: Set[str] = counted.vocabulary  # accent-folded words of the whole index

    def unknown(self, names: Sequence[str]) -> list[str]:
        """Names none of whose words occurs anywhere in the index."""
        return [n for n in names if not set(re.findall(r"\w+", fold(n))) & self.vocabulary]

    def idf(self, term: str) -> float:
        return math.log(1 + (self.n_docs - self.df.get(term, 0) + 0.5) / (self.df.get(term, 0) + 0.5))

    def rarest(self, terms: set[str]) -> str | None:
        """The indexed term of highest IDF (terms absent from the index are ignored)."""
        known = [t for t in terms if self.df.get(t)]
        return max(known, key=lambda t: (self.idf(t), t)) if known else None

    def weighted_overlap(self, query_terms: set[str], text_terms: set[str]) -> float:
        """IDF-weighted share of the query's terms present in a text (0..1)."""
        if not query_terms:
            return 0.0
        total = sum(self.idf(t) for t in query_terms)
        return sum(self.idf(t) for t in query_terms & text_terms) / total


class SentenceScorer:
    """Scores the sentences of passages against a question."""

    def __init__(self, embedder: Embedder, stats: TermStats, cache_size: int = 20000) -> None:
        self.embedder = embedder
        self.stats = stats
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size

    def _embed(self, sentences: list[str]) -> np.ndarray:
        missing = [s for s in dict.fromkeys(sentences) if s not in self._vectors]
        if missing:
            vectors = self.embedder.embed_passages(missing)
            for text, vector in zip(missing, vectors):
                self._vectors[text] = vector
        for text in sentences:
            self._vectors.move_to_end(text)
        while len(self._vectors) > self._cache_size:
            self._vectors.popitem(last=False)
        return np.stack([self._vectors[s] for s in sentences]) if sentences else np.zeros((0, 1))

    def vector(self, sentence: str) -> np.ndarray:
        """The sentence's passage embedding (cached)."""
        return self._embed([sentence])[0]

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
        spans: list[tuple[int, int, int, str]] = []
        for index, passage in enumerate(passages):
            for start, end in split_sentences(passage.text):
                text = passage.text[start:end].strip()
                # Questions asked by the report itself are not answers.
                if (
                    len(text) >= MIN_SENTENCE_CHARS
                    and re.search(r"[a-zà-ÿ]{3}", text)
                    and not text.rstrip(" »\"").endswith("?")
                    and not is_instruction_to_assistant(text)
                ):
                    spans.append((index, start, end, text))
        if not spans:
            return []
        vectors = self._embed([text for *_, text in spans])
        cosines = vectors @ query_vector
        query_terms = set(self.stats.analyze(question))
        focus_terms = set(self.stats.analyze(focus)) if focus else set()
        english = profile.language == "en"
        scored = []
        for (index, start, end, text), cosine in zip(spans, cosines):
            sentence_terms = set(self.stats.analyze(text))
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
            scored.append(
                ScoredSentence(index, start, end, text, score, float(cosine), overlap, has_number)
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
