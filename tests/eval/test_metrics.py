"""Metric functions on small hand-computed examples."""

from __future__ import annotations

import math

import pytest

from eval.metrics import (
    confidence_calibration,
    abstention_metrics,
    aggregate,
    citation_metrics,
    faithfulness,
    key_fact_recall,
    key_facts,
    latency_percentiles,
    relevance_labels,
    retrieval_metrics,
)

# --- retrieval --------------------------------------------------------------------


def test_retrieval_metrics_hand_computed():
    metrics = retrieval_metrics([False, True, False, True], n_relevant=2)
    assert metrics["hit@1"] == 0.0
    assert metrics["hit@3"] == metrics["hit@5"] == metrics["hit@10"] == 1.0
    assert metrics["mrr@10"] == 0.5
    dcg = 1 / math.log2(3) + 1 / math.log2(5)
    ideal = 1 + 1 / math.log2(3)
    assert metrics["ndcg@10"] == pytest.approx(dcg / ideal)  # ≈ 0.6509


def test_retrieval_metrics_perfect_and_empty_rankings():
    perfect = retrieval_metrics([True, True, False], n_relevant=2)
    assert perfect == {"hit@1": 1.0, "hit@3": 1.0, "hit@5": 1.0, "hit@10": 1.0,
                       "mrr@10": 1.0, "ndcg@10": pytest.approx(1.0)}
    miss = retrieval_metrics([False] * 10 + [True], n_relevant=1)  # rank 11 is out of the cut-off
    assert miss == {"hit@1": 0.0, "hit@3": 0.0, "hit@5": 0.0, "hit@10": 0.0,
                    "mrr@10": 0.0, "ndcg@10": 0.0}


def test_ndcg_ideal_is_capped_at_ten():
    metrics = retrieval_metrics([True] * 10, n_relevant=25)
    assert metrics["ndcg@10"] == pytest.approx(1.0)
    partial = retrieval_metrics([True] + [False] * 9, n_relevant=3)
    ideal = 1 + 1 / math.log2(3) + 1 / math.log2(4)
    assert partial["ndcg@10"] == pytest.approx(1 / ideal)
    assert partial["hit@5"] == 1.0 and partial["mrr@10"] == 1.0


def test_retrieval_metrics_reject_inconsistent_input():
    with pytest.raises(ValueError):
        retrieval_metrics([True], n_relevant=0)
    with pytest.raises(ValueError):
        retrieval_metrics([True, True, True], n_relevant=2)


QUOTE_A = "la filière HealthTech compte environ 2700 entreprises dont 450 acteurs du numérique en santé"
QUOTE_B = "76 % des entreprises du secteur santé numérique et IA disposent déjà de produits commercialisés"


def test_relevance_labels_count_each_quote_once():
    passages = [
        "Un passage sans rapport avec la question posée sur les formations.",
        f"Selon le panorama, {QUOTE_A}.",
        f"Copie voisine : {QUOTE_A}, soit le double d'il y a quatre ans.",  # same quote again
        f"Et {QUOTE_B}.",
    ]
    labels = relevance_labels(passages, [QUOTE_A, QUOTE_B])
    assert labels == [False, True, False, True]
    metrics = retrieval_metrics(labels, n_relevant=2)
    assert metrics["mrr@10"] == 0.5
    ideal = 1 + 1 / math.log2(3)
    assert metrics["ndcg@10"] == pytest.approx((1 / math.log2(3) + 1 / math.log2(5)) / ideal)


# --- citations and faithfulness ---------------------------------------------------------


def test_citation_metrics_hand_computed():
    cited = [f"Texte. {QUOTE_A}.", "Un passage qui ne contient aucune des deux citations."]
    result = citation_metrics(cited, [QUOTE_A, QUOTE_B])
    assert result == {"citation_precision": 0.5, "citation_recall": 0.5}
    # the judge found the second passage supports its citing sentence
    rescued = citation_metrics(cited, [QUOTE_A, QUOTE_B], supported=[False, True])
    assert rescued["citation_precision"] == 1.0
    assert rescued["citation_recall"] == 0.5  # recall counts evidence quotes only


def test_citation_metrics_undefined_cases():
    assert citation_metrics([], [QUOTE_A]) == {"citation_precision": None, "citation_recall": 0.0}
    assert citation_metrics(["x"], []) == {"citation_precision": 0.0, "citation_recall": None}
    with pytest.raises(ValueError):
        citation_metrics(["x", "y"], [QUOTE_A], supported=[True])


def test_faithfulness():
    assert faithfulness([True, False, True, True]) == 0.75
    assert faithfulness([]) is None


# --- key facts ---------------------------------------------------------------------


REFERENCE = "La filière HealthTech compte environ 2700 entreprises dont 450 acteurs du numérique en santé & IA."


def test_key_facts_extraction():
    facts = key_facts(REFERENCE)
    assert facts.numbers == ("2700", "450")
    assert facts.names == ("healthtech", "ia")
    assert facts.words == ("fili", "compt", "environ", "entrepris", "acteur", "numer", "sant")


