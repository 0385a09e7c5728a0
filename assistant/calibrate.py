"""Fit the abstention gate on the `dev` split of the gold set.

    python -m assistant.calibrate [--set gold]

Runs retrieval for every dev question, fits a logistic regression of
"answerable" on the gate features, then picks the probability threshold that
keeps false abstentions on answerable dev questions at or under 5 % while
abstaining on as many unanswerable ones as possible. Writes
`assistant/gate_calibration.json`; the evaluation reports the result on the
held-out `test` split.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timezone

import numpy as np
from sklearn.linear_model import LogisticRegression

from assistant.api import Assistant
from assistant.gate import CALIBRATION_FILE, FEATURES
from eval.dataset import load_questions

MAX_FALSE_ABSTENTION = 0.05


def choose_threshold(probabilities: np.ndarray, answerable: np.ndarray) -> float:
    """Highest threshold whose false-abstention rate stays within the budget."""
    candidates = np.unique(np.concatenate([probabilities, [0.5]]))
    best = float(candidates.min())
    for threshold in sorted(candidates):
        false_abstention = np.mean(probabilities[answerable] < threshold)
        if false_abstention <= MAX_FALSE_ABSTENTION:
            best = float(threshold)
    return best


def calibrate(set_name: str = "gold") -> dict:
    bot = Assistant.load()
    questions = load_questions(set_name, split="dev")
    rows, labels = [], []
    for q in questions:
        evidence = bot.gather_evidence(q.question, history=list(q.history))
        rows.append(evidence.features.as_vector())
        labels.append(q.answerable)
    x, y = np.asarray(rows), np.asarray(labels)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    model = LogisticRegression(C=1.0, max_iter=1000, class_weight="balanced").fit(z, y)
    probabilities = model.predict_proba(z)[:, 1]
    threshold = choose_threshold(probabilities, y)
    calibration = {
        "weights": dict(zip(FEATURES, map(float, model.coef_[0]))),
        "bias": float(model.intercept_[0]),
        "mean": dict(zip(FEATURES, map(float, mean))),
        "scale": dict(zip(FEATURES, map(float, scale))),
        "threshold": threshold,
        "fitted_on": f"{set_name}/dev: {int(y.sum())} answerable, {int((~y).sum())} unanswerable",
        "fitted_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "dev_false_abstention": float(np.mean(probabilities[y] < threshold)),
        "dev_abstention_recall": float(np.mean(probabilities[~y] < threshold)) if (~y).any() else None,
    }
    CALIBRATION_FILE.write_text(json.dumps(calibration, indent=2) + "\n", encoding="utf-8")
    return calibration


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--set", default="gold")
    print(json.dumps(calibrate(parser.parse_args().set), indent=2))


if __name__ == "__main__":
    main()
