"""Run the evaluation: drive the assistant over a question set and score it.

    assistant eval [--set gold] [--split all|dev|test] [--mode extractive] [--baseline]
                   [--corpus DIR] [--index DIR]
    from eval import evaluate; run = evaluate(settings=Settings(corpus_dir=..., index_dir=...))

Writes a dated folder under the reports directory with `results.jsonl`,
`summary.json`, `report.html` and `report.md`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

from assistant.models import Answer, ScoredPassage
from assistant.settings import Settings
from eval.dataset import GoldQuestion, load_questions
from eval.judge import citation_support, claimed_text, judge_answer, split_answer
from eval.metrics import (
    aggregate,
    citation_metrics,
    confidence_calibration,
    faithfulness,
    key_fact_recall,
    latency_percentiles,
    length_ratio,
    part_coverage,
    relevance_labels,
    retrieval_metrics,
    sentence_precision,
    short_answer_match,
)
from eval.report import write_report

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from assistant.api import Assistant

FLOORS_FILE = Path(__file__).resolve().parent / "floors.json"
RETRIEVAL_DEPTH = 10
HEADLINE_METRICS = (
    "hit@1", "hit@3", "hit@5", "hit@10", "mrr@10", "ndcg@10",
    "faithfulness", "citation_precision", "citation_recall", "key_fact_recall",
    "abstention_precision", "abstention_recall", "false_abstention_rate",
    "abstention_correct", "sentence_precision", "length_ratio", "evidence_length_ratio",
    "short_answer_match",
    "part_coverage", "latency",
)
Asker = Callable[[GoldQuestion], tuple[Answer, list[ScoredPassage]]]


@dataclass
class EvalRun:
    summary: dict[str, Any]
    rows: list[dict[str, Any]]
    folder: Path | None


def score_question(q: GoldQuestion, answer: Answer, passages: Sequence[ScoredPassage], seconds: float) -> dict:
    """Every metric for one question (None where a metric does not apply)."""
    quotes = [e.quote for e in q.evidence]
    row: dict[str, Any] = {
        "id": q.id, "type": q.type, "split": q.split, "question": q.question,
        "reference_answer": q.reference_answer, "answerable": q.answerable,
        "answer": answer.text, "abstained": answer.abstained, "confidence": answer.confidence,
        "retrieved": [p.chunk_id for p in passages[:RETRIEVAL_DEPTH]],
        "retrieved_docs": [p.doc_id for p in passages[:RETRIEVAL_DEPTH]],
        "citations": [
            {"number": c.number, "doc_id": c.doc_id, "section": c.section, "page": c.page, "quote": c.quote}
            for c in answer.citations
        ],
        "latency": seconds,
        "abstention_correct": float(answer.abstained != q.answerable),
    }
    if quotes:
        relevance = relevance_labels([p.text for p in passages[:RETRIEVAL_DEPTH]], quotes)
        row.update(retrieval_metrics(relevance, len(quotes)))
    if q.answerable:
        row["false_abstention_rate"] = float(answer.abstained)
    else:
        row["abstention_recall"] = float(answer.abstained)
    if answer.abstained:
        row["abstention_precision"] = float(not q.answerable)
    else:
        judgements = judge_answer(answer)
        row["faithfulness"] = faithfulness([j.supported for j in judgements])
        row["unsupported_sentences"] = [j.reasons for j in judgements if not j.supported]
        row.update(citation_metrics([c.passage for c in answer.citations], quotes, citation_support(answer)))
        if not quotes:
            row["citation_recall"] = None
    if q.answerable:
        row["key_fact_recall"] = key_fact_recall(answer.text, q.reference_answer)
        # A compound question's short facts are its parts' (in order), as the gold lists them.
        shorts = [p.short.text for p in answer.parts if p.short] or ([answer.short.text] if answer.short else [])
        row["short_answer"] = " ; ".join(shorts) or None
        row["short_answer_match"] = short_answer_match(row["short_answer"], q.short_answer)
        if not answer.abstained:
            sentences = [s.text for s in split_answer(claimed_text(answer))]
            row["sentence_precision"] = sentence_precision(sentences, quotes, q.reference_answer)
            row["length_ratio"] = length_ratio(" ".join(sentences), q.reference_answer)
            # Against the gold evidence: the shortest answer an extractive system can quote.
            row["evidence_length_ratio"] = length_ratio(" ".join(sentences), " ".join(quotes))
    if q.is_compound:
        row["part_coverage"] = part_coverage([p.answerable for p in q.parts],
                                             [p.answered for p in answer.parts])
    row["passages"] = [p.text for p in passages[:3]]
    return row


def run_questions(questions: Sequence[GoldQuestion], ask: Asker, label: str) -> list[dict]:
    rows = []
    for q in tqdm(questions, desc=label, unit="q", leave=False):
        started = time.perf_counter()
        answer, passages = ask(q)
        rows.append(score_question(q, answer, passages, time.perf_counter() - started))
    return rows


def summarise(rows: list[dict]) -> dict[str, Any]:
    """Headline metrics with intervals (overall, per question type and, when the
    rows span several splits, per split), hit@k curve, latencies, and how well
    the answers' confidence is calibrated."""
    groups = aggregate(rows, metrics=HEADLINE_METRICS)
    overall = groups.pop("all")
    by_type = {
        qtype: figures | {"n": sum(r["type"] == qtype for r in rows)} for qtype, figures in groups.items()
    }
    latencies = [r["latency"] for r in rows]
    summary: dict[str, Any] = {
        "length_ratio_median": _median(rows, "length_ratio"),
        "evidence_length_ratio_median": _median(rows, "evidence_length_ratio"),
        "metrics": overall,
        "by_type": by_type,
        "hit_at_k": {k: overall.get(f"hit@{k}", {}).get("mean", 0.0) for k in ("1", "3", "5", "10")},
        "latency": latency_percentiles(latencies) if latencies else {},
        "latencies": latencies,
        "confidence_calibration": confidence_calibration([r.get("confidence") for r in rows],
                                                         [bool(r.get("answerable")) for r in rows]),
    }
    if len({str(r.get("split")) for r in rows}) > 1:
        per_split = aggregate(rows, by="split", metrics=HEADLINE_METRICS)
        per_split.pop("all")
        summary["by_split"] = {
            split: figures | {"n": sum(str(r.get("split")) == split for r in rows)}
            for split, figures in per_split.items()
        }
    return summary


