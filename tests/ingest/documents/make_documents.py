"""Regenerate the ingestion test documents and their expectations (issue #12).

Run from the repository root (needs Chromium + chromedriver, selenium, fpdf2,
Pillow, LibreOffice Writer and pypdfium2):

    python tests/ingest/documents/make_documents.py            # everything
    python tests/ingest/documents/make_documents.py pdf-chromium-rapport-municipal   # one document

Which producer made which document:

| document                             | producer                                   | what it tests |
|--------------------------------------|--------------------------------------------|---------------|
| pdf-chromium-rapport-municipal       | Chromium `Page.printToPDF` (selenium CDP)   | header/footer templates, `generateDocumentOutline`, letter-spaced part headings, no `<title>` (metadata title = file name), forced page breaks |
| pdf-chromium-note-deux-colonnes      | Chromium `Page.printToPDF`                  | two CSS columns, justified text with soft hyphens (words hyphenated at line ends), real ﬁ/ﬀ ligatures from DejaVu Serif, header/footer templates |
| pdf-fpdf2-rapport-annuel             | fpdf2                                      | running header/footer, outline (bookmarks), page labels i, ii, 1, 2…, a table, footnotes at the page foot, a word-processor file name as metadata title, a table of contents |
| pdf-fpdf2-guide-cesure               | fpdf2                                      | words hyphenated at line ends (own line breaker), ﬁ/ﬂ ligature characters in the text layer, letter-spaced headings drawn glyph by glyph |
| pdf-fpdf2-bulletin-page-scannee      | fpdf2 + Pillow                             | one scanned page (a picture, no text layer) between text pages |
| pdf-libreoffice-commission           | LibreOffice Writer (flat ODT → PDF)         | page-style header/footer with page number/count fields, real footnotes, a table, Heading 1/2 exported as bookmarks |
| pdf-libreoffice-plan-climat          | LibreOffice Writer (flat ODT → PDF)         | a title page without header/footer, three heading levels, bullet lists, empty metadata title |
| html-*                               | written by hand (`pages.py`)               | DSFR page, `<div>` soup, ISO-8859-15 bytes, tables, `<article>` with comments |

Determinism: the PDFs' creation/modification dates and file identifiers are
overwritten with fixed values of the same length (byte offsets unchanged), so
an unchanged text gives byte-identical files.

Expectations (`NAME.expected.json`) are derived here, not typed by hand: each
body sentence of the source blocks is located in the rendered PDF with
pdfium's text (an extractor independent of the pypdf loader under test), its
start and end pages recorded; the document's running header/footer, page
number lines, footnotes, table rows, page labels and artefacts that must
disappear (ligature characters, hyphenated fragments, letter-spaced words)
are listed. The chosen sentences are: every sentence crossing a page break,
every sentence that starts a page, the first sentence of each section, and
a few picked by hand (`*_SENTENCE_PICKS` in `texts.py`).
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import pages as html_pages  # noqa: E402
import texts  # noqa: E402
from texts import Block  # noqa: E402

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
FIXED_DATE = "20250401120000"
LIGATURES = "\ufb00\ufb01\ufb02\ufb03\ufb04"


# =============================================================== the documents


@dataclass
class PdfSpec:
    name: str
    producer: str
    blocks: list
    title: str | None  # expected meaningful title
    header: str | None
    footer: str | None  # format with {n}, {m} or {label}
    footnotes: dict = field(default_factory=dict)
    picks: list = field(default_factory=list)
    build: Callable | None = None
    extra: dict = field(default_factory=dict)


def _spec_list() -> list[PdfSpec]:
    return [
        PdfSpec("pdf-chromium-rapport-municipal", "chromium", texts.MUNICIPAL,
                "Rapport d'activité 2024", texts.MUNICIPAL_HEADER, texts.MUNICIPAL_FOOTER,
                picks=texts.MUNICIPAL_SENTENCE_PICKS, build=build_municipal),
        PdfSpec("pdf-chromium-note-deux-colonnes", "chromium", texts.NOTE,
                "Températures de l'eau et oxygène dissous pendant l'étiage 2024",
                texts.NOTE_HEADER, texts.NOTE_FOOTER, picks=texts.NOTE_SENTENCE_PICKS,
                build=build_note),
        PdfSpec("pdf-fpdf2-rapport-annuel", "fpdf2", texts.ANNUAL, "Rapport annuel 2024",
                texts.ANNUAL_HEADER, texts.ANNUAL_FOOTER, footnotes=texts.ANNUAL_FOOTNOTES,
                picks=texts.ANNUAL_SENTENCE_PICKS, build=build_annual),
        PdfSpec("pdf-fpdf2-guide-cesure", "fpdf2", texts.GUIDE,
                "Les moulins de la vallée de la Sèvre", texts.GUIDE_HEADER, texts.GUIDE_FOOTER,
                picks=texts.GUIDE_SENTENCE_PICKS, build=build_guide),
        PdfSpec("pdf-fpdf2-bulletin-page-scannee", "fpdf2+pillow", texts.BULLETIN,
                "Bulletin de printemps", texts.BULLETIN_HEADER, texts.BULLETIN_FOOTER,
                picks=texts.BULLETIN_SENTENCE_PICKS, build=build_bulletin),
        PdfSpec("pdf-libreoffice-commission", "libreoffice", texts.COMMISSION,
                texts.COMMISSION_TITLE, texts.COMMISSION_HEADER, texts.COMMISSION_FOOTER,
                footnotes=texts.COMMISSION_FOOTNOTES, picks=texts.COMMISSION_SENTENCE_PICKS,
                build=build_commission),
        PdfSpec("pdf-libreoffice-plan-climat", "libreoffice", texts.PLAN,
                "Plan climat-air-énergie territorial : rapport d'étape à mi-parcours",
                texts.PLAN_HEADER, texts.PLAN_FOOTER, build=build_plan),
    ]


# ============================================================ helpers (text)


def strip_calls(sentence: str) -> str:
    """The sentence as expected in the clean text: footnote calls removed."""
    return re.sub(r"\{\d+\}", "", sentence)


def calls_as_superscript(sentence: str) -> str:
    sup = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
    return re.sub(r"\{(\d+)\}", lambda m: m.group(1).translate(sup), sentence)


def with_soft_hyphens(text: str, table: dict[str, str]) -> str:
    def repl(match: re.Match[str]) -> str:
        word = match.group(0)
        return table.get(word, word)
    return re.sub(r"[\w'’]+", repl, text)


_VOWELS = "aeiouyàâäéèêëîïôöùûüœæ"
_KEEP_TOGETHER = {"ch", "ph", "th", "gn", "qu", "gu"} | {
    c + l for c in "bcdfgkptv" for l in "lr"}


def auto_soft_hyphens(text: str, min_len: int = 7) -> str:
    """Soft hyphens at French-like syllable breaks of long words (VCV -> V-CV,
    VCCV -> VC-CV unless the pair stays together), two letters at least on
    the left and three on the right. Words with a capital, digits or an
    existing hyphen are left alone."""
    def hyphenate(word: str) -> str:
        prefix = ""
        match = re.match(r"^([dlnjmsc]'|qu')", word, re.IGNORECASE)
        if match:
            prefix, word = word[:match.end()], word[match.end():]
        if len(word) < min_len or not word.isalpha() or not word.islower():
            return prefix + word
        low = word.lower()
        cuts = []
        for i in range(2, len(word) - 2):
            a, b = low[i - 1], low[i]
            if a in _VOWELS and b not in _VOWELS and i + 1 < len(low) and low[i + 1] in _VOWELS:
                cuts.append(i)  # V-CV
            elif (a not in _VOWELS and b not in _VOWELS and i >= 2 and low[i - 2] in _VOWELS
                  and i + 1 < len(low) and low[i + 1] in _VOWELS and low[i - 1:i + 1] not in _KEEP_TOGETHER):
                cuts.append(i)  # VC-CV
        cuts = [c for c in cuts if c >= 2 and len(word) - c >= 3]
        out, last = [], 0
        for c in cuts:
            out.append(word[last:c])
            last = c
        out.append(word[last:])
        return prefix + "\u00ad".join(out)

    return re.sub(r"[\w']+", lambda m: hyphenate(m.group(0)), text)


def with_ligatures(text: str) -> str:
    return text.replace("ffi", "\ufb03").replace("fi", "\ufb01").replace("fl", "\ufb02")


def fix_pdf_bytes(data: bytes) -> bytes:
    """Fixed creation/modification dates and /ID, same lengths (offsets unchanged)."""
    def date(match: re.Match[bytes]) -> bytes:
        old = match.group(2)
        new = (b"D:" + FIXED_DATE.encode() + b"+00'00'")[:len(old)].ljust(len(old), b"'")
        return match.group(1) + new + match.group(3)

    data = re.sub(rb"(/(?:CreationDate|ModDate)\s*\()([^)]*)(\))", date, data)
    data = re.sub(rb"(/DocChecksum /)([0-9A-Fa-f]+)", lambda m: m.group(1) + b"0" * len(m.group(2)), data)
    digest = hashlib.md5(re.sub(rb"/ID\s*\[[^\]]*\]", b"", data)).hexdigest().upper().encode()

    def ident(match: re.Match[bytes]) -> bytes:
        inner = match.group(1)

        def hexrepl(m: re.Match[bytes]) -> bytes:
            n = len(m.group(1))
            return b"<" + (digest * (n // len(digest) + 1))[:n] + b">"
        return b"/ID [" + re.sub(rb"<([0-9A-Fa-f]+)>", hexrepl, inner) + b"]"

    data = re.sub(rb"/ID\s*\[([^\]]*)\]", ident, data)
    # LibreOffice writes the dates in XMP metadata too.
    data = re.sub(rb"(<xmp:(?:CreateDate|ModifyDate|MetadataDate)>)([^<]*)(</xmp:)",
                  lambda m: m.group(1) + b"2025-04-01T12:00:00+00:00"[:len(m.group(2))].ljust(
                      len(m.group(2)), b" ") + m.group(3), data)
    return data


# ============================================================== Chromium


class Chromium:
    """A headless Chromium driven by selenium, for `Page.printToPDF`."""

    def __init__(self) -> None:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        self.profile = tempfile.mkdtemp(prefix="chromium-profile-")
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for arg in ("--headless=new", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-component-update",
                    "--no-first-run", "--disable-sync", f"--user-data-dir={self.profile}"):
            options.add_argument(arg)
        self.driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)

    def print_pdf(self, html_path: Path, params: dict) -> bytes:
        self.driver.get(html_path.as_uri())
        result = self.driver.execute_cdp_cmd("Page.printToPDF", params)
        return base64.b64decode(result["data"])

    def close(self) -> None:
        self.driver.quit()
        shutil.rmtree(self.profile, ignore_errors=True)


_CHROMIUM: Chromium | None = None


def chromium() -> Chromium:
    global _CHROMIUM
    if _CHROMIUM is None:
        _CHROMIUM = Chromium()
    return _CHROMIUM


def blocks_to_html(blocks: list[Block], *, soft: dict[str, str] | None = None) -> str:
    """Body HTML: TITLE -> h1, h1 -> h2, h2 -> h3, h3 -> h4."""
    out: list[str] = []
    esc = lambda s: html.escape(with_soft_hyphens(s, soft) if soft else s, quote=False)  # noqa: E731
    tags = {"title": "h1", "h1": "h2", "h2": "h3", "h3": "h4"}
    for block in blocks:
        brk = ' class="break"' if block.break_before else ""
        if block.kind in tags:
            out.append(f"<{tags[block.kind]}{brk}>{html.escape(block.text)}</{tags[block.kind]}>")
        elif block.kind == "subtitle":
            out.append(f'<p class="subtitle">{html.escape(block.text)}</p>')
        elif block.kind == "p":
            text = " ".join(esc(calls_as_superscript(s)) for s in block.sentences)
            out.append(f"<p{brk}>{text}</p>")
        elif block.kind == "ul":
            out.append("<ul>" + "".join(f"<li>{esc(i)}</li>" for i in block.items) + "</ul>")
        elif block.kind == "table":
            head, *rows = block.rows
            out.append(f"<table><caption>{html.escape(block.caption)}</caption><thead><tr>"
                       + "".join(f"<th>{html.escape(c)}</th>" for c in head) + "</tr></thead><tbody>"
                       + "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>"
                                 for r in rows) + "</tbody></table>")
    return "\n".join(out)


def _templates(header: str, footer: str, font: str) -> tuple[str, str]:
    style = f"font-family:'{font}';font-size:7.5pt;color:#444;width:100%;margin:0 12mm;"
    head = f'<div style="{style}text-align:right">{html.escape(header)}</div>'
    foot_text = html.escape(footer).format(
        n='<span class="pageNumber"></span>', m='<span class="totalPages"></span>')
    foot = f'<div style="{style}text-align:center">{foot_text}</div>'
    return head, foot


def build_municipal(spec: PdfSpec, workdir: Path) -> bytes:
    css = """
    @page { size: 148mm 210mm; }
    body { font-family: 'Liberation Sans'; font-size: 10.5pt; line-height: 1.45; margin: 0; }
    h1 { font-size: 20pt; margin: 4mm 0 2mm; }
    h2 { font-size: 13pt; letter-spacing: 0.25em; margin: 6mm 0 2mm; }
    h3 { font-size: 11.5pt; margin: 4mm 0 1.5mm; }
    p { margin: 0 0 2.5mm; text-align: justify; }
    p.subtitle { color: #555; margin: 0; }
    .break { break-before: page; }
    """
    # No <title>: Chromium then puts the file name in the PDF's /Title.
    page = (f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><style>{css}</style>'
            f"</head><body>{blocks_to_html(spec.blocks)}</body></html>")
    src = workdir / "rapport-activite-2024.html"
    src.write_text(page, encoding="utf-8")
    head, foot = _templates(spec.header, spec.footer, "Liberation Sans")
    return chromium().print_pdf(src, {
        "displayHeaderFooter": True, "headerTemplate": head, "footerTemplate": foot,
        "paperWidth": 148 / 25.4, "paperHeight": 210 / 25.4,
        "marginTop": 0.75, "marginBottom": 0.75, "marginLeft": 0.7, "marginRight": 0.7,
        "printBackground": False, "generateDocumentOutline": True, "generateTaggedPDF": True,
    })


def build_note(spec: PdfSpec, workdir: Path) -> bytes:
    css = """
    body { font-family: 'DejaVu Serif'; font-size: 9.5pt; line-height: 1.4; margin: 0; }
    h1 { font-size: 15pt; margin: 0 0 2mm; font-family: 'DejaVu Sans'; }
    p.subtitle { font-style: italic; margin: 0 0 3mm; }
    .abstract { border-top: 0.5pt solid #000; border-bottom: 0.5pt solid #000; padding: 2mm 0; margin-bottom: 4mm; }
    .cols { column-count: 2; column-gap: 7mm; text-align: justify; hyphens: manual; }
    h2 { font-size: 10.5pt; margin: 3mm 0 1mm; font-family: 'DejaVu Sans'; break-after: avoid; }
    h3 { font-size: 9.5pt; font-style: italic; margin: 2mm 0 1mm; break-after: avoid; }
    p { margin: 0 0 1.8mm; }
    """
    blocks = spec.blocks
    head_blocks, abstract, body = blocks[:2], blocks[2], blocks[3:]
    body_html = blocks_to_html(body, soft=texts.NOTE_SOFT_HYPHENS)
    page = (f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">'
            f"<title>{html.escape(spec.title)}</title><style>{css}</style></head><body>"
            f"{blocks_to_html(head_blocks)}"
            f'<div class="abstract">{blocks_to_html([abstract], soft=texts.NOTE_SOFT_HYPHENS)}</div>'
            f'<div class="cols">{body_html}</div></body></html>')
    src = workdir / "note.html"
    src.write_text(page, encoding="utf-8")
    head, foot = _templates(spec.header, spec.footer, "DejaVu Sans")
    return chromium().print_pdf(src, {
        "displayHeaderFooter": True, "headerTemplate": head, "footerTemplate": foot,
        "paperWidth": 148 / 25.4, "paperHeight": 210 / 25.4,
        "marginTop": 0.7, "marginBottom": 0.7, "marginLeft": 0.6, "marginRight": 0.6,
        "printBackground": False,
    })


# ================================================================= fpdf2


def _fpdf_class():
    from fpdf import FPDF

    class ReportPDF(FPDF):
        """A5 pages, DejaVu fonts, running header/footer, footnotes at the page foot,
        and an own line breaker (left-aligned, hyphenation at soft hyphens)."""

        def __init__(self, spec: PdfSpec, *, serif: bool = True) -> None:
            super().__init__(format=(148, 210), unit="mm")
            self.spec = spec
            self.set_creation_date(__import__("datetime").datetime(2025, 4, 1, 12, 0, 0))
            self.set_margins(18, 20, 18)
            self.set_auto_page_break(False)
            base = "DejaVuSerif" if serif else "DejaVuSans"
            self.add_font("body", "", str(DEJAVU / f"{base}.ttf"))
            self.add_font("body", "B", str(DEJAVU / f"{base}-Bold.ttf"))
            self.add_font("sans", "", str(DEJAVU / "DejaVuSans.ttf"))
            self.add_font("sans", "B", str(DEJAVU / "DejaVuSans-Bold.ttf"))
            self.chrome = False  # header/footer on the page being opened?
            self.chrome_pages: dict[int, bool] = {}
            self.page_footnotes: dict[int, list[int]] = {}
            self.labels: dict[int, str] = {}
            self.bottom = 210 - 22  # lowest baseline area for body text
            self.total_pages = 0  # known on the second pass
            self.section_pages: dict[str, int] = {}

        def header(self) -> None:
            if not self.chrome or not self.spec.header:
                return
            self.set_font("sans", "", 7.5)
            self.set_text_color(90)
            self.set_xy(18, 9)
            self.cell(w=self.epw, h=4, text=self.spec.header, align="R")
            self.set_draw_color(150)
            self.line(18, 14, 130, 14)
            self.set_text_color(0)

        def footer(self) -> None:
            notes = self.page_footnotes.get(self.page_no(), [])
            if notes:
                y = self.bottom + 2 - 4.2 * len(notes)
                self.set_draw_color(0)
                self.line(18, y - 1.5, 55, y - 1.5)
                self.set_font("body", "", 7.5)
                for number in notes:
                    self.set_xy(18, y)
                    self.cell(w=self.epw, h=3.6, text=f"{number} {self.spec.footnotes[number]}")
                    y += 4.2
            if not self.chrome_pages.get(self.page_no(), True) or not self.spec.footer:
                return
            self.set_font("sans", "", 7.5)
            self.set_text_color(90)
            self.set_xy(18, 196)
            label = self.labels.get(self.page_no(), str(self.page_no()))
            self.cell(w=self.epw, h=4, align="C", text=self.spec.footer.format(
                n=self.page_no(), m=self.total_pages or "{m}", label=label))
            self.set_text_color(0)

        # ---- layout
        def new_page(self, chrome: bool = True) -> None:
            self.chrome = chrome
            self.add_page()
            self.chrome_pages[self.page_no()] = chrome
            self.set_y(20)

        def limit(self) -> float:
            notes = self.page_footnotes.get(self.page_no(), [])
            return self.bottom - (4.2 * len(notes) + 3 if notes else 0)

        def ensure(self, height: float) -> None:
            if self.get_y() + height > self.limit():
                self.new_page()

        def break_lines(self, text: str, width: float) -> list[str]:
            words = text.split(" ")
            lines: list[str] = []
            line = ""
            for word in words:
                candidate = f"{line} {word}" if line else word
                if self.get_string_width(candidate.replace("\u00ad", "")) <= width:
                    line = candidate
                    continue
                parts = word.split("\u00ad")
                placed = False
                for cut in range(len(parts) - 1, 0, -1):
                    head = "".join(parts[:cut]) + "-"
                    trial = f"{line} {head}" if line else head
                    if self.get_string_width(trial.replace("\u00ad", "")) <= width:
                        lines.append(trial.replace("\u00ad", ""))
                        line = "\u00ad".join(parts[cut:])
                        placed = True
                        break
                if not placed:
                    if line:
                        lines.append(line.replace("\u00ad", ""))
                    line = word
            if line:
                lines.append(line.replace("\u00ad", ""))
            return lines

        def paragraph(self, text: str, *, size: float = 10, lh: float = 5.0,
                      calls: list[int] = (), indent: float = 0.0) -> None:
            self.set_font("body", "", size)
            lines = self.break_lines(text, self.epw - indent)
            for line in lines:
                for number in calls:
                    if "⁰¹²³⁴⁵⁶⁷⁸⁹"[number] in line:
                        self.page_footnotes.setdefault(self.page_no(), [])
                        if number not in self.page_footnotes[self.page_no()]:
                            self.page_footnotes[self.page_no()].append(number)
                self.ensure(lh)
                self.set_x(self.l_margin + indent)
                self.cell(w=self.epw - indent, h=lh, text=line, new_x="LMARGIN", new_y="NEXT")
            self.ln(1.8)

        def heading(self, text: str, level: int, *, spaced: bool = False) -> None:
            size = {0: 15, 1: 12.5, 2: 11}[level]
            self.ensure(size * 0.6 + 14)  # keep a heading with two lines of text
            self.ln(2.5 if level else 3)
            self.section_pages[text] = self.page_no()
            self.start_section(text, level=level)
            self.set_font("sans", "B", size)
            if spaced:  # letter spacing drawn glyph by glyph, as some producers do
                size = 10.5
                self.set_font("sans", "B", size)
                x = self.l_margin
                y = self.get_y()
                for ch in text.upper():
                    self.set_xy(x, y)
                    self.cell(h=size * 0.5, text=ch)
                    x += self.get_string_width(ch) + 0.7
                self.set_xy(self.l_margin, y + size * 0.5)
            else:
                self.multi_cell(w=self.epw, h=size * 0.5, text=text, new_x="LMARGIN",
                                new_y="NEXT")
            self.ln(2)

        def table_block(self, block: Block) -> None:
            self.set_font("body", "B", 8.5)
            self.ensure(8 + 6 * len(block.rows))
            self.multi_cell(w=self.epw, h=4.5, text=block.caption, new_x="LMARGIN", new_y="NEXT")
            self.ln(1)
            self.set_font("body", "", 8.5)
            with self.table(col_widths=(46, 16, 16, 18), text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT"),
                            line_height=5, first_row_as_headings=True,
                            headings_style=__import__("fpdf").FontFace(emphasis="BOLD")) as table:
                for row in block.rows:
                    r = table.row()
                    for cell in row:
                        r.cell(cell)
            self.ln(3)

        def bullets(self, items: list[str]) -> None:
            for item in items:
                self.set_font("body", "", 10)
                self.ensure(5)
                self.cell(w=5, h=5, text="•")
                self.paragraph(item, indent=5)

        def render(self, blocks: list[Block], *, soft: bool = False,
                   ligatures: bool = False, spaced_parts: bool = False,
                   on_scan: Callable | None = None) -> None:
            for block in blocks:
                if isinstance(block, str) and block == "SCAN":
                    on_scan(self)
                    continue
                if block.break_before:
                    self.new_page()
                if block.kind == "title":
                    self.set_font("sans", "B", 18)
                    self.multi_cell(w=self.epw, h=9, text=block.text, new_x="LMARGIN", new_y="NEXT")
                    self.ln(2)
                elif block.kind == "subtitle":
                    self.set_font("body", "", 10)
                    self.multi_cell(w=self.epw, h=5, text=block.text, new_x="LMARGIN", new_y="NEXT")
                    self.ln(4)
                elif block.kind in ("h1", "h2", "h3"):
                    level = int(block.kind[1]) - 1
                    self.heading(block.text, level, spaced=spaced_parts and level == 0)
                elif block.kind == "p":
                    text = " ".join(calls_as_superscript(s) for s in block.sentences)
                    calls = [int(n) for s in block.sentences for n in re.findall(r"\{(\d+)\}", s)]
                    if soft:
                        text = auto_soft_hyphens(text)
                    if ligatures:
                        text = with_ligatures(text)
                    self.paragraph(text, calls=calls)
                elif block.kind == "table":
                    self.table_block(block)
                elif block.kind == "ul":
                    self.bullets(block.items)

    return ReportPDF


def _two_pass(make: Callable[[int], "object"]) -> bytes:
    """Render once to count pages, then again with the total in the footers."""
    first = make(0)
    pdf = make(first.pages_count)
    return fix_pdf_bytes(bytes(pdf.output()))


def build_annual(spec: PdfSpec, workdir: Path) -> bytes:
    ReportPDF = _fpdf_class()

    def make(total: int, labels: dict[int, str], toc: dict[str, int]):
        pdf = ReportPDF(spec)
        pdf.total_pages = total
        pdf.labels = dict(labels)
        pdf.set_title("Microsoft Word - rapport_annuel_2024_v3.docx")
        pdf.set_author("compta3")
        # Cover (label i) and contents (label ii): roman front matter.
        pdf.new_page(chrome=False)
        pdf.set_page_label("r", None, 1)
        pdf.set_y(70)
        pdf.set_font("sans", "", 12)
        pdf.multi_cell(w=pdf.epw, h=7, text=texts.ANNUAL_COVER[0], align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
        pdf.set_font("sans", "B", 24)
        pdf.multi_cell(w=pdf.epw, h=12, text=texts.ANNUAL_COVER[1], align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(30)
        pdf.set_font("sans", "", 10)
        pdf.multi_cell(w=pdf.epw, h=6, text=texts.ANNUAL_COVER[2], align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.new_page(chrome=True)
        pdf.set_font("sans", "B", 15)
        pdf.cell(w=pdf.epw, h=8, text="Sommaire", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
        for block in spec.blocks:
            if block.kind in ("h1", "h2"):
                indent = 0 if block.kind == "h1" else 6
                pdf.set_font("body", "B" if block.kind == "h1" else "", 9.5)
                label = str(toc.get(block.text, ""))
                room = pdf.epw - indent - pdf.get_string_width(f"{block.text}  {label}")
                dots = "." * max(3, int(room / pdf.get_string_width(".")))
                pdf.set_x(pdf.l_margin + indent)
                pdf.cell(w=pdf.epw - indent, h=6, text=f"{block.text} {dots} {label}",
                         new_x="LMARGIN", new_y="NEXT")
        # Body: arabic labels from 1.
        pdf.new_page(chrome=True)
        pdf.set_page_label("D", None, 1)
        start = pdf.page_no()
        pdf.render(spec.blocks)
        found = {1: "i", 2: "ii"}
        found.update({n: str(n - start + 1) for n in range(start, pdf.page_no() + 1)})
        return pdf, found, {t: p - start + 1 for t, p in pdf.section_pages.items()}

    first, labels, toc = make(0, {}, {})
    final, labels2, toc2 = make(first.pages_count, labels, toc)
    assert labels2 == labels and toc2 == toc, "pagination changed between passes"
    spec.extra["page_labels"] = {str(k): v for k, v in sorted(labels.items())}
    return fix_pdf_bytes(bytes(final.output()))


def build_guide(spec: PdfSpec, workdir: Path) -> bytes:
    ReportPDF = _fpdf_class()

    def make(total: int):
        pdf = ReportPDF(spec)
        pdf.total_pages = total
        pdf.set_title("Les moulins de la vallée de la Sèvre")
        pdf.new_page(chrome=True)
        pdf.render(spec.blocks, soft=True, ligatures=True, spaced_parts=True)
        return pdf

    return _two_pass(make)


def scanned_page_png(lines: list[str]) -> bytes:
    """A page of text rendered as a 1-bit picture, slightly rotated: a scan."""
    from PIL import Image, ImageDraw, ImageFont

    dpi = 110
    width, height = int(148 / 25.4 * dpi), int(210 / 25.4 * dpi)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(DEJAVU / "DejaVuSerif.ttf"), 17)
    bold = ImageFont.truetype(str(DEJAVU / "DejaVuSerif-Bold.ttf"), 24)
    y = 60
    for i, line in enumerate(lines):
        f = bold if line == "Tribune libre" else font
        draw.text((70, y), line, fill=0, font=f)
        y += 34 if line else 18
    rng = random.Random(58)
    for _ in range(400):  # scanner dust
        x, yy = rng.randrange(width), rng.randrange(height)
        draw.point((x, yy), fill=0)
    image = image.rotate(0.6, fillcolor=255, resample=Image.BICUBIC)
    image = image.point(lambda v: 255 if v > 150 else 0).convert("1")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def build_bulletin(spec: PdfSpec, workdir: Path) -> bytes:
    ReportPDF = _fpdf_class()
    png = workdir / "scan.png"
    png.write_bytes(scanned_page_png(texts.BULLETIN_SCAN_LINES))

    def make(total: int):
        pdf = ReportPDF(spec, serif=False)
        pdf.total_pages = total

        def scan(p) -> None:
            p.chrome = False
            p.add_page()
            p.chrome_pages[p.page_no()] = False
            p.image(str(png), x=0, y=0, w=148, h=210)
            spec.extra["image_only_pages"] = [p.page_no()]

        pdf.new_page(chrome=True)
        pdf.render(spec.blocks, on_scan=scan)
        return pdf

    return _two_pass(make)


# =========================================================== LibreOffice

_FODT_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
 xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
<office:meta><dc:title>{title}</dc:title><meta:creation-date>2025-04-01T12:00:00</meta:creation-date></office:meta>
<office:font-face-decls>
 <style:font-face style:name="Liberation Serif" svg:font-family="'Liberation Serif'"/>
 <style:font-face style:name="Liberation Sans" svg:font-family="'Liberation Sans'"/>
</office:font-face-decls>
<office:styles>
 <style:default-style style:family="paragraph"><style:text-properties fo:language="fr" fo:country="FR"/></style:default-style>
 <style:style style:name="Standard" style:family="paragraph"><style:paragraph-properties fo:margin-bottom="0.18cm" fo:text-align="justify" fo:line-height="118%"/><style:text-properties style:font-name="Liberation Serif" fo:font-size="11.5pt" fo:language="fr" fo:country="FR"/></style:style>
 <style:style style:name="Title" style:family="paragraph" style:parent-style-name="Standard"><style:paragraph-properties fo:text-align="start" fo:margin-bottom="0.3cm"/><style:text-properties style:font-name="Liberation Sans" fo:font-size="17pt" fo:font-weight="bold"/></style:style>
 <style:style style:name="Subtitle" style:family="paragraph" style:parent-style-name="Standard"><style:paragraph-properties fo:margin-bottom="0.5cm"/><style:text-properties fo:font-style="italic"/></style:style>
 <style:style style:name="Heading_20_1" style:display-name="Heading 1" style:family="paragraph" style:parent-style-name="Standard" style:default-outline-level="1"><style:paragraph-properties fo:text-align="start" fo:margin-top="0.45cm" fo:margin-bottom="0.2cm" fo:keep-with-next="always"/><style:text-properties style:font-name="Liberation Sans" fo:font-size="14pt" fo:font-weight="bold"/></style:style>
 <style:style style:name="Heading_20_2" style:display-name="Heading 2" style:family="paragraph" style:parent-style-name="Standard" style:default-outline-level="2"><style:paragraph-properties fo:text-align="start" fo:margin-top="0.3cm" fo:margin-bottom="0.15cm" fo:keep-with-next="always"/><style:text-properties style:font-name="Liberation Sans" fo:font-size="12pt" fo:font-weight="bold"/></style:style>
 <style:style style:name="Heading_20_3" style:display-name="Heading 3" style:family="paragraph" style:parent-style-name="Standard" style:default-outline-level="3"><style:paragraph-properties fo:text-align="start" fo:margin-top="0.25cm" fo:margin-bottom="0.1cm" fo:keep-with-next="always"/><style:text-properties style:font-name="Liberation Sans" fo:font-size="10.5pt" fo:font-weight="bold" fo:font-style="italic"/></style:style>
 <style:style style:name="Header" style:family="paragraph" style:parent-style-name="Standard"><style:paragraph-properties fo:text-align="end" fo:margin-bottom="0cm"/><style:text-properties style:font-name="Liberation Sans" fo:font-size="7.5pt" fo:color="#555555"/></style:style>
 <style:style style:name="Footer" style:family="paragraph" style:parent-style-name="Standard"><style:paragraph-properties fo:text-align="center" fo:margin-bottom="0cm"/><style:text-properties style:font-name="Liberation Sans" fo:font-size="7.5pt" fo:color="#555555"/></style:style>
 <style:style style:name="Footnote" style:family="paragraph" style:parent-style-name="Standard"><style:paragraph-properties fo:text-align="start" fo:margin-bottom="0cm"/><style:text-properties fo:font-size="8pt"/></style:style>
 <style:style style:name="Table_20_Contents" style:display-name="Table Contents" style:family="paragraph" style:parent-style-name="Standard"><style:paragraph-properties fo:text-align="start" fo:margin-bottom="0cm"/><style:text-properties fo:font-size="9pt"/></style:style>
 <style:style style:name="Table_20_Heading" style:display-name="Table Heading" style:family="paragraph" style:parent-style-name="Table_20_Contents"><style:text-properties fo:font-weight="bold"/></style:style>
 <style:style style:name="Caption" style:family="paragraph" style:parent-style-name="Standard"><style:paragraph-properties fo:text-align="start" fo:keep-with-next="always"/><style:text-properties fo:font-size="9pt" fo:font-weight="bold"/></style:style>
 <style:style style:name="Cover" style:family="paragraph" style:parent-style-name="Standard"><style:paragraph-properties fo:text-align="center" fo:margin-top="0.6cm"/><style:text-properties style:font-name="Liberation Sans" fo:font-size="15pt"/></style:style>
 <text:list-style style:name="Bullets"><text:list-level-style-bullet text:level="1" text:bullet-char="•"><style:list-level-properties text:list-level-position-and-space-mode="label-alignment"><style:list-level-label-alignment text:label-followed-by="listtab" text:list-tab-stop-position="0.6cm" fo:text-indent="-0.4cm" fo:margin-left="0.6cm"/></style:list-level-properties></text:list-level-style-bullet></text:list-style>
 <text:notes-configuration text:note-class="footnote" style:num-format="1" text:start-value="0" text:footnotes-position="page" text:start-numbering-at="document"/>
</office:styles>
<office:automatic-styles>
 <style:page-layout style:name="pm1"><style:page-layout-properties fo:page-width="14.8cm" fo:page-height="21cm" fo:margin-top="1.1cm" fo:margin-bottom="1.0cm" fo:margin-left="1.8cm" fo:margin-right="1.8cm"/>
  <style:header-style><style:header-footer-properties fo:min-height="0cm" fo:margin-bottom="0.5cm"/></style:header-style>
  <style:footer-style><style:header-footer-properties fo:min-height="0cm" fo:margin-top="0.5cm"/></style:footer-style></style:page-layout>
 <style:page-layout style:name="pm2"><style:page-layout-properties fo:page-width="14.8cm" fo:page-height="21cm" fo:margin-top="2cm" fo:margin-bottom="2cm" fo:margin-left="1.8cm" fo:margin-right="1.8cm"/></style:page-layout>
 <style:style style:name="PBreak" style:family="paragraph" style:parent-style-name="Standard"><style:paragraph-properties fo:break-before="page"/></style:style>
 <style:style style:name="H1Break" style:family="paragraph" style:parent-style-name="Heading_20_1"><style:paragraph-properties fo:break-before="page"/></style:style>
 <style:style style:name="H2Break" style:family="paragraph" style:parent-style-name="Heading_20_2"><style:paragraph-properties fo:break-before="page"/></style:style>
 <style:style style:name="H1Body" style:family="paragraph" style:parent-style-name="Heading_20_1" style:master-page-name="Body"/>
 <style:style style:name="TitleBody" style:family="paragraph" style:parent-style-name="Title" style:master-page-name="Body"/>
 <style:style style:name="CoverFirst" style:family="paragraph" style:parent-style-name="Cover" style:master-page-name="Cover"><style:paragraph-properties fo:margin-top="4cm"/></style:style>
 <style:style style:name="Tbl" style:family="table"><style:table-properties style:width="11.2cm" table:align="left" fo:margin-bottom="0.3cm"/></style:style>
 <style:style style:name="TblCell" style:family="table-cell"><style:table-cell-properties fo:padding="0.06cm" fo:border="0.5pt solid #000000"/></style:style>
</office:automatic-styles>
<office:master-styles>
 <style:master-page style:name="Body" style:page-layout-name="pm1">
  <style:header><text:p text:style-name="Header">{header}</text:p></style:header>
  <style:footer><text:p text:style-name="Footer">{footer}</text:p></style:footer>
 </style:master-page>
 <style:master-page style:name="Cover" style:page-layout-name="pm2" style:next-style-name="Body"/>
 <style:master-page style:name="Standard" style:page-layout-name="pm1">
  <style:header><text:p text:style-name="Header">{header}</text:p></style:header>
  <style:footer><text:p text:style-name="Footer">{footer}</text:p></style:footer>
 </style:master-page>
</office:master-styles>
<office:body><office:text>
"""


def blocks_to_fodt(spec: PdfSpec, *, cover: list[str] | None = None, title_meta: str = "") -> str:
    esc = lambda s: html.escape(s, quote=False)  # noqa: E731
    footer = esc(spec.footer).format(
        n='<text:page-number text:select-page="current">1</text:page-number>',
        m="<text:page-count>1</text:page-count>")
    parts = [_FODT_HEAD.format(title=esc(title_meta), header=esc(spec.header), footer=footer)]
    first_body = True
    if cover:
        for i, line in enumerate(cover):
            parts.append(f'<text:p text:style-name="{"CoverFirst" if i == 0 else "Cover"}">{esc(line)}</text:p>')

    def call(match: re.Match[str]) -> str:
        n = int(match.group(1))
        return (f'<text:note text:id="ftn{n}" text:note-class="footnote"><text:note-citation>{n}'
                f'</text:note-citation><text:note-body><text:p text:style-name="Footnote">'
                f"{esc(spec.footnotes[n])}</text:p></text:note-body></text:note>")

    for block in spec.blocks:
        if block.kind == "title":
            style = "TitleBody" if cover and first_body else "Title"
            parts.append(f'<text:p text:style-name="{style}">{esc(block.text)}</text:p>')
        elif block.kind == "subtitle":
            parts.append(f'<text:p text:style-name="Subtitle">{esc(block.text)}</text:p>')
        elif block.kind in ("h1", "h2", "h3"):
            level = int(block.kind[1])
            style = f"Heading_20_{level}"
            if block.break_before:
                style = f"H{level}Break"
            parts.append(f'<text:h text:style-name="{style}" text:outline-level="{level}">'
                         f"{esc(block.text)}</text:h>")
        elif block.kind == "p":
            body = " ".join(re.sub(r"\{(\d+)\}", call, esc(s)) for s in block.sentences)
            style = "PBreak" if block.break_before else "Standard"
            parts.append(f'<text:p text:style-name="{style}">{body}</text:p>')
        elif block.kind == "ul":
            parts.append('<text:list text:style-name="Bullets">' + "".join(
                f'<text:list-item><text:p text:style-name="Standard">{esc(i)}</text:p></text:list-item>'
                for i in block.items) + "</text:list>")
        elif block.kind == "table":
            parts.append(f'<text:p text:style-name="Caption">{esc(block.caption)}</text:p>')
            ncols = len(block.rows[0])
            rows = []
            for r, row in enumerate(block.rows):
                pstyle = "Table_20_Heading" if r == 0 else "Table_20_Contents"
                cells = "".join(
                    f'<table:table-cell table:style-name="TblCell" office:value-type="string">'
                    f'<text:p text:style-name="{pstyle}">{esc(c)}</text:p></table:table-cell>' for c in row)
                rows.append(f"<table:table-row>{cells}</table:table-row>")
            head, body = rows[0], "".join(rows[1:])
            parts.append(f'<table:table table:name="Tableau1" table:style-name="Tbl">'
                         f'<table:table-column table:number-columns-repeated="{ncols}"/>'
                         f"<table:table-header-rows>{head}</table:table-header-rows>{body}</table:table>")
        first_body = False
    parts.append("</office:text></office:body></office:document>\n")
    return "\n".join(parts)


def libreoffice_pdf(fodt: str, workdir: Path, stem: str) -> bytes:
    src = workdir / f"{stem}.fodt"
    src.write_text(fodt, encoding="utf-8")
    profile = workdir / "lo-profile"
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(workdir), str(src)],
                   check=True, capture_output=True, timeout=180)
    return fix_pdf_bytes((workdir / f"{stem}.pdf").read_bytes())


