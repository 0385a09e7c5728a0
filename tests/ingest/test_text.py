"""`fold`, one `str.translate` pass, equals its definition applied to the whole text."""

from __future__ import annotations

import random
import unicodedata
from pathlib import Path

import pytest

from ingest.text import APOSTROPHES, fold

CORPUS = Path(__file__).resolve().parents[2] / "data" / "corpus"


def fold_by_definition(text: str) -> str:
    """Apostrophes unified, case folded, NFKD over the whole text, combining marks dropped, ligatures spelt."""
    decomposed = unicodedata.normalize("NFKD", text.translate(APOSTROPHES).casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.replace("œ", "oe").replace("æ", "ae")


@pytest.mark.parametrize(("text", "folded"), [
    ("Œuvre’s SANTÉ", "oeuvre's sante"), ("Straße", "strasse"), ("ﬁn", "fin"), ("e\u0301\u0327", "e"),
    ("ŉ", "ʼn"), ("", ""), ("ASCII only", "ascii only"),
])
def test_known_foldings(text, folded):
    assert fold(text) == folded == fold_by_definition(text)


def test_fold_equals_its_definition_on_the_corpus_and_on_random_unicode():
    texts = [p.read_text(encoding="utf-8", errors="ignore") for p in CORPUS.rglob("*") if p.suffix in (".md", ".txt", ".html")]
    rng = random.Random(11)
    ranges = [(0, 0x2FFFF), (0x300, 0x36F), (0xC0, 0x17F), (0x1F00, 0x1FFF), (0xAC00, 0xD7A3), (0x2000, 0x20FF)]
    for _ in range(3000):
        texts.append("".join(chr(rng.randint(*rng.choice(ranges))) for _ in range(40)))
    assert all(fold(t) == fold_by_definition(t) for t in texts)
