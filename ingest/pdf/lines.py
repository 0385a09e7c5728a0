"""One PDF page → text lines, built from pdfium's glyph boxes.

pdfium (through pypdfium2) gives every character of a page with its "loose"
box (the font's advance width and ascent/descent, in page points). Glyphs are
gathered into lines geometrically — pdfium's own line breaks are only a hint
(it merges lines ending with a hyphen) — and a line stops at a wide gap, so
table cells and the two columns of a page are separate lines. Inside a line,
words are cut where the gap between two glyphs is wider than the line's usual
gap: letter-spaced headings (« P A R T I E ») read as words, and words pdfium
splits (« Som maire ») stay whole. Small raised digits are footnote calls.

Coordinates are top-down (0 at the top of the page), in points.
"""

from __future__ import annotations

import ctypes
import math
import re
import statistics
import time
from dataclasses import dataclass, field

import pypdfium2.raw as pdfium_c

# pdfium replaces a hyphen it finds at a line end by this control character
# (pypdfium2's text reads it as U+FFFE).
PDFIUM_HYPHEN = "\x02"
_PDFIUM_HYPHEN_TEXT = "\ufffe"
# Ligature characters some fonts map to one code point; read as their letters.
LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"})
SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)
# Glyphs that are never text: C0/C1 controls (pdfium's hyphen mark aside),
# bidirectional overrides, non-characters.
_NOT_TEXT = re.compile(r"[\x00\x01\x03-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff]")

# Distances below are in ems (the font size as drawn on the page, in points).
# A glyph continues a line if the gap from the line's last glyph is at most
# this wide (wider gaps separate table cells or columns)...
MAX_GAP = 1.6
# ... and at least this (negative: a small overlap, e.g. kerning, is allowed).
MIN_GAP = -0.4
# Between two glyphs, a gap wider than this is a word space.
WORD_GAP = 0.11
# A line whose glyph gaps are mostly wider than this is letter-spaced...
LETTER_SPACED_GAP = 0.05
LETTER_SPACED_SHARE = 0.6  # ... when at least this share of its gaps are that wide
# In a letter-spaced line, a word space is this much wider than the letter gap.
LETTER_SPACED_WORD = 0.14
# A glyph whose box is smaller than this share of the line's usual box and
# raised by more than RAISED × that height is a superscript (a footnote call
# when it is a digit).
SUPERSCRIPT_SIZE = 0.8
RAISED = 0.15
# The clock is read every this many glyphs (a page cannot overrun its deadline by much).
CLOCK_EVERY = 2048
# Image objects inside form objects are looked for this deep.
MAX_FORM_DEPTH = 4


class PageTooSlow(Exception):
    """A page's text took longer to read than the time left for its document."""


