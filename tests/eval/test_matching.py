"""Quote matching and the lexical analysis shared by the judge and the metrics."""

from __future__ import annotations

import pytest

from eval.matching import (
    extract_names,
    extract_numbers,
    match_words,
    name_in,
    passage_holds_quote,
    judge_sentences,
    stem_in,
    tokenize,
)

KRATZ = "kratz-hayot-ia-et-data-en-sante"

# Two consecutive sentences of the Kratz & Hayot article.
S1 = (
    "L'IA permet d'analyser de vastes volumes de données médicales produites par les systèmes "
    "de santé, des dossiers des patients jusqu'aux actes d'imagerie médicale, pour détecter des "
    "patterns difficilement détectables voire invisibles à l'œil humain."
)
S2 = (
    "Par exemple, les algorithmes de machine learning sont utilisés pour tenter de diagnostiquer "
    "plus rapidement des maladies comme le cancer ou les maladies cardiovasculaires."
)


# --- exact containment after normalisation ----------------------------------


def test_quote_inside_passage(corpus_passage):
    passage = corpus_passage(KRATZ, "L'IA permet d'analyser de vastes volumes")
    assert passage_holds_quote(passage, S1)


def test_apostrophe_and_case_variants_match():
    passage = "Selon l’étude, L’ACCÈS aux données de santé publiques françaises demeure essentiel."
    assert passage_holds_quote(passage, "l'accès aux données de santé publiques françaises")
    assert passage_holds_quote(passage, "l‘acces aux donnees de sante")


def test_markup_and_footnote_calls_are_ignored():
    passage = (
        "**Desk research** : cette phase a impliqué une revue approfondie de la littérature"
        "<sup>12</sup> existante, des rapports de recherche¹."
    )
    quote = "Desk research : cette phase a impliqué une revue approfondie de la littérature existante"
    assert passage_holds_quote(passage, quote)


def test_guillemets_and_spacing_are_ignored():
    passage = "L’« intelligence\u00a0artificielle »  et la gestion des données jouent un rôle crucial."
    assert passage_holds_quote(passage, 'L\'"intelligence artificielle" et la gestion des données')


# --- fuzzy rules -------------------------------------------------------------


def test_straddling_quote_counts_for_the_chunk_holding_the_larger_part():
    quote = f"{S1} {S2}"  # 58 words over two sentences
    chunk_a = "Texte qui précède dans le même document. " + S1  # holds 34 of 58 words
    chunk_b = S2 + " La télémédecine est également un domaine où l'IA transformera la pratique."
    assert passage_holds_quote(chunk_a, quote)
    assert not passage_holds_quote(chunk_b, quote)  # only 24 of 58 words: less than half


def test_straddling_with_overlap_counts_for_both_chunks():
    quote = f"{S1} {S2}"
    overlap_tail = " ".join(S1.split()[-16:])  # the second chunk repeats the end of S1
    chunk_b = f"{overlap_tail} {S2}"  # 16 + 24 = 40 of 58 words, contiguous
    assert passage_holds_quote(chunk_b, quote)


def test_small_cleaning_difference_is_tolerated():
    # the passage lost one word (a dropped footnote call or a de-hyphenation slip)
    passage = S1.replace("difficilement détectables voire invisibles", "difficilement détectables invisibles")
    assert passage_holds_quote(passage, S1)


def test_footnote_url_interleaved_in_quote():
    quote = (
        "Cependant, elle n’est pas sans soulever des enjeux éthiques, juridiques et réglementaires, "
        "notamment en ce qui concerne la protection des données personnelles. Quel est l’état actuel "
        "de l’IA et des données ¹ <https://france-biotech.fr/wp-content/uploads/2025/02/PANO2024-web1.pdf> "
        "en santé ?"
    )
    passage = (
        "Cependant, elle n’est pas sans soulever des enjeux éthiques, juridiques et réglementaires, "
        "notamment en ce qui concerne la protection des données personnelles. Quel est l’état actuel "
        "de l’IA et des données en santé ? Quelles initiatives en Europe et dans le monde ?"
    )
    assert passage_holds_quote(passage, quote)


