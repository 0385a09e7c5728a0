"""Data models shared by the ingestion stage and everything downstream.

A `SourceDocument` is what a loader yields: the raw text of one file, with page
boundaries when the format has pages. Cleaning turns it into a `CleanDocument`
(text as embedded and shown, section headings, page starts remapped). Chunking
turns that into `Chunk`s, the unit that is indexed, retrieved and cited.
"""

from __future__ import annotations

import bisect
from dataclasses import asdict, dataclass, field
from typing import Any, Sequence

from ingest.errors import SkipReason


@dataclass(frozen=True)
class SourceDocument:
    """One loaded file, before cleaning.

    `page_starts` holds the character offset in `text` where each page begins
    (page 1 starts at `page_starts[0]`); it is empty for formats without pages.
    A loader that reads the layout (PDF, HTML) also hands on what it found:
    `headings` (offsets in `text`; None lets the cleaner find headings in the
    text), `footnotes` kept out of `text`, `page_labels` (one per page, when
    the PDF defines them) and `image_only_pages` (1-based pages that are
    pictures without text, e.g. a scanned page).
    """

    doc_id: str
    title: str
    source_path: str
    format: str
    text: str
    page_starts: tuple[int, ...] = ()
    content_hash: str = ""
    headings: tuple["Heading", ...] | None = None
    footnotes: tuple[str, ...] = ()
    page_labels: tuple[str, ...] = ()
    image_only_pages: tuple[int, ...] = ()


@dataclass(frozen=True)
class Heading:
    """A section heading: in a clean document, or found by a loader in its raw text."""

    level: int
    title: str
    start: int  # offset of the heading line in the (clean or raw) text


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
    page_labels: tuple[str, ...] = ()  # one per page when the PDF defines labels (« i », « 1 »…)
    image_only_pages: tuple[int, ...] = ()  # pages that are pictures without text (not indexed)

    def page_at(self, offset: int) -> int | None:
        """1-based page number holding `offset`, or None for page-less formats."""
        if not self.page_starts:
            return None
        return max(1, bisect.bisect_right(self.page_starts, offset))

    def page_label(self, page: int | None) -> str | None:
        """The printed label of a 1-based page, when the PDF defines labels."""
        if page is None or not 1 <= page <= len(self.page_labels):
            return None
        return self.page_labels[page - 1]


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
    `clean_text[start:end] == text`; `sentences` are offsets into `text`.
    `page` is the page where the chunk starts; `page_map` lists `(offset in
    text, page)` where each of its pages begins (the first at offset 0), so
    every character knows its page (`page_of`); `page_labels` gives the
    printed label of those pages, `(page, label)`, when the PDF defines
    labels. `duplicate_of` names the canonical chunk when this passage
    repeats another one nearly verbatim; `duplicates` lists, on a canonical
    chunk, the ids of the passages that repeat it.
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
    page_map: list[tuple[int, int]] = field(default_factory=list)
    page_labels: list[tuple[int, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.page_map and self.page is not None:
            self.page_map = [(0, self.page)]  # a chunk stored before page maps existed

    @property
    def section_path(self) -> str:
        """Human-readable section path, e.g. `02 › Freins › Données`."""
        return " › ".join(self.section)

    def page_of(self, offset: int) -> int | None:
        """The 1-based page of the character at `offset` in `text` (None without pages)."""
        return page_in_map(self.page_map, offset)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Chunk":
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in data.items() if k in known}
        values["sentences"] = [SentenceSpan(**span) for span in values.get("sentences", ())]
        values["page_map"] = [(int(o), int(p)) for o, p in values.get("page_map") or ()]
        values["page_labels"] = [(int(p), str(label)) for p, label in values.get("page_labels") or ()]
        return cls(**values)


def page_in_map(page_map: Sequence[tuple[int, int]], offset: int) -> int | None:
    """The page holding `offset` in a `[(offset, page), …]` map (None for an empty map)."""
    if not page_map:
        return None
    index = bisect.bisect_right([start for start, _ in page_map], offset) - 1
    return page_map[max(0, index)][1]


def pages_in_map(page_map: Sequence[tuple[int, int]], start: int, end: int) -> list[int]:
    """Every page the characters `start`…`end - 1` lie on, in order."""
    first = page_in_map(page_map, start)
    if first is None:
        return []
    pages = [first]
    for offset, page in page_map:
        if start < offset < end and page != pages[-1]:
            pages.append(page)
    return pages


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
