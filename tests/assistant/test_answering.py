"""The responder's short answer: taken from the cited sentence that holds the asked fact."""

from __future__ import annotations

from types import SimpleNamespace

from assistant.answer import CitedAnswerBuilder
from assistant.answering import Responder
from assistant.models import ScoredPassage
from assistant.parts import QuestionPart
from assistant.rerank import ScoredSentence
from assistant.select import AnswerUnit


def quoted(text: str, chunk_id: str, index: int) -> tuple[AnswerUnit, ScoredPassage]:
    passage = ScoredPassage(chunk_id, "doc", "Titre", "Section", None, text, 1.0, 0, len(text))
    sentence = ScoredSentence(index, 0, len(text), text, 1.0, 0.9, 0.5, False)
    return AnswerUnit(sentence, [(0, len(text))]), passage


def part_result(question: str, kind: str | None) -> SimpleNamespace:
    return SimpleNamespace(part=QuestionPart(question, question, None),
                           evidence=SimpleNamespace(profile=SimpleNamespace(answer_kind=kind)))


def test_the_short_answer_comes_from_the_first_cited_sentence_holding_the_asked_figure():
    question = "Combien d'heures de travail clinique les scribes automatisés libèrent-ils ?"
    units = [quoted("Les scribes automatisés transforment les conversations en notes.", "c1", 0),
             quoted("Nabla compte 120 employés.", "c2", 1),
             quoted("Ils libèrent environ 16 heures de travail clinique par semaine.", "c3", 2)]
    builder = CitedAnswerBuilder()
    for _, passage in units:
        builder.number_of(passage)
    short = Responder._short(part_result(question, "quantity"), units, builder, set())
    assert short is not None and short.text == "environ 16 heures" and short.citation == 3


def test_a_figure_of_another_unit_answers_when_no_cited_sentence_holds_the_asked_one():
    question = "Combien de chercheurs travaillent à Saclay ?"
    units = [quoted("Le centre de Saclay a été inauguré en avril 2019.", "c1", 0),
             quoted("200 personnes avaient été recrutées à Saclay.", "c2", 1)]
    builder = CitedAnswerBuilder()
    for _, passage in units:
        builder.number_of(passage)
    taken: set[str] = set()
    short = Responder._short(part_result(question, "quantity"), units, builder, taken)
    assert short is not None and short.text == "200 personnes" and short.citation == 2
    assert taken == {"200 personnes"}  # a later part will not give it again
    assert Responder._short(part_result(question, None), units, builder, set()) is None
