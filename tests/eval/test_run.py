"""`assistant eval --corpus D --index I` evaluates THAT index, not the bundled one."""

from __future__ import annotations

import json

import pytest

from ui.cli import main as cli_main

pytestmark = pytest.mark.slow

DOCUMENT = (
    "# Le dispensaire de Vals\n\n"
    "Le dispensaire de Vals a ouvert en mars 1987 dans l'ancienne école du village. "
    "Il accueille chaque semaine une quarantaine de patients venus des hameaux voisins.\n"
)
QUESTION = {
    "id": "v-001",
    "question": "Quand le dispensaire de Vals a-t-il ouvert ?",
    "reference_answer": "En mars 1987.",
    "documents": ["dispensaire"],
    "evidence": [{"document": "dispensaire", "quote": "Le dispensaire de Vals a ouvert en mars 1987"}],
    "type": "factual",
    "answerable": True,
    "language": "fr",
    "history": [],
    "split": "test",
    "notes": "",
}


def test_eval_uses_the_corpus_and_index_given_on_the_command_line(tmp_path, settings, monkeypatch):
    monkeypatch.setenv("ASSISTANT_CACHE_DIR", str(settings.cache_dir))
    corpus, index, reports = tmp_path / "corpus", tmp_path / "index", tmp_path / "reports"
    corpus.mkdir()
    (corpus / "dispensaire.md").write_text(DOCUMENT, encoding="utf-8")
    questions = tmp_path / "vals.jsonl"
    questions.write_text(json.dumps(QUESTION, ensure_ascii=False) + "\n", encoding="utf-8")

    code = cli_main(["eval", "--set", str(questions), "--corpus", str(corpus), "--index", str(index),
                     "--out", str(reports)])

    assert code == 0
    assert (index / "CURRENT").is_file()  # the index was built where we said
    [folder] = list(reports.iterdir())
    row = json.loads((folder / "results.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert row["retrieved_docs"] and set(row["retrieved_docs"]) == {"dispensaire"}
    assert row["hit@1"] == 1.0
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["n"] == 1
