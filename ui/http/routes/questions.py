"""Questions: `POST /v1/ask` (the cited answer), OpenAI's `POST /v1/chat/completions` and `GET /v1/models`.

The chat endpoint follows OpenAI's chat completion format closely enough for
its official Python client: the last user message is the question, earlier
user/assistant pairs the history; `stream: true` sends server-sent events,
`chat.completion.chunk` objects (the role first, then the text, then a last
chunk with `finish_reason: "stop"` and the citations), an optional usage
chunk with empty `choices` (`stream_options.include_usage`), then
`data: [DONE]`. The text carries the `[n]` markers; the message (or the last
chunk's delta) carries `citations`, and the response the extensions
`index_version`, `abstained` and `notes`.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse

from assistant.api import Assistant
from assistant.models import Answer
from ui.http.auth import require_reader
from ui.http.errors import ServiceError
from ui.http.routes.common import bot_of, check_documents, check_question, service_of
from ui.http.schemas import (
    MODEL_PREFIX,
    AnswerOut,
    AskRequest,
    ChatCompletion,
    ChatMessage,
    ChatRequest,
    ModelCard,
    ModelList,
    error_responses,
)

router = APIRouter(tags=["questions"], dependencies=[Depends(require_reader)])
STARTED = int(time.time())


def record(request: Request, answer: Answer) -> None:
    service_of(request).metrics.answers.labels(mode=answer.mode, abstained=str(answer.abstained).lower()).inc()


@router.post(
    "/v1/ask", response_model=AnswerOut, summary="Poser une question (réponse citée)",
    responses=error_responses(401, 404, 413, 422, 503),
)
def ask(request: Request, body: AskRequest, bot: Annotated[Assistant, Depends(bot_of)]) -> dict[str, Any]:
    """The answer, each sentence cited `[n]`, as `assistant ask --json` prints it."""
    question = check_question(request, body.question)
    documents = check_documents(bot, body.documents)
    history = [turn.model_dump() for turn in body.history[-service_of(request).config.max_history_turns:]]
    with service_of(request).answer_slots:
        answer = bot.ask(question, history=history, documents=documents, k=body.k)
    record(request, answer)
    return answer.to_dict()


# ------------------------------------------------------------------ OpenAI API

def available_models(bot: Assistant) -> list[str]:
    """The model names this server answers to: its own mode (the generative one needs a chat model)."""
    return [MODEL_PREFIX + bot.mode]


@router.get("/v1/models", response_model=ModelList, summary="Modèles (modes de réponse) disponibles",
            responses=error_responses(401, 503))
def models(bot: Annotated[Assistant, Depends(bot_of)]) -> ModelList:
    return ModelList(data=[ModelCard(id=name, created=STARTED) for name in available_models(bot)])


def text_of(message: ChatMessage) -> str:
    """A message's text (string content, or the text parts of a list)."""
    if isinstance(message.content, str):
        return message.content
    return "\n".join(part.text or "" for part in message.content or [] if part.type == "text")


def split_conversation(messages: list[ChatMessage], max_turns: int) -> tuple[str, list[dict[str, str]]]:
    """(the question, the history) of a chat: the last user message, earlier user/assistant pairs."""
    spoken = [m for m in messages if m.role in ("user", "assistant")]
    if not spoken or spoken[-1].role != "user":
        raise ServiceError(422, "invalid_request",
                           "Le dernier message doit être celui de l'utilisateur (role « user ») : c'est la question.")
    history: list[dict[str, str]] = []
    for message in spoken[:-1]:
        if message.role == "user":
            history.append({"question": text_of(message), "answer": ""})
        elif history:
            history[-1]["answer"] = text_of(message)
    return text_of(spoken[-1]), history[-max_turns:]


def usage(bot: Assistant, question: str, text: str) -> dict[str, int]:
    """Token counts with the embedding model's tokenizer (the only one the assistant has)."""
    prompt, completion = bot.embedder.count_tokens(question), bot.embedder.count_tokens(text)
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def extensions(answer: Answer) -> dict[str, Any]:
    """What the assistant adds to OpenAI's format: the short answer, the parts, the
    confidence, the index version."""
    data = answer.to_dict()
    return {"index_version": answer.index_version, "abstained": answer.abstained, "notes": list(answer.notes),
            "confidence": answer.confidence, "short": data["short"], "parts": data["parts"]}


@router.post(
    "/v1/chat/completions", response_model=ChatCompletion, summary="Chat compatible OpenAI (avec citations)",
    responses={**error_responses(401, 404, 413, 422, 503),
               200: {"content": {"text/event-stream": {}}, "description": "Réponse, ou flux SSE si stream"}},
)
def chat_completions(
    request: Request, body: ChatRequest, bot: Annotated[Assistant, Depends(bot_of)]
) -> Any:
    """OpenAI's chat completion: `model` names the mode (`assistant-sante-extractive`)."""
    names = available_models(bot)
    if body.model not in names:
        raise ServiceError(404, "model_not_found",
                           f"Modèle inconnu : « {body.model[:80]} ». Modèles disponibles : {', '.join(names)}.")
    question, history = split_conversation(body.messages, service_of(request).config.max_history_turns)
    check_question(request, question)
    documents = check_documents(bot, body.documents)
    completion_id = "chatcmpl-" + secrets.token_hex(12)
    created = int(time.time())
    slots = service_of(request).answer_slots
    if not body.stream:
        with slots:
            answer = bot.ask(question, history=history, documents=documents)
        record(request, answer)
        citations = [c.to_dict() for c in answer.citations]
        return {
            "id": completion_id, "object": "chat.completion", "created": created, "model": body.model,
            "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                         "message": {"role": "assistant", "content": answer.text, "citations": citations}}],
            "usage": usage(bot, question, answer.text), **extensions(answer),
        }

    stream = bot.stream(question, history=history, documents=documents)
    pieces = iter(stream)
    with slots:
        first = next(pieces, "")  # computes the answer here: a bad question is a 4xx, not a broken stream
    include_usage = bool(body.stream_options and body.stream_options.include_usage)

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        payload: dict[str, Any] = {
            "id": completion_id, "object": "chat.completion.chunk", "created": created, "model": body.model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}], **extra,
        }
        if include_usage:
            payload.setdefault("usage", None)
        return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"

    def events() -> Iterator[str]:
        yield chunk({"role": "assistant", "content": ""})
        if first:
            yield chunk({"content": first})
        for piece in pieces:
            yield chunk({"content": piece})
        answer = stream.answer
        assert answer is not None
        record(request, answer)
        yield chunk({"citations": [c.to_dict() for c in answer.citations]}, "stop", **extensions(answer))
        if include_usage:
            final = {"id": completion_id, "object": "chat.completion.chunk", "created": created,
                     "model": body.model, "choices": [], "usage": usage(bot, question, answer.text)}
            yield f"data: {json.dumps(final, ensure_ascii=False)}\n\n"
        yield "data: [DONE]\n\n"

    return StreamingResponse(
        events(), media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )

