"""The files store: an index kept as versioned, verified files in one directory.

Readers follow the `CURRENT` pointer (see `layout.py`) and load a whole
version into memory (`reader.py`); builders hold the build lock, assemble the
new version (`index.store.planning`), write it under a temporary name and
publish it atomically (`writer.py`).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from index.config import EmbeddingConfig, StoreConfig
from index.dense import DenseIndex
from index.errors import REBUILD_HINT, IndexUnavailable
from index.lexical import ANALYZER_VERSION, LexicalIndex
from index.lock import build_lock
from index.store.files.layout import (
    CURRENT_FILE,
    TMP_PREFIX,
    VERSIONS_DIR,
    new_build_id,
    read_pointer,
)
from index.store.files.reader import FileSnapshot, check_model, open_version
from index.store.files.writer import collect_garbage, publish, remove_leftovers, write_version
from index.store.manifest import EmbeddingInfo, Manifest
from index.store.planning import (
    BuildInput,
    DocumentEntry,
    embed_passages,
    gather,
    hash_files,
    plan_update,
    rebuild_reason,
    report_up_to_date,
)
from index.store.protocol import CorpusIngester, ProgressCallback
from index.store.report import StageTimer, UpdateReport
from ingest.config import ChunkingConfig
from ingest.models import Chunk, CleanDocument

if TYPE_CHECKING:  # the embedder module loads heavy libraries; only its protocol is needed
    from index.embedder import Embedder

OPEN_ATTEMPTS = 3  # a version collected while being opened is retried on the new pointer


class FileStore:
    """An index in a directory of versioned files (the default backend)."""

    def __init__(
        self,
        index_dir: Path,
        *,
        lock_timeout: float = StoreConfig.lock_timeout,
        batch_size: int = EmbeddingConfig.batch_size,
    ) -> None:
        """`lock_timeout`: seconds a second builder waits before `IndexBusy`;
        `batch_size`: passages per embedding call."""
        self.index_dir = Path(index_dir)
        self.lock_timeout = lock_timeout
        self.batch_size = batch_size

    def describe(self) -> str:
        return str(self.index_dir)

    def exists(self) -> bool:
        return (self.index_dir / CURRENT_FILE).exists()

    def current_version(self) -> str | None:
        pointer = read_pointer(self.index_dir)
        return pointer[0] if pointer else None

    # ------------------------------------------------------------------ reading

    def open(self, *, expected_model_id: str | None = None) -> FileSnapshot:
        for _attempt in range(OPEN_ATTEMPTS):
            pointer = read_pointer(self.index_dir)
            if pointer is None:
                if self.exists():
                    raise IndexUnavailable(
                        f"Le pointeur de l'index {self.index_dir / CURRENT_FILE} est endommagé. "
                        f"{REBUILD_HINT}"
                    )
                raise IndexUnavailable(
                    f"Aucun index dans {self.index_dir}. Construisez-le avec `assistant ingest`."
                )
            build_id, manifest_sha = pointer
            try:
                snapshot = open_version(
                    self.index_dir / VERSIONS_DIR / build_id, build_id, manifest_sha
                )
            except FileNotFoundError:
                if read_pointer(self.index_dir) != pointer:
                    continue  # a newer version was published and this one collected: retry
                raise IndexUnavailable(
                    f"Il manque des fichiers à la version {build_id} de l'index {self.index_dir}. "
                    f"{REBUILD_HINT}"
                ) from None
            check_model(snapshot.manifest, self.index_dir, expected_model_id)
            return snapshot
        raise IndexUnavailable(
            f"L'index {self.index_dir} a changé pendant son ouverture ; réessayez."
        )

    # ------------------------------------------------------------------ building

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
        # Files are keyed by absolute path: a relative and an absolute spelling of
        # the same corpus folder must not look like different files.
        corpus_dir = Path(corpus_dir).resolve()
        timer = StageTimer()
        with build_lock(self.index_dir, self.lock_timeout):
            remove_leftovers(self.index_dir)
            report = UpdateReport(build_id="")
            with timer.stage("load"):
                hashes = hash_files(ingester.discover(corpus_dir), report)
                previous, reason = self._previous(embedder, ingester.chunking, rebuild)
            plan = plan_update(previous.manifest if previous else None, hashes, reason is None)
            report.full_rebuild = not plan.reusable
            report.rebuild_reason = reason
            if previous is not None and plan.nothing_to_do():
                report_up_to_date(plan, previous, report)
                report.seconds = timer.seconds
                report.amounts = timer.amounts
                return report
            build = gather(plan, previous, ingester, timer, report)
            reusable_previous = previous if previous is not None and plan.reusable else None
            report.build_id, report.chunks_embedded = self._write(
                build, reusable_previous, embedder, ingester.chunking, timer,
                previous_id=previous.version if previous else self.current_version(),
                on_progress=on_progress, show_progress=show_progress,
            )
            report.chunks_reused = len(build.reuse)
            report.chunk_count = len(build.chunks)
            report.seconds = timer.seconds
            report.amounts = timer.amounts
            return report

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
        """Chunks are stored as given (duplicate links included), grouped in the order
        of `documents`; document content hashes stand in for file hashes."""
        by_doc: dict[str, list[Chunk]] = {}
        for chunk in chunks:
            by_doc.setdefault(chunk.doc_id, []).append(chunk)
        unknown = set(by_doc) - {d.doc_id for d in documents}
        if unknown:
            raise ValueError(f"chunks refer to unknown documents: {sorted(unknown)}")
        build = BuildInput(
            entries=[
                DocumentEntry(d, d.source_path, d.content_hash, len(by_doc.get(d.doc_id, [])))
                for d in documents
            ],
            chunks=[c for d in documents for c in by_doc.get(d.doc_id, [])],
            reuse={},
        )
        with build_lock(self.index_dir, self.lock_timeout):
            remove_leftovers(self.index_dir)
            build_id, _ = self._write(
                build, None, embedder, chunking, StageTimer(),
                previous_id=self.current_version(),
                on_progress=on_progress, show_progress=show_progress,
            )
        return build_id

    def _previous(
        self, embedder: "Embedder", chunking: ChunkingConfig, rebuild: bool
    ) -> tuple[FileSnapshot | None, str | None]:
        """The current version if usable, and why its work cannot be reused (None when it can)."""
        if self.current_version() is None:
            return None, "pas encore d'index"
        try:
            previous = self.open()
        except IndexUnavailable as error:
            return None, f"index précédent inutilisable : {error}"
        if rebuild:
            return previous, "reconstruction demandée"
        return previous, rebuild_reason(previous.manifest, embedder, chunking)

    def _write(
        self,
        build: BuildInput,
        previous: FileSnapshot | None,
        embedder: "Embedder",
        chunking: ChunkingConfig,
        timer: StageTimer,
        *,
        previous_id: str | None,
        on_progress: ProgressCallback | None,
        show_progress: bool,
    ) -> tuple[str, int]:
        """Embed, index, write and publish a version; return (its id, passages embedded)."""
        if not build.chunks:
            raise ValueError(
                "Aucun passage à indexer : tous les documents ont été ignorés ou sont vides."
            )
        ids = [c.id for c in build.chunks]
        if len(set(ids)) != len(ids):
            raise ValueError("chunk ids are not unique")
        embedded = embed_passages(
            build.chunks, build.reuse, previous, embedder, batch_size=self.batch_size,
            on_progress=on_progress, show_progress=show_progress, timer=timer,
        )
        dense = DenseIndex.build(embedded.passages, np.arange(len(build.chunks), dtype=np.int64))
        with timer.stage("lexical"):
            lexical = LexicalIndex.build(c.text for c in build.chunks)
        build_id = new_build_id()
        manifest = Manifest(
            build_id=build_id,
            previous_build_id=previous_id,
            embedding=EmbeddingInfo(embedder.model_id, int(embedder.dim), int(embedder.max_tokens)),
            chunking=chunking,
            analyzer_version=ANALYZER_VERSION,
            chunk_count=len(build.chunks),
            sentence_count=len(embedded.sentences),
            documents=tuple(e.record() for e in build.entries),
            skipped=tuple(build.skipped),
        )
        versions = self.index_dir / VERSIONS_DIR
        versions.mkdir(parents=True, exist_ok=True)
        tmp_dir = versions / f"{TMP_PREFIX}{build_id}-{os.getpid()}"
        with timer.stage("write"):
            try:
                manifest_sha = write_version(
                    tmp_dir, manifest, build.entries, build.chunks, dense, lexical, embedded.sentences
                )
                publish(self.index_dir, tmp_dir, build_id, manifest_sha)
            except BaseException:
                shutil.rmtree(tmp_dir, ignore_errors=True)
                raise
            collect_garbage(self.index_dir, keep={build_id, previous_id or build_id})
        return build_id, embedded.embedded
