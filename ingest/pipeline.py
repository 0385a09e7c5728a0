"""The one ingestion path: files → clean documents → chunks, with the corpus's rules.

`Ingester` holds the stage's settings (file limits, chunk sizes, the token
counter of the embedding model) and does the per-file work every caller
shares — `assistant ingest`, the index's incremental update and uploads:
`load` (load + clean, one file), `chunk` (one clean document), `ingest_file`
(both). `ingest_corpus` runs it over a whole folder and links near-duplicates.

The corpus's rules live here and only here: metadata files (`SOURCES.md`,
`README*`, hidden files) are not documents; a document's title comes from its
folder's `SOURCES.md` when listed there; two files whose names give the same
document id are told apart (`rapport` and `rapport-txt`); a bad file is
skipped with a typed reason (`LoadError`), never stops the run.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable, Collection, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from ingest.chunk import TokenCounter, chunk_document, word_count_tokens
from ingest.clean import clean_document
from ingest.config import ChunkingConfig, IngestLimits
from ingest.dedup import link_duplicates
from ingest.errors import LoadError, SkipReason
from ingest.loaders import load_document
from ingest.models import Chunk, CleanDocument, Skipped, SourceDocument
from ingest.pagemap import with_layout

log = logging.getLogger(__name__)

SOURCES_FILE = "SOURCES.md"
ProgressCallback = Callable[[int, int, Path], None]


class StageClock(Protocol):
    """Times the stages of a build (`index.store.report.StageTimer`): `with clock.stage("clean",
    amount): ...` adds the block's seconds to the stage, and `amount` to what it processed."""

    def stage(self, name: str, amount: int = 0) -> AbstractContextManager[None]: ...


class _NoClock:
    def stage(self, name: str, amount: int = 0) -> AbstractContextManager[None]:
        return contextlib.nullcontext()


_NO_CLOCK = _NoClock()


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
    image_only_pages: tuple[int, ...] = ()  # pages that are pictures without text (not indexed)


@dataclass
class IngestResult:
    """Everything one ingestion run produced."""

    documents: list[CleanDocument] = field(default_factory=list)
    chunks: list[Chunk] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    stats: list[DocumentStats] = field(default_factory=list)


@dataclass(frozen=True)
class IngestedFile:
    """One file, loaded, cleaned and cut into chunks."""

    document: CleanDocument
    chunks: list[Chunk]


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


def unique_doc_id(document: CleanDocument, path: Path, used: Collection[str]) -> CleanDocument:
    """Rename a document whose id is taken: `rapport.pdf` and `rapport.txt` become `rapport` and `rapport-txt`."""
    if document.doc_id not in used:
        return document
    candidate = f"{document.doc_id}-{path.suffix.lstrip('.').lower() or 'file'}"
    number = 2
    while candidate in used:
        candidate = f"{document.doc_id}-{number}"
        number += 1
    return replace(document, doc_id=candidate)


# ------------------------------------------------------------------ one file


def load_source(path: Path | str, limits: IngestLimits = IngestLimits(), *,
                title: str | None = None) -> SourceDocument:
    """Load one file within `limits` (not cleaned); raise `LoadError` for bad input.

    The title comes from `title`, else the folder's `SOURCES.md`, else the file itself.
    """
    path = Path(path)
    source = load_document(path, limits)
    title = title or read_sources_titles(path.parent).get(path.name)
    if title:
        source = replace(source, title=title)
    return source


def clean_source(source: SourceDocument) -> CleanDocument:
    """Clean a loaded file, with the page starts and layout facts its loader found."""
    return with_layout(source, clean_document(source))


def load_and_clean(path: Path | str, limits: IngestLimits = IngestLimits(), *,
                   title: str | None = None) -> CleanDocument:
    """Load and clean one file within `limits`; raise `LoadError` for bad input.

    The title comes from `title`, else the folder's `SOURCES.md`, else the file itself.
    """
    return clean_source(load_source(path, limits, title=title))


