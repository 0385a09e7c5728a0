"""Per-row activation quantisation (`quantize_rows`) on a small synthetic graph.

The graph has the shapes of a BERT block's projections: one activation feeding
two weight MatMuls (like Q/K/V sharing one quantised input), a bias Add, and a
second MatMul fed by their sum. No model is loaded, so these tests are quick;
the real model's graph and vectors are checked in `test_embedder.py`.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from index.onnx_backend import build_once, quantize_rows  # noqa: E402

HIDDEN, INNER = 32, 48


def _fp32_model(path: Path) -> None:
    rng = np.random.default_rng(7)
    weights = {
        "w_a": rng.normal(0, 0.2, (HIDDEN, INNER)),
        "w_b": rng.normal(0, 0.2, (HIDDEN, INNER)),
        "bias": rng.normal(0, 0.1, INNER),
        "w_out": rng.normal(0, 0.2, (INNER, HIDDEN)),
    }
    nodes = [
        helper.make_node("MatMul", ["x", "w_a"], ["a"], name="a/MatMul"),
        helper.make_node("MatMul", ["x", "w_b"], ["b"], name="b/MatMul"),
        helper.make_node("Add", ["a", "bias"], ["a_biased"], name="a/Add"),
        helper.make_node("Add", ["a_biased", "b"], ["h"], name="sum"),
        helper.make_node("MatMul", ["h", "w_out"], ["y"], name="out/MatMul"),
    ]
    graph = helper.make_graph(
        nodes,
        "block",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", "tokens", HIDDEN])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", "tokens", HIDDEN])],
        [numpy_helper.from_array(v.astype(np.float32), k) for k, v in weights.items()],
    )
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> dict[str, Path]:
    """The fp32 graph, its `quantize_dynamic` int8 (per tensor) and that int8 rewritten per row."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    folder = tmp_path_factory.mktemp("rowwise")
    paths = {name: folder / f"{name}.onnx" for name in ("fp32", "per_tensor", "per_row")}
    _fp32_model(paths["fp32"])
    quantize_dynamic(
        str(paths["fp32"]), str(paths["per_tensor"]),
        weight_type=QuantType.QInt8, per_channel=True, reduce_range=True,
    )
    model = onnx.load(str(paths["per_tensor"]))
    assert quantize_rows(model) == 2  # one DynamicQuantizeLinear for x, one for h
    onnx.save(model, str(paths["per_row"]))
    return paths


def _run(path: Path, x: np.ndarray) -> np.ndarray:
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL  # as the embedder
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    return session.run(None, {"x": x.astype(np.float32)})[0]


def _batch() -> tuple[np.ndarray, np.ndarray]:
    """One 'text' of 5 tokens, and a batch holding it beside a loud, longer neighbour."""
    rng = np.random.default_rng(11)
    text = rng.normal(0, 1, (1, 5, HIDDEN))
    neighbour = rng.normal(0, 1, (1, 5, HIDDEN)) * 40  # activations 40x larger
    return text, np.concatenate([text, neighbour, -text[:, ::-1]], axis=0)


def test_rewritten_graph_quantises_each_row_with_fused_matmuls(models):
    ops = Counter(node.op_type for node in onnx.load(str(models["per_row"])).graph.node)
    before = Counter(node.op_type for node in onnx.load(str(models["per_tensor"])).graph.node)
    assert before["DynamicQuantizeLinear"] == 2 and before["MatMulInteger"] == 3
    assert ops["DynamicQuantizeLinear"] == 0 and ops["MatMulInteger"] == 0 and ops["Cast"] == 0
    assert ops["MatMulIntegerToFloat"] == 3 and ops["QuantizeLinear"] == 2 and ops["ReduceMax"] == 2


def test_a_row_no_longer_depends_on_its_batch_mates(models):
    text, batch = _batch()
    # The per-tensor model shows the problem the rewrite removes (so this test can fail).
    alone = _run(models["per_tensor"], text)[0]
    batched = _run(models["per_tensor"], batch)[0]
    assert np.abs(alone - batched).max() > 1e-2 * np.abs(alone).max()

    alone = _run(models["per_row"], text)[0]
    batched = _run(models["per_row"], batch)[0]
    np.testing.assert_allclose(batched, alone, rtol=1e-5, atol=1e-6 * np.abs(alone).max())


def test_per_row_results_stay_close_to_fp32(models):
    _, batch = _batch()
    reference = _run(models["fp32"], batch)
    ours = _run(models["per_row"], batch)
    rows_ref, rows_ours = reference.reshape(-1, HIDDEN), ours.reshape(-1, HIDDEN)
    cos = np.sum(rows_ref * rows_ours, axis=1) / (
        np.linalg.norm(rows_ref, axis=1) * np.linalg.norm(rows_ours, axis=1)
    )
    assert cos.min() >= 0.999, cos


def test_unexpected_patterns_are_refused():
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 4])
    graph = helper.make_graph(
        [
            helper.make_node("DynamicQuantizeLinear", ["x"], ["q", "s", "z"]),
            helper.make_node("Cast", ["q"], ["y"], to=TensorProto.FLOAT),
        ],
        "odd",
        [x],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 4])],
    )
    with pytest.raises(ValueError, match="MatMulInteger"):
        quantize_rows(helper.make_model(graph))
    plain = helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "plain", [x],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 4])])
    assert quantize_rows(helper.make_model(plain)) == 0


def test_build_once_builds_in_a_fresh_staging_folder_only_when_needed(tmp_path):
    folder = tmp_path / "onnx"
    folder.mkdir()
    (folder / ".build-crashed").mkdir()  # left by a build that died
    target = folder / "model.onnx"
    stagings: list[Path] = []

    def build(staging: Path) -> None:
        stagings.append(staging)
        assert staging.parent == folder and staging.name.startswith(".build-") and not any(staging.iterdir())
        (staging / "model.onnx").write_text("built")
        (staging / "model.onnx").replace(target)

    build_once(target.exists, build, folder, ".build-", lock_timeout=5)
    assert target.read_text() == "built" and len(stagings) == 1
    assert not list(folder.glob(".build-*"))  # the crashed one and its own staging are gone
    build_once(target.exists, build, folder, ".build-", lock_timeout=5)
    assert len(stagings) == 1  # current: not built again

    def failing(staging: Path) -> None:
        (staging / "half-written").write_text("x")
        raise RuntimeError("export failed")

    with pytest.raises(RuntimeError, match="export failed"):
        build_once(lambda: False, failing, folder, ".build-", lock_timeout=5)
    assert not list(folder.glob(".build-*")) and target.read_text() == "built"  # nothing half-written left
