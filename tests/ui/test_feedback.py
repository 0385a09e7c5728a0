"""Ratings stored as JSON Lines (`ui/feedback.py`)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from assistant.models import Answer, Citation, ScoredPassage
from ui.feedback import append_feedback, feedback_record, latest_ratings, read_feedback

ROOT = Path(__file__).resolve().parents[2]


def sample_answer(question: str = "Quels freins ?") -> Answer:
    citation = Citation(
        number=1, doc_id="kratz-hayot-ia-et-data-en-sante", title="IA et Data en santé",
        section="Introduction", page=3, quote="Les données sont dispersées.",
        passage="Contexte. Les données sont dispersées. Suite.", start=10, end=38, score=0.03,
        chunk_id="c1", highlights=[(10, 38)],
    )
    return Answer(question=question, text="Les données sont dispersées. [1]", abstained=False,
                  citations=[citation], index_version="v1", confidence=0.9)


def test_record_holds_question_answer_citations_and_rating():
    record = feedback_record(sample_answer(), 1, answer_id="a1", documents=["d"], k=5)
    assert record["rating"] == "up" and record["score"] == 1
    assert record["question"] == "Quels freins ?"
    assert record["answer"] == "Les données sont dispersées. [1]"
    assert record["citations"] == [{
        "number": 1, "doc_id": "kratz-hayot-ia-et-data-en-sante", "title": "IA et Data en santé",
        "section": "Introduction", "page": 3, "quote": "Les données sont dispersées.", "chunk_id": "c1",
    }]
    assert datetime.fromisoformat(record["timestamp"]).tzinfo is not None
    assert feedback_record(sample_answer(), 0)["rating"] == "down"
    with pytest.raises(ValueError):
        feedback_record(sample_answer(), 3)


def test_abstention_record_keeps_closest_passages():
    passage = ScoredPassage(chunk_id="c9", doc_id="d", title="T", section="S", page=None,
                            text="x", score=0.1, start=0, end=1)
    answer = Answer(question="Capitale ?", text="Les rapports ne répondent pas…", abstained=True,
                    see_also=[passage])
    record = feedback_record(answer, 0)
    assert record["abstained"] is True and record["citations"] == []
    assert record["see_also"] == [{"doc_id": "d", "section": "S", "page": None, "chunk_id": "c9"}]


def test_append_then_read_round_trip(tmp_path):
    path = tmp_path / "sub" / "feedback.jsonl"
    assert read_feedback(path) == []
    first = feedback_record(sample_answer("Q1"), 1, answer_id="a1")
    second = feedback_record(sample_answer("Q2 « guillemets » é"), 0, answer_id="a2")
    append_feedback(path, first)
    append_feedback(path, second)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and json.loads(lines[1])["question"] == "Q2 « guillemets » é"
    assert read_feedback(path) == [first, second]


def test_torn_last_line_is_repaired_and_skipped(tmp_path):
    path = tmp_path / "feedback.jsonl"
    path.write_text('{"rating": "up", "answer_id": "a0"}\n{"rating": "do', encoding="utf-8")  # crash mid-write
    append_feedback(path, {"rating": "down", "answer_id": "a1"})
    records = read_feedback(path)
    assert [r["answer_id"] for r in records] == ["a0", "a1"]


def test_latest_rating_per_answer_wins():
    records = [
        {"answer_id": "a1", "rating": "up"},
        {"answer_id": "a2", "rating": "down"},
        {"answer_id": "a1", "rating": "down"},
        {"rating": "up"},
    ]
    assert latest_ratings(records) == [
        {"answer_id": "a2", "rating": "down"},
        {"answer_id": "a1", "rating": "down"},
        {"rating": "up"},
    ]


WRITER = """
import sys
from pathlib import Path
from ui.feedback import append_feedback
path, worker, count = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
for i in range(count):
    append_feedback(path, {"worker": worker, "i": i, "padding": "é" * 5000})
"""


def test_concurrent_writers_never_interleave_lines(tmp_path):
    path = tmp_path / "feedback.jsonl"
    workers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(worker), "25"], cwd=ROOT)
        for worker in range(3)
    ]
    for process in workers:
        assert process.wait(timeout=120) == 0
    records = read_feedback(path)
    assert len(records) == 75
    assert len(path.read_text(encoding="utf-8").splitlines()) == 75
    for worker in range(3):
        assert [r["i"] for r in records if r["worker"] == worker] == list(range(25))
