"""The gold-set evaluation on the PostgreSQL store is within a point of the files store's."""

from __future__ import annotations

import pytest

from assistant.api import Assistant
from eval.bench.store import ReplayEmbedder
from eval.run import evaluate

pytestmark = pytest.mark.slow  # the real e5 model over the whole gold set, twice

# Headline figures that must agree within TOLERANCE (the list).
COMPARED = ("hit@5", "mrr@10", "key_fact_recall", "abstention_precision", "abstention_recall",
            "false_abstention_rate")
TOLERANCE = 0.01


def test_gold_set_on_postgres_is_within_a_point_of_the_files_store(
    bot, settings, default_embedder, database_url, collection
):
    # The same passages and e5 vectors as the files index (the model is deterministic:
    # re-embedding would give these vectors again, in minutes), so this compares stores.
    files_snapshot = bot.snapshot
    vectors = files_snapshot.vectors(range(files_snapshot.chunk_count))
    replay = ReplayEmbedder(default_embedder, {c.text: v for c, v in zip(files_snapshot.chunks, vectors)})
    pg_settings = settings.model_copy(
        update={"store_backend": "postgres", "database_url": database_url, "collection": collection}
    )
    pg_bot = Assistant(pg_settings, replay)
    report = pg_bot.rebuild()
    assert report.chunk_count == files_snapshot.chunk_count
    assert [c.text for c in pg_bot.snapshot.chunks] == [c.text for c in files_snapshot.chunks]

    files_run = evaluate(settings=settings, bot=bot, write=False)
    pg_run = evaluate(settings=pg_settings, bot=pg_bot, write=False)
    for metric in COMPARED:
        files_value = files_run.summary["metrics"][metric]["mean"]
        pg_value = pg_run.summary["metrics"][metric]["mean"]
        assert abs(pg_value - files_value) <= TOLERANCE, (metric, pg_value, files_value)
