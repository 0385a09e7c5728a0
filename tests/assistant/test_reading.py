"""The reader reranker reorders the scorer's best sentences by the reader's probability."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from assistant.reading import ReaderReranker
from assistant.rerank import ScoredSentence


class KeywordReader:
    """A stand-in reader: probability 0.9 for sentences holding `keyword`, else 0.1."""

    def __init__(self, keyword: str) -> None:
        self.keyword = keyword
        self.calls: list[list[str]] = []

    def score(self, question: str, sentences: Sequence[str]) -> np.ndarray:
        self.calls.append(list(sentences))
        return np.array([0.9 if self.keyword in s else 0.1 for s in sentences], dtype=np.float32)


def sentence(text: str, score: float, passage: int = 0) -> ScoredSentence:
    return ScoredSentence(passage, 0, len(text), text, score, 0.8, 0.5, False)


def test_the_sentence_the_reader_prefers_moves_first_and_takes_the_best_score():
    sentences = [sentence("L'université propose un DU.", 0.9), sentence("Il accueille 20 personnes.", 0.8),
                 sentence("Le DU dure un an.", 0.7)]
    reranked = ReaderReranker(KeywordReader("20 personnes"), candidates=8).run("Combien de personnes ?", sentences)
    assert [s.text for s in reranked] == ["Il accueille 20 personnes.", "L'université propose un DU.",
                                          "Le DU dure un an."]
    assert [s.score for s in reranked] == [0.9, 0.8, 0.7]  # the scale the selector and gate read is kept


def test_only_the_first_candidates_are_read_and_the_rest_keep_their_place():
    reader = KeywordReader("fait")
    sentences = [sentence(f"Phrase {i}.", 1 - i / 10) for i in range(5)] + [sentence("Le fait.", 0.1)]
    reranked = ReaderReranker(reader, candidates=3).run("?", sentences)
    assert reader.calls == [["Phrase 0.", "Phrase 1.", "Phrase 2."]]
    assert [s.text for s in reranked] == [s.text for s in sentences]  # ties keep the scorer's order
