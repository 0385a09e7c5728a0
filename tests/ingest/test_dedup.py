"""Near-duplicate linking across documents."""

from __future__ import annotations

from ingest.dedup import link_duplicates, shingles
from ingest.models import Chunk

from .conftest import EXTRAITS, PAGE

SHARED = ("La France dispose dans le domaine de l'IA au profit de la santé d'un écosystème "
          "extrêmement dynamique composé à la fois d'équipes de recherche académique d'excellence "
          "et d'un réseau médical de renommée mondiale.")
OTHER = ("Les hôpitaux subissent des cyberattaques de plus en plus fréquentes qui paralysent "
         "les services d'urgence et retardent les soins des patients pendant plusieurs jours.")
FILLER = ("Un long texte sur un tout autre sujet, la météo de la semaine prochaine annonce de la "
          "pluie sur la côte et du soleil dans les montagnes du centre du pays. ") * 3


def chunk(cid: str, doc: str, text: str, start: int = 0) -> Chunk:
    return Chunk(cid, doc, doc, [doc], None, start, start + len(text), text)


def test_dge_excerpts_are_linked_to_the_full_page(corpus_result):
    by_id = {c.id: c for c in corpus_result.chunks}
    excerpts = [c for c in corpus_result.chunks if c.doc_id == EXTRAITS]
    linked = [c for c in excerpts if c.duplicate_of]
    assert len(linked) >= 0.8 * len(excerpts)
    for copy in linked:
        canonical = by_id[copy.duplicate_of]
        assert canonical.doc_id == PAGE
        assert copy.id in canonical.duplicates
        assert canonical.duplicate_of is None
    page_chunks = [c for c in corpus_result.chunks if c.doc_id == PAGE]
    assert not any(c.duplicate_of for c in page_chunks)


def test_only_the_dge_excerpts_have_duplicates(corpus_result):
    assert {c.doc_id for c in corpus_result.chunks if c.duplicate_of} == {EXTRAITS}


def test_copy_with_different_boundaries_is_linked_to_best_overlap():
    big = [chunk("b1", "big", FILLER + SHARED[:90]), chunk("b2", "big", SHARED[90:] + " " + OTHER, 500),
           chunk("b3", "big", FILLER, 1000)]
    small = [chunk("s1", "small", SHARED), chunk("s2", "small", FILLER.replace("pluie", "neige"), 300)]
    result = {c.id: c for c in link_duplicates(big + small)}
    assert result["s1"].duplicate_of in {"b1", "b2"}
    assert "s1" in result[result["s1"].duplicate_of].duplicates
    assert result["s2"].duplicate_of == "b3"  # same shingles as b1, but b3 is only that
    assert all(result[b].duplicate_of is None for b in ("b1", "b2", "b3"))


def test_unrelated_and_same_document_passages_are_not_linked():
    chunks = [chunk("a1", "a", SHARED + " " + FILLER), chunk("a2", "a", SHARED, 900),
              chunk("b1", "b", OTHER)]
    result = link_duplicates(chunks)
    assert all(c.duplicate_of is None and not c.duplicates for c in result)


def test_shared_minority_is_not_enough():
    chunks = [chunk("a1", "a", SHARED + " " + OTHER + " " + FILLER),
              chunk("b1", "b", SHARED + " " + FILLER.replace("la", "le").replace("du", "au"))]
    assert all(c.duplicate_of is None for c in link_duplicates(chunks))


def test_chains_point_to_the_root_and_input_is_untouched():
    text = SHARED + " " + OTHER
    chunks = [chunk("c1", "largest", text + " " + FILLER), chunk("m1", "middle", text + " fin."),
              chunk("s1", "smallest", text)]
    result = {c.id: c for c in link_duplicates(chunks)}
    assert result["m1"].duplicate_of == "c1"
    assert result["s1"].duplicate_of == "c1"
    assert sorted(result["c1"].duplicates) == ["m1", "s1"]
    assert all(c.duplicate_of is None and c.duplicates == [] for c in chunks)


def test_shingles_fold_case_and_accents():
    assert shingles("Élan de la Santé publique en France") == shingles("elan de la sante PUBLIQUE en france")
    assert len(shingles("un deux trois quatre cinq six")) == 2
