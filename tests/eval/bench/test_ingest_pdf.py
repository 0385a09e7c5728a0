"""The PDF rows of `assistant bench ingest`: one speed per PDF set, absent sets said so."""

from __future__ import annotations

import eval.bench.ingest as bench
from ingest.chunk import word_count_tokens


def test_pdf_rows_give_pages_per_second(monkeypatch, tmp_path):
    monkeypatch.setattr(bench, "DEBIAN_REFERENCE", tmp_path / "absent.pdf")
    rows = bench.bench_pdf(word_count_tokens, rounds=1)
    label, value = rows[0]
    assert label.startswith("PDF ingestion, the test PDFs (7 files, 33 pages)") and float(value) > 0
    assert rows[1] == ("PDF ingestion, absent.pdf", "absent")
