"""Headings from the outline (bookmarks) or from fonts, and the title, on hand-placed lines."""

from __future__ import annotations

from ingest.pdf.headings import apply_fonts, apply_outline, title_from_layout
from ingest.pdf.metadata import OutlineEntry
from tests.ingest.pdf.lines_factory import BODY, line


def _page():
    return [
        line("Rapport d'activité 2024", 40, size=26),
        line("P a r t i e 1 — L e s s e r v i c e s à l a", 100, size=17),
        line("population", 122, size=17),
        line("1.1 État civil et élections", 150, size=15),
        line("Le service de l'état civil a enregistré 74 naissances.", 170),
    ]


def test_a_bookmark_finds_its_lines_whatever_the_spacing_and_wrapping():
    lines = _page()
    lines[1].text = "Partie 1 — Les services à la"  # the lines builder already joined the letters
    outline = [OutlineEntry("Rapport d'activité 2024", 1, 0, 40),
               OutlineEntry("Partie 1 — Les services à lapopulation", 1, 1, 100),  # Chromium glues
               OutlineEntry("État civil et élections", 1, 2, 150)]  # no number in the bookmark
    assert apply_outline(outline, {1: lines})
    headings = [(l.level, l.text) for l in lines if l.kind == "heading"]
    assert headings == [(1, "Rapport d'activité 2024"), (2, "Partie 1 — Les services à la population"),
                        (3, "1.1 État civil et élections")]
    assert lines[2].kind == "merged" and lines[4].kind == "text"


def test_a_heading_drawn_in_capitals_takes_its_bookmark_spelling():
    lines = [line("PARTIE 1 — HISTOIRE DES MOULINS", 100, size=11, bold=True),
             line("Au milieu du XIXe siècle, la vallée comptait quarante moulins.", 120)]
    assert apply_outline([OutlineEntry("Partie 1 — Histoire des moulins", 1, 0, 100)], {1: lines})
    assert lines[0].text == "Partie 1 — Histoire des moulins"


def test_an_outline_mostly_not_found_is_not_trusted():
    lines = _page()
    outline = [OutlineEntry(f"Titre absent {n}", 1, 0) for n in range(4)]
    assert not apply_outline(outline, {1: lines})
    assert all(l.kind == "text" for l in lines)


def test_font_headings_get_levels_by_size_then_weight():
    lines = [line("Titre du document", 40, size=20, bold=True),
             line("1. Introduction", 80, size=14, bold=True),
             line("Le corps du texte, en taille normale, avec une phrase.", 100),
             line("1.1 Les stations de mesure", 120, size=BODY, bold=True),
             line("Encore du corps de texte.", 140),
             line("Une ligne en gras qui finit par un point.", 160, bold=True)]
    apply_fonts({1: lines}, BODY)
    assert [(l.level, l.text) for l in lines if l.kind == "heading"] == [
        (1, "Titre du document"), (2, "1. Introduction"), (3, "1.1 Les stations de mesure")]


def test_the_title_is_the_biggest_text_of_the_first_pages_with_its_wrapped_line():
    cover = [line("Communauté de communes", 170, size=15), line("Juin 2025", 280, size=15)]
    second = [line("Plan climat-air-énergie territorial :", 58, size=17, page=2),
              line("rapport d'étape à mi-parcours", 78, size=17, page=2),
              line("Partie 1 — Où en sommes-nous ?", 120, size=14, page=2)]
    assert title_from_layout({1: cover, 2: second}, 11.5) == \
        "Plan climat-air-énergie territorial : rapport d'étape à mi-parcours"


def test_no_title_when_nothing_stands_out():
    assert title_from_layout({1: [line("Du texte courant.", 100)]}, BODY) is None
