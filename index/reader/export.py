"""Merge the reader's adapter into the converted e5-small and export it to ONNX (fp32 and int8), cached.

`ensure_reader_onnx(base_dir, adapter, int8)` returns the cached file,
building it when missing: merged weights (W + scale * B @ A, see
`index.reader.network`), `torch.onnx.export` of the cross-encoder (inputs
`input_ids`, `attention_mask`; output `logit`), then the project's int8 recipe
(`index.onnx_backend.quantize_int8`). Files live in
`<cache_dir>/models/reader-<adapter sha256[:16]>-<base build id[:8]>.onnx/`,
each with a sidecar JSON naming its key; written aside and renamed under a
file lock.

`python -m index.reader.export` builds both files and measures their
fidelity against the training framework (the peft model with the adapter
loaded, unmerged) on PIAF dev pairs, and the int8 reader's PIAF metrics;
the figures are added to the artefact's `reader.json`.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index.conversion import read_manifest
from index.reader.data import file_sha256

log = logging.getLogger(__name__)

READER_ONNX_FORMAT = 1  # bump when the export or quantisation recipe changes
FP32_FILE = "reader.onnx"
INT8_FILE = "reader-int8.onnx"
_OPSET = 17


def reader_onnx_dir(base_dir: Path, adapter: Path) -> Path:
    """The cache directory of the ONNX files for this base model build and adapter."""
    manifest = read_manifest(base_dir) or {}
    build = str(manifest.get("build_id", "unknown"))[:8]
    return base_dir.parent / f"reader-{file_sha256(adapter)[:16]}-{build}.onnx"


def export_fp32(base_dir: Path, adapter: Path, dest: Path) -> None:
    """Export the merged cross-encoder (logit output) to ONNX at `dest`."""
    import torch

    from index.reader.network import merged_cross_encoder

    model = merged_cross_encoder(base_dir, adapter)
    ids = torch.tensor([[0, 6, 7, 8, 2, 2, 9, 2], [0, 9, 2, 2, 10, 2, 1, 1]])
    mask = torch.tensor([[1, 1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 0, 0]])
    axes = {0: "batch", 1: "sequence"}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the legacy exporter's notes on traced shape checks
        torch.onnx.export(
            model,
            (ids, mask),
            str(dest),
            input_names=["input_ids", "attention_mask"],
            output_names=["logit"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "logit": {0: "batch"}},
            opset_version=_OPSET,
            dynamo=False,
        )


def _current(path: Path, key: str) -> bool:
    from index.onnx_backend import sidecar_matches

    return sidecar_matches(path, {"format": READER_ONNX_FORMAT, "key": key})


def ensure_reader_onnx(base_dir: Path, adapter: Path, int8: bool = True, lock_timeout: float = 600.0) -> Path:
    """Path of the cached merged reader (fp32 or int8), exporting it if needed."""
    from index.onnx_backend import build_once, publish_with_sidecar, quantize_int8

    manifest = read_manifest(base_dir)
    if manifest is None:
        raise FileNotFoundError(f"{base_dir} n'a pas de manifeste : convertissez d'abord le modèle.")
    key = f"{manifest['build_id']}:{file_sha256(adapter)}"
    out_dir = reader_onnx_dir(base_dir, adapter)
    target = out_dir / (INT8_FILE if int8 else FP32_FILE)

    def build(staging: Path) -> None:
        fp32 = out_dir / FP32_FILE
        if not _current(fp32, key):
            fp32 = staging / FP32_FILE
            log.info("Exporting the sentence reader to ONNX (%s)", out_dir.name)
            export_fp32(base_dir, adapter, fp32)
        built = fp32
        if int8:
            built = staging / INT8_FILE
            quantize_int8(fp32, built)
        publish_with_sidecar(built, target, {"format": READER_ONNX_FORMAT, "key": key}, staging)

    out_dir.mkdir(parents=True, exist_ok=True)
    build_once(lambda: _current(target, key), build, out_dir, ".build-", lock_timeout)
    return target


def training_framework_scorer(base_dir: Path, adapter: Path) -> Callable[[str, Sequence[str]], np.ndarray]:
    """`(question, sentences) -> logits` from the peft model with the adapter loaded (not merged)."""
    import torch

    from index.reader.model import EncodingConfig, PairEncoder, read_adapter_metadata
    from index.reader.train import TrainConfig, build_model

    meta = read_adapter_metadata(adapter)
    config = TrainConfig(
        lora_r=int(meta["lora_r"]), lora_alpha=int(meta["lora_alpha"]), init_adapter=str(adapter)
    )
    model, _ = build_model(base_dir, config)
    model.eval()
    encoder = PairEncoder(base_dir / "tokenizer.json", EncodingConfig.from_metadata(meta))

    def logits(question: str, sentences: Sequence[str]) -> np.ndarray:
        ids, mask = encoder.pad(encoder.encode(question, sentences))
        with torch.no_grad():
            return model(torch.from_numpy(ids), torch.from_numpy(mask)).numpy().astype(np.float64)

    return logits


def compare(reference: Sequence[np.ndarray], other: Sequence[np.ndarray]) -> dict[str, float]:
    """Agreement of per-question logit arrays: probability/logit gaps, top-1 and pairwise order."""
    from index.reader.model import sigmoid

    prob_gap = logit_gap = 0.0
    top1 = pairs = agree = 0
    for ref, oth in zip(reference, other):
        prob_gap = max(prob_gap, float(np.max(np.abs(sigmoid(ref) - sigmoid(oth)))))
        logit_gap = max(logit_gap, float(np.max(np.abs(ref - oth))))
        top1 += int(np.argmax(ref) == np.argmax(oth))
        for i in range(len(ref)):
            for j in range(i + 1, len(ref)):
                if ref[i] != ref[j]:
                    pairs += 1
                    agree += int((ref[i] > ref[j]) == (oth[i] > oth[j]))
    return {
        "questions": len(reference),
        "max_abs_prob_diff": round(prob_gap, 5),
        "max_abs_logit_diff": round(logit_gap, 5),
        "top1_agreement": round(top1 / max(1, len(reference)), 4),
        "pairwise_order_agreement": round(agree / max(1, pairs), 4),
    }


def fidelity(base_dir: Path, adapter: Path, groups: Sequence[Any]) -> dict[str, dict[str, float]]:
    """Merged ONNX fp32 / int8 (one batch per question, and int8 one sentence per run) vs peft scores."""
    from index.reader.model import EncodingConfig, SentenceReader, read_adapter_metadata

    reference_fn = training_framework_scorer(base_dir, adapter)
    encoding = EncodingConfig.from_metadata(read_adapter_metadata(adapter))
    reference = [reference_fn(g.question, g.sentences) for g in groups]
    out: dict[str, dict[str, float]] = {}
    for label, int8 in (("onnx_fp32", False), ("onnx_int8", True)):
        path = ensure_reader_onnx(base_dir, adapter, int8=int8)
        reader = SentenceReader(path, base_dir / "tokenizer.json", encoding, model_id=label, threads=2)
        scores = [reader.logits(g.question, g.sentences).astype(np.float64) for g in groups]
        out[label] = compare(reference, scores)
        if int8:
            alone = [
                np.array([reader.logits(g.question, [s])[0] for s in g.sentences], dtype=np.float64)
                for g in groups
            ]
            out["onnx_int8_one_per_run"] = compare(reference, alone)
            out["onnx_int8_batch_vs_alone"] = compare(alone, scores)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: export, fidelity on PIAF dev pairs, int8 PIAF metrics; figures added to reader.json."""
    from index.conversion import ensure_converted_model
    from index.reader.data import load_piaf
    from index.reader.metrics import evaluate_groups
    from index.reader.model import ADAPTER_FILE, ARTEFACT_DIR, CARD_JSON, load_reader
    from index.reader.train import write_card

    parser = argparse.ArgumentParser(prog="python -m index.reader.export", description=__doc__.splitlines()[0])
    parser.add_argument("--artefacts", type=Path, default=ARTEFACT_DIR)
    parser.add_argument("--cache-dir", type=Path, default=None)
    parser.add_argument("--fidelity-questions", type=int, default=40, help="questions dev comparées")
    parser.add_argument("--eval-limit", type=int, default=150, help="questions dev/test évaluées au plus (0 : toutes)")
    parser.add_argument("--no-metrics", action="store_true", help="sans les métriques PIAF du modèle int8")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.cache_dir is None:
        from index.config import environment_cache_dir

        args.cache_dir = environment_cache_dir()
    adapter = args.artefacts / ADAPTER_FILE
    base_dir = ensure_converted_model(args.cache_dir)
    card_path = args.artefacts / CARD_JSON
    record = json.loads(card_path.read_text(encoding="utf-8"))
    embedder = None
    if "e5" in record["data"]["hard_negatives"]:
        from index.embedder import load_embedder

        embedder = load_embedder(backend="onnx-int8", cache_dir=args.cache_dir)
    data = load_piaf(
        seed=record["data"]["split_seed"],
        embedder=embedder,
        hard_per_question=record["hyperparameters"]["hard_mined"],
    )
    started = time.perf_counter()
    for int8 in (False, True):
        ensure_reader_onnx(base_dir, adapter, int8=int8)
    export_seconds = time.perf_counter() - started
    result: dict[str, Any] = {"export_seconds": round(export_seconds, 1)}
    result["fidelity_piaf_dev"] = fidelity(base_dir, adapter, data.groups["dev"][: args.fidelity_questions])
    print(json.dumps(result, indent=2), file=sys.stderr, flush=True)
    if not args.no_metrics:
        reader = load_reader(args.cache_dir, args.artefacts, int8=True, threads=2)
        assert reader is not None
        limit = args.eval_limit or None
        result["metrics_onnx_int8"] = {
            split: evaluate_groups(reader.score, data.groups[split][:limit]) for split in ("dev", "test")
        }
        result["metrics_onnx_int8_questions_limit"] = limit
    record["onnx"] = result
    write_card(args.artefacts, record)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
