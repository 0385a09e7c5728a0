"""Compound questions split into their parts; lists of things asked about stay one question."""

from __future__ import annotations

import pytest

from assistant.parts import question_parts, split_question


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        ("Combien de dossiers le DMP a-t-il atteints, et quand a-t-il été lancé ?",
         ["Combien de dossiers le DMP a-t-il atteints ?", "Quand a-t-il été lancé ?"]),
        ("Quelle part des emplois l'OCDE juge-t-elle automatisables ? Et quelle part pour la France ?",
         ["Quelle part des emplois l'OCDE juge-t-elle automatisables ?", "Et quelle part pour la France ?"]),
        ("D'une part, en quelle année le DMP a-t-il été lancé ; d'autre part, qui l'a repris ?",
         ["En quelle année le DMP a-t-il été lancé ?", "Qui l'a repris ?"]),
        ("Qui a lancé AI Factory for Health, quand, et dans quel but ?",
         ["Qui a lancé AI Factory for Health ?", "Quand ?", "Dans quel but ?"]),
        ("Where is Biofourmis based, and which patients does its solution follow?",
         ["Where is Biofourmis based ?", "Which patients does its solution follow?"]),
    ],
)
def test_compound_questions_are_split(question, parts):
    assert split_question(question) == parts


@pytest.mark.parametrize(
    "question",
    [
        "Quels sont les freins, les leviers et les risques de l'IA en santé ?",
        "Selon l'OCDE, à combien pourrait s'élever le marché mondial de l'IA en santé ?",
        "According to the DGE, what could AI predict in the care of obesity?",
        "Pour quelle entreprise travaillent Corinne Brocard et Marie-Laure Dugarin, que remercie AEC Partners ?",
        "Quel est le rôle du Health Data Hub, qui réunit les données du SNDS ?",
    ],
)
def test_a_single_question_stays_whole(question):
    assert split_question(question) == [question]


def test_a_part_that_leans_on_the_first_is_searched_with_it():
    first, second = question_parts("Quand IBM a-t-il inauguré son centre de Saclay, et qui le dirige ?")
    assert first.searched == first.text and first.focus is None
    assert second.text == "Qui le dirige ?"
    assert "IBM" in second.searched and second.focus == "Qui le dirige ?"
