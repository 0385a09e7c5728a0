"""The ingestion stage end to end: files -> clean documents -> linked chunks.

`ingest_corpus` loads every file of a folder, cleans and chunks it, links
near-duplicates across documents, and reports what was skipped and why.
`load_and_clean` does the first two steps for one file (uploads, incremental
re-indexing). Chunks are persisted as JSON lines, written atomically.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable

from ingest.chunk import TokenCounter, chunk_document
from ingest.clean import clean_document
from ingest.dedup import link_duplicates
from ingest.loaders import DEFAULT_MAX_SECONDS, LoadError, load_document
from ingest.models import Chunk, ChunkingConfig, CleanDocument, Skipped

log = logging.getLogger(__name__)

SOURCES_FILE = "SOURCES.md"
ProgressCallback = Callable[[int, int, Path], None]


@dataclass
class DocumentStats:
    """Per-document numbers for the ingestion summary."""

    doc_id: str
    title: str
    source_path: str
    chars_in: int
    chars_kept: int
    chunks: int
    pages: int | None
    duplicates: int  # chunks of this document linked as copies of another one


@dataclass
class IngestResult:
    """Everything one ingestion run produced."""

    documents: list[CleanDocument] = field(default_factory=list)
    chunks: list[Chunk] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    stats: list[DocumentStats] = field(default_factory=list)


# ----------------------------------------------------------------- discovery


def is_metadata_file(path: Path) -> bool:
    """`SOURCES.md`, `README*` and hidden files describe the corpus, they are not documents."""
    name = path.name
    return name.startswith(".") or name.upper() == SOURCES_FILE.upper() or \
        name.upper().startswith("README")


def discover_files(corpus_dir: Path) -> list[Path]:
    """Candidate document files under `corpus_dir`, sorted, metadata excluded."""
    found: list[Path] = []
    for path in sorted(corpus_dir.rglob("*")):
        relative = path.relative_to(corpus_dir)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.is_dir() or is_metadata_file(path):
            continue
        found.append(path)
    return found


def read_sources_titles(folder: Path) -> dict[str, str]:
    """File name -> title, from the table of a `SOURCES.md` in `folder`.

    A row looks like ``| `file.txt` | *Title* — description | ... |``; rows
    without an italic title are ignored.
    """
    path = folder / SOURCES_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    titles: dict[str, str] = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 2:
            continue
        name = re.fullmatch(r"`([^`]+)`", cells[0])
        title = re.match(r"\*([^*]+)\*", cells[1])
        if name and title:
            titles[name.group(1)] = title.group(1).strip()
    return titles


# ------------------------------------------------------------------ one file


def load_and_clean(path: Path | str, *, max_file_mb: float = 60.0, max_pdf_pages: int = 2000,
                   title: str | None = None,
                   max_seconds_per_document: float = DEFAULT_MAX_SECONDS) -> CleanDocument:
    """Load and clean one file; the title comes from `title`, else the folder's
    `SOURCES.md`, else the file itself. Raises `LoadError` for bad input,
    including a PDF that takes more than `max_seconds_per_document` to read."""
    path = Path(path)
    source = load_document(path, max_file_mb=max_file_mb, max_pdf_pages=max_pdf_pages,
                           max_seconds=max_seconds_per_document)
    title = title or read_sources_titles(path.parent).get(path.name)
    if title:
        source = replace(source, title=title)
    return clean_document(source)


# -------------------------------------------------------------------- corpus


def ingest_corpus(corpus_dir: Path | str, config: ChunkingConfig, count_tokens: TokenCounter, *,
                  max_file_mb: float = 60.0, max_pdf_pages: int = 2000,
                  max_seconds_per_document: float = DEFAULT_MAX_SECONDS,
                  on_progress: ProgressCallback | None = None) -> IngestResult:
    """Ingest every document of `corpus_dir`; bad files are skipped, with a reason."""
    corpus_dir = Path(corpus_dir)
    result = IngestResult()
    if not corpus_dir.is_dir():
        result.skipped.append(Skipped(str(corpus_dir), "corpus folder not found"))
        return result
    titles = read_sources_titles(corpus_dir)
    files = discover_files(corpus_dir)
    used_ids: set[str] = set()
    chunks: list[Chunk] = []
    for number, path in enumerate(files, start=1):
        try:
            document = load_and_clean(
                path,
                max_file_mb=max_file_mb,
                max_pdf_pages=max_pdf_pages,
                title=titles.get(path.name) if path.parent == corpus_dir else None,
                max_seconds_per_document=max_seconds_per_document,
            )
            if not document.text.strip():
                raise LoadError(path, "no text left after cleaning")
            document = _unique_id(document, path, used_ids)
            document_chunks = chunk_document(document, config, count_tokens)
        except LoadError as error:
            log.warning("skipped %s", error)
            result.skipped.append(Skipped(str(path), error.reason))
        except Exception as error:  # a bug must not stop the whole corpus
            log.exception("unexpected error while ingesting %s", path)
            result.skipped.append(
                Skipped(str(path), f"unexpected error: {type(error).__name__}: {error}")
            )
        else:
            used_ids.add(document.doc_id)
            result.documents.append(document)
            chunks.extend(document_chunks)
        if on_progress is not None:
            on_progress(number, len(files), path)

    result.chunks = link_duplicates(chunks)
    result.stats = [_stats(doc, result.chunks) for doc in result.documents]
    return result


def _unique_id(document: CleanDocument, path: Path, used: set[str]) -> CleanDocument:
    """`rapport.pdf` and `rapport.txt` become `rapport` and `rapport-txt`."""
    if document.doc_id not in used:
        return document
    candidate = f"{document.doc_id}-{path.suffix.lstrip('.').lower() or 'file'}"
    n = 2
    while candidate in used:
        candidate = f"{document.doc_id}-{n}"
        n += 1
    return replace(document, doc_id=candidate)


def _stats(document: CleanDocument, chunks: Iterable[Chunk]) -> DocumentStats:
    own = [c for c in chunks if c.doc_id == document.doc_id]
    return DocumentStats(
        doc_id=document.doc_id,
        title=document.title,
        source_path=document.source_path,
        chars_in=document.chars_in,
        chars_kept=len(document.text),
        chunks=len(own),
        pages=len(document.page_starts) or None,
        duplicates=sum(1 for c in own if c.duplicate_of),
    )


# ------------------------------------------------------------- persistence


def write_chunks_jsonl(chunks: Iterable[Chunk], path: Path | str) -> None:
    """Write one JSON object per chunk, atomically (temporary file + rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            for chunk in chunks:
                handle.write(json.dumps(chunk.to_dict(), ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise


def read_chunks_jsonl(path: Path | str) -> list[Chunk]:
    """Read chunks written by `write_chunks_jsonl`."""
    chunks: list[Chunk] = []
    with Path(path).open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                chunks.append(Chunk.from_dict(json.loads(line)))
    return chunks
