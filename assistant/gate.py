"""Abstention gate: decide, in code, whether the evidence answers the question.

A raw e5 cosine is useless as a gate (unrelated pairs score ~0.79), so the
gate reads relative and lexical signals instead:

- `sentence_cosine_margin`: the best sentence's cosine minus the median cosine
  of the dense candidates (how much the best evidence stands out);
- `passage_cosine_margin`: the same for the best passage;
- `overlap`: IDF-weighted share of the question's stemmed terms in the best
  sentence, and `passage_overlap` in the best of the top three passages
  (each passage alone: two half-matching passages do not make an answer);
- `missing_numbers`: numbers and years of the question that the best sentence
  does not contain (« en 2023 » when the reports only give 2020);
- `unknown_names`: names of the question (capitalised words, acronyms) that
  occur nowhere in the index (« Doctolib » in a corpus that never cites it);
- `rare_term_missing`: 1 when the question's rarest indexed term (highest IDF)
  is absent from the passage of the best sentence (« capitale de l'Australie »:
  a passage on a « rendez-vous capital » never names Australia);
- `english`: 1 for English questions (lexical signals are weak for them).

A logistic model over the standardised features is fitted on the `dev` split of the gold
set (answerable vs unanswerable) by `python -m assistant.calibrate`, which writes
`gate_calibration.json` next to this file; `DEFAULT_CALIBRATION` is used until
then. The decision threshold is chosen on the same split to keep false
abstentions at or under 5 % while catching as many unanswerable questions as
possible.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from statistics import median

CALIBRATION_FILE = Path(__file__).with_name("gate_calibration.json")
FEATURES = (
    "sentence_cosine_margin",
    "passage_cosine_margin",
    "overlap",
    "passage_overlap",
    "missing_numbers",
    "unknown_names",
    "rare_term_missing",
    "english",
)
DEFAULT_CALIBRATION = {
    "weights": {
        "sentence_cosine_margin": 40.0,
        "passage_cosine_margin": 20.0,
        "overlap": 4.0,
        "passage_overlap": 3.0,
        "missing_numbers": -3.0,
        "unknown_names": -4.0,
        "rare_term_missing": -2.0,
        "english": 1.0,
    },
    "mean": {},
    "scale": {},
    "bias": -3.5,
    "threshold": 0.5,
    "fitted_on": "hand-set defaults (not calibrated)",
}


@dataclass
class GateFeatures:
    sentence_cosine_margin: float
    passage_cosine_margin: float
    overlap: float
    passage_overlap: float
    missing_numbers: float
    unknown_names: float
    rare_term_missing: float
    english: float

    def as_vector(self) -> list[float]:
        return [getattr(self, name) for name in FEATURES]


@dataclass
class GateDecision:
    answerable: bool
    probability: float
    features: GateFeatures
    reasons: list[str] = field(default_factory=list)


def compute_features(
    *,
    dense_scores: list[float],
    best_sentence_cosine: float,
    best_sentence_overlap: float,
    passage_overlap: float,
    missing_numbers: int,
    unknown_names: int,
    rare_term_missing: bool,
    english: bool,
) -> GateFeatures:
    """Gate features from retrieval signals (see the module docstring)."""
    background = median(dense_scores) if dense_scores else 0.0
    top = dense_scores[0] if dense_scores else 0.0
    return GateFeatures(
        sentence_cosine_margin=best_sentence_cosine - background,
        passage_cosine_margin=top - background,
        overlap=best_sentence_overlap,
        passage_overlap=passage_overlap,
        missing_numbers=float(missing_numbers),
        unknown_names=float(unknown_names),
        rare_term_missing=1.0 if rare_term_missing else 0.0,
        english=1.0 if english else 0.0,
    )


class AbstentionGate:
    """Applies a (calibrated) logistic model to gate features."""

    def __init__(self, calibration: dict | None = None) -> None:
        self.calibration = calibration or load_calibration()

    def decide(self, features: GateFeatures) -> GateDecision:
        weights = self.calibration["weights"]
        mean, scale = self.calibration.get("mean", {}), self.calibration.get("scale", {})
        z = self.calibration["bias"] + sum(
            weights.get(name, 0.0) * (value - mean.get(name, 0.0)) / scale.get(name, 1.0)
            for name, value in asdict(features).items()
        )
        probability = 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))
        # A name the reports never mention is a veto: they cannot answer about it.
        answerable = probability >= self.calibration["threshold"] and not features.unknown_names
        reasons = []
        if features.missing_numbers:
            reasons.append("nombre ou année de la question absent des meilleurs passages")
        if features.unknown_names:
            reasons.append("nom cité dans la question absent des rapports")
        if not answerable:
            reasons.append(f"preuves trop faibles (p={probability:.2f})")
        return GateDecision(answerable, probability, features, reasons)


def load_calibration(path: Path = CALIBRATION_FILE) -> dict:
    """The fitted calibration if present, else the hand-set defaults."""
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    return DEFAULT_CALIBRATION
