"""Hand-placed `Line`s and pages for the layout tests (no PDF needed)."""

from __future__ import annotations

from ingest.pdf.lines import Line, PageText

BODY = 10.0  # font size of the body text, points
HEIGHT = 11.0  # its line box


def line(text: str, top: float, x0: float = 50.0, x1: float | None = None, *, size: float = BODY,
         page: int = 1, bold: bool = False) -> Line:
    """A line whose box starts at `top` (points from the top of the page)."""
    width = x1 if x1 is not None else x0 + 5.0 * len(text)
    return Line(page=page, text=text, x0=x0, x1=width, top=top, bottom=top + HEIGHT * size / BODY,
                size=size, bold=bold, glyphs=len(text.replace(" ", "")))


def page(number: int, lines: list[Line], width: float = 420.0, height: float = 595.0) -> PageText:
    for item in lines:
        item.page = number
    return PageText(number, width, height, lines)
