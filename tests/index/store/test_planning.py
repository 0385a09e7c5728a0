"""Incremental planning, for any backend: what changed, what to reuse, when to rebuild everything."""

from __future__ import annotations

import numpy as np
import pytest

from index.store.manifest import DocumentRecord, EmbeddingInfo, Manifest, SkipRecord
from index.store.planning import checked_vectors, plan_update, rebuild_reason
from ingest.config import ChunkingConfig
from tests.fakes import KeywordEmbedder


def previous() -> Manifest:
    return Manifest(
        build_id="v1",
        embedding=EmbeddingInfo("fake/keywords", 3, 512),
        chunking=ChunkingConfig(),
        chunk_count=4,
        documents=(
            DocumentRecord("a", "A", "/c/a.md", "/c/a.md", "md", "hash-a", 2),
            DocumentRecord("b", "B", "/c/b.md", "/c/b.md", "md", "hash-b", 2),
            DocumentRecord("gone", "G", "/c/gone.md", "/c/gone.md", "md", "hash-g", 0),
        ),
        skipped=(SkipRecord("/c/scan.pdf", "hash-s", "no text layer"),),
    )


def test_each_file_gets_its_status():
    hashes = {"/c/a.md": "hash-a", "/c/b.md": "hash-b2", "/c/new.md": "hash-n", "/c/scan.pdf": "hash-s"}
    plan = plan_update(previous(), hashes, reusable=True)
    assert plan.status == {"/c/a.md": "unchanged", "/c/b.md": "changed", "/c/new.md": "added",
                           "/c/scan.pdf": "skipped"}
    assert plan.removed == ["gone"]
    assert [k for k in hashes if plan.must_ingest(k)] == ["/c/b.md", "/c/new.md"]
    assert not plan.nothing_to_do()


def test_nothing_to_do_when_only_known_files_are_there():
    hashes = {"/c/a.md": "hash-a", "/c/b.md": "hash-b", "/c/gone.md": "hash-g", "/c/scan.pdf": "hash-s"}
    assert plan_update(previous(), hashes, reusable=True).nothing_to_do()
    # A full rebuild ingests everything, the file skipped before included.
    full = plan_update(previous(), hashes, reusable=False)
    assert not full.nothing_to_do() and all(full.must_ingest(k) for k in hashes)


def test_a_changed_model_or_chunker_means_nothing_is_reusable():
    embedder = KeywordEmbedder(["a", "b"])  # dim 3, "fake/keywords"
    assert rebuild_reason(previous(), embedder, ChunkingConfig()) is None
    assert "réglages de découpage" in rebuild_reason(previous(), embedder, ChunkingConfig(min_tokens=5))
    other = KeywordEmbedder(["a", "b", "c"], model_id="fake/other")
    assert "fake/keywords (3d) → fake/other (4d)" in rebuild_reason(previous(), other, ChunkingConfig())


def test_vectors_are_checked_and_normalised():
    vectors = checked_vectors(np.array([[3.0, 4.0]]), 1, 2)
    assert np.allclose(vectors, [[0.6, 0.8]])
    with pytest.raises(ValueError, match="shape"):
        checked_vectors(np.ones((2, 3)), 2, 2)
    with pytest.raises(ValueError, match="non-finite"):
        checked_vectors(np.array([[np.nan, 1.0]]), 1, 2)
