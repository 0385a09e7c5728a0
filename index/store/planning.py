"""Incremental builds, for any backend: what changed, what to ingest, what to reuse.

Files are compared with the previous version by the sha256 of their bytes:
unchanged documents keep their chunks and vectors (no parsing), changed and
new files are ingested, and a new passage whose exact text was already
embedded keeps that vector (a vector depends only on the text). Deleted
files disappear. Files skipped before are remembered with their hash and not
retried until they change. Another embedding model or other chunker
settings make nothing reusable (a full rebuild). Near-duplicate links are
recomputed over the whole chunk set.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from tqdm import tqdm

from index.store.manifest import DocumentRecord, Manifest, SkipRecord
from index.store.protocol import CorpusIngester, IndexSnapshot
from index.store.report import StageTimer, UpdateReport
from ingest.atomic import file_sha256
from ingest.config import ChunkingConfig
from ingest.errors import LoadError, SkipReason
from ingest.models import Chunk, CleanDocument, Skipped

from ingest.pipeline import unique_doc_id

if TYPE_CHECKING:  # the embedder module loads heavy libraries; only its protocol is needed
    from index.embedder import Embedder


@dataclass
class DocumentEntry:
    """A document of the version being built, with the file it came from."""

    document: CleanDocument
    file: str  # the file's key: its path as discovered
    file_hash: str  # sha256 of the raw file bytes
    chunk_count: int

    def record(self) -> DocumentRecord:
        doc = self.document
        return DocumentRecord(doc.doc_id, doc.title, doc.source_path, self.file, doc.format,
                              self.file_hash, self.chunk_count)


@dataclass
class BuildInput:
    """Everything a backend needs to write a new version."""

    entries: list[DocumentEntry]
    chunks: list[Chunk]  # in file order, duplicate links set
    reuse: dict[int, int]  # new row → row of the previous version whose vector it keeps
    skipped: list[SkipRecord] = field(default_factory=list)


@dataclass
class UpdatePlan:
    """How the corpus on disk compares with the previous version."""

    hashes: dict[str, str]  # file key → sha256 of its current bytes
    status: dict[str, str]  # file key → "unchanged" | "changed" | "added" | "skipped"
    old_docs: dict[str, DocumentRecord]  # file key → record in the previous version
    old_skips: dict[str, SkipRecord]  # file key → previous skip record
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


def hash_files(files: list[Path], report: UpdateReport) -> dict[str, str]:
    """file key → sha256 of its bytes; unreadable files go to `report.skipped`."""
    hashes: dict[str, str] = {}
    for path in files:
        try:
            hashes[str(path)] = file_sha256(path)
        except OSError as error:
            report.skipped.append(
                Skipped(str(path), f"cannot read file: {error.strerror}", SkipReason.UNREADABLE)
            )
    return hashes


def plan_update(manifest: Manifest | None, hashes: dict[str, str], reusable: bool) -> UpdatePlan:
    """Compare the corpus's file hashes with the previous version's manifest."""
    old_docs = {d.file: d for d in manifest.documents} if manifest else {}
    old_skips = {s.file: s for s in manifest.skipped} if manifest else {}
    status = {}
    for key, digest in hashes.items():
        if key in old_docs:
            status[key] = "unchanged" if old_docs[key].content_hash == digest else "changed"
        elif key in old_skips and old_skips[key].content_hash == digest:
            status[key] = "skipped"
        else:
            status[key] = "added"
    removed = [d.doc_id for key, d in old_docs.items() if key not in hashes]
    return UpdatePlan(hashes, status, old_docs, old_skips, removed, reusable and manifest is not None)


def rebuild_reason(manifest: Manifest, embedder: "Embedder", chunking: ChunkingConfig) -> str | None:
    """Why chunks and vectors of the previous version cannot be reused (None: they can)."""
    built = manifest.embedding
    if built.model_id != embedder.model_id or built.dim != int(embedder.dim):
        return (
            f"modèle d'encodage changé : {built.model_id} ({built.dim}d) "
            f"→ {embedder.model_id} ({embedder.dim}d)"
        )
    if manifest.chunking != chunking:
        return "réglages de découpage changés"
    return None


def report_up_to_date(plan: UpdatePlan, previous: IndexSnapshot, report: UpdateReport) -> None:
    """Fill `report` for a run that has nothing to do."""
    report.build_id = previous.version
    report.up_to_date = True
    for key, status in plan.status.items():
        if status == "unchanged":
            report.unchanged.append(plan.old_docs[key].doc_id)
        elif status == "skipped":
            report.skipped.append(plan.old_skips[key].as_skipped())
    report.chunk_count = previous.chunk_count


@dataclass
class _Part:
    """One document of the version being assembled."""

    entry: DocumentEntry
    chunks: list[Chunk]
    old_rows: list[int | None]  # per chunk: a row of the previous version with its vector
    status: str


def gather(
    plan: UpdatePlan,
    previous: IndexSnapshot | None,
    ingester: CorpusIngester,
    timer: StageTimer,
    report: UpdateReport,
) -> BuildInput:
    """Documents and chunks of the new version, in file order, and what can be reused.

    Unchanged documents come from the previous version; the others are ingested.
    Fills `report` (added, changed, unchanged, removed, skipped).
    """
    old_rows: dict[str, list[int]] = {}  # doc id → its rows in the previous version
    old_text_rows: dict[str, int] = {}  # passage text → a previous row holding it
    # One pass over the previous version's passages (a database streams them once).
    old_chunks: list[Chunk] = list(previous.chunks) if previous is not None and plan.reusable else []
    if old_chunks:
        for row, chunk in enumerate(old_chunks):
            old_rows.setdefault(chunk.doc_id, []).append(row)
            old_text_rows.setdefault(chunk.text, row)
    parts: list[_Part] = []
    skipped: list[SkipRecord] = []
    doc_owner: dict[str, str] = {}  # doc id → file holding it
    chunk_owner: dict[str, str] = {}  # chunk id → file holding it

    def skip(key: str, reason: str, kind: SkipReason) -> None:
        skipped.append(SkipRecord(key, plan.hashes[key], reason, kind))
        report.skipped.append(Skipped(key, reason, kind))

    # Files already indexed are settled first, so a new file cannot displace them.
    for key in sorted(plan.hashes, key=lambda k: (plan.must_ingest(k), k)):
        status = plan.status[key]
        if plan.must_ingest(key):
            try:
                document = ingester.load(Path(key), timer)  # stages "load" and "clean"
                document = unique_doc_id(document, Path(key), doc_owner)
                with timer.stage("chunk"):
                    doc_chunks = ingester.chunk(document)
            except LoadError as error:
                skip(key, error.reason, error.kind)
                continue
            reusable = [old_text_rows.get(c.text) for c in doc_chunks]
        elif status == "skipped":
            old = plan.old_skips[key]
            skip(key, old.reason, old.kind)
            continue
        else:  # unchanged and reusable
            assert previous is not None
            document = previous.documents[plan.old_docs[key].doc_id]
            reusable = list(old_rows.get(document.doc_id, []))
            doc_chunks = [old_chunks[row] for row in reusable]
        clash = next((chunk_owner[c.id] for c in doc_chunks if c.id in chunk_owner), None)
        if clash is not None:
            skip(key, f"same content as {Path(clash).name}", SkipReason.SAME_CONTENT)
        elif not doc_chunks:
            skip(key, "no text to index", SkipReason.NO_TEXT)
        else:
            doc_owner[document.doc_id] = key
            chunk_owner.update((c.id, key) for c in doc_chunks)
            entry = DocumentEntry(document, key, plan.hashes[key], len(doc_chunks))
            parts.append(_Part(entry, doc_chunks, reusable, status))

    chunks: list[Chunk] = []
    reuse: dict[int, int] = {}
    parts.sort(key=lambda p: p.entry.file)
    for part in parts:
        for chunk, old_row in zip(part.chunks, part.old_rows):
            if old_row is not None:
                reuse[len(chunks)] = old_row
            chunks.append(chunk)
        {"unchanged": report.unchanged, "changed": report.changed}.get(
            part.status, report.added
        ).append(part.entry.document.doc_id)
    report.removed = list(plan.removed)
    with timer.stage("chunk"):
        chunks = relink(chunks, ingester)
    return BuildInput([p.entry for p in parts], chunks, reuse, skipped)


def relink(chunks: list[Chunk], ingester: CorpusIngester) -> list[Chunk]:
    """Recompute near-duplicate links over the whole chunk set."""
    cleared = [dataclasses.replace(c, duplicate_of=None, duplicates=[]) for c in chunks]
    linked = ingester.link_duplicates(cleared)
    if [c.id for c in linked] != [c.id for c in cleared]:
        raise ValueError("link_duplicates must keep the chunks and their order")
    return linked


@dataclass
class EmbeddedCorpus:
    """The vectors of a version: one per passage, one per sentence of each passage."""

    passages: np.ndarray  # (n_chunks, dim)
    sentences: np.ndarray  # (n_sentences, dim), chunk by chunk in row order
    embedded: int  # passages embedded (not reused)


def sentence_offsets(chunks: Sequence[Chunk]) -> np.ndarray:
    """Row of each chunk's first sentence in the sentence matrix (plus the total at the end)."""
    counts = np.fromiter((len(c.sentences) for c in chunks), dtype=np.int64, count=len(chunks))
    return np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)


