"""Small stand-ins for the model, so retrieval, fusion, rerank, gate wiring and the store
are tested in milliseconds (as sentence-transformers tests its IR evaluator with fixed vectors).

`KeywordEmbedder` gives every vocabulary word an axis: a text's vector is the
normalised count of the vocabulary words it holds (accents and case folded),
plus a small constant axis so no vector is zero. Two texts are similar
exactly when they share vocabulary words, so a test can predict every
ranking it asserts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

from ingest.text import fold


class KeywordEmbedder:
    """A deterministic `Embedder`: one axis per keyword (see the module docstring)."""

    max_tokens = 512

    def __init__(self, vocabulary: Sequence[str], model_id: str = "fake/keywords") -> None:
        self.vocabulary = [fold(word) for word in vocabulary]
        self._axis = {word: i for i, word in enumerate(self.vocabulary)}
        self.dim = len(self.vocabulary) + 1
        self.model_id = model_id
        self.passages_embedded = 0
        self.queries_embedded = 0

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dim, dtype=np.float32)
        vector[-1] = 0.1  # the constant axis: never a zero vector
        for word in re.findall(r"\w+", fold(text)):
            axis = self._axis.get(word)
            if axis is not None:
                vector[axis] += 1.0
        return vector / np.linalg.norm(vector)

    def embed_passages(
        self,
        texts: Sequence[str],
        batch_size: int = 32,
        on_progress: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        self.passages_embedded += len(texts)
        if on_progress is not None:
            on_progress(len(texts))
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.queries_embedded += len(texts)
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def count_tokens(self, text: str) -> int:
        return len(text.split()) + 2


class SentenceSnapshot:
    """The sentence data of an index for a few passage texts, in memory (what the scorer reads).

    Chunk `c{i}` holds `texts[i]`; its sentences are split by the project's
    splitter and embedded with `embedder`, as an index build would.
    """

    def __init__(self, texts: Sequence[str], embedder: KeywordEmbedder) -> None:
        from ingest.models import Chunk, SentenceSpan
        from ingest.sentences import split_sentences

        self.chunks = []
        self._vectors = []
        for i, text in enumerate(texts):
            spans = [SentenceSpan(s, e) for s, e in split_sentences(text)]
            self.chunks.append(Chunk(id=f"c{i}", doc_id=f"d{i}", title="T", section=["S"], page=None,
                                     start=0, end=len(text), text=text, sentences=spans))
            self._vectors.append(embedder.embed_passages([text[s.start:s.end] for s in spans]))

    def rows_of_chunks(self, chunk_ids: Sequence[str]) -> dict[str, int]:
        rows = {chunk.id: row for row, chunk in enumerate(self.chunks)}
        return {chunk_id: rows[chunk_id] for chunk_id in chunk_ids if chunk_id in rows}

    def chunks_at(self, rows: Sequence[int]) -> list:
        return [self.chunks[row] for row in rows]

    def sentence_vectors(self, rows: Sequence[int]) -> list[np.ndarray]:
        return [self._vectors[row] for row in rows]
