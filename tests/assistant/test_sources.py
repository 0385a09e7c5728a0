"""Questions that name the document they ask about."""

from __future__ import annotations

from assistant.sources import document_words, find_source_mention, named_documents

DOCUMENTS = {
    doc_id: document_words(doc_id, title)
    for doc_id, title in [
        ("aec-partners-2020-ia-industries-de-sante", "L'intelligence artificielle dans les industries de santé"),
        ("dge-ia-au-service-de-la-sante-page", "L'intelligence artificielle au service de la santé"),
        ("healthcare-data-institute-donnees-ia-sante", "Jusqu'où les données peuvent-elles accompagner la transformation de la santé par l'IA ?"),
        ("kratz-hayot-ia-et-data-en-sante", "IA et Data en santé : des avancées à l'échelle européenne et internationale"),
    ]
}
HDI = "healthcare-data-institute-donnees-ia-sante"


def test_a_named_report_is_taken_out_of_the_searched_question():
    mention = find_source_mention(
        "Qu'est-ce que l'apprentissage fédéré, tel que décrit par le Healthcare Data Institute ?", DOCUMENTS
    )
    assert mention.question == "Qu'est-ce que l'apprentissage fédéré ?"
    assert mention.documents == (HDI,)


def test_the_report_s_owner_phrase_keeps_the_words_le_rapport():
    mention = find_source_mention(
        "Comment le rapport du Healthcare Data Institute définit-il l'intelligence artificielle ?", DOCUMENTS
    )
    assert mention.question == "Comment le rapport définit-il l'intelligence artificielle ?"
    assert mention.documents == (HDI,)


def test_english_and_leading_mentions_leave_a_well_formed_question():
    mention = find_source_mention(
        "According to the Healthcare Data Institute, what effect did the decentralisation of the NHS have?",
        DOCUMENTS,
    )
    assert mention.question == "What effect did the decentralisation of the NHS have?"


def test_two_named_reports_are_both_preferred():
    mention = find_source_mention(
        "Quels centres Google a-t-il ouverts à Paris, selon les rapports d'AEC Partners et du Healthcare Data Institute ?",
        DOCUMENTS,
    )
    assert mention.documents == ("aec-partners-2020-ia-industries-de-sante", HDI)
    assert mention.question == "Quels centres Google a-t-il ouverts à Paris ?"


def test_a_source_the_index_does_not_hold_stays_in_the_question():
    question = "Quel pourcentage des soignants utilise l'IA selon le baromètre PulseLife ?"
    mention = find_source_mention(question, DOCUMENTS)
    assert mention.question == question and mention.documents == ()


def test_words_most_documents_share_name_no_document():
    assert named_documents("l'IA", DOCUMENTS) == ()
    assert named_documents("la santé", DOCUMENTS) == ()
    assert named_documents("la DGE", DOCUMENTS) == ("dge-ia-au-service-de-la-sante-page",)
    assert find_source_mention("Que change l'IA selon la santé ?", DOCUMENTS).documents == ()


def test_a_question_that_is_only_a_source_is_searched_as_written():
    mention = find_source_mention("Selon la DGE ?", DOCUMENTS)
    assert mention.question == "Selon la DGE ?" and mention.documents == ()
