"""French sentence splitting: spans and the tricky cases."""

from __future__ import annotations

import pytest

from ingest.sentences import sentences, split_sentences


@pytest.mark.parametrize(
    "text, expected",
    [
        ("M. Dupont et Mme Durand sont là. Le Pr. Hayot aussi.",
         ["M. Dupont et Mme Durand sont là.", "Le Pr. Hayot aussi."]),
        ("Le Dr. Martin arrive. Il parle.", ["Le Dr. Martin arrive.", "Il parle."]),
        ("Voir p. ex. la figure. Ensuite, cf. Annexe 2.",
         ["Voir p. ex. la figure.", "Ensuite, cf. Annexe 2."]),
        ("Des outils (e.g. R&D, Production) existent. Soit, i.e. Paris, une ville.",
         ["Des outils (e.g. R&D, Production) existent.", "Soit, i.e. Paris, une ville."]),
        ("Le D.U. IA appliquée est lancé. Il dure un an.",
         ["Le D.U. IA appliquée est lancé.", "Il dure un an."]),
        ("Un article de E. Kratz et I. Asimov. Puis la suite.",
         ["Un article de E. Kratz et I. Asimov.", "Puis la suite."]),
        ("Soit 1,85 milliard d'euros. Puis 9,7 M€. La version 2.5 sort.",
         ["Soit 1,85 milliard d'euros.", "Puis 9,7 M€.", "La version 2.5 sort."]),
        ("Les pays, etc. voire plus. Fin de l'histoire, etc. Mais non.",
         ["Les pays, etc. voire plus.", "Fin de l'histoire, etc.", "Mais non."]),
        ("Il hésite... Puis il part. Il revient… Encore.",
         ["Il hésite...", "Puis il part.", "Il revient…", "Encore."]),
        ("Quel est le but ? Le voici ! Enfin.", ["Quel est le but ?", "Le voici !", "Enfin."]),
        ("Il a dit « bonjour. » Puis il est parti.", ["Il a dit « bonjour. »", "Puis il est parti."]),
        ("Les objectifs :\n- Premier point\n- Second point. Avec suite.",
         ["Les objectifs :", "- Premier point", "- Second point.", "Avec suite."]),
        ("1. Définir l'IA en santé\n2. Mesurer son impact", ["1. Définir l'IA en santé", "2. Mesurer son impact"]),
        ("Titre\n\nUn paragraphe. Un autre.", ["Titre", "Un paragraphe.", "Un autre."]),
        ("Cas complexes ? les situations d'urgence ?", ["Cas complexes ? les situations d'urgence ?"]),
        ("Selon l'OMS. Le reste suit.", ["Selon l'OMS.", "Le reste suit."]),
    ],
)
def test_tricky_cases(text, expected):
    assert sentences(text) == expected


def test_spans_point_into_text_and_exclude_whitespace():
    text = "  Première phrase.   Deuxième phrase !\n\n  - Un point  "
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == ["Première phrase.", "Deuxième phrase !", "- Un point"]
    assert all(text[s] != " " and text[e - 1] != " " for s, e in spans)
    assert spans == sorted(spans)


def test_empty_and_whitespace():
    assert split_sentences("") == []
    assert split_sentences(" \n\n ") == []


def test_result_is_a_fresh_list_from_the_cache():
    text = "Une phrase. Une autre."
    first = split_sentences(text)
    first.append((0, 1))
    assert split_sentences(text) == [(0, 11), (12, 22)]


def test_corpus_sentences_cover_all_text(clean_docs):
    """Every non-space character of the clean corpus belongs to a sentence."""
    for doc in clean_docs.values():
        covered = sum(e - s for s, e in split_sentences(doc.text))
        spaces = sum(1 for ch in doc.text if ch.isspace())
        assert covered >= len(doc.text) - spaces


def test_a_unit_after_a_degree_sign_ends_a_sentence():
    text = "La température maximale gagne 0,6 °C. Les barrages jouent un rôle. Selon E. Kratz, oui."
    assert sentences(text) == ["La température maximale gagne 0,6 °C.", "Les barrages jouent un rôle.",
                               "Selon E. Kratz, oui."]
