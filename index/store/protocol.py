"""What the assistant needs from an index, whatever holds it: the store interface.

An `IndexStore` is one index (the index of one corpus) that builds are
published to, one immutable version at a time. An `IndexSnapshot` is one
version, open for reading: a question is answered from one snapshot from
start to end, even while a new version is being published.

Backends: `index.store.files.FileStore` (a directory of versioned files, the
default) and `index.store.postgres.PostgresStore` (PostgreSQL + pgvector, one
database many replicas share), chosen in `index.store.open_store` from
`StoreConfig`; nothing in `assistant/` names a backend.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from index.store.manifest import Manifest
from index.store.report import UpdateReport
from index.terms import TermStatistics
from ingest.config import ChunkingConfig
from ingest.models import Chunk, CleanDocument

if TYPE_CHECKING:  # the embedder module loads heavy libraries; only its protocol is needed
    from index.embedder import Embedder
    from ingest.pipeline import StageClock

ProgressCallback = Callable[[int], None]  # receives the number of passages embedded so far


class CorpusIngester(Protocol):
    """What a store needs from the ingestion stage (`ingest.pipeline.Ingester`), one file at a time."""

    @property
    def chunking(self) -> ChunkingConfig: ...

    def discover(self, corpus_dir: Path) -> list[Path]:
        """Candidate document files of a corpus folder (metadata files excluded)."""
        ...

    def load(self, path: Path, clock: StageClock | None = None) -> CleanDocument:
        """Load and clean one file; raise `ingest.errors.LoadError` if it cannot be used.

        `clock` times the reading as stage `load` and the cleaning as stage `clean`."""
        ...

    def chunk(self, document: CleanDocument) -> list[Chunk]:
        """Cut one clean document into chunks."""
        ...

    def link_duplicates(self, chunks: list[Chunk]) -> list[Chunk]:
        """Mark near-duplicate chunks across documents (same order, same length)."""
        ...


class IndexSnapshot(Protocol):
    """One published version of an index, open for reading. Row i is `chunks[i]`.

    `chunks` and `documents` may be lazy (a database backend fetches what is
    asked for): going through all of them reads the whole version, which
    builds and summaries do but the answer path must not. Questions use the
    by-row and by-id look-ups below, whose cost does not grow with the index.
    """

    @property
    def version(self) -> str: ...

    @property
    def manifest(self) -> Manifest: ...

    @property
    def chunks(self) -> Sequence[Chunk]: ...

    @property
    def documents(self) -> Mapping[str, CleanDocument]: ...

    @property
    def model_id(self) -> str: ...

    @property
    def chunk_count(self) -> int:
        """Number of passages (rows) in this version."""
        ...

    def chunks_at(self, rows: Sequence[int]) -> list[Chunk]:
        """The passages of some rows, in the order given (one round trip for a database)."""
        ...

    def rows_of_documents(self, doc_ids: Collection[str]) -> np.ndarray:
        """Sorted rows of the passages of some documents (unknown ids: none)."""
        ...

    def rows_of_chunks(self, chunk_ids: Collection[str]) -> dict[str, int]:
        """chunk id → row, for the ids this version holds."""
        ...

    def term_statistics(self) -> TermStatistics:
        """Document frequencies of analysed terms and the index's words (see `index.terms`)."""
        ...

    def search_dense(
        self, vector: np.ndarray, k: int, allowed_rows: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Best `k` (row, cosine) pairs, best first, among `allowed_rows` (None: all)."""
        ...

    def search_lexical(
        self, query: str, k: int, allowed_rows: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Best `k` (row, BM25 score) pairs with a positive score, best first."""
        ...

    def vectors(self, rows: Sequence[int]) -> np.ndarray:
        """The stored passage vectors of some rows, in the order given."""
        ...

    def sentence_vectors(self, rows: Sequence[int]) -> list[np.ndarray]:
        """For each row, in the order given, the vectors of its chunk's sentences
        (one per `chunks[row].sentences`, shape (n_sentences, dim))."""
        ...


class IndexStore(Protocol):
    """One index that versions are built into and published from."""

    def describe(self) -> str:
        """Where the index lives, for messages (a folder, a database collection)."""
        ...

    def exists(self) -> bool:
        """True when something was published here, usable or not (cheap)."""
        ...

    def current_version(self) -> str | None:
        """The published version's id, or None when there is none (cheap: asked before every question)."""
        ...

    def open(self, *, expected_model_id: str | None = None) -> IndexSnapshot:
        """The published version, verified; `IndexUnavailable` when missing, damaged or built with another model."""
        ...

    def update(
        self,
        corpus_dir: Path,
        ingester: CorpusIngester,
        embedder: "Embedder",
        *,
        rebuild: bool = False,
        on_progress: ProgressCallback | None = None,
        show_progress: bool = False,
    ) -> UpdateReport:
        """Bring the index in line with the files of `corpus_dir` and publish the result.

        Incremental unless `rebuild` (or the model or chunker settings changed);
        only one builder at a time (`IndexBusy` for the other). The previous
        version stays readable until the new one is published.
        """
        ...

    def build(
        self,
        documents: Sequence[CleanDocument],
        chunks: Sequence[Chunk],
        embedder: "Embedder",
        chunking: ChunkingConfig,
        *,
        on_progress: ProgressCallback | None = None,
        show_progress: bool = False,
    ) -> str:
        """Publish a full build from already-ingested documents and chunks; return its version id."""
        ...
