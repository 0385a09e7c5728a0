"""End-to-end ingestion: bad inputs, metadata files, titles, stable ids, typed skip reasons."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.chunk import word_count_tokens
from ingest.config import ChunkingConfig, IngestLimits
from ingest.errors import LoadError, SkipReason
from ingest.pipeline import (
    Ingester,
    discover_files,
    ingest_corpus,
    load_and_clean,
    read_sources_titles,
)
from ingest.report import format_summary

from .conftest import ALL_DOCS, EXTRAITS, PAGE

CONFIG = ChunkingConfig(target_tokens=60, max_tokens=100, overlap_tokens=10, min_tokens=15)
INGESTER = Ingester(IngestLimits(), CONFIG, word_count_tokens)
SMALL_LIMITS = Ingester(IngestLimits(max_file_mb=1, max_pdf_pages=5), CONFIG, word_count_tokens)
NAVIGATION = ("(BUTTON)", "Retour au niveau précédent", "Fermer le menu", "Lancer la recherche",
              "Mentions légales", "Plan du site", "Aller au contenu", "Mis à jour le")


def article(topic: str) -> str:
    return (f"# Rapport sur {topic}\n\n## Contexte\n\n"
            + f"Le sujet {topic} concerne la santé publique en France. " * 8
            + f"\n\n## Recommandations\n\nIl faut investir dans {topic} dès maintenant. " * 3)


@pytest.fixture
def messy_corpus(tmp_path: Path, make_pdf) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "bon.md").write_text(article("la télémédecine"), encoding="utf-8")
    (folder / "latin.txt").write_bytes(article("les données").encode("cp1252"))
    (folder / "SOURCES.md").write_text(
        "| file | what |\n|---|---|\n| `bon.md` | *Un bon rapport* — test |\n", encoding="utf-8")
    (folder / "README.txt").write_text("Ceci n'est pas un document.", encoding="utf-8")
    (folder / ".cache").write_text("caché", encoding="utf-8")
    (folder / "vide.txt").write_bytes(b"")
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)) * 4)
    (folder / "tableur.xlsx").write_bytes(b"PK\x03\x04 pas lisible")
    (folder / "enorme.txt").write_text("mot " * 400_000, encoding="utf-8")
    pages = [(f"Chapitre {n}", "Les données de santé sont précieuses. " * 5) for n in (1, 2, 3)]
    make_pdf("secret.pdf", pages, user_password="code").rename(folder / "secret.pdf")
    good_pdf = make_pdf("rapport.pdf", pages, title="Rapport PDF")
    good_pdf.rename(folder / "rapport.pdf")
    data = (folder / "rapport.pdf").read_bytes()
    (folder / "tronque.pdf").write_bytes(data[: len(data) // 2])
    make_pdf("long.pdf", pages * 2).rename(folder / "long.pdf")
    return folder


def test_bad_inputs_are_skipped_with_reasons_and_the_rest_is_ingested(messy_corpus):
    result = ingest_corpus(messy_corpus, SMALL_LIMITS)
    assert sorted(d.doc_id for d in result.documents) == ["bon", "latin", "rapport"]
    reasons = {Path(s.path).name: s.reason for s in result.skipped}
    assert reasons == {
        "vide.txt": "empty file",
        "image.txt": "binary content (NUL bytes), not a text file",
        "tableur.xlsx": "unsupported file type .xlsx",
        "enorme.txt": reasons["enorme.txt"],
        "secret.pdf": "encrypted PDF (password required)",
        "tronque.pdf": reasons["tronque.pdf"],
        "long.pdf": "too many pages (6 > limit of 5)",
    }
    assert reasons["enorme.txt"].startswith("file too large")
    assert "truncated" in reasons["tronque.pdf"]
    kinds = {Path(s.path).name: s.kind for s in result.skipped}
    assert kinds == {
        "vide.txt": SkipReason.EMPTY, "image.txt": SkipReason.BINARY,
        "tableur.xlsx": SkipReason.UNSUPPORTED_TYPE, "enorme.txt": SkipReason.TOO_LARGE,
        "secret.pdf": SkipReason.ENCRYPTED_PDF, "tronque.pdf": SkipReason.CORRUPT_PDF,
        "long.pdf": SkipReason.TOO_MANY_PAGES,
    }
    assert all(s.french == s.kind.french and s.french for s in result.skipped)
    assert all("\n" not in r and "Traceback" not in r for r in reasons.values())
    summary = format_summary(result)
    for name, reason in reasons.items():
        assert f"- {name}: {reason}" in summary
    assert "README" not in summary and "SOURCES" not in summary and ".cache" not in summary


def test_titles_encoding_and_pages(messy_corpus):
    result = ingest_corpus(messy_corpus, SMALL_LIMITS)
    docs = {d.doc_id: d for d in result.documents}
    assert docs["bon"].title == "Un bon rapport"  # from SOURCES.md
    assert docs["latin"].title == "Rapport sur les données"  # cp1252 decoded
    assert docs["rapport"].title == "Rapport PDF"
    stats = {s.doc_id: s for s in result.stats}
    assert stats["rapport"].pages == 3 and stats["bon"].pages is None
    assert stats["bon"].chunks == sum(1 for c in result.chunks if c.doc_id == "bon")
    assert stats["bon"].chars_in > stats["bon"].chars_kept > 0
    pdf_pages = {c.page for c in result.chunks if c.doc_id == "rapport"}
    assert pdf_pages == {1, 2, 3}


def test_file_vanishing_mid_run_is_skipped(tmp_path):
    for name in ("a.md", "b.md", "c.md"):
        (tmp_path / name).write_text(article(name[0]), encoding="utf-8")
    seen: list[tuple[int, int, str]] = []

    def on_progress(done: int, total: int, path: Path) -> None:
        seen.append((done, total, path.name))
        if path.name == "a.md":
            (tmp_path / "b.md").unlink()

    result = ingest_corpus(tmp_path, INGESTER, on_progress=on_progress)
    assert [d.doc_id for d in result.documents] == ["a", "c"]
    assert [(Path(s.path).name, s.reason) for s in result.skipped] == [
        ("b.md", "file disappeared before it could be read")]
    assert seen == [(1, 3, "a.md"), (2, 3, "b.md"), (3, 3, "c.md")]


def test_missing_corpus_folder(tmp_path):
    result = ingest_corpus(tmp_path / "absent", INGESTER)
    assert not result.documents and result.skipped[0].reason == "corpus folder not found"


def test_ids_are_stable_and_only_a_changed_file_changes_its_ids(tmp_path):
    for name in ("a.md", "b.md"):
        (tmp_path / name).write_text(article(name[0]), encoding="utf-8")
    first = ingest_corpus(tmp_path, INGESTER)
    again = ingest_corpus(tmp_path, INGESTER)
    assert [c.id for c in first.chunks] == [c.id for c in again.chunks]
    (tmp_path / "b.md").write_text(article("b") + "\n\nUne phrase ajoutée à la fin.", encoding="utf-8")
    changed = ingest_corpus(tmp_path, INGESTER)

    def ids(result, doc: str) -> set[str]:
        return {c.id for c in result.chunks if c.doc_id == doc}

    assert ids(changed, "a") == ids(first, "a")
    assert not ids(changed, "b") & ids(first, "b")


def test_same_stem_in_two_formats_gets_distinct_ids(tmp_path):
    (tmp_path / "rapport.md").write_text(article("x"), encoding="utf-8")
    (tmp_path / "rapport.txt").write_text(article("y"), encoding="utf-8")
    result = ingest_corpus(tmp_path, INGESTER)
    assert sorted(d.doc_id for d in result.documents) == ["rapport", "rapport-txt"]


def test_load_and_clean_one_file(corpus_dir):
    doc = load_and_clean(corpus_dir / f"{PAGE}.txt")
    assert doc.title == "L'intelligence artificielle au service de la santé"
    assert "(BUTTON)" not in doc.text
    with pytest.raises(LoadError):
        load_and_clean(corpus_dir / "absent.txt")


def test_sources_titles_and_discovery(corpus_dir):
    titles = read_sources_titles(corpus_dir)
    assert titles[f"{PAGE}.txt"] == "L'intelligence artificielle au service de la santé"
    assert f"{EXTRAITS}.txt" not in titles  # no italic title in its row
    assert [p.stem for p in discover_files(corpus_dir)] == sorted(ALL_DOCS)


# ------------------------------------------------------- the bundled corpus


def test_bundled_corpus_ingests_all_five_documents(corpus_result):
    assert sorted(d.doc_id for d in corpus_result.documents) == sorted(ALL_DOCS)
    assert corpus_result.skipped == []
    assert all(s.chunks > 0 for s in corpus_result.stats)


def test_no_navigation_or_markup_in_any_chunk(corpus_result):
    for chunk in corpus_result.chunks:
        for marker in NAVIGATION + ("<sup>", "**", "http", "www."):
            assert marker not in chunk.text, (marker, chunk.doc_id, chunk.text[:80])
        assert not re.search(r"</?[a-z]+[ >]", chunk.text)


def test_key_article_sentences_are_in_some_chunk(corpus_result):
    texts = [c.text for c in corpus_result.chunks if c.doc_id == PAGE]
    for key in ("Trois instituts 3IA", "Création du Health Data Hub",
                "PariSanté Campus, lancé le 4 décembre 2020",
                "De nouveaux programmes d’enseignement croisant IA et santé",
                "la SNIA vise principalement à soutenir la mutualisation des données de santé"):
        assert any(key in text for text in texts), key


def test_summary_table(corpus_result):
    summary = format_summary(corpus_result)
    lines = summary.splitlines()
    assert lines[0].split("|")[1].strip() == "document"
    for doc_id in ALL_DOCS:
        row = next(line for line in lines if line.startswith(f"| {doc_id} "))
        stat = next(s for s in corpus_result.stats if s.doc_id == doc_id)
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert cells[1].replace(" ", "") == str(stat.chars_in)
        assert cells[3] == str(stat.chunks)
        assert cells[5] == str(stat.duplicates)
    assert "Skipped: none" in summary
    total = next(line for line in lines if line.startswith("| TOTAL"))
    assert str(len(corpus_result.chunks)) in total


def test_the_summary_names_the_pages_that_are_pictures(tmp_path):
    import shutil

    from ingest.chunk import word_count_tokens

    source = Path(__file__).parent / "documents" / "pdf-fpdf2-bulletin-page-scannee.pdf"
    shutil.copy(source, tmp_path / "bulletin.pdf")
    result = ingest_corpus(tmp_path, Ingester(count_tokens=word_count_tokens))
    assert result.stats[0].image_only_pages == (3,)
    assert "Pages sans texte (images, non indexées) : bulletin p. 3" in format_summary(result)


class RecordingClock:
    """A `StageClock` that records the stages entered, in order, with their amounts."""

    def __init__(self) -> None:
        self.stages: list[tuple[str, int]] = []

    def stage(self, name: str, amount: int = 0):
        import contextlib

        self.stages.append((name, amount))
        return contextlib.nullcontext()


def test_load_times_reading_and_cleaning_as_two_stages(tmp_path):
    path = tmp_path / "note.txt"
    text = "Titre\n\nLa santé numérique progresse en France, avec des données partagées.\n"
    path.write_text(text, encoding="utf-8")
    clock = RecordingClock()
    document = INGESTER.load(path, clock)
    assert clock.stages == [("load", 0), ("clean", len(text.encode("utf-8")))]
    assert document == INGESTER.load(path)  # the clock changes nothing else


@pytest.mark.parametrize("name, content, kind, stages", [
    ("vide.txt", "   \n", SkipReason.EMPTY, ["load"]),  # refused by the loader: never cleaned
    ("pages.txt", "12\n\n13\n", SkipReason.NO_TEXT, ["load", "clean"]),  # nothing left once cleaned
])
def test_a_refused_file_is_timed_up_to_the_stage_that_refused_it(tmp_path, name, content, kind, stages):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    clock = RecordingClock()
    with pytest.raises(LoadError) as refused:
        INGESTER.load(path, clock)
    assert refused.value.kind == kind
    assert [stage for stage, _ in clock.stages] == stages
