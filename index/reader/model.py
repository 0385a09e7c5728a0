"""Runtime answer-sentence reader: scores (question, sentence) pairs with the exported ONNX cross-encoder.

`load_reader(cache_dir)` returns a `SentenceReader` (or None, with the reason
logged, when no trained artefact ships); `reader.score(question, sentences)`
gives each sentence's probability of answering the question, all candidates
in one onnxruntime batch. Pair encoding (`PairEncoder`) lives here, in plain
`tokenizers`, and training uses the same code, so train-time and run-time
inputs are identical. Nothing on this path imports torch once the ONNX file
is cached (the first load exports it, which needs torch).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

ARTEFACT_DIR = Path(__file__).resolve().parent / "artefacts"
ADAPTER_FILE = "reader-adapter.safetensors"
CARD_JSON = "reader.json"
QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "


@dataclass(frozen=True)
class EncodingConfig:
    """How a pair becomes token ids (stored in the adapter's metadata)."""

    max_length: int = 128
    max_question_tokens: int = 48
    query_prefix: str = QUERY_PREFIX
    passage_prefix: str = PASSAGE_PREFIX

    def to_metadata(self) -> dict[str, str]:
        return {
            "max_length": str(self.max_length),
            "max_question_tokens": str(self.max_question_tokens),
            "query_prefix": self.query_prefix,
            "passage_prefix": self.passage_prefix,
        }

    @classmethod
    def from_metadata(cls, meta: dict[str, str]) -> EncodingConfig:
        return cls(
            max_length=int(meta["max_length"]),
            max_question_tokens=int(meta["max_question_tokens"]),
            query_prefix=meta["query_prefix"],
            passage_prefix=meta["passage_prefix"],
        )


class PairEncoder:
    """`<s> query: Q </s></s> passage: S </s>` ids, the question capped, the sentence cut to fit."""

    def __init__(self, tokenizer_path: Path, config: EncodingConfig) -> None:
        from tokenizers import Tokenizer

        self.config = config
        self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()
        self.bos_id = self._id("<s>")
        self.eos_id = self._id("</s>")
        self.pad_id = self._id("<pad>")

    def _id(self, token: str) -> int:
        token_id = self._tokenizer.token_to_id(token)
        if token_id is None:
            raise ValueError(f"The tokenizer has no {token} token.")
        return int(token_id)

    def encode(self, question: str, sentences: Sequence[str]) -> list[list[int]]:
        """One id list per sentence, each at most `max_length` long."""
        cfg = self.config
        question_ids = self._tokenizer.encode(cfg.query_prefix + question, add_special_tokens=False).ids
        question_ids = question_ids[: cfg.max_question_tokens]
        room = max(1, cfg.max_length - len(question_ids) - 4)
        encoded = self._tokenizer.encode_batch(
            [cfg.passage_prefix + s for s in sentences], add_special_tokens=False
        )
        head = [self.bos_id, *question_ids, self.eos_id, self.eos_id]
        return [head + e.ids[:room] + [self.eos_id] for e in encoded]

    def pad(self, rows: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
        """(input_ids, attention_mask) int64 arrays padded to the longest row."""
        width = max(len(r) for r in rows)
        ids = np.full((len(rows), width), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for i, row in enumerate(rows):
            ids[i, : len(row)] = row
            mask[i, : len(row)] = 1
        return ids, mask


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Numerically stable logistic function."""
    return 1.0 / (1.0 + np.exp(-np.clip(np.asarray(x, dtype=np.float64), -60.0, 60.0)))


class SentenceReader:
    """Scores candidate sentences against a question with the ONNX cross-encoder.

    `threads` is onnxruntime's intra-op thread count (1 by default: a
    question's 8-12 candidates are one small batch, and the machine is shared).
    """

    def __init__(
        self,
        onnx_path: Path,
        tokenizer_path: Path,
        encoding: EncodingConfig,
        model_id: str,
        threads: int = 1,
        batch_size: int = 32,
    ) -> None:
        import onnxruntime as ort

        self.onnx_path = Path(onnx_path)
        self.model_id = model_id
        self.batch_size = batch_size
        self.encoder = PairEncoder(tokenizer_path, encoding)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        # `InferenceSession.run` is thread-safe: one session serves every thread.
        self._session = ort.InferenceSession(str(self.onnx_path), options, providers=["CPUExecutionProvider"])

    def logits(self, question: str, sentences: Sequence[str]) -> np.ndarray:
        """Raw scores (before the sigmoid), in input order."""
        from index.onnx_backend import length_sorted_batches

        sentences = list(sentences)
        out = np.zeros(len(sentences), dtype=np.float32)
        if not sentences:
            return out
        rows = self.encoder.encode(question, sentences)
        for batch in length_sorted_batches([len(r) for r in rows], self.batch_size):
            ids, mask = self.encoder.pad([rows[i] for i in batch])
            (scores,) = self._session.run(None, {"input_ids": ids, "attention_mask": mask})
            out[batch] = scores.reshape(-1)
        return out

    def score(self, question: str, sentences: Sequence[str]) -> np.ndarray:
        """Probability that each sentence answers the question (float32, input order)."""
        return sigmoid(self.logits(question, sentences)).astype(np.float32)


def read_adapter_metadata(adapter_path: Path) -> dict[str, str]:
    """The string metadata stored in the adapter's safetensors header."""
    from safetensors import safe_open

    with safe_open(str(adapter_path), framework="np") as handle:
        return dict(handle.metadata() or {})


def load_reader(
    cache_dir: Path | None = None,
    artefact_dir: Path | None = None,
    int8: bool = True,
    threads: int = 1,
) -> SentenceReader | None:
    """The reader built from the shipped adapter, or None (reason logged) when there is none.

    The merged model is exported to ONNX (and int8) once, cached under
    `<cache_dir>/models/` keyed by the adapter's hash.
    """
    from index.conversion import ensure_converted_model
    from index.reader.export import ensure_reader_onnx

    artefact_dir = Path(artefact_dir) if artefact_dir is not None else ARTEFACT_DIR
    adapter = artefact_dir / ADAPTER_FILE
    if not adapter.is_file():
        log.info("Lecteur de phrases indisponible : aucun adaptateur entraîné dans %s.", artefact_dir)
        return None
    if cache_dir is None:
        from index.config import environment_cache_dir

        cache_dir = environment_cache_dir()
    started = time.perf_counter()
    try:
        meta = read_adapter_metadata(adapter)
        encoding = EncodingConfig.from_metadata(meta)
    except (OSError, ValueError, KeyError) as error:
        log.warning("Lecteur de phrases indisponible : adaptateur illisible (%s).", error)
        return None
    base_dir = ensure_converted_model(Path(cache_dir))
    onnx_path = ensure_reader_onnx(base_dir, adapter, int8=int8)
    reader = SentenceReader(
        onnx_path,
        base_dir / "tokenizer.json",
        encoding,
        model_id=f"reader:{onnx_path.parent.name}/{onnx_path.name}",
        threads=threads,
    )
    log.info("Sentence reader loaded in %.2f s (%s)", time.perf_counter() - started, onnx_path)
    return reader


def read_card(artefact_dir: Path | None = None) -> dict[str, Any] | None:
    """The shipped model card's JSON (`reader.json`), or None."""
    path = (Path(artefact_dir) if artefact_dir is not None else ARTEFACT_DIR) / CARD_JSON
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


__all__ = [
    "ADAPTER_FILE",
    "ARTEFACT_DIR",
    "EncodingConfig",
    "PairEncoder",
    "SentenceReader",
    "load_reader",
    "read_adapter_metadata",
    "read_card",
    "sigmoid",
]
