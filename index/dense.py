"""Exact dense search over L2-normalised passage vectors with FAISS.

The index is `IndexIDMap2(IndexFlatIP(dim))`: brute-force inner product (equal
to cosine on normalised vectors) with int64 ids = row numbers of the chunks in
`chunks.jsonl`. `IndexIDMap2` also keeps the id → vector map, so the vectors
can be reconstructed to reuse them when only some documents change.

Scaling note: flat search is exact and linear in the number of chunks. With
384-dimensional vectors one query costs ~0.2 ms at 2 k chunks, ~2.5 ms at
20 k and ~20-30 ms at 100 k on one core of the 2-core dev machine (measured
with other jobs running), so it stays the default up to roughly 100 k chunks
(~150 MB of vectors). Beyond that, switch to an approximate index:
`IndexHNSWFlat` (sub-millisecond queries at high recall, no training; costs a
graph of M links per vector on top of the vectors, slow to build, no removal)
or `IndexIVFFlat` / `IndexIVFPQ` (needs a training pass on a sample; `nprobe`
trades recall for speed; PQ also compresses the vectors at some loss of
precision). Both give up the guarantee of exact results.

Threads: a single query is faster on one thread (OpenMP start-up costs more
than it saves on small indexes and several readers share the cores), so
loading an index sets FAISS to one thread; bulk work (building, reconstructing)
runs inside `all_cores()`, which restores the previous setting afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import faiss
import numpy as np


@contextmanager
def all_cores() -> Iterator[None]:
    """Let FAISS use every core inside the block (batch work)."""
    previous = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(previous)


def _as_matrix(vectors: np.ndarray, dim: int | None = None) -> np.ndarray:
    """A C-contiguous float32 (n, dim) matrix, checking the width when given."""
    matrix = np.ascontiguousarray(vectors, dtype=np.float32)
    if matrix.ndim == 1:
        matrix = matrix.reshape(1, -1)
    if matrix.ndim != 2 or (dim is not None and matrix.shape[1] != dim):
        raise ValueError(f"expected vectors of dimension {dim}, got shape {vectors.shape}")
    return matrix


class DenseIndex:
    """Exact inner-product search; ids are chunk row numbers."""

    def __init__(self, index: faiss.IndexIDMap2) -> None:
        self._index = index

    @property
    def dim(self) -> int:
        return int(self._index.d)

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    @classmethod
    def build(
        cls, vectors: np.ndarray, ids: np.ndarray | Sequence[int] | None = None
    ) -> "DenseIndex":
        """Index `vectors` (n, dim) under `ids` (default: 0..n-1)."""
        matrix = _as_matrix(vectors)
        if ids is None:
            ids = np.arange(matrix.shape[0], dtype=np.int64)
        id_array = np.ascontiguousarray(ids, dtype=np.int64)
        if id_array.shape != (matrix.shape[0],):
            raise ValueError("need exactly one id per vector")
        if np.unique(id_array).size != id_array.size:
            raise ValueError("ids must be unique")
        index = faiss.IndexIDMap2(faiss.IndexFlatIP(matrix.shape[1]))
        with all_cores():
            index.add_with_ids(matrix, id_array)
        return cls(index)

    def search(
        self,
        query_vec: np.ndarray,
        k: int,
        allowed_ids: np.ndarray | Sequence[int] | None = None,
    ) -> list[tuple[int, float]]:
        """Best `k` (row, inner product) pairs, best first.

        `allowed_ids` restricts the search to those rows (FAISS `IDSelectorBatch`,
        evaluated inside the scan, so `k` results come back whenever that many
        rows are allowed).
        """
        if k <= 0 or self.size == 0:
            return []
        query = _as_matrix(query_vec, self.dim)[:1]
        params = None
        if allowed_ids is not None:
            allowed = np.ascontiguousarray(allowed_ids, dtype=np.int64)
            if allowed.size == 0:
                return []
            selector = faiss.IDSelectorBatch(allowed)
            params = faiss.SearchParameters(sel=selector)
            k = min(k, int(allowed.size))
        k = min(k, self.size)
        scores, ids = self._index.search(query, k, params=params)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]

    @property
    def ids(self) -> np.ndarray:
        """The ids stored, in insertion order."""
        return faiss.vector_to_array(self._index.id_map).astype(np.int64)

    @property
    def vectors(self) -> np.ndarray:
        """All vectors, (size, dim), row i holding the vector of id i.

        Requires ids 0..size-1 (how the store builds indexes).
        """
        with all_cores():
            return self._index.reconstruct_n(0, self.size)

    def vectors_for(self, ids: np.ndarray | Sequence[int]) -> np.ndarray:
        """The vectors of some ids, in the order given."""
        id_array = np.ascontiguousarray(ids, dtype=np.int64)
        if id_array.size == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._index.reconstruct_batch(id_array)

    def save(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path) -> "DenseIndex":
        """Read an index written by `save`; sets FAISS to one thread for queries."""
        index = faiss.read_index(str(path))
        if not isinstance(index, faiss.IndexIDMap2):
            raise ValueError(f"{path} holds a {type(index).__name__}, expected IndexIDMap2")
        faiss.omp_set_num_threads(1)
        return cls(index)
