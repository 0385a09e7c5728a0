"""Term statistics: counted from texts, or read from a BM25 index, they agree."""

from __future__ import annotations

from index.lexical import LexicalIndex, analyze
from index.terms import chunk_statistics, chunk_vocabulary, count_terms
from ingest.models import Chunk

TEXTS = [
    "L'intelligence artificielle au service de la santé : 9,7 M€ pour le Health Data Hub.",
    "Les données de santé du SNDS, en 2019-2021, et l'IA.",
    "",
    "Santé, sante, SANTÉ : un même terme.",
]


def chunk(row: int, text: str) -> Chunk:
    return Chunk(id=f"c{row}", doc_id="rapport-dge", title="Rapport de la DGE", section=["Synthèse", "Données"],
                 page=None, start=0, end=len(text), text=text)


def test_document_frequencies_from_bm25_equal_counting_every_text():
    counted = count_terms(TEXTS, analyze)
    assert LexicalIndex.build(TEXTS).document_frequencies() == dict(counted.df)
    assert counted.df["sant"] == 3 and counted.n_docs == 4


def test_vocabulary_holds_text_and_label_words_folded():
    chunks = [chunk(row, text) for row, text in enumerate(TEXTS)]
    vocabulary = chunk_vocabulary(chunks)
    assert {"sante", "snds", "9", "synthese", "dge", "rapport"} <= vocabulary
    assert "santé" not in vocabulary
    assert chunk_statistics(chunks, analyze).vocabulary == vocabulary
