"""Measure the support judge against the labelled pairs.

    python -m eval.validate_judge                 # judge + e5 similarity: dev / test / all
    python -m eval.validate_judge --lexical       # rules only, no embedding model
    python -m eval.validate_judge --errors        # also list every misjudged pair

Precision and recall are those of the "supported" label. The judge's
thresholds were tuned on the `dev` split only; `test` is held out.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from eval.judge import Similarity, e5_similarity, judge_support

PAIRS = Path(__file__).resolve().parent / "datasets" / "judge_pairs.jsonl"


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

    def table(self, title: str) -> str:
        lines = [
            f"{title}: n={self.n}  precision={self.precision:.3f}  recall={self.recall:.3f}"
            f"  f1={self.f1:.3f}  confusion={self.confusion}",
            f"  {'kind':<18} {'n':>4} {'accuracy':>9}",
        ]
        for kind in sorted(self.per_kind):
            lines.append(f"  {kind:<18} {self.per_kind_n[kind]:>4} {self.per_kind[kind]:>9.3f}")
        return "\n".join(lines)


def load_pairs(path: Path = PAIRS) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def validate_judge(
    pairs: Iterable[dict[str, Any]], similarity: Similarity | None = None
) -> JudgeValidation:
    """Run the judge on every pair and score its "supported" predictions."""
    counts = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    right: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    errors: list[dict[str, Any]] = []
    for pair in pairs:
        judgement = judge_support(pair["claim"], pair["passage"], similarity=similarity)
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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Validate the support judge.")
    parser.add_argument("--pairs", type=Path, default=PAIRS)
    parser.add_argument("--lexical", action="store_true", help="no e5 similarity (rules only)")
    parser.add_argument("--errors", action="store_true", help="list misjudged pairs")
    args = parser.parse_args(argv)
    pairs = load_pairs(args.pairs)
    similarity = None if args.lexical else e5_similarity()
    for split in ("dev", "test", "all"):
        subset = [p for p in pairs if split == "all" or p.get("split") == split]
        result = validate_judge(subset, similarity)
        print(result.table(f"[{split}]"))
        if args.errors and split != "all":
            for error in result.errors:
                label = "supported" if error["gold"] else "unsupported"
                print(f"    ✗ {error['id']} (gold {label}, score {error['score']}): "
                      f"{'; '.join(error['reasons']) or 'judged supported'}")
                print(f"      {error['claim']}")
        print()


if __name__ == "__main__":
    main()
