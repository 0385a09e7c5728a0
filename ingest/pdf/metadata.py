"""What pypdf reads for the PDF loader: the metadata title, the outline, page labels.

pdfium gives the characters; pypdf gives the document's structure: the
metadata title, the outline (bookmarks: title, page, position, depth) and the
page labels (« i », « ii », « 1 »…), kept only when the PDF defines them.
Every reader here is defensive: a damaged outline or label tree is ignored,
never a reason to skip the document.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

log = logging.getLogger(__name__)

# Outline entries read at most (a hostile outline can be huge or cyclic).
MAX_OUTLINE_ENTRIES = 5000
MAX_OUTLINE_DEPTH = 12

@dataclass(frozen=True)
class OutlineEntry:
    """One bookmark: its title, its 1-based page, its depth (0 = top) and where
    on the page it points (points from the top, None when unknown)."""

    title: str
    page: int
    depth: int
    top: float | None = None


def read_title(reader: "object") -> str | None:
    """The metadata title, or None (missing or unreadable)."""
    try:
        metadata = reader.metadata
        title = metadata.title if metadata else None
    except Exception:  # a damaged info dictionary
        return None
    return str(title).strip() if title else None


def read_page_labels(reader: "object", page_count: int) -> tuple[str, ...]:
    """One label per page when the PDF defines page labels, else ()."""
    try:
        root = reader.trailer["/Root"]
        if "/PageLabels" not in root:
            return ()
        labels = list(reader.page_labels)
    except Exception as error:  # a damaged number tree
        log.debug("page labels unreadable: %s", error)
        return ()
    if len(labels) != page_count:
        return ()
    return tuple(str(label) for label in labels)


def read_outline(reader: "object") -> list[OutlineEntry]:
    """The outline's entries in document order (empty when there is none or it is damaged)."""
    entries: list[OutlineEntry] = []
    try:
        _walk(reader, reader.outline, 0, entries)
    except Exception as error:  # a damaged or cyclic outline
        log.debug("outline unreadable: %s", error)
    return entries


def _walk(reader: "object", items: list, depth: int, entries: list[OutlineEntry]) -> None:
    if depth > MAX_OUTLINE_DEPTH:
        return
    for item in items:
        if len(entries) >= MAX_OUTLINE_ENTRIES:
            return
        if isinstance(item, list):
            _walk(reader, item, depth + 1, entries)
            continue
        try:
            page = reader.get_destination_page_number(item)
        except Exception:
            continue
        title = re.sub(r"\s+", " ", str(getattr(item, "title", "") or "")).strip()
        if page is None or page < 0 or not title:
            continue
        top = _destination_top(reader, item, page)
        entries.append(OutlineEntry(title, page + 1, depth, top))


def _destination_top(reader: "object", item: "object", page: int) -> float | None:
    """Where a bookmark points, in points from the top of its page."""
    try:
        top = item.top
        if top is None:
            return None
        height = float(reader.pages[page].mediabox.top)
        return height - float(top)
    except Exception:
        return None
