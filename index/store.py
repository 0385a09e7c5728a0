"""The index directory: versioned, verified, atomically published builds.

Layout::

    <index_dir>/
        CURRENT                  "<build-id> <sha256 of its manifest.json>"
        build.lock               held by the one running build (index/lock.py)
        versions/
            <build-id>/          one complete, immutable build
                manifest.json    format, model, chunker settings, documents,
                                 sha256 + size of every other file below
                chunks.jsonl     one `Chunk.to_dict()` per line; line i = row i
                documents.jsonl  one clean document per line (text included)
                dense.faiss      FAISS IndexIDMap2(IndexFlatIP), ids = rows
                bm25/            bm25s arrays (.npy) + JSON vocabulary/params
            .tmp-<build-id>-<pid>/   a build in progress (or left by a crash)

Why this design: a build writes a new version directory under a temporary
name, fsyncs every file, renames it to `versions/<build-id>` (atomic) and only
then atomically replaces `CURRENT` (temp file + fsync + `os.replace`). Readers
only follow `CURRENT`, so they see either the old build or the new one, never a
mix. A crash or SIGKILL at any point leaves `CURRENT` naming the previous,
complete build; what it leaves behind (a `.tmp-*` directory, a temp `CURRENT`
file, a renamed but unpublished version) is removed by the next build, which
runs under the build lock so it cannot delete another builder's work.

Old versions are garbage-collected after each publish, keeping the current and
the previous build. Readers load a snapshot entirely into memory (FAISS index,
BM25 arrays, chunks, documents), so once `open_index` returns they hold no
files; if a version disappears while being read (two builds completed during
one open), `open_index` retries on the new `CURRENT`.

`open_index` verifies the format version, the embedding model (when asked),
the manifest's own checksum (recorded in `CURRENT`) and the checksum and size
of every file before trusting anything, and raises `IndexUnavailable` with what
is wrong and how to rebuild. No pickle anywhere: JSON, JSON Lines, FAISS's
own format and `.npy` arrays read with `allow_pickle=False`.

`update_index` is incremental: per-file sha256 of raw bytes against the
manifest; unchanged documents keep their chunks and vectors (read back from the
old FAISS index), changed and new files are re-ingested and their new
passages embedded (a passage whose exact text was already indexed keeps its
vector), deleted ones disappear, and near-duplicate links are recomputed over
the whole chunk set. A different embedding model or chunker setting forces a
full rebuild. Files that were skipped (unreadable, too large...) are remembered
with their hash and not retried until they change or a full rebuild runs.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import os
import re
import secrets
import shutil
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import faiss
import numpy as np
from tqdm import tqdm

from index.dense import DenseIndex, all_cores
from index.lexical import ANALYZER_VERSION, LexicalIndex
from index.lock import IndexBusy, build_lock
from ingest.chunk import chunk_document
from ingest.dedup import link_duplicates
from ingest.models import Chunk, ChunkingConfig, CleanDocument, Heading, Skipped
from ingest.pipeline import LoadError, discover_files, load_and_clean

if TYPE_CHECKING:  # the embedder module loads heavy libraries; only its protocol is needed
    from index.embedder import Embedder

__all__ = [
    "FORMAT_VERSION",
    "IndexBusy",
    "IndexSnapshot",
    "IndexUnavailable",
    "Ingester",
    "PipelineIngester",
    "SkipFile",
    "UpdateReport",
    "build_index",
    "current_build_id",
    "file_sha256",
    "has_index",
    "open_index",
    "update_index",
]

FORMAT_VERSION = 1
CURRENT_FILE = "CURRENT"
VERSIONS_DIR = "versions"
TMP_PREFIX = ".tmp-"
MANIFEST = "manifest.json"
CHUNKS = "chunks.jsonl"
DOCUMENTS = "documents.jsonl"
DENSE = "dense.faiss"
LEXICAL_DIR = "bm25"

log = logging.getLogger(__name__)

REBUILD_HINT = "Rebuild it with `assistant ingest --rebuild`."
_BUILD_ID = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{8}$")
_HASH_BLOCK = 1 << 20


# --------------------------------------------------------------------------- errors


class IndexUnavailable(RuntimeError):
    """No usable index: missing, damaged, or built for another model/format."""


class SkipFile(Exception):
    """Raised by an `Ingester` for a file it cannot use; the message is the reason."""


# --------------------------------------------------------------------------- ingestion seam


class Ingester(Protocol):
    """What the store needs from the ingestion stage, one file at a time."""

    def discover(self, corpus_dir: Path) -> list[Path]:
        """Candidate document files of a corpus folder (metadata files excluded)."""

    def load(self, path: Path) -> CleanDocument:
        """Load and clean one file; raise `SkipFile(reason)` if it cannot be used."""

    def chunk(
        self, doc: CleanDocument, chunking: ChunkingConfig, count_tokens: Callable[[str], int]
    ) -> list[Chunk]:
        """Cut one clean document into chunks."""

    def link_duplicates(self, chunks: list[Chunk]) -> list[Chunk]:
        """Mark near-duplicate chunks across documents (same order, same length)."""


class PipelineIngester:
    """The project's ingestion stage (`ingest.pipeline`, `ingest.chunk`, `ingest.dedup`).

    Same rules as `ingest_corpus`, applied one file at a time so that unchanged
    files are never parsed: metadata files (`SOURCES.md`, `README*`, hidden)
    are not documents, titles may come from `SOURCES.md`, bad files and
    unexpected errors become skip reasons instead of stopping the run.
    """

    def __init__(
        self,
        *,
        max_file_mb: float = 60.0,
        max_pdf_pages: int = 2000,
        max_seconds_per_document: float = 120.0,
    ) -> None:
        self.max_file_mb = max_file_mb
        self.max_pdf_pages = max_pdf_pages
        self.max_seconds_per_document = max_seconds_per_document

    def discover(self, corpus_dir: Path) -> list[Path]:
        if not corpus_dir.is_dir():
            raise FileNotFoundError(f"corpus folder not found: {corpus_dir}")
        return discover_files(corpus_dir)

    def load(self, path: Path) -> CleanDocument:
        try:
            document = load_and_clean(
                path,
                max_file_mb=self.max_file_mb,
                max_pdf_pages=self.max_pdf_pages,
                max_seconds_per_document=self.max_seconds_per_document,
            )
        except LoadError as error:
            raise SkipFile(error.reason) from None
        except Exception as error:  # a bug in one loader must not stop the whole corpus
            log.exception("unexpected error while ingesting %s", path)
            raise SkipFile(f"unexpected error: {type(error).__name__}: {error}") from None
        if not document.text.strip():
            raise SkipFile("no text left after cleaning")
        return document

    def chunk(
        self, doc: CleanDocument, chunking: ChunkingConfig, count_tokens: Callable[[str], int]
    ) -> list[Chunk]:
        return chunk_document(doc, chunking, count_tokens)

    def link_duplicates(self, chunks: list[Chunk]) -> list[Chunk]:
        return link_duplicates(chunks)


# --------------------------------------------------------------------------- snapshot


@dataclass(frozen=True)
class IndexSnapshot:
    """One verified build, fully in memory. Row i of every part is chunk i."""

    manifest: dict[str, Any]
    chunks: list[Chunk]
    documents: dict[str, CleanDocument]
    dense: DenseIndex
    lexical: LexicalIndex
    version: str
    path: Path

    @property
    def model_id(self) -> str:
        return str(self.manifest["embedding"]["model_id"])


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def current_build_id(index_dir: Path) -> str | None:
    """Build id `CURRENT` points to, or None when there is no index (cheap: one small read)."""
    pointer = _read_pointer(Path(index_dir))
    return pointer[0] if pointer else None


def has_index(index_dir: Path) -> bool:
    """True when `index_dir` holds a `CURRENT` pointer, valid or not (cheap)."""
    return (Path(index_dir) / CURRENT_FILE).exists()


def _read_pointer(index_dir: Path) -> tuple[str, str] | None:
    try:
        fields = (index_dir / CURRENT_FILE).read_text(encoding="ascii").split()
    except (OSError, UnicodeDecodeError):
        return None
    if len(fields) != 2 or not _BUILD_ID.match(fields[0]):
        return None
    return fields[0], fields[1]


def open_index(
    index_dir: Path,
    *,
    expected_model_id: str | None = None,
    expected_dim: int | None = None,
) -> IndexSnapshot:
    """Load and verify the current build of `index_dir`.

    Raises `IndexUnavailable` (never returns a partially valid index) when the
    index is missing or damaged, or was built with another model.
    """
    index_dir = Path(index_dir)
    for _attempt in range(3):
        pointer = _read_pointer(index_dir)
        if pointer is None:
            if (index_dir / CURRENT_FILE).exists():
                raise IndexUnavailable(
                    f"The index pointer {index_dir / CURRENT_FILE} is damaged. {REBUILD_HINT}"
                )
            raise IndexUnavailable(
                f"No index found in {index_dir}. Build it with `assistant ingest`."
            )
        build_id, manifest_sha = pointer
        version_dir = index_dir / VERSIONS_DIR / build_id
        try:
            snapshot = _load_version(version_dir, build_id, manifest_sha)
        except FileNotFoundError:
            if _read_pointer(index_dir) != pointer:
                continue  # a newer build was published and this one collected: retry
            raise IndexUnavailable(
                f"The index build {build_id} in {index_dir} is missing files. {REBUILD_HINT}"
            ) from None
        _check_model(snapshot.manifest, expected_model_id, expected_dim)
        return snapshot
    raise IndexUnavailable(f"The index in {index_dir} kept changing while being opened; retry.")


def _check_model(manifest: dict[str, Any], model_id: str | None, dim: int | None) -> None:
    built_with = manifest["embedding"]
    if model_id is not None and built_with["model_id"] != model_id:
        raise IndexUnavailable(
            f"The index was built with the embedding model {built_with['model_id']!r}, "
            f"but the configured model is {model_id!r}. {REBUILD_HINT}"
        )
    if dim is not None and int(built_with["dim"]) != dim:
        raise IndexUnavailable(
            f"The index holds {built_with['dim']}-dimensional vectors, the embedding model "
            f"produces {dim}. {REBUILD_HINT}"
        )


def _damaged(version_dir: Path, what: str) -> IndexUnavailable:
    index_dir = version_dir.parent.parent
    return IndexUnavailable(f"The index in {index_dir} is damaged: {what}. {REBUILD_HINT}")


def _load_version(version_dir: Path, build_id: str, manifest_sha: str) -> IndexSnapshot:
    """Verify then load one version directory (FileNotFoundError if it vanished)."""
    if not version_dir.is_dir():
        raise FileNotFoundError(version_dir)
    manifest_bytes = (version_dir / MANIFEST).read_bytes()
    if hashlib.sha256(manifest_bytes).hexdigest() != manifest_sha:
        raise _damaged(version_dir, f"{MANIFEST} does not match its checksum")
    try:
        manifest = json.loads(manifest_bytes)
        version = manifest["format_version"]
        files = manifest["files"]
        dim = int(manifest["embedding"]["dim"])
        chunk_count = int(manifest["chunk_count"])
    except (ValueError, KeyError, TypeError) as error:
        raise _damaged(version_dir, f"{MANIFEST} is unreadable ({error})") from None
    if version != FORMAT_VERSION:
        raise IndexUnavailable(
            f"The index in {version_dir.parent.parent} uses format version {version}; "
            f"this program reads version {FORMAT_VERSION}. {REBUILD_HINT}"
        )
    if manifest.get("build_id") != build_id:
        raise _damaged(version_dir, "the manifest belongs to another build")
    if manifest.get("lexical", {}).get("analyzer_version") != ANALYZER_VERSION:
        raise IndexUnavailable(
            f"The index in {version_dir.parent.parent} was built with another version of "
            f"the French text analyzer. {REBUILD_HINT}"
        )
    for name, expected in files.items():
        path = version_dir / name
        if not path.is_file():
            raise _damaged(version_dir, f"{name} is missing")
        size = path.stat().st_size
        if size != expected["size"]:
            raise _damaged(version_dir, f"{name} has {size} bytes, expected {expected['size']}")
        if file_sha256(path) != expected["sha256"]:
            raise _damaged(version_dir, f"{name} does not match its checksum")
    try:
        chunks = [Chunk.from_dict(json.loads(line)) for line in _lines(version_dir / CHUNKS)]
        documents = {}
        for line in _lines(version_dir / DOCUMENTS):
            doc = _document_from_dict(json.loads(line))
            documents[doc.doc_id] = doc
        dense = DenseIndex.load(version_dir / DENSE)
        lexical = LexicalIndex.load(version_dir / LEXICAL_DIR)
    except FileNotFoundError:
        raise
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as error:
        raise _damaged(version_dir, f"cannot be loaded ({error})") from None
    if not len(chunks) == chunk_count == dense.size == lexical.num_rows or dense.dim != dim:
        raise _damaged(version_dir, "its parts disagree on the number of chunks or dimensions")
    return IndexSnapshot(
        manifest=manifest,
        chunks=chunks,
        documents=documents,
        dense=dense,
        lexical=lexical,
        version=build_id,
        path=version_dir,
    )


def _lines(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield line


def _document_to_dict(doc: CleanDocument) -> dict[str, Any]:
    return dataclasses.asdict(doc)


def _document_from_dict(data: dict[str, Any]) -> CleanDocument:
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
    )


# --------------------------------------------------------------------------- writing


def _write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Stream rows to a JSON Lines file, fsync it, return its checksum entry."""
    digest = hashlib.sha256()
    size = 0
    with path.open("wb") as handle:
        for row in rows:
            data = (json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8")
            handle.write(data)
            digest.update(data)
            size += len(data)
        handle.flush()
        os.fsync(handle.fileno())
    return {"sha256": digest.hexdigest(), "size": size}


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_and_digest(path: Path) -> dict[str, Any]:
    """fsync a file written by a library, and return its checksum entry."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while block := handle.read(_HASH_BLOCK):
            digest.update(block)
            size += len(block)
        os.fsync(handle.fileno())
    return {"sha256": digest.hexdigest(), "size": size}


@dataclass
class _DocumentEntry:
    """A document of the build being written, with where it came from."""

    doc: CleanDocument
    file: str  # key of the source file (its path as discovered)
    file_hash: str  # sha256 of the raw file bytes
    chunk_count: int


def _new_build_id() -> str:
    return f"{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}-{secrets.token_hex(4)}"


def _write_version(
    tmp_dir: Path,
    *,
    build_id: str,
    previous_build_id: str | None,
    entries: Sequence[_DocumentEntry],
    chunks: Sequence[Chunk],
    dense: DenseIndex,
    lexical: LexicalIndex,
    embedder: Embedder,
    chunking: ChunkingConfig,
    skipped: Sequence[tuple[str, str, str]],
) -> str:
    """Write a complete version into `tmp_dir`; return the manifest's sha256."""
    tmp_dir.mkdir(parents=True)
    files: dict[str, dict[str, Any]] = {
        CHUNKS: _write_jsonl(tmp_dir / CHUNKS, (c.to_dict() for c in chunks)),
        DOCUMENTS: _write_jsonl(
            tmp_dir / DOCUMENTS,
            ({**_document_to_dict(e.doc), "file_hash": e.file_hash} for e in entries),
        ),
    }
    dense.save(tmp_dir / DENSE)
    files[DENSE] = _fsync_and_digest(tmp_dir / DENSE)
    for path in lexical.save(tmp_dir / LEXICAL_DIR):
        files[path.relative_to(tmp_dir).as_posix()] = _fsync_and_digest(path)
    _fsync_dir(tmp_dir / LEXICAL_DIR)
    manifest = {
        "format_version": FORMAT_VERSION,
        "build_id": build_id,
        "previous_build_id": previous_build_id,
        "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "embedding": {
            "model_id": embedder.model_id,
            "dim": int(embedder.dim),
            "max_tokens": int(embedder.max_tokens),
        },
        "chunking": dataclasses.asdict(chunking),
        "lexical": {"analyzer_version": ANALYZER_VERSION},
        "chunk_count": len(chunks),
        "documents": [
            {
                "doc_id": e.doc.doc_id,
                "title": e.doc.title,
                "source_path": e.doc.source_path,
                "file": e.file,
                "format": e.doc.format,
                "content_hash": e.file_hash,
                "chunk_count": e.chunk_count,
            }
            for e in entries
        ],
        "skipped": [{"file": f, "content_hash": h, "reason": r} for f, h, r in skipped],
        "files": files,
    }
    data = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
    with (tmp_dir / MANIFEST).open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    _fsync_dir(tmp_dir)
    return hashlib.sha256(data).hexdigest()


