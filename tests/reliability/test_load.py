"""Questions from several threads while another process re-indexes (short, not timed).

A small run of `eval.bench.run_load`: 4 threads share one `Assistant` over a
copy of the session's index while `assistant ingest` runs once in another
process on a changed copy of the corpus. No latency is asserted (that is the
benchmark's job); what is asserted is that nothing fails and that every
answer is consistent with the one index version it names.
"""

from __future__ import annotations

import pytest

from eval.bench.load import LoadReport, run_load

pytestmark = pytest.mark.slow  # re-indexes with the real French model while answering


def test_questions_keep_being_answered_consistently_during_a_reindex(
    settings, default_embedder, bundled_index
):
    report: LoadReport = run_load(
        settings.model_copy(update={"index_dir": bundled_index}),
        threads=4,
        seconds=600,  # a safety cap: the run stops once the re-index is done
        reindex_runs=1,
        min_questions=20,
        idle_questions=4,
        embedder=default_embedder,
    )
    assert report.errors == []
    assert report.reindex_ok == 1 and report.reindex_failed == []
    assert report.answered >= 20
    # Answers came from the build copied at the start and from the new build.
    assert len(report.builds_published) == 1
    assert report.builds_published[0] in report.versions_seen
    assert len(report.versions_seen) == 2
    # Every answer's citations belong to the version it names.
    assert report.inconsistent == []
    assert report.unverified == 0 and report.checked == report.answered
