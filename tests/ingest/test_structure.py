"""Heading detection, levels and section paths."""

from __future__ import annotations

from ingest.models import Heading
from ingest.structure import (
    HeadingCandidate,
    assign_levels,
    display_title,
    is_title_like,
    is_upper_title,
    numbering_style,
    section_path,
    word_casing,
)

from .conftest import AEC, HDI, KRATZ, PAGE


def titles(doc) -> list[str]:
    return [h.title for h in doc.headings]


def test_markdown_headings_with_part_numbers(clean_docs):
    doc = clean_docs[HDI]
    paths = {tuple(section_path(doc.headings, h.start, doc.title)) for h in doc.headings}
    assert ("02", "Freins et accélérateurs de l'adoption de l'IA en santé",
            "I. Quels sont les leviers pour favoriser le développement de solutions d'IA ?") in paths
    assert ("02", "Freins et accélérateurs de l'adoption de l'IA en santé",
            "II. Quels sont les leviers pour accroître l'acceptabilité et la confiance dans les "
            "solutions d'IA ?") in paths
    assert ("01", "État des lieux de l'utilisation de l'IA dans le parcours de soins et le système "
            "de santé") in paths


def test_heading_titles_are_clean(clean_docs):
    for doc in clean_docs.values():
        for heading in doc.headings:
            assert heading.title and heading.title == heading.title.strip()
            assert "**" not in heading.title and "#" not in heading.title[:1]
            assert "\u00a0" not in heading.title


def test_title_like_lines_of_web_page_and_deck(clean_docs):
    assert "Objectifs poursuivis" in titles(clean_docs[PAGE])
    assert "Actions clés" in titles(clean_docs[PAGE])
    aec = titles(clean_docs[AEC])
    assert ("Conditions optimum de développement de l'IA dans les industries de santé : rappel du "
            "contexte (1/3)") in aec
    assert "Disponibilité et de l'interopérabilité des données – Rappel du contexte" in aec
    assert "IA et Data en Santé : Une force en marche" in titles(clean_docs[KRATZ])


def test_web_page_title_is_the_top_level(clean_docs):
    doc = clean_docs[PAGE]
    top = doc.headings[0]
    assert (top.level, top.title) == (1, "L'intelligence artificielle au service de la santé")
    assert all(h.level == 2 for h in doc.headings[1:])


def test_slide_subtitle_nests_under_slide_title(clean_docs):
    doc = clean_docs[AEC]
    heading = next(h for h in doc.headings if h.title.startswith("Disponibilité et de l'interop"))
    assert section_path(doc.headings, heading.start, doc.title) == [
        "Conditions optimum de développement de l'IA dans les industries de santé : rappel du "
        "contexte (1/3)",
        "Disponibilité et de l'interopérabilité des données – Rappel du contexte",
    ]


def test_sentence_broken_by_page_break_is_not_a_heading(clean_docs):
    # "Le paysage de l'intelligence artificielle dans le secteur de la santé en" / "Europe ..."
    assert not any(t.endswith(" en") for t in titles(clean_docs[HDI]))


def test_list_of_names_is_not_a_cascade_of_headings(clean_docs):
    assert not any(t.startswith("Ingrid Dufour-Bonami") for t in titles(clean_docs[HDI]))
    assert max(h.level for h in clean_docs[HDI].headings) <= 8


def test_assign_levels_rules():
    levels = assign_levels([
        HeadingCandidate("Introduction", md_level=1),
        HeadingCandidate("02", md_level=1),
        HeadingCandidate("FREINS ET ACCÉLÉRATEURS", md_level=2, adjacent=True),
        HeadingCandidate("I. Premier levier", md_level=1, adjacent=True),
        HeadingCandidate("Sous-partie", md_level=2, adjacent=True),
        HeadingCandidate("Détail", md_level=3),
        HeadingCandidate("II. Second levier", md_level=2),
        HeadingCandidate("RÉFÉRENCES", md_level=1),
    ])
    assert levels == [1, 1, 2, 3, 4, 5, 3, 1]


def test_assign_levels_for_plain_text():
    levels = assign_levels([
        HeadingCandidate("Partie 1 – Contexte", gap_before=3),
        HeadingCandidate("Titre de diapositive", gap_before=3),
        HeadingCandidate("Sous-titre collé", gap_before=3, adjacent=True),
        HeadingCandidate("Intertitre", gap_before=1),
        HeadingCandidate("Titre suivant", gap_before=3),
    ])
    assert levels == [1, 2, 3, 3, 2]


def test_is_title_like():
    assert is_title_like("Objectifs poursuivis")
    assert is_title_like("Quels sont les pays les plus avancés en matière d'IA ?")
    assert not is_title_like("Une phrase qui se termine par un point.")
    assert not is_title_like("En conclusion,")
    assert not is_title_like("- un élément de liste")
    assert not is_title_like("minuscule au début")
    assert not is_title_like(" ".join(["mot"] * 20).capitalize())


def test_numbering_style():
    assert numbering_style("I. Quels sont les leviers") == "roman"
    assert numbering_style("II. Autre") == "roman"
    assert numbering_style("1.2 Sous-section") == "arabic-2"
    assert numbering_style("3) Trois") == "arabic-1"
    assert numbering_style("IA et santé") is None
    assert numbering_style("2024 est une année") is None


def test_display_title_sentence_cases_all_caps_keeping_acronyms():
    casing = word_casing(["L'IA en France et en Europe selon la CNIL.", "la santé"])
    assert display_title("COMMENT LA FRANCE PEUT-ELLE ACCROÎTRE SON LEADERSHIP DANS L'IA EN EUROPE ?",
                         casing) == \
        "Comment la France peut-elle accroître son leadership dans l'IA en Europe ?"
    assert display_title("Déjà en casse mixte", casing) == "Déjà en casse mixte"
    assert display_title("VOLUME", casing) == "VOLUME"


def test_is_upper_title_counts_letters_only():
    assert is_upper_title("SANTÉ ET IA 2024")
    assert is_upper_title("FREINS ET ACCÉLÉRATEURS DE L'IA")
    assert not is_upper_title("SANTÉ ET ia")  # 7 capitals of 9 letters: not above 80 %
    assert not is_upper_title("ⒶⒷⒸⒹ de")  # circled capitals are not letters
    assert not is_upper_title("") and not is_upper_title("1234")


def test_word_casing_takes_the_most_frequent_spelling_the_first_seen_on_a_tie():
    texts = ["Nice est une ville, NICE aussi.", "Le IA et le Ia et IA.", "NANCY ou Nancy, ici.",
             "la Santé et la santé.", "DONNÉES DE SANTÉ EN FRANCE"]
    casing = word_casing(texts)
    assert casing == {"nice": "Nice", "ia": "IA", "nancy": "NANCY"}  # "santé" is also lower case
    assert "france" not in casing  # only in an all-caps text


def test_section_path_stack_and_fallback():
    headings = (Heading(1, "A", 0), Heading(2, "A.1", 10), Heading(3, "A.1.a", 20),
                Heading(2, "A.2", 30), Heading(1, "B", 40))
    assert section_path(headings, 25, "Doc") == ["A", "A.1", "A.1.a"]
    assert section_path(headings, 30, "Doc") == ["A", "A.2"]
    assert section_path(headings, 45, "Doc") == ["B"]
    assert section_path((Heading(1, "A", 5),), 0, "Doc") == ["Doc"]
    assert section_path((), 0, "Doc") == ["Doc"]
