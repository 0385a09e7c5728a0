"""Running lines, footnotes, bands and two-column reading order on hand-placed lines."""

from __future__ import annotations

from ingest.pdf.layout import (
    bands,
    body_size,
    find_gutter,
    mark_footnotes,
    mark_running_lines,
    reading_order,
    running_key,
)
from tests.ingest.pdf.lines_factory import BODY, line, page


def test_running_key_masks_page_numbers_and_roman_numerals():
    assert running_key("Rapport annuel 2024 · page ii") == running_key("Rapport annuel 2024 · page 3")
    assert running_key("Page 4 / 12") == running_key("page 5 / 12")
    assert running_key("Rapport annuel") != running_key("Rapport final")


def _report(pages: int = 4) -> list:
    result = []
    for n in range(1, pages + 1):
        result.append(page(n, [
            line(f"Coopérative laitière · Rapport {2024}", 20, size=7.5),
            line(f"Premier paragraphe de la page {n}, assez long pour une ligne de corps.", 80),
            line("Une deuxième ligne de texte courant, sans rien de répété ici.", 93),
            line(f"Rapport annuel · page {n} / {pages}", 560, size=7.5),
        ]))
    return result


def test_lines_repeated_at_the_top_or_bottom_of_half_the_pages_are_running():
    pages = _report()
    mark_running_lines(pages, body_size(pages))
    for p in pages:
        kinds = [l.kind for l in p.lines]
        assert kinds == ["running", "text", "text", "running"]


def test_a_chapter_title_bigger_than_the_body_is_never_a_running_line():
    topics = ["santé", "école", "voirie", "culture"]
    pages = [page(n, [line(f"Chapitre {n} : thème {n}", 20, size=16),
                      line(f"Sur la page, une phrase de corps sur la {topics[n - 1]}.", 60),
                      line(f"Et une autre ligne du corps sur la {topics[n - 1]}.", 73)])
             for n in range(1, 5)]
    mark_running_lines(pages, body_size(pages))
    assert all(l.kind == "text" for p in pages for l in p.lines)


def test_a_page_number_line_in_the_margin_is_running_even_alone():
    pages = [page(1, [line("Texte de la seule page du document, en corps normal.", 80),
                      line("Encore du texte pour que la page ait un corps.", 93),
                      line("- 1 -", 570)])]
    mark_running_lines(pages, body_size(pages))
    assert [l.kind for l in pages[0].lines] == ["text", "text", "running"]


def test_pages_with_one_repeated_line_and_nothing_else_keep_it():
    pages = [page(n, [line("Les données de santé sont un enjeu majeur.", 40)]) for n in range(1, 6)]
    mark_running_lines(pages, body_size(pages))
    assert all(l.kind == "text" for p in pages for l in p.lines)


def test_footnotes_are_the_small_numbered_lines_at_the_foot_of_the_page():
    p = page(1, [
        line("Le prix moyen payé s'est établi à 486 euros¹. Le conseil a maintenu ce prix.", 100),
        line("Fin du paragraphe de corps.", 113),
        line("1 Prix moyen pondéré toutes qualités confondues,", 520, size=7.5),
        line("hors primes de pâturage.", 529, size=7.5),
        line("2 Diagnostic réalisé sur 186 exploitations.", 540, size=7.5),
    ])
    notes = mark_footnotes(p, BODY)
    assert notes == ["1 Prix moyen pondéré toutes qualités confondues, hors primes de pâturage.",
                     "2 Diagnostic réalisé sur 186 exploitations."]
    assert [l.kind for l in p.lines] == ["text", "text", "footnote", "footnote", "footnote"]


def test_small_lines_without_a_call_number_are_not_footnotes():
    p = page(1, [line("Corps du texte.", 100), line("Source : Insee, 2024.", 520, size=7.5)])
    assert mark_footnotes(p, BODY) == []
    assert all(l.kind == "text" for l in p.lines)


def test_small_table_cells_at_the_foot_of_a_page_are_not_footnotes():
    p = page(1, [line("Corps du texte.", 100),
                 line("15 places", 520, x0=50, x1=100, size=7.5),
                 line("214", 520, x0=200, x1=215, size=7.5)])
    assert mark_footnotes(p, BODY) == []


def test_cells_of_a_row_share_a_band_and_stacked_prose_lines_do_not():
    label = line("Chiffre d'affaires (millions", 100, x0=50, x1=170)
    values = line("89,4 94,6", 107, x0=230, x1=300)
    wrapped = line("d'euros)", 114, x0=50, x1=90)
    prose = [line("Une ligne de texte courant.", 140 + 11 * i, x1=370) for i in range(2)]
    grouped = bands([label, values, wrapped, *prose])
    assert grouped[0] == [label, wrapped, values]
    assert grouped[1:] == [[prose[0]], [prose[1]]]


def _two_columns() -> list:
    lines = [line("Titre de la note sur toute la largeur de la page", 40, x0=40, x1=380),
             line("Résumé qui traverse aussi toute la largeur de la page.", 60, x0=40, x1=380)]
    for i in range(6):
        lines.append(line(f"colonne gauche ligne {i} du texte", 100 + 13 * i, x0=40, x1=200))
        lines.append(line(f"colonne droite ligne {i} du texte", 100 + 13 * i, x0=220, x1=380))
    return lines


def test_a_two_column_page_is_read_column_by_column():
    p = page(1, _two_columns())
    assert 200 <= find_gutter(p.lines, p.width) <= 220
    zones = reading_order(p)
    texts = [[l.text for l in zone] for zone in zones]
    assert texts[0][0].startswith("Titre") and texts[0][1].startswith("Résumé")
    assert texts[1] == [f"colonne gauche ligne {i} du texte" for i in range(6)]
    assert texts[2] == [f"colonne droite ligne {i} du texte" for i in range(6)]


def test_a_table_with_short_cells_is_not_two_columns():
    lines = []
    for i in range(6):
        lines.append(line(f"Ligne {i}", 100 + 13 * i, x0=40, x1=90))
        lines.append(line(f"{i},5 %", 100 + 13 * i, x0=300, x1=330))
    assert find_gutter(lines, 420.0) is None
