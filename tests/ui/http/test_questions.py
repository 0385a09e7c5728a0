"""`/v1/ask`, `/v1/retrieve`, `/v1/models` and the OpenAI-compatible `/v1/chat/completions` in process."""

from __future__ import annotations

import json

import openai
import pytest

from tests.ui.http.conftest import QUESTION

MODEL = "assistant-sante-extractive"


def sse_events(text: str) -> list[str]:
    """The `data:` payloads of a server-sent event stream, in order."""
    return [line[len("data: "):] for line in text.split("\n") if line.startswith("data: ")]


def test_ask_returns_the_cited_answer_as_the_cli_json_prints_it(client):
    response = client.post("/v1/ask", json={"question": QUESTION})
    assert response.status_code == 200
    answer = response.json()
    assert not answer["abstained"]
    assert "9,7 millions" in answer["text"] and "[1]" in answer["text"]
    first = answer["citations"][0]
    assert first["doc_id"] == "rapport" and first["section"].endswith("Budget")
    assert first["passage"][first["start"]:first["end"]] in first["quote"]
    assert answer["index_version"] == client.get("/readyz").json()["index_version"]
    # every field of Answer.to_dict() is there, so new fields flow through unchanged
    assert {"question", "text", "abstained", "citations", "see_also", "mode", "confidence", "notes",
            "resolved_question", "index_version", "timings", "short", "parts"} <= set(answer)


def test_ask_and_chat_carry_the_short_answer_quoted_from_its_citation(client):
    answer = client.post("/v1/ask", json={"question": QUESTION}).json()
    short = answer["short"]
    assert short is not None and "9,7" in short["text"]
    assert short["text"] in answer["citations"][short["citation"] - 1]["quote"]
    assert [part["answered"] for part in answer["parts"]] == [True]
    chat = client.post("/v1/chat/completions", json={
        "model": MODEL, "messages": [{"role": "user", "content": QUESTION}]}).json()
    assert chat["short"] == short and chat["parts"][0]["answered"] is True


def test_ask_abstains_on_a_question_the_corpus_does_not_answer(client):
    answer = client.post("/v1/ask", json={"question": "Quelle est la capitale de l'Australie ?"}).json()
    assert answer["abstained"] and answer["citations"] == []


def test_ask_follows_the_history_and_the_document_filter(client):
    only_robots = client.post("/v1/ask", json={"question": "Quel coût ?", "documents": ["robotique"]}).json()
    assert all(c["doc_id"] == "robotique" for c in only_robots["citations"] + only_robots["see_also"])
    follow = client.post("/v1/ask", json={
        "question": "Et ses missions ?",
        "history": [{"question": QUESTION, "answer": "Le budget était de 9,7 millions d'euros. [1]"}],
    })
    assert follow.status_code == 200 and follow.json()["resolved_question"]


def test_retrieve_returns_scored_passages_best_first_with_metadata(client):
    body = client.post("/v1/retrieve", json={"question": "robots chirurgicaux hôpitaux", "k": 2}).json()
    passages = body["passages"]
    assert 1 <= len(passages) <= 2
    assert passages[0]["doc_id"] == "robotique"
    assert [p["score"] for p in passages] == sorted((p["score"] for p in passages), reverse=True)
    assert {"chunk_id", "title", "section", "page", "text", "start", "end", "sources"} <= set(passages[0])
    assert body["index_version"]


def test_models_lists_the_mode_of_the_server(client):
    body = client.get("/v1/models").json()
    assert body["object"] == "list" and [m["id"] for m in body["data"]] == [MODEL]


def test_chat_completion_carries_markers_in_content_and_citations_in_the_message(client):
    response = client.post("/v1/chat/completions", json={
        "model": MODEL, "temperature": 0.2, "messages": [
            {"role": "system", "content": "Réponds en français."},
            {"role": "user", "content": [{"type": "text", "text": QUESTION}]},
        ]})
    assert response.status_code == 200
    body = response.json()
    assert body["object"] == "chat.completion" and body["id"].startswith("chatcmpl-")
    choice = body["choices"][0]
    assert choice["finish_reason"] == "stop" and choice["message"]["role"] == "assistant"
    assert "[1]" in choice["message"]["content"]
    assert choice["message"]["citations"][0]["number"] == 1
    usage = body["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"] > 0
    assert body["abstained"] is False and body["index_version"]
    # the answer's confidence, as /v1/ask gives it for the same question
    assert "confidence" in body
    assert body["confidence"] == client.post("/v1/ask", json={"question": QUESTION}).json()["confidence"]


def test_chat_uses_earlier_turns_as_history(client):
    body = client.post("/v1/chat/completions", json={"model": MODEL, "messages": [
        {"role": "user", "content": QUESTION},
        {"role": "assistant", "content": "Le budget était de 9,7 millions d'euros en 2020. [1]"},
        {"role": "user", "content": "Et ses missions ?"},
    ]}).json()
    assert body["choices"][0]["message"]["content"]


