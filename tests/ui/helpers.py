"""Small builders shared by the UI tests: PDFs made with fpdf2, AppTest lookups."""

from __future__ import annotations

from fpdf import FPDF


def make_pdf(text: str, *, title: str = "", password: str | None = None) -> bytes:
    """A one-page PDF with a text layer (optionally encrypted with a user password)."""
    pdf = FPDF()
    if title:
        pdf.set_title(title)
    if password is not None:
        pdf.set_encryption(owner_password="owner-" + password, user_password=password)
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())


def all_markdown(node) -> str:
    """Every Markdown body under an AppTest node, one per line."""
    return "\n".join(m.value for m in node.markdown)


def expander_labels(node) -> list[str]:
    return [e.label for e in node.expander]
