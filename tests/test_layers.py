"""The layers run one way: ingest ← index ← assistant (core) ← ui (page, CLI, service); eval beside.

Every import of every module is read from its syntax tree — imports inside
functions and under `TYPE_CHECKING` included — and checked against the
table below. The checker is tested on a synthetic tree with an upward import,
so this test is known to fail when a layer reaches up.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Which project packages each package may import (itself included).
ALLOWED: dict[str, set[str]] = {
    "ingest": {"ingest"},
    "index": {"index", "ingest"},
    "assistant": {"assistant", "index", "ingest"},
    "eval": {"eval", "assistant", "index", "ingest"},
    "ui": {"ui", "assistant", "eval"},
}


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, dotted module name) of every absolute import in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            found.append((node.lineno, "<relative import>"))
    return found


def layer_violations(root: Path, allowed: dict[str, set[str]]) -> list[str]:
    """`file:line imports module` for every import that crosses a layer the wrong way."""
    problems = []
    for package, may_import in allowed.items():
        for path in sorted((root / package).rglob("*.py")):
            for line, module in imported_modules(path):
                top = module.split(".")[0]
                if module == "<relative import>":
                    problems.append(f"{path.relative_to(root)}:{line} uses a relative import")
                elif top in allowed and top not in may_import:
                    problems.append(f"{path.relative_to(root)}:{line} imports {module}")
    return problems


def test_no_layer_imports_a_layer_above_it():
    assert layer_violations(ROOT, ALLOWED) == []


def test_the_core_never_imports_eval_or_ui():
    for package in ("ingest", "index", "assistant"):
        assert not ALLOWED[package] & {"eval", "ui"}


def _write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_the_checker_catches_an_upward_import(tmp_path):
    """A synthetic tree: index imports the assistant inside a function, under TYPE_CHECKING, and at the top."""
    _write(tmp_path, "ingest/__init__.py", "")
    _write(tmp_path, "index/__init__.py", "")
    _write(tmp_path, "index/good.py", "from ingest import models\nimport numpy\n")
    _write(tmp_path, "index/bad.py", (
        "from typing import TYPE_CHECKING\n"
        "import assistant.settings\n"
        "if TYPE_CHECKING:\n    from eval.run import evaluate\n"
        "def f():\n    from ui import cli\n"
    ))
    _write(tmp_path, "assistant/__init__.py", "from . import api\n")
    problems = layer_violations(tmp_path, ALLOWED)
    assert problems == [
        "index/bad.py:2 imports assistant.settings",
        "index/bad.py:4 imports eval.run",
        "index/bad.py:6 imports ui",
        "assistant/__init__.py:1 uses a relative import",
    ]


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_every_package_is_checked(package):
    assert list((ROOT / package).rglob("*.py")), f"no module found under {package}/"
