"""Measure main-content extractors on the HTML test pages (issue #12).

Run from the repository root (not a test; needs `pip install readability-lxml
justext trafilatura`, which the project does not depend on):

    PYTHONPATH=$PWD python tests/ingest/documents/measure_html.py [--detail]

Each library gets the page's *bytes* (so its charset handling is measured),
then its output goes through the project's own walker
(`ingest.html.walk`: headings as `#` lines, list items as `- `
lines, table rows as « cell | cell » lines) when it is HTML:

* readability-lxml: `Document(bytes).summary(html_partial=True)` → walker;
* trafilatura: `extract(bytes, output_format="html", include_comments=False,
  include_tables=True, include_formatting=True)` → walker; the same with
  `favor_precision=True`; and `extract(bytes)` with all defaults (plain
  text, comments included) to show what the defaults do;
* jusText: `justext(bytes, get_stoplist("French"))` with its default
  thresholds and with thresholds for short pages; non-boilerplate
  paragraphs kept; headings from `is_heading`, list items and table rows from
  each paragraph's xpath (jusText gives paragraphs, not HTML);
* the project's loader (`load_html`: trafilatura, headings put back, the walker).

Figures per library, summed over the pages: expected sentences kept,
boilerplate strings leaked (each string of the page's `boilerplate` found in
the output), expected headings kept as headings, list items kept as items,
table rows kept as one row, the title found, and the time per page (median
of 20 runs, 2 shared cores).
"""

from __future__ import annotations

import json
import re
import statistics
import sys
import time
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from ingest.html import walk  # noqa: E402
from ingest.loaders import load_html  # noqa: E402


def html_to_text(markup: str) -> tuple[str, None]:
    return walk(markup)[0], None

PAGES = sorted(p for p in HERE.glob("html-*.html"))


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


# ----------------------------------------------------------------- extractors
# Each returns (text as the walker writes it, title or None).


def today(path: Path, data: bytes) -> tuple[str, str | None]:
    doc = load_html(path)
    return doc.text, doc.title


def readability_lxml(path: Path, data: bytes) -> tuple[str, str | None]:
    from readability import Document

    doc = Document(data)
    text, _ = html_to_text(doc.summary(html_partial=True))
    return text, doc.short_title()


def trafilatura_html(path: Path, data: bytes, **options) -> tuple[str, str | None]:
    import trafilatura

    html = trafilatura.extract(data, output_format="html", include_comments=False,
                               include_tables=True, include_formatting=True, **options)
    meta = trafilatura.extract_metadata(data)
    text, _ = html_to_text(html or "")
    return text, (meta.title if meta else None)


def trafilatura_precision(path: Path, data: bytes) -> tuple[str, str | None]:
    return trafilatura_html(path, data, favor_precision=True)


def trafilatura_default(path: Path, data: bytes) -> tuple[str, str | None]:
    """`extract(bytes)` with every default: plain text (no heading or list
    markers, so headings/items/rows cannot be told), comments included."""
    import trafilatura

    meta = trafilatura.extract_metadata(data)
    return trafilatura.extract(data) or "", (meta.title if meta else None)


def justext_tuned(path: Path, data: bytes) -> tuple[str, str | None]:
    """Thresholds lowered for short pages (defaults: 70, 200, 0.2)."""
    return justext_paragraphs(path, data, length_low=20, length_high=60, max_link_density=0.4)


def justext_paragraphs(path: Path, data: bytes, **options) -> tuple[str, str | None]:
    import justext

    paragraphs = justext.justext(data, justext.get_stoplist("French"), **options)
    lines: list[str] = []
    row_key = None
    row: list[str] = []

    def flush_row() -> None:
        nonlocal row, row_key
        if row:
            lines.append("\t".join(row))
        row, row_key = [], None

    for p in paragraphs:
        if p.is_boilerplate:
            continue
        cell = re.search(r"^(.*/tr\[\d+\])/t[dh]\[\d+\]$", p.xpath)
        if cell:
            if cell.group(1) != row_key:
                flush_row()
                row_key = cell.group(1)
            row.append(norm(p.text))
            continue
        flush_row()
        if p.is_heading:
            lines.append("## " + norm(p.text))
        elif re.search(r"/li\[\d+\]$", p.xpath):
            lines.append("- " + norm(p.text))
        else:
            lines.append(norm(p.text))
    flush_row()
    return "\n\n".join(lines), None


