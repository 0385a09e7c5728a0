"""The torch cross-encoder (BERT, mean pooling, linear head) and its adapter file format.

The adapter file (`reader-adapter.safetensors`) holds only what training
changed: for each adapted linear layer `m` of the converted BertModel,
`lora.<m>.A` (r x in) and `lora.<m>.B` (out x r), plus `head.weight` /
`head.bias`. Its metadata records the LoRA scale and the pair encoding.
Merging is plain arithmetic: W' = W + scale * B @ A.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

ADAPTER_FORMAT = "1"
_LORA_MODULES = r"(attention\.self\.(query|key|value)|attention\.output\.dense|intermediate\.dense|output\.dense)"


def lora_targets(first_layer: int, layers: int = 12) -> str:
    """peft regex selecting the attention and FFN linear layers of layers `first_layer`..`layers - 1`."""
    indices = "|".join(str(i) for i in range(first_layer, layers))
    return rf".*encoder\.layer\.({indices})\.{_LORA_MODULES}"


class CrossEncoder(torch.nn.Module):
    """Question/sentence pair -> one logit: BERT, mean over the pair's tokens, a linear head."""

    def __init__(self, bert: torch.nn.Module, hidden: int) -> None:
        super().__init__()
        self.bert = bert
        self.head = torch.nn.Linear(hidden, 1)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
        return self.head(pooled).squeeze(-1)


def load_base_bert(model_dir: Path, attention: str = "eager") -> torch.nn.Module:
    """The converted e5-small BertModel (eager attention exports to ONNX; sdpa trains faster)."""
    from transformers import BertModel

    return BertModel.from_pretrained(str(model_dir), attn_implementation=attention, local_files_only=True)


def adapter_tensors(peft_bert: torch.nn.Module, head: torch.nn.Linear) -> dict[str, torch.Tensor]:
    """LoRA factors (named after the base module) and the head, detached, contiguous fp32."""
    out: dict[str, torch.Tensor] = {}
    for name, param in peft_bert.named_parameters():
        for part, key in ((".lora_A.default.weight", "A"), (".lora_B.default.weight", "B")):
            if name.endswith(part):
                module = name[: -len(part)].removeprefix("base_model.model.")
                out[f"lora.{module}.{key}"] = param.detach().float().contiguous().clone()
    out["head.weight"] = head.weight.detach().float().contiguous().clone()
    out["head.bias"] = head.bias.detach().float().contiguous().clone()
    return out


def read_adapter(path: Path) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    """Tensors and metadata of an adapter file."""
    from safetensors import safe_open

    with safe_open(str(path), framework="pt") as handle:
        meta = dict(handle.metadata() or {})
        tensors = {key: handle.get_tensor(key) for key in handle.keys()}  # noqa: SIM118 (not a mapping)
    if meta.get("format") != ADAPTER_FORMAT:
        raise ValueError(f"adapter format {meta.get('format')!r}, expected {ADAPTER_FORMAT}")
    return tensors, meta


def merged_cross_encoder(model_dir: Path, adapter_path: Path) -> CrossEncoder:
    """The base BertModel with the LoRA deltas added to its weights, and the head loaded."""
    tensors, meta = read_adapter(adapter_path)
    scale = float(meta["lora_scale"])
    bert = load_base_bert(model_dir)
    modules = dict(bert.named_modules())
    with torch.no_grad():
        for key, a in tensors.items():
            if not (key.startswith("lora.") and key.endswith(".A")):
                continue
            name = key[len("lora.") : -len(".A")]
            b = tensors[f"lora.{name}.B"]
            linear = modules[name]
            linear.weight += scale * (b @ a)
    model = CrossEncoder(bert, int(bert.config.hidden_size))
    model.head.load_state_dict({"weight": tensors["head.weight"], "bias": tensors["head.bias"]})
    return model.eval()


def load_adapter_into(peft_bert: torch.nn.Module, head: torch.nn.Linear, path: Path) -> dict[str, Any]:
    """Copy an adapter file's LoRA factors and head into a peft-wrapped model (continued training)."""
    tensors, meta = read_adapter(path)
    params = dict(peft_bert.named_parameters())
    with torch.no_grad():
        for key, value in tensors.items():
            if key.startswith("lora."):
                name, part = key[len("lora.") : -2], key[-1]
                params[f"base_model.model.{name}.lora_{part}.default.weight"].copy_(value)
        head.weight.copy_(tensors["head.weight"])
        head.bias.copy_(tensors["head.bias"])
    return meta
