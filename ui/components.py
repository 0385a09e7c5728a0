"""Rendering helpers for the chat page: safe Markdown, answers, source cards.

Document text and user input are never rendered as HTML. Everything that comes
from a document, a question or an answer goes through `escape_markdown`, which
backslash-escapes every ASCII punctuation character (CommonMark renders an
escaped punctuation character literally), so `<script>`, `[x](javascript:…)`,
`**`, `$…$` or `:red[…]` in a report show up as plain text. Highlights and
citation markers are then added with Streamlit's own Markdown directives.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import streamlit as st

from assistant.models import Answer, Citation, ScoredPassage
from ui.confidence import CONFIDENCE_HELP, confidence_label

if TYPE_CHECKING:
    from assistant import Manifest

HIGHLIGHT = "orange-background"
MARKER_COLOR = "blue"
_PUNCTUATION = frozenset(string.punctuation)
_MARKER = re.compile(r"\[(\d{1,3})\]")
_LABEL_SECTION_CHARS = 70
# Gives the PDF pages a citation quotes as PNG images, quote highlighted (`Assistant.page_images`).
PageImages = Callable[[Citation], "list[tuple[int, bytes]]"]


# ------------------------------------------------------------------ safe Markdown


def escape_markdown(text: str) -> str:
    """`text` as Markdown that renders literally, on one line.

    Every ASCII punctuation character is backslash-escaped and line breaks
    become spaces, so the result can sit inside a label, a directive or a
    sentence without changing the structure around it.
    """
    flat = " ".join(str(text).split())
    return "".join("\\" + ch if ch in _PUNCTUATION else ch for ch in flat)


def markdown_block(text: str, highlights: Sequence[tuple[int, int]] = ()) -> str:
    """A multi-line text as safe Markdown, the `highlights` spans highlighted.

    Paragraphs (blank lines) are kept; single line breaks become soft breaks;
    leading indentation is dropped (it would otherwise turn into code
    blocks). Each highlighted span is wrapped line by line in
    `:orange-background[**…**]` (colour and bold, so it does not rely on
    colour alone), since a directive cannot span lines.
    """
    text = str(text)
    marks = [False] * len(text)
    for start, end in highlights:
        for i in range(max(0, start), min(len(text), end)):
            marks[i] = True
    lines: list[str] = []
    for raw_line, offset in _lines_with_offsets(text):
        stripped = raw_line.lstrip(" \t\u00a0")
        start = offset + len(raw_line) - len(stripped)
        stripped = stripped.rstrip()
        if not stripped:
            lines.append("")
            continue
        pieces = []
        for piece, highlighted in _runs(stripped, marks[start : start + len(stripped)]):
            pieces.append(_wrap(piece) if highlighted else _escape_inline(piece))
        lines.append("".join(pieces))
    block = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", block).strip("\n")


def _lines_with_offsets(text: str) -> Iterator[tuple[str, int]]:
    offset = 0
    for line in text.split("\n"):
        yield line, offset
        offset += len(line) + 1


def _runs(text: str, marks: Sequence[bool]) -> Iterator[tuple[str, bool]]:
    """Consecutive pieces of `text` with the same highlight flag."""
    if not text:
        return
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or marks[i] != marks[start]:
            yield text[start:i], bool(marks[start])
            start = i


def _escape_inline(text: str) -> str:
    """Escape punctuation, keeping spaces as they are (text inside one line)."""
    return "".join("\\" + ch if ch in _PUNCTUATION else ch for ch in text)


def _wrap(piece: str) -> str:
    """Highlight a piece of one line; surrounding spaces stay outside the directive."""
    core = piece.strip()
    if not core:
        return piece
    left = piece[: len(piece) - len(piece.lstrip())]
    right = piece[len(piece.rstrip()) :]
    return f"{left}:{HIGHLIGHT}[**{_escape_inline(core)}**]{right}"


def answer_markdown(text: str) -> str:
    """Answer prose as safe Markdown, its `[n]` markers shown as small badges."""
    parts = []
    position = 0
    for match in _MARKER.finditer(text):
        parts.append(_escape_inline(text[position : match.start()]))
        parts.append(marker_badge(int(match.group(1))))
        position = match.end()
    parts.append(_escape_inline(text[position:]))
    return "".join(parts)


def marker_badge(number: int) -> str:
    """The Markdown of a citation marker, e.g. a blue badge reading `[2]`."""
    return f":{MARKER_COLOR}-badge[\\[{number}\\]]"


def stream_markdown(pieces: Iterable[str]) -> Iterator[str]:
    """Escape a stream of answer pieces for `st.write_stream`.

    The assistant splits its stream after each `]` marker, so no marker is
    ever cut between two pieces.
    """
    for piece in pieces:
        yield answer_markdown(piece)


# ------------------------------------------------------------------ labels


def format_page(page: int | None, label: str | None = None) -> str:
    """« p. 3 », or « p. ii (page 2 du fichier) » when the PDF prints another label."""
    if not page:
        return ""
    if label and label != str(page):
        return f"p. {escape_markdown(label)} (page {page} du fichier)"
    return f"p. {page}"


def citation_pages(citation: Citation) -> str:
    """Where a quote is: « p. 5 », « p. 5–6 » across a page break, with the printed label."""
    if not citation.page:
        return ""
    shown = format_page(citation.page, citation.page_label)
    later = [page for page in citation.pages if page != citation.page]
    if not later:
        return shown
    if citation.page_label and citation.page_label != str(citation.page):
        return f"{shown}, suite page {later[-1]} du fichier"
    return f"{shown}–{later[-1]}"


def shorten(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def citation_label(citation: Citation) -> str:
    """Markdown label of a source card: `[n] Title — Section — p. 3`."""
    parts = [escape_markdown(citation.title)]
    if citation.section:
        parts.append(escape_markdown(shorten(citation.section, _LABEL_SECTION_CHARS)))
    if citation.page:
        parts.append(citation_pages(citation))
    return f"**\\[{citation.number}\\]** " + " — ".join(parts)


def render_confidence(answer: Answer) -> None:
    """The answer's « confiance » as a caption, its meaning in the help tooltip (nothing
    when no calibrated gate judged it)."""
    label = confidence_label(answer)
    if label:
        st.caption(label, help=CONFIDENCE_HELP)


def passage_label(passage: ScoredPassage) -> str:
    """Markdown label of a "Voir aussi" passage: `Title — Section — p. 3`."""
    parts = [escape_markdown(passage.title)]
    if passage.section:
        parts.append(escape_markdown(shorten(passage.section, _LABEL_SECTION_CHARS)))
    if passage.page:
        parts.append(format_page(passage.page, passage.label_of(passage.page)))
    return " — ".join(parts)


# ------------------------------------------------------------------ rendering


def render_citation(citation: Citation, page_images: PageImages | None = None) -> None:
    """One numbered source card; opening it shows the cited PDF page with the
    quote highlighted (when `page_images` gives it), then the passage, quote highlighted."""
    with st.expander(citation_label(citation)):
        details = [f"Document : {escape_markdown(citation.title)}"]
        if citation.section:
            details.append(f"Section : {escape_markdown(citation.section)}")
        if citation.page:
            details.append(f"Page : {citation_pages(citation).removeprefix('p. ')}")
        details.append(f"Score de recherche : {citation.score:.4f}")
        st.caption(" · ".join(details))
        for page, png in _page_images(citation, page_images):
            label = format_page(page, citation.page_label if page == citation.page else None)
            st.image(png, caption=f"{label} : la citation est surlignée", width="stretch")
        highlights = list(citation.highlights) or [(citation.start, citation.end)]
        st.markdown(markdown_block(citation.passage, highlights))
        for other in citation.also_in:
            where = " — ".join(
                part
                for part in (
                    escape_markdown(other.title),
                    escape_markdown(other.section),
                    format_page(other.page),
                )
                if part
            )
            st.caption(f"Aussi dans : {where}")


def _page_images(citation: Citation, page_images: PageImages | None) -> list[tuple[int, bytes]]:
    """The cited pages' images; none for a text source or when rendering fails."""
    if page_images is None or not citation.page:
        return []
    try:
        return page_images(citation)
    except Exception:  # a damaged or vanished file: the passage text still shows
        return []


