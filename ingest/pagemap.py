"""The page map of a clean document: where each page starts, to the character.

The cleaner maps a page start to the first paragraph that begins on that
page, which is right when a page starts with a new paragraph and too late
when a paragraph runs on from the previous page (its sentences on the new
page would be cited with the old page). `with_layout` finds each page's
first words, cleaned the same way, in the clean text: at the cleaner's
offset or, for a paragraph running across the break, inside the paragraph
before it. It also carries what the loader learnt from the layout (page
labels, image-only pages, footnotes kept out of the text) into the clean
document.
"""

from __future__ import annotations

from dataclasses import replace

from ingest.clean import clean_fragment
from ingest.models import CleanDocument, SourceDocument

# A page's first words are looked for with this many characters of its cleaned text...
ANCHOR_CHARS = 48
# ... then with this many, when the longer anchor is not found.
SHORT_ANCHOR_CHARS = 16
# Raw characters read to make an anchor (cleaning may drop some).
RAW_WINDOW = 160


def with_layout(source: SourceDocument, clean: CleanDocument) -> CleanDocument:
    """`clean` with exact page starts and the loader's page labels, image-only pages and footnotes."""
    starts = page_starts(source, clean)
    return replace(
        clean,
        page_starts=starts,
        page_labels=source.page_labels,
        image_only_pages=source.image_only_pages,
        footnotes=tuple(source.footnotes) + tuple(clean.footnotes),
    )


def page_starts(source: SourceDocument, clean: CleanDocument) -> tuple[int, ...]:
    """Each page's start in the clean text (see the module docstring)."""
    if len(clean.page_starts) != len(source.page_starts) or len(source.page_starts) < 2:
        return clean.page_starts
    exact = [0]
    for number in range(1, len(source.page_starts)):
        lower, upper = exact[-1], clean.page_starts[number]
        raw_start = source.page_starts[number]
        next_raw = source.page_starts[number + 1] if number + 1 < len(source.page_starts) else len(source.text)
        found = _anchor_position(source.text[raw_start:min(next_raw, raw_start + RAW_WINDOW)],
                                 clean.text, lower, upper)
        exact.append(max(lower, found if found is not None else upper))
    return tuple(exact)


def _anchor_position(raw: str, text: str, lower: int, upper: int) -> int | None:
    """The last place in `text[lower:upper]` where the first line of `raw`, cleaned, begins."""
    cleaned = clean_fragment(raw.lstrip().split("\n", 1)[0])
    if not cleaned:
        return None
    for size in (ANCHOR_CHARS, SHORT_ANCHOR_CHARS):
        anchor = _cut(cleaned, size)
        position = text.rfind(anchor, lower, upper + len(anchor))
        if position >= 0:
            return position
    return None


def _cut(text: str, size: int) -> str:
    """The first `size` characters of `text`, ended at a word boundary when possible."""
    if len(text) <= size:
        return text
    cut = text[:size]
    space = cut.rfind(" ")
    return cut[:space] if space > size // 2 else cut
