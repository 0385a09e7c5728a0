"""Hand-made PDFs for the hostile-input tests: valid structure, hostile content.

`raw_pdf` writes the PDF objects and cross-reference table itself, which is
the only way to make a PDF whose pages all share one (possibly enormous)
content stream, or that has zero pages. `text_pdf` uses fpdf2 for an
ordinary or password-protected document.
"""

from __future__ import annotations

import io
import zlib
from pathlib import Path

SENTENCE = b"Les donnees de sante sont un enjeu majeur pour la recherche medicale."


def text_line(sentence: bytes = SENTENCE, y: int = 800) -> bytes:
    """A content-stream line drawing one sentence with the page font."""
    return b"BT /F1 11 Tf 40 %d Td (%s) Tj ET\n" % (y, sentence)


def raw_pdf(page_count: int, content: bytes, *, compress: bool = True) -> bytes:
    """A PDF of `page_count` pages that all draw the same `content` stream."""
    objects: list[bytes] = [
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    data = zlib.compress(content, 9) if compress else content
    flate = b" /Filter /FlateDecode" if compress else b""
    objects.append(b"<< /Length %d%s >>\nstream\n%s\nendstream" % (len(data), flate, data))
    objects.append(b"")  # 3: the page tree, filled in below
    kids = []
    for _ in range(page_count):
        objects.append(
            b"<< /Type /Page /Parent 3 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 1 0 R >> >> /Contents 2 0 R >>"
        )
        kids.append(b"%d 0 R" % len(objects))
    objects[2] = b"<< /Type /Pages /Count %d /Kids [%s] >>" % (page_count, b" ".join(kids))
    objects.append(b"<< /Type /Catalog /Pages 3 0 R >>")
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(
        b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, len(objects), xref)
    )
    return out.getvalue()


def text_pdf(path: Path, pages: list[str], *, user_password: str | None = None) -> Path:
    """An ordinary PDF with one paragraph per page (optionally password-protected)."""
    from fpdf import FPDF

    pdf = FPDF()
    if user_password is not None:
        pdf.set_encryption(owner_password="owner", user_password=user_password)
    for text in pages:
        pdf.add_page()
        pdf.set_font("helvetica", size=11)
        pdf.multi_cell(w=0, text=text)
    pdf.output(str(path))
    return path
