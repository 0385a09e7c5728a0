"""Page layout: running headers/footers, footnotes, columns and reading order.

* **Running lines**: a line among the top or bottom lines of a page whose
  text, digits and roman numerals masked, comes back on at least half of the
  pages (« Rapport annuel 2024 · page ii », « page 3 / 6 »), and any
  page-number line there (« 12 », « - 3 - », « Page 4 »), is not content.
* **Footnotes**: the smaller lines at the foot of a page, below the last
  body line, the first of which starts with a call number (« 1 », « ¹ »).
* **Reading order**: lines sorted top to bottom, a band of lines sharing a
  baseline left to right; a page set in two columns (a gutter that no line
  crosses, with prose lines on both sides) is read column by column, the
  lines crossing the gutter (title, abstract, a wide figure) in their place.
"""

from __future__ import annotations

import math
import re
import statistics
import unicodedata
from collections import Counter

from ingest.pdf.lines import Line, PageText

# Running lines are looked for among this many lines at the top and at the bottom of a page...
RUNNING_LINES = 2
# ... within this share of the page height from its edge ...
RUNNING_ZONE = 0.15
# ... and must come back on at least this share of the pages that have text,
RUNNING_SHARE = 0.5
# ... be no bigger than the body text (× its size) and at most this many words:
# a chapter title repeated at the top of every page is content.
RUNNING_MAX_SIZE = 1.05
RUNNING_MAX_WORDS = 15
# A line this much smaller than the body text may be a footnote...
FOOTNOTE_SIZE = 0.92
# ... when it lies in the lower part of the page (share of the height from the top).
FOOTNOTE_ZONE = 0.5
# Two-column pages: the gutter is searched in this middle share of the page width...
GUTTER_SEARCH = (0.3, 0.7)
# ... at this step (points) ...
GUTTER_STEP = 2.0
# ... each column needs this many lines beside a line of the other column ...
MIN_PAIRED_LINES = 3
# ... and lines whose median width is at least this share of the page (prose, not table cells).
COLUMN_LINE_WIDTH = 0.25
# A line crosses the gutter when it reaches this far (points) on both sides of it.
GUTTER_OVERLAP = 5.0
# Lines whose vertical bands overlap by this share of the smaller height share a baseline.
SAME_BAND = 0.5
# A line joins the band above when it starts above the band's bottom by this share of its height.
BAND_SLACK = 0.05

_ROMAN = re.compile(r"^(?=[ivxlc]+$)m*(c[md]|d?c{0,3})(x[cl]|l?x{0,3})(i[xv]|v?i{0,3})$")
_PAGE_NUMBER = re.compile(r"^(?:[-–—(\[]*)(?:page|p\.?)?#(?:(?:/|sur|of)#)?(?:[-–—)\]]*)$")
_FOOTNOTE_CALL = re.compile(r"^(?:[⁰¹²³⁴⁵⁶⁷⁸⁹]+\s*|\d{1,3}(?:[.)]\s*|\s+|(?=[^\W\d_]))|\*+\s*|[(\[]\d{1,3}[)\]]\s*)")
_SUPERSCRIPT_TO_DIGIT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")


# ---------------------------------------------------------------- body size


def body_size(pages: list[PageText]) -> float:
    """The height of the body text: the line size that carries the most glyphs."""
    weights: Counter[float] = Counter()
    for page in pages:
        for line in page.lines:
            weights[round(line.size, 1)] += line.glyphs
    return weights.most_common(1)[0][0] if weights else 10.0


# ------------------------------------------------------------ running lines


def running_key(text: str) -> str:
    """A line's text with digits and roman numerals masked, case and spaces ignored."""
    words = re.findall(r"\w+|[^\w\s]", unicodedata.normalize("NFKC", text).casefold())
    masked = ["#" if word.isdigit() or _ROMAN.match(word) else word for word in words]
    return re.sub(r"#+", "#", "".join(masked))


def _edge_lines(page: PageText) -> list[Line]:
    """The top and bottom lines of a page that lie in its margins."""
    lines = sorted((l for l in page.lines if l.kind == "text"), key=lambda l: l.top)
    zone = RUNNING_ZONE * page.height
    top = [l for l in lines[:RUNNING_LINES] if l.bottom <= zone]
    bottom = [l for l in lines[-RUNNING_LINES:] if l.top >= page.height - zone]
    edges = top + [l for l in bottom if l not in top]
    return edges if len(edges) < len(lines) else []  # a page of margins only is content


def mark_running_lines(pages: list[PageText], body: float) -> None:
    """Mark running headers, footers and page-number lines (`kind = "running"`)."""
    edges = {page.number: [l for l in _edge_lines(page) if l.size <= RUNNING_MAX_SIZE * body
                           and len(l.text.split()) <= RUNNING_MAX_WORDS]
             for page in pages}
    counts: Counter[str] = Counter()
    for lines in edges.values():
        counts.update({running_key(l.text) for l in lines})
    with_text = sum(1 for page in pages if page.lines)
    need = max(2, math.ceil(RUNNING_SHARE * with_text))
    for lines in edges.values():
        for line in lines:
            key = running_key(line.text)
            if counts[key] >= need or _PAGE_NUMBER.match(key):
                line.kind = "running"


# ---------------------------------------------------------------- footnotes


