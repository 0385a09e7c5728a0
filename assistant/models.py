"""What the assistant returns: scored passages, citations and answers."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from ingest.models import page_in_map, pages_in_map


@dataclass
class Source:
    """One document a passage comes from (a passage may have several copies)."""

    doc_id: str
    title: str
    section: str
    page: int | None
    chunk_id: str


@dataclass
class ScoredPassage:
    """A retrieved chunk with its fused score and every source that holds it."""

    chunk_id: str
    doc_id: str
    title: str
    section: str
    page: int | None
    text: str
    score: float
    start: int
    end: int
    dense_rank: int | None = None
    lexical_rank: int | None = None
    sources: list[Source] = field(default_factory=list)
    # `(offset in text, page)` where each page of the passage begins; `(page, label)`
    # for the pages the PDF labels (see `ingest.models.Chunk`).
    page_map: list[tuple[int, int]] = field(default_factory=list)
    page_labels: list[tuple[int, str]] = field(default_factory=list)

    def page_of(self, offset: int) -> int | None:
        """The page of the character at `offset` in `text` (None without pages)."""
        return page_in_map(self.page_map, offset) if self.page_map else self.page

    def label_of(self, page: int | None) -> str | None:
        """The printed label of `page`, when the PDF defines labels."""
        return dict(self.page_labels).get(page) if page is not None else None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Citation:
    """A numbered citation: the quoted sentence(s) and the passage around them.

    `start`/`end` are offsets of the quote inside `passage`, so a UI can
    highlight `passage[start:end]`; when the quote is several separate
    sentences, `highlights` lists each `(start, end)` span. `page` is the
    page of the quote's first character, `pages` every page the quote spans
    (two when it runs across a page break), `page_label` the printed label of
    `page` when the PDF defines labels (« iv », « 12 »).
    """

    number: int
    doc_id: str
    title: str
    section: str
    page: int | None
    quote: str
    passage: str
    start: int
    end: int
    score: float
    chunk_id: str = ""
    highlights: list[tuple[int, int]] = field(default_factory=list)
    also_in: list[Source] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)
    page_label: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def quoting(cls, number: int, passage: ScoredPassage, spans: list[tuple[int, int]]) -> "Citation":
        """Citation `number` quoting the `(start, end)` spans of a passage."""
        page = passage.page_of(spans[0][0])
        pages: list[int] = []
        for start, end in spans:
            for spanned in (pages_in_map(passage.page_map, start, end) if passage.page_map
                            else ([page] if page else [])):
                if spanned not in pages:
                    pages.append(spanned)
        return cls(
            number=number,
            doc_id=passage.doc_id,
            title=passage.title,
            section=passage.section,
            page=page,
            pages=pages,
            page_label=passage.label_of(page),
            quote=" … ".join(passage.text[s:e] for s, e in spans),
            passage=passage.text,
            start=spans[0][0],
            end=spans[-1][1],
            score=round(passage.score, 6),
            chunk_id=passage.chunk_id,
            highlights=list(spans),
            also_in=[s for s in passage.sources if s.chunk_id != passage.chunk_id],
        )


@dataclass
class ShortAnswer:
    """The exact span of a cited sentence that answers a figure, date or name question."""

    text: str  # verbatim in the quote of citation `citation`
    citation: int  # the [n] of the sentence it comes from


@dataclass
class AnswerPart:
    """One question of a compound question, answered or named as not covered."""

    question: str
    answered: bool
    text: str  # its cited sentences, or « Les rapports ne précisent pas : … »
    citations: list[int] = field(default_factory=list)  # the [n] it uses
    confidence: float = 0.0
    short: ShortAnswer | None = None


@dataclass
class Answer:
    """The assistant's reply to one question.

    `text` is French prose whose every sentence ends with a `[n]` marker
    pointing to `citations[n-1]`, or an abstention message when `abstained`.
    `short` is the exact figure, date or name answering it when it asks for
    one; `parts` lists each question of a compound question, answered or not
    (a single part for a simple question). `see_also` holds the closest
    passages when the assistant abstains. `confidence` is the gate's
    calibrated probability that the reports answer the question (shown as
    « confiance »), or None when no calibrated gate judged it (a neutral gate:
    no calibration fits the embedder).
    """

    question: str
    text: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    see_also: list[ScoredPassage] = field(default_factory=list)
    mode: str = "extractive"
    confidence: float | None = None
    notes: list[str] = field(default_factory=list)
    resolved_question: str = ""
    index_version: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    short: ShortAnswer | None = None
    parts: list[AnswerPart] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def answer_from_dict(data: dict[str, Any]) -> Answer:
    """An `Answer` back from `Answer.to_dict()` (e.g. a kept conversation), citations included.

    Keys the `Answer` does not know (written by another version) are ignored.
    """

    def build(cls: type, values: dict[str, Any]) -> Any:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in names})

    def source(values: dict[str, Any]) -> Source:
        return build(Source, values)

    def citation(values: dict[str, Any]) -> Citation:
        return build(Citation, {
            **values,
            "highlights": [tuple(span) for span in values.get("highlights", [])],
            "also_in": [source(s) for s in values.get("also_in", [])],
        })

    def passage(values: dict[str, Any]) -> ScoredPassage:
        return build(ScoredPassage, {**values, "sources": [source(s) for s in values.get("sources", [])]})

    def short(values: dict[str, Any] | None) -> ShortAnswer | None:
        return build(ShortAnswer, values) if values else None

    def part(values: dict[str, Any]) -> AnswerPart:
        return build(AnswerPart, {**values, "short": short(values.get("short"))})

    return build(Answer, {
        **data,
        "citations": [citation(c) for c in data.get("citations", [])],
        "see_also": [passage(p) for p in data.get("see_also", [])],
        "short": short(data.get("short")),
        "parts": [part(p) for p in data.get("parts", [])],
    })
