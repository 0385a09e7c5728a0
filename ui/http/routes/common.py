"""What the routers share: reaching the service, checking a question and a document filter."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import Request

from assistant.api import Assistant
from ui.http.errors import ServiceError
from ui.http.service import Service


def service_of(request: Request) -> Service:
    return request.app.state.service


def bot_of(request: Request) -> Assistant:
    """The loaded assistant (503 while the service is starting)."""
    return service_of(request).ready_bot()


def check_question(request: Request, question: str) -> str:
    """Refuse a question longer than the CLI's limit (empty ones are the core's `QuestionError`)."""
    limit = service_of(request).config.max_question_chars
    if len(question.strip()) > limit:
        raise ServiceError(
            422, "question_too_long",
            f"Question trop longue ({len(question.strip())} caractères) : {limit} caractères au plus.",
        )
    return question


def check_documents(bot: Assistant, documents: Sequence[str] | None) -> list[str] | None:
    """The document filter, each id known to the index (`DocumentNotFound` otherwise); None: all."""
    if not documents:  # the schemas refuse an empty list
        return None
    bot.check_documents(documents)
    return list(documents)
