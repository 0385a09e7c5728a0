"""The ingestion stage's own settings: file limits and chunk sizes (each default written once)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IngestLimits:
    """Per-document limits: larger, longer or slower files are skipped with a reason."""

    max_file_mb: float = 60.0  # bigger files are refused before being read
    max_pdf_pages: int = 2000  # PDFs with more pages are refused (a "PDF bomb" guard)
    max_seconds_per_document: float = 120.0  # a PDF still being read after this is abandoned


@dataclass(frozen=True)
class ChunkingConfig:
    """How documents are cut into chunks (sizes in embedding-model tokens)."""

    target_tokens: int = 200  # a chunk closes at the first sentence end past this size
    max_tokens: int = 320  # hard cap (the embedder reads 512 tokens at most)
    overlap_tokens: int = 30  # sentences repeated at the start of the next chunk
    min_tokens: int = 40  # a shorter tail is merged into the previous chunk
