"""Lines read from real pages (made with fpdf2): words from glyph gaps, superscript calls, hyphens."""

from __future__ import annotations

from pathlib import Path

import pypdfium2
import pytest

from ingest.pdf.lines import PDFIUM_HYPHEN, PageTooSlow, read_page

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _pdf(tmp_path: Path, draw) -> pypdfium2.PdfDocument:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("DejaVu", "", str(DEJAVU))
    pdf.add_page()
    pdf.set_font("DejaVu", size=11)
    draw(pdf)
    path = tmp_path / "page.pdf"
    pdf.output(str(path))
    return pypdfium2.PdfDocument(str(path))


def _texts(tmp_path: Path, draw) -> list[str]:
    document = _pdf(tmp_path, draw)
    return [line.text for line in read_page(document[0], 1).lines]


def test_letter_spaced_words_are_read_as_words(tmp_path):
    def draw(pdf):
        pdf.set_char_spacing(4)
        pdf.cell(text="PARTIE 1 — HISTOIRE DES MOULINS")
        pdf.set_char_spacing(0)
        pdf.ln(20)
        pdf.cell(text="Un texte ordinaire, sans espacement.")

    assert _texts(tmp_path, draw) == ["PARTIE 1 — HISTOIRE DES MOULINS", "Un texte ordinaire, sans espacement."]


def test_a_raised_small_digit_is_a_superscript_call(tmp_path):
    def draw(pdf):
        pdf.write(text="Le niveau le plus élevé de notre histoire")
        pdf.char_vpos = "SUP"
        pdf.write(text="1")
        pdf.char_vpos = "LINE"
        pdf.write(text=". Le conseil a maintenu ce prix.")

    assert _texts(tmp_path, draw) == ["Le niveau le plus élevé de notre histoire¹. Le conseil a maintenu ce prix."]


def test_cells_far_apart_on_one_baseline_are_separate_lines(tmp_path):
    def draw(pdf):
        pdf.cell(w=80, text="Lait collecté")
        pdf.cell(w=30, text="60,4")
        pdf.cell(w=30, text="61,8")

    assert _texts(tmp_path, draw) == ["Lait collecté", "60,4", "61,8"]


def test_a_hyphen_at_a_line_end_is_marked(tmp_path):
    def draw(pdf):
        pdf.cell(text="la sensibi-")
        pdf.ln(14)
        pdf.cell(text="lité de la Loire")

    texts = _texts(tmp_path, draw)
    assert texts[0][:-1] == "la sensibi" and texts[0][-1] in ("-", PDFIUM_HYPHEN)
    assert texts[1] == "lité de la Loire"


def test_a_page_without_text_but_with_an_image_is_image_only(tmp_path):
    from PIL import Image

    image = tmp_path / "scan.png"
    Image.new("RGB", (60, 40), "gray").save(image)
    document = _pdf(tmp_path, lambda pdf: pdf.image(str(image), x=10, y=10, w=100))
    page = read_page(document[0], 1)
    assert page.lines == [] and page.image_only


def test_a_page_past_its_deadline_stops(tmp_path):
    document = _pdf(tmp_path, lambda pdf: pdf.multi_cell(w=0, text="Du texte. " * 400))
    with pytest.raises(PageTooSlow):
        read_page(document[0], 1, deadline=0.0)
