"""The kept-conversation store (SQLite) and its Markdown / JSON exports."""

from __future__ import annotations

import json
import sqlite3
import time

import pytest

from assistant.models import Answer, Citation, ScoredPassage, Source
from ui.conversations import TITLE_CHARS, ConversationStore, conversation_title, to_json, to_markdown


def make_answer(question: str = "Quel budget pour le Health Data Hub ?") -> Answer:
    citation = Citation(
        number=1, doc_id="aec", title="Rapport AEC", section="Budget", page=12,
        quote="Le budget était de 9,7 M€.", passage="Intro. Le budget était de 9,7 M€.",
        start=7, end=33, score=0.8, chunk_id="c1", highlights=[(7, 33)],
        also_in=[Source("dge", "DGE", "Extraits", None, "c9")],
    )
    return Answer(question=question, text="Le budget était de 9,7 M€. [1]", abstained=False,
                  citations=[citation], confidence=0.91, notes=["une note"], index_version="v1")


def make_abstention() -> Answer:
    passage = ScoredPassage("c2", "kratz", "Kratz", "Intro", None, "Un passage.", 0.2, 0, 11,
                            sources=[Source("kratz", "Kratz", "Intro", None, "c2")])
    return Answer(question="Capitale ?", text="Les rapports ne répondent pas.", abstained=True,
                  see_also=[passage], confidence=None)


@pytest.fixture
def store(tmp_path) -> ConversationStore:
    return ConversationStore(tmp_path / "deep" / "conversations.sqlite3")


def test_a_conversation_comes_back_with_its_answers_and_citations(store):
    answer, abstention = make_answer(), make_abstention()
    conversation = store.create(answer.question)
    store.add_turn(conversation, answer.question, answer, answer_id="a1", documents=["aec"], k=5)
    store.add_turn(conversation, "Capitale ?", abstention, answer_id="a2")

    turns = ConversationStore(store.path).turns(conversation)  # a fresh store: read from disk

    assert [t.question for t in turns] == [answer.question, "Capitale ?"]
    assert turns[0].answer == answer  # citations, highlights, also_in, notes, confidence
    assert turns[1].answer == abstention  # see_also passages and a None confidence
    assert (turns[0].documents, turns[0].k, turns[0].answer_id) == (["aec"], 5, "a1")
    assert (turns[1].documents, turns[1].k) == (None, None)


def test_conversations_are_listed_latest_first_with_their_turn_counts(store):
    assert store.conversations() == [] and not store.path.exists()
    first = store.create("Première question")
    store.add_turn(first, "Première question", make_answer(), answer_id="a1")
    time.sleep(1.1)  # timestamps have one-second resolution
    second = store.create("Seconde question")
    listed = store.conversations()
    assert [c.id for c in listed] == [second, first]
    assert [c.turns for c in listed] == [0, 1]
    assert listed[1].title == "Première question"


def test_clear_deletes_every_conversation_and_delete_one(store):
    ids = [store.create(f"Question {n}") for n in range(3)]
    store.add_turn(ids[0], "Question 0", make_answer(), answer_id="a1")
    store.delete(ids[1])
    assert {c.id for c in store.conversations()} == {ids[0], ids[2]}
    assert store.clear() == 2
    assert store.conversations() == [] and store.turns(ids[0]) == []


def test_a_long_first_question_makes_a_one_line_title():
    title = conversation_title("Quel   budget\npour " + "le Health Data Hub " * 10)
    assert len(title) == TITLE_CHARS and title.endswith("…") and "\n" not in title and "  " not in title


def test_markdown_export_has_each_question_answer_and_numbered_source(store):
    conversation = store.create("Budget")
    store.add_turn(conversation, "Quel budget ?", make_answer(), answer_id="a1")
    text = to_markdown("Budget", store.turns(conversation))
    assert text.startswith("# Budget\n")
    assert "## Quel budget ?" in text and "Le budget était de 9,7 M€. [1]" in text
    assert "1. Rapport AEC — Budget — p. 12 : « Le budget était de 9,7 M€. »" in text
    assert "> Note : une note" in text


def test_json_export_keeps_the_whole_answers(store):
    conversation = store.create("Budget")
    store.add_turn(conversation, "Quel budget ?", make_answer(), answer_id="a1", k=4)
    data = json.loads(to_json("Budget", store.turns(conversation)))
    assert data["title"] == "Budget" and len(data["turns"]) == 1
    turn = data["turns"][0]
    assert turn["k"] == 4 and turn["answer"]["citations"][0]["quote"] == "Le budget était de 9,7 M€."
    assert turn["answer"]["citations"][0]["page"] == 12


def test_a_damaged_file_raises_a_sqlite_error_the_page_can_report(tmp_path):
    path = tmp_path / "conversations.sqlite3"
    path.write_bytes(b"not a database" * 100)
    with pytest.raises(sqlite3.DatabaseError):
        ConversationStore(path).conversations()