@dataclass
class Line:
    """A run of glyphs on one baseline without a wide gap: a line of a paragraph,
    a table cell, a heading line, a running header…"""

    page: int  # 1-based page number
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float  # font size of the line's usual glyphs as drawn (points: an em)
    bold: bool = False
    glyphs: int = 0  # visible characters
    kind: str = "text"  # text, running, footnote, heading, row (set by the layout)
    level: int = 0  # heading level (1 = top), for kind == "heading"
    # Word spaces: (offset of the space in `text`, x where the gap starts, x where it ends).
    spaces: list[tuple[int, float, float]] = field(default_factory=list)

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def middle_x(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass
class PageText:
    """The lines of one page, in pdfium's order, and whether the page is a picture."""

    number: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    image_only: bool = False  # no text at all, but an image: a scan


@dataclass
class _Fragment:
    """Glyphs being gathered into a line: (char, left, right, top, bottom, index, spaced)."""

    glyphs: list[tuple[str, float, float, float, float, int, bool]]
    top: float
    bottom: float
    right: float
    em: float  # font size at its first glyph

    @property
    def height(self) -> float:
        return self.bottom - self.top

    def continues(self, left: float, top: float, bottom: float) -> bool:
        """Whether a glyph with this box belongs to the line being gathered."""
        middle = (top + bottom) / 2
        own_middle = (self.top + self.bottom) / 2
        same_band = self.top <= middle <= self.bottom or top <= own_middle <= bottom
        if not same_band:
            return False
        em = self.em * max(1.0, (bottom - top) / self.height)
        gap = left - self.right
        return MIN_GAP * em <= gap <= MAX_GAP * em

    def add(self, glyph: tuple[str, float, float, float, float, int, bool]) -> None:
        self.glyphs.append(glyph)
        _, _, right, top, bottom, _, _ = glyph
        self.right = max(self.right, right)
        if bottom - top > self.height:  # the band follows the line's tallest glyphs
            self.top, self.bottom = top, bottom


def read_page(page: "object", number: int, deadline: float | None = None) -> PageText:
    """The text lines of one pypdfium2 page (`PageTooSlow` past `deadline`, a `time.monotonic` value)."""
    width, height = page.get_size()
    textpage = page.get_textpage()
    try:
        count = pdfium_c.FPDFText_CountChars(textpage)
        text = textpage.get_text_range(0, count) if count > 0 else ""
        if len(text) != count:  # characters outside the BMP: read them one by one
            text = "".join(chr(pdfium_c.FPDFText_GetUnicode(textpage, i)) for i in range(count))
        fragments = _fragments(textpage, text, height, deadline)
        fonts = _FontReader(textpage)
        lines = [_finish(f, number, fonts) for f in fragments]
        lines = [line for line in lines if line.text]
    finally:
        textpage.close()
    result = PageText(number, width, height, lines)
    if not lines:
        result.image_only = _has_image(page)
    return result


def _fragments(textpage: "object", text: str, height: float, deadline: float | None) -> list[_Fragment]:
    rect = pdfium_c.FS_RECTF()
    rect_ref = ctypes.byref(rect)
    loose_box = pdfium_c.FPDFText_GetLooseCharBox
    fragments: list[_Fragment] = []
    current: _Fragment | None = None
    spaced = False
    previous_box = (0.0, 0.0)
    for index, char in enumerate(text):
        if char.isspace():
            spaced = spaced or char not in "\r\n"
            continue
        if char == _PDFIUM_HYPHEN_TEXT:
            char = PDFIUM_HYPHEN
        elif _NOT_TEXT.match(char):
            continue
        if deadline is not None and index % CLOCK_EVERY == 0 and time.monotonic() > deadline:
            raise PageTooSlow()
        loose_box(textpage, index, rect_ref)
        left, right = rect.left, rect.right
        top, bottom = height - rect.top, height - rect.bottom
        if bottom <= top:  # a glyph without height (pdfium could not measure it)
            bottom = top + 0.1
        glyph = (char, left, right, top, bottom, index, spaced)
        spaced = False
        # A ligature pdfium spells as several characters gives each the same box.
        ligature = (left, right) == previous_box and not glyph[6]
        previous_box = (left, right)
        if current is not None and (ligature or current.continues(left, top, bottom)):
            current.add(glyph)
        else:
            current = _Fragment([glyph], top, bottom, right, font_size(textpage, index))
            fragments.append(current)
    return fragments


def font_size(textpage: "object", index: int) -> float:
    """The size of a glyph's font as drawn on the page (nominal size × text matrix scale)."""
    matrix = pdfium_c.FS_MATRIX()
    size = pdfium_c.FPDFText_GetFontSize(textpage, index)
    if pdfium_c.FPDFText_GetMatrix(textpage, index, ctypes.byref(matrix)):
        size *= math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c)) or 1.0
    return size if size > 0 else 1.0


