"""Kept conversations in the chat page: stored, listed after a reload, reopened, exported, cleared."""

from __future__ import annotations

import pytest

from tests.ui.conftest import ask, open_app
from tests.ui.helpers import all_markdown
from ui.conversations import ConversationStore

pytestmark = pytest.mark.slow

QUESTION = "Quel budget pour le Health Data Hub en 2020 ?"


def store(env) -> ConversationStore:
    return ConversationStore(env / "conversations.sqlite3")


def test_a_question_is_kept_and_the_conversation_reopens_after_a_reload(bundled_env):
    at = ask(open_app(), QUESTION)
    assert not at.exception, at.exception
    asked = at.session_state["messages"][-1]["answer"]
    [kept] = store(bundled_env).conversations()
    assert kept.title == QUESTION and kept.turns == 1

    reloaded = open_app()  # a new session: nothing in memory
    assert not reloaded.exception, reloaded.exception
    assert reloaded.session_state["messages"] == []
    reloaded.button(key=f"open-{kept.id}").click().run()

    messages = reloaded.session_state["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert messages[1]["answer"] == asked  # citations included
    assert reloaded.session_state["conversation_id"] == kept.id
    assert [m.name for m in reloaded.chat_message] == ["user", "assistant"]
    assert "9,7 M€" in all_markdown(reloaded.chat_message[1]).replace("\\", "")
    assert len(reloaded.chat_message[1].expander) == len(asked.citations)  # the source cards


def test_a_reopened_conversation_offers_its_markdown_and_json_exports(bundled_env):
    ask(open_app(), QUESTION)
    [kept] = store(bundled_env).conversations()
    at = open_app()
    at.button(key=f"open-{kept.id}").click().run()
    labels = [element.proto.label for element in at.get("download_button")]
    assert labels == ["Markdown", "JSON"]


def test_following_up_a_reopened_conversation_adds_to_it(bundled_env):
    ask(open_app(), QUESTION)
    [kept] = store(bundled_env).conversations()
    at = open_app()
    at.button(key=f"open-{kept.id}").click().run()
    ask(at, "Et pour la plateforme des données de santé ?")
    assert not at.exception, at.exception
    [again] = store(bundled_env).conversations()
    assert again.id == kept.id and again.turns == 2


def test_clear_history_deletes_every_kept_conversation(bundled_env):
    ask(open_app(), QUESTION)
    at = open_app()
    assert store(bundled_env).conversations()
    at.button(key="clear-history").click().run()
    assert not at.exception, at.exception
    assert store(bundled_env).conversations() == []
    assert any("Historique effacé" in s.value for s in at.success)
    assert "Aucune conversation enregistrée" in " ".join(c.value for c in at.sidebar.caption)
