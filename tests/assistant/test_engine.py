"""A new index version is swapped in without stalling questions (keyword embedder, no model)."""

from __future__ import annotations

import shutil
import time

from assistant.api import Assistant


def test_a_new_version_is_loaded_in_the_background_and_then_used(tiny_settings, keyword_embedder, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(tiny_settings.corpus_dir, corpus)
    settings = tiny_settings.model_copy(update={"corpus_dir": corpus, "index_dir": tmp_path / "index"})
    reader = Assistant(settings, keyword_embedder)
    reader.rebuild()
    first = reader.index.current().version

    (corpus / "nouveau.md").write_text(
        "# Télésurveillance\n\nLes projets de télésurveillance réduisent le coût des hôpitaux.\n",
        encoding="utf-8",
    )
    Assistant(settings, keyword_embedder).rebuild()  # another process publishes a version
    assert reader.store.current_version() != first

    # The question asked right away is answered from the version already loaded...
    assert reader.index.current().version == first
    deadline = time.monotonic() + 10
    while reader.index.current().version == first and time.monotonic() < deadline:
        time.sleep(0.02)
    # ...and the next ones from the new version, loaded meanwhile by one background thread.
    assert reader.index.current().version == reader.store.current_version()
    assert "nouveau" in reader.snapshot.documents


def test_a_damaged_new_version_keeps_the_old_one_in_use(tiny_settings, keyword_embedder, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(tiny_settings.corpus_dir, corpus)
    settings = tiny_settings.model_copy(update={"corpus_dir": corpus, "index_dir": tmp_path / "index"})
    reader = Assistant(settings, keyword_embedder)
    reader.rebuild()
    first = reader.index.current().version

    (corpus / "nouveau.md").write_text("# Note\n\nUne note sur le budget des hôpitaux publics.\n",
                                       encoding="utf-8")
    writer = Assistant(settings, keyword_embedder)
    writer.rebuild()
    newest = writer.store.current_version()
    chunks = settings.index_dir / "versions" / newest / "chunks.jsonl"
    chunks.write_bytes(chunks.read_bytes()[:-10])  # damaged after publication

    reader.index.current()
    deadline = time.monotonic() + 10
    while reader.index.failed_version != newest and time.monotonic() < deadline:
        time.sleep(0.02)
    assert reader.index.current().version == first  # still answering from the verified one
