"""Exact page starts in the clean text, and the layout facts carried into the clean document."""

from __future__ import annotations

from ingest.clean import clean_document
from ingest.models import Heading, SourceDocument
from ingest.pagemap import with_layout

PAGE_ONE = "# Rapport\n\nLa formation a représenté 6 200 heures, principalement "
PAGE_TWO = "consacrées à l'hygiène alimentaire. Onze salariés ont été formés."
PAGE_THREE = "Une nouvelle partie commence ici, en haut de page."


def _source() -> SourceDocument:
    text = PAGE_ONE + PAGE_TWO + "\n\n" + PAGE_THREE
    return SourceDocument(
        doc_id="rapport", title="Rapport", source_path="rapport.pdf", format="pdf", text=text,
        page_starts=(0, len(PAGE_ONE), len(PAGE_ONE) + len(PAGE_TWO) + 2),
        headings=(Heading(1, "Rapport", 0),), footnotes=("1 Une note.",),
        page_labels=("i", "1", "2"), image_only_pages=(),
    )


def test_a_page_starting_inside_a_paragraph_starts_there_in_the_clean_text():
    source = _source()
    coarse = clean_document(source)
    assert coarse.page_at(coarse.text.index("consacrées")) == 1  # the cleaner's own map: too late
    doc = with_layout(source, coarse)
    assert doc.page_at(doc.text.index("principalement")) == 1
    assert doc.page_at(doc.text.index("consacrées")) == 2
    assert doc.page_at(doc.text.index("Une nouvelle partie")) == 3
    assert doc.page_labels == ("i", "1", "2") and doc.page_label(2) == "1"
    assert doc.footnotes[0] == "1 Une note."


def test_documents_without_pages_are_left_alone():
    source = SourceDocument("t", "T", "t.txt", "txt", "Un texte.\n\nDeux paragraphes.")
    doc = with_layout(source, clean_document(source))
    assert doc.page_starts == () and doc.page_at(3) is None
