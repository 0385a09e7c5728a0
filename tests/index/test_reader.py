"""The answer-sentence reader: PIAF preparation, a tiny training run, ONNX export fidelity, loading."""

from __future__ import annotations

import itertools
import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from index.reader.data import (
    answer_sentence,
    load_piaf,
    split_articles,
)
from index.reader.metrics import auc, evaluate_groups, expected_calibration_error, reliability_bins
from index.reader.model import load_reader

ROOT = Path(__file__).resolve().parents[2]
# 30 PIAF articles, two paragraphs each (tests/index/data/README.md): the tests run on
# any checkout, with or without the full file beside the project.
PIAF_EXCERPT = Path(__file__).resolve().parent / "data" / "piaf-excerpt.json"


def _piaf() -> Path:
    return PIAF_EXCERPT


@pytest.fixture(scope="module")
def small_piaf():
    """Three articles per split, BM25 hard negatives."""
    return load_piaf(_piaf(), articles_limit=3)


def test_split_is_by_article_seeded_and_complete():
    titles = [f"article {i}" for i in range(50)]
    first = split_articles(titles, seed=3)
    assert first == split_articles(list(reversed(titles)), seed=3)  # input order does not matter
    assert first != split_articles(titles, seed=4)
    assert sorted(itertools.chain(*first.values())) == sorted(titles)
    assert not set(first["train"]) & set(first["dev"])
    assert not set(first["dev"]) & set(first["test"])
    assert (len(first["train"]), len(first["dev"]), len(first["test"])) == (40, 5, 5)


def test_questions_follow_their_article_never_split(small_piaf):
    raw = json.loads(_piaf().read_text(encoding="utf-8"))
    article_of = {qa["id"]: a["title"] for a in raw["data"] for p in a["paragraphs"] for qa in p["qas"]}
    for split, groups in small_piaf.groups.items():
        assert groups, split
        for group in groups:
            assert article_of[group.qid] == group.article
            assert group.article in small_piaf.articles[split]
    seen = [g.qid for groups in small_piaf.groups.values() for g in groups]
    assert len(seen) == len(set(seen))


def test_positive_is_the_sentence_holding_the_answer(small_piaf):
    raw = json.loads(_piaf().read_text(encoding="utf-8"))
    answers = {qa["id"]: qa["answers"][0]["text"] for a in raw["data"] for p in a["paragraphs"] for qa in p["qas"]}
    for groups in small_piaf.groups.values():
        for group in groups:
            assert sum(group.labels) == 1
            positive = group.sentences[group.labels.index(1)]
            answer = answers[group.qid]
            assert answer[: min(len(answer), 12)] in positive or answer in " ".join(group.sentences)
            for sentence, kind in zip(group.sentences, group.kinds):
                if kind == "hard":  # another paragraph's sentence, never holding the answer
                    assert answer.casefold() not in sentence.casefold()
            assert group.kinds.count("hard") <= 4 and "para" in group.kinds


def test_preparation_is_deterministic_and_recorded(small_piaf):
    again = load_piaf(_piaf(), articles_limit=3)
    assert [g.sentences for g in again.groups["train"]] == [g.sentences for g in small_piaf.groups["train"]]
    record = small_piaf.record()
    assert len(record["file_sha256"]) == 64
    assert record["splits"]["dev"]["questions"] == len(small_piaf.groups["dev"])


def test_answer_sentence_boundaries():
    spans = [(0, 10), (11, 20), (21, 30)]
    assert answer_sentence(spans, 12, 3) == (1, {1})
    assert answer_sentence(spans, 10, 3) == (1, {1})  # starts in the blank: the next sentence
    assert answer_sentence(spans, 8, 6) == (0, {0, 1})  # crosses a boundary
    assert answer_sentence(spans, 40, 2) == (-1, set())


def test_metrics_on_a_perfect_and_a_reversed_scorer(small_piaf):
    groups = small_piaf.groups["dev"][:10]

    def perfect(question, sentences):
        group = next(g for g in groups if g.question == question and g.sentences == list(sentences))
        return np.asarray(group.labels, dtype=float)

    metrics = evaluate_groups(perfect, groups)
    assert metrics["sentence@1_paragraph"] == metrics["sentence@1_hard"] == metrics["auc"] == 1.0
    reversed_metrics = evaluate_groups(lambda q, s: 1.0 - perfect(q, s), groups)
    assert reversed_metrics["sentence@1_hard"] == 0.0 and reversed_metrics["auc"] == 0.0
    assert auc(np.array([0.1, 0.1]), np.array([1, 0])) == 0.5


def test_load_reader_returns_none_without_artefact(tmp_path, caplog):
    with caplog.at_level(logging.INFO, logger="index.reader.model"):
        assert load_reader(tmp_path / "cache", artefact_dir=tmp_path) is None
    assert "aucun adaptateur" in caplog.text


