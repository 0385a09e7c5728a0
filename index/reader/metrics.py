"""Ranking and calibration metrics of a sentence reader over labelled groups."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from index.reader.data import Group

ScoreFn = Callable[[str, Sequence[str]], np.ndarray]


def auc(scores: np.ndarray, labels: np.ndarray) -> float | None:
    """Area under the ROC curve (ties count half); None without both classes."""
    scores, labels = np.asarray(scores, dtype=np.float64), np.asarray(labels, dtype=bool)
    n_pos, n_neg = int(labels.sum()), int((~labels).sum())
    if not n_pos or not n_neg:
        return None
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    i = 0
    while i < len(scores):  # average ranks over ties
        j = i
        while j + 1 < len(scores) and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return float((ranks[labels].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


@dataclass(frozen=True)
class ReliabilityBin:
    """One bin of a reliability diagram: predicted probabilities in [low, high)
    (the last bin closed), how many, their mean and the observed rate of positives."""

    low: float
    high: float
    n: int
    mean_probability: float | None
    observed_rate: float | None


def reliability_bins(probs: Sequence[float], labels: Sequence[float], bins: int = 10) -> list[ReliabilityBin]:
    """Equal-width probability bins (a reliability diagram's points), empty bins included."""
    probs, labels = np.asarray(probs, dtype=np.float64), np.asarray(labels, dtype=np.float64)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(probs, edges[1:-1]), 0, bins - 1)
    result = []
    for b in range(bins):
        in_bin = which == b
        n = int(in_bin.sum())
        result.append(ReliabilityBin(float(edges[b]), float(edges[b + 1]), n,
                                     float(probs[in_bin].mean()) if n else None,
                                     float(labels[in_bin].mean()) if n else None))
    return result


def expected_calibration_error(probs: Sequence[float], labels: Sequence[float], bins: int = 10) -> float:
    """ECE over equal-width probability bins: the bins' |mean probability − observed rate|,
    weighted by their share of the predictions."""
    total = sum(b.n * abs(b.mean_probability - b.observed_rate)
                for b in reliability_bins(probs, labels, bins) if b.n)
    return float(total / max(1, len(probs)))


def top1_hit(scores: np.ndarray, labels: Sequence[int]) -> bool:
    """The highest-scored candidate (first one on ties) is a positive."""
    return bool(labels[int(np.argmax(scores))])


def evaluate_groups(score: ScoreFn, groups: Sequence[Group]) -> dict[str, float | int | None]:
    """Reader metrics on PIAF-style groups.

    * `sentence@1_paragraph`: the top-scored sentence of the question's own
      paragraph is the positive;
    * `sentence@1_hard`: the same with the retrieved hard negatives mixed in;
    * `mrr_hard`: mean reciprocal rank of the first positive among all candidates;
    * `auc`, `ece`: over every pair.
    """
    para_hits, hard_hits, reciprocal = [], [], []
    all_scores: list[float] = []
    all_labels: list[int] = []
    for g in groups:
        if not any(g.labels):
            continue
        probs = np.asarray(score(g.question, g.sentences), dtype=np.float64)
        labels = np.asarray(g.labels)
        para = np.array([k == "para" for k in g.kinds])
        if para.any() and labels[para].any():
            para_hits.append(top1_hit(probs[para], labels[para]))
        hard_hits.append(top1_hit(probs, labels))
        order = np.argsort(-probs, kind="stable")
        first = int(np.flatnonzero(labels[order])[0])
        reciprocal.append(1.0 / (first + 1))
        all_scores.extend(probs.tolist())
        all_labels.extend(labels.tolist())
    scores_arr, labels_arr = np.asarray(all_scores), np.asarray(all_labels)
    return {
        "questions": len(hard_hits),
        "pairs": len(all_scores),
        "sentence@1_paragraph": _mean(para_hits),
        "sentence@1_hard": _mean(hard_hits),
        "mrr_hard": _mean(reciprocal),
        "auc": _round(auc(scores_arr, labels_arr)),
        "ece": _round(expected_calibration_error(scores_arr, labels_arr)) if len(scores_arr) else None,
    }


def _mean(values: Sequence[float | bool]) -> float | None:
    return round(float(np.mean(values)), 4) if len(values) else None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
