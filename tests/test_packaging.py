"""The package as users get it: a wheel installed in a fresh virtual environment, and its data.

The slow test builds the wheel from a copy of the source tree, installs it
(without its dependencies: the venv sees this machine's, so torch is not
installed twice) into a new `python -m venv --system-site-packages`, and asks
a question from another working directory with the `assistant` command of
that venv: the index is built from the corpus shipped in the wheel, under
the user's data directory, and nothing is written inside the package.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from assistant.paths import bundled_corpus, package_dir

ROOT = Path(__file__).resolve().parents[1]
IGNORED = shutil.ignore_patterns(".git", "build", "dist", "var", "*.egg-info", "__pycache__",
                                 ".pytest_cache", ".venv", "test-artifacts")
QUESTION = "Quel budget pour le Health Data Hub en 2020 ?"


def test_the_bundled_corpus_is_package_data_found_through_importlib_resources():
    corpus = bundled_corpus()
    assert sorted(p.name for p in corpus.glob("*.txt")) == sorted(
        p.name for p in (ROOT / "data" / "corpus").glob("*.txt"))
    assert (package_dir() / "corpus").exists()  # in a checkout, a link to data/corpus


def test_pyproject_package_data_names_only_files_that_exist():
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    for package, patterns in config["tool"]["setuptools"]["package-data"].items():
        for pattern in patterns:
            assert list((ROOT / package).glob(pattern)), f"{package}: {pattern} matches nothing"


def test_every_package_is_marked_typed():
    for package in ("assistant", "index", "ingest", "eval", "ui"):
        assert (ROOT / package / "py.typed").is_file()


def test_default_paths_are_under_the_user_data_directory_not_the_source_tree(monkeypatch, tmp_path):
    from assistant.settings import Settings

    for name in [n for n in os.environ if n.startswith("ASSISTANT_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("ASSISTANT_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    settings = Settings()
    home = tmp_path / "data" / "assistant-sante"
    assert settings.index_dir == home / "index"
    assert settings.feedback_file == home / "feedback.jsonl"
    assert settings.reports_dir == home / "reports"
    assert settings.conversations_file == home / "conversations.sqlite3"
    assert settings.corpus_dir == bundled_corpus()


def test_calibrate_writes_into_the_user_data_directory_by_default(monkeypatch, tmp_path):
    import inspect

    from assistant.paths import default_calibration_file
    from eval.calibrate import calibrate

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert inspect.signature(calibrate).parameters["out"].default is None  # resolved at call time
    assert default_calibration_file() == tmp_path / "data" / "assistant-sante" / "gate_calibration.json"
    assert package_dir() not in default_calibration_file().parents


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if "__pycache__" not in p.parts}


@pytest.mark.slow
def test_the_wheel_installs_in_a_fresh_venv_and_answers_from_another_directory(tmp_path, settings):
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, symlinks=True, ignore=IGNORED)
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps",
                    "--no-build-isolation", "--no-index", "-q", "-w", str(dist)], check=True, cwd=tmp_path)
    [wheel] = dist.glob("assistant_sante-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "assistant/corpus/kratz-hayot-ia-et-data-en-sante.txt" in names
    assert "assistant/py.typed" in names and "assistant/gate_calibration.json" in names

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    python, command = venv / "bin" / "python", venv / "bin" / "assistant"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--ignore-installed",
                    "--no-index", str(wheel)], check=True)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_") and k != "PYTHONPATH"}
    env |= {"XDG_DATA_HOME": str(tmp_path / "data"), "ASSISTANT_CACHE_DIR": str(settings.cache_dir),
            "HF_HUB_OFFLINE": "1"}
    where = subprocess.run([str(python), "-c", "import assistant; print(assistant.__file__)"],
                           cwd=elsewhere, env=env, capture_output=True, text=True, check=True)
    installed = Path(where.stdout.strip()).parent
    assert installed.is_relative_to(venv) and "site-packages" in installed.parts
    before = _files(installed)

    asked = subprocess.run([str(command), "ask", QUESTION, "--json", "-q"], cwd=elsewhere, env=env,
                           capture_output=True, text=True, timeout=1200)
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert not answer["abstained"] and "9,7" in answer["text"]
    assert answer["citations"][0]["doc_id"] == "aec-partners-2020-ia-industries-de-sante"

    assert (tmp_path / "data" / "assistant-sante" / "index" / "CURRENT").is_file()
    assert _files(installed) == before  # no index, calibration or corpus change in the package
    assert not _files(elsewhere)  # nothing dropped in the working directory

    refused = subprocess.run([str(command), "docs", "rm", "kratz-hayot-ia-et-data-en-sante"],
                             cwd=elsewhere, env=env, capture_output=True, text=True)
    assert refused.returncode == 2 and "n'est pas modifiable" in refused.stderr
    assert (installed / "corpus" / "kratz-hayot-ia-et-data-en-sante.txt").is_file()
