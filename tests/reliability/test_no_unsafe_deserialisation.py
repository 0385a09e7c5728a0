"""No stored data is ever turned back into code: no pickle, no eval/exec.

The scan reads the syntax tree of every Python file of the project (so a
docstring saying "no pickle" is fine, an `import pickle` is not) and fails on:
imports of pickle-like modules (pickle, cPickle, dill, shelve, marshal,
joblib, cloudpickle), calls to the builtins `eval`/`exec`/`__import__` of
such a module, `allow_pickle=True`, `allow_dangerous_deserialization=True`,
`torch.load` without `weights_only=True`, and `yaml.load`/`yaml.unsafe_load`.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.reliability.harness import ROOT

PICKLE_LIKE = {"pickle", "cPickle", "_pickle", "dill", "shelve", "marshal", "joblib",
               "cloudpickle"}
SKIPPED_DIRS = {".git", "var", "build", "dist", ".venv", "venv", "node_modules",
                "test-artifacts", "__pycache__"}
THIS_FILE = Path(__file__).resolve()


def project_python_files() -> list[Path]:
    files = []
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if any(p in SKIPPED_DIRS or p.endswith(".egg-info") for p in parts):
            continue
        if path.resolve() != THIS_FILE:
            files.append(path)
    return sorted(files)


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _is_true(node: ast.AST) -> bool:
    return not (isinstance(node, ast.Constant) and node.value in (False, None))


def unsafe_uses(source: str) -> list[str]:
    """Descriptions (with line numbers) of unsafe deserialisation in `source`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Import):
            found += [f"{line}: import {a.name}" for a in node.names
                      if a.name.split(".")[0] in PICKLE_LIKE]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in PICKLE_LIKE:
            found.append(f"{line}: from {node.module} import ...")
        elif isinstance(node, ast.Call):
            name = _dotted(node.func)
            keywords = {k.arg: k.value for k in node.keywords if k.arg}
            if name in ("eval", "exec"):
                found.append(f"{line}: {name}(...)")
            if name in ("__import__", "importlib.import_module") and node.args and \
                    isinstance(node.args[0], ast.Constant) and \
                    str(node.args[0].value).split(".")[0] in PICKLE_LIKE:
                found.append(f"{line}: {name}({node.args[0].value!r})")
            if "allow_pickle" in keywords and _is_true(keywords["allow_pickle"]):
                found.append(f"{line}: allow_pickle=True")
            if "allow_dangerous_deserialization" in keywords and \
                    _is_true(keywords["allow_dangerous_deserialization"]):
                found.append(f"{line}: allow_dangerous_deserialization=True")
            if name == "torch.load" and not (
                "weights_only" in keywords and isinstance(keywords["weights_only"], ast.Constant)
                and keywords["weights_only"].value is True
            ):
                found.append(f"{line}: torch.load without weights_only=True")
            if name in ("yaml.load", "yaml.unsafe_load", "yaml.full_load"):
                found.append(f"{line}: {name}(...)")
    return found


def test_the_scanner_finds_each_kind_of_unsafe_code():
    hostile = (
        "import pickle\nfrom dill import loads\nimport numpy as np\n"
        "np.load('x.npy', allow_pickle=True)\n"
        "FAISS.load_local('d', emb, allow_dangerous_deserialization=True)\n"
        "eval(open('f').read())\nexec(code)\n__import__('marshal')\n"
        "torch.load('m.pt')\nyaml.load(text)\n"
    )
    lines = [int(found.split(':')[0]) for found in unsafe_uses(hostile)]
    assert sorted(lines) == [1, 2, 4, 5, 6, 7, 8, 9, 10]  # every line but `import numpy`
    safe = (
        '"""No pickle here."""\nimport numpy as np\nnp.load("x.npy", allow_pickle=False)\n'
        "model.eval()\ntorch.load('m.pt', weights_only=True)\nyaml.safe_load(text)\n"
    )
    assert unsafe_uses(safe) == []


def test_no_project_file_deserialises_with_pickle_or_evaluates_code():
    files = project_python_files()
    assert len(files) > 50  # the scan really covers the project
    problems = {
        str(path.relative_to(ROOT)): found
        for path in files
        if (found := unsafe_uses(path.read_text(encoding="utf-8")))
    }
    assert problems == {}
