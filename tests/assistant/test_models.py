"""Citations know the page of their quote: its first character, every page it spans, the label."""

from __future__ import annotations

from assistant.models import Citation, ScoredPassage

TEXT = ("La collecte a progressé de 2,3 %. La formation a représenté 6 200 heures, principalement "
        "consacrées à l'hygiène. Onze salariés ont été formés.")
BREAK = TEXT.index("consacrées")


def passage(**changes) -> ScoredPassage:
    values = dict(chunk_id="c1", doc_id="rapport", title="Rapport", section="Partie 2", page=5,
                  text=TEXT, score=0.8, start=100, end=100 + len(TEXT),
                  page_map=[(0, 5), (BREAK, 6)], page_labels=[(5, "3"), (6, "4")])
    values.update(changes)
    return ScoredPassage(**values)


def span(sentence: str) -> tuple[int, int]:
    start = TEXT.index(sentence)
    return start, start + len(sentence)


def test_a_quote_takes_the_page_of_its_first_character_not_of_its_passage():
    last = span("Onze salariés ont été formés.")
    citation = Citation.quoting(1, passage(), [last])
    assert citation.page == 6 and citation.pages == [6] and citation.page_label == "4"


def test_a_quote_across_a_page_break_lists_both_pages():
    across = span("La formation a représenté 6 200 heures, principalement consacrées à l'hygiène.")
    citation = Citation.quoting(1, passage(), [across])
    assert citation.page == 5 and citation.pages == [5, 6] and citation.page_label == "3"


def test_several_spans_list_every_page_once():
    citation = Citation.quoting(1, passage(), [span("La collecte a progressé de 2,3 %."),
                                                span("Onze salariés ont été formés.")])
    assert citation.page == 5 and citation.pages == [5, 6]


def test_text_sources_have_no_page():
    citation = Citation.quoting(1, passage(page=None, page_map=[], page_labels=[]),
                                [span("Onze salariés ont été formés.")])
    assert citation.page is None and citation.pages == [] and citation.page_label is None


def test_a_passage_from_an_old_index_cites_its_starting_page():
    citation = Citation.quoting(1, passage(page_map=[], page_labels=[]), [span("Onze salariés ont été formés.")])
    assert citation.page == 5 and citation.pages == [5] and citation.page_label is None
