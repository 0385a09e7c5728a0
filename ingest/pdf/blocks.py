"""Lines to blocks: paragraphs, list items, table rows and headings, each one line of text.

A paragraph goes on while the next line has the same size, follows at the
usual line spacing, is not indented as a new paragraph and the line before
it does not end short with a full stop. A paragraph cut by a column or page
end continues in the next column or page when its last line does not end a
sentence and is full, or when the next line starts in lower case. Words
hyphenated at a line end are rejoined (« sensibi‐ / lité » → « sensibilité »)
unless the document spells the hyphenated word elsewhere and never the
joined one (« mi- / parcours » stays « mi-parcours »).
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from ingest.pdf.lines import PDFIUM_HYPHEN, Line

# A gap between two lines wider than the usual line gap plus this share of the
# line height starts a new paragraph.
PARAGRAPH_GAP = 0.3
# A line indented by more than this share of its height starts a new paragraph.
INDENT = 1.0
# A continuation line of a list item is indented past the bullet by at least this share.
ITEM_INDENT = 0.3
# Lines whose sizes differ by more than this share are not one paragraph.
SIZE_CHANGE = 0.15
# A line ending this far (share of the zone width) before the right edge is short.
SHORT_LINE = 0.12
# A line ending this close to the right edge (share of the zone width) is full.
FULL_LINE = 0.06

# Hyphens that mean "this word goes on on the next line" and are always removed:
# the soft hyphen and the Unicode hyphen typesetters draw for one.
SOFT_HYPHENS = "\u00ad\u2010"
# Hyphens that may belong to the word (« porte-parole »): the vocabulary decides.
HARD_HYPHENS = "-" + PDFIUM_HYPHEN
_TERMINAL = re.compile(r"[.!?…:;»\"”)]\s*$")
_SENTENCE_END = re.compile(r"[.!?…:»\"”]\s*$")
BULLET = re.compile(r"^(?:[•·▪■□◦○●‣⁃◆◇►▸➢➤✓✔–—*-]|\uf0b7|\uf0a7|\uf0d8)\s*(?=\S)")
NUMBERED = re.compile(r"^(?:\d{1,3}[.)]|[a-z][)])\s+\S")
TOC_LINE = re.compile(r"(?:\.\s?){4,}\s*(?:\d{1,4}|[ivxlc]{1,6})\s*$|…{2,}\s*\d{1,4}\s*$", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


@dataclass
class Block:
    """A paragraph, list item, table row or heading being assembled."""

    kind: str  # para, item, toc, row, heading
    text: str
    page: int  # the page of its first line
    first: Line
    last: Line
    right: float  # right edge of its zone
    width: float  # width of its zone
    level: int = 0
    # (offset in `text`, page) where a later page's text starts inside the block.
    breaks: list[tuple[int, int]] = field(default_factory=list)
    widest: float = 0.0  # right edge of its widest line in the last zone it reaches
    lines: int = 1  # lines in the last zone it reaches

    def add(self, line: Line, words: set[str]) -> None:
        """Append the next line of the paragraph (same zone)."""
        self.text = join_lines(self.text, line.text, words)
        self.last = line
        self.widest = max(self.widest, line.x1)
        self.lines += 1


def vocabulary(lines: list[Line]) -> set[str]:
    """Every word of the document, lower case, hyphenated compounds included."""
    words: set[str] = set()
    for line in lines:
        words.update(_WORD.findall(line.text.lower()))
    return words


def line_gaps(zones: list[list[Line]]) -> dict[float, float]:
    """The usual gap between two lines of a paragraph, per line size (rounded to 0.5 pt)."""
    gaps: dict[float, list[float]] = defaultdict(list)
    for zone in zones:
        for above, below in zip(zone, zone[1:]):
            if above.kind == below.kind == "text" and abs(above.size - below.size) < 0.05 * above.size:
                gap = below.top - above.bottom
                if 0 <= gap < 2 * above.size:
                    gaps[_bucket(above.size)].append(gap)
    return {size: statistics.median(values) for size, values in gaps.items()}


def _bucket(size: float) -> float:
    return round(size * 2) / 2


def join_lines(left: str, right: str, words: set[str]) -> str:
    """Two lines of one paragraph as one text, a word hyphenated at the line end rejoined."""
    left, right = left.rstrip(), right.lstrip()
    if not left:
        return right
    if not right:
        return left
    last = left[-1]
    if last in SOFT_HYPHENS + HARD_HYPHENS and len(left) > 1 and left[-2].isalpha() and right[0].islower():
        if last in SOFT_HYPHENS:
            return left[:-1] + right
        head = re.search(r"[^\W\d_]+$", left[:-1])
        tail = re.match(r"[^\W\d_]+", right)
        if head and tail:
            compound = f"{head.group(0).lower()}-{tail.group(0).lower()}"
            joined = f"{head.group(0).lower()}{tail.group(0).lower()}"
            if compound in words and joined not in words:
                return left[:-1] + "-" + right
        return left[:-1] + right
    if last in HARD_HYPHENS and len(left) > 1 and left[-2].isalnum() and right[0].isalnum():
        return left[:-1] + "-" + right  # a compound cut after its hyphen: « Nord- / Pas-de-Calais »
    return f"{left} {right}"


def finish_text(text: str) -> str:
    """pdfium's hyphen marks left inside a line are ordinary hyphens."""
    return text.replace(PDFIUM_HYPHEN, "-")


