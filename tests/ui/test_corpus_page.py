"""Building the index on first run and adding files from the page (tiny corpus in a temp folder)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.settings import Settings
from index.store import FileStore
from tests.ui.conftest import TINY_CORPUS, ask, open_app
from tests.ui.helpers import make_pdf

pytestmark = pytest.mark.slow

NEW_DOC = (
    "# Vaccination et intelligence artificielle\n\n"
    "Le programme Hippocrate-42 a utilisé un modèle prédictif pour organiser la vaccination "
    "de 12 000 patients fragiles à Lyon en 2022. Le modèle repérait les patients les plus à risque "
    "à partir des données de l'entrepôt hospitalier.\n"
)
NEW_QUESTION = "Combien de patients le programme Hippocrate-42 a-t-il permis de vacciner ?"


def current_build_id(index_dir: Path) -> str | None:
    return FileStore(index_dir).current_version()


def open_index(index_dir: Path):
    return FileStore(index_dir).open()


def button(at, label):
    return next(b for b in at.sidebar.button if b.label == label)


def corpus_names(env: Path) -> list[str]:
    return sorted(p.name for p in (env / "corpus").iterdir())


def upload(at, name: str, data: bytes, mime: str):
    at = at.sidebar.file_uploader[0].set_value((name, data, mime)).run()
    assert not at.exception, at.exception
    return at


def test_first_run_builds_the_index_with_progress(tiny_env):
    index_dir = tiny_env / "index"
    assert current_build_id(index_dir) is None
    at = open_app()
    assert not at.exception, at.exception
    assert current_build_id(index_dir) is not None
    assert at.status and at.status[0].label.startswith("Index mis à jour")
    assert at.get("progress"), "no progress bar was drawn"
    assert "**Documents** : 2" in "\n".join(m.value for m in at.sidebar.markdown)
    at = ask(at, "Depuis quand la téléconsultation est-elle remboursée ?")
    answer = at.session_state["messages"][-1]["answer"]
    assert not answer.abstained and answer.citations[0].doc_id == "telesante"


def test_damaged_index_offers_a_rebuild(tiny_indexed_env):
    index_dir = tiny_indexed_env / "index"
    version = index_dir / "versions" / current_build_id(index_dir)
    chunks = version / "chunks.jsonl"
    chunks.write_bytes(chunks.read_bytes()[:-20])  # truncated by a crash or a full disk
    at = open_app()
    assert not at.exception, at.exception
    assert "L'index est inutilisable" in at.error[0].value
    assert not at.chat_input  # no chat over a broken index
    at = next(b for b in at.button if b.label == "Reconstruire l'index").click().run()
    assert not at.exception, at.exception
    assert not at.error and at.chat_input
    assert open_index(index_dir).manifest.chunk_count > 0


def test_uploaded_file_becomes_searchable_without_restart(tiny_indexed_env):
    at = open_app()
    at = upload(at, "../../Vaccination IA.md", NEW_DOC.encode(), "text/markdown")
    at = button(at, "Ajouter au corpus").click().run()
    assert not at.exception, at.exception
    assert "a été ajouté au corpus" in at.success[0].value
    assert corpus_names(tiny_indexed_env) == ["Vaccination IA.md", "robotique.txt", "telesante.md"]
    settings = Settings()
    assert {d.doc_id for d in open_index(settings.index_dir).manifest.documents} == {
        "telesante", "robotique", "vaccination-ia"}
    assert "Vaccination et intelligence artificielle" in at.sidebar.multiselect[0].options
    at = ask(at, NEW_QUESTION)
    answer = at.session_state["messages"][-1]["answer"]
    assert not answer.abstained, answer.notes
    assert answer.citations[0].doc_id == "vaccination-ia"
    assert "12 000" in answer.text


@pytest.mark.parametrize(
    ("name", "data", "mime", "message"),
    [
        ("chiffre.pdf", make_pdf("secret", password="motdepasse"), "application/pdf", "chiffré"),
        ("tronque.pdf", make_pdf("Un rapport.")[:700], "application/pdf", "corrompu"),
        ("binaire.txt", b"MZ\x00\x00\x90\x00binaire", "text/plain", "octets nuls"),
    ],
    ids=["encrypted-pdf", "truncated-pdf", "binary-txt"],
)
def test_rejected_upload_shows_a_french_error_and_keeps_corpus(tiny_indexed_env, name, data, mime, message):
    before = current_build_id(tiny_indexed_env / "index")
    at = upload(open_app(), name, data, mime)
    at = button(at, "Ajouter au corpus").click().run()
    assert not at.exception, at.exception
    assert message in at.error[0].value
    assert corpus_names(tiny_indexed_env) == ["robotique.txt", "telesante.md"]
    assert current_build_id(tiny_indexed_env / "index") == before


def test_replacing_a_document_needs_confirmation(tiny_indexed_env):
    corpus = tiny_indexed_env / "corpus"
    changed = TINY_CORPUS["robotique.txt"] + "Les robots de rééducation aident aussi les kinésithérapeutes.\n"
    at = upload(open_app(), "robotique.txt", changed.encode(), "text/plain")
    assert at.sidebar.checkbox[0].label.startswith("Remplacer le document existant")
    at = button(at, "Ajouter au corpus").click().run()
    assert "existe déjà" in at.error[0].value
    assert (corpus / "robotique.txt").read_text(encoding="utf-8") == TINY_CORPUS["robotique.txt"]

    at = upload(at, "robotique.txt", changed.encode(), "text/plain")
    at = at.sidebar.checkbox[0].check().run()
    at = button(at, "Ajouter au corpus").click().run()
    assert not at.exception, at.exception
    assert "remplacé" in at.success[0].value
    assert (corpus / "robotique.txt").read_text(encoding="utf-8") == changed
    chunks = open_index(Settings().index_dir).chunks
    assert any("kinésithérapeutes" in c.text for c in chunks if c.doc_id == "robotique")


def test_copy_of_an_indexed_document_is_refused_and_removed(tiny_indexed_env):
    from ui.state import get_assistant

    bot = get_assistant(Settings())
    outcome = bot.add_document("copie.md", TINY_CORPUS["telesante.md"].encode(), content_type="text/markdown")
    assert not outcome.ok
    assert "identique" in outcome.message
    assert corpus_names(tiny_indexed_env) == ["robotique.txt", "telesante.md"]
    assert {d.doc_id for d in bot.documents()} == {"telesante", "robotique"}