def _median(rows: list[dict], metric: str) -> float | None:
    values = sorted(r[metric] for r in rows if isinstance(r.get(metric), (int, float)))
    if not values:
        return None
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def _question_score(row: dict) -> float:
    parts = [row.get(k) for k in ("hit@5", "faithfulness", "key_fact_recall", "abstention_correct")]
    values = [float(v) for v in parts if isinstance(v, (int, float))]
    return sum(values) / len(values) if values else 0.0


def worst_questions(rows: list[dict], n: int = 10) -> list[dict]:
    ranked = sorted(rows, key=_question_score)[:n]
    return [{**row, "score": _question_score(row)} for row in ranked]


def evaluate(
    set_name: str = "gold",
    *,
    settings: Settings | None = None,
    split: str = "all",
    mode: str = "extractive",
    baseline: bool = False,
    limit: int | None = None,
    out: Path | None = None,
    bot: "Assistant | None" = None,
    llm: "BaseChatModel | None" = None,
    write: bool = True,
) -> EvalRun:
    """Evaluate the assistant (and optionally the naive baseline) on a question set.

    The assistant answers from the corpus and index of `settings` (default:
    `Settings()`, i.e. the environment and `assistant.toml`), or is `bot`.
    """
    from assistant.api import Assistant

    questions = load_questions(set_name, split=split)[:limit]
    bot = bot or Assistant.load(settings=settings or Settings(), mode=mode, llm=llm)
    rows = run_questions(
        questions,
        lambda q: bot.ask_with_passages(q.question, history=list(q.history), k=RETRIEVAL_DEPTH),
        "assistant",
    )
    summary = summarise(rows) | {
        "set": set_name, "split": split, "n": len(rows), "mode": bot.mode,
        "index_version": bot.snapshot.version,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    if baseline:
        from eval.baseline import NaiveBaseline

        naive = NaiveBaseline(bot.settings.corpus_dir, bot.embedder)
        baseline_rows = run_questions(questions, lambda q: naive.ask(q.question), "baseline")
        summary["baseline"] = summarise(baseline_rows)
    if Path(set_name).stem == "gold":  # the floors are the gold set's
        floors = load_floors()
        try:
            summary["floors"] = {"split": floors.split, "status": floor_status(summary, floors)}
        except ValueError:  # a dev-only run: its figures are reported, not gated
            pass
    folder = None
    if write:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        folder = write_report((out or bot.settings.reports_dir) / f"{stamp}-{Path(set_name).stem}", summary, rows,
                              worst_questions(rows))
    return EvalRun(summary, rows, folder)


@dataclass(frozen=True)
class Floors:
    """What CI enforces (`eval/floors.json`): on one split's figures, each floor
    is compared with its metric's interval **lower** bound and each ceiling
    (lower-is-better metrics) with its **upper** bound. A metric added to
    `HEADLINE_METRICS` is gated by adding a line to the file, no code."""

    split: str
    floors: dict[str, float]
    ceilings: dict[str, float]


def load_floors(path: Path = FLOORS_FILE) -> Floors:
    data = json.loads(path.read_text(encoding="utf-8"))
    return Floors(data["split"], dict(data.get("floors", {})), dict(data.get("ceilings", {})))


def split_figures(summary: dict, split: str) -> dict[str, dict]:
    """The metrics of `split` in a run's summary (a run of that split, or one spanning it)."""
    if summary.get("split") == split:
        return summary["metrics"]
    if split in summary.get("by_split", {}):
        return summary["by_split"][split]
    raise ValueError(f"the floors apply to the {split!r} split, which this run "
                     f"(split {summary.get('split')!r}) does not hold")


def floor_status(summary: dict, floors: Floors) -> list[dict[str, Any]]:
    """One line per gated metric: the bound compared, its limit and whether it holds."""
    figures = split_figures(summary, floors.split)
    status = []
    for kind, limits, bound in (("floor", floors.floors, "low"), ("ceiling", floors.ceilings, "high")):
        for metric, limit in limits.items():
            value = figures.get(metric, {}).get(bound)
            holds = value is not None and (value >= limit if kind == "floor" else value <= limit)
            status.append({"metric": metric, "kind": kind, "bound": bound, "value": value,
                           "mean": figures.get(metric, {}).get("mean"), "limit": limit, "holds": holds})
    return status


def check_floors(summary: dict, floors: Floors) -> list[str]:
    """Gated metrics whose interval bound crosses its floor or ceiling, as readable lines."""
    failures = []
    for line in floor_status(summary, floors):
        metric, value, limit = line["metric"], line["value"], line["limit"]
        if value is None:
            failures.append(f"{metric}: not measured on the {floors.split} split")
        elif not line["holds"] and line["kind"] == "floor":
            failures.append(f"{metric}: lower bound {value:.3f} (mean {line['mean']:.3f}) < floor {limit:.3f}")
        elif not line["holds"]:
            failures.append(f"{metric}: upper bound {value:.3f} (mean {line['mean']:.3f}) > ceiling {limit:.3f}")
    return failures


def print_summary(summary: dict) -> None:
    """The headline table; with several splits, each split's figures side by side."""
    base = summary.get("baseline", {}).get("metrics", {})
    columns = {"assistant": summary["metrics"]} | {
        split: figures for split, figures in summary.get("by_split", {}).items()}
    print(f"{'metric':<24}" + "".join(f"{name + ' [95% CI]':>28}" for name in columns) + f"{'baseline':>10}")
    for metric in summary["metrics"]:
        cells = []
        for figures in columns.values():
            values = figures.get(metric)
            cells.append(f"{values['mean']:>8.3f} [{values['low']:.3f}, {values['high']:.3f}]"
                         if isinstance(values, dict) else "—")
        other = base.get(metric, {}).get("mean")
        other_text = f"{other:>10.3f}" if other is not None else f"{'—':>10}"
        print(f"{metric:<24}" + "".join(f"{cell:>28}" for cell in cells) + other_text)


def main(
    settings: Settings,
    *,
    set_name: str = "gold",
    split: str = "all",
    mode: str = "extractive",
    baseline: bool = False,
    limit: int | None = None,
    out: Path | None = None,
    check: bool = False,
) -> int:
    """`assistant eval`: run, print the summary, and with `check` fail below the floors."""
    run = evaluate(set_name, settings=settings, split=split, mode=mode, baseline=baseline,
                   limit=limit, out=out)
    print_summary(run.summary)
    print(f"\nreport: {run.folder}/report.html")
    if check:
        floors = load_floors()
        try:
            failures = check_floors(run.summary, floors)
        except ValueError as error:  # e.g. a dev-only run: reported, never gated
            print(f"floors not checked: {error}")
            return 2
        for failure in failures:
            print(f"FLOOR CROSSED: {failure}")
        if not failures:
            print(f"floors hold on the {floors.split} split (interval bounds)")
        return 1 if failures else 0
    return 0
