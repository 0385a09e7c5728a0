"""The gold set is sound: quotes verbatim in their files, ids unique, types covered,
short answers verbatim in their evidence, compound questions well formed."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from assistant.settings import BUNDLED_CORPUS
from eval.dataset import QUESTION_TYPES, GoldQuestion, dataset_path, load_questions

QUESTIONS = load_questions("gold")
COMPOUND = [q for q in QUESTIONS if q.type == "compound"]
KEYS = {"id", "question", "reference_answer", "short_answer", "documents", "evidence", "parts",
        "type", "answerable", "language", "history", "split", "notes"}
PART_KEYS = {"question", "answerable", "reference_answer", "evidence", "short_answer"}
# Markup of the raw files that the cleaned text (what the assistant quotes) drops.
MARKUP = re.compile(r"[*\\^<>]")


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _quotes(evidence) -> set[tuple[str, str]]:
    return {(e.document, _collapse(e.quote)) for e in evidence}


def _all_evidence(q: GoldQuestion):
    return list(q.evidence) + [e for part in q.parts for e in part.evidence]


@pytest.fixture(scope="module")
def corpus_texts() -> dict[str, str]:
    return {p.stem: _collapse(p.read_text(encoding="utf-8")) for p in BUNDLED_CORPUS.glob("*.txt")}


def test_at_least_100_questions_and_15_unanswerable():
    assert len(QUESTIONS) >= 100
    assert sum(not q.answerable for q in QUESTIONS) >= 15


def test_ids_are_unique():
    ids = [q.id for q in QUESTIONS]
    assert len(ids) == len(set(ids))


def test_question_texts_are_unique():
    """The same question in both splits would put a held-out question in the tuning set."""
    texts = Counter(_collapse(q.question).lower() for q in QUESTIONS)
    assert [t for t, n in texts.items() if n > 1] == []


def test_every_line_has_exactly_the_documented_keys():
    for line in dataset_path("gold").read_text(encoding="utf-8").splitlines():
        data = json.loads(line)
        assert set(data) == KEYS, data["id"]
        for part in data["parts"]:
            assert set(part) == PART_KEYS, data["id"]
            assert all(set(e) == {"document", "quote"} for e in part["evidence"]), data["id"]


def test_loading_is_backward_compatible_without_the_new_keys():
    old = {"id": "x", "question": "Q ?", "type": "factual", "answerable": False}
    q = GoldQuestion.from_dict(old)
    assert q.short_answer == () and q.parts == () and not q.is_compound and not q.asks_short_fact


def test_every_quote_is_verbatim_in_its_file(corpus_texts):
    missing = [
        (q.id, e.quote[:60])
        for q in QUESTIONS
        for e in _all_evidence(q)
        if _collapse(e.quote) not in corpus_texts[e.document]
    ]
    assert missing == []


def test_every_quote_is_held_by_the_cleaned_text_the_index_sees():
    """A quote the cleaning drops (a bibliography, a web menu, a dropped footnote line) can
    never be retrieved or cited, so it would make a question unanswerable by construction."""
    from ingest.pipeline import load_and_clean
    from eval.matching import passage_holds_quote

    cleaned = {p.stem: load_and_clean(p).text for p in BUNDLED_CORPUS.glob("*.txt")}
    missing = [
        (q.id, e.quote[:60])
        for q in QUESTIONS
        for e in _all_evidence(q)
        if not passage_holds_quote(cleaned[e.document], e.quote)
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
        assert q.language in ("fr", "en"), q.id
        if q.type == "english":
            assert q.language == "en", q.id


def test_every_type_and_every_document_is_covered(corpus_texts):
    types = Counter(q.type for q in QUESTIONS)
    assert all(types[t] >= 4 for t in QUESTION_TYPES), types
    documents = Counter(d for q in QUESTIONS for d in q.documents)
    assert set(corpus_texts) <= set(documents)


def test_unanswerable_questions_and_parts_record_how_they_were_checked():
    for q in QUESTIONS:
        if not q.answerable or any(not part.answerable for part in q.parts):
            assert "grep" in q.notes.lower() or "search" in q.notes.lower(), q.id


# ------------------------------------------------------------ short answers


def test_short_answers_are_verbatim_in_an_evidence_quote_and_free_of_markup():
    for q in QUESTIONS:
        spans = [(q.short_answer, q.evidence)] + [(p.short_answer, p.evidence) for p in q.parts]
        for short_answer, evidence in spans:
            quotes = [_collapse(e.quote) for e in evidence]
            for span in short_answer:
                assert span.strip() == span and span, (q.id, span)
                assert any(_collapse(span) in quote for quote in quotes), (q.id, span)
                assert not MARKUP.search(span), (q.id, span)


def test_short_answers_belong_to_answerable_questions_only():
    for q in QUESTIONS:
        if not q.answerable:
            assert q.short_answer == (), q.id
        for part in q.parts:
            if not part.answerable:
                assert part.short_answer == (), q.id


def test_each_split_has_short_fact_questions_in_french_and_english():
    for split, minimum in (("dev", 100), ("test", 70)):
        asked = [q for q in QUESTIONS if q.split == split and q.asks_short_fact]
        assert len(asked) >= minimum, split
        assert sum(q.language == "en" for q in asked) >= 10, split
        assert sum(q.type == "factual" for q in asked) >= 30, split


def test_each_split_has_the_question_kinds_the_answers_are_measured_on():
    """English and list/overview questions in both splits, enough dev ones to fit on."""
    for split, english, lists in (("dev", 30, 25), ("test", 15, 15)):
        questions = [q for q in QUESTIONS if q.split == split]
        assert sum(q.type == "english" for q in questions) >= english, split
        assert sum(q.type == "list" for q in questions) >= lists, split


# --------------------------------------------------------- compound questions


def test_compound_questions_and_only_they_have_parts():
    for q in QUESTIONS:
        assert (q.type == "compound") == bool(q.parts), q.id
        if q.parts:
            assert len(q.parts) >= 2, q.id
            assert q.history == (), q.id


def test_parts_are_well_formed(corpus_texts):
    for q in COMPOUND:
        for part in q.parts:
            assert part.question.strip().endswith("?"), (q.id, part.question)
            assert _collapse(part.question) != _collapse(q.question), q.id
            if part.answerable:
                assert part.evidence and part.reference_answer.strip(), (q.id, part.question)
                assert {e.document for e in part.evidence} <= set(q.documents), q.id
            else:
                assert not part.evidence and not part.reference_answer, (q.id, part.question)


def test_a_compound_question_is_the_union_of_its_parts():
    for q in COMPOUND:
        assert q.answerable == any(part.answerable for part in q.parts), q.id
        assert _quotes(q.evidence) == set().union(*(_quotes(p.evidence) for p in q.parts)), q.id
        assert len(q.evidence) == len(_quotes(q.evidence)), q.id
        assert list(q.short_answer) == [s for p in q.parts for s in p.short_answer], q.id


def test_a_compound_reference_answer_names_the_parts_not_covered():
    for q in COMPOUND:
        if any(not part.answerable for part in q.parts):
            text = q.reference_answer.lower()
            assert "ne précise" in text or "ne disent pas" in text or "ne donnent pas" in text, q.id


def test_compound_counts_per_split():
    for split, minimum, mixed in (("dev", 40, 15), ("test", 15, 5)):
        questions = [q for q in COMPOUND if q.split == split]
        assert len(questions) >= minimum, split
        partial = [q for q in questions if not all(p.answerable for p in q.parts)]
        assert len(partial) >= mixed and len(questions) - len(partial) >= mixed, split
        assert sum(q.language == "en" for q in questions) >= 3, split
        assert sum(len({e.document for e in q.evidence}) > 1 for q in questions) >= 2, split


def test_new_batches_keep_their_split():
    for q in QUESTIONS:
        if q.id.startswith("e-"):
            assert q.split == "dev", q.id
        if q.id.startswith("t-"):
            assert q.split == "test", q.id