def test_chat_stream_follows_openai_chunk_format_and_ends_with_done(client):
    response = client.post("/v1/chat/completions", json={
        "model": MODEL, "stream": True, "stream_options": {"include_usage": True},
        "messages": [{"role": "user", "content": QUESTION}]})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = sse_events(response.text)
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    assert {c["id"] for c in chunks} == {chunks[0]["id"]}
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    with_choices = [c for c in chunks if c["choices"]]
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in with_choices)
    assert "9,7 millions" in text and "[1]" in text
    last = with_choices[-1]
    assert last["choices"][0]["finish_reason"] == "stop"
    assert last["choices"][0]["delta"]["citations"][0]["doc_id"] == "rapport"
    assert all(c["choices"][0]["finish_reason"] is None for c in with_choices[:-1])
    usage_chunk = chunks[-1]
    assert usage_chunk["choices"] == [] and usage_chunk["usage"]["completion_tokens"] > 0
    assert all(c["usage"] is None for c in chunks[:-1])


def test_stream_without_include_usage_has_no_usage_field(client):
    response = client.post("/v1/chat/completions", json={
        "model": MODEL, "stream": True, "messages": [{"role": "user", "content": QUESTION}]})
    chunks = [json.loads(e) for e in sse_events(response.text)[:-1]]
    assert all("usage" not in c for c in chunks) and all(c["choices"] for c in chunks)


def test_a_bad_streamed_question_is_a_4xx_not_a_broken_stream(client):
    response = client.post("/v1/chat/completions", json={
        "model": MODEL, "stream": True, "messages": [{"role": "user", "content": "   "}]})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_question"


@pytest.mark.parametrize("messages, code", [
    ([{"role": "assistant", "content": "Bonjour"}], "invalid_request"),
    ([{"role": "user", "content": QUESTION}, {"role": "assistant", "content": "…"}], "invalid_request"),
    ([{"role": "robot", "content": QUESTION}], "invalid_request"),
])
def test_chat_refuses_a_conversation_without_a_final_user_message(client, messages, code):
    response = client.post("/v1/chat/completions", json={"model": MODEL, "messages": messages})
    assert response.status_code == 422 and response.json()["error"]["code"] == code


def test_an_unknown_model_is_404_naming_the_available_ones(client):
    response = client.post("/v1/chat/completions", json={
        "model": "gpt-4o", "messages": [{"role": "user", "content": QUESTION}]})
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "model_not_found" and MODEL in error["message"]


def test_the_official_openai_client_gets_a_cited_answer_in_process(client):
    bot = openai.OpenAI(base_url=str(client.base_url) + "/v1", api_key="inutile", http_client=client)
    completion = bot.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": QUESTION}])
    message = completion.choices[0].message
    assert "[1]" in message.content and completion.choices[0].finish_reason == "stop"
    assert message.model_extra["citations"][0]["doc_id"] == "rapport"

    stream = bot.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": QUESTION}], stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert "9,7 millions" in text
    finals = [c for c in chunks if c.choices and c.choices[0].finish_reason == "stop"]
    assert finals and finals[0].choices[0].delta.model_extra["citations"]
    assert chunks[-1].usage is not None and chunks[-1].usage.total_tokens > 0


def test_the_openai_client_shows_the_french_error_message(client):
    bot = openai.OpenAI(base_url=str(client.base_url) + "/v1", api_key="inutile", http_client=client,
                        max_retries=0)
    with pytest.raises(openai.NotFoundError) as raised:
        bot.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": QUESTION}])
    assert "Modèle inconnu" in str(raised.value)


@pytest.mark.parametrize("slots", [1, 2])
def test_at_most_max_concurrent_answers_are_computed_at_once(service_client, slots):
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    client = service_client(max_concurrent_answers=slots)
    bot = client.app.state.service.bot
    real_ask, running, peak, lock = bot.ask, [0], [0], threading.Lock()

    def counting_ask(*args, **kwargs):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.15)
        try:
            return real_ask(*args, **kwargs)
        finally:
            with lock:
                running[0] -= 1

    bot.ask = counting_ask
    with ThreadPoolExecutor(6) as pool:
        statuses = list(pool.map(lambda _: client.post("/v1/ask", json={"question": QUESTION}).status_code, range(6)))
    assert statuses == [200] * 6
    assert peak[0] == slots


def test_a_generative_server_names_its_mode_and_answers_through_the_guards(service_client, monkeypatch):
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    from assistant.api import Assistant
    from tests.ui.http import conftest

    reply = "Le budget du Health Data Hub était de 9,7 millions d'euros en 2020 [1]."
    base = conftest.fake_factory

    def generative(settings):
        return Assistant(settings, base(settings).embedder, llm=FakeListChatModel(responses=[reply]),
                         mode="generative")

    monkeypatch.setattr(conftest, "fake_factory", generative)
    client = service_client()
    generative_model = "assistant-sante-generative"
    assert [m["id"] for m in client.get("/v1/models").json()["data"]] == [generative_model]
    body = client.post("/v1/chat/completions", json={
        "model": generative_model, "messages": [{"role": "user", "content": QUESTION}]}).json()
    assert body["choices"][0]["message"]["content"] == reply
    assert body["choices"][0]["message"]["citations"][0]["doc_id"] == "rapport"
    refused = client.post("/v1/chat/completions", json={"model": MODEL, "messages": [{"role": "user", "content": QUESTION}]})
    assert refused.status_code == 404
