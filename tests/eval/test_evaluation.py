"""The evaluation suite end to end: the whole gold set, floors, and the report files."""

from __future__ import annotations

import json

import pytest

from eval.run import check_floors, evaluate, load_floors


@pytest.fixture(scope="module")
def run(bot, tmp_path_factory):
    return evaluate("gold", bot=bot, out=tmp_path_factory.mktemp("reports"))


def test_headline_metrics_stay_above_their_recorded_floors(run):
    assert check_floors(run.summary, load_floors()) == []


def test_every_question_is_scored_and_reported(run):
    assert run.summary["n"] == len(run.rows) >= 150
    assert {"report.html", "report.md", "summary.json", "results.jsonl"} <= {p.name for p in run.folder.iterdir()}
    summary = json.loads((run.folder / "summary.json").read_text(encoding="utf-8"))
    for metric in ("hit@5", "mrr@10", "ndcg@10", "faithfulness", "citation_precision",
                   "key_fact_recall", "abstention_recall", "false_abstention_rate"):
        figures = summary["metrics"][metric]
        assert figures["low"] <= figures["mean"] <= figures["high"]
    html = (run.folder / "report.html").read_text(encoding="utf-8")
    assert "<svg" in html and "Par type de question" in html and "<script" not in html


def test_answered_questions_cite_passages_and_abstentions_do_not(run):
    for row in run.rows:
        if row["abstained"]:
            assert row["citations"] == []
        else:
            assert row["citations"] and "[1]" in row["answer"]
