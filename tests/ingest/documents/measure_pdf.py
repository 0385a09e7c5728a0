"""Measure PDF layout extraction for issue #12: pypdf's text visitor against
pdfplumber, with pypdfium2 (text, and per-character font/box through its raw
API) as a third candidate.

Run from the repository root (not a test; `pip install pdfplumber pypdfium2`):

    PYTHONPATH=$PWD python tests/ingest/documents/measure_pdf.py [--debian-pages N]

On the seven test PDFs (whose source blocks are in `texts.py`) and on
`/usr/share/debian-reference/debian-reference.fr.pdf` (apt package
`debian-reference-fr`; its first N pages, 80 by default):

1. **Lines with font size, weight and position.** pypdf:
   `page.extract_text(visitor_text=f)`, where `f(text, cm, tm, font_dict,
   font_size)` gets each text run; the run's matrix `tm × cm` gives its
   position and its effective size, `font_dict["/BaseFont"]` its font name
   (« …-Bold »). pdfplumber: `page.extract_words(x_tolerance=1.5,
   extra_attrs=["fontname", "size"])` (each word's box, font and size; from
   `page.chars`). Runs/words are grouped into lines by their baseline.
2. **Heading candidates**: a line bigger than the body size (the size of most
   characters) by 12 % or more, or entirely bold and short; consecutive
   candidate lines of the same style are merged (wrapped titles). Scored
   against the source headings (title, h1, h2, h3) of each document.
3. **Running header/footer lines**: the top-most and bottom-most line of each
   page, digits and roman numerals masked, repeated on at least half of the
   pages. Scored against the expected running lines.
4. **Reading order and words**: share of the source sentences found, in
   order, in each library's plain text (running lines removed, line-end
   hyphens joined, ligatures NFKC-normalised) — the two-column note shows
   the reading order; plus a column-aware pdfplumber order (words split at
   the gutter). On the Debian reference (no source text), the share of
   pdfium's words found in each library's words shows glued words.
5. **Per-character boxes**: whether a library gives them.
6. **Speed**: pages per second of each extraction, best of 3 runs on the
   test PDFs, one run on the Debian reference.
"""

from __future__ import annotations

import io
import logging
import math
import re
import statistics
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import make_documents as md  # noqa: E402

DEBIAN = Path("/usr/share/debian-reference/debian-reference.fr.pdf")
BOLD = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)
logging.getLogger("pypdf").setLevel(logging.ERROR)
logging.getLogger("pdfminer").setLevel(logging.ERROR)


@dataclass
class Line:
    text: str
    top: float  # distance from the top of the page, points
    size: float
    bold: bool
    x0: float
    chars: int


# ------------------------------------------------------------ line builders


def _group(items: list[tuple[str, float, float, bool, float]]) -> list[Line]:
    """(text, top, size, bold, x0) runs/words -> lines (same baseline ± 2 pt)."""
    items = sorted(items, key=lambda t: (round(t[1] / 2), t[4]))
    lines: list[list[tuple]] = []
    for item in items:
        if lines and abs(lines[-1][0][1] - item[1]) <= 2.0:
            lines[-1].append(item)
        else:
            lines.append([item])
    out = []
    for group in lines:
        group.sort(key=lambda t: t[4])
        text = " ".join(t[0].strip() for t in group if t[0].strip())
        if not text:
            continue
        chars = sum(len(t[0].strip()) for t in group)
        out.append(Line(text, statistics.mean(t[1] for t in group), max(t[2] for t in group),
                        all(t[3] for t in group if t[0].strip()), min(t[4] for t in group), chars))
    return sorted(out, key=lambda l: l.top)


def pypdf_lines(reader) -> list[list[Line]]:
    pages = []
    for page in reader.pages:
        height = float(page.mediabox.height)
        runs: list[tuple] = []

        def visit(text, cm, tm, font, size, runs=runs, height=height):
            if not text or not text.strip():
                return
            a, b, c, d, e, f = tm
            A, B, C, D, E, F = cm
            m = [a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D,
                 e * A + f * C + E, e * B + f * D + F]
            eff = size * math.hypot(m[2], m[3])
            name = str((font or {}).get("/BaseFont", ""))
            for piece in text.split("\n"):
                if piece.strip():
                    runs.append((piece, height - m[5] - eff, eff, bool(BOLD.search(name)), m[4]))

        page.extract_text(visitor_text=visit)
        pages.append(_group(runs))
    return pages