EXTRACTORS = {
    "project loader (load_html)": today,
    f"readability-lxml {version('readability-lxml')}": readability_lxml,
    f"jusText {version('jusText')} (defaults)": justext_paragraphs,
    f"jusText {version('jusText')} (short-page thresholds)": justext_tuned,
    f"trafilatura {version('trafilatura')} (html, comments off)": trafilatura_html,
    f"trafilatura {version('trafilatura')} (html, favor_precision)": trafilatura_precision,
    f"trafilatura {version('trafilatura')} (txt, all defaults)": trafilatura_default,
}


# -------------------------------------------------------------------- scoring


def score(text: str, title: str | None, expected: dict) -> dict:
    flat = norm(text)
    lines = [norm(line) for line in text.splitlines() if line.strip()]
    heading_lines = {re.sub(r"^#+\s*", "", l).casefold() for l in lines if l.startswith("#")}
    item_lines = {l[2:] for l in lines if l.startswith("- ")}
    row_lines = {" | ".join(c.strip() for c in line.split("\t")) if "\t" in line else norm(line)
                 for line in text.splitlines() if "\t" in line or " | " in line}
    row_lines = {norm(r) for r in row_lines}
    sentences = expected["sentences"]
    items = [s for s in sentences if s.get("list_item")]
    return {
        "sentences": (sum(norm(s["text"]) in flat for s in sentences), len(sentences)),
        "boilerplate": (sum(norm(b) in flat for b in expected["boilerplate"]),
                        len(expected["boilerplate"])),
        "leaked": [b for b in expected["boilerplate"] if norm(b) in flat],
        "missing": [s["text"] for s in sentences if norm(s["text"]) not in flat],
        "headings": (sum(h.casefold() in heading_lines for h in expected.get("headings", [])),
                     len(expected.get("headings", []))),
        "items": (sum(norm(s["text"]) in item_lines for s in items), len(items)),
        "rows": (sum(norm(r) in row_lines for r in expected.get("tables", [])),
                 len(expected.get("tables", []))),
        "title": (int(bool(title) and expected["title"].casefold() in norm(title).casefold()), 1),
    }


def timed(fn, path: Path, data: bytes, runs: int = 20) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn(path, data)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    detail = "--detail" in sys.argv
    keys = ["sentences", "boilerplate", "headings", "items", "rows", "title"]
    header = ["extractor", "sentences kept", "boilerplate leaked", "headings", "list items",
              "table rows", "title", "ms/page"]
    rows = []
    details = []
    for label, fn in EXTRACTORS.items():
        totals = {k: [0, 0] for k in keys}
        seconds = []
        for path in PAGES:
            data = path.read_bytes()
            expected = json.loads(path.with_name(path.stem + ".expected.json").read_text("utf-8"))
            text, title = fn(path, data)
            result = score(text, title, expected)
            for k in keys:
                totals[k][0] += result[k][0]
                totals[k][1] += result[k][1]
            seconds.append(timed(fn, path, data))
            details.append(f"{label} · {path.name}: " + ", ".join(
                f"{k} {result[k][0]}/{result[k][1]}" for k in keys)
                + (f"\n    leaked: {result['leaked']}" if result["leaked"] else "")
                + (f"\n    missing: {[m[:60] for m in result['missing']]}" if result["missing"] else ""))
        rows.append([label] + [f"{totals[k][0]}/{totals[k][1]}" for k in keys]
                    + [f"{1000 * statistics.mean(seconds):.1f}"])
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    fmt = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
    print(fmt(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print(fmt(row))
    print(f"\n{len(PAGES)} pages: " + ", ".join(p.name for p in PAGES))
    if detail:
        print("\n" + "\n".join(details))


if __name__ == "__main__":
    main()
