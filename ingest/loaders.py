"""Read files into `SourceDocument`s: one loader per format, one dispatcher.

Every problem with an input file (unsupported type, empty, binary, too big,
encrypted or broken PDF, file gone...) is reported as a `LoadError` carrying
the path and a one-line reason, never as a raw stack trace: the pipeline turns
it into a `Skipped` record and goes on with the rest of the corpus.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import logging
import re
import time
import unicodedata
from pathlib import Path
from typing import Any

from ingest.config import IngestLimits
from ingest.errors import LoadError, SkipReason
from ingest.models import SourceDocument

log = logging.getLogger(__name__)

TEXT_EXTENSIONS = {".txt": "txt", ".text": "txt"}
MARKDOWN_EXTENSIONS = {".md": "md", ".markdown": "md"}
HTML_EXTENSIONS = {".html": "html", ".htm": "html"}
PDF_EXTENSIONS = {".pdf": "pdf"}
SUPPORTED_EXTENSIONS = {
    **TEXT_EXTENSIONS,
    **MARKDOWN_EXTENSIONS,
    **HTML_EXTENSIONS,
    **PDF_EXTENSIONS,
}

# Pages are separated by two blank lines: a "big break", like a slide break.
PAGE_SEPARATOR = "\n\n\n"

_CONTROL_OK = {"\n", "\r", "\t", "\f"}
_MAX_BAD_CHAR_RATIO = 0.05
# Control characters a document must not carry into passages, answers and
# terminals: C0/C1 controls (ESC starts terminal escape sequences, BEL rings)
# become spaces; bidirectional embeddings, overrides and isolates (text that
# displays in another order than it reads, "Trojan Source") are removed.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_BIDI_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


# --------------------------------------------------------------------------- ids


def slugify(name: str) -> str:
    """ASCII, lower-case, dash-separated id, e.g. `Rapport IA (2024)` -> `rapport-ia-2024`."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-zA-Z0-9]+", "-", ascii_name).strip("-").lower()
    return slug or "document"


def prettify_stem(stem: str) -> str:
    """Fallback title from a file stem: `kratz-hayot_ia` -> `Kratz hayot ia`."""
    words = re.sub(r"[-_]+", " ", stem).strip()
    return words[:1].upper() + words[1:] if words else stem


# ---------------------------------------------------------------------- decoding


