"""Tables as « cell | cell » rows, from hand-placed lines."""

from __future__ import annotations

from ingest.pdf.tables import rows_and_lines
from tests.ingest.pdf.lines_factory import line


def _cell(text: str, top: float, x0: float, x1: float):
    return line(text, top, x0=x0, x1=x1, size=9)


def test_a_table_becomes_one_row_per_line_with_wrapped_labels_and_a_spanning_header():
    header = [_cell("Indicateur", 70, 54, 104), _cell("2023", 70, 230, 253)]
    spanning = _cell("2024 Évolution", 70, 282, 366)
    spanning.spaces = [(4, 306, 318)]  # the word space between « 2024 » and « Évolution »
    rows = [
        [_cell("Lait collecté (millions de litres)", 85, 54, 188), _cell("60,4", 85, 234, 253),
         _cell("61,8", 85, 287, 306), _cell("+2,3 %", 85, 334, 366)],
        [_cell("Chiffre d'affaires (millions", 99, 54, 167), _cell("89,4", 106, 234, 253),
         _cell("94,6", 106, 287, 306), _cell("+5,8 %", 106, 334, 366), _cell("d'euros)", 113, 54, 89)],
    ]
    after = line("La part des fromages AOP représente désormais 47 % des volumes.", 140, x1=370)
    out = rows_and_lines([*header, spanning, *rows[0], *rows[1], after])
    assert [l.text for l in out] == [
        "Indicateur | 2023 | 2024 | Évolution",
        "Lait collecté (millions de litres) | 60,4 | 61,8 | +2,3 %",
        "Chiffre d'affaires (millions d'euros) | 89,4 | 94,6 | +5,8 %",
        after.text,
    ]
    assert [l.kind for l in out] == ["row", "row", "row", "text"]


def test_a_header_wrapped_under_its_cell_continues_it():
    out = rows_and_lines([
        _cell("Taille de l'aire", 76, 53, 107), _cell("Nombre", 76, 132, 163),
        _cell("Places", 76, 192, 216), _cell("d'aires", 88, 132, 158),
        _cell("Moins de 20 places", 104, 53, 122), _cell("15", 104, 132, 141),
        _cell("214", 104, 192, 205),
        _cell("De 20 à 49 places", 120, 53, 117), _cell("13", 120, 132, 141),
        _cell("418", 120, 192, 205),
    ])
    assert [l.text for l in out] == ["Taille de l'aire | Nombre d'aires | Places",
                                     "Moins de 20 places | 15 | 214", "De 20 à 49 places | 13 | 418"]


def test_a_prose_line_cut_at_a_wide_space_is_one_line_again():
    left = line("Une phrase justifiée avec un très grand", 100, x0=50, x1=250)
    right = line("espace au milieu.", 100, x0=275, x1=370)
    next_line = line("La ligne suivante du même paragraphe.", 113, x1=370)
    out = rows_and_lines([left, right, next_line])
    assert [l.text for l in out] == ["Une phrase justifiée avec un très grand espace au milieu.", next_line.text]
    assert all(l.kind == "text" for l in out)


def test_side_by_side_prose_with_unaligned_gaps_is_not_a_table():
    lines = [line("Un long fragment de texte qui continue encore", 100, x0=50, x1=240),
             line("puis la fin de ligne", 100, x0=265, x1=370),
             line("Une autre ligne beaucoup plus longue que la", 113, x0=50, x1=300),
             line("suite ici", 113, x0=325, x1=370)]
    out = rows_and_lines(lines)
    assert all(l.kind == "text" for l in out) and len(out) == 2