def _finish(fragment: _Fragment, number: int, fonts: "_FontReader") -> Line:
    """A gathered fragment as a `Line`: words cut at wide gaps, superscripts marked."""
    glyphs = fragment.glyphs
    heights = [round(g[4] - g[3], 1) for g in glyphs]
    usual_height = statistics.mode(heights)
    usual = [g for g, h in zip(glyphs, heights) if h == usual_height]
    band_bottom = statistics.median(g[4] for g in usual)
    band_top = statistics.median(g[3] for g in usual)
    raised = [
        (g[4] - g[3]) < SUPERSCRIPT_SIZE * usual_height and g[4] < band_bottom - RAISED * usual_height
        for g in glyphs
    ]
    solid = [g for g, up in zip(glyphs, raised) if not up] or glyphs
    size = font_size(fonts.textpage, usual[0][5]) if usual[0] is not glyphs[0] else fragment.em
    gaps = [glyphs[i][1] - glyphs[i - 1][2] for i in range(1, len(glyphs))]
    # Letter spacing is judged between letters only (dot leaders are spaced too).
    between_letters = [gap for i, gap in enumerate(gaps)
                       if glyphs[i][0].isalpha() and glyphs[i + 1][0].isalpha()]
    wide = sum(1 for gap in between_letters if gap > LETTER_SPACED_GAP * size)
    letter_spaced = len(between_letters) >= 3 and wide >= LETTER_SPACED_SHARE * len(between_letters)
    if letter_spaced:
        threshold = max(WORD_GAP * size, statistics.median(between_letters) + LETTER_SPACED_WORD * size)
    else:
        threshold = WORD_GAP * size
    pieces: list[str] = []
    spaces: list[tuple[int, float, float]] = []
    length = 0
    for i, glyph in enumerate(glyphs):
        char = glyph[0]
        if i:
            gap = gaps[i - 1]
            if gap > threshold or (glyph[6] and not letter_spaced and not raised[i]):
                spaces.append((length, glyphs[i - 1][2], glyph[1]))
                pieces.append(" ")
                length += 1
        if raised[i] and char.isdigit():
            char = char.translate(SUPERSCRIPTS)
        char = char.translate(LIGATURES)
        pieces.append(char)
        length += len(char)
    return Line(
        page=number,
        text="".join(pieces),
        x0=min(g[1] for g in glyphs),
        x1=max(g[2] for g in glyphs),
        top=band_top,
        bottom=band_bottom,
        size=size,
        bold=fonts.is_bold(solid[0][5]) and fonts.is_bold(solid[-1][5]),
        glyphs=len(glyphs),
        spaces=spaces,
    )


class _FontReader:
    """Font facts of a page's glyphs (one buffer per page: pages may be read in threads)."""

    def __init__(self, textpage: "object") -> None:
        self.textpage = textpage
        self.name = ctypes.create_string_buffer(256)
        self.flags = ctypes.c_int()

    def is_bold(self, index: int) -> bool:
        """Whether the glyph's font is bold (its name says so, or its weight is 600+)."""
        length = pdfium_c.FPDFText_GetFontInfo(self.textpage, index, self.name, len(self.name),
                                              ctypes.byref(self.flags))
        name = self.name.value.decode("latin-1", "replace") if length else ""
        return bool(_BOLD_FONT.search(name)) or \
            pdfium_c.FPDFText_GetFontWeight(self.textpage, index) >= 600


def _has_image(page: "object") -> bool:
    """Whether a page without text draws an image (a scanned page)."""
    return _objects_have_image(page.raw, pdfium_c.FPDFPage_CountObjects, pdfium_c.FPDFPage_GetObject, 0)


def _objects_have_image(holder: "object", count_fn, get_fn, depth: int) -> bool:
    for i in range(count_fn(holder)):
        obj = get_fn(holder, i)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            return True
        if kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < MAX_FORM_DEPTH and _objects_have_image(
                obj, pdfium_c.FPDFFormObj_CountObjects, pdfium_c.FPDFFormObj_GetObject, depth + 1):
            return True
    return False