def _looks_like_utf16(data: bytes) -> str | None:
    """Detect BOM-less UTF-16 by its NUL bytes on every other position."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0) / len(sample[0::2])
    odd_nuls = sample[1::2].count(0) / len(sample[1::2])
    if odd_nuls > 0.3 and even_nuls < 0.05:
        return "utf-16-le"
    if even_nuls > 0.3 and odd_nuls < 0.05:
        return "utf-16-be"
    return None


def decode_bytes(data: bytes, path: Path | str = "<bytes>") -> str:
    """Decode a text file: BOMs, then strict UTF-8, then Windows-1252 / Latin-1.

    Raises `LoadError` for binary content (NUL bytes, mostly control characters).
    """
    boms = (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe\x00\x00", "utf-32"),
        (b"\x00\x00\xfe\xff", "utf-32"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    )
    encoding = next((enc for bom, enc in boms if data.startswith(bom)), None)
    encoding = encoding or _looks_like_utf16(data)
    if encoding:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as error:
            raise LoadError(path, f"invalid {encoding} text ({error.reason})", SkipReason.BAD_ENCODING) from None
    elif b"\x00" in data:
        raise LoadError(path, "binary content (NUL bytes), not a text file", SkipReason.BINARY)
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            # Not UTF-8: Windows-1252 is what French legacy files almost always are;
            # its 5 undefined bytes fall back to Latin-1 (never seen in real text).
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                text = data.decode("latin-1")
    _reject_binary_text(text, path)
    return strip_control_chars(text)


def strip_control_chars(text: str) -> str:
    """Text without terminal controls or bidi overrides (line breaks, tabs and form feeds kept)."""
    return _BIDI_CONTROLS.sub("", _CONTROL_CHARS.sub(" ", text))


def _reject_binary_text(text: str, path: Path | str) -> None:
    sample = text[:200_000]
    if not sample:
        return
    bad = sum(
        1
        for ch in sample
        if ch == "\ufffd" or (unicodedata.category(ch) == "Cc" and ch not in _CONTROL_OK)
    )
    if bad / len(sample) > _MAX_BAD_CHAR_RATIO:
        raise LoadError(path, "binary content (mostly non-text characters), not a text file", SkipReason.BINARY)


def _read_bytes(path: Path, max_file_mb: float) -> bytes:
    """Read a file, mapping every OS-level failure to a `LoadError`."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise LoadError(path, "file disappeared before it could be read", SkipReason.UNREADABLE) from None
    except OSError as error:
        raise LoadError(path, f"cannot access file ({error.strerror or error})", SkipReason.UNREADABLE) from None
    if size > max_file_mb * 1024 * 1024:
        raise LoadError(
            path,
            f"file too large ({size / 1024 / 1024:.1f} MB > limit of {max_file_mb:g} MB)",
            SkipReason.TOO_LARGE,
        )
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise LoadError(path, "file disappeared before it could be read", SkipReason.UNREADABLE) from None
    except IsADirectoryError:
        raise LoadError(path, "is a directory, not a file", SkipReason.UNREADABLE) from None
    except OSError as error:
        raise LoadError(path, f"cannot read file ({error.strerror or error})", SkipReason.UNREADABLE) from None
    if not data.strip():
        raise LoadError(path, "empty file", SkipReason.EMPTY)
    return data


def _document(path: Path, fmt: str, title: str | None, text: str, data: bytes,
              page_starts: tuple[int, ...] = (), **layout: Any) -> SourceDocument:
    """The loaded document; `layout` holds what a layout-aware loader found
    (`headings`, `footnotes`, `page_labels`, `image_only_pages`)."""
    if not text.strip():
        raise LoadError(path, "no text content", SkipReason.NO_TEXT)
    return SourceDocument(
        doc_id=slugify(path.stem),
        title=(title or "").strip() or prettify_stem(path.stem),
        source_path=str(path),
        format=fmt,
        text=text,
        page_starts=page_starts,
        content_hash=hashlib.sha256(data).hexdigest(),
        **layout,
    )


# ------------------------------------------------------------------ text formats

_MD_HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)


def _first_markdown_heading(text: str) -> str | None:
    match = _MD_HEADING.search(text[:20_000])
    if not match:
        return None
    title = re.sub(r"[*_`]+", "", match.group(1)).strip()
    return title or None


def load_text(path: Path, limits: IngestLimits = IngestLimits()) -> SourceDocument:
    """Plain text; title = first Markdown heading if any, else the prettified stem."""
    data = _read_bytes(path, limits.max_file_mb)
    text = decode_bytes(data, path)
    return _document(path, "txt", _first_markdown_heading(text), text, data)


def load_markdown(path: Path, limits: IngestLimits = IngestLimits()) -> SourceDocument:
    """Markdown; title = first `#` heading, else the prettified stem."""
    data = _read_bytes(path, limits.max_file_mb)
    text = decode_bytes(data, path)
    return _document(path, "md", _first_markdown_heading(text), text, data)


# -------------------------------------------------------------------------- HTML

