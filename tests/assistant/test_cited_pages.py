"""Citations of the issue #12 test documents, through `Assistant.ask`: every expected
sentence is cited on its page, and a PDF citation's page can be drawn with the quote."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ingest.models import pages_in_map

pytestmark = pytest.mark.slow

DOCUMENTS = Path(__file__).resolve().parents[1] / "ingest" / "documents"
FILE_NAME = re.compile(r"\.(?:html?|pdf|docx?)$|^Microsoft Word - ", re.IGNORECASE)


def expectations(prefix: str) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(DOCUMENTS.glob(f"{prefix}-*.expected.json"))]


def pdf_sentences() -> list[tuple[str, dict]]:
    return [(e["document"], s) for e in expectations("pdf") for s in e["sentences"]]


def quoting(answer, sentence: str):
    """The citation quoting `sentence`, and the span of the sentence in the citation's passage."""
    pattern = re.compile(r"\s+".join(re.escape(word) for word in sentence.split()))
    for citation in answer.citations:
        for start, end in citation.highlights:
            found = pattern.search(citation.passage, start, end)
            if found:
                return citation, found.span()
    return None, None


def test_every_expected_sentence_is_cited_on_its_page(documents_bot):
    chunks = {c.id: c for c in documents_bot.snapshot.chunks}
    wrong = []
    for document, item in pdf_sentences():
        answer = documents_bot.ask(item["text"])
        citation, span = quoting(answer, item["text"])
        if citation is None:
            wrong.append(f"{document}: not quoted: {item['text'][:60]!r}")
            continue
        chunk = chunks[citation.chunk_id]
        pages = pages_in_map(chunk.page_map, span[0], span[1])
        want = item.get("pages", [item["page"]])
        if pages != want or not set(pages) <= set(citation.pages):
            wrong.append(f"{document}: pages {pages} (citation {citation.pages}) instead of {want}: "
                         f"{item['text'][:60]!r}")
        first = citation.highlights[0][0]
        if citation.page != chunk.page_of(first):
            wrong.append(f"{document}: citation page {citation.page} is not its quote's first page")
    total = len(pdf_sentences())
    assert not wrong, f"{total - len(wrong)}/{total} right:\n" + "\n".join(wrong)


def test_a_sentence_across_a_page_break_cites_both_pages_and_the_printed_label(documents_bot):
    sentence = ("La formation a représenté 6 200 heures, principalement consacrées à l'hygiène "
                "alimentaire, à la conduite des nouvelles lignes de conditionnement et au management.")
    citation, _ = quoting(documents_bot.ask(sentence), sentence)
    assert citation.page == 5 and citation.pages == [5, 6]
    assert citation.page_label == "3"  # the report numbers its pages i, ii, 1, 2…


def test_no_chunk_holds_a_running_line_or_boilerplate_or_a_file_name_section(documents_bot):
    strings = [s for e in expectations("pdf") + expectations("html") for s in e["boilerplate"]]
    for chunk in documents_bot.snapshot.chunks:
        text = re.sub(r"\s+", " ", chunk.text)
        assert not [s for s in strings if s in text], chunk.id
        assert not any(FILE_NAME.search(part) for part in chunk.section), chunk.section


def test_a_pdf_citation_draws_its_page_and_a_web_citation_none(documents_bot):
    sentence = "Les jardiniers municipaux entretiennent 46 hectares d'espaces verts sans produit phytosanitaire depuis 2017."
    citation, _ = quoting(documents_bot.ask(sentence), sentence)
    images = documents_bot.page_images(citation)
    assert [page for page, _ in images] == [4]
    assert images[0][1].startswith(b"\x89PNG")
    web = "Le tarif de l'entrée adulte passera de 4,10 euros à 4,50 euros"
    citation, _ = quoting(documents_bot.ask(web + " ?"), web)
    assert citation is not None and citation.page is None
    assert documents_bot.page_images(citation) == []
