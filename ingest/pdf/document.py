"""A PDF's pages (from `lines.read_page`) and metadata → the text the loader hands on.

The text puts every heading, paragraph, list item and table row on its own
line, blocks separated by a blank line (consecutive list items by a line
break), in reading order, without running headers, footers, page numbers
or footnotes (those are kept apart). `page_starts` gives the offset where
each page's text begins — inside a paragraph when the paragraph goes on
from the previous page — so every character knows its page.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingest.models import Heading
from ingest.pdf.blocks import Block, continues_across, finish_text, line_gaps, merge, vocabulary, zone_blocks
from ingest.pdf.headings import apply_fonts, apply_outline, title_from_layout
from ingest.pdf.layout import body_size, mark_footnotes, mark_running_lines, reading_order
from ingest.pdf.lines import Line, PageText
from ingest.pdf.metadata import OutlineEntry
from ingest.titles import is_meaningful_title
from ingest.pdf.tables import rows_and_lines


@dataclass(frozen=True)
class PdfText:
    """What the layout analysis of one PDF gives the loader."""

    text: str
    page_starts: tuple[int, ...]  # offset in `text` where each page (1, 2…) begins
    headings: tuple[Heading, ...]  # offsets in `text`
    footnotes: tuple[str, ...]
    title: str | None  # a meaningful title, or None
    image_only_pages: tuple[int, ...]  # 1-based pages that are pictures without text


def assemble(pages: list[PageText], outline: list[OutlineEntry], metadata_title: str | None,
             file_stem: str) -> PdfText:
    """Lay out a document's pages (see the module docstring)."""
    body = body_size(pages)
    mark_running_lines(pages, body)
    footnotes: list[str] = []
    zones: dict[int, list[list[Line]]] = {}
    for page in pages:
        footnotes += mark_footnotes(page, body)
        zones[page.number] = [rows_and_lines(zone) for zone in reading_order(page)]
    flat = {number: [line for zone in page_zones for line in zone] for number, page_zones in zones.items()}
    if not (outline and apply_outline(outline, flat)):
        apply_fonts(flat, body)
    title = metadata_title if is_meaningful_title(metadata_title, file_stem) else None
    title = title or title_from_layout(flat, body)
    words = vocabulary([line for lines in flat.values() for line in lines])
    gaps = line_gaps([zone for page_zones in zones.values() for zone in page_zones])
    image_only = tuple(page.number for page in pages if page.image_only)

    blocks: list[Block] = []
    for page in pages:
        for zone in zones[page.number]:
            found = zone_blocks([line for line in zone if line.kind != "merged"], gaps, words)
            if found and blocks and found[0].page - blocks[-1].last.page <= 1 and \
                    continues_across(blocks[-1], found[0]):
                merge(blocks[-1], found[0], words)
                found = found[1:]
            blocks.extend(found)
    text, starts, headings = _text(blocks, len(pages))
    return PdfText(text, starts, headings, tuple(footnotes), title, image_only)


def _text(blocks: list[Block], page_count: int) -> tuple[str, tuple[int, ...], tuple[Heading, ...]]:
    """The blocks as one text, with each page's start offset and the headings."""
    parts: list[str] = []
    starts: list[int | None] = [None] * (page_count + 1)
    headings: list[Heading] = []
    offset = 0
    previous: Block | None = None
    for block in blocks:
        body = finish_text(block.text).rstrip()
        if not body.strip():
            continue
        if previous is not None:
            separator = "\n" if block.kind == previous.kind == "item" else "\n\n"
            parts.append(separator)
            offset += len(separator)
        if starts[block.page] is None:
            starts[block.page] = offset
        for inside, page in block.breaks:
            if starts[page] is None:
                starts[page] = offset + inside
        if block.kind == "heading":
            headings.append(Heading(level=block.level, title=body, start=offset))
        parts.append(body)
        offset += len(body)
        previous = block
    text = "".join(parts)
    following = len(text)
    for page in range(page_count, 0, -1):  # a page without text starts where the next one does
        if starts[page] is None:
            starts[page] = following
        following = starts[page]
    starts[1] = 0
    return text, tuple(min(s, len(text)) for s in starts[1:]), tuple(headings)