def zone_blocks(items: list[Line], gaps: dict[float, float], words: set[str]) -> list[Block]:
    """The blocks of one zone (a column stretch of a page), in reading order."""
    blocks: list[Block] = []
    if not items:
        return blocks
    right = max(line.x1 for line in items)
    width = max(1.0, right - min(line.x0 for line in items))
    for line in items:
        kind = line.kind if line.kind in ("heading", "row") else _line_kind(line.text)
        previous = blocks[-1] if blocks else None
        if previous is not None and kind == "para" and _continues(previous, line, gaps):
            previous.add(line, words)
            continue
        text = _bullet(line.text) if kind == "item" else line.text
        blocks.append(Block(kind, text, line.page, line, line, right, width, level=line.level,
                            widest=line.x1))
    return blocks


def _line_kind(text: str) -> str:
    if TOC_LINE.search(text):
        return "toc"
    if BULLET.match(text) or NUMBERED.match(text):
        return "item"
    return "para"


def _bullet(text: str) -> str:
    """A list item with its bullet as « • » (numbered items keep their number)."""
    if NUMBERED.match(text):
        return text
    return "• " + BULLET.sub("", text, count=1)


def _continues(block: Block, line: Line, gaps: dict[float, float]) -> bool:
    """Whether `line` goes on the paragraph or list item `block` (same zone)."""
    if block.kind not in ("para", "item"):
        return False
    above = block.last
    if abs(line.size - above.size) > SIZE_CHANGE * above.size:
        return False
    usual = gaps.get(_bucket(above.size), 0.2 * above.size)
    gap = line.top - above.bottom
    if gap > usual + PARAGRAPH_GAP * above.size or gap < -0.5 * above.size:
        return False
    if above.x1 < block.right - SHORT_LINE * block.width and _SENTENCE_END.search(above.text):
        return False
    if block.kind == "item":
        return line.x0 > block.first.x0 + ITEM_INDENT * above.size
    return line.x0 <= above.x0 + INDENT * above.size


def continues_across(block: Block, nxt: Block) -> bool:
    """Whether a paragraph cut by a column or page end goes on in `nxt`."""
    if block.kind not in ("para", "item") or nxt.kind != "para":
        return False
    last, first = block.last, nxt.first
    if abs(first.size - last.size) > SIZE_CHANGE * last.size:
        return False
    text = block.text.rstrip()
    if text.endswith(tuple(SOFT_HYPHENS + HARD_HYPHENS)) and nxt.text[:1].islower():
        return True
    if _TERMINAL.search(text):
        return False
    # Full: as long as the paragraph's other lines (a lone line proves nothing).
    full = block.lines > 1 and last.x1 >= block.widest - FULL_LINE * block.width
    return nxt.text[:1].islower() or full


def merge(block: Block, nxt: Block, words: set[str]) -> None:
    """Append `nxt` (the continuation of `block` in the next column or page) to `block`."""
    joined = join_lines(block.text, nxt.text, words)
    offset = len(joined) - len(nxt.text.lstrip())
    if nxt.page != block.page and not any(page == nxt.page for _, page in block.breaks):
        block.breaks.append((offset, nxt.page))
    block.breaks.extend((offset + o, page) for o, page in nxt.breaks)
    block.text = joined
    block.last = nxt.last
    block.right, block.width = nxt.right, nxt.width
    block.widest, block.lines = nxt.widest, nxt.lines