def _publish(index_dir: Path, tmp_dir: Path, build_id: str, manifest_sha: str) -> None:
    """Move a written version into place, then point `CURRENT` at it (atomically)."""
    versions = index_dir / VERSIONS_DIR
    os.rename(tmp_dir, versions / build_id)
    _fsync_dir(versions)
    pointer_tmp = index_dir / f"{CURRENT_FILE}{TMP_PREFIX}{os.getpid()}"
    with pointer_tmp.open("w", encoding="ascii") as handle:
        handle.write(f"{build_id} {manifest_sha}\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(pointer_tmp, index_dir / CURRENT_FILE)
    _fsync_dir(index_dir)


def _remove_leftovers(index_dir: Path) -> list[str]:
    """Delete what crashed builds left (caller holds the build lock)."""
    removed = []
    for path in index_dir.glob(f"{CURRENT_FILE}{TMP_PREFIX}*"):
        path.unlink(missing_ok=True)
        removed.append(path.name)
    versions = index_dir / VERSIONS_DIR
    if versions.is_dir():
        for path in versions.glob(f"{TMP_PREFIX}*"):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path.name)
    return removed


def _collect_garbage(index_dir: Path, keep: set[str]) -> None:
    """Delete versions other than `keep` (the current and the previous build)."""
    versions = index_dir / VERSIONS_DIR
    for path in versions.iterdir():
        if path.name not in keep and not path.name.startswith(TMP_PREFIX):
            shutil.rmtree(path, ignore_errors=True)


