"""The chat page, driven with Streamlit's AppTest over the bundled corpus index."""

from __future__ import annotations

import importlib.util

import pytest

from index.store import FileStore
from tests.ui.conftest import ask, open_app
from tests.ui.helpers import all_markdown, expander_labels
from ui.feedback import read_feedback

pytestmark = pytest.mark.slow

QUESTION = "Quels sont les freins à l'utilisation des données de santé ?"
KRATZ = "kratz-hayot-ia-et-data-en-sante"


def last_answer(at):
    message = at.session_state["messages"][-1]
    assert message["role"] == "assistant"
    return message["answer"]


def test_answer_streams_with_numbered_source_cards(bundled_env):
    at = ask(open_app(), QUESTION)
    assert not at.exception, at.exception
    assert [m.name for m in at.chat_message] == ["user", "assistant"]
    answer = last_answer(at)
    assert not answer.abstained and answer.citations

    reply = at.chat_message[1]
    text = all_markdown(reply)
    assert ":blue-badge[\\[1\\]]" in text  # the [1] marker of the answer
    assert "**Sources**" in text
    # The answer's confidence is the gate's probability, in percent, with what it means.
    captions = [c.value for c in reply.caption]
    assert f"Confiance : {round(100 * answer.confidence)} %" in captions, captions
    labels = expander_labels(reply)
    assert len(labels) == len(answer.citations)
    for number, (label, citation) in enumerate(zip(labels, answer.citations), start=1):
        assert label.startswith(f"**\\[{number}\\]** ")
        assert citation.title.split()[0] in label.replace("\\", "")
    # Opening card 1 shows its passage with the quoted sentence highlighted.
    card = reply.expander[0]
    body = all_markdown(card).replace("\\", "")
    first_span = answer.citations[0].highlights[0] if answer.citations[0].highlights else (
        answer.citations[0].start, answer.citations[0].end)
    quoted = answer.citations[0].passage[first_span[0]:first_span[1]].split("\n")[0].strip()
    assert f":orange-background[**{quoted}" in body
    assert len(at.feedback) == 1


def test_the_short_answer_comes_first_in_bold_with_its_citation(bundled_env):
    at = ask(open_app(), "Quel était le budget du Health Data Hub en 2020 ?")
    assert not at.exception, at.exception
    answer = last_answer(at)
    assert answer.short is not None and answer.short.text == "9,7 M€"
    markdown = [m.value.replace("\\", "") for m in at.chat_message[1].markdown]  # Markdown escapes off
    short = next(i for i, value in enumerate(markdown) if value.startswith("**9,7 M€**"))
    assert f"[{answer.short.citation}]" in markdown[short]
    answer_text = next(i for i, value in enumerate(markdown) if "Health Data Hub" in value and i != short)
    assert short < answer_text  # shown above the cited sentences


def test_a_compound_question_says_how_many_parts_the_reports_cover(bundled_env):
    at = ask(open_app(), "Quand IBM a-t-il inauguré son centre de recherche en IA de Saclay, "
                         "et qui dirige ce centre ?")
    assert not at.exception, at.exception
    reply = at.chat_message[1]
    assert any("Question en 2 parties : 1 partie couverte" in c.value for c in reply.caption)
    assert "Les rapports ne précisent pas" in all_markdown(reply)


def test_off_topic_question_abstains_with_see_also(bundled_env):
    at = ask(open_app(), "Quel temps fera-t-il demain à Paris ?")
    assert not at.exception, at.exception
    answer = last_answer(at)
    assert answer.abstained, f"the gate answered an off-topic question: {answer.text!r}"
    reply = at.chat_message[1]
    assert "Les rapports ne répondent pas" in reply.warning[0].value
    assert "Voir aussi" in all_markdown(reply)
    assert len(expander_labels(reply)) == len(answer.see_also) > 0
    assert "**Sources**" not in all_markdown(reply)
    assert [c.value for c in reply.caption][:1] == [
        f"Probabilité que les rapports répondent : {round(100 * answer.confidence)} %"]


