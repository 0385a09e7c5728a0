"""Hostile uploads through `ui/upload.py`: names cannot escape the corpus folder,
bad content is refused with a French message and leaves nothing behind."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from ingest.config import IngestLimits
from ingest.uploads import MAX_NAME_CHARS, UploadRejected, safe_filename, store_upload
from tests.reliability.pdfs import raw_pdf, text_line, text_pdf

TEXT = ("Les données de santé sont un enjeu majeur pour la recherche médicale en France. "
        "Leur partage est encadré par la loi et suivi par la CNIL.\n").encode("utf-8")


def everything_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("../../evil.txt", id="parent-directories"),
        pytest.param("/etc/cron.d/evil.txt", id="absolute-path"),
        pytest.param("C:\\Windows\\..\\..\\evil.txt", id="windows-path"),
        pytest.param("ev\x00il\x1b[31m.txt", id="nul-and-escape"),
        pytest.param("r" * 300 + ".txt", id="300-characters"),
        pytest.param("\u202etxt.exe.txt", id="bidi-override"),
        pytest.param(".bashrc.txt", id="hidden-file"),
    ],
)
def test_a_hostile_file_name_is_stored_inside_the_corpus_under_a_safe_name(tmp_path, name):
    corpus = tmp_path / "corpus"
    stored = store_upload(name, TEXT, corpus, IngestLimits(max_file_mb=5))
    assert stored.path.resolve().parent == corpus.resolve()
    assert everything_under(tmp_path) == ["corpus", f"corpus/{stored.name}"]
    safe = stored.name
    assert safe == safe_filename(name) and safe.endswith(".txt")
    assert len(safe) <= MAX_NAME_CHARS and not safe.startswith(".")
    assert not any(ch in safe for ch in "/\\\x00\x1b\u202e")


def _encrypted_pdf(tmp_path: Path) -> bytes:
    return text_pdf(tmp_path / "x.pdf", ["Texte secret."], user_password="x").read_bytes()


@pytest.mark.parametrize(
    "name, make, expected",
    [
        pytest.param("secret.pdf", _encrypted_pdf, "PDF chiffré", id="encrypted-pdf"),
        pytest.param("bombe.pdf", lambda _: raw_pdf(3000, text_line()), "trop de pages",
                     id="pdf-bomb-pages"),
        pytest.param("scan.pdf", lambda _: raw_pdf(1, b"0 0 9 9 re f\n"), "PDF sans texte",
                     id="image-only-pdf"),
        pytest.param("vide.pdf", lambda _: raw_pdf(0, b""), "PDF sans aucune page",
                     id="zero-page-pdf"),
        pytest.param("binaire.txt", lambda _: random.Random(4).randbytes(5000),
                     "octets nuls", id="binary-named-txt"),
        pytest.param("rapport.txt", lambda _: raw_pdf(1, text_line()), "contient un PDF",
                     id="pdf-named-txt"),
        pytest.param("rapport.pdf", lambda _: TEXT, "n'est pas un vrai fichier PDF",
                     id="text-named-pdf"),
        pytest.param("vide.txt", lambda _: b"  \n", "est vide", id="blank"),
        pytest.param("gros.txt", lambda _: TEXT * 80_000, "trop volumineux", id="over-size"),
    ],
)
def test_a_hostile_upload_is_refused_in_french_and_leaves_nothing(tmp_path, name, make, expected):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    data = make(tmp_path)
    with pytest.raises(UploadRejected) as caught:
        store_upload(name, data, corpus, IngestLimits(max_file_mb=5))
    assert expected in str(caught.value)
    assert everything_under(corpus) == []  # no file, no hidden staging folder


def test_a_utf16_upload_is_accepted_and_readable(tmp_path):
    data = "Données de santé à l'hôpital.\n\n".encode("utf-16") + TEXT.decode().encode("utf-16")
    stored = store_upload("notes.txt", data, tmp_path / "corpus", IngestLimits(max_file_mb=5))
    assert stored.path.read_bytes() == data
