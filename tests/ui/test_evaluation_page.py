"""The Évaluation page and the report reader behind it (`ui/reports.py`)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui.reports import by_type_table, histogram, hit_curve, latencies, latest_report, metric_rows

APP = Path(__file__).resolve().parents[2] / "ui" / "app.py"

SUMMARY = {
    "set": "gold",
    "n": 3,
    "created": "2025-05-01T10:00:00+00:00",
    "mode": "extractive",
    "metrics": {
        "hit@5": {"mean": 0.8, "low": 0.7, "high": 0.9},
        "faithfulness": {"mean": 0.95, "low": 0.9, "high": 0.99},
        "zz_custom": {"mean": 0.5},
    },
    "baseline": {"metrics": {"hit@5": {"mean": 0.6}}},
    "by_type": {"factuel": {"hit@5": 0.9, "n": 2}, "hors-sujet": {"hit@5": 0.1, "n": 1}},
    "hit_at_k": {"10": 0.9, "1": 0.5, "3": 0.7, "5": 0.8},
    "latencies": [0.2, 0.4, 1.2],
    "latency": {"p50": 0.4, "p95": 1.1},
}


def write_report(root: Path, name: str, summary: dict, rows: list[dict] | None = None) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    if rows is not None:
        (folder / "results.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n{broken",
                                              encoding="utf-8")
    return folder


def test_latest_report_is_the_newest_readable_summary(tmp_path):
    assert latest_report(tmp_path / "absent") is None
    old = write_report(tmp_path, "2025-01-01", SUMMARY)
    new = write_report(tmp_path, "2025-02-01", {**SUMMARY, "set": "nouveau"}, rows=[{"id": "q1"}])
    broken = tmp_path / "2025-03-01"
    broken.mkdir()
    (broken / "summary.json").write_text("{pas du json", encoding="utf-8")
    (tmp_path / "sans-resume").mkdir()
    now = time.time()
    os.utime(old / "summary.json", (now - 200, now - 200))
    os.utime(new / "summary.json", (now - 100, now - 100))
    report = latest_report(tmp_path)
    assert report is not None and report.folder == new
    assert report.summary["set"] == "nouveau"
    assert report.results == [{"id": "q1"}]  # the torn line is skipped


def test_tables_and_curves_from_summary():
    rows = metric_rows(SUMMARY)
    assert [r["Métrique"] for r in rows] == ["Hit@5", "Fidélité", "zz_custom"]
    assert rows[0] == {"Métrique": "Hit@5", "Moyenne": 0.8, "IC bas": 0.7, "IC haut": 0.9, "Base naïve": 0.6}
    assert by_type_table(SUMMARY) == {"factuel": {"hit@5": 0.9}, "hors-sujet": {"hit@5": 0.1}}
    assert hit_curve(SUMMARY) == [(1, 0.5), (3, 0.7), (5, 0.8), (10, 0.9)]
    counts = histogram([0.2, 0.4, 1.2], bins=5)
    assert sum(c for _, c in counts) == 3 and counts[0][1] == 1 and counts[-1][1] == 1


def test_missing_or_odd_keys_are_tolerated():
    odd = {"metrics": {"hit@5": 0.5, "x": "n/a"}, "by_type": {"t": "oops"}, "hit_at_k": {"k": 1}}
    assert metric_rows(odd)[0]["Moyenne"] == 0.5
    assert by_type_table(odd) == {} and hit_curve(odd) == [] and histogram([]) == []
    assert metric_rows({}) == [] and by_type_table({}) == {} and hit_curve({}) == []


def test_latencies_fall_back_to_results(tmp_path):
    folder = write_report(tmp_path, "r", {"set": "s"}, rows=[{"latency": 0.5}, {"seconds": 1.5}, {}])
    report = latest_report(tmp_path)
    assert report is not None and report.folder == folder
    assert latencies(report) == [0.5, 1.5]


@pytest.fixture
def reports_env(tmp_path, monkeypatch):
    reports = tmp_path / "reports"
    monkeypatch.setenv("ASSISTANT_REPORTS_DIR", str(reports))
    return reports


def open_evaluation_page() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.switch_page("pages/evaluation.py")
    return at.run()


def test_page_without_report_says_how_to_make_one(reports_env):
    at = open_evaluation_page()
    assert not at.exception
    assert at.title[0].value == "Évaluation"
    assert "Aucun rapport" in at.info[0].value
    assert "assistant eval" in at.code[0].value


def test_page_shows_metrics_and_charts(reports_env):
    write_report(reports_env, "2025-05-01", SUMMARY, rows=[
        {"id": "q1", "type": "factuel", "question": "<b>Q</b>", "score": 1.0, "latency": 0.2},
    ])
    at = open_evaluation_page()
    assert not at.exception
    headers = [h.value for h in at.subheader]
    assert headers == ["Métriques", "Par type de question", "Courbe hit@k", "Latence par question",
                       "Résultats par question"]
    metrics = at.dataframe[0].value
    assert list(metrics["Métrique"]) == ["Hit@5", "Fidélité", "zz_custom"]
    assert [m.label for m in at.metric] == ["Latence p50", "Latence p95"]
    charts = at.get("vega_lite_chart")
    assert len(charts) == 3  # per-type bars, hit@k curve, latency histogram
    assert "gold" in at.caption[0].value
