"""Calibration maths: the sign-constrained logistic fit and the threshold choice."""

from __future__ import annotations

import numpy as np

from eval.calibrate import MAX_FALSE_ABSTENTION, choose_threshold, fit_signed_logistic


def test_the_fit_separates_classes_along_a_helpful_feature():
    rng = np.random.default_rng(0)
    y = rng.random(400) < 0.5
    z = np.column_stack([np.where(y, 1.0, -1.0) + rng.normal(0, 0.5, 400)])
    weights, _ = fit_signed_logistic(z, y, [1])
    assert weights[0] > 1.0


def test_a_weight_whose_data_sign_contradicts_its_meaning_is_held_at_zero():
    rng = np.random.default_rng(1)
    y = rng.random(400) < 0.5
    helpful = np.where(y, 1.0, -1.0) + rng.normal(0, 0.5, 400)
    # A "penalty" feature that, in this sample, rises with answerability.
    misleading = np.where(y, 0.5, -0.5) + rng.normal(0, 1.0, 400)
    weights, _ = fit_signed_logistic(np.column_stack([helpful, misleading]), y, [1, -1])
    assert weights[0] > 0 and weights[1] == 0.0
    free, _ = fit_signed_logistic(np.column_stack([helpful, misleading]), y, [1, 0])
    assert free[1] > 0  # unconstrained, the fit follows the sample


def test_the_threshold_keeps_false_abstentions_within_the_budget_vetoes_included():
    answerable = np.array([True] * 40 + [False] * 10)
    probabilities = np.concatenate([np.linspace(0.3, 0.99, 40), np.linspace(0.0, 0.5, 10)])
    threshold = choose_threshold(probabilities, answerable)
    assert np.mean(probabilities[answerable] < threshold) <= MAX_FALSE_ABSTENTION
    vetoed = np.zeros(50, dtype=bool)
    vetoed[38:40] = True  # two confident answerable questions declined by a veto
    stricter = choose_threshold(probabilities, answerable, vetoed)
    assert stricter < threshold
    declined = (probabilities < stricter) | vetoed
    assert np.mean(declined[answerable]) <= MAX_FALSE_ABSTENTION
