"""Progress estimates and settings plumbing of `ui/state.py` (no model needed)."""

from __future__ import annotations

from assistant.documents import pending_files
from assistant.settings import Settings
from index.store import DocumentRecord, Manifest
from index.store.manifest import EmbeddingInfo
from ingest.atomic import file_sha256
from ingest.config import ChunkingConfig
from ingest.pipeline import Ingester
from ui.state import ProgressBar, estimate_chunks_to_embed, generative_available


class RecordingBar:
    """Stands in for the element returned by `st.progress`, keeping what was drawn."""

    def __init__(self) -> None:
        self.calls: list[tuple[float, str]] = []

    def progress(self, value: float, text: str = "") -> None:
        self.calls.append((value, text))


def test_estimate_counts_only_new_or_changed_files(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    old = corpus / "ancien.txt"
    old.write_text("a" * 4000, encoding="utf-8")
    (corpus / "nouveau.txt").write_text("b" * 3000, encoding="utf-8")
    (corpus / "SOURCES.md").write_text("x" * 9000, encoding="utf-8")  # metadata: never embedded
    ingester = Ingester()
    assert estimate_chunks_to_embed(pending_files(corpus, ingester, []), None) == 7  # 7000 bytes at 1000 per passage
    record = DocumentRecord("ancien", "Ancien", str(old), str(old), "txt", file_sha256(old), 8)
    manifest = Manifest("v1", EmbeddingInfo("m", 3, 512), ChunkingConfig(), 8, (record,))
    pending = pending_files(corpus, ingester, [record])
    assert [p.name for p in pending] == ["nouveau.txt"]
    assert estimate_chunks_to_embed(pending, manifest) == 6  # 3000 bytes at 500 per passage


def test_progress_bar_follows_estimate_then_total():
    bar = RecordingBar()
    progress = ProgressBar(bar, estimate=10)
    progress(5)
    progress(12)  # more than estimated: the bar waits at 99 %
    progress(3, 4)  # a store that sends the total
    progress.finish("fini")
    assert [round(v, 2) for v, _ in bar.calls] == [0.5, 0.99, 0.75, 1.0]
    assert bar.calls[0][1] == "5 passages encodés (≈ 10 prévus)"
    assert bar.calls[-1][1] == "fini"


def test_generative_mode_needs_a_provider_and_a_model():
    assert not generative_available(Settings(llm_provider="none"))
    assert not generative_available(Settings(llm_provider="ollama", llm_model=""))
    assert generative_available(Settings(llm_provider="ollama", llm_model="mistral"))
