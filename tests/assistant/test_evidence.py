"""Evidence for the gate, computed on the tiny corpus with the keyword embedder (no model)."""

from __future__ import annotations

import math

import pytest

from assistant.errors import QuestionError
from assistant.evidence import clean_question


def evidence(bot, question: str):
    return bot.gather_evidence(question)


def test_a_year_the_corpus_never_gives_is_a_missing_number(tiny_bot):
    present = evidence(tiny_bot, "Quel était le budget du Health Data Hub en 2020 ?")
    absent = evidence(tiny_bot, "Quel était le budget du Health Data Hub en 2023 ?")
    assert present.features.missing_numbers == 0.0
    assert absent.features.missing_numbers == 1.0
    assert present.passages[0].doc_id == "rapport"
    assert present.sentences[0].text.startswith("Le budget du Health Data Hub était de 9,7 millions")


def test_a_name_the_index_never_mentions_is_counted(tiny_bot):
    known = evidence(tiny_bot, "Que finance le Health Data Hub ?")
    unknown = evidence(tiny_bot, "Que finance Doctolib pour la plateforme ?")
    assert known.features.unknown_names == 0.0 and unknown.features.unknown_names == 1.0
    decision = tiny_bot.gate.decide(unknown.features)
    assert not decision.answerable  # the unknown-name veto, whatever the model's probability
    assert "nom cité dans la question absent des rapports" in decision.reasons


def test_features_are_finite_except_specificity_under_another_model(tiny_bot):
    features = evidence(tiny_bot, "Quel est le coût des robots chirurgicaux ?").features
    values = dict(vars(features))
    assert math.isnan(values.pop("sentence_specificity"))  # the centroid is e5's, not the fake's
    assert all(math.isfinite(v) for v in values.values())


def test_the_evidence_names_the_index_version_it_was_read_from(tiny_bot):
    assert evidence(tiny_bot, "robots chirurgicaux").version == tiny_bot.snapshot.version


@pytest.mark.parametrize(
    ("question", "message"),
    [("   ", "vide"), ("?!…", "ni mot ni chiffre"), (42, "doit être un texte")],
)
def test_questions_that_cannot_be_asked_get_a_french_error(question, message):
    with pytest.raises(QuestionError, match=message):
        clean_question(question, 2000)


def test_long_questions_are_truncated_with_a_note():
    text, notes = clean_question("budget " * 500, 100)
    assert len(text) <= 100 and notes and "tronquée" in notes[0]


def test_a_compound_question_answers_each_part_or_names_it(tiny_bot):
    answer = tiny_bot.ask("Quel était le budget du Health Data Hub en 2020, et combien coûtent les robots "
                          "chirurgicaux des hôpitaux ?")
    assert [p.question for p in answer.parts] == [
        "Quel était le budget du Health Data Hub en 2020 ?",
        "Combien coûtent les robots chirurgicaux des hôpitaux ?",
    ]
    for part in answer.parts:  # each part is either quoted with citations or named as not covered
        assert (part.answered and part.citations and "[" in part.text) or (
            not part.answered and part.text.startswith("Les rapports ne précisent pas"))
    assert answer.abstained == (not any(p.answered for p in answer.parts))
