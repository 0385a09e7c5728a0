"""Cited prose: a marker on every sentence, one number per passage across parts, unanswered parts named."""

from __future__ import annotations

from assistant.answer import CitedAnswerBuilder, compose_answer, unanswered_part_text
from assistant.models import ScoredPassage
from assistant.rerank import ScoredSentence
from assistant.select import AnswerUnit


def passage(text: str, chunk_id: str) -> ScoredPassage:
    return ScoredPassage(chunk_id, "doc", "Titre", "Section", None, text, 1.0, 0, len(text))


def unit(text: str, start: int, end: int, index: int = 0) -> AnswerUnit:
    sentence = ScoredSentence(index, start, end, text[start:end], 1.0, 0.9, 0.5, False)
    return AnswerUnit(sentence, [(start, end)])


def test_every_quoted_sentence_gets_its_marker_and_list_numbers_are_not_sentences():
    text = "Les enjeux sont :\n1. Décloisonner les données.\n2. Renforcer l'usage."
    answer, citations = compose_answer([passage(text, "c1")], [unit(text, 0, len(text))])
    assert answer == "Les enjeux sont : [1] 1. Décloisonner les données. [1] 2. Renforcer l'usage. [1]"
    assert citations[0].quote == text and citations[0].highlights == [(0, len(text))]


def test_a_passage_quoted_by_two_parts_keeps_one_number():
    first = passage("Le DMP compte 8 millions de dossiers. Il a été lancé en novembre 2018.", "c1")
    other = passage("Le DMP est géré par l'Assurance Maladie depuis 2016.", "c2")
    builder = CitedAnswerBuilder()
    a = builder.add_part([first], [unit(first.text, 0, 37)])
    b = builder.add_part([other, first], [unit(other.text, 0, len(other.text), 0),
                                          unit(first.text, 38, len(first.text), 1)])
    assert a.text == "Le DMP compte 8 millions de dossiers. [1]"
    assert b.text == "Le DMP est géré par l'Assurance Maladie depuis 2016. [2] Il a été lancé en novembre 2018. [1]"
    citations = builder.citations()
    assert [c.number for c in citations] == [1, 2]
    assert citations[0].highlights == [(0, len(first.text))]  # adjacent spans merge


def test_an_unanswered_part_is_named_in_french():
    assert unanswered_part_text("Qui le dirige ?") == "Les rapports ne précisent pas : « Qui le dirige ? »"
