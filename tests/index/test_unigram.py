"""The fast question tokenizer gives the converted tokenizer's ids, or declines; its cached file."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from eval.dataset import load_questions
from index.conversion import QUERY_PROMPT, read_manifest
from index.unigram import (
    VOCABULARY_FILE,
    QuestionTokenizer,
    UnigramVocabulary,
    ensure_vocabulary,
    load_vocabulary,
)

pytestmark = pytest.mark.slow  # reads the converted model's tokenizer

CORPUS = Path(__file__).resolve().parents[2] / "data" / "corpus"


@pytest.fixture(scope="module")
def converted(default_embedder) -> Path:
    """The converted model folder the default embedder runs (built by the session fixture)."""
    return Path(default_embedder._tokenizer_path).parent


@pytest.fixture(scope="module")
def reference(default_embedder):
    """The converted tokenizer (`tokenizers`) as the embedder reads it for passages."""
    return default_embedder._tokenizer


@pytest.fixture(scope="module")
def fast(default_embedder) -> QuestionTokenizer:
    """The question tokenizer the embedder was loaded with."""
    assert default_embedder._questions is not None
    return default_embedder._questions


def _texts() -> list[str]:
    texts = [QUERY_PROMPT + q.question for name in ("gold", "debian") for q in load_questions(name)]
    for path in sorted(CORPUS.rglob("*")):
        if path.suffix in (".txt", ".md", ".html"):
            text = path.read_text(encoding="utf-8", errors="ignore")
            texts += [text[i : i + 160] for i in range(0, len(text), 400)]
    rng = random.Random(5)
    alphabet = [chr(c) for c in range(0x20, 0x300)] + [chr(c) for c in range(0x2000, 0x20D0)] + list("\t\n\x01")
    french = "aeéèêàçœ  ’'-–,.?!€%0123456789\u00a0\u202fxyzAZ"
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30))) for _ in range(3000)]
    texts += ["".join(rng.choice(french) for _ in range(rng.randint(1, 40))) for _ in range(3000)]
    return texts + ["  double  espace ", " x", "x ", "\x01\x02déb", "½ ﬁn", "9,7 M€ en 2020 ?"]


def test_every_text_it_accepts_gets_exactly_the_converted_tokenizers_ids(fast, reference):
    texts = _texts()
    accepted = [t for t in texts if fast.encode(t) is not None]
    assert len(accepted) > 0.8 * len(texts)  # the fast path is the usual path
    questions = [t for t in texts if t.startswith(QUERY_PROMPT)]
    assert all(fast.encode(q) is not None for q in questions)  # every gold and Debian question
    wrong = [t for t in accepted if fast.encode(t) != reference.encode(t).ids]
    assert wrong == []


@pytest.mark.parametrize("text", [
    "<s> balise", "cafe\u0301 décomposé", "emoji 🙂 ici", "ligne\r\nsuivante", "한국어", "",
    "zéro\u200djoint",
])
def test_it_declines_what_only_the_full_tokenizer_does_exactly(fast, text):
    # special tokens written out, graphemes of several code points, scripts it does not vet
    assert fast.encode(text) is None


def test_query_vectors_are_the_same_with_and_without_it(default_embedder):
    questions = [QUERY_PROMPT + q.question for q in load_questions("gold")[:20]]
    texts = [q.removeprefix(QUERY_PROMPT) for q in questions] + ["emoji 🙂 et <s>"]
    fast_vectors = default_embedder.embed_queries(texts)
    saved = default_embedder._questions
    try:
        default_embedder._questions = None
        full_vectors = default_embedder.embed_queries(texts)
    finally:
        default_embedder._questions = saved
    np.testing.assert_array_equal(fast_vectors, full_vectors)


def test_a_new_embedder_answers_queries_without_reading_the_full_tokenizer(settings):
    from index.embedder import _load_uncached

    embedder = _load_uncached(settings.embedding_model, settings.embedding_backend, settings.cache_dir)
    embedder.embed_queries(["Quel était le budget du Health Data Hub en 2020 ?"])
    assert embedder._full_tokenizer is None  # the 1-1.6 s `tokenizers` load is not on the question path
    embedder.count_tokens("Un passage.")
    assert embedder._full_tokenizer is not None


def test_a_damaged_or_foreign_vocabulary_file_is_rebuilt(converted, tmp_path):
    build_id = str(read_manifest(converted)["build_id"])
    written = ensure_vocabulary(tmp_path, build_id)
    path = tmp_path / VOCABULARY_FILE
    assert load_vocabulary(path, build_id) is not None
    assert load_vocabulary(path, "another-conversion") is None  # made for another converted model
    path.write_bytes(path.read_bytes()[:1000])  # truncated
    assert load_vocabulary(path, build_id) is None
    rebuilt = ensure_vocabulary(tmp_path, build_id)
    assert rebuilt.sorted_pieces == written.sorted_pieces and load_vocabulary(path, build_id) is not None


def test_the_file_round_trips_and_the_viterbi_picks_the_best_path(tmp_path):
    # ids 0-3: <s>, <pad>, </s>, <unk>; then "a", "ab", "▁", "▁a"
    vocabulary = UnigramVocabulary(
        ["a", "ab", "▁", "▁a"], [4, 5, 6, 7], [0.0, 0.0, 0.0, 0.0, -1.0, -2.0, -1.5, -1.8],
        {0x41: "a", 0x2: ""}, "ab▁", 0, 2, 1, 3, {"format": 1, "build_id": "x"},
    )
    vocabulary.save(tmp_path / "v.npz")
    assert UnigramVocabulary.load(tmp_path / "v.npz") == vocabulary
    fast = QuestionTokenizer(vocabulary)
    # « A\x02b » -> « ab » -> « ▁ab »: "▁" + "ab" (-3.5) beats "▁a" + <unk> for "b" (-1.8 - 12)
    assert fast.encode("A\x02b") == [0, 6, 5, 2]
    # « c » occurs in no piece: an <unk> of its own after the best path of « ▁a » ("▁a", -1.8)
    assert fast.encode("ac") == [0, 7, 3, 2]
    # no piece covers « b » alone: « ▁ab » + two <unk> for « bb », fused into one
    assert fast.encode("abbb") == [0, 6, 5, 3, 2]
