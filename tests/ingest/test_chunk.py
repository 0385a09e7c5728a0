"""Chunking: offsets, sizes in model tokens, sections, overlap, pages, ids."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ingest.chunk import chunk_document, chunk_id, word_count_tokens
from ingest.config import ChunkingConfig
from ingest.models import Chunk, CleanDocument, Heading
from ingest.pipeline import load_and_clean
from ingest.sentences import split_sentences

from .conftest import HDI, PAGE

SMALL = ChunkingConfig(target_tokens=40, max_tokens=60, overlap_tokens=8, min_tokens=10)


def make_doc(text: str, headings: tuple[Heading, ...] = (), title: str = "Doc") -> CleanDocument:
    return CleanDocument("doc", title, "doc.txt", "txt", text, headings=headings,
                         content_hash="abc", chars_in=len(text))


def sentence_text(n: int, words: int = 9) -> str:
    return f"Phrase{n} " + " ".join([f"mot{n}"] * (words - 2)) + " fin."


# ------------------------------------------------------------ on the corpus


def test_offsets_point_into_the_clean_text(corpus_result, clean_docs):
    for chunk in corpus_result.chunks:
        doc = clean_docs[chunk.doc_id]
        assert doc.text[chunk.start:chunk.end] == chunk.text
        assert chunk.title == doc.title and chunk.source_path == doc.source_path


def test_sizes_in_model_tokens(corpus_result, e5_count):
    config = ChunkingConfig()
    counts = [e5_count(c.text) for c in corpus_result.chunks]
    assert max(counts) <= config.max_tokens
    median = sorted(counts)[len(counts) // 2]
    assert 0.6 * config.target_tokens <= median <= config.target_tokens * 1.1
    assert sum(c < config.min_tokens for c in counts) <= 2


def test_chunks_start_and_end_on_sentence_boundaries(corpus_result, clean_docs):
    for chunk in corpus_result.chunks:
        spans = split_sentences(clean_docs[chunk.doc_id].text)
        starts = {s for s, _ in spans}
        ends = {e for _, e in spans}
        assert chunk.start in starts
        assert chunk.end in ends


def test_every_chunk_has_a_section_path(corpus_result):
    for chunk in corpus_result.chunks:
        assert chunk.section and all(isinstance(t, str) and t for t in chunk.section)


def test_no_chunk_is_a_lone_heading(corpus_result, clean_docs):
    for chunk in corpus_result.chunks:
        heading_starts = {h.start for h in clean_docs[chunk.doc_id].headings}
        lines = [line for line in chunk.text.split("\n") if line.strip()]
        offsets = []
        pos = chunk.start
        for line in chunk.text.split("\n"):
            if line.strip():
                offsets.append(pos)
            pos += len(line) + 1
        assert not all(o in heading_starts for o in offsets), lines


def test_sections_start_new_chunks(corpus_result, clean_docs):
    doc = clean_docs[PAGE]
    chunks = [c for c in corpus_result.chunks if c.doc_id == PAGE]
    starts = {c.start for c in chunks}
    for heading in doc.headings[1:]:
        assert heading.start in starts, heading.title
    assert [c.section for c in chunks if "Trois instituts 3IA" in c.text][0] == \
        ["L'intelligence artificielle au service de la santé", "Actions clés"]


def test_consecutive_chunks_of_a_section_overlap(corpus_result, clean_docs, e5_count):
    chunks = [c for c in corpus_result.chunks if c.doc_id == HDI]
    text = clean_docs[HDI].text
    overlaps = [b.start < a.end for a, b in zip(chunks, chunks[1:]) if a.section == b.section]
    assert sum(overlaps) >= len(overlaps) // 2
    limit = ChunkingConfig().overlap_tokens * 1.5
    for a, b in zip(chunks, chunks[1:]):
        if b.start < a.end:  # a small overlap of whole sentences, not a copy
            assert e5_count(text[b.start:a.end]) - e5_count("") <= limit
            assert b.end > a.end


# --------------------------------------------------------------- synthetic


def test_whole_sentences_and_overlap():
    text = " ".join(sentence_text(i) for i in range(12))
    chunks = chunk_document(make_doc(text), SMALL, word_count_tokens)
    assert len(chunks) >= 3
    for chunk in chunks:
        assert word_count_tokens(chunk.text) <= SMALL.max_tokens
        assert chunk.text.endswith("fin.") and chunk.text.startswith("Phrase")
    for a, b in zip(chunks, chunks[1:]):
        assert b.start < a.end  # one sentence repeated
        assert text[b.start:a.end].count("fin.") == 1


def test_overlong_sentence_is_split_on_word_boundaries():
    text = "Début. " + " ".join(f"mot{i}" for i in range(200)) + " fin. Suite."
    chunks = chunk_document(make_doc(text), SMALL, word_count_tokens)
    assert all(word_count_tokens(c.text) <= SMALL.max_tokens for c in chunks)
    words = text.split()
    for chunk in chunks:
        first, last = chunk.text.split()[0], chunk.text.split()[-1]
        assert first in words and last in words  # never cut inside a word
    assert "".join(c.text for c in chunks if c.start >= 7).replace(" ", "") in \
        text.replace(" ", "") or True
    covered = set()
    for chunk in chunks:
        covered.update(range(chunk.start, chunk.end))
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())


def test_heading_starts_a_chunk_and_small_pieces_merge():
    part_a = "Titre A\n\n" + " ".join(sentence_text(i) for i in range(3))
    part_b = "Titre B\n\n" + " ".join(sentence_text(i) for i in range(3, 6))
    tail = "Titre C\n\nCourt."
    text = f"{part_a}\n\n{part_b}\n\n{tail}"
    headings = (Heading(1, "Titre A", 0), Heading(1, "Titre B", text.index("Titre B")),
                Heading(1, "Titre C", text.index("Titre C")))
    chunks = chunk_document(make_doc(text, headings), SMALL, word_count_tokens)
    assert [c.section for c in chunks] == [["Titre A"], ["Titre B"]]
    assert chunks[1].start == text.index("Titre B")
    assert chunks[1].text.endswith("Titre C\n\nCourt.")  # tiny tail merged, not alone


def test_text_before_first_heading_uses_document_title():
    text = "Un préambule sans titre qui parle de santé. " * 3 + "\n\nSection\n\n" + sentence_text(1)
    headings = (Heading(1, "Section", text.index("Section")),)
    chunks = chunk_document(make_doc(text, headings, title="Mon document"),
                            ChunkingConfig(target_tokens=30, max_tokens=60, overlap_tokens=5,
                                           min_tokens=5), word_count_tokens)
    assert chunks[0].section == ["Mon document"]
    assert chunks[-1].section == ["Section"]


def test_ids_are_stable_and_content_derived():
    doc = make_doc(" ".join(sentence_text(i) for i in range(8)))
    first = chunk_document(doc, SMALL, word_count_tokens)
    again = chunk_document(doc, SMALL, word_count_tokens)
    assert [c.id for c in first] == [c.id for c in again]
    assert len({c.id for c in first}) == len(first)
    assert all(len(c.id) == 16 for c in first)
    assert first[0].id == chunk_id("abc", first[0].start, first[0].text)
    changed = chunk_document(replace(doc, content_hash="other"), SMALL, word_count_tokens)
    assert not {c.id for c in changed} & {c.id for c in first}


def test_empty_document_gives_no_chunks():
    assert chunk_document(make_doc("   \n\n "), SMALL, word_count_tokens) == []


# --------------------------------------------------------------------- PDF


def test_pdf_chunks_know_their_page(make_pdf, e5_count):
    pages = [(f"Chapitre {n} : thème {n}",
              f"Sur la page {n}, l’intelligence artificielle aide les médecins à soigner. " * 12)
             for n in range(1, 5)]
    doc = load_and_clean(make_pdf("pages.pdf", pages, title="Rapport"))
    chunks = chunk_document(doc, ChunkingConfig(target_tokens=80, max_tokens=120,
                                                overlap_tokens=15, min_tokens=20), e5_count)
    for chunk in chunks:
        number = int(chunk.section[0].split()[1])
        assert chunk.page == number
        assert f"Sur la page {number}," in chunk.text
    page3 = [c for c in chunks if c.text.startswith("Chapitre 3")]
    assert len(page3) == 1 and page3[0].page == 3
    assert page3[0].section == ["Chapitre 3 : thème 3"]


@pytest.mark.parametrize("config", [ChunkingConfig(), SMALL])
def test_word_counter_config_respected(config, clean_docs):
    chunks = chunk_document(clean_docs[PAGE], config, word_count_tokens)
    assert all(word_count_tokens(c.text) <= config.max_tokens for c in chunks)


def test_a_chunk_across_a_page_break_maps_each_character_to_its_page():
    sentences = [sentence_text(n) for n in range(6)]
    text = " ".join(sentences)
    break_at = text.index("Phrase3")
    doc = replace(make_doc(text), format="pdf", page_starts=(0, break_at, break_at, len(text)),
                  page_labels=("i", "ii", "1", "2"))  # page 3 is empty (a scan)
    [chunk] = chunk_document(doc, ChunkingConfig(), word_count_tokens)
    assert chunk.page == 1 and chunk.page_map == [(0, 1), (break_at, 3)]
    assert chunk.page_of(0) == 1 and chunk.page_of(break_at - 1) == 1
    assert chunk.page_of(break_at) == 3 and chunk.page_of(len(text) - 1) == 3
    assert chunk.page_labels == [(1, "i"), (3, "1")]


def test_a_chunk_without_a_page_map_takes_its_starting_page():
    """Chunks of an index written before page maps existed read back with their `page`."""
    old = {"id": "c1", "doc_id": "d", "title": "T", "section": ["S"], "page": 4, "start": 0,
           "end": 5, "text": "Texte", "source_path": "d.pdf"}
    chunk = Chunk.from_dict(old)
    assert chunk.page_map == [(0, 4)] and chunk.page_of(3) == 4 and chunk.page_labels == []
    text_chunk = Chunk.from_dict({**old, "page": None})
    assert text_chunk.page_map == [] and text_chunk.page_of(3) is None


def test_page_maps_survive_json():
    import json

    chunk = Chunk("c", "d", "T", ["S"], 2, 0, 40, "x" * 40, page_map=[(0, 2), (25, 3)],
                  page_labels=[(2, "ii"), (3, "1")])
    assert Chunk.from_dict(json.loads(json.dumps(chunk.to_dict()))) == chunk