def build_commission(spec: PdfSpec, workdir: Path) -> bytes:
    return libreoffice_pdf(blocks_to_fodt(spec, title_meta=spec.title), workdir, "commission")


def build_plan(spec: PdfSpec, workdir: Path) -> bytes:
    return libreoffice_pdf(blocks_to_fodt(spec, cover=texts.PLAN_COVER), workdir, "plan")


# ======================================================= locating sentences


JOIN = "\x01"  # token: the words on either side were one word broken at a line end


def norm_tokens(text: str) -> list[str]:
    """Comparison tokens: NFKC (ligatures, superscripts), soft hyphens dropped,
    hyphens inside words removed, lower case; a hyphen at a line end (or
    pdfium's U+FFFE) becomes a JOIN token, merged by `join_marks` once the
    running lines between the two halves are gone."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u00ad", "").replace("\u2010", "-")
    text = re.sub(r"(?<=\w)(?:[\ufffe\x02]|-[ \t]*\r?\n)", f" {JOIN} ", text)
    text = re.sub(r"(?<=\w)[-‑](?=\w)", "", text)
    text = text.replace("’", "'").lower()
    return re.findall(rf"[^\W\d_]+|\d+|{JOIN}", text)


def join_marks(tokens: list[str]) -> list[str]:
    out: list[str] = []
    glue = False
    for token in tokens:
        if token == JOIN:
            glue = bool(out)
            continue
        if glue:
            out[-1] += token
            glue = False
        else:
            out.append(token)
    return out


def page_texts(pdf_bytes: bytes) -> list[str]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf_bytes)
    try:
        return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    finally:
        doc.close()


def _remove_sequence(tokens: list[str], seq: list[str]) -> list[str]:
    if not seq:
        return tokens
    out: list[str] = []
    i = 0
    while i < len(tokens):
        if tokens[i:i + len(seq)] == seq:
            i += len(seq)
            continue
        out.append(tokens[i])
        i += 1
    return out


def _find(stream: list[str], seq: list[str]) -> list[int]:
    n = len(seq)
    first = seq[0]
    return [i for i, t in enumerate(stream) if t == first and stream[i:i + n] == seq]


@dataclass
class Located:
    text: str  # expected (calls removed)
    section: list[str]
    start_page: int
    end_page: int
    top: str | None  # "top of page", "top of page, after a heading" or None
    order: int


def locate(spec: PdfSpec, pdf_bytes: bytes) -> tuple[list[Located], list[str]]:
    """Every body sentence's pages, from pdfium's text with running lines removed."""
    raw_pages = page_texts(pdf_bytes)
    m = len(raw_pages)
    noise: list[list[str]] = []
    if spec.header:
        noise.append(join_marks(norm_tokens(spec.header)))
    labels = spec.extra.get("page_labels", {})
    for n in range(1, m + 1):
        if spec.footer:
            noise.append(join_marks(norm_tokens(
                spec.footer.format(n=n, m=m, label=labels.get(str(n), n)))))
    for number, note in spec.footnotes.items():
        noise.append([str(number)] + join_marks(norm_tokens(note)))
    tagged: list[tuple[str, int]] = []
    for page_no, text in enumerate(raw_pages, start=1):
        tokens = norm_tokens(text)
        for seq in sorted(noise, key=len, reverse=True):
            tokens = _remove_sequence(tokens, seq)
        tagged.extend((t, page_no) for t in tokens)
    # Merge words broken at a line (or page) end; the merged word belongs to
    # the page of its first half.
    stream: list[str] = []
    owner: list[int] = []
    glue = False
    for token, page_no in tagged:
        if token == JOIN:
            glue = bool(stream)
            continue
        if glue:
            if stream[-1].isalpha() and token.isalpha():
                spec.extra.setdefault("broken_words", set()).add(f"{stream[-1]}-{token}")
            stream[-1] += token
            glue = False
        else:
            stream.append(token)
            owner.append(page_no)

    located: list[Located] = []
    problems: list[str] = []
    path: dict[int, str] = {}
    pending_headings: list[list[str]] = []
    order = 0
    for block in spec.blocks:
        if isinstance(block, str):
            continue
        if block.kind in ("h1", "h2", "h3"):
            level = int(block.kind[1])
            path = {k: v for k, v in path.items() if k < level}
            path[level] = block.text
            pending_headings.append(join_marks(norm_tokens(block.text)))
            continue
        if block.kind == "title":
            pending_headings.append(join_marks(norm_tokens(block.text)))
            continue
        if block.kind != "p":
            if block.kind in ("ul", "table"):
                pending_headings = []
            continue
        for sentence in block.sentences:
            order += 1
            expected = strip_calls(sentence)
            seq = join_marks(norm_tokens(re.sub(r"\{(\d+)\}", r" \1", sentence)))
            hits = _find(stream, seq)
            if len(hits) != 1:
                problems.append(f"{spec.name}: {len(hits)} matches for {expected[:70]!r}")
                pending_headings = []
                continue
            i = hits[0]
            start, end = owner[i], owner[i + len(seq) - 1]
            top = None
            before = [stream[j] for j in range(i - 1, -1, -1) if owner[j] == start][::-1]
            if not before and start > 1:
                top = "top of page"
            elif before and start > 1 and before == [t for h in pending_headings for t in h]:
                top = "top of page, after a heading"
            located.append(Located(expected, [path[k] for k in sorted(path)], start, end, top, order))
            pending_headings = []
    return located, problems


# ========================================================== expectations


def select(spec: PdfSpec, located: list[Located]) -> list[Located]:
    chosen: dict[int, Located] = {}
    seen_sections: set[tuple[str, ...]] = set()
    picks = {strip_calls(p) for p in spec.picks}
    for loc in located:
        key = tuple(loc.section)
        first_of_section = key not in seen_sections
        seen_sections.add(key)
        if loc.start_page != loc.end_page or loc.top or loc.text in picks or first_of_section:
            chosen[loc.order] = loc
    return [chosen[k] for k in sorted(chosen)]


def expectations_for_pdf(spec: PdfSpec, pdf_bytes: bytes, located: list[Located]) -> dict:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes))
    m = len(reader.pages)
    sentences = []
    for loc in select(spec, located):
        item = {"text": loc.text, "page": loc.start_page, "section": loc.section}
        if loc.end_page != loc.start_page:
            item["pages"] = [loc.start_page, loc.end_page]
            item["where"] = "across a page break"
        elif loc.top:
            item["where"] = loc.top
        sentences.append(item)
    labels = spec.extra.get("page_labels")
    boilerplate: list[str] = []
    if spec.header:
        boilerplate.append(spec.header)
    for n in range(1, m + 1):
        if spec.footer:
            line = spec.footer.format(n=n, m=m, label=(labels or {}).get(str(n), n))
            if line not in boilerplate:
                boilerplate.append(line)
    if spec.name == "pdf-fpdf2-rapport-annuel":
        boilerplate.append(".....")  # table-of-contents leaders
    legit = {w.lower() for w in _legit_hyphenated(spec)}
    absent = sorted(w for w in spec.extra.get("broken_words", ()) if w not in legit)
    absent = [a.replace("-", "- ") for a in absent] + absent
    absent += [ch for ch in LIGATURES if ch in "".join(
        p.extract_text() or "" for p in reader.pages)]
    if spec.name == "pdf-chromium-rapport-municipal":
        absent.append("P a r t i e")
    if spec.name == "pdf-fpdf2-guide-cesure":
        absent.append("P A R T I E")
    tables = [" | ".join(row) for b in spec.blocks if not isinstance(b, str) and b.kind == "table"
              for row in b.rows]
    result = {
        "document": f"{spec.name}.pdf",
        "producer": spec.producer,
        "pages": m,
        "title": spec.title,
        "metadata_title": (reader.metadata or {}).get("/Title") or None,
        "has_outline": bool(reader.outline),
        "sentences": sentences,
        "boilerplate": boilerplate,
        "absent": absent,
    }
    if spec.footnotes:
        result["footnotes"] = [spec.footnotes[k] for k in sorted(spec.footnotes)]
    if labels:
        result["page_labels"] = labels
    if tables:
        result["tables"] = tables
    if spec.extra.get("image_only_pages"):
        result["image_only_pages"] = spec.extra["image_only_pages"]
    return result


def _legit_hyphenated(spec: PdfSpec) -> set[str]:
    """Compound words of the source that may legitimately break at their hyphen."""
    words: set[str] = set()
    for block in spec.blocks:
        if isinstance(block, str):
            continue
        for s in block.sentences + block.items + [block.text]:
            words.update(re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)+", s))
    return {w for w in words}


# ================================================================ main


def write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def make_pdf(spec: PdfSpec, workdir: Path) -> list[str]:
    data = spec.build(spec, workdir)
    if spec.producer == "chromium":
        data = fix_pdf_bytes(data)
    (HERE / f"{spec.name}.pdf").write_bytes(data)
    located, problems = locate(spec, data)
    expected = expectations_for_pdf(spec, data, located)
    write_json(HERE / f"{spec.name}.expected.json", expected)
    kinds = [s.get("where", "") for s in expected["sentences"]]
    print(f"{spec.name}.pdf: {len(data) // 1024} KB, {expected['pages']} pages, "
          f"{len(expected['sentences'])} sentences ({kinds.count('across a page break')} across a "
          f"page break, {sum('top of page' in k for k in kinds)} at the top of a page)")
    return problems


def make_html(name: str) -> None:
    markup, encoding, expected = html_pages.PAGES[name]
    (HERE / f"{name}.html").write_bytes(markup.encode(encoding))
    data = {"document": f"{name}.html", "producer": "hand-written", "encoding": encoding, **expected}
    write_json(HERE / f"{name}.expected.json", data)
    print(f"{name}.html: {len(markup.encode(encoding))} bytes ({encoding})")


def main(argv: list[str]) -> int:
    wanted = set(argv)
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="make-documents-") as tmp:
        workdir = Path(tmp)
        try:
            for spec in _spec_list():
                if not wanted or spec.name in wanted:
                    problems += make_pdf(spec, workdir)
        finally:
            if _CHROMIUM is not None:
                _CHROMIUM.close()
    for name in html_pages.PAGES:
        if not wanted or name in wanted:
            make_html(name)
    for problem in problems:
        print("PROBLEM:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