def mark_footnotes(page: PageText, body: float) -> list[str]:
    """Mark the footnotes at the foot of a page (`kind = "footnote"`) and return
    them, one string per note (« 1 Texte de la note »)."""
    lines = sorted((l for l in page.lines if l.kind == "text"), key=lambda l: l.top)
    if not lines:
        return []
    last_body = max((i for i, l in enumerate(lines) if l.size >= FOOTNOTE_SIZE * body), default=-1)
    foot = lines[last_body + 1:]
    if not foot or foot[0].top < FOOTNOTE_ZONE * page.height:
        return []
    if not _FOOTNOTE_CALL.match(foot[0].text) or any(_beside(l, lines) for l in foot):
        return []
    notes: list[list[str]] = []
    for line in foot:
        if _FOOTNOTE_CALL.match(line.text) or not notes:
            notes.append([])
        notes[-1].append(line.text)
        line.kind = "footnote"
    return [_footnote_text(" ".join(parts)) for parts in notes]


def _beside(line: Line, lines: list[Line]) -> bool:
    """Whether another line shares this line's band (a table cell, not a note)."""
    return any(other is not line and same_band(line, other) for other in lines)


def _footnote_text(text: str) -> str:
    """« ¹Inventaire… » → « 1 Inventaire… »."""
    match = re.match(r"^([⁰¹²³⁴⁵⁶⁷⁸⁹]+|\d{1,3})[.)]?\s*", text)
    if match:
        number = match.group(1).translate(_SUPERSCRIPT_TO_DIGIT)
        return f"{number} {text[match.end():]}".strip()
    return text.strip()


# ------------------------------------------------------------ reading order


def same_band(a: Line, b: Line) -> bool:
    """Whether two lines sit on the same baseline (their bands overlap enough)."""
    overlap = min(a.bottom, b.bottom) - max(a.top, b.top)
    return overlap >= SAME_BAND * min(a.bottom - a.top, b.bottom - b.top)


def bands(lines: list[Line]) -> list[list[Line]]:
    """Lines grouped into bands (top to bottom), each band left to right.

    A line joins the band above it when it overlaps it vertically and sits
    beside its lines (a table cell, a line cut at a wide gap); once a band has
    lines side by side, a line wrapped under one of them joins too (a table
    label over two lines). Stacked prose lines always start new bands.
    """
    result: list[list[Line]] = []
    bottom = -math.inf
    for line in sorted(lines, key=lambda l: (l.top, l.x0)):
        band = result[-1] if result else None
        if band is not None and line.top < bottom - BAND_SLACK * (line.bottom - line.top):
            beside = not any(_overlap_x(line, other) for other in band)
            if beside or is_multi(band):
                band.append(line)
                bottom = max(bottom, line.bottom)
                continue
        result.append([line])
        bottom = line.bottom
    for band in result:
        band.sort(key=lambda l: (l.x0, l.top))
    return result


def is_multi(band: list[Line]) -> bool:
    """Whether a band has lines side by side."""
    return any(not _overlap_x(a, b) for i, a in enumerate(band) for b in band[i + 1:])


def _overlap_x(a: Line, b: Line) -> bool:
    return min(a.x1, b.x1) - max(a.x0, b.x0) > 0


def reading_order(page: PageText) -> list[list[Line]]:
    """The content lines of a page (not running lines or footnotes) as zones
    read in order: one zone per column stretch, each zone top to bottom."""
    lines = [l for l in page.lines if l.kind == "text"]
    gutter = find_gutter(lines, page.width)
    if gutter is None:
        return [lines] if lines else []
    zones: list[list[Line]] = []
    left: list[Line] = []
    right: list[Line] = []

    def close_columns() -> None:
        for column in (left, right):
            if column:
                zones.append(list(column))
                column.clear()

    for line in sorted(lines, key=lambda l: (l.top, l.x0)):
        crosses = line.x0 < gutter - GUTTER_OVERLAP and line.x1 > gutter + GUTTER_OVERLAP
        if not crosses:
            (left if line.middle_x < gutter else right).append(line)
        else:  # a title, an abstract, a wide figure
            close_columns()
            if zones and zones[-1] and zones[-1][-1].x0 < gutter < zones[-1][-1].x1:
                zones[-1].append(line)
            else:
                zones.append([line])
    close_columns()
    return zones


def find_gutter(lines: list[Line], width: float) -> float | None:
    """The x of the gutter of a two-column page, or None for one column."""
    if len(lines) < 2 * MIN_PAIRED_LINES:
        return None
    start, end = (int(share * width) for share in GUTTER_SEARCH)
    best: tuple[int, float] | None = None
    for x in range(start, end, int(GUTTER_STEP)):
        crossing = sum(1 for l in lines if l.x0 < x < l.x1)
        if best is None or crossing < best[0]:
            best = (crossing, float(x))
    if best is None:
        return None
    gutter = best[1]
    left = [l for l in lines if l.x1 <= gutter]
    right = [l for l in lines if l.x0 >= gutter]
    if len(left) < MIN_PAIRED_LINES or len(right) < MIN_PAIRED_LINES:
        return None
    if best[0] > min(len(left), len(right)):
        return None  # more full-width lines than column lines: one column with a few short lines
    for column in (left, right):
        if statistics.median(l.x1 - l.x0 for l in column) < COLUMN_LINE_WIDTH * width:
            return None  # short pieces on either side: table cells, not columns
    paired = sum(1 for l in left if any(same_band(l, r) for r in right))
    if paired < MIN_PAIRED_LINES:
        return None
    # The gutter sits in the middle of the empty stretch around the best x.
    left_edge = max(l.x1 for l in left)
    right_edge = min(l.x0 for l in right)
    return (left_edge + right_edge) / 2 if left_edge < right_edge else gutter
