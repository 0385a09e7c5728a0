"""Data models shared by the ingestion stage and everything downstream.

A `SourceDocument` is what a loader yields: the raw text of one file, with page
boundaries when the format has pages. Cleaning turns it into a `CleanDocument`
(text as embedded and shown, section headings, page starts remapped). Chunking
turns that into `Chunk`s, the unit that is indexed, retrieved and cited.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ingest.errors import SkipReason


@dataclass(frozen=True)
class SourceDocument:
    """One loaded file, before cleaning.

    `page_starts` holds the character offset in `text` where each page begins
    (page 1 starts at `page_starts[0]`); it is empty for formats without pages.
    """

    doc_id: str
    title: str
    source_path: str
    format: str
    text: str
    page_starts: tuple[int, ...] = ()
    content_hash: str = ""


@dataclass(frozen=True)
class Heading:
    """A detected section heading inside a clean document."""

    level: int
    title: str
    start: int  # offset of the heading line in the clean text


@dataclass(frozen=True)
class CleanDocument:
    """A document after cleaning: what is embedded, searched and quoted."""

    doc_id: str
    title: str
    source_path: str
    format: str
    text: str
    page_starts: tuple[int, ...] = ()
    headings: tuple[Heading, ...] = ()
    footnotes: tuple[str, ...] = ()
    content_hash: str = ""
    chars_in: int = 0

    def page_at(self, offset: int) -> int | None:
        """1-based page number holding `offset`, or None for page-less formats."""
        if not self.page_starts:
            return None
        page = 1
        for number, start in enumerate(self.page_starts, start=1):
            if start <= offset:
                page = number
            else:
                break
        return page


@dataclass(frozen=True)
class SentenceSpan:
    """A sentence of a chunk: offsets inside the chunk text, and whether it is a heading line."""

    start: int
    end: int
    heading: bool = False


@dataclass
class Chunk:
    """A passage of a clean document: the unit indexed, retrieved and cited.

    `start`/`end` are character offsets into the clean document text, so that
    `clean_text[start:end] == text`; `sentences` are offsets into `text`. `duplicate_of` names the canonical chunk
    when this passage repeats another one nearly verbatim; `duplicates` lists,
    on a canonical chunk, the ids of the passages that repeat it.
    """

    id: str
    doc_id: str
    title: str
    section: list[str]
    page: int | None
    start: int
    end: int
    text: str
    source_path: str = ""
    duplicate_of: str | None = None
    duplicates: list[str] = field(default_factory=list)
    # The chunk's sentences, computed once when it is cut (the answer stage reads them).
    sentences: list[SentenceSpan] = field(default_factory=list)

    @property
    def section_path(self) -> str:
        """Human-readable section path, e.g. `02 › Freins › Données`."""
        return " › ".join(self.section)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Chunk":
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in data.items() if k in known}
        values["sentences"] = [SentenceSpan(**span) for span in values.get("sentences", ())]
        return cls(**values)


@dataclass
class Skipped:
    """A file the ingester could not use: its path, the English detail, the kind of problem."""

    path: str
    reason: str
    kind: SkipReason = SkipReason.UNREADABLE

    @property
    def french(self) -> str:
        """The reason in French, for users."""
        return self.kind.french
