"""Hybrid retrieval: reciprocal-rank fusion, document filters, duplicate collapsing (keyword embedder)."""

from __future__ import annotations

import pytest

from assistant.config import RetrievalConfig
from assistant.retrieve import HybridRetriever, reciprocal_rank_fusion


def test_fusion_sums_weighted_reciprocal_ranks():
    fused = reciprocal_rank_fusion([([7, 3], 1.0), ([3, 9], 0.5)], k=60)
    assert fused[3] == pytest.approx(1 / 62 + 0.5 / 61)
    assert fused[7] == pytest.approx(1 / 61)
    assert fused[9] == pytest.approx(0.5 / 62)
    assert max(fused, key=fused.get) == 3  # found by both lists


def test_fusion_constant_flattens_rank_differences():
    sharp = reciprocal_rank_fusion([([1, 2], 1.0)], k=1)
    flat = reciprocal_rank_fusion([([1, 2], 1.0)], k=1000)
    assert sharp[1] / sharp[2] > flat[1] / flat[2] > 1


@pytest.fixture
def retriever(tiny_bot, keyword_embedder) -> HybridRetriever:
    return HybridRetriever(tiny_bot.snapshot, keyword_embedder, RetrievalConfig())


def test_the_passage_sharing_the_question_words_comes_first(retriever):
    result = retriever.retrieve("Quel budget pour le Health Data Hub ?", k=3)
    assert result.passages[0].doc_id == "rapport" and "9,7 millions" in result.passages[0].text
    assert result.passages[0].dense_rank == 1 and result.passages[0].lexical_rank == 1
    assert result.dense_scores == sorted(result.dense_scores, reverse=True)


def test_a_document_filter_keeps_only_that_document(retriever):
    result = retriever.retrieve("Quel budget pour le Health Data Hub ?", k=5, documents=["robotique"])
    assert result.passages and {p.doc_id for p in result.passages} == {"robotique"}
    assert retriever.retrieve("robots", k=5, documents=["inconnu"]).passages == []


def test_a_copied_passage_shows_once_with_both_sources(retriever):
    result = retriever.retrieve("accès aux données de santé pour la recherche publique", k=5)
    copies = [p for p in result.passages if "comité scientifique" in p.text]
    assert len(copies) == 1
    assert {s.doc_id for s in copies[0].sources} == {"rapport", "extrait"}
    assert copies[0].sources[0].chunk_id == copies[0].chunk_id  # its own source first


def test_english_questions_lean_on_the_dense_side():
    config = RetrievalConfig()
    assert config.lexical_weight("en") < config.lexical_weight("fr")
    assert config.lexical_weight("xx") == config.lexical_weight_other
