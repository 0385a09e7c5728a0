"""The evaluation suite end to end on the held-out test split: CI's floors, and the report files.

The gate is fitted on the dev split, so only the test split's figures are
gated, through their interval bounds (`eval/floors.json`). The last test
breaks the gate on purpose and shows that the floors then fail.
"""

from __future__ import annotations

import copy
import json

import pytest

from assistant.gate import AbstentionGate
from eval.dataset import load_questions
from eval.run import RETRIEVAL_DEPTH, check_floors, evaluate, load_floors, run_questions, summarise

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def run(bot, tmp_path_factory):
    return evaluate("gold", bot=bot, split=load_floors().split, out=tmp_path_factory.mktemp("reports"))


def test_the_test_splits_interval_bounds_hold_the_committed_floors(run):
    assert run.summary["split"] == "test"
    assert check_floors(run.summary, load_floors()) == []
    assert all(line["holds"] for line in run.summary["floors"]["status"])


def test_every_test_question_is_scored_and_reported(run):
    assert run.summary["n"] == len(run.rows) == len(load_questions("gold", split="test"))
    assert {row["split"] for row in run.rows} == {"test"}
    assert {"report.html", "report.md", "summary.json", "results.jsonl"} <= {p.name for p in run.folder.iterdir()}
    summary = json.loads((run.folder / "summary.json").read_text(encoding="utf-8"))
    for metric in ("hit@1", "hit@5", "mrr@10", "ndcg@10", "faithfulness", "citation_precision",
                   "key_fact_recall", "abstention_precision", "abstention_recall", "false_abstention_rate"):
        figures = summary["metrics"][metric]
        assert figures["low"] <= figures["mean"] <= figures["high"]
        assert figures["method"] in ("wilson", "bca", "wilson-degenerate")
    html = (run.folder / "report.html").read_text(encoding="utf-8")
    assert "<svg" in html and 'class="whisker"' in html and "Par type de question" in html
    assert "<script" not in html


def test_answered_questions_cite_passages_and_abstentions_do_not(run):
    for row in run.rows:
        if row["abstained"]:
            assert row["citations"] == []
        else:
            assert row["citations"] and "[1]" in row["answer"]


def test_a_gate_declining_more_answerable_questions_fails_the_floors(bot, run):
    """Mutation: the same assistant with its gate's threshold raised so that it
    declines a third of the answerable test questions it answered; CI must fail
    on the false-abstention ceiling."""
    answered = sorted(row["confidence"] for row in run.rows if row["answerable"] and not row["abstained"])
    strict = copy.copy(bot)
    strict.gate = AbstentionGate({**bot.gate.calibration, "threshold": answered[len(answered) // 3]})
    answerable = [q for q in load_questions("gold", split="test") if q.answerable]
    rows = run_questions(
        answerable,
        lambda q: strict.ask_with_passages(q.question, history=list(q.history), k=RETRIEVAL_DEPTH),
        "stricter gate",
    )
    failures = check_floors(summarise(rows) | {"split": "test"}, load_floors())
    assert any(f.startswith("false_abstention_rate: upper bound") for f in failures), failures
    assert bot.gate.calibration["threshold"] < strict.gate.calibration["threshold"]  # the session bot untouched