def test_document_filter_limits_the_sources(bundled_env, bundled_index):
    at = open_app()
    assert not at.exception, at.exception
    choice = at.sidebar.multiselect[0]
    titles = {d.doc_id: d.title for d in FileStore(bundled_index).open().manifest.documents}
    assert choice.options == sorted(titles.values(), key=str.lower)  # shown by title
    at = choice.set_value([KRATZ]).run()
    at = ask(at, QUESTION)
    assert not at.exception, at.exception
    answer = last_answer(at)
    cited = [c.doc_id for c in answer.citations] + [p.doc_id for p in answer.see_also]
    assert cited and set(cited) == {KRATZ}


def test_follow_up_question_uses_the_conversation(bundled_env):
    at = ask(open_app(), "Quel est le rôle du Health Data Hub ?")
    at = ask(at, "Et en 2023 ?")
    assert not at.exception, at.exception
    assert len(at.session_state["messages"]) == 4
    follow_up = last_answer(at)
    assert follow_up.question == "Et en 2023 ?"
    assert "Health Data Hub" in follow_up.resolved_question


def test_wordless_question_shows_a_french_warning(bundled_env):
    at = ask(open_app(), "?!? …")
    assert not at.exception, at.exception
    assert "reformulez" in at.warning[0].value
    assert at.session_state["messages"] == []


def test_feedback_is_written_to_the_jsonl_file(bundled_env):
    at = ask(open_app(), QUESTION)
    answer = last_answer(at)
    at = at.feedback[0].set_value(1).run()
    assert not at.exception, at.exception
    records = read_feedback(bundled_env / "feedback.jsonl")
    assert len(records) == 1
    record = records[0]
    assert record["rating"] == "up" and record["question"] == QUESTION
    assert record["answer"] == answer.text
    assert [(c["doc_id"], c["section"], c["page"], c["quote"]) for c in record["citations"]] == [
        (c.doc_id, c.section, c.page, c.quote) for c in answer.citations
    ]
    at = at.feedback[0].set_value(0).run()  # changing one's mind appends a new line
    assert [r["rating"] for r in read_feedback(bundled_env / "feedback.jsonl")] == ["up", "down"]


def test_new_conversation_clears_history(bundled_env):
    at = ask(open_app(), QUESTION)
    assert len(at.chat_message) == 2
    at = next(b for b in at.sidebar.button if b.label == "Nouvelle conversation").click().run()
    assert not at.exception, at.exception
    assert at.session_state["messages"] == [] and len(at.chat_message) == 0


def test_sidebar_shows_index_status_and_extractive_mode_only(bundled_env, settings):
    at = open_app()
    status = all_markdown(at.sidebar)
    assert "**Documents** : 5" in status
    assert "**Passages** :" in status and "**Modèle** :" in status and "**Construit le** :" in status
    assert at.sidebar.radio[0].options == ["Extractif (phrases citées)"]
    assert any("Mode génératif indisponible" in c.value for c in at.sidebar.caption)


def test_generative_mode_is_offered_when_a_model_is_configured(bundled_env, monkeypatch):
    monkeypatch.setenv("ASSISTANT_LLM_PROVIDER", "ollama")
    monkeypatch.setenv("ASSISTANT_LLM_MODEL", "mistral")
    at = open_app()
    assert not at.exception, at.exception
    radio = at.sidebar.radio[0]
    assert radio.options == ["Extractif (phrases citées)", "Génératif (modèle de langue)"]
    at = radio.set_value("generative").run()
    assert not at.exception, at.exception
    if importlib.util.find_spec("langchain_ollama") is None:
        # No chat-model integration installed: the page says so instead of crashing.
        assert "Impossible de préparer l'assistant" in at.error[0].value
    else:
        assert not at.error and at.chat_input
