"""Paragraphs, list items and words hyphenated at line ends, from hand-placed lines."""

from __future__ import annotations

from ingest.pdf.blocks import continues_across, join_lines, merge, zone_blocks
from ingest.pdf.lines import PDFIUM_HYPHEN
from tests.ingest.pdf.lines_factory import line

WORDS = {"mi-parcours", "sensibilité", "porte-parole"}


def test_soft_hyphens_are_always_removed():
    assert join_lines("la sensibi\u2010", "lité de la Loire", WORDS) == "la sensibilité de la Loire"
    assert join_lines("la sensibi\u00ad", "lité", WORDS) == "la sensibilité"


def test_a_hyphen_stays_when_the_document_spells_the_compound():
    assert join_lines("à mi" + PDFIUM_HYPHEN, "parcours, fait", WORDS) == "à mi-parcours, fait"
    assert join_lines("le porte-", "parole a dit", WORDS) == "le porte-parole a dit"
    assert join_lines("les ri-", "vières", WORDS) == "les rivières"


def test_a_hyphen_before_a_capital_or_a_number_is_kept_without_a_space():
    assert join_lines("Nord-", "Pas-de-Calais", WORDS) == "Nord-Pas-de-Calais"
    assert join_lines("2019-", "2024", WORDS) == "2019-2024"
    assert join_lines("entre 2019 -", "2024", WORDS) == "entre 2019 - 2024"  # a spaced dash


def _paragraph(top: float, texts: list[str], x0: float = 50.0) -> list:
    return [line(text, top + 13 * i, x0=x0, x1=370 if i < len(texts) - 1 else 200)
            for i, text in enumerate(texts)]


def test_paragraphs_split_at_wide_gaps_and_lines_join():
    first = _paragraph(100, ["Première phrase sur deux", "lignes du premier paragraphe."])
    second = _paragraph(140, ["Second paragraphe après un", "grand espace vertical."])
    blocks = zone_blocks([*first, *second], {10.0: 2.0}, WORDS)
    assert [b.text for b in blocks] == ["Première phrase sur deux lignes du premier paragraphe.",
                                        "Second paragraphe après un grand espace vertical."]


def test_a_short_last_line_ending_a_sentence_closes_the_paragraph():
    lines = [line("Une ligne pleine de texte qui va jusqu'au bout de", 100, x1=370),
             line("la colonne. Fin.", 113, x1=150),
             line("Nouveau paragraphe sans espace vertical en plus.", 126, x1=370)]
    blocks = zone_blocks(lines, {10.0: 2.0}, WORDS)
    assert len(blocks) == 2 and blocks[1].text.startswith("Nouveau")


def test_bullets_make_items_and_their_indented_lines_continue_them():
    lines = [line("• trois unités de méthanisation en", 100, x1=370),
             line("construction ;", 113, x0=62, x1=150),
             line("– un parc photovoltaïque de 12 hectares ;", 126, x1=370)]
    blocks = zone_blocks(lines, {10.0: 2.0}, WORDS)
    assert [(b.kind, b.text) for b in blocks] == [
        ("item", "• trois unités de méthanisation en construction ;"),
        ("item", "• un parc photovoltaïque de 12 hectares ;")]


def test_a_paragraph_cut_by_a_page_end_goes_on_and_records_where_the_page_starts():
    page1 = zone_blocks(_paragraph(100, ["La formation a représenté 6 200 heures, principalement",
                                         "consacrées à l'hygiène et à la conduite des lignes de"]),
                        {10.0: 2.0}, WORDS)
    page1[0].last.x1 = 370  # a full last line
    nxt = zone_blocks([line("conditionnement. Onze salariés ont été formés.", 60, x1=300, page=2)],
                      {10.0: 2.0}, WORDS)
    assert continues_across(page1[0], nxt[0])
    merge(page1[0], nxt[0], WORDS)
    block = page1[0]
    offset, page = block.breaks[0]
    assert page == 2 and block.text[offset:].startswith("conditionnement.")


def test_a_sentence_end_stops_the_paragraph_at_a_page_break():
    page1 = zone_blocks(_paragraph(100, ["Dernière phrase de la page, qui", "se termine ici."]),
                        {10.0: 2.0}, WORDS)
    nxt = zone_blocks([line("Une nouvelle phrase en haut de page.", 60, page=2)], {10.0: 2.0}, WORDS)
    assert not continues_across(page1[0], nxt[0])
