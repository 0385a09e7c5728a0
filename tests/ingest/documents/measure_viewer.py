"""The cited page shown (issue #12): streamlit-pdf-viewer against a page
rendered to PNG by pypdfium2 with the quoted sentence's boxes drawn.

Run from the repository root (not a test):

    PYTHONPATH=$PWD python tests/ingest/documents/measure_viewer.py [--live] [--out DIR]

1. **streamlit-pdf-viewer's wheel**: `pip download streamlit-pdf-viewer
   --no-deps`; lists what the wheel ships (a built front end under
   `frontend/dist`, so no npm build) and anything else it installs.
2. **Its API**: the signature of `pdf_viewer` (annotations, scrolling to an
   annotation or a page) when the package is installed.
3. **Sentence boxes**: each expected sentence of the test PDFs is searched on
   its page with pypdfium2 (`textpage.search`, which matches across line
   breaks), its boxes merged per line (`count_rects`/`get_rect`); a sentence
   across a page break is split into the longest prefix found on its first
   page and the rest on the next one. Then the same through a normalised
   page text mapped back to pdfium's characters (`get_charbox`): line-end
   hyphens, ligatures and footnote calls tolerated. Reports how many are found.
4. **pypdfium2 rendering**: time per page to render at scale 1.5 (108 dpi)
   and 2 (144 dpi), convert to PIL and encode as PNG, on the test PDFs and
   the first 30 pages of the Debian reference; PNGs with the boxes drawn are
   written to `--out` (default /tmp/viewer-demo).
5. `--live`: a Streamlit page showing one test PDF with `pdf_viewer(...,
   annotations=boxes, scroll_to_annotation=1)` on 127.0.0.1, opened in
   headless Chromium; reports whether the viewer's canvas and the annotation
   elements appear, and saves a screenshot.
"""

from __future__ import annotations

import io
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEBIAN = Path("/usr/share/debian-reference/debian-reference.fr.pdf")


# ---------------------------------------------------------------- the wheel


