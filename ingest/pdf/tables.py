"""Simple tables of a PDF page: one line per row, cells joined by ` | `.

A table is a run of at least two bands (`layout.bands`) that hold short lines
side by side and share a column gap. The band with the most cells gives the
columns (their boundaries lie in the middle of its gaps); every cell goes to
the column it overlaps most, a header cell spanning two columns is cut at the
word space nearest the boundary, and a line wrapped under a cell (a label over
two lines) continues that cell. Other bands with lines side by side (a prose
line cut at a very wide justified space) become one line again.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ingest.pdf.layout import bands, is_multi
from ingest.pdf.lines import Line

# Rows whose cells hold more words than this (median) are prose, not a table.
MAX_CELL_WORDS = 6
# A lone line this close below a row (in ems) and inside one column continues a cell.
WRAP_GAP = 1.0
CELL_SEPARATOR = " | "


def rows_and_lines(zone: list[Line]) -> list[Line]:
    """A zone's lines in reading order, each table replaced by its rows (`kind = "row"`)."""
    items = bands(zone)
    out: list[Line] = []
    i = 0
    while i < len(items):
        end = _table_end(items, i)
        if end > i:
            out.extend(_rows(items[i:end]))
            i = end
            continue
        band = items[i]
        out.append(band[0] if len(band) == 1 else _merge(band))
        i += 1
    return out


def _gaps(band: list[Line]) -> list[tuple[float, float]]:
    """The empty x-intervals between a band's side-by-side lines."""
    spans: list[list[float]] = []
    for line in sorted(band, key=lambda l: l.x0):
        if spans and line.x0 < spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], line.x1)
        else:
            spans.append([line.x0, line.x1])
    return [(spans[k][1], spans[k + 1][0]) for k in range(len(spans) - 1)]


def _shares_gap(a: list[tuple[float, float]], b: list[tuple[float, float]]) -> bool:
    return any(min(x1, y1) > max(x0, y0) for x0, x1 in a for y0, y1 in b)


def _short_cells(multi: list[list[Line]]) -> bool:
    words = sorted(len(line.text.split()) for band in multi for line in band)
    return bool(words) and words[len(words) // 2] <= MAX_CELL_WORDS


def _table_end(items: list[list[Line]], start: int) -> int:
    """The end (exclusive) of the table starting at band `start`, or `start` if none does."""
    if not is_multi(items[start]):
        return start
    gaps = _gaps(items[start])
    multi = [items[start]]
    end = start + 1
    while end < len(items):
        band = items[end]
        if is_multi(band) and _shares_gap(_gaps(band), gaps):
            multi.append(band)
            gaps = _gaps(max(multi, key=len))
        elif not (len(band) == 1 and _wraps(band[0], items[end - 1], gaps)):
            break
        end += 1
    if len(multi) < 2 or not _short_cells(multi):
        return start
    return end


def _wraps(line: Line, above: list[Line], gaps: list[tuple[float, float]]) -> bool:
    """Whether a lone line continues a cell of the band above (it lies within one column)."""
    em = line.size
    if line.top - max(l.bottom for l in above) > WRAP_GAP * em:
        return False
    left = min(l.x0 for l in above)
    right = max(l.x1 for l in above)
    if line.x0 < left - em or line.x1 > right + em:
        return False
    return not any(line.x0 < g1 and line.x1 > g0 for g0, g1 in gaps)


def _rows(table: list[list[Line]]) -> list[Line]:
    template = max(table, key=lambda band: (len(_gaps(band)), band[0].top))
    cuts = [(g0 + g1) / 2 for g0, g1 in _gaps(template)]
    columns = len(cuts) + 1
    rows: list[tuple[list[list[Line]], list[list[str]]]] = []
    for band in table:
        if not is_multi(band) and rows:  # a wrapped line: continues a cell of the row above
            line = band[0]
            rows[-1][0][_column(line.x0, line.x1, cuts)].append(line)
            rows[-1][1][_column(line.x0, line.x1, cuts)].append(line.text)
            continue
        cells: list[list[Line]] = [[] for _ in range(columns)]
        texts: list[list[str]] = [[] for _ in range(columns)]
        for line in sorted(band, key=lambda l: (l.top, l.x0)):
            for piece_text, x0, x1 in _split(line, cuts):
                column = _column(x0, x1, cuts)
                cells[column].append(line)
                texts[column].append(piece_text)
        rows.append((cells, texts))
    out = []
    for cells, texts in rows:
        members = [line for cell in cells for line in cell]
        text = CELL_SEPARATOR.join(" ".join(parts) for parts in texts)
        out.append(replace(
            members[0], text=re.sub(r"\s+", " ", text).strip(), kind="row", spaces=[],
            x0=min(l.x0 for l in members), x1=max(l.x1 for l in members),
            top=min(l.top for l in members), bottom=max(l.bottom for l in members),
            glyphs=sum(l.glyphs for l in members),
        ))
    return out


def _column(x0: float, x1: float, cuts: list[float]) -> int:
    """The column a piece overlaps most."""
    bounds = [float("-inf"), *cuts, float("inf")]
    overlaps = [min(x1, bounds[k + 1]) - max(x0, bounds[k]) for k in range(len(bounds) - 1)]
    return max(range(len(overlaps)), key=lambda k: (overlaps[k], -k))


def _split(line: Line, cuts: list[float]) -> list[tuple[str, float, float]]:
    """A cell spanning column boundaries, cut at the word spaces that hold a boundary."""
    inside = [c for c in cuts if line.x0 < c < line.x1]
    chosen: list[tuple[int, float, float]] = []
    for cut in inside:
        space = min(line.spaces, key=lambda s: abs((s[1] + s[2]) / 2 - cut), default=None)
        if space is not None and space not in chosen:
            chosen.append(space)
    if not chosen:
        return [(line.text, line.x0, line.x1)]
    chosen.sort()
    pieces = []
    start, x0 = 0, line.x0
    for offset, gap_left, gap_right in chosen:
        pieces.append((line.text[start:offset].strip(), x0, gap_left))
        start, x0 = offset + 1, gap_right
    pieces.append((line.text[start:].strip(), x0, line.x1))
    return [p for p in pieces if p[0]]


def _merge(band: list[Line]) -> Line:
    """Lines side by side that are not a table: one line again, left to right."""
    first = band[0]
    return replace(
        first, text=" ".join(l.text for l in band), spaces=[],
        x0=min(l.x0 for l in band), x1=max(l.x1 for l in band),
        top=min(l.top for l in band), bottom=max(l.bottom for l in band),
        glyphs=sum(l.glyphs for l in band), bold=all(l.bold for l in band),
    )