def plumber_lines(pdf) -> list[list[Line]]:
    pages = []
    for page in pdf.pages:
        words = page.extract_words(x_tolerance=1.5, extra_attrs=["fontname", "size"])
        pages.append(_group([(w["text"], w["top"], w["size"], bool(BOLD.search(w["fontname"])),
                              w["x0"]) for w in words]))
    return pages


def pdfium_lines(doc) -> list[list[Line]]:
    """pypdfium2: per character, its box, font size, font name (raw API);
    lines split where pdfium puts its line breaks. pdfium's font size is the
    nominal one (before the page transform): only relative sizes matter."""
    import ctypes

    import pypdfium2.raw as raw

    pages = []
    buf = ctypes.create_string_buffer(256)
    flags = ctypes.c_int()
    for index in range(len(doc)):
        page = doc[index]
        height = page.get_height()
        textpage = page.get_textpage()
        lines: list[Line] = []
        chars: list[tuple] = []

        def close(chars=chars, lines=lines):
            solid = [c for c in chars if not c[0].isspace()]
            if solid:
                text = "".join(c[0] for c in chars).strip()
                lines.append(Line(text, height - max(c[1] for c in solid),
                                  max(c[2] for c in solid), all(c[3] for c in solid),
                                  min(c[4] for c in solid), len(solid)))
            chars.clear()

        for i in range(textpage.count_chars()):
            u = chr(raw.FPDFText_GetUnicode(textpage, i))
            if u in "\r\n":
                close()
                continue
            left, bottom, right, top = textpage.get_charbox(i)
            raw.FPDFText_GetFontInfo(textpage, i, buf, 256, ctypes.byref(flags))
            bold = bool(BOLD.search(buf.value.decode("latin-1"))) or \
                raw.FPDFText_GetFontWeight(textpage, i) >= 600
            chars.append((u, top, raw.FPDFText_GetFontSize(textpage, i), bold, left))
        close()
        pages.append(sorted(lines, key=lambda l: l.top))
    return pages


# ------------------------------------------------------------------ analyses


def key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"\s+", "", text)


def mask(text: str) -> str:
    text = re.sub(r"\d+", "#", key(text))
    return re.sub(r"(?<=page)[ivxlc]+", "#", text)


def heading_candidates(pages: list[list[Line]], running: set[str]) -> list[str]:
    sizes: Counter[float] = Counter()
    for lines in pages:
        for line in lines:
            sizes[round(line.size, 1)] += line.chars
    body = sizes.most_common(1)[0][0] if sizes else 10.0
    found = []
    for lines in pages:
        previous: Line | None = None
        for line in lines:
            if mask(line.text) in running:
                previous = None
                continue
            big = line.size >= body * 1.12
            bold = line.bold and line.chars <= 100 and not line.text.rstrip().endswith(".")
            if big or bold:
                if previous and abs(previous.size - line.size) < 0.2 and previous.bold == line.bold \
                        and line.top - previous.top < 2.0 * line.size:
                    found[-1] += " " + line.text
                else:
                    found.append(line.text)
                previous = line
            else:
                previous = None
    return found


def running_lines(pages: list[list[Line]]) -> set[str]:
    counts: Counter[str] = Counter()
    for lines in pages:
        ends = {mask(lines[0].text), mask(lines[-1].text)} if lines else set()
        counts.update(ends)
    need = max(2, math.ceil(0.5 * len(pages)))
    return {k for k, n in counts.items() if n >= need}


def source_headings(spec) -> list[str]:
    return [b.text for b in spec.blocks if not isinstance(b, str)
            and b.kind in ("title", "h1", "h2", "h3")]


def source_sentences(spec) -> list[str]:
    return [s for b in spec.blocks if not isinstance(b, str) and b.kind == "p" for s in b.sentences]


