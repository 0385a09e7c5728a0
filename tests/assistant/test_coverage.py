"""Coverage checks of the gate: content terms, uncovered constraints, ablation."""

from __future__ import annotations

import numpy as np

from assistant.coverage import (
    answer_kind_missing,
    constraint_ablation,
    content_terms,
    coverage_signals,
    unmentioned_words,
    without_term,
)
from assistant.language import profile_question
from assistant.models import ScoredPassage
from assistant.rerank import ScoredSentence, TermStats
from index.lexical import analyze

CHUNKS = [
    "La radiologie compte 531 algorithmes approuvés par la FDA à la fin de l'année 2023.",
    "Le budget du Health Data Hub est de 9,7 M€ en 2020.",
    "La cardiologie reste en retrait dans l'adoption de l'IA.",
    "Le campus réunit des acteurs publics et privés de la santé numérique.",
] + [f"Un passage ordinaire numéro {i} sur la santé, l'IA et les données." for i in range(40)] + [
    f"Les algorithmes approuvés par la FDA, passage {i}." for i in range(3)
]
STATS = TermStats(CHUNKS, analyze)


def _passage(text: str) -> ScoredPassage:
    return ScoredPassage("c", "doc", "Titre", "Section", None, text, 1.0, 0, len(text))


def _sentence(text: str, passage_index: int = 0) -> ScoredSentence:
    return ScoredSentence(passage_index, 0, len(text), text, 1.0, 0.9, 0.5, True)


def test_content_terms_drop_question_words_report_words_and_inverted_verbs():
    terms = content_terms("Combien d'algorithmes la FDA a-t-elle approuvés selon le rapport ?")
    assert terms == set(analyze("algorithmes FDA approuvés"))
    assert not any(t.endswith("-il") for t in content_terms("Que prévoit-il pour 2025 ?"))


def test_numbers_missing_from_the_sentence_but_in_its_passage_weigh_half():
    question = "Quel budget pour le Health Data Hub en 2020 ?"
    passage = _passage(CHUNKS[1] + " Il finance la plateforme.")
    found = coverage_signals(STATS, question, profile_question(question), [passage],
                             [_sentence("Il finance la plateforme.")])
    assert found.missing_numbers == 0.5
    other_year = "Quel budget pour le Health Data Hub en 2023 ?"
    missing = coverage_signals(STATS, other_year, profile_question(other_year), [passage],
                               [_sentence(CHUNKS[1])])
    assert missing.missing_numbers == 1.0


def test_a_quantity_question_answered_without_any_figure_is_flagged():
    question = "Quel est le montant du financement du campus ?"
    profile = profile_question(question)
    assert answer_kind_missing(profile, question, CHUNKS[3])
    assert not answer_kind_missing(profile, question, CHUNKS[1])


def test_the_rarest_question_term_must_be_in_the_answer_passage():
    question = "Combien d'algorithmes en cardiologie la FDA a-t-elle approuvés ?"
    signals = coverage_signals(STATS, question, profile_question(question), [_passage(CHUNKS[0])],
                               [_sentence(CHUNKS[0])])
    assert signals.rare_term_missing
    fine = coverage_signals(STATS, "Combien d'algorithmes en radiologie la FDA a-t-elle approuvés ?",
                            profile_question("en radiologie"), [_passage(CHUNKS[0])], [_sentence(CHUNKS[0])])
    assert not fine.rare_term_missing


def test_without_term_removes_every_word_of_that_term():
    assert without_term("Combien d'algorithmes en cardiologie ?", "cardiolog") == "Combien d'algorithmes en ?"


def test_constraint_ablation_is_the_cosine_gain_of_the_best_variant():
    sentence_vector = np.array([1.0, 0.0])
    query_vector = np.array([0.6, 0.8])

    def embed_queries(texts: list[str]) -> np.ndarray:
        # Dropping « cardiologie » turns the question towards the sentence.
        return np.array([[0.9, 0.436] if "cardiologie" not in t else [0.6, 0.8] for t in texts])

    gain = constraint_ablation(STATS, "Combien d'algorithmes en cardiologie ?", CHUNKS[0],
                               sentence_vector, query_vector, embed_queries)
    assert abs(gain - 0.3) < 1e-6
    # Nothing to drop when the sentence holds every rare question term.
    assert constraint_ablation(STATS, "Combien d'algorithmes ?", CHUNKS[0], sentence_vector,
                               query_vector, embed_queries) == 0.0


def test_unmentioned_words_name_the_distinctive_words_the_quotes_lack():
    question = "Combien d'algorithmes d'IA en cardiologie la FDA avait-elle approuvés ?"
    assert unmentioned_words(STATS, question, [CHUNKS[0]]) == ["cardiologie"]
    assert unmentioned_words(STATS, question, [CHUNKS[0], CHUNKS[2]]) == []