# The charset a page declares: <meta charset="…"> or <meta http-equiv … content="…; charset=…">.
_DECLARED_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def decode_html(data: bytes, path: Path | str = "<bytes>") -> str:
    """Decode a web page with the charset it declares (a BOM first), else as a text file."""
    declared = _DECLARED_CHARSET.search(data[:4096])
    bom = any(data.startswith(mark) for mark in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"))
    if declared and not bom:
        name = declared.group(1).decode("ascii", "ignore").lower()
        try:
            codecs.lookup(name)
        except LookupError:
            name = ""
        if name and name not in ("utf-16", "utf-16le", "utf-16be", "utf-32"):
            try:
                text = data.decode(name)
            except UnicodeDecodeError:  # a wrong declaration: guess as for a text file
                return decode_bytes(data, path)
            _reject_binary_text(text, path)
            return strip_control_chars(text)
    return decode_bytes(data, path)


def load_html(path: Path, limits: IngestLimits = IngestLimits()) -> SourceDocument:
    """Web page: its main content (`ingest.html`), decoded with the charset it declares."""
    from ingest.html import page_text

    data = _read_bytes(path, limits.max_file_mb)
    page = page_text(decode_html(data, path), path.stem)
    return _document(path, "html", page.title, page.text, data, headings=page.headings)


# --------------------------------------------------------------------------- PDF


def load_pdf(path: Path, limits: IngestLimits = IngestLimits()) -> SourceDocument:
    """PDF with a text layer, read by its layout (`ingest.pdf`): reading order,
    headings, tables, no running headers/footers; every page's start recorded.

    pypdf opens the file first (encryption, damage, page count, then the
    title, outline and page labels) and decompresses each page's content
    streams before pdfium reads that page's characters: pypdf caps each
    decompressed stream (75 MB), which bounds memory. The whole load must fit
    in `limits.max_seconds_per_document`: the clock is checked before each
    page and after the last, and a page's own reading stops at the time left,
    so a document made to be slow (a "PDF bomb" of heavy pages) is abandoned
    with a `LoadError`. Pages that are pictures without text (a scan inside a
    text PDF) are reported in `image_only_pages` and in the log.
    """
    import pypdf
    import pypdfium2
    from pypdf.errors import FileNotDecryptedError, PdfReadError, PdfStreamError

    from ingest.pdf.document import assemble
    from ingest.pdf.guard import PDFIUM_LOCK
    from ingest.pdf.lines import PageTooSlow, read_page
    from ingest.pdf.metadata import read_outline, read_page_labels, read_title

    started = time.monotonic()
    data = _read_bytes(path, limits.max_file_mb)
    if not data.lstrip()[:5].startswith(b"%PDF-"):
        raise LoadError(path, "not a PDF file (missing %PDF header)", SkipReason.NOT_PDF)
    if b"%%EOF" not in data[-2048:]:
        raise LoadError(path, "corrupt or truncated PDF (no end-of-file marker)", SkipReason.CORRUPT_PDF)

    pypdf_log = logging.getLogger("pypdf")
    previous_level = pypdf_log.level
    pypdf_log.setLevel(logging.ERROR)
    document = None
    try:
        try:
            reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                try:
                    opened = reader.decrypt("")
                except Exception:  # unsupported algorithm, missing crypto backend...
                    opened = 0
                if not opened:
                    raise LoadError(path, "encrypted PDF (password required)", SkipReason.ENCRYPTED_PDF)
            page_count = len(reader.pages)
        except LoadError:
            raise
        except FileNotDecryptedError:
            raise LoadError(path, "encrypted PDF (password required)", SkipReason.ENCRYPTED_PDF) from None
        except (PdfReadError, PdfStreamError, ValueError, KeyError, TypeError, OSError) as error:
            raise LoadError(
                path, f"corrupt or truncated PDF ({type(error).__name__})", SkipReason.CORRUPT_PDF
            ) from None

        if page_count == 0:
            raise LoadError(path, "PDF has no pages", SkipReason.NO_PAGES)
        if page_count > limits.max_pdf_pages:
            raise LoadError(
                path,
                f"too many pages ({page_count} > limit of {limits.max_pdf_pages})",
                SkipReason.TOO_MANY_PAGES,
            )
        try:
            with PDFIUM_LOCK:
                document = pypdfium2.PdfDocument(data)
        except Exception as error:  # pdfium refuses what pypdf tolerated
            raise LoadError(
                path, f"corrupt or truncated PDF ({type(error).__name__})", SkipReason.CORRUPT_PDF
            ) from None

        pages = []
        for number in range(1, page_count + 1):
            where = f"page {number} of {page_count}"
            elapsed = _check_time(path, started, limits.max_seconds_per_document, where)
            try:
                contents = reader.pages[number - 1].get_contents()
                if contents is not None:
                    contents.get_data()  # decompressed within pypdf's limits, or refused
                deadline = _page_clock() + limits.max_seconds_per_document - elapsed
                with PDFIUM_LOCK:  # pdfium is not thread-safe: one page at a time, all threads
                    page = document[number - 1]
                    try:
                        pages.append(read_page(page, number, deadline))
                    finally:
                        page.close()
            except PageTooSlow:
                raise LoadError(path, _too_slow(limits.max_seconds_per_document, started, where),
                                SkipReason.TOO_SLOW) from None
            except FileNotDecryptedError:
                raise LoadError(path, "encrypted PDF (password required)", SkipReason.ENCRYPTED_PDF) from None
            except Exception as error:  # pypdf and pdfium raise many types on damaged streams
                raise LoadError(
                    path,
                    f"corrupt PDF: page {number} unreadable ({type(error).__name__})",
                    SkipReason.CORRUPT_PDF,
                ) from None
        _check_time(path, started, limits.max_seconds_per_document, f"all {page_count} pages read")
        if not any(page.lines for page in pages):
            raise LoadError(path, "no text layer (scanned or image-only PDF?)", SkipReason.NO_TEXT_LAYER)
        laid_out = assemble(pages, read_outline(reader), read_title(reader), path.stem)
        labels = read_page_labels(reader, page_count)
    finally:
        pypdf_log.setLevel(previous_level)
        if document is not None:
            with PDFIUM_LOCK:
                document.close()

    if laid_out.image_only_pages:
        log.warning("%s: page(s) %s are images without text (scanned?): their content is not indexed",
                    path, ", ".join(map(str, laid_out.image_only_pages)))
    return _document(path, "pdf", laid_out.title, laid_out.text, data, laid_out.page_starts,
                     headings=laid_out.headings, footnotes=laid_out.footnotes, page_labels=labels,
                     image_only_pages=laid_out.image_only_pages)


def _page_clock() -> float:
    """The clock a page's own reading is stopped by (the one `ingest.pdf.lines` reads)."""
    import ingest.pdf.lines

    return ingest.pdf.lines.time.monotonic()


def _check_time(path: Path, started: float, max_seconds: float, where: str) -> float:
    """The time used so far; `LoadError` once a document has used more than its budget."""
    elapsed = time.monotonic() - started
    if elapsed > max_seconds:
        raise LoadError(path, _too_slow(max_seconds, started, where, elapsed), SkipReason.TOO_SLOW)
    return elapsed


def _too_slow(max_seconds: float, started: float, where: str, elapsed: float | None = None) -> str:
    if elapsed is None:
        elapsed = time.monotonic() - started
    return (f"took too long to read: time limit of {max_seconds:g} s per document "
            f"exceeded ({elapsed:.1f} s, {where})")


# -------------------------------------------------------------------- dispatcher


def load_document(path: Path | str, limits: IngestLimits = IngestLimits()) -> SourceDocument:
    """Load any supported file, choosing the loader from its extension, within `limits`."""
    path = Path(path)
    fmt = SUPPORTED_EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        shown = path.suffix or "(none)"
        raise LoadError(path, f"unsupported file type {shown}", SkipReason.UNSUPPORTED_TYPE)
    if fmt == "pdf":
        return load_pdf(path, limits)
    if fmt == "html":
        return load_html(path, limits)
    if fmt == "md":
        return load_markdown(path, limits)
    return load_text(path, limits)
