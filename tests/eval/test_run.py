"""The evaluation run: floors checked on the test split's interval bounds, per-split
summaries, and `assistant eval --corpus D --index I` evaluating THAT index."""

from __future__ import annotations

import json

import pytest

from eval.run import Floors, check_floors, floor_status, load_floors, split_figures, summarise
from ui.cli import main as cli_main


def figure(mean: float, low: float, high: float) -> dict:
    return {"mean": mean, "low": low, "high": high, "n": 100, "method": "wilson"}


FLOORS = Floors(split="test", floors={"hit@1": 0.70}, ceilings={"false_abstention_rate": 0.20})


def test_a_floor_is_checked_against_the_lower_bound_not_the_mean():
    holds = {"split": "test", "metrics": {"hit@1": figure(0.78, 0.71, 0.84),
                                          "false_abstention_rate": figure(0.1, 0.05, 0.18)}}
    assert check_floors(holds, FLOORS) == []
    crossed = {"split": "test", "metrics": {"hit@1": figure(0.78, 0.69, 0.84),  # mean well above 0.70
                                            "false_abstention_rate": figure(0.1, 0.05, 0.18)}}
    assert check_floors(crossed, FLOORS) == ["hit@1: lower bound 0.690 (mean 0.780) < floor 0.700"]


def test_a_ceiling_is_checked_against_the_upper_bound():
    summary = {"split": "test", "metrics": {"hit@1": figure(0.78, 0.71, 0.84),
                                            "false_abstention_rate": figure(0.15, 0.1, 0.22)}}
    assert check_floors(summary, FLOORS) == [
        "false_abstention_rate: upper bound 0.220 (mean 0.150) > ceiling 0.200"]


def test_only_the_test_split_of_a_whole_run_is_gated():
    summary = {"split": "all", "metrics": {"hit@1": figure(0.9, 0.85, 0.95),
                                           "false_abstention_rate": figure(0.05, 0.02, 0.1)},
               "by_split": {"dev": {"hit@1": figure(0.95, 0.9, 0.98), "false_abstention_rate": figure(0, 0, 0.05)},
                            "test": {"hit@1": figure(0.7, 0.6, 0.8), "false_abstention_rate": figure(0.2, 0.1, 0.3)}}}
    assert split_figures(summary, "test") is summary["by_split"]["test"]
    assert len(check_floors(summary, FLOORS)) == 2  # the whole set's fine figures do not hide the test split's
    with pytest.raises(ValueError, match="'test' split"):
        check_floors({"split": "dev", "metrics": summary["by_split"]["dev"]}, FLOORS)


def test_a_new_metric_is_gated_by_a_line_in_the_floors_file_alone():
    floors = Floors("test", {"sentence_precision": 0.8}, {"answer_length_ratio": 1.5})
    summary = {"split": "test", "metrics": {"sentence_precision": figure(0.9, 0.75, 0.95)}}
    assert check_floors(summary, floors) == [
        "sentence_precision: lower bound 0.750 (mean 0.900) < floor 0.800",
        "answer_length_ratio: not measured on the test split"]
    assert [line["holds"] for line in floor_status(summary, floors)] == [False, False]


def gate_rows(false_abstentions: int, answerable: int = 135) -> list[dict]:
    """Test-split rows of answerable questions, `false_abstentions` of them declined."""
    return [{"id": f"t{i}", "type": "factual", "split": "test", "latency": 0.1,
             "false_abstention_rate": float(i < false_abstentions)} for i in range(answerable)]


def test_ci_fails_when_the_gates_test_split_false_abstentions_rise_above_the_committed_ceiling():
    floors = load_floors()
    ceiling_only = Floors(floors.split, {}, floors.ceilings)
    today = summarise(gate_rows(21)) | {"split": "test"}  # 21 of 135, as measured on 2026-12-01
    assert check_floors(today, ceiling_only) == []
    worse = summarise(gate_rows(24)) | {"split": "test"}  # three more answerable questions declined
    [failure] = check_floors(worse, ceiling_only)
    assert failure.startswith("false_abstention_rate: upper bound")


def test_the_committed_floors_gate_the_test_split_and_name_measured_metrics():
    from eval.run import HEADLINE_METRICS

    floors = load_floors()
    assert floors.split == "test"
    assert {"hit@1", "abstention_precision", "abstention_recall"} <= set(floors.floors)
    assert "false_abstention_rate" in floors.ceilings
    assert set(floors.floors) | set(floors.ceilings) <= set(HEADLINE_METRICS)


def test_summaries_of_a_whole_run_hold_each_split_with_intervals():
    rows = [{"id": f"q{i}", "type": "factual", "split": "dev" if i % 2 else "test", "latency": 0.1,
             "hit@1": float(i % 3 == 0)} for i in range(20)]
    summary = summarise(rows)
    assert set(summary["by_split"]) == {"dev", "test"}
    assert summary["by_split"]["test"]["n"] == 10
    test_hits = [r["hit@1"] for r in rows if r["split"] == "test"]
    assert summary["by_split"]["test"]["hit@1"]["mean"] == pytest.approx(sum(test_hits) / 10)
    assert summary["by_split"]["test"]["hit@1"]["method"] == "wilson"
    assert "by_split" not in summarise([r for r in rows if r["split"] == "test"])

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


@pytest.mark.slow
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