def embed_passages(
    chunks: list[Chunk],
    reuse: dict[int, int],
    previous: IndexSnapshot | None,
    embedder: "Embedder",
    *,
    batch_size: int,
    on_progress: Callable[[int], None] | None,
    show_progress: bool,
    timer: StageTimer,
) -> EmbeddedCorpus:
    """The vectors of `chunks` and of their sentences: reused rows copied from `previous`,
    the rest embedded.

    New passages are embedded in batches sorted by length (less padding), each
    batch followed by its passages' sentences, so `on_progress(done)` counts
    passages whose vectors are all ready.
    """
    dim = int(embedder.dim)
    vectors = np.zeros((len(chunks), dim), dtype=np.float32)
    offsets = sentence_offsets(chunks)
    sentence_vectors = np.zeros((int(offsets[-1]), dim), dtype=np.float32)
    if reuse and previous is not None:
        new_rows = np.fromiter(reuse.keys(), dtype=np.int64, count=len(reuse))
        old_rows = np.fromiter(reuse.values(), dtype=np.int64, count=len(reuse))
        for start in range(0, len(new_rows), 4096):
            part = slice(start, start + 4096)
            vectors[new_rows[part]] = previous.vectors(old_rows[part])
            reused = previous.sentence_vectors(old_rows[part].tolist())
            for new_row, old_sentences in zip(new_rows[part].tolist(), reused):
                sentence_vectors[offsets[new_row] : offsets[new_row + 1]] = old_sentences
    to_embed = [row for row in range(len(chunks)) if row not in reuse]
    to_embed.sort(key=lambda row: len(chunks[row].text), reverse=True)
    done = 0
    with tqdm(total=len(to_embed), unit="passage", desc="encodage", disable=not show_progress) as bar:
        for start in range(0, len(to_embed), batch_size):
            rows = to_embed[start : start + batch_size]
            with timer.stage("embed"):
                batch = embedder.embed_passages([chunks[r].text for r in rows], batch_size=batch_size)
            vectors[rows] = checked_vectors(batch, len(rows), dim)
            texts = [chunks[r].text[s.start : s.end].strip() for r in rows for s in chunks[r].sentences]
            if texts:
                with timer.stage("sentences"):
                    embedded = embedder.embed_passages(texts, batch_size=batch_size)
                embedded = checked_vectors(embedded, len(texts), dim)
                at = 0
                for r in rows:
                    count = len(chunks[r].sentences)
                    sentence_vectors[offsets[r] : offsets[r] + count] = embedded[at : at + count]
                    at += count
            done += len(rows)
            bar.update(len(rows))
            if on_progress is not None:
                on_progress(done)
    return EmbeddedCorpus(vectors, sentence_vectors, len(to_embed))


def checked_vectors(vectors: np.ndarray, count: int, dim: int) -> np.ndarray:
    """An embedder's output as finite, L2-normalised float32 (count, dim); ValueError otherwise."""
    matrix = np.array(vectors, dtype=np.float32, copy=True)
    if matrix.shape != (count, dim):
        raise ValueError(f"embedder returned shape {matrix.shape}, expected {(count, dim)}")
    if not np.isfinite(matrix).all():
        raise ValueError("embedder returned non-finite values")
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    if not np.allclose(norms, 1.0, atol=1e-3):
        matrix /= np.maximum(norms, 1e-12)
    return matrix