def inspect_wheel() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        result = subprocess.run([sys.executable, "-m", "pip", "download", "streamlit-pdf-viewer",
                                 "--no-deps", "-d", tmp], capture_output=True, text=True)
        wheels = list(Path(tmp).glob("*.whl"))
        if not wheels:
            print("streamlit-pdf-viewer: no wheel downloaded:", result.stderr[-300:])
            return
        wheel = wheels[0]
        with zipfile.ZipFile(wheel) as z:
            names = z.namelist()
            dist = [n for n in names if "/frontend/dist/" in n]
            js = sum(z.getinfo(n).file_size for n in dist if n.endswith(".js"))
            maps = sum(z.getinfo(n).file_size for n in dist if n.endswith(".map"))
            tops = sorted({n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")})
            requires = [line for line in z.read(next(n for n in names if n.endswith("METADATA")))
                        .decode().splitlines() if line.startswith("Requires-Dist")]
        print(f"wheel {wheel.name}: {wheel.stat().st_size / 1e6:.1f} MB, {len(names)} files")
        print(f"  built front end shipped: {any(n.endswith('frontend/dist/index.html') for n in names)} "
              f"({len(dist)} files under frontend/dist, {js / 1e6:.1f} MB of JS, "
              f"{maps / 1e6:.1f} MB of source maps); package.json shipped: "
              f"{any(n.endswith('package.json') for n in names)}")
        print(f"  top-level packages installed: {tops}")
        print(f"  {'; '.join(requires)}")


def inspect_api() -> None:
    try:
        import inspect

        from streamlit_pdf_viewer import pdf_viewer

        print(f"streamlit-pdf-viewer {version('streamlit-pdf-viewer')} installed; pdf_viewer"
              f"{inspect.signature(pdf_viewer)}")
    except (ImportError, PackageNotFoundError) as error:
        print(f"streamlit-pdf-viewer not installed ({error})")


# ---------------------------------------------------------- sentence boxes


def _merge(rects: list[tuple[float, float, float, float]]) -> list[tuple[float, float, float, float]]:
    """Word boxes (left, bottom, right, top) merged per line."""
    lines: list[list[float]] = []
    for left, bottom, right, top in sorted(rects, key=lambda r: (-r[3], r[0])):
        for line in lines:
            overlap = min(line[3], top) - max(line[1], bottom)
            if overlap >= 0.5 * min(line[3] - line[1], top - bottom):
                line[0], line[2] = min(line[0], left), max(line[2], right)
                line[1], line[3] = min(line[1], bottom), max(line[3], top)
                break
        else:
            lines.append([left, bottom, right, top])
    return [tuple(line) for line in lines]


def _search(textpage, text: str):
    found = textpage.search(text, match_case=True).get_next()
    if not found:
        return None
    index, count = found
    return _merge([textpage.get_rect(i) for i in range(textpage.count_rects(index, count))])


def sentence_boxes(doc, sentence: dict) -> list[tuple[int, tuple]] | None:
    """[(1-based page, (left, bottom, right, top)), ...] of a sentence, or None."""
    page = sentence["page"]
    textpage = doc[page - 1].get_textpage()
    boxes = _search(textpage, sentence["text"])
    if boxes:
        return [(page, b) for b in boxes]
    if "pages" not in sentence:
        return None
    words = sentence["text"].split()
    for cut in range(len(words) - 1, 0, -1):
        head = _search(textpage, " ".join(words[:cut]))
        if head:
            tail = _search(doc[sentence["pages"][1] - 1].get_textpage(), " ".join(words[cut:]))
            if tail:
                return [(page, b) for b in head] + [(sentence["pages"][1], b) for b in tail]
    return None


def _page_chars(doc, page: int):
    """(normalised text, [(page, char index) per character]) of a page:
    NFKC (ligatures), whitespace collapsed, line-end hyphens (pdfium's
    IsHyphen / U+FFFE) and small raised digits (footnote calls) skipped."""
    import unicodedata

    import pypdfium2.raw as raw

    textpage = doc[page - 1].get_textpage()
    n = textpage.count_chars()
    sizes = [raw.FPDFText_GetFontSize(textpage, i) for i in range(n)]
    body = statistics.median(sizes) if sizes else 0
    text: list[str] = []
    index: list[tuple[int, int]] = []
    for i in range(n):
        ch = chr(raw.FPDFText_GetUnicode(textpage, i))
        if ch in "\ufffe\x02\u00ad" or raw.FPDFText_IsHyphen(textpage, i) == 1:
            continue
        if ch in "¹²³⁴⁵⁶⁷⁸⁹⁰" or (ch.isdigit() and sizes[i] < 0.8 * body):
            continue
        for c in unicodedata.normalize("NFKC", ch):
            if c.isspace():
                if text and text[-1] == " ":
                    continue
                c = " "
            text.append(c)
            index.append((page, i))
    return "".join(text), index, textpage


def tolerant_boxes(doc, sentence: dict) -> list[tuple[int, tuple]] | None:
    """The sentence's character boxes found through a normalised page text
    (hyphenated line ends, ligatures, footnote calls tolerated), across a
    page break when `pages` says so."""
    import unicodedata

    pages = sentence.get("pages", [sentence["page"]])
    text, index, textpages = "", [], {}
    for page in range(pages[0], pages[-1] + 1):
        t, idx, textpage = _page_chars(doc, page)
        textpages[page] = textpage
        if text:
            text += " "
            index.append(index[-1])
        text += t
        index += idx
    want = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", sentence["text"])).strip()
    at = text.find(want)
    if at < 0:
        # running lines between the two halves: match the longest prefix, then the rest
        for cut in range(len(want) - 1, 20, -1):
            head = text.find(want[:cut])
            if head >= 0:
                tail = text.find(want[cut:].strip(), head + cut)
                if tail >= 0:
                    spans = [(head, head + cut), (tail, tail + len(want[cut:].strip()))]
                    break
        else:
            return None
    else:
        spans = [(at, at + len(want))]
    boxes = []
    for start, end in spans:
        by_page: dict[int, list] = {}
        for page, i in index[start:end]:
            left, bottom, right, top = textpages[page].get_charbox(i)
            if right > left:
                by_page.setdefault(page, []).append((left, bottom, right, top))
        boxes += [(page, b) for page, rects in by_page.items() for b in _merge(rects)]
    return boxes


def annotations(doc, boxes: list[tuple[int, tuple]]) -> list[dict]:
    """streamlit-pdf-viewer annotations: PDF points, origin at the page's top left."""
    out = []
    for page, (left, bottom, right, top) in boxes:
        height = doc[page - 1].get_height()
        out.append({"page": page, "x": left - 1, "y": height - top - 1, "width": right - left + 2,
                    "height": top - bottom + 2, "color": "red"})
    return out


# --------------------------------------------------------------- rendering


def render_png(doc, page_number: int, scale: float, boxes=()) -> bytes:
    from PIL import ImageDraw

    from PIL import Image

    page = doc[page_number - 1]
    image = page.render(scale=scale).to_pil()
    if boxes:
        height = page.get_height()
        overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(overlay)
        for left, bottom, right, top in boxes:
            draw.rectangle([left * scale - 1, (height - top) * scale - 1,
                            right * scale + 1, (height - bottom) * scale + 1],
                           fill=(255, 220, 0, 70), outline=(220, 0, 0, 255), width=2)
        image = Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def main() -> None:
    import pypdfium2 as pdfium

    out = Path(sys.argv[sys.argv.index("--out") + 1]) if "--out" in sys.argv else Path("/tmp/viewer-demo")
    out.mkdir(parents=True, exist_ok=True)
    inspect_wheel()
    inspect_api()
    print(f"\npypdfium2 {version('pypdfium2')}")

    found = total = tolerant = 0
    demo: dict[str, list] = {}
    for expected_path in sorted(HERE.glob("pdf-*.expected.json")):
        expected = json.loads(expected_path.read_text("utf-8"))
        doc = pdfium.PdfDocument(HERE / expected["document"])
        misses = []
        for sentence in expected["sentences"]:
            total += 1
            boxes = sentence_boxes(doc, sentence)
            if boxes:
                found += 1
            else:
                misses.append(sentence["text"][:60])
            boxes2 = tolerant_boxes(doc, sentence)
            if boxes2:
                tolerant += 1
                demo.setdefault(expected["document"], []).append((sentence, boxes2))
            else:
                print(f"  {expected['document']}: not found through the normalised text either: "
                      f"{sentence['text'][:60]!r}")
        if misses:
            print(f"  {expected['document']}: not found by pdfium's literal search: {misses}")
        doc.close()
    print(f"expected sentences located with their boxes: {found}/{total} with pdfium's literal "
          f"textpage.search; {tolerant}/{total} through a normalised page text (line-end hyphens, "
          f"ligatures, footnote calls, running lines between the halves of a sentence)")

    rows = []
    for label, path, pages in [("7 test PDFs", None, None), ("debian-reference.fr.pdf", DEBIAN, 30)]:
        paths = sorted(HERE.glob("pdf-*.pdf")) if path is None else [path]
        for scale in (1.5, 2.0):
            times, sizes = [], []
            for p in paths:
                doc = pdfium.PdfDocument(p)
                for number in range(1, min(len(doc), pages or len(doc)) + 1):
                    started = time.perf_counter()
                    png = render_png(doc, number, scale)
                    times.append(time.perf_counter() - started)
                    sizes.append(len(png))
                doc.close()
            rows.append(f"  {label}, scale {scale} ({72 * scale:.0f} dpi): {len(times)} pages, "
                        f"median {1000 * statistics.median(times):.0f} ms/page "
                        f"(max {1000 * max(times):.0f}), PNG median {statistics.median(sizes) / 1024:.0f} KB")
    print("render page -> PIL -> PNG:")
    print("\n".join(rows))

    written = 0
    for name, items in demo.items():
        doc = pdfium.PdfDocument(HERE / name)
        for sentence, boxes in items:
            if "pages" in sentence or "top of page" in sentence.get("where", ""):
                for page in sorted({p for p, _ in boxes}):
                    png = render_png(doc, page, 1.5, [b for p, b in boxes if p == page])
                    target = out / f"{Path(name).stem}-p{page}-{written}.png"
                    target.write_bytes(png)
                    written += 1
        doc.close()
    print(f"{written} highlighted pages written to {out}")

    if "--live" in sys.argv:
        live(demo, out)


# -------------------------------------------------------------------- live

APP = '''
import json, sys
import streamlit as st
from streamlit_pdf_viewer import pdf_viewer
spec = json.load(open(sys.argv[1]))
st.write("Citation: " + spec["quote"])
pdf_viewer(spec["pdf"], width=700, annotations=spec["annotations"], scroll_to_annotation=1,
           render_text=True, key="viewer")
'''


def live(demo: dict, out: Path) -> None:
    import pypdfium2 as pdfium
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    name = "pdf-chromium-rapport-municipal.pdf"
    sentence, boxes = next((s, b) for s, b in demo[name] if "pages" in s)
    doc = pdfium.PdfDocument(HERE / name)
    spec = {"pdf": str(HERE / name), "quote": sentence["text"], "annotations": annotations(doc, boxes)}
    doc.close()
    with tempfile.TemporaryDirectory() as tmp:
        app = Path(tmp) / "app.py"
        app.write_text(APP)
        spec_path = Path(tmp) / "spec.json"
        spec_path.write_text(json.dumps(spec))
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(app), "--server.headless", "true",
             "--server.address", "127.0.0.1", "--server.port", "8599",
             "--browser.gatherUsageStats", "false", "--", str(spec_path)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--no-first-run", "--disable-sync",
                    f"--user-data-dir={tmp}/profile", "--window-size=900,1100"):
            options.add_argument(arg)
        driver = None
        try:
            time.sleep(6)
            driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
            started = time.perf_counter()
            driver.get("http://127.0.0.1:8599")
            canvases = annots = 0
            frame = None
            while time.perf_counter() - started < 40:
                frames = driver.find_elements(By.TAG_NAME, "iframe")
                if frames:
                    frame = frames[0]
                    driver.switch_to.frame(frame)
                    canvases = len(driver.find_elements(By.TAG_NAME, "canvas"))
                    annots = len(driver.find_elements(By.CSS_SELECTOR, "[id^=annotation], .annotation"))
                    driver.switch_to.default_content()
                    if canvases and annots:
                        break
                time.sleep(1)
            seconds = time.perf_counter() - started
            time.sleep(2)
            shot = out / "streamlit-pdf-viewer-live.png"
            driver.save_screenshot(str(shot))
            print(f"live: {canvases} page canvas(es) and {annots} annotation element(s) for "
                  f"{len(spec['annotations'])} boxes after {seconds:.1f} s; screenshot {shot}")
        finally:
            if driver is not None:
                driver.quit()
            server.terminate()
            server.wait(timeout=20)


if __name__ == "__main__":
    main()