def test_passage_sharing_only_a_few_words_does_not_hold_the_quote():
    passage = (
        "Les données de santé, qu'il s'agisse d'imagerie médicale, de dossiers électroniques ou de "
        "données génétiques, constituent une ressource précieuse pour la recherche et l'innovation."
    )
    assert not passage_holds_quote(passage, S1)  # shares "imagerie médicale", "dossiers", "données"


def test_passage_sharing_a_stock_phrase_does_not_hold_the_quote():
    quote = "Le Healthcare Data Institute a identifié plusieurs domaines clés d'application de l'intelligence artificielle"
    passage = "Le Healthcare Data Institute a identifié des freins réglementaires et économiques majeurs."
    assert not passage_holds_quote(passage, quote)


def test_short_quote_needs_exact_containment():
    assert passage_holds_quote("Le Health Data Hub a été créé en 2019.", "Health Data Hub")
    assert not passage_holds_quote("Le Health Data Hub a été créé en 2019.", "Health Data Institute")


def test_empty_quote_is_never_held():
    assert not passage_holds_quote("Un passage quelconque.", "  ")


# --- lexical analysis ----------------------------------------------------------


def test_match_words_fold_case_accents_and_apostrophes():
    assert match_words("L’Œil « HUMAIN » détecte") == ["l", "oeil", "humain", "detecte"]


def test_tokenize_splits_elisions_and_hyphens():
    folds = [t.fold for t in tokenize("L'IA d'aujourd'hui aux États-Unis qu'il faut")]
    assert folds == ["l", "ia", "d", "aujourd", "hui", "aux", "etats", "unis", "qu", "il", "faut"]


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("un investissement de 1,85 milliard", ["1.85"]),
        ("un investissement de 1.85 milliard", ["1.85"]),
        ("environ 2 700 entreprises et 5\u202f000 emplois", ["2700", "5000"]),
        ("9,7 M€ pour le Health Data Hub en 2020", ["9.7", "2020"]),
        ("une part de 49,29% en 2024", ["49.29", "2024"]),
        ("quatre instituts", ["4"]),
        ("un taux de 0,50 % contre 10,0 %", ["0.5", "10"]),
        ("de 11 milliards en 2021 à 188 milliards", ["11", "2021", "188"]),
    ],
)
def test_extract_numbers_normalises_spellings(text, numbers):
    assert extract_numbers(text) == numbers


def test_extract_names_keeps_names_and_skips_plain_sentence_starts():
    names = extract_names(
        "Grâce à l'IA, la FDA et France Biotech soutiennent PariSanté Campus en Chine. "
        "Cependant, le Canada investit."
    )
    assert names == ["ia", "fda", "france", "biotech", "parisante", "campus", "chine", "canada"]
    assert "grace" not in names and "cependant" not in names


def test_name_in_accepts_derived_forms_only():
    words = {"chinois", "europeenne", "canadien", "indonesie"}
    assert name_in("chine", words)
    assert name_in("europe", words)
    assert name_in("canada", words)
    assert not name_in("inde", words)
    assert not name_in("japon", words)


def test_stem_in_prefix_rule():
    assert stem_in("numer", {"numeris"})
    assert not stem_in("don", {"donat"})  # too short for a prefix match


def test_split_sentences_respects_abbreviations_and_lines():
    text = "Selon le Pr. Hayot, M. Dupont et E. Kratz, l'IA progresse. 53 % des soignants l'utilisent !\n- un item"
    assert judge_sentences(text) == [
        "Selon le Pr. Hayot, M. Dupont et E. Kratz, l'IA progresse.",
        "53 % des soignants l'utilisent !",
        "- un item",
    ]
