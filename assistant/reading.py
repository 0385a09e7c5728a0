"""Reorder the best candidate sentences with the sentence reader (a cross-encoder).

The bi-encoder scorer (`assistant.rerank.SentenceScorer`) embeds question and
sentence apart: it finds on-topic sentences but cannot tell which of two holds
the fact asked for. `ReaderReranker` reads the question and each of the best
`candidates` sentences together (`index.reader.SentenceReader`, one batch) and
reorders them by the reader's probability. The scores themselves are kept as a
set (the best candidate gets the best score, and so on), so what reads them
afterwards — the selector's "far below the best" cut, the passages' order, the
gate — sees the same scale as without the reader.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol

import numpy as np

from assistant.rerank import ScoredSentence


class SentenceReaderModel(Protocol):
    """What the reranker needs of a reader: one probability per sentence, in input order."""

    def score(self, question: str, sentences: Sequence[str]) -> np.ndarray: ...


class ReaderReranker:
    """Reorders the first `candidates` sentences (best first) by the reader's probability."""

    def __init__(self, reader: SentenceReaderModel, candidates: int = 8) -> None:
        self.reader = reader
        self.candidates = candidates

    def run(self, question: str, sentences: list[ScoredSentence]) -> list[ScoredSentence]:
        """`sentences` best first; returns them with the head reordered by the reader."""
        head, tail = sentences[: self.candidates], sentences[self.candidates :]
        if len(head) < 2:
            return sentences
        probabilities = self.reader.score(question, [s.text for s in head])
        order = sorted(range(len(head)), key=lambda i: (-float(probabilities[i]), i))
        scores = [s.score for s in head]  # already best first
        reordered = [replace(head[i], score=scores[rank]) for rank, i in enumerate(order)]
        return reordered + tail
