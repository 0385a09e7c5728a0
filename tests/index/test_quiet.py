"""Third-party chatter during a model load is silenced unless logging is verbose."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from huggingface_hub import utils as hub

from index.quiet import ONNX_PREPROCESS_HINT, quiet_third_party

ROOT = Path(__file__).resolve().parents[2]


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture
def root_records():
    handler = Collect()
    root = logging.getLogger()
    root.addHandler(handler)
    hub.enable_progress_bars()
    yield handler.messages
    root.removeHandler(handler)


@pytest.fixture
def index_level():
    logger = logging.getLogger("index")
    before = logger.level
    yield logger
    logger.setLevel(before)


def test_bm25s_debug_messages_follow_the_application_level():
    from index.lexical import LexicalIndex

    LexicalIndex.build(["Un passage."])  # bm25s is imported, and its level undone, for a build

    assert logging.getLogger("bm25s").level == logging.NOTSET
    root = logging.getLogger()
    before = root.level
    root.setLevel(logging.WARNING)
    try:
        assert not logging.getLogger("bm25s").isEnabledFor(logging.DEBUG)
    finally:
        root.setLevel(before)


def test_a_quiet_load_hides_progress_bars_and_the_onnx_hint_then_restores(root_records, index_level):
    index_level.setLevel(logging.WARNING)
    with quiet_third_party():
        assert hub.are_progress_bars_disabled()
        logging.getLogger().warning(ONNX_PREPROCESS_HINT + ". Refer to example: …")
        logging.getLogger().warning("something else")
    assert not hub.are_progress_bars_disabled()
    assert root_records == ["something else"]


def test_a_verbose_load_keeps_everything(root_records, index_level):
    index_level.setLevel(logging.INFO)
    with quiet_third_party():
        assert not hub.are_progress_bars_disabled()
        logging.getLogger().warning(ONNX_PREPROCESS_HINT)
    assert root_records == [ONNX_PREPROCESS_HINT]


@pytest.mark.slow
def test_a_first_build_prints_only_the_projects_progress_bar(tmp_path, settings, default_embedder):
    """The ONNX export and quantisation run anew (the converted model is reused through a link)."""
    from index.conversion import converted_model_dir

    models = tmp_path / "cache" / "models"
    models.mkdir(parents=True)
    converted = converted_model_dir(settings.cache_dir)
    (models / converted.name).symlink_to(converted, target_is_directory=True)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "note.md").write_text("# Note\n\nLa téléconsultation est remboursée depuis 2018.\n",
                                    encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env |= {"ASSISTANT_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    run = subprocess.run(
        [sys.executable, "-m", "ui.cli", "ingest", "--corpus", str(corpus), "--index", str(tmp_path / "index")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=1500,
    )
    assert run.returncode == 0, run.stderr
    assert list(models.glob("*.onnx/model-int8.onnx")), "the export did not run in the test's cache"
    for noise in ("Loading weights", "Writing model shards", "pre-processing before quantization", "DEBUG bm25s"):
        assert noise not in run.stderr, run.stderr
    assert "encodage" in run.stderr  # the project's own progress bar stays
