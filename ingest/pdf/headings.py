"""Headings of a PDF: from its outline (bookmarks) when it has one, else from
font size and weight; and its title when the metadata title is not meaningful.

* **Outline**: each bookmark is looked for on its page, in reading order, as
  one to three consecutive lines whose letters and digits equal the
  bookmark's (spaces, punctuation and case ignored: Chromium glues the words
  of a wrapped title, « lapopulation »); the visible lines become the heading,
  its level the bookmark's depth + 1. The outline is used when at least half
  of its bookmarks are found.
* **Fonts**: a short line (a few words, no final full stop or comma) set
  at least 12 % bigger than the body text, or bold at the body size; lines of
  the same style that follow each other make one heading; bigger styles are
  higher levels (bold before regular at the same size).
* **Title**: the biggest text of the first pages, its consecutive lines joined.
"""

from __future__ import annotations

import re
import unicodedata
from ingest.pdf.lines import Line
from ingest.pdf.metadata import OutlineEntry

# The outline is trusted when at least this share of its bookmarks are found on their pages.
OUTLINE_FOUND_SHARE = 0.5
# A bookmark may span this many lines on its page.
MAX_HEADING_LINES = 3
# Font-size headings: bigger than the body by this factor, or bold at least this big...
BIGGER = 1.12
BOLD_AT_LEAST = 0.95
# ... and at most this many words.
MAX_HEADING_WORDS = 20
# Heading lines of one style closer than this (in ems) are one heading.
HEADING_LINE_GAP = 0.8
# At most this many heading levels from font styles.
MAX_LEVELS = 6
# The title is the biggest text on the first pages, if at least this much bigger than the body.
TITLE_BIGGER = 1.15
TITLE_PAGES = 3
_NOT_A_HEADING_END = re.compile(r"[.,;]\s*$")
# A visible heading may carry a number its bookmark leaves out (« 1.1 », « Chapitre 2 »),
# at most this many characters long once spaces and punctuation are dropped.
_NUMBERING = re.compile(r"(?:chapitre|chapter|partie|part|annexe|appendix|section)?[0-9ivxlc]{0,8}[a-z]?[0-9]{0,4}")
MAX_NUMBERING = 16


def key(text: str) -> str:
    """Letters and digits only, case-folded: how a bookmark and its lines are compared."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum())


def apply_outline(entries: list[OutlineEntry], pages: dict[int, list[Line]]) -> bool:
    """Turn the lines each bookmark names into headings; False (nothing changed)
    when too few bookmarks are found to trust the outline."""
    found: list[tuple[OutlineEntry, list[Line], int, int]] = []
    for entry in entries:
        lines = pages.get(entry.page, [])
        match = _find(entry, lines)
        if match is not None:
            found.append((entry, lines, *match))
    usable = [e for e in entries if e.page in pages]
    if not found or len(found) < OUTLINE_FOUND_SHARE * len(usable):
        return False
    for entry, lines, start, end in found:
        if lines[start].kind != "text":
            continue  # two bookmarks on the same lines
        _make_heading(lines, start, end, entry.depth + 1)
        if _all_caps(lines[start].text) and not _all_caps(entry.title):
            lines[start].text = entry.title  # « PARTIE 1 — HISTOIRE » drawn in capitals
    return True


def _all_caps(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and all(ch.isupper() for ch in letters)


def _find(entry: OutlineEntry, lines: list[Line]) -> tuple[int, int] | None:
    """(first, last) index of the lines spelling the bookmark; the one nearest its target."""
    target = key(entry.title)
    if not target:
        return None
    matches: list[tuple[int, int]] = []
    for start, line in enumerate(lines):
        if line.kind != "text":
            continue
        spelled = ""
        for end in range(start, min(len(lines), start + MAX_HEADING_LINES)):
            if lines[end].kind != "text":
                break
            spelled += key(lines[end].text)
            if spelled == target or (spelled.endswith(target) and
                                     _NUMBERING.fullmatch(spelled[:-len(target)])):
                matches.append((start, end))
                break
            if len(spelled) >= len(target) + MAX_NUMBERING:
                break
    if not matches:
        return None
    if entry.top is None:
        return matches[0]
    return min(matches, key=lambda m: abs(lines[m[0]].top - entry.top))


def _make_heading(lines: list[Line], start: int, end: int, level: int) -> None:
    """Lines start..end become one heading line, changed in place (the others are
    marked merged): the same `Line` objects sit in the page's zones."""
    head = lines[start]
    head.text = " ".join(line.text for line in lines[start:end + 1])
    head.kind, head.level, head.spaces = "heading", level, []
    head.x1 = max(line.x1 for line in lines[start:end + 1])
    head.bottom = lines[end].bottom
    for line in lines[start + 1:end + 1]:
        line.kind = "merged"


def apply_fonts(pages: dict[int, list[Line]], body: float) -> None:
    """Headings from font size and weight, for a PDF without a usable outline."""
    runs: list[tuple[list[Line], int, int]] = []
    for lines in pages.values():
        i = 0
        while i < len(lines):
            if not _candidate(lines[i], body):
                i += 1
                continue
            end = i
            while end + 1 < len(lines) and _candidate(lines[end + 1], body) and \
                    _same_heading(lines[end], lines[end + 1]):
                end += 1
            runs.append((lines, i, end))
            i = end + 1
    styles = sorted({_style(lines[i]) for lines, i, _ in runs}, reverse=True)[:MAX_LEVELS]
    for lines, start, end in runs:
        style = _style(lines[start])
        if style in styles:
            _make_heading(lines, start, end, styles.index(style) + 1)


def _candidate(line: Line, body: float) -> bool:
    if line.kind != "text":
        return False
    words = len(line.text.split())
    if not 1 <= words <= MAX_HEADING_WORDS or not re.search(r"[^\W\d_]{2}", line.text):
        return False
    if _NOT_A_HEADING_END.search(line.text):
        return False
    return line.size >= BIGGER * body or (line.bold and line.size >= BOLD_AT_LEAST * body)


def _same_heading(above: Line, below: Line) -> bool:
    return _style(above) == _style(below) and below.top - above.bottom <= HEADING_LINE_GAP * below.size


def _style(line: Line) -> tuple[float, bool]:
    return (round(line.size * 2) / 2, line.bold)


def title_from_layout(pages: dict[int, list[Line]], body: float) -> str | None:
    """The biggest text of the first pages (its consecutive lines joined), if it stands out."""
    first = [line for number in sorted(pages)[:TITLE_PAGES] for line in pages[number]
             if line.kind in ("text", "heading") and re.search(r"[^\W\d_]{2}", line.text)]
    if not first:
        return None
    biggest = max(line.size for line in first)
    if biggest < TITLE_BIGGER * body:
        return None
    start = next(i for i, line in enumerate(first) if line.size == biggest)
    parts = [first[start].text]
    for above, below in zip(first[start:], first[start + 1:]):
        if below.size != biggest or below.page != above.page or \
                below.top - above.bottom > HEADING_LINE_GAP * below.size:
            break
        parts.append(below.text)
    return re.sub(r"\s+", " ", " ".join(parts)).strip() or None