def render_sources(citations: Sequence[Citation], page_images: PageImages | None = None) -> None:
    """The numbered source cards of an answer."""
    if not citations:
        return
    st.markdown("**Sources**")
    for citation in citations:
        render_citation(citation, page_images)


def render_see_also(passages: Sequence[ScoredPassage]) -> None:
    """The closest passages shown under an abstention, for the user to judge."""
    if not passages:
        return
    st.markdown("**Voir aussi** — passages les plus proches, à titre indicatif :")
    for passage in passages:
        with st.expander(passage_label(passage)):
            st.markdown(markdown_block(passage.text))


def render_notes(notes: Sequence[str]) -> None:
    for note in notes:
        st.caption(f"Note : {escape_markdown(note)}")


def render_abstention(answer: Answer) -> None:
    """An abstention: a warning box, then the closest passages."""
    st.warning(escape_markdown(answer.text), icon=":material/search_off:")
    render_confidence(answer)
    render_see_also(answer.see_also)


def short_markdown(answer: Answer) -> str | None:
    """The short answer in bold with its citation badge (« **9,7 M€** [1] »), if there is one."""
    if answer.short is None:
        return None
    return f"**{_escape_inline(answer.short.text)}** {marker_badge(answer.short.citation)}"


def parts_caption(answer: Answer) -> str | None:
    """For a compound question, which parts the reports answer (« 1 partie sur 2 couverte »)."""
    if len(answer.parts) < 2:
        return None
    covered = sum(part.answered for part in answer.parts)
    noun = "partie couverte" if covered <= 1 else "parties couvertes"
    return f"Question en {len(answer.parts)} parties : {covered} {noun} par les rapports."


def render_short(answer: Answer) -> None:
    """The short answer, first and in bold, and the parts summary of a compound question."""
    short = short_markdown(answer)
    if short:
        st.markdown(short)
    caption = parts_caption(answer)
    if caption:
        st.caption(caption)


def render_answer(answer: Answer, *, streamed: bool = False, page_images: PageImages | None = None) -> None:
    """A whole answer: short answer and text (unless just streamed), its confidence, sources, notes."""
    if answer.abstained:
        render_abstention(answer)
    else:
        if not streamed:
            render_short(answer)
            st.markdown(answer_markdown(answer.text))
        render_confidence(answer)
        render_sources(answer.citations, page_images)
    render_notes(answer.notes)


# ------------------------------------------------------------------ index status


def index_status(manifest: "Manifest") -> dict[str, str]:
    """The index facts shown in the sidebar, from a version's manifest."""
    return {
        "Documents": str(len(manifest.documents)),
        "Passages": str(manifest.chunk_count),
        "Modèle": manifest.model_id,
        "Construit le": format_timestamp(manifest.built_at),
        "Version": manifest.build_id,
    }


def format_timestamp(value: Any) -> str:
    """An ISO timestamp as local `jj/mm/aaaa hh:mm`; the raw value if unparsable."""
    if not value:
        return "—"
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%d/%m/%Y %H:%M")
