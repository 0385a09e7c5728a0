"""Open one version of the files store, verifying everything before trusting it.

`open_version` checks the manifest against the checksum recorded in
`CURRENT`, the format and analyser versions, the embedding model (when
asked), and the size and sha256 of every file, then loads the version fully
into memory (FAISS index, BM25 arrays, chunks, documents): once it returns,
the snapshot holds no file open. Anything wrong raises `IndexUnavailable`
saying what is wrong and how to rebuild; nothing is ever half-trusted. No
pickle: JSON, JSON Lines, FAISS's own format and `.npy` read with
`allow_pickle=False`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from index.dense import DenseIndex
from index.errors import REBUILD_HINT, IndexUnavailable
from index.lexical import ANALYZER_VERSION, LexicalIndex
from index.store.files.layout import CHUNKS, DENSE, DOCUMENTS, LEXICAL_DIR, MANIFEST, SENTENCES
from index.store.manifest import FORMAT_VERSION, Manifest, ManifestError
from index.store.planning import sentence_offsets
from index.store.records import document_from_dict
from index.terms import TermStatistics, chunk_vocabulary
from ingest.atomic import file_sha256, read_jsonl
from ingest.models import Chunk, CleanDocument


@dataclass(frozen=True)
class FileSnapshot:
    """One verified version of the files store, fully in memory. Row i of every part is chunk i."""

    manifest: Manifest
    chunks: Sequence[Chunk]
    documents: Mapping[str, CleanDocument]
    dense: DenseIndex
    lexical: LexicalIndex
    sentences: np.ndarray  # (n_sentences, dim), chunk by chunk
    sentence_starts: np.ndarray  # row of each chunk's first sentence, plus the total
    version: str
    path: Path

    @property
    def model_id(self) -> str:
        return self.manifest.model_id

    @property
    def chunk_count(self) -> int:
        return len(self.chunks)

    def chunks_at(self, rows: Sequence[int]) -> list[Chunk]:
        return [self.chunks[row] for row in rows]

    @cached_property
    def _rows_by_document(self) -> dict[str, list[int]]:
        rows: dict[str, list[int]] = {}
        for row, chunk in enumerate(self.chunks):
            rows.setdefault(chunk.doc_id, []).append(row)
        return rows

    @cached_property
    def _row_by_chunk_id(self) -> dict[str, int]:
        return {chunk.id: row for row, chunk in enumerate(self.chunks)}

    def rows_of_documents(self, doc_ids: Collection[str]) -> np.ndarray:
        rows = [row for doc in set(doc_ids) for row in self._rows_by_document.get(doc, [])]
        return np.asarray(sorted(rows), dtype=np.int64)

    def rows_of_chunks(self, chunk_ids: Collection[str]) -> dict[str, int]:
        by_id = self._row_by_chunk_id
        return {chunk_id: by_id[chunk_id] for chunk_id in chunk_ids if chunk_id in by_id}

    @cached_property
    def _term_statistics(self) -> TermStatistics:
        return TermStatistics(
            max(1, len(self.chunks)), self.lexical.document_frequencies(), frozenset(chunk_vocabulary(self.chunks))
        )

    def term_statistics(self) -> TermStatistics:
        """Document frequencies from the BM25 matrix, the vocabulary from the passages in
        memory, the first time it is asked for."""
        return self._term_statistics

    def search_dense(
        self, vector: np.ndarray, k: int, allowed_rows: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        return self.dense.search(vector, k, allowed_rows)

    def search_lexical(
        self, query: str, k: int, allowed_rows: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        return self.lexical.search(query, k, allowed_rows)

    def vectors(self, rows: Sequence[int]) -> np.ndarray:
        return self.dense.vectors_for(rows)

    def sentence_vectors(self, rows: Sequence[int]) -> list[np.ndarray]:
        starts = self.sentence_starts
        return [self.sentences[starts[row] : starts[row + 1]] for row in rows]


def check_model(manifest: Manifest, index_dir: Path, model_id: str | None) -> None:
    """`IndexUnavailable` when the version was built with another embedding model."""
    if model_id is not None and manifest.model_id != model_id:
        raise IndexUnavailable(
            f"L'index {index_dir} a été construit avec le modèle d'encodage "
            f"{manifest.model_id!r}, mais le modèle configuré est {model_id!r}. {REBUILD_HINT}"
        )


def damaged(index_dir: Path, what: str) -> IndexUnavailable:
    return IndexUnavailable(f"L'index {index_dir} est endommagé : {what}. {REBUILD_HINT}")


def open_version(version_dir: Path, build_id: str, manifest_sha: str) -> FileSnapshot:
    """Verify then load one version directory (FileNotFoundError if it vanished meanwhile)."""
    index_dir = version_dir.parent.parent
    if not version_dir.is_dir():
        raise FileNotFoundError(version_dir)
    manifest_bytes = (version_dir / MANIFEST).read_bytes()
    if hashlib.sha256(manifest_bytes).hexdigest() != manifest_sha:
        raise damaged(index_dir, f"{MANIFEST} ne correspond pas à sa somme de contrôle")
    try:
        data = json.loads(manifest_bytes)
        version = data["format_version"]
    except (ValueError, KeyError, TypeError) as error:
        raise damaged(index_dir, f"{MANIFEST} est illisible ({error})") from None
    if version != FORMAT_VERSION:
        raise IndexUnavailable(
            f"L'index {index_dir} est au format {version} ; ce programme lit le format "
            f"{FORMAT_VERSION}. {REBUILD_HINT}"
        )
    try:
        manifest = Manifest.from_dict(data)
    except ManifestError as error:
        raise damaged(index_dir, f"{MANIFEST} est illisible ({error})") from None
    if manifest.build_id != build_id:
        raise damaged(index_dir, "le manifeste appartient à une autre version")
    if manifest.analyzer_version != ANALYZER_VERSION:
        raise IndexUnavailable(
            f"L'index {index_dir} a été construit avec une autre version de l'analyseur "
            f"lexical français. {REBUILD_HINT}"
        )
    for name, expected in manifest.files.items():
        path = version_dir / name
        if not path.is_file():
            raise damaged(index_dir, f"{name} est absent")
        size = path.stat().st_size
        if size != expected.size:
            raise damaged(index_dir, f"{name} fait {size} octets au lieu de {expected.size}")
        if file_sha256(path) != expected.sha256:
            raise damaged(index_dir, f"{name} ne correspond pas à sa somme de contrôle")
    try:
        chunks = [Chunk.from_dict(row) for row in read_jsonl(version_dir / CHUNKS)]
        documents = {}
        for row in read_jsonl(version_dir / DOCUMENTS):
            doc = document_from_dict(row)
            documents[doc.doc_id] = doc
        dense = DenseIndex.load(version_dir / DENSE)
        lexical = LexicalIndex.load(version_dir / LEXICAL_DIR)
        sentences = np.load(version_dir / SENTENCES, allow_pickle=False)
    except FileNotFoundError:
        raise
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as error:
        raise damaged(index_dir, f"illisible ({error})") from None
    starts = sentence_offsets(chunks)
    if not len(chunks) == manifest.chunk_count == dense.size == lexical.num_rows \
            or dense.dim != manifest.embedding.dim \
            or sentences.shape != (int(starts[-1]), manifest.embedding.dim) \
            or sentences.shape[0] != manifest.sentence_count:
        raise damaged(index_dir, "ses parties ne s'accordent pas sur le nombre de passages ou les dimensions")
    return FileSnapshot(manifest, chunks, documents, dense, lexical, sentences, starts, build_id, version_dir)