class Ingester:
    """Loads, cleans and chunks files with one set of limits and chunk sizes."""

    def __init__(
        self,
        limits: IngestLimits = IngestLimits(),
        chunking: ChunkingConfig = ChunkingConfig(),
        count_tokens: TokenCounter = word_count_tokens,
    ) -> None:
        """`count_tokens` measures chunks as the embedding model will (its tokenizer)."""
        self.limits = limits
        self.chunking = chunking
        self.count_tokens = count_tokens

    def discover(self, corpus_dir: Path) -> list[Path]:
        """Candidate document files of a corpus folder (metadata files excluded)."""
        if not corpus_dir.is_dir():
            raise FileNotFoundError(f"Le dossier du corpus n'existe pas : {corpus_dir}")
        return discover_files(corpus_dir)

    def load(self, path: Path, clock: StageClock | None = None) -> CleanDocument:
        """Load and clean one file; every failure — a loader bug, a file left with no
        text once cleaned — is a `LoadError`.

        `clock` times reading the file as stage `load` and cleaning it as stage `clean`,
        whose amount is the UTF-8 size of the loaded text (cleaning throughput)."""
        clock = clock or _NO_CLOCK
        try:
            with clock.stage("load"):
                source = load_source(path, self.limits)
            with clock.stage("clean", len(source.text.encode("utf-8"))):
                document = clean_source(source)
        except LoadError:
            raise
        except Exception as error:  # a bug in one loader must not stop the whole corpus
            log.exception("unexpected error while ingesting %s", path)
            raise LoadError(
                path, f"unexpected error: {type(error).__name__}: {error}", SkipReason.UNEXPECTED
            ) from None
        if not document.text.strip():
            raise LoadError(path, "no text left after cleaning", SkipReason.NO_TEXT)
        return document

    def chunk(self, document: CleanDocument) -> list[Chunk]:
        """Cut one clean document into chunks."""
        return chunk_document(document, self.chunking, self.count_tokens)

    def ingest_file(self, path: Path, used_ids: Collection[str] = ()) -> IngestedFile:
        """Load, clean and chunk one file, its id made unique among `used_ids`."""
        document = unique_doc_id(self.load(path), path, used_ids)
        return IngestedFile(document, self.chunk(document))

    def link_duplicates(self, chunks: list[Chunk]) -> list[Chunk]:
        """Mark near-duplicate chunks across documents (same order, same length)."""
        return link_duplicates(chunks)


# -------------------------------------------------------------------- corpus


def ingest_corpus(corpus_dir: Path | str, ingester: Ingester | None = None, *,
                  on_progress: ProgressCallback | None = None) -> IngestResult:
    """Ingest every document of `corpus_dir`; bad files are skipped, with a reason."""
    ingester = ingester or Ingester()
    corpus_dir = Path(corpus_dir)
    result = IngestResult()
    if not corpus_dir.is_dir():
        result.skipped.append(Skipped(str(corpus_dir), "corpus folder not found", SkipReason.UNREADABLE))
        return result
    files = discover_files(corpus_dir)
    used_ids: set[str] = set()
    chunks: list[Chunk] = []
    for number, path in enumerate(files, start=1):
        try:
            ingested = ingester.ingest_file(path, used_ids)
        except LoadError as error:
            log.warning("skipped %s", error)
            result.skipped.append(Skipped(str(path), error.reason, error.kind))
        else:
            used_ids.add(ingested.document.doc_id)
            result.documents.append(ingested.document)
            chunks.extend(ingested.chunks)
        if on_progress is not None:
            on_progress(number, len(files), path)

    result.chunks = ingester.link_duplicates(chunks)
    result.stats = [document_stats(doc, result.chunks) for doc in result.documents]
    return result


def document_stats(document: CleanDocument, chunks: Iterable[Chunk]) -> DocumentStats:
    """The summary numbers of one document among `chunks`."""
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
        image_only_pages=document.image_only_pages,
    )
