"""Upload validation and safe storage (`ingest/uploads.py`), without the model."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui.helpers import make_pdf
from ingest.config import IngestLimits
from ingest.uploads import (
    MAX_NAME_BYTES,
    MAX_NAME_CHARS,
    STAGING_PREFIX,
    UploadConflict,
    UploadRejected,
    safe_filename,
    store_upload,
    validate_upload,
)

TEXT = "# Télésanté\n\nLa téléconsultation progresse en France depuis 2020.\n".encode()


def corpus_files(folder: Path) -> list[str]:
    """Everything in a folder, hidden entries included."""
    return sorted(p.name for p in folder.iterdir())


# ------------------------------------------------------------------ names


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("/tmp/absolu.md", "absolu.md"),
        ("C:\\Users\\moi\\Rapport final.PDF", "Rapport final.pdf"),
        ("..\\..\\windows.html", "windows.html"),
        ("rap\x00port\x1f\x7f.txt", "rapport.txt"),
        (".cache.txt", "cache.txt"),
        ("...txt.md", "txt.md"),
        ("a..b.txt", "a.b.txt"),
        ("note<script>:x|y?.md", "note_script__x_y_.md"),
        ("  espaces   multiples .txt", "espaces multiples.txt"),
        ("Étude ü\u0301.htm", "Étude ǘ.htm"),
    ],
)
def test_safe_filename_strips_directories_controls_and_hidden_dots(given, expected):
    assert safe_filename(given) == expected


@pytest.mark.parametrize(
    "given",
    [".txt", "", "   ", "..", "../", "sans-extension", "programme.exe", "doc.pdf.exe", "image.PNG",
     "SOURCES.md", "readme.txt", "README-projet.md", "/\x00/.md"],
)
def test_safe_filename_rejects_unusable_names(given):
    with pytest.raises(UploadRejected) as caught:
        safe_filename(given)
    assert str(caught.value)  # a message for the user
    assert "Traceback" not in str(caught.value)


def test_safe_filename_limits_length_and_keeps_extension():
    long = safe_filename("r" * 400 + ".pdf")
    assert long.endswith(".pdf") and len(long) == MAX_NAME_CHARS
    wide = safe_filename("é" * 150 + ".markdown")  # 2 bytes per character in UTF-8
    assert wide.endswith(".markdown")
    assert len(wide.encode()) <= MAX_NAME_BYTES and len(wide) <= MAX_NAME_CHARS


# ------------------------------------------------------------------ content


def test_validate_accepts_real_text_and_pdf():
    assert validate_upload("notes.md", TEXT, 5) == "notes.md"
    assert validate_upload("page.html", b"<html><body><p>Bonjour</p></body></html>", 5, "text/html") == "page.html"
    assert validate_upload("r.pdf", make_pdf("Bonjour"), 5, "application/pdf") == "r.pdf"
    bom_utf16 = "\ufeffTexte en UTF-16 avec BOM".encode("utf-16")
    assert validate_upload("u16.txt", bom_utf16, 5) == "u16.txt"


@pytest.mark.parametrize(
    ("name", "data", "content_type", "fragment"),
    [
        ("faux.pdf", b"ceci n'est pas un PDF", "", "PDF"),
        ("binaire.txt", b"texte\x00avec\x00des octets nuls", "", "octets nuls"),
        ("vide.md", b"   \n\t ", "", "vide"),
        ("image.txt", TEXT, "image/png", "type de contenu"),
        ("texte.pdf", make_pdf("x"), "text/plain", "type de contenu"),
        ("deguise.txt", make_pdf("x"), "text/plain", "contient un PDF"),
        ("latin.html", bytes(range(1, 32)) * 40, "", "lisible"),
    ],
)
def test_validate_rejects_content_not_matching_extension(name, data, content_type, fragment):
    with pytest.raises(UploadRejected, match=fragment):
        validate_upload(name, data, 5, content_type)


def test_validate_enforces_size_limit():
    data = b"a" * 3000
    assert validate_upload("petit.txt", data, max_file_mb=0.01)
    with pytest.raises(UploadRejected, match="trop volumineux"):
        validate_upload("gros.txt", data, max_file_mb=0.001)


# ------------------------------------------------------------------ storage


def test_store_saves_atomically_without_leftovers(tmp_path):
    stored = store_upload("../../Télésanté 2024.md", TEXT, tmp_path, IngestLimits(max_file_mb=5))
    assert stored.path == tmp_path / "Télésanté 2024.md"
    assert stored.path.read_bytes() == TEXT
    assert stored.title == "Télésanté"
    assert corpus_files(tmp_path) == ["Télésanté 2024.md"]  # no staging folder left
    assert not any(p.name.startswith(STAGING_PREFIX) for p in tmp_path.iterdir())


def test_store_keeps_pdf_title_and_text(tmp_path):
    stored = store_upload("rapport.pdf", make_pdf("La télésanté progresse.", title="Rapport télésanté"),
                          tmp_path, IngestLimits(max_file_mb=5))
    assert stored.title == "Rapport télésanté"
    assert corpus_files(tmp_path) == ["rapport.pdf"]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (make_pdf("confidentiel", password="secret"), "chiffré"),
        (make_pdf("tronqué")[:600], "corrompu"),
    ],
)
def test_store_rejects_broken_pdf_and_leaves_nothing(tmp_path, data, reason):
    (tmp_path / "existant.txt").write_bytes(TEXT)
    with pytest.raises(UploadRejected, match=reason):
        store_upload("mauvais.pdf", data, tmp_path, IngestLimits(max_file_mb=5))
    assert corpus_files(tmp_path) == ["existant.txt"]


def test_store_never_overwrites_without_confirmation(tmp_path):
    store_upload("doc.txt", TEXT, tmp_path, IngestLimits(max_file_mb=5))
    newer = TEXT + "Une phrase ajoutée.\n".encode()
    with pytest.raises(UploadConflict) as caught:
        store_upload("doc.txt", newer, tmp_path, IngestLimits(max_file_mb=5))
    assert "Remplacer" in str(caught.value)
    assert (tmp_path / "doc.txt").read_bytes() == TEXT

    replaced = store_upload("doc.txt", newer, tmp_path, IngestLimits(max_file_mb=5), overwrite=True)
    assert replaced.replaced and (tmp_path / "doc.txt").read_bytes() == newer
    assert replaced.backup is not None and replaced.backup.read_bytes() == TEXT
    replaced.restore()  # the index refused it: the previous version comes back
    assert (tmp_path / "doc.txt").read_bytes() == TEXT
    assert corpus_files(tmp_path) == ["doc.txt"]


def test_store_same_bytes_is_a_no_op(tmp_path):
    store_upload("doc.txt", TEXT, tmp_path, IngestLimits(max_file_mb=5))
    again = store_upload("doc.txt", TEXT, tmp_path, IngestLimits(max_file_mb=5))
    assert again.unchanged and not again.replaced
    assert corpus_files(tmp_path) == ["doc.txt"]


def test_store_refuses_a_document_id_owned_by_another_file(tmp_path):
    other = tmp_path / "rapport-ia.txt"
    other.write_bytes(TEXT)
    with pytest.raises(UploadRejected, match="identifiant"):
        store_upload("Rapport IA.md", TEXT, tmp_path, IngestLimits(max_file_mb=5),
                     known_documents={"rapport-ia": str(other)})
    assert corpus_files(tmp_path) == ["rapport-ia.txt"]
