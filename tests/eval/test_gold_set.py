"""The gold set is sound: quotes verbatim in their files, ids unique, types covered."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from assistant.settings import BUNDLED_CORPUS
from eval.dataset import QUESTION_TYPES, dataset_path, load_questions

QUESTIONS = load_questions("gold")


def _collapse(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def corpus_texts() -> dict[str, str]:
    return {p.stem: _collapse(p.read_text(encoding="utf-8")) for p in BUNDLED_CORPUS.glob("*.txt")}


def test_at_least_100_questions_and_15_unanswerable():
    assert len(QUESTIONS) >= 100
    assert sum(not q.answerable for q in QUESTIONS) >= 15


def test_ids_are_unique():
    ids = [q.id for q in QUESTIONS]
    assert len(ids) == len(set(ids))


def test_every_line_has_exactly_the_documented_keys():
    keys = {"id", "question", "reference_answer", "documents", "evidence", "type",
            "answerable", "language", "history", "split", "notes"}
    for line in dataset_path("gold").read_text(encoding="utf-8").splitlines():
        assert set(json.loads(line)) == keys


def test_every_quote_is_verbatim_in_its_file(corpus_texts):
    missing = [
        (q.id, e.quote[:60])
        for q in QUESTIONS
        for e in q.evidence
        if _collapse(e.quote) not in corpus_texts[e.document]
    ]
    assert missing == []


def test_types_and_answerability_are_consistent():
    for q in QUESTIONS:
        assert q.type in QUESTION_TYPES, q.id
        assert q.answerable == (q.type != "unanswerable"), q.id
        assert bool(q.evidence) == q.answerable, q.id
        assert set(e.document for e in q.evidence) <= set(q.documents) or not q.answerable
        if q.type == "follow_up":
            assert q.history, q.id
        assert q.split in ("dev", "test")


def test_every_type_and_every_document_is_covered(corpus_texts):
    types = Counter(q.type for q in QUESTIONS)
    assert all(types[t] >= 4 for t in QUESTION_TYPES), types
    documents = Counter(d for q in QUESTIONS for d in q.documents)
    assert set(corpus_texts) <= set(documents)


def test_unanswerable_questions_record_how_they_were_checked():
    for q in QUESTIONS:
        if not q.answerable:
            assert "grep" in q.notes.lower() or "search" in q.notes.lower(), q.id