def sentences_in_text(spec, page_texts: list[str], m: int, labels: dict) -> tuple[int, int]:
    """Source sentences found as contiguous token runs of the pages' text,
    running lines and footnotes removed, line-end hyphens joined."""
    noise = []
    if spec.header:
        noise.append(md.join_marks(md.norm_tokens(spec.header)))
    for n in range(1, m + 1):
        noise.append(md.join_marks(md.norm_tokens(spec.footer.format(
            n=n, m=m, label=labels.get(str(n), n)))))
    for number, note in spec.footnotes.items():
        noise.append([str(number)] + md.join_marks(md.norm_tokens(note)))
    tokens: list[str] = []
    for text in page_texts:
        page = md.norm_tokens(text)
        for seq in sorted(noise, key=len, reverse=True):
            page = md._remove_sequence(page, seq)
        tokens.extend(page)
    stream = md.join_marks(tokens)
    joined = " " + " ".join(stream) + " "
    found = 0
    sentences = source_sentences(spec)
    for s in sentences:
        seq = md.join_marks(md.norm_tokens(re.sub(r"\{(\d+)\}", r" \1", s)))
        if " " + " ".join(seq) + " " in joined:
            found += 1
    return found, len(sentences)


def plumber_columns_text(page) -> str:
    """pdfplumber words read column by column when a gutter splits the page:
    lines crossing the gutter (full width) are read first, then the left
    column, then the right one."""
    words = page.extract_words(x_tolerance=1.5)
    width = float(page.width)
    lo, hi = 0.35 * width, 0.65 * width
    tops = {round(w["top"]) for w in words}

    def lines_crossing(x: int) -> int:
        return len({round(w["top"]) for w in words if w["x0"] - 1 < x < w["x1"] + 1})

    # The gutter: the x in [lo, hi] crossed by the fewest lines; a page whose
    # best gutter is still crossed by a third of its lines has one column.
    best = min(range(int(lo), int(hi)), key=lines_crossing)
    if lines_crossing(best) > 0.33 * max(1, len(tops)):
        return page.extract_text(x_tolerance=1.5)
    crossing = [w for w in words if w["x0"] - 1 < best < w["x1"] + 1]
    full_tops = {round(w["top"]) for w in crossing}
    full = [w for w in words if round(w["top"]) in full_tops]
    rest = [w for w in words if round(w["top"]) not in full_tops]
    first_col_top = min((w["top"] for w in rest), default=0)
    head = [w for w in full if w["top"] < first_col_top]
    tail = [w for w in full if w["top"] >= first_col_top]
    left = [w for w in rest if w["x1"] <= best]
    right = [w for w in rest if w["x0"] >= best]

    def as_text(ws):
        lines: dict[int, list] = {}
        for w in sorted(ws, key=lambda w: (w["top"], w["x0"])):
            k = next((t for t in lines if abs(t - w["top"]) <= 2), None)
            lines.setdefault(k if k is not None else w["top"], []).append(w)
        return "\n".join(" ".join(w["text"] for w in sorted(ws_, key=lambda w: w["x0"]))
                         for _, ws_ in sorted(lines.items()))

    return "\n".join(as_text(part) for part in (head, left, right, tail) if part)


# --------------------------------------------------------------------- timing


