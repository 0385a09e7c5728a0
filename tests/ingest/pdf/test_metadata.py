"""pypdf's part: metadata title, outline and page labels of the test documents."""

from __future__ import annotations

from pathlib import Path

import pypdf

from ingest.pdf.metadata import read_outline, read_page_labels, read_title

DOCUMENTS = Path(__file__).resolve().parents[1] / "documents"


def reader(name: str) -> pypdf.PdfReader:
    return pypdf.PdfReader(DOCUMENTS / f"{name}.pdf")


def test_page_labels_are_kept_only_when_the_pdf_defines_them():
    assert read_page_labels(reader("pdf-fpdf2-rapport-annuel"), 7) == ("i", "ii", "1", "2", "3", "4", "5")
    assert read_page_labels(reader("pdf-libreoffice-commission"), 4) == ()


def test_the_outline_gives_titles_pages_depths_and_targets():
    outline = read_outline(reader("pdf-libreoffice-plan-climat"))
    assert [(e.title, e.page, e.depth) for e in outline[:4]] == [
        ("Partie 1 — Où en sommes-nous ?", 2, 0),
        ("1.1 Les émissions de gaz à effet de serre", 2, 1),
        ("1.2 La production d'énergie renouvelable", 2, 1),
        ("1.2.1 Les projets en cours", 3, 2),
    ]
    assert all(e.top is not None and 0 <= e.top <= 600 for e in outline)


def test_no_outline_and_no_title_read_as_empty():
    assert read_outline(reader("pdf-chromium-note-deux-colonnes")) == []
    assert read_title(reader("pdf-libreoffice-plan-climat")) is None
    assert read_title(reader("pdf-fpdf2-rapport-annuel")) == "Microsoft Word - rapport_annuel_2024_v3.docx"
