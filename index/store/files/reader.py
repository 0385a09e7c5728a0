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
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from index.dense import DenseIndex
from index.errors import REBUILD_HINT, IndexUnavailable
from index.lexical import ANALYZER_VERSION, LexicalIndex
from index.store.files.layout import CHUNKS, DENSE, DOCUMENTS, LEXICAL_DIR, MANIFEST
from index.store.manifest import FORMAT_VERSION, Manifest, ManifestError
from ingest.atomic import file_sha256, read_jsonl
from ingest.models import Chunk, CleanDocument, Heading


@dataclass(frozen=True)
class FileSnapshot:
    """One verified version of the files store, fully in memory. Row i of every part is chunk i."""

    manifest: Manifest
    chunks: Sequence[Chunk]
    documents: Mapping[str, CleanDocument]
    dense: DenseIndex
    lexical: LexicalIndex
    version: str
    path: Path

    @property
    def model_id(self) -> str:
        return self.manifest.model_id

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


def document_to_dict(doc: CleanDocument) -> dict:
    """A clean document as one line of `documents.jsonl`."""
    return asdict(doc)


def document_from_dict(data: dict) -> CleanDocument:
    """The inverse of `document_to_dict` (extra keys such as `file_hash` ignored)."""
    return CleanDocument(
        doc_id=data["doc_id"],
        title=data["title"],
        source_path=data["source_path"],
        format=data["format"],
        text=data["text"],
        page_starts=tuple(data.get("page_starts", ())),
        headings=tuple(Heading(**h) for h in data.get("headings", ())),
        footnotes=tuple(data.get("footnotes", ())),
        content_hash=data.get("content_hash", ""),
        chars_in=data.get("chars_in", 0),
        page_labels=tuple(data.get("page_labels", ())),
        image_only_pages=tuple(data.get("image_only_pages", ())),
    )


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
    except FileNotFoundError:
        raise
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as error:
        raise damaged(index_dir, f"illisible ({error})") from None
    if not len(chunks) == manifest.chunk_count == dense.size == lexical.num_rows \
            or dense.dim != manifest.embedding.dim:
        raise damaged(index_dir, "ses parties ne s'accordent pas sur le nombre de passages ou les dimensions")
    return FileSnapshot(manifest, chunks, documents, dense, lexical, build_id, version_dir)
