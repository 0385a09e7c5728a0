"""Request and response bodies of the HTTP API (pydantic), as `/openapi.json` documents them.

Response models allow extra fields: an `Answer` is sent as `Answer.to_dict()`
gives it, so fields the core adds later (a short answer, question parts)
reach clients without this module changing. Request models refuse what
they do not know, except the OpenAI chat request, which accepts and ignores
the sampling options every OpenAI client sends (`temperature`, `top_p`…).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

DOC_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,199}$"
MODEL_PREFIX = "assistant-sante-"


class Strict(BaseModel):
    """A request body: unknown fields and loose types (`"10"` for 10, `0` for false) refused."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Open(BaseModel):
    """A response body (or OpenAI's request): extra fields kept."""

    model_config = ConfigDict(extra="allow")


class OpenStrict(BaseModel):
    """OpenAI's request bodies: unknown options accepted and ignored, known ones typed strictly."""

    model_config = ConfigDict(extra="allow", strict=True)


# ------------------------------------------------------------------ questions

class Turn(Strict):
    """An earlier exchange of the conversation."""

    question: str = Field(max_length=20_000)
    answer: str = Field("", max_length=20_000)


class AskRequest(Strict):
    question: str = Field(description="La question, en français ou en anglais (2 000 caractères au plus).",
                          examples=["Quel budget pour le Health Data Hub en 2020 ?"])
    history: list[Turn] = Field(default_factory=list, description="Échanges précédents, du plus ancien au plus récent.")
    documents: list[str] | None = Field(None, min_length=1, max_length=100,
                                        description="Ne chercher que dans ces documents (identifiants).")
    k: int | None = Field(None, ge=1, le=50, description="Passages considérés.")


class RetrieveRequest(Strict):
    question: str = Field(examples=["interopérabilité des données"])
    k: int = Field(10, ge=1, le=50)
    documents: list[str] | None = Field(None, min_length=1, max_length=100)


class SourceOut(Open):
    doc_id: str
    title: str
    section: str
    page: int | None
    chunk_id: str


class CitationOut(Open):
    number: int
    doc_id: str
    title: str
    section: str
    page: int | None
    quote: str
    passage: str
    start: int
    end: int
    score: float
    chunk_id: str = ""
    highlights: list[tuple[int, int]] = Field(default_factory=list)
    also_in: list[SourceOut] = Field(default_factory=list)


class PassageOut(Open):
    chunk_id: str
    doc_id: str
    title: str
    section: str
    page: int | None
    text: str
    score: float
    start: int
    end: int
    sources: list[SourceOut] = Field(default_factory=list)


class ShortAnswerOut(Open):
    """The exact figure, date or name answering the question, quoted from citation `citation`."""

    text: str
    citation: int


CONFIDENCE_DESCRIPTION = (
    "« confiance » : probabilité calibrée, estimée par le filtre d'abstention, que les rapports répondent "
    "à la question (null : filtre neutre, aucune calibration pour ce modèle d'embedding)."
)


class AnswerPartOut(Open):
    """One question of a compound question: answered (with its citations) or named as not covered."""

    question: str
    answered: bool
    text: str
    citations: list[int] = Field(default_factory=list)
    confidence: float = 0.0
    short: ShortAnswerOut | None = None


class AnswerOut(Open):
    """The answer as `assistant ask --json` prints it."""

    question: str
    text: str
    abstained: bool
    citations: list[CitationOut]
    see_also: list[PassageOut] = Field(default_factory=list)
    mode: str
    confidence: float | None = Field(description=CONFIDENCE_DESCRIPTION)
    short: ShortAnswerOut | None = None
    parts: list[AnswerPartOut] = Field(default_factory=list)
    notes: list[str]
    resolved_question: str = ""
    index_version: str


class RetrieveOut(BaseModel):
    index_version: str
    passages: list[PassageOut]


# ------------------------------------------------------------ OpenAI chat API

class ContentPart(OpenStrict):
    type: str
    text: str | None = None


class ChatMessage(OpenStrict):
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = None


class StreamOptions(OpenStrict):
    include_usage: bool = False


class ChatRequest(OpenStrict):
    """OpenAI's chat completion request; sampling options are accepted and ignored."""

    model: str = Field(MODEL_PREFIX + "extractive", examples=[MODEL_PREFIX + "extractive"])
    messages: list[ChatMessage] = Field(min_length=1, max_length=200)
    stream: bool = False
    stream_options: StreamOptions | None = None
    n: int = Field(1, ge=1, le=1, description="Une seule réponse par requête.")
    documents: list[str] | None = Field(None, min_length=1, max_length=100,
                                        description="Extension : ne chercher que dans ces documents.")


class Usage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class ChatResponseMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str
    citations: list[CitationOut]


class ChatChoice(BaseModel):
    index: int = 0
    message: ChatResponseMessage
    finish_reason: Literal["stop"] = "stop"
    logprobs: None = None


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[ChatChoice]
    usage: Usage
    # Extensions: which index version answered, the assistant's own verdict and its
    # confidence, the short answer and the parts of a compound question.
    index_version: str
    abstained: bool
    notes: list[str]
    confidence: float | None = Field(None, description=CONFIDENCE_DESCRIPTION)
    short: ShortAnswerOut | None = None
    parts: list[AnswerPartOut] = Field(default_factory=list)


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str = "assistant-sante"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


# ------------------------------------------------------------- documents, jobs

class DocumentOut(Open):
    doc_id: str
    title: str
    format: str
    file_name: str
    chunk_count: int
    content_hash: str


class DocumentList(BaseModel):
    index_version: str
    documents: list[DocumentOut]


class JobProgress(BaseModel):
    passages_embedded: int
    attempts: int


class JobOut(BaseModel):
    id: str
    kind: Literal["upload", "delete", "rebuild"]
    target: str
    status: Literal["queued", "running", "succeeded", "failed"]
    message: str
    progress: JobProgress
    created_at: float
    started_at: float | None
    finished_at: float | None
    index_version: str | None
    doc_id: str | None
    error_code: str | None
    details: list[str]


class JobAccepted(BaseModel):
    job: JobOut
    location: str = Field(description="L'adresse où suivre la tâche.")


class JobList(BaseModel):
    jobs: list[JobOut]


class RebuildRequest(Strict):
    full: bool = Field(False, description="Tout réencoder au lieu d'une mise à jour incrémentale.")


class IndexOut(BaseModel):
    index_version: str
    documents: int
    passages: int
    model: str


# --------------------------------------------------------------------- health

class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    status: Literal["ready"] = "ready"
    index_version: str
    documents: int


class ErrorDetail(BaseModel):
    code: str
    message: str
    type: str


class ErrorOut(BaseModel):
    error: ErrorDetail


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error statuses a route may answer."""
    return {status: {"model": ErrorOut} for status in statuses}
