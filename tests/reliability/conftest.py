"""Fixtures of the reliability tests: a fast embedder and indexes in known states.

Store-level fault tests use the MiniLM test model (real vectors, fast) over
the small ANCIENT / OLD / NEW corpora of `harness.py`; tests that need the
French model reuse the session fixtures of `tests/conftest.py` (`bundled_index`,
`default_embedder`, `bot`) instead of building more full indexes.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from ingest.chunk import word_count_tokens
from tests.index.conftest import MiniLMEmbedder, minilm_model  # noqa: F401 (fixture)
from tests.reliability.harness import ROOT, chunk_texts, embedded_texts, save_vectors, update, write_state

CRASH_SCRIPT = Path(__file__).with_name("crash_build.py")


class WordMiniLM(MiniLMEmbedder):
    """MiniLM vectors, tokens counted by words (like the child's replay embedder)."""

    def count_tokens(self, text: str) -> int:
        return word_count_tokens(text)


@pytest.fixture
def word_embedder(minilm_model) -> WordMiniLM:  # noqa: F811
    return WordMiniLM(minilm_model)


@pytest.fixture(scope="session")
def state_texts(tmp_path_factory) -> dict[str, set[str]]:
    """Passage texts of each corpus state, as the project's ingestion cuts them."""
    base = tmp_path_factory.mktemp("states")
    return {s: chunk_texts(write_state(base / s, s)) for s in ("ancient", "old", "new")}


@pytest.fixture(scope="session")
def vectors_file(tmp_path_factory, minilm_model) -> Path:  # noqa: F811
    """MiniLM vectors of every passage and sentence of every state, for the child's replay embedder."""
    base = tmp_path_factory.mktemp("embedded-states")
    texts = sorted(set().union(*(embedded_texts(write_state(base / s, s)) for s in ("ancient", "old", "new"))))
    path = tmp_path_factory.mktemp("vectors") / "vectors.npy"
    save_vectors(path, texts, WordMiniLM(minilm_model).embed_passages(texts))
    return path


@dataclass
class Built:
    """An index holding the OLD corpus, with the ANCIENT build kept as previous."""

    index_dir: Path
    corpus_dir: Path
    ancient_id: str
    old_id: str


@pytest.fixture
def built(tmp_path, word_embedder) -> Built:
    index_dir, corpus_dir = tmp_path / "index", tmp_path / "corpus"
    ancient = update(index_dir, write_state(corpus_dir, "ancient"), word_embedder)
    old = update(index_dir, write_state(corpus_dir, "old"), word_embedder)
    return Built(index_dir, corpus_dir, ancient.build_id, old.build_id)


def run_child(
    index_dir: Path, corpus_dir: Path, vectors: Path, *extra: str, wait: bool = True
) -> subprocess.CompletedProcess | subprocess.Popen:
    """Run `crash_build.py` in a child process (see its docstring for options)."""
    command = [sys.executable, str(CRASH_SCRIPT), str(index_dir), str(corpus_dir), str(vectors),
               *extra]
    if not wait:
        return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
