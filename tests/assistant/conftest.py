"""A tiny indexed corpus with the keyword fake embedder: core tests without the model, in milliseconds."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.settings import Settings
from ingest.chunk import word_count_tokens
from ingest.config import ChunkingConfig, IngestLimits
from ingest.pipeline import Ingester
from tests.fakes import KeywordEmbedder

# Three documents; one paragraph of "rapport" is copied word for word into "extrait".
TINY_DOCS = {
    "rapport.md": (
        "# Le Health Data Hub\n\n"
        "## Budget\n\n"
        "Le budget du Health Data Hub était de 9,7 millions d'euros en 2020. "
        "Cette somme finance la plateforme et ses équipes.\n\n"
        "## Missions\n\n"
        "La plateforme donne accès aux données de santé pour la recherche publique. "
        "Les projets sont choisis par un comité scientifique.\n"
    ),
    "robotique.md": (
        "# Robotique chirurgicale\n\n"
        "Les robots chirurgicaux assistent le chirurgien pendant les interventions. "
        "Leur coût freine leur diffusion dans les hôpitaux publics.\n"
    ),
    "extrait.md": (
        "# Extrait\n\n"
        "La plateforme donne accès aux données de santé pour la recherche publique. "
        "Les projets sont choisis par un comité scientifique.\n"
    ),
}
VOCABULARY = (
    "budget health data hub plateforme données santé recherche robots chirurgicaux chirurgien "
    "coût hôpitaux projets comité millions euros interventions missions"
).split()
CHUNKING = ChunkingConfig(target_tokens=40, max_tokens=60, overlap_tokens=0, min_tokens=5)


@pytest.fixture(scope="session")
def keyword_embedder() -> KeywordEmbedder:
    return KeywordEmbedder(VOCABULARY)


@pytest.fixture(scope="session")
def tiny_settings(tmp_path_factory) -> Settings:
    base = tmp_path_factory.mktemp("tiny")
    corpus = base / "corpus"
    corpus.mkdir()
    for name, text in TINY_DOCS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    return Settings(
        corpus_dir=corpus, index_dir=base / "index", feedback_file=base / "feedback.jsonl",
        reports_dir=base / "reports", chunk_target_tokens=CHUNKING.target_tokens,
        chunk_max_tokens=CHUNKING.max_tokens, chunk_overlap_tokens=CHUNKING.overlap_tokens,
        chunk_min_tokens=CHUNKING.min_tokens,
    )


@pytest.fixture(scope="session")
def tiny_bot(tiny_settings, keyword_embedder):
    """An `Assistant` over the tiny corpus with the keyword embedder (built once per session)."""
    from assistant.api import Assistant

    bot = Assistant(tiny_settings, keyword_embedder)
    bot.rebuild()
    return bot


def tiny_ingester() -> Ingester:
    return Ingester(IngestLimits(), CHUNKING, word_count_tokens)


def corpus_path(settings: Settings, name: str) -> Path:
    return Path(settings.corpus_dir) / name
