"""Loaders: formats, encodings, titles, and every kind of bad input."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from ingest.config import IngestLimits
from ingest.errors import LoadError, SkipReason
from ingest.loaders import decode_bytes, load_document, prettify_stem, slugify

FRENCH = "Les données de santé « sensibles » coûtent 9,7 M€ ; l’œuvre est déjà prête."
FRENCH_PAGES = [
    ("Chapitre 1 : Télémédecine", "La télémédecine réduit les délais de prise en charge des patients âgés. " * 6),
    ("Chapitre 2 : Données", "Les données de santé doivent être protégées contre les cyberattaques. " * 6),
    ("Chapitre 3 : Apprentissage fédéré", "L’apprentissage fédéré entraîne des modèles sans déplacer les données. " * 6),
]


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------- text formats


@pytest.mark.parametrize(
    "encoding, prefix",
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("cp1252", b""), ("latin-1", b""),
     ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")],
)
def test_text_encodings_decode_accents_correctly(tmp_path, encoding, prefix):
    text = FRENCH if encoding != "latin-1" else FRENCH.replace("€", "EUR").replace("’", "'").replace("œ", "oe")
    path = write(tmp_path, "note.txt", prefix + text.encode(encoding))
    doc = load_document(path)
    assert doc.text == text
    assert doc.format == "txt"


def test_cp1252_curly_quotes_and_euro_are_not_mangled():
    raw = "L’IA coûte 5 € – « cher »".encode("cp1252")
    assert decode_bytes(raw) == "L’IA coûte 5 € – « cher »"


def test_bomless_utf16_is_detected():
    assert decode_bytes(FRENCH.encode("utf-16-le")) == FRENCH


def test_text_document_fields(tmp_path):
    data = "# Mon Rapport IA\n\nDu texte.".encode("utf-8")
    path = write(tmp_path, "Mon Rapport (2024).txt", data)
    doc = load_document(path)
    assert doc.doc_id == "mon-rapport-2024"
    assert doc.title == "Mon Rapport IA"
    assert doc.source_path == str(path)
    assert doc.page_starts == ()
    import hashlib

    assert doc.content_hash == hashlib.sha256(data).hexdigest()


def test_title_falls_back_to_prettified_stem(tmp_path):
    doc = load_document(write(tmp_path, "rapport_sante-2024.txt", b"Pas de titre ici."))
    assert doc.title == "Rapport sante 2024"
    assert prettify_stem("a-b_c") == "A b c"
    assert slugify("Été 2024 : IA!") == "ete-2024-ia"


def test_markdown_title_is_first_heading(tmp_path):
    doc = load_document(write(tmp_path, "r.md", "intro\n\n## **Titre** du rapport\n\ntexte".encode()))
    assert doc.format == "md"
    assert doc.title == "Titre du rapport"


def test_html_keeps_article_and_headings_drops_boilerplate(tmp_path):
    html = """<html><head><title>Page santé</title><style>p {color: red}</style>
    <script>var tracking = 1;</script></head><body>
    <header>Logo du site</header><nav><a href="/">Accueil</a> <a href="/x">Menu secret</a></nav>
    <h1>L'IA en santé</h1><p>Premier paragraphe de l’article.</p>
    <h2>Objectifs</h2><ul><li>Objectif un.</li><li>Objectif deux.</li></ul>
    <footer>Mentions légales</footer></body></html>"""
    doc = load_document(write(tmp_path, "page.html", html.encode("utf-8")))
    assert doc.title == "L'IA en santé"  # the title the page shows (its <title> is « Page santé »)
    assert "# L'IA en santé" in doc.text
    assert "## Objectifs" in doc.text
    assert "- Objectif un." in doc.text
    for junk in ("tracking", "color", "Logo du site", "Menu secret", "Mentions légales"):
        assert junk not in doc.text


def test_html_windows_1252_page(tmp_path):
    html = "<html><body><h1>Données</h1><p>L’été coûte 5 €.</p></body></html>".encode("cp1252")
    doc = load_document(write(tmp_path, "p.htm", html))
    assert "L’été coûte 5 €." in doc.text
    assert doc.title == "Données"


# ------------------------------------------------------------------------ PDF


def test_pdf_pages_text_and_metadata_title(make_pdf):
    path = make_pdf("rapport.pdf", FRENCH_PAGES, title="Rapport de test")
    doc = load_document(path)
    assert doc.format == "pdf"
    assert doc.title == "Rapport de test"
    assert len(doc.page_starts) == 3
    for number, (heading, body) in enumerate(FRENCH_PAGES):
        start = doc.page_starts[number]
        end = doc.page_starts[number + 1] if number + 1 < 3 else len(doc.text)
        page_text = doc.text[start:end]
        assert page_text.startswith(heading)
        assert "données" in doc.text and "télémédecine" in doc.text
        assert body.split(".")[0].split()[-1] in page_text  # accents extracted


def test_pdf_with_owner_password_only_is_readable(make_pdf):
    path = make_pdf("owner.pdf", FRENCH_PAGES[:1], owner_password="secret", user_password="")
    assert "Télémédecine" in load_document(path).text


def _reason(path: Path, **limits) -> str:
    with pytest.raises(LoadError) as info:
        load_document(path, IngestLimits(**limits))
    error = info.value
    assert isinstance(error.kind, SkipReason) and error.kind.french
    assert error.path == path
    message = str(error)
    assert path.name in message and "\n" not in message and "Traceback" not in message
    return error.reason


def test_encrypted_pdf(make_pdf):
    path = make_pdf("secret.pdf", FRENCH_PAGES[:1], user_password="motdepasse")
    assert "encrypted" in _reason(path)


def test_truncated_pdf(make_pdf):
    path = make_pdf("full.pdf", FRENCH_PAGES)
    cut = path.with_name("cut.pdf")
    data = path.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    assert "truncated" in _reason(cut)


def test_corrupt_pdf_body(tmp_path):
    garbage = write(tmp_path, "garbage.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 20 + b"\n%%EOF\n")
    assert "corrupt" in _reason(garbage)


def test_image_only_pdf_has_no_text_layer(tmp_path):
    from fpdf import FPDF
    from PIL import Image

    image = tmp_path / "scan.png"
    Image.new("RGB", (200, 100), (200, 200, 200)).save(image)
    pdf = FPDF()
    pdf.add_page()
    pdf.image(str(image), x=10, y=10, w=100)
    path = tmp_path / "scan.pdf"
    pdf.output(str(path))
    assert "no text layer" in _reason(path)


def test_zero_page_pdf(tmp_path):
    import pypdf

    buffer = io.BytesIO()
    pypdf.PdfWriter().write(buffer)
    path = write(tmp_path, "empty.pdf", buffer.getvalue())
    assert "no pages" in _reason(path)


def test_pdf_with_too_many_pages(make_pdf):
    path = make_pdf("long.pdf", FRENCH_PAGES)
    assert "too many pages" in _reason(path, max_pdf_pages=2)
    assert len(load_document(path, IngestLimits(max_pdf_pages=3)).page_starts) == 3


def test_text_file_named_pdf(tmp_path):
    assert "not a PDF" in _reason(write(tmp_path, "fake.pdf", b"juste du texte"))


# --------------------------------------------------------------- other errors


def test_empty_and_blank_files(tmp_path):
    assert _reason(write(tmp_path, "empty.txt", b"")) == "empty file"
    assert _reason(write(tmp_path, "blank.md", b" \n\t\n")) == "empty file"


def test_binary_file_named_txt(tmp_path):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    assert "binary" in _reason(write(tmp_path, "image.txt", png))


def test_mostly_control_characters_is_binary(tmp_path):
    data = bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15]) * 50 + b"un peu de texte"
    assert "binary" in _reason(write(tmp_path, "weird.txt", data))


def test_unsupported_extension(tmp_path):
    assert _reason(write(tmp_path, "rapport.docx", b"PK\x03\x04")) == "unsupported file type .docx"
    assert "unsupported" in _reason(write(tmp_path, "LICENSE", b"MIT"))


def test_vanished_file(tmp_path):
    assert "disappeared" in _reason(tmp_path / "gone.txt")


def test_file_over_size_limit(tmp_path):
    path = write(tmp_path, "big.txt", b"a" * 300_000)
    assert "too large" in _reason(path, max_file_mb=0.1)
    assert load_document(path, IngestLimits(max_file_mb=1)).text.startswith("aaa")


def test_html_article_header_is_kept_but_page_header_dropped(tmp_path):
    html = """<html><body><header>Site officiel</header><main><article>
    <header><h1>Titre de l’article</h1></header><p>Le corps de l’article.</p>
    <table><tr><th>Pays</th><th>Score</th></tr><tr><td>France</td><td>12</td></tr></table>
    </article></main><footer>Pied de page</footer></body></html>"""
    doc = load_document(write(tmp_path, "a.html", html.encode("utf-8")))
    assert "# Titre de l’article" in doc.text
    assert "Site officiel" not in doc.text and "Pied de page" not in doc.text
    assert "Pays | Score\n\nFrance | 12" in doc.text
