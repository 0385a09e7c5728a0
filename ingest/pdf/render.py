"""The cited page: one PDF page drawn as PNG with a quote's characters highlighted.

The quote comes from the clean text (words rejoined, ligatures spelled out,
footnote calls removed), so it is found on the page by its letters and
digits only, case-folded; footnote-call digits of the page the quote does not
have are skipped. A quote running onto the next page is found in part: its
longest beginning at the end of one page, its longest end at the top of the
next. The matched characters' boxes, merged line by line, are drawn over the
page rendered by pdfium. Renders are cached per file version, page and quote.
"""

from __future__ import annotations

import ctypes
import hashlib
import io
import logging
import unicodedata
from functools import lru_cache
from pathlib import Path

from ingest.pdf.guard import PDFIUM_LOCK
from ingest.pdf.lines import LIGATURES

log = logging.getLogger(__name__)

# Pixels per PDF point of the rendered page (1.6 ≈ 115 dpi: readable, ~40 ms per page).
RENDER_SCALE = 1.6
# Highlight: fill colour and its opacity, outline colour, margin around the characters (points).
FILL = (255, 196, 0)
FILL_OPACITY = 0.35
OUTLINE = (230, 110, 0)
OUTLINE_WIDTH = 2
MARGIN = 1.5
# A part of a quote is shown when at least this many of its letters are found on the page.
MIN_PART = 20
# Footnote-call digits of the page that a quote may skip, at most, per quote.
MAX_SKIPPED_DIGITS = 4
# Renders kept in memory (each a PNG of 100–400 kB).
CACHE_SIZE = 48


def render_quote(path: Path | str, page: int, quotes: tuple[str, ...], content_hash: str = "",
                 scale: float = RENDER_SCALE) -> bytes | None:
    """Page `page` (1-based) of the PDF at `path` as PNG, the `quotes` highlighted;
    None when the file is gone, changed since it was indexed (`content_hash`),
    or has no such page."""
    path = Path(path)
    try:
        stat = path.stat()
    except OSError:
        return None
    if content_hash and _file_hash(str(path), stat.st_mtime_ns, stat.st_size) != content_hash:
        log.info("%s changed since it was indexed: its page is not shown", path)
        return None
    try:
        return _render(str(path), stat.st_mtime_ns, stat.st_size, page, tuple(quotes), scale)
    except Exception as error:  # a damaged file: the passage text is shown instead
        log.warning("page %s of %s not rendered: %s", page, path, error)
        return None


