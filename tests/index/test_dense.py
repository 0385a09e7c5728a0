"""Exact FAISS search compared with brute force in numpy."""

from __future__ import annotations

import os

import faiss
import numpy as np
import pytest

from index.dense import DenseIndex, all_cores


def normalised(rng: np.random.Generator, n: int, dim: int) -> np.ndarray:
    vectors = rng.standard_normal((n, dim)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def brute_force(vectors: np.ndarray, query: np.ndarray, k: int, rows=None) -> list[int]:
    scores = vectors @ query
    candidates = np.arange(len(vectors)) if rows is None else np.asarray(rows)
    order = candidates[np.argsort(-scores[candidates], kind="stable")]
    return order[:k].tolist()


@pytest.fixture
def data():
    rng = np.random.default_rng(7)
    return normalised(rng, 600, 48), normalised(rng, 20, 48)


def test_exact_search_equals_brute_force(data):
    vectors, queries = data
    index = DenseIndex.build(vectors)
    for query in queries:
        hits = index.search(query, 10)
        assert [row for row, _ in hits] == brute_force(vectors, query, 10)
        expected_scores = vectors[[row for row, _ in hits]] @ query
        np.testing.assert_allclose([s for _, s in hits], expected_scores, rtol=1e-5, atol=1e-6)
        assert all(a[1] >= b[1] for a, b in zip(hits, hits[1:]))


def test_filter_by_allowed_ids_searches_only_those_rows(data):
    vectors, queries = data
    index = DenseIndex.build(vectors)
    allowed = np.arange(0, 600, 7)  # 86 rows spread over the index
    for query in queries[:5]:
        hits = index.search(query, 10, allowed_ids=allowed)
        assert [row for row, _ in hits] == brute_force(vectors, query, 10, rows=allowed)
    # Fewer allowed rows than k: all of them come back, nothing else.
    few = np.array([3, 150, 599])
    hits = index.search(queries[0], 10, allowed_ids=few)
    assert sorted(row for row, _ in hits) == [3, 150, 599]
    assert index.search(queries[0], 10, allowed_ids=np.array([], dtype=np.int64)) == []


def test_k_larger_than_index_and_non_positive_k(data):
    vectors, queries = data
    index = DenseIndex.build(vectors[:5])
    hits = index.search(queries[0], 50)
    assert sorted(row for row, _ in hits) == [0, 1, 2, 3, 4]
    assert index.search(queries[0], 0) == []


def test_query_of_wrong_dimension_is_rejected(data):
    vectors, _ = data
    index = DenseIndex.build(vectors)
    with pytest.raises(ValueError, match="dimension 48"):
        index.search(np.ones(12, dtype=np.float32), 3)


def test_build_rejects_duplicate_or_missing_ids(data):
    vectors, _ = data
    with pytest.raises(ValueError, match="unique"):
        DenseIndex.build(vectors[:3], ids=[0, 1, 1])
    with pytest.raises(ValueError, match="one id per vector"):
        DenseIndex.build(vectors[:3], ids=[0, 1])


def test_vectors_are_reconstructed_by_id_whatever_the_insertion_order(data):
    vectors, _ = data
    order = np.random.default_rng(1).permutation(len(vectors))
    index = DenseIndex.build(vectors[order], ids=order)
    np.testing.assert_array_equal(index.vectors, vectors)
    np.testing.assert_array_equal(index.vectors_for([42, 7]), vectors[[42, 7]])
    assert index.vectors_for([]).shape == (0, 48)


def test_save_load_roundtrip(tmp_path, data):
    vectors, queries = data
    index = DenseIndex.build(vectors)
    path = tmp_path / "dense.faiss"
    index.save(path)
    with all_cores():
        loaded = DenseIndex.load(path)
        # Loading switches FAISS to one thread for single queries...
        assert faiss.omp_get_max_threads() == 1
    assert (loaded.size, loaded.dim) == (600, 48)
    np.testing.assert_array_equal(loaded.vectors, vectors)
    for query in queries[:5]:
        assert loaded.search(query, 8) == index.search(query, 8)


def test_all_cores_restores_the_previous_thread_count():
    faiss.omp_set_num_threads(1)
    with all_cores():
        inside = faiss.omp_get_max_threads()
    assert faiss.omp_get_max_threads() == 1
    assert inside == (os.cpu_count() or 1)


def test_load_rejects_another_index_type(tmp_path):
    path = tmp_path / "flat.faiss"
    faiss.write_index(faiss.IndexFlatIP(4), str(path))
    with pytest.raises(ValueError, match="IndexIDMap2"):
        DenseIndex.load(path)
