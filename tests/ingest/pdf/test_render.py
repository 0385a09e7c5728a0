"""The cited page: rendered, the quote's characters highlighted, across a page break too."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from PIL import Image

from ingest.pdf.render import locate, page_keys, render_quote

DOCUMENTS = Path(__file__).resolve().parents[1] / "documents"
ANNUAL = DOCUMENTS / "pdf-fpdf2-rapport-annuel.pdf"
ACROSS = ("La formation a représenté 6 200 heures, principalement consacrées à l'hygiène "
          "alimentaire, à la conduite des nouvelles lignes de conditionnement et au management.")


def _highlighted(png: bytes) -> list[tuple[int, int]]:
    """Orange-tinted pixels: where the highlight is drawn (the pages are black on white)."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    width, height = image.size
    pixels = image.load()
    return [(x, y) for y in range(0, height, 2) for x in range(0, width, 2)
            if pixels[x, y][0] > 200 and 60 < pixels[x, y][2] < 200 and pixels[x, y][1] > 120
            and pixels[x, y][0] - pixels[x, y][2] > 60]


def test_the_quote_is_highlighted_where_it_stands_on_the_page():
    quote = "Le plan stratégique 2025-2030 prévoit 28 millions d'euros d'investissements"
    png = render_quote(ANNUAL, 7, (quote,))
    marked = _highlighted(png)
    assert marked, "no highlight drawn"
    ys = [y for _, y in marked]
    height = Image.open(io.BytesIO(png)).size[1]
    assert max(ys) < height * 0.3  # the quote opens page 7, under its heading


def test_a_quote_across_a_page_break_is_highlighted_on_both_pages():
    end_of_5 = _highlighted(render_quote(ANNUAL, 5, (ACROSS,)))
    top_of_6 = _highlighted(render_quote(ANNUAL, 6, (ACROSS,)))
    assert end_of_5 and top_of_6
    assert min(y for _, y in end_of_5) > 700  # the last body line of page 5
    assert max(y for _, y in top_of_6) < 300  # the first lines of page 6


def test_locate_finds_letters_across_hyphens_ligatures_and_footnote_calls():
    text = "le niveau le plus élevé de notre his\ufffetoire¹. Le conseil a ﬁxé le prix"
    keys, owners = page_keys(text)
    found = locate(keys, owners, "le plus élevé de notre histoire. Le conseil a fixé")
    assert text[found[0]:found[-1] + 1] == "le plus élevé de notre his\ufffetoire¹. Le conseil a ﬁxé"
    assert text.index("¹") not in found  # the footnote call is skipped


def test_a_quote_not_on_the_page_highlights_nothing():
    png = render_quote(ANNUAL, 3, ("Une phrase qui n'est dans aucun rapport de la coopérative",))
    assert png is not None and not _highlighted(png)


def test_a_changed_file_or_a_missing_page_gives_no_image(tmp_path):
    copy = tmp_path / "rapport.pdf"
    shutil.copy(ANNUAL, copy)
    assert render_quote(copy, 99, ("x",)) is None
    assert render_quote(copy, 3, ("x",), content_hash="0" * 64) is None
    assert render_quote(tmp_path / "absent.pdf", 1, ("x",)) is None


def test_pages_rendered_from_many_threads_at_once_are_all_right(tmp_path):
    """pdfium is not thread-safe: renders and loads in parallel threads go one at a time."""
    from concurrent.futures import ThreadPoolExecutor

    from ingest.loaders import load_document

    copies = []
    for n in range(4):
        copy = tmp_path / f"rapport-{n}.pdf"
        shutil.copy(ANNUAL, copy)
        copies.append(copy)
    quote = ("Le plan stratégique 2025-2030 prévoit 28 millions d'euros d'investissements",)
    with ThreadPoolExecutor(max_workers=6) as pool:
        renders = [pool.submit(render_quote, copy, 7, quote) for copy in copies]
        loads = [pool.submit(load_document, copy) for copy in copies]
        assert all(_highlighted(r.result()) for r in renders)
        assert len({f.result().text for f in loads}) == 1
