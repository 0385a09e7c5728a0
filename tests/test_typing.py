"""Every public function and method is fully annotated (the packages ship `py.typed`)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("assistant", "index", "ingest", "eval", "ui")


def _unannotated(path: Path) -> list[str]:
    problems: list[str] = []

    def visit(node: ast.AST, prefix: str, public: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.", public and not child.name.startswith("_"))
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                special = child.name in ("__init__", "__call__")
                if not public or (child.name.startswith("_") and not special):
                    continue
                args = child.args
                params = args.posonlyargs + args.args + args.kwonlyargs
                if prefix and params and params[0].arg in ("self", "cls"):
                    params = params[1:]
                missing = [a.arg for a in params if a.annotation is None]
                missing += [f"*{a.arg}" for a in (args.vararg, args.kwarg) if a and a.annotation is None]
                if child.returns is None and child.name != "__init__":
                    missing.append("return")
                if missing:
                    problems.append(f"{path.relative_to(ROOT)}:{child.lineno} {prefix}{child.name}: {missing}")

    visit(ast.parse(path.read_text(encoding="utf-8")), "", True)
    return problems


def test_public_functions_have_type_hints():
    problems = [p for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))
                for p in _unannotated(path)]
    assert not problems, "\n".join(problems)
