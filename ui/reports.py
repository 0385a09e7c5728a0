"""Reading evaluation reports (`summary.json`, `results.jsonl`) for the Évaluation page.

Every function tolerates missing keys and unreadable files: a report written
by an older or newer evaluation run still shows what it has.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# French names of the headline metrics, in display order (unknown metrics follow, by name).
METRIC_LABELS = {
    "hit@5": "Hit@5",
    "mrr@10": "MRR@10",
    "ndcg@10": "nDCG@10",
    "faithfulness": "Fidélité",
    "citation_precision": "Précision des citations",
    "citation_recall": "Rappel des citations",
    "key_fact_recall": "Rappel des faits clés",
    "abstention_precision": "Précision d'abstention",
    "abstention_recall": "Rappel d'abstention",
    "false_abstention_rate": "Fausses abstentions",
}


@dataclass
class Report:
    """One evaluation run: its folder, summary and per-question rows."""

    folder: Path
    summary: dict[str, Any]
    results: list[dict[str, Any]] = field(default_factory=list)


def latest_report(reports_dir: Path) -> Report | None:
    """The newest subfolder of `reports_dir` holding a readable `summary.json`, or None."""
    reports_dir = Path(reports_dir)
    if not reports_dir.is_dir():
        return None
    candidates = []
    for summary_path in reports_dir.glob("*/summary.json"):
        try:
            candidates.append((summary_path.stat().st_mtime, summary_path.parent.name, summary_path))
        except OSError:
            continue
    for _mtime, _name, summary_path in sorted(candidates, reverse=True):
        summary = _read_json(summary_path)
        if isinstance(summary, dict):
            return Report(summary_path.parent, summary, read_results(summary_path.parent / "results.jsonl"))
    return None


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        log.warning("unreadable evaluation summary %s: %s", path, error)
        return None


def read_results(path: Path) -> list[dict[str, Any]]:
    """Per-question rows of a report (unreadable lines skipped)."""
    rows: list[dict[str, Any]] = []
    try:
        handle = path.open(encoding="utf-8", errors="replace")
    except OSError:
        return rows
    with handle:
        for line in handle:
            try:
                row = json.loads(line)
            except ValueError:
                continue
            if isinstance(row, dict):
                rows.append(row)
    return rows


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def metric_rows(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """Table rows: metric, mean, 95 % interval bounds, and the baseline's mean if present."""
    metrics = summary.get("metrics") or {}
    baseline = ((summary.get("baseline") or {}).get("metrics")) or {}
    if not isinstance(metrics, dict):
        return []
    known = [key for key in METRIC_LABELS if key in metrics]
    others = sorted(key for key in metrics if key not in METRIC_LABELS)
    rows = []
    for key in known + others:
        value = metrics[key]
        stats = value if isinstance(value, dict) else {"mean": value}
        base = baseline.get(key)
        base_mean = base.get("mean") if isinstance(base, dict) else base
        row = {
            "Métrique": METRIC_LABELS.get(key, key),
            "Moyenne": _number(stats.get("mean")),
            "IC bas": _number(stats.get("low")),
            "IC haut": _number(stats.get("high")),
        }
        if baseline:
            row["Base naïve"] = _number(base_mean)
        rows.append(row)
    return rows


def by_type_table(summary: dict[str, Any]) -> dict[str, dict[str, float]]:
    """{question type: {metric: mean}} with numeric values only."""
    table: dict[str, dict[str, float]] = {}
    by_type = summary.get("by_type") or {}
    if not isinstance(by_type, dict):
        return table
    for qtype, values in by_type.items():
        if not isinstance(values, dict):
            continue
        numbers = {}
        for metric, value in values.items():
            number = _number(value.get("mean") if isinstance(value, dict) else value)
            if number is not None and metric != "n":
                numbers[metric] = number
        if numbers:
            table[str(qtype)] = numbers
    return table


def hit_curve(summary: dict[str, Any]) -> list[tuple[int, float]]:
    """(k, hit@k) points sorted by k."""
    raw = summary.get("hit_at_k") or {}
    points = []
    if isinstance(raw, dict):
        for key, value in raw.items():
            try:
                k = int(str(key).removeprefix("hit@"))
            except ValueError:
                continue
            number = _number(value.get("mean") if isinstance(value, dict) else value)
            if number is not None:
                points.append((k, number))
    return sorted(points)


def latencies(report: Report) -> list[float]:
    """Per-question latencies in seconds, from the summary or else from the results."""
    values = report.summary.get("latencies")
    if not isinstance(values, list):
        values = [row.get("latency", row.get("seconds")) for row in report.results]
    return [v for v in (_number(x) for x in values) if v is not None and v >= 0]


def histogram(values: list[float], bins: int = 12) -> list[tuple[str, int]]:
    """(bin label, count) pairs covering the values' range."""
    if not values:
        return []
    low, high = min(values), max(values)
    width = (high - low) / bins or 1.0
    counts = [0] * bins
    for value in values:
        counts[min(bins - 1, int((value - low) / width))] += 1
    return [(f"{low + i * width:.2f}–{low + (i + 1) * width:.2f} s", count) for i, count in enumerate(counts)]
