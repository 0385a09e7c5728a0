"""Retrieval: `POST /v1/retrieve`, the scored passages of a question with their metadata."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from assistant.api import Assistant
from ui.http.auth import require_reader
from ui.http.routes.common import bot_of, check_documents, check_question, service_of
from ui.http.schemas import RetrieveOut, RetrieveRequest, error_responses

router = APIRouter(tags=["retrieval"], dependencies=[Depends(require_reader)])


@router.post(
    "/v1/retrieve", response_model=RetrieveOut, summary="Chercher les passages d'une question",
    responses=error_responses(401, 404, 413, 422, 503),
)
def retrieve(request: Request, body: RetrieveRequest, bot: Annotated[Assistant, Depends(bot_of)]) -> dict[str, Any]:
    """The top-`k` passages after hybrid fusion and the sentence-level rerank, best first."""
    question = check_question(request, body.question)
    documents = check_documents(bot, body.documents)
    version = bot.snapshot.version
    with service_of(request).answer_slots:
        passages = bot.retrieve(question, k=body.k, documents=documents)
    return {"index_version": version, "passages": [p.to_dict() for p in passages]}
