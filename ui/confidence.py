"""How an answer's confidence is worded for people, in the chat page and the CLI.

The confidence is the abstention gate's calibrated probability that the reports
answer the question (`Answer.confidence`); the evaluation report draws its
reliability diagram and gives its expected calibration error. It replaces the
rank score the source cards used to show (« pertinence 100 % » for whichever
passage came first, however weak).
"""

from __future__ import annotations

from assistant.models import Answer

CONFIDENCE_HELP = (
    "Probabilité, estimée par le filtre d'abstention, que les rapports répondent à la question ; "
    "calibrée sur les questions de développement du jeu d'évaluation (voir le rapport d'évaluation)."
)


def confidence_label(answer: Answer) -> str | None:
    """« Confiance : 87 % », or under an abstention « Probabilité que les rapports
    répondent : 12 % »; None when no calibrated gate judged the answer (no
    calibration fits the embedder: there is no confidence to give)."""
    if answer.confidence is None:
        return None
    percent = f"{round(100 * answer.confidence)} %"
    return f"Probabilité que les rapports répondent : {percent}" if answer.abstained else f"Confiance : {percent}"