def best_time(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    fmt = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
    return "\n".join([fmt(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|",
                      *(fmt(r) for r in rows)])


def main() -> None:
    import json

    import pdfplumber
    import pypdf
    import pypdfium2 as pdfium

    debian_pages = 80
    if "--debian-pages" in sys.argv:
        debian_pages = int(sys.argv[sys.argv.index("--debian-pages") + 1])
    print(f"pypdf {version('pypdf')}, pdfplumber {version('pdfplumber')} "
          f"(pdfminer.six {version('pdfminer.six')}), pypdfium2 {version('pypdfium2')}\n")

    heading_rows, running_rows, order_rows, speed_rows = [], [], [], []
    totals = Counter()
    for spec in md._spec_list():
        path = HERE / f"{spec.name}.pdf"
        data = path.read_bytes()
        expected = json.loads((HERE / f"{spec.name}.expected.json").read_text("utf-8"))
        labels = expected.get("page_labels", {})
        reader = pypdf.PdfReader(io.BytesIO(data))
        m = len(reader.pages)
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            by_lib = {"pypdf visitor": pypdf_lines(reader), "pdfplumber": plumber_lines(pdf)}
            plumber_plain = [p.extract_text(x_tolerance=1.5) or "" for p in pdf.pages]
            plumber_cols = [plumber_columns_text(p) for p in pdf.pages]
        doc = pdfium.PdfDocument(data)
        pdfium_text = [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
        by_lib["pypdfium2 chars"] = pdfium_lines(doc)
        doc.close()
        pypdf_plain = [p.extract_text() or "" for p in reader.pages]

        truth_headings = {key(h) for h in source_headings(spec)}
        expected_running = {mask(spec.header)} | {mask(spec.footer.format(
            n=n, m=m, label=labels.get(str(n), n))) for n in range(1, m + 1)}
        for lib, pages in by_lib.items():
            running = running_lines(pages)
            cands = heading_candidates(pages, running)
            hit = {key(c) for c in cands} & truth_headings
            other = [c for c in cands if key(c) not in truth_headings]
            heading_rows.append([spec.name, lib, f"{len(hit)}/{len(truth_headings)}",
                                 str(len(other)), "; ".join(o[:28] for o in other[:3])])
            running_rows.append([spec.name, lib, f"{len(running & expected_running)}/"
                                 f"{len(expected_running)}", str(len(running - expected_running))])
            totals[(lib, "h_hit")] += len(hit)
            totals[(lib, "h_all")] += len(truth_headings)
            totals[(lib, "h_other")] += len(other)
            totals[(lib, "r_hit")] += len(running & expected_running)
            totals[(lib, "r_all")] += len(expected_running)
            totals[(lib, "r_false")] += len(running - expected_running)
        row = [spec.name]
        for lib, texts in (("pypdf", pypdf_plain), ("pdfplumber", plumber_plain),
                           ("pdfplumber columns", plumber_cols), ("pdfium", pdfium_text)):
            found, n = sentences_in_text(spec, texts, m, labels)
            totals[(lib, "s_found")] += found
            totals[(lib, "s_all")] += n
            row.append(f"{found}/{n}")
        order_rows.append(row)

        def run_pypdf_plain():
            r = pypdf.PdfReader(io.BytesIO(data))
            for p in r.pages:
                p.extract_text()

        def run_pypdf_visitor():
            pypdf_lines(pypdf.PdfReader(io.BytesIO(data)))

        def run_plumber_words():
            with pdfplumber.open(io.BytesIO(data)) as pdf:
                plumber_lines(pdf)

        def run_plumber_text():
            with pdfplumber.open(io.BytesIO(data)) as pdf:
                for p in pdf.pages:
                    p.extract_text(x_tolerance=1.5)

        def run_pdfium():
            d = pdfium.PdfDocument(data)
            for i in range(len(d)):
                d[i].get_textpage().get_text_range()
            d.close()

        def run_pdfium_chars():
            d = pdfium.PdfDocument(data)
            pdfium_lines(d)
            d.close()

        speeds = []
        for fn in (run_pypdf_plain, run_pypdf_visitor, run_plumber_text, run_plumber_words, run_pdfium,
                   run_pdfium_chars):
            seconds = best_time(fn, 3)
            totals[(fn.__name__, "pages")] += m
            totals[(fn.__name__, "seconds")] += seconds
            speeds.append(f"{m / seconds:.0f}")
        speed_rows.append([spec.name, str(m)] + speeds)

    speed_rows.append(["all 7 test PDFs", str(totals[("run_pdfium", "pages")])] + [
        f"{totals[(n, 'pages')] / totals[(n, 'seconds')]:.0f}" for n in
        ("run_pypdf_plain", "run_pypdf_visitor", "run_plumber_text", "run_plumber_words", "run_pdfium",
         "run_pdfium_chars")])

    # ---- the Debian reference: speed, headings, running lines, glued words
    if DEBIAN.exists():
        reader = pypdf.PdfReader(str(DEBIAN))
        n = min(debian_pages, len(reader.pages))
        timings = {}
        started = time.perf_counter()
        pypdf_plain = [reader.pages[i].extract_text() or "" for i in range(n)]
        timings["pypdf"] = time.perf_counter() - started
        started = time.perf_counter()
        sub = pypdf.PdfWriter()
        for i in range(n):
            sub.add_page(reader.pages[i])
        buffer = io.BytesIO()
        sub.write(buffer)
        subset = buffer.getvalue()
        prep = time.perf_counter() - started
        started = time.perf_counter()
        lines_pypdf = pypdf_lines(pypdf.PdfReader(io.BytesIO(subset)))
        timings["pypdf visitor"] = time.perf_counter() - started
        with pdfplumber.open(str(DEBIAN), pages=list(range(1, n + 1))) as pdf:
            started = time.perf_counter()
            plumber_plain = [p.extract_text(x_tolerance=1.5) or "" for p in pdf.pages]
            timings["pdfplumber text"] = time.perf_counter() - started
        with pdfplumber.open(str(DEBIAN), pages=list(range(1, n + 1))) as pdf:
            started = time.perf_counter()
            lines_plumber = plumber_lines(pdf)
            timings["pdfplumber words"] = time.perf_counter() - started
        started = time.perf_counter()
        doc = pdfium.PdfDocument(str(DEBIAN))
        pdfium_text = [doc[i].get_textpage().get_text_range() for i in range(n)]
        doc.close()
        timings["pdfium"] = time.perf_counter() - started
        started = time.perf_counter()
        doc = pdfium.PdfDocument(subset)
        lines_pdfium = pdfium_lines(doc)
        doc.close()
        timings["pdfium chars"] = time.perf_counter() - started
        del prep
        speed_rows.append([f"debian-reference.fr.pdf (first {n} of {len(reader.pages)})", str(n)] + [
            f"{n / timings[k]:.0f}" for k in ("pypdf", "pypdf visitor", "pdfplumber text",
                                              "pdfplumber words", "pdfium", "pdfium chars")])

        def words(texts):
            return Counter(w for t in texts for w in re.findall(r"[^\W\d_]{2,}",
                           unicodedata.normalize("NFKC", t).casefold()))

        reference = words(pdfium_text)
        glued = []
        for lib, texts in (("pypdf", pypdf_plain), ("pdfplumber (x_tolerance=1.5)", plumber_plain)):
            got = words(texts)
            common = sum(min(c, got[w]) for w, c in reference.items())
            glued.append(f"{lib}: {common / sum(reference.values()):.1%} of pdfium's words")
        for lib, pages in (("pypdf visitor", lines_pypdf), ("pdfplumber", lines_plumber),
                           ("pypdfium2 chars", lines_pdfium)):
            running = running_lines(pages)
            cands = heading_candidates(pages, running)
            heading_rows.append([f"debian-reference (first {n} pages)", lib, "-", str(len(cands)),
                                 "; ".join(c[:28] for c in cands[5:8])])
            running_rows.append([f"debian-reference (first {n} pages)", lib, "-",
                                 f"{len(running)} found: " + ", ".join(sorted(running))[:60]])

    print("Heading candidates (font size >= 1.12 x body, or a short all-bold line):")
    print(table(["document", "library", "source headings found", "other candidates", "e.g."],
                heading_rows))
    for lib in ("pypdf visitor", "pdfplumber", "pypdfium2 chars"):
        print(f"  {lib}: {totals[(lib, 'h_hit')]}/{totals[(lib, 'h_all')]} source headings, "
              f"{totals[(lib, 'h_other')]} other candidates on the 7 test PDFs")
    print("\nRunning header/footer lines (top/bottom line of a page, repeated on >= half the pages):")
    print(table(["document", "library", "expected running lines found", "other lines flagged"],
                running_rows))
    for lib in ("pypdf visitor", "pdfplumber", "pypdfium2 chars"):
        print(f"  {lib}: {totals[(lib, 'r_hit')]}/{totals[(lib, 'r_all')]} expected running "
              f"lines found, {totals[(lib, 'r_false')]} other lines flagged on the 7 test PDFs")
    print("\nSource sentences found in reading order in each library's plain text "
          "(running lines removed, line-end hyphens joined, NFKC):")
    order_rows.append(["all 7 test PDFs"] + [
        f"{totals[(lib, 's_found')]}/{totals[(lib, 's_all')]}"
        for lib in ("pypdf", "pdfplumber", "pdfplumber columns", "pdfium")])
    print(table(["document", "pypdf extract_text", "pdfplumber extract_text",
                 "pdfplumber, column-aware", "pypdfium2 text"], order_rows))
    if DEBIAN.exists():
        print("\nWords on the Debian reference (pdfium's words as reference; glued words lower it): "
              + "; ".join(glued))
    print("\nSpeed, pages per second (best of 3; the Debian reference once):")
    print(table(["document", "pages", "pypdf extract_text", "pypdf visitor lines",
                 "pdfplumber extract_text", "pdfplumber words+fonts", "pypdfium2 text",
                 "pypdfium2 chars+fonts"], speed_rows))
    print("\nPer-character boxes: pdfplumber page.chars (x0, x1, top, bottom, fontname, size) — yes;"
          " pypdfium2 textpage.get_charbox(i) and textpage.search(text) — yes;"
          " pypdf visitor — no (one origin and font per run; widths would have to be computed"
          " from the font's /Widths).")


if __name__ == "__main__":
    main()