# --------------------------------------------------------------------------- model-backed
@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory, small_piaf):
    """A few training steps on a few PIAF questions, exported into a throw-away cache."""
    pytest.importorskip("peft", reason="training needs the 'train' extra (pip install -e '.[train]')")
    from assistant.settings import Settings
    from index.conversion import CONVERTED_DIR_NAME, ensure_converted_model
    from index.reader.model import PairEncoder
    from index.reader.train import (
        TrainConfig,
        build_model,
        save_artefact,
        seed_everything,
        train,
    )

    real_base = ensure_converted_model(Settings().cache_dir)
    cache = tmp_path_factory.mktemp("reader-cache")
    (cache / "models").mkdir()
    # The converted model is shared (read-only); the reader's ONNX files go to the throw-away cache.
    (cache / "models" / CONVERTED_DIR_NAME).symlink_to(real_base, target_is_directory=True)
    base = ensure_converted_model(cache)
    config = TrainConfig(groups_per_batch=2, learning_rate=1e-3, max_length=64, threads=2, dense_mining=False)
    groups = [g.subset(2, 1) for g in small_piaf.groups["train"][:6]]
    seed_everything(config.seed, config.threads)
    model, peft_bert = build_model(base, config)
    encoder = PairEncoder(base / "tokenizer.json", config.encoding())
    result = train(model, encoder, groups, config, progress=False)
    out = tmp_path_factory.mktemp("reader-artefact")
    adapter = save_artefact(model, peft_bert, config, out)
    yield {"cache": cache, "base": base, "out": out, "adapter": adapter, "result": result, "groups": groups}
    shutil.rmtree(cache / "models", ignore_errors=True)  # ~600 MB of ONNX files


@pytest.mark.slow
def test_tiny_training_writes_a_small_adapter_that_loads_and_scores(tiny_run):
    from index.reader.network import read_adapter
    from index.reader.train import TrainConfig

    assert tiny_run["result"].steps == 3 and not tiny_run["result"].stopped_early
    tensors, meta = read_adapter(tiny_run["adapter"])
    assert tiny_run["adapter"].stat().st_size < 5_000_000
    lora_b = [t for k, t in tensors.items() if k.endswith(".B")]
    assert len(lora_b) == (12 - TrainConfig().lora_first_layer) * 6 and all(float(t.abs().sum()) > 0 for t in lora_b)  # trained, not the zero init
    assert meta["max_length"] == "64"
    reader = load_reader(tiny_run["cache"], artefact_dir=tiny_run["out"])
    assert reader is not None
    group = tiny_run["groups"][0]
    probs = reader.score(group.question, group.sentences)
    assert probs.shape == (len(group.sentences),) and np.all((probs > 0) & (probs < 1))
    assert reader.score(group.question, []).shape == (0,)


@pytest.mark.slow
def test_export_is_faithful_to_the_training_framework(tiny_run):
    from index.reader.export import fidelity

    report = fidelity(tiny_run["base"], tiny_run["adapter"], tiny_run["groups"])
    assert report["onnx_fp32"]["max_abs_prob_diff"] < 1e-4
    assert report["onnx_fp32"]["top1_agreement"] == 1.0
    assert report["onnx_int8"]["max_abs_prob_diff"] < 0.03
    assert report["onnx_int8"]["pairwise_order_agreement"] >= 0.9


@pytest.mark.slow
def test_runtime_path_does_not_import_torch(tiny_run):
    load_reader(tiny_run["cache"], artefact_dir=tiny_run["out"])  # make sure the ONNX file is cached
    code = (
        "import sys; from pathlib import Path; from index.reader.model import load_reader;"
        f"r = load_reader(Path({str(tiny_run['cache'])!r}), artefact_dir=Path({str(tiny_run['out'])!r}));"
        "p = r.score('Quand ?', ['En 2020.', 'Hier soir il pleuvait.']);"
        "print(len(p), 'torch' in sys.modules)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, env=env, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-2:] == ["2", "False"]


def test_reliability_bins_and_ece_over_equal_width_bins():
    probs, labels = [0.0, 0.05, 0.55, 0.6, 1.0], [0, 0, 1, 0, 1]
    bins = reliability_bins(probs, labels, bins=2)
    assert [(b.low, b.high, b.n) for b in bins] == [(0.0, 0.5, 2), (0.5, 1.0, 3)]  # 1.0 falls in the last bin
    assert bins[1].mean_probability == pytest.approx(0.7167, abs=1e-4) and bins[1].observed_rate == pytest.approx(2 / 3)
    assert expected_calibration_error(probs, labels, bins=2) == pytest.approx((2 * 0.025 + 3 * (0.7167 - 2 / 3)) / 5, abs=1e-4)
    empty = reliability_bins([0.9], [1], bins=4)
    assert [b.n for b in empty] == [0, 0, 0, 1] and empty[0].mean_probability is None