# --------------------------------------------------------------------------- building


@dataclass
class UpdateReport:
    """What one `update_index` run did."""

    build_id: str
    up_to_date: bool = False
    full_rebuild: bool = False
    rebuild_reason: str | None = None
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    chunk_count: int = 0
    chunks_embedded: int = 0
    chunks_reused: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        """A few human-readable lines (for the CLI)."""
        if self.up_to_date:
            head = f"index up to date (build {self.build_id}, {self.chunk_count} chunks)"
        else:
            kind = "full rebuild" if self.full_rebuild else "incremental update"
            head = f"index updated: {kind}, build {self.build_id}, {self.chunk_count} chunks"
            if self.rebuild_reason:
                head += f" ({self.rebuild_reason})"
        lines = [head]
        if not self.up_to_date:
            lines.append(
                f"documents: {len(self.added)} added, {len(self.changed)} changed, "
                f"{len(self.removed)} removed, {len(self.unchanged)} unchanged; "
                f"chunks: {self.chunks_embedded} embedded, {self.chunks_reused} reused"
            )
        lines += [f"skipped {s.path}: {s.reason}" for s in self.skipped]
        timing = ", ".join(f"{stage} {sec:.2f}s" for stage, sec in self.seconds.items())
        lines.append(f"time: {timing}")
        return "\n".join(lines)


