"""The test session is isolated from the developer's machine, and model-backed tests are marked slow."""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass, field
from pathlib import Path


from assistant.settings import Settings
from index.config import default_cache_dir
from tests.conftest import MODEL_CACHE_VARIABLE, isolate_environment
from tests.slow_guard import unmarked_model_tests


def test_no_assistant_variable_of_the_shell_reaches_the_tests():
    assert sorted(n for n in os.environ if n.startswith("ASSISTANT_")) == ["ASSISTANT_CACHE_DIR", "ASSISTANT_CONFIG"]


def test_the_model_cache_is_this_runs_not_the_developers():
    cache = Path(os.environ["ASSISTANT_CACHE_DIR"])
    assert Settings().cache_dir == cache
    if not os.environ.get(MODEL_CACHE_VARIABLE):  # unless a CI step keeps its own cache
        assert cache.name == "model-cache" and cache.parent.name.startswith("assistant-tests-")
        assert cache.resolve() != Path(default_cache_dir()).resolve()


def test_a_local_assistant_toml_is_not_read(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "assistant.toml").write_text("top_k = 3\n", encoding="utf-8")
    assert Settings().top_k != 3


def test_isolation_clears_variables_and_ignores_the_local_file(tmp_path, monkeypatch):
    """The helper itself, on a polluted environment (restored by monkeypatch)."""
    monkeypatch.setenv("ASSISTANT_TOP_K", "3")
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", "/srv/prod-index")
    monkeypatch.setenv("ASSISTANT_CONFIG", str(tmp_path / "prod.toml"))
    monkeypatch.setenv("ASSISTANT_CACHE_DIR", "/home/dev/.cache/assistant-sante")
    monkeypatch.delenv(MODEL_CACHE_VARIABLE, raising=False)
    (tmp_path / "prod.toml").write_text("top_k = 4\n", encoding="utf-8")
    run = tmp_path / "run"
    run.mkdir()
    isolate_environment(run)
    assert "ASSISTANT_TOP_K" not in os.environ and "ASSISTANT_INDEX_DIR" not in os.environ
    assert os.environ["ASSISTANT_CACHE_DIR"] == str(run / "model-cache")
    assert Settings().top_k not in (3, 4)
    monkeypatch.setenv(MODEL_CACHE_VARIABLE, str(tmp_path / "kept"))
    isolate_environment(run)
    assert os.environ["ASSISTANT_CACHE_DIR"] == str(tmp_path / "kept")


@dataclass
class FakeItem:
    nodeid: str
    fixturenames: list[str]
    markers: set[str] = field(default_factory=set)

    def get_closest_marker(self, name: str) -> object | None:
        return name if name in self.markers else None


def test_the_guard_names_model_backed_tests_without_the_slow_marker():
    items = [
        FakeItem("a::uses_bot_unmarked", ["bot", "default_embedder", "settings"]),
        FakeItem("b::uses_bot_marked", ["bot", "default_embedder"], {"slow"}),
        FakeItem("c::minilm_unmarked", ["minilm_model", "tmp_path"]),
        FakeItem("d::fake_embedder", ["keyword_embedder", "tiny_bot"]),
    ]
    assert unmarked_model_tests(items) == ["a::uses_bot_unmarked", "c::minilm_unmarked"]


INSTALLERS = ("apt-get", "apt", "dpkg", "pip", "pip3")
PROCESS_CALLS = {"run", "Popen", "call", "check_call", "check_output", "system"}


def installs_something(source: str) -> list[str]:
    """Process calls in `source` whose arguments run a package installer.

    `pip … --no-index` is not one: it fetches nothing and only handles files the
    test built itself (the packaging test's wheel, into a temporary venv)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name not in PROCESS_CALLS:
            continue
        words = [w for c in ast.walk(node) if isinstance(c, ast.Constant) and isinstance(c.value, str)
                 for w in c.value.split()]
        if any(w in INSTALLERS for w in words) and not ("pip" in words and "--no-index" in words
                                                         and not {"apt-get", "apt", "dpkg"} & set(words)):
            found.append(ast.unparse(node)[:80])
    return found


def test_no_test_installs_packages_ci_run_does():
    """Chromium and the Debian packages are `.ci/run`'s job, never a test's."""
    tests = Path(__file__).resolve().parent
    for path in tests.rglob("*.py"):
        if path.name.startswith("test_") or path.name in ("conftest.py", "harness.py", "helpers.py"):
            assert installs_something(path.read_text(encoding="utf-8")) == [], path
    assert installs_something("subprocess.run(['apt-get', 'install', '-y', 'chromium'])")
    assert installs_something("os.system('pip install selenium')")
    assert not installs_something("subprocess.run(['mount', '-t', 'tmpfs'])")
    assert not installs_something("subprocess.run([python, '-m', 'pip', 'install', '--no-index', wheel])")
    assert installs_something("subprocess.run([python, '-m', 'pip', 'install', 'requests'])")