def test_key_fact_recall_hand_computed():
    # numbers: 2700 yes, 450 no; names: none; content: fili, compt, entrepris = 3/7
    answer = "La filière compte 2 700 entreprises [1]."
    assert key_fact_recall(answer, REFERENCE) == pytest.approx((1 + 0 + 0 + 3 / 7) / 5)


def test_key_fact_recall_full_and_marker_numbers_ignored():
    assert key_fact_recall(REFERENCE + " [2]", REFERENCE) == pytest.approx(1.0)
    # "[450]" is a citation marker, not the number 450
    assert key_fact_recall("La filière HealthTech compte 2700 entreprises en santé & IA [450].", REFERENCE) < 1.0
    assert key_fact_recall("Réponse.", "") is None


def test_key_fact_recall_accepts_inflected_names():
    reference = "La Chine intègre rapidement l'IA dans ses hôpitaux."
    assert key_fact_recall("Le gouvernement chinois intègre rapidement l'IA dans les hôpitaux.", reference) == 1.0


# --- abstention and latency -----------------------------------------------------------


def test_abstention_metrics_hand_computed():
    abstained = [True, True, False, False, True]
    answerable = [False, True, False, True, True]
    result = abstention_metrics(abstained, answerable)
    assert result["abstention_precision"] == pytest.approx(1 / 3)
    assert result["abstention_recall"] == pytest.approx(1 / 2)
    assert result["false_abstention_rate"] == pytest.approx(2 / 3)


def test_abstention_metrics_undefined_cases():
    result = abstention_metrics([False, False], [True, True])
    assert result == {"abstention_precision": None, "abstention_recall": None,
                      "false_abstention_rate": 0.0}


def test_confidence_calibration_hand_computed():
    # bins of width 0.1: 0.05 and 0.15 alone, 0.92 and 0.97 together (mean 0.945, 1 of 2 answerable)
    confidences = [0.05, 0.15, 0.92, 0.97, None]
    answerable = [False, True, True, False, True]
    figures = confidence_calibration(confidences, answerable)
    assert figures["n"] == 4  # the question without a confidence is left out
    occupied = [b for b in figures["bins"] if b["n"]]
    assert [(b["low"], b["n"]) for b in occupied] == [(0.0, 1), pytest.approx((0.1, 1)), (0.9, 2)]
    assert occupied[2]["mean_probability"] == pytest.approx(0.945) and occupied[2]["observed_rate"] == 0.5
    assert len(figures["bins"]) == 10
    # ECE = (1·0.05 + 1·0.85 + 2·0.445) / 4; Brier = mean of squared errors
    assert figures["ece"] == pytest.approx((0.05 + 0.85 + 2 * 0.445) / 4)
    assert figures["brier"] == pytest.approx((0.05**2 + 0.85**2 + 0.08**2 + 0.97**2) / 4)


def test_confidence_calibration_perfect_none_and_mismatched():
    assert confidence_calibration([1.0, 0.0], [True, False])["ece"] == 0.0
    assert confidence_calibration([None, None], [True, False]) is None  # a neutral gate
    with pytest.raises(ValueError):
        confidence_calibration([0.5], [True, False])


def test_latency_percentiles():
    assert latency_percentiles([1.0, 2.0, 3.0, 4.0, 10.0]) == pytest.approx({"p50": 3.0, "p95": 8.8})


# --- aggregation --------------------------------------------------------------------------


def test_aggregate_per_type_with_intervals():
    rows = [
        {"id": "q1", "type": "factual", "hit@1": 1.0, "faithfulness": None},
        {"id": "q2", "type": "factual", "hit@1": 0.0, "faithfulness": 0.5},
        {"id": "q3", "type": "list", "hit@1": 1.0, "faithfulness": 1.0},
    ]
    result = aggregate(rows, by="type")
    assert set(result) == {"all", "factual", "list"}
    assert result["factual"]["hit@1"]["mean"] == 0.5
    assert result["factual"]["hit@1"]["n"] == 2
    # one value in [0, 1]: no bootstrap possible, the cautious Wilson interval of 0.5 success in 1
    faithfulness_factual = result["factual"]["faithfulness"]
    assert faithfulness_factual["mean"] == 0.5 and faithfulness_factual["n"] == 1
    assert faithfulness_factual["method"] == "wilson-degenerate"
    assert faithfulness_factual["low"] < 0.5 < faithfulness_factual["high"]
    assert result["factual"]["hit@1"]["method"] == "wilson"
    assert result["all"]["hit@1"]["mean"] == pytest.approx(2 / 3)
    low, high = result["all"]["hit@1"]["low"], result["all"]["hit@1"]["high"]
    assert low <= 2 / 3 <= high
    assert "id" not in result["all"]  # non-numeric columns are not metrics
    assert aggregate(rows, by="type") == result  # deterministic


def test_aggregate_selected_metrics_only():
    rows = [{"type": "factual", "hit@1": 1.0, "ndcg@10": 0.5}]
    assert set(aggregate(rows, metrics=["ndcg@10"])["factual"]) == {"ndcg@10"}