class _Timer:
    """Accumulates seconds per stage."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {
            s: 0.0 for s in ("load", "clean", "chunk", "embed", "lexical", "write")
        }

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started


def _check_embeddings(vectors: np.ndarray, count: int, dim: int) -> np.ndarray:
    matrix = np.ascontiguousarray(vectors, dtype=np.float32)
    if matrix.shape != (count, dim):
        raise ValueError(f"embedder returned shape {matrix.shape}, expected {(count, dim)}")
    if not np.isfinite(matrix).all():
        raise ValueError("embedder returned non-finite values")
    norms = np.linalg.norm(matrix, axis=1)
    if not np.allclose(norms, 1.0, atol=1e-3):
        faiss.normalize_L2(matrix)
    return matrix


def _assemble_dense(
    chunks: Sequence[Chunk],
    reuse: dict[int, int],
    previous: DenseIndex | None,
    embedder: Embedder,
    batch_size: int,
    on_progress: Callable[[int], None] | None,
    show_progress: bool,
    timer: _Timer,
) -> tuple[DenseIndex, int]:
    """FAISS index for `chunks`: reused rows copied from `previous`, the rest embedded.

    `reuse` maps new row → old row. New passages are embedded in batches sorted
    by length (less padding), and each batch goes straight into the index, so
    memory holds the vectors plus one batch. Returns the index and the number
    of chunks embedded.
    """
    dim = int(embedder.dim)
    index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
    with all_cores():
        if reuse and previous is not None:
            new_rows = np.fromiter(reuse.keys(), dtype=np.int64, count=len(reuse))
            old_rows = np.fromiter(reuse.values(), dtype=np.int64, count=len(reuse))
            for start in range(0, len(new_rows), 4096):
                part = slice(start, start + 4096)
                index.add_with_ids(previous.vectors_for(old_rows[part]), new_rows[part])
        to_embed = [row for row in range(len(chunks)) if row not in reuse]
        to_embed.sort(key=lambda row: len(chunks[row].text), reverse=True)
        done = 0
        bar = tqdm(total=len(to_embed), unit="chunk", desc="embedding", disable=not show_progress)
        with bar:
            for start in range(0, len(to_embed), batch_size):
                rows = to_embed[start : start + batch_size]
                with timer.stage("embed"):
                    texts = [chunks[r].text for r in rows]
                    vectors = embedder.embed_passages(texts, batch_size=batch_size)
                matrix = _check_embeddings(vectors, len(rows), dim)
                index.add_with_ids(matrix, np.asarray(rows, dtype=np.int64))
                done += len(rows)
                bar.update(len(rows))
                if on_progress is not None:
                    on_progress(done)
    return DenseIndex(index), len(to_embed)


def _finish_build(
    index_dir: Path,
    *,
    entries: list[_DocumentEntry],
    chunks: list[Chunk],
    reuse: dict[int, int],
    previous_dense: DenseIndex | None,
    previous_id: str | None,
    embedder: Embedder,
    chunking: ChunkingConfig,
    skipped: Sequence[tuple[str, str, str]],
    batch_size: int,
    on_progress: Callable[[int], None] | None,
    show_progress: bool,
    timer: _Timer,
) -> tuple[str, int]:
    """Embed, index, write and publish a build; return (build id, chunks embedded)."""
    if not chunks:
        raise ValueError(
            "No usable passage to index: every document was skipped or empty."
        )
    ids = [c.id for c in chunks]
    if len(set(ids)) != len(ids):
        raise ValueError("chunk ids are not unique")
    dense, embedded = _assemble_dense(
        chunks, reuse, previous_dense, embedder, batch_size, on_progress, show_progress, timer
    )
    with timer.stage("lexical"):
        lexical = LexicalIndex.build(c.text for c in chunks)
    build_id = _new_build_id()
    versions = index_dir / VERSIONS_DIR
    versions.mkdir(parents=True, exist_ok=True)
    tmp_dir = versions / f"{TMP_PREFIX}{build_id}-{os.getpid()}"
    with timer.stage("write"):
        try:
            manifest_sha = _write_version(
                tmp_dir,
                build_id=build_id,
                previous_build_id=previous_id,
                entries=entries,
                chunks=chunks,
                dense=dense,
                lexical=lexical,
                embedder=embedder,
                chunking=chunking,
                skipped=skipped,
            )
            _publish(index_dir, tmp_dir, build_id, manifest_sha)
        except BaseException:
            shutil.rmtree(tmp_dir, ignore_errors=True)
            raise
        _collect_garbage(index_dir, keep={build_id, previous_id or build_id})
    return build_id, embedded


def build_index(
    index_dir: Path,
    documents: Sequence[CleanDocument],
    chunks: Sequence[Chunk],
    embedder: Embedder,
    chunking: ChunkingConfig,
    *,
    on_progress: Callable[[int], None] | None = None,
    show_progress: bool = False,
    batch_size: int = 32,
    lock_timeout: float = 10.0,
) -> str:
    """Full build from already-ingested documents and chunks; return the build id.

    Chunks are stored as given (duplicate links included), grouped in the order
    of `documents`. Document content hashes stand in for file hashes.
    """
    index_dir = Path(index_dir)
    by_doc: dict[str, list[Chunk]] = {}
    for chunk in chunks:
        by_doc.setdefault(chunk.doc_id, []).append(chunk)
    unknown = set(by_doc) - {d.doc_id for d in documents}
    if unknown:
        raise ValueError(f"chunks refer to unknown documents: {sorted(unknown)}")
    ordered = [c for d in documents for c in by_doc.get(d.doc_id, [])]
    entries = [
        _DocumentEntry(d, d.source_path, d.content_hash, len(by_doc.get(d.doc_id, [])))
        for d in documents
    ]
    timer = _Timer()
    with build_lock(index_dir, lock_timeout):
        _remove_leftovers(index_dir)
        build_id, _ = _finish_build(
            index_dir,
            entries=entries,
            chunks=ordered,
            reuse={},
            previous_dense=None,
            previous_id=current_build_id(index_dir),
            embedder=embedder,
            chunking=chunking,
            skipped=(),
            batch_size=batch_size,
            on_progress=on_progress,
            show_progress=show_progress,
            timer=timer,
        )
    return build_id


# --------------------------------------------------------------------------- incremental update


@dataclass
class _Plan:
    """How the corpus on disk compares with the previous build."""

    hashes: dict[str, str]  # file key → sha256 of its current bytes
    status: dict[str, str]  # file key → "unchanged" | "changed" | "added" | "skipped"
    old_docs: dict[str, dict[str, Any]]  # file key → manifest entry of the previous build
    old_skips: dict[str, dict[str, Any]]  # file key → previous skip record
    removed: list[str]  # doc ids of files gone from the corpus
    reusable: bool  # previous chunks and vectors may be reused

    def nothing_to_do(self) -> bool:
        still_skipped = [k for k, s in self.status.items() if s == "skipped"]
        return (
            self.reusable
            and all(s in ("unchanged", "skipped") for s in self.status.values())
            and not self.removed
            and len(still_skipped) == len(self.old_skips)
        )

    def must_ingest(self, key: str) -> bool:
        """New and changed files; every file (even one skipped before) on a full rebuild."""
        return not self.reusable or self.status[key] in ("changed", "added")


def _plan(manifest: dict[str, Any] | None, hashes: dict[str, str], reusable: bool) -> _Plan:
    old_docs = {d["file"]: d for d in manifest["documents"]} if manifest else {}
    old_skips = {s["file"]: s for s in manifest.get("skipped", [])} if manifest else {}
    status = {}
    for key, digest in hashes.items():
        if key in old_docs:
            status[key] = "unchanged" if old_docs[key]["content_hash"] == digest else "changed"
        elif key in old_skips and old_skips[key]["content_hash"] == digest:
            status[key] = "skipped"
        else:
            status[key] = "added"
    removed = [d["doc_id"] for key, d in old_docs.items() if key not in hashes]
    return _Plan(hashes, status, old_docs, old_skips, removed, reusable and manifest is not None)


def _rebuild_reason(
    previous: IndexSnapshot, embedder: Embedder, chunking: ChunkingConfig
) -> str | None:
    """Why chunks and vectors of the previous build cannot be reused (None: they can)."""
    built = previous.manifest["embedding"]
    if built["model_id"] != embedder.model_id or int(built["dim"]) != int(embedder.dim):
        return (
            f"embedding model changed from {built['model_id']} ({built['dim']}d) "
            f"to {embedder.model_id} ({embedder.dim}d)"
        )
    if previous.manifest["chunking"] != dataclasses.asdict(chunking):
        return "chunker settings changed"
    return None


def update_index(
    index_dir: Path,
    corpus_dir: Path,
    embedder: Embedder,
    chunking: ChunkingConfig,
    *,
    rebuild: bool = False,
    on_progress: Callable[[int], None] | None = None,
    show_progress: bool = False,
    max_file_mb: float = 60.0,
    max_pdf_pages: int = 2000,
    max_seconds_per_document: float = 120.0,
    batch_size: int = 32,
    lock_timeout: float = 10.0,
    ingester: Ingester | None = None,
) -> UpdateReport:
    """Bring the index of `index_dir` in line with the files of `corpus_dir`.

    Only new and changed files are ingested and embedded; `rebuild=True`, a
    missing or unusable index, another embedding model or other chunker
    settings force a full rebuild (`report.rebuild_reason` says which). A run
    with nothing to do embeds and writes nothing and reports "index up to
    date". `on_progress(n)` receives the number of chunks embedded so far;
    `show_progress` draws a progress bar on stderr.
    Raises `IndexBusy` if another build holds the lock longer than
    `lock_timeout` seconds, `ValueError` if no document is usable (the
    previous index then stays in place).
    """
    # Files are keyed by absolute path: a relative and an absolute spelling of
    # the same corpus folder must not look like different files.
    index_dir, corpus_dir = Path(index_dir), Path(corpus_dir).resolve()
    ingester = ingester or PipelineIngester(
        max_file_mb=max_file_mb,
        max_pdf_pages=max_pdf_pages,
        max_seconds_per_document=max_seconds_per_document,
    )
    timer = _Timer()
    with build_lock(index_dir, lock_timeout):
        _remove_leftovers(index_dir)
        report = UpdateReport(build_id="")
        with timer.stage("load"):
            hashes: dict[str, str] = {}
            for path in ingester.discover(corpus_dir):
                try:
                    hashes[str(path)] = file_sha256(path)
                except OSError as error:
                    report.skipped.append(Skipped(str(path), f"cannot read file: {error.strerror}"))
            previous, reason = _previous_build(index_dir, embedder, chunking, rebuild)
        plan = _plan(previous.manifest if previous else None, hashes, reusable=reason is None)
        report.full_rebuild = not plan.reusable
        report.rebuild_reason = reason
        if previous is not None and plan.nothing_to_do():
            report.build_id = previous.version
            report.up_to_date = True
            for key, status in plan.status.items():
                if status == "unchanged":
                    report.unchanged.append(plan.old_docs[key]["doc_id"])
                elif status == "skipped":
                    report.skipped.append(Skipped(key, plan.old_skips[key]["reason"]))
            report.chunk_count = len(previous.chunks)
            report.seconds = timer.seconds
            return report
        entries, chunks, reuse, skipped = _gather(
            plan, previous, ingester, embedder, chunking, timer, report
        )
        with timer.stage("chunk"):
            chunks = _relink(chunks, ingester)
        report.build_id, report.chunks_embedded = _finish_build(
            index_dir,
            entries=entries,
            chunks=chunks,
            reuse=reuse,
            previous_dense=previous.dense if previous and plan.reusable else None,
            previous_id=previous.version if previous else current_build_id(index_dir),
            embedder=embedder,
            chunking=chunking,
            skipped=skipped,
            batch_size=batch_size,
            on_progress=on_progress,
            show_progress=show_progress,
            timer=timer,
        )
        report.chunks_reused = len(reuse)
        report.chunk_count = len(chunks)
        report.seconds = timer.seconds
        return report


def _previous_build(
    index_dir: Path, embedder: Embedder, chunking: ChunkingConfig, rebuild: bool
) -> tuple[IndexSnapshot | None, str | None]:
    """The current build if usable, and why its work cannot be reused (None when it can)."""
    if current_build_id(index_dir) is None:
        return None, "no index yet"
    try:
        previous = open_index(index_dir)
    except IndexUnavailable as error:
        return None, f"previous index unusable: {error}"
    if rebuild:
        return previous, "rebuild requested"
    return previous, _rebuild_reason(previous, embedder, chunking)


@dataclass
class _Part:
    """One document of the build being assembled."""

    entry: _DocumentEntry
    chunks: list[Chunk]
    old_rows: list[int | None]  # per chunk: a row of the previous build with its vector
    status: str


def _gather(
    plan: _Plan,
    previous: IndexSnapshot | None,
    ingester: Ingester,
    embedder: Embedder,
    chunking: ChunkingConfig,
    timer: _Timer,
    report: UpdateReport,
) -> tuple[list[_DocumentEntry], list[Chunk], dict[int, int], list[tuple[str, str, str]]]:
    """Documents and chunks of the new build, in file order, and what can be reused.

    Unchanged documents come from the previous build (no parsing); the others
    are ingested, and those of their passages whose exact text was already
    embedded reuse that vector (a vector depends only on the text). Returns the
    document entries, the chunks, new row → old row for reusable vectors, and
    the skipped files (file, hash, reason) to record. Fills `report`.
    """
    old_rows: dict[str, list[int]] = {}  # doc id → its rows in the previous build
    old_text_rows: dict[str, int] = {}  # passage text → a previous row holding it
    if previous is not None and plan.reusable:
        for row, chunk in enumerate(previous.chunks):
            old_rows.setdefault(chunk.doc_id, []).append(row)
            old_text_rows.setdefault(chunk.text, row)
    parts: list[_Part] = []
    skipped: list[tuple[str, str, str]] = []
    doc_owner: dict[str, str] = {}  # doc id → file holding it
    chunk_owner: dict[str, str] = {}  # chunk id → file holding it

    def skip(key: str, reason: str) -> None:
        skipped.append((key, plan.hashes[key], reason))
        report.skipped.append(Skipped(key, reason))

    # Files already indexed are settled first, so a new file cannot displace them.
    for key in sorted(plan.hashes, key=lambda k: (plan.must_ingest(k), k)):
        status = plan.status[key]
        if plan.must_ingest(key):
            try:
                with timer.stage("clean"):
                    doc = _unique_doc_id(ingester.load(Path(key)), Path(key), doc_owner)
                with timer.stage("chunk"):
                    doc_chunks = ingester.chunk(doc, chunking, embedder.count_tokens)
            except SkipFile as error:
                skip(key, str(error))
                continue
            reusable = [old_text_rows.get(c.text) for c in doc_chunks]
        elif status == "skipped":
            skip(key, plan.old_skips[key]["reason"])
            continue
        else:  # unchanged and reusable
            assert previous is not None
            doc = previous.documents[plan.old_docs[key]["doc_id"]]
            reusable = list(old_rows.get(doc.doc_id, []))
            doc_chunks = [previous.chunks[row] for row in reusable]
        clash = next((chunk_owner[c.id] for c in doc_chunks if c.id in chunk_owner), None)
        if clash is not None:
            skip(key, f"same content as {Path(clash).name}")
        elif not doc_chunks:
            skip(key, "no text to index")
        else:
            doc_owner[doc.doc_id] = key
            chunk_owner.update((c.id, key) for c in doc_chunks)
            entry = _DocumentEntry(doc, key, plan.hashes[key], len(doc_chunks))
            parts.append(_Part(entry, doc_chunks, reusable, status))

    chunks: list[Chunk] = []
    reuse: dict[int, int] = {}
    for part in sorted(parts, key=lambda p: p.entry.file):
        for chunk, old_row in zip(part.chunks, part.old_rows):
            if old_row is not None:
                reuse[len(chunks)] = old_row
            chunks.append(chunk)
        if part.status == "unchanged":
            report.unchanged.append(part.entry.doc.doc_id)
        elif part.status == "changed":
            report.changed.append(part.entry.doc.doc_id)
        else:
            report.added.append(part.entry.doc.doc_id)
    report.removed = list(plan.removed)
    entries = [p.entry for p in sorted(parts, key=lambda p: p.entry.file)]
    return entries, chunks, reuse, skipped


def _unique_doc_id(doc: CleanDocument, path: Path, used: Collection[str]) -> CleanDocument:
    """Rename a document whose id is taken, as `ingest_corpus` does.

    `rapport.pdf` and `rapport.txt` become `rapport` and `rapport-txt`.
    """
    if doc.doc_id not in used:
        return doc
    candidate = f"{doc.doc_id}-{path.suffix.lstrip('.').lower() or 'file'}"
    number = 2
    while candidate in used:
        candidate = f"{doc.doc_id}-{number}"
        number += 1
    return dataclasses.replace(doc, doc_id=candidate)


def _relink(chunks: list[Chunk], ingester: Ingester) -> list[Chunk]:
    """Recompute near-duplicate links over the whole chunk set."""
    cleared = [dataclasses.replace(c, duplicate_of=None, duplicates=[]) for c in chunks]
    linked = ingester.link_duplicates(cleared)
    if [c.id for c in linked] != [c.id for c in cleared]:
        raise ValueError("link_duplicates must keep the chunks and their order")
    return linked