@lru_cache(maxsize=64)
def _file_hash(path: str, mtime_ns: int, size: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@lru_cache(maxsize=CACHE_SIZE)
def _render(path: str, mtime_ns: int, size: int, page_number: int, quotes: tuple[str, ...],
            scale: float) -> bytes | None:
    import pypdfium2
    import pypdfium2.raw as pdfium_c
    from PIL import Image, ImageDraw

    with PDFIUM_LOCK:  # pdfium is not thread-safe: every session renders in its own thread
        document = pypdfium2.PdfDocument(path)
        try:
            if not 1 <= page_number <= len(document):
                return None
            page = document[page_number - 1]
            textpage = page.get_textpage()
            try:
                height = page.get_height()
                count = pdfium_c.FPDFText_CountChars(textpage)
                text = textpage.get_text_range(0, count) if count > 0 else ""
                indices: list[int] = []
                if len(text) == count:
                    keys, owners = page_keys(text)
                    for quote in quotes:
                        indices += locate(keys, owners, quote)
                boxes = _line_boxes(textpage, sorted(set(indices)), pdfium_c)
                image = page.render(scale=scale).to_pil().convert("RGB")
            finally:
                textpage.close()
                page.close()
        finally:
            document.close()
    rects = [[(left - MARGIN) * scale, (height - top - MARGIN) * scale,
              (right + MARGIN) * scale, (height - bottom + MARGIN) * scale]
             for left, bottom, right, top in boxes]
    overlay = image.copy()
    for rect in rects:
        ImageDraw.Draw(overlay).rectangle(rect, fill=FILL)
    image = Image.blend(image, overlay, FILL_OPACITY)  # the page shows through the fill
    for rect in rects:
        ImageDraw.Draw(image).rectangle(rect, outline=OUTLINE, width=OUTLINE_WIDTH)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _key_chars(char: str) -> str:
    """A character as the matcher compares it: letters and digits, case-folded, ligatures spelled."""
    spelled = char.translate(LIGATURES)
    if len(spelled) == 1 and unicodedata.category(spelled) == "No":  # ¹ ² … are footnote calls
        return ""
    return "".join(c for c in unicodedata.normalize("NFKC", spelled).casefold() if c.isalnum())


def page_keys(text: str) -> tuple[str, list[int]]:
    """The page's comparison string and, for each of its characters, the page character it comes from."""
    keys: list[str] = []
    owners: list[int] = []
    for index, char in enumerate(text):
        for key in _key_chars(char):
            keys.append(key)
            owners.append(index)
    return "".join(keys), owners


def quote_key(quote: str) -> str:
    return "".join(_key_chars(char) for char in quote)


def locate(keys: str, owners: list[int], quote: str) -> list[int]:
    """Page character indices of `quote` (all of it, or its longest part on the page)."""
    wanted = quote_key(quote)
    if not wanted:
        return []
    found = _match(keys, wanted)
    if found is None:  # the quote runs across a page break: the part on this page
        found = _longest_part(keys, wanted)
    return sorted({owners[i] for i in found}) if found else []


def _match(keys: str, wanted: str) -> list[int] | None:
    """Key positions of `wanted` in `keys`, page digits it lacks skipped (footnote calls)."""
    head = wanted[:min(len(wanted), 12)]
    start = keys.find(head)
    while start >= 0:
        positions = _extend(keys, wanted, start)
        if positions is not None:
            return positions
        start = keys.find(head, start + 1)
    return None


def _extend(keys: str, wanted: str, start: int) -> list[int] | None:
    positions: list[int] = []
    i, skipped = start, 0
    for char in wanted:
        while i < len(keys) and keys[i] != char and keys[i].isdigit() and skipped < MAX_SKIPPED_DIGITS:
            i += 1
            skipped += 1
        if i >= len(keys) or keys[i] != char:
            return None
        positions.append(i)
        i += 1
    return positions


def _longest_part(keys: str, wanted: str) -> list[int] | None:
    """The longest beginning of `wanted` ending the page, or its longest end starting it."""
    best: list[int] | None = None
    for size in range(len(wanted) - 1, MIN_PART - 1, -1):
        found = _match(keys, wanted[:size])
        if found is not None:
            best = found
            break
    for size in range(len(wanted) - 1, max(MIN_PART, len(best or ())) - 1, -1):
        found = _match(keys, wanted[-size:])
        if found is not None:
            return found
    return best


def _line_boxes(textpage: "object", indices: list[int], pdfium_c: "object") -> list[tuple[float, float, float, float]]:
    """Character boxes (left, bottom, right, top) merged into one box per line."""
    boxes: list[list[float]] = []
    rect = pdfium_c.FS_RECTF()
    for index in indices:
        pdfium_c.FPDFText_GetLooseCharBox(textpage, index, ctypes.byref(rect))
        left, bottom, right, top = rect.left, rect.bottom, rect.right, rect.top
        if right <= left:
            continue
        if boxes:
            last = boxes[-1]
            middle = (bottom + top) / 2
            if last[1] <= middle <= last[3] and left >= last[0] - (top - bottom):
                last[0], last[1] = min(last[0], left), min(last[1], bottom)
                last[2], last[3] = max(last[2], right), max(last[3], top)
                continue
        boxes.append([left, bottom, right, top])
    return [tuple(box) for box in boxes]  # type: ignore[misc]
