"""Fixtures for the page tests: environment pointing the app at test folders.

The app reads its settings from `ASSISTANT_*` environment variables, so each
test sets them (with monkeypatch) before `AppTest.from_file(...)`. Chat tests
use the session's prebuilt index of the bundled corpus (never written to);
upload and first-run tests use a tiny corpus of their own in a temp folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[2] / "ui" / "app.py"
APP_TIMEOUT = 240  # seconds for one script run (the first one loads the model)

TINY_CORPUS = {
    "telesante.md": (
        "# La télésanté en France\n\n"
        "## Téléconsultation\n\n"
        "La téléconsultation est remboursée par l'Assurance maladie depuis septembre 2018. "
        "Le nombre de téléconsultations a fortement augmenté pendant la crise sanitaire de 2020, "
        "avec plus d'un million d'actes remboursés certaines semaines.\n\n"
        "## Télésurveillance\n\n"
        "La télésurveillance médicale permet de suivre à distance les patients atteints de "
        "maladies chroniques, comme l'insuffisance cardiaque, grâce à des dispositifs connectés.\n"
    ),
    "robotique.txt": (
        "Robotique chirurgicale\n\n"
        "Les robots chirurgicaux assistent le chirurgien pendant les interventions mini-invasives. "
        "Ils améliorent la précision des gestes et réduisent la durée d'hospitalisation des patients. "
        "Leur coût d'acquisition élevé freine cependant leur diffusion dans les hôpitaux publics.\n"
    ),
}


def write_corpus(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def bundled_env(monkeypatch, tmp_path, settings, bundled_index):
    """Environment for the app over the session's index of the bundled corpus."""
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(settings.corpus_dir))
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(bundled_index))
    monkeypatch.setenv("ASSISTANT_CACHE_DIR", str(settings.cache_dir))
    monkeypatch.setenv("ASSISTANT_FEEDBACK_FILE", str(tmp_path / "feedback.jsonl"))
    monkeypatch.setenv("ASSISTANT_REPORTS_DIR", str(tmp_path / "reports"))
    monkeypatch.setenv("ASSISTANT_CONVERSATIONS_FILE", str(tmp_path / "conversations.sqlite3"))
    return tmp_path


@pytest.fixture
def tiny_env(monkeypatch, tmp_path, settings):
    """Environment for the app over a tiny corpus and an index folder, both new and empty of index."""
    corpus = write_corpus(tmp_path / "corpus", TINY_CORPUS)
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(corpus))
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("ASSISTANT_CACHE_DIR", str(settings.cache_dir))
    monkeypatch.setenv("ASSISTANT_FEEDBACK_FILE", str(tmp_path / "feedback.jsonl"))
    monkeypatch.setenv("ASSISTANT_REPORTS_DIR", str(tmp_path / "reports"))
    monkeypatch.setenv("ASSISTANT_CONVERSATIONS_FILE", str(tmp_path / "conversations.sqlite3"))
    return tmp_path


@pytest.fixture
def tiny_indexed_env(tiny_env, default_embedder):
    """The tiny corpus, already indexed with the real French embedder."""
    from assistant.api import Assistant
    from assistant.settings import Settings

    Assistant(Settings(), default_embedder).rebuild()
    return tiny_env


def open_app() -> AppTest:
    """The app, run once (chat page)."""
    at = AppTest.from_file(str(APP), default_timeout=APP_TIMEOUT)
    return at.run()


def ask(at: AppTest, question: str) -> AppTest:
    return at.chat_input[0].set_value(question).run()
