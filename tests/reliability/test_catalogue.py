"""tests/CATALOGUE.md stays true: every row names a test that exists, and
every hostile-input test is in the catalogue."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.reliability.harness import ROOT

CATALOGUE = ROOT / "tests" / "CATALOGUE.md"
HOSTILE_FILES = [
    "tests/reliability/test_hostile_documents.py",
    "tests/reliability/test_hostile_questions.py",
    "tests/reliability/test_hostile_uploads.py",
    "tests/reliability/test_prompt_injection.py",
]
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::(\w+)(?:\[([^\]`]+)\])?`")


def catalogue_rows() -> list[list[str]]:
    """Table rows (cells) of the catalogue, header and separator rows left out."""
    rows = []
    for line in CATALOGUE.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|") or set(line) <= set("|- "):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells[0] != "Case":
            rows.append(cells)
    return rows


def defined_tests(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")}


def string_constants(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def test_every_row_names_an_existing_test():
    rows = catalogue_rows()
    assert len(rows) >= 25
    for cells in rows:
        assert len(cells) == 3 and all(cells), f"incomplete row: {cells}"
        match = REFERENCE.fullmatch(cells[2])
        assert match, f"the test column must be `file::function[id]`: {cells[2]}"
        file, function, case = match.groups()
        path = ROOT / file
        assert path.is_file(), f"{file} does not exist"
        assert function in defined_tests(path), f"{file} has no {function}"
        if case:  # a parametrised case: its id (or value) is written in the file
            assert case in string_constants(path), f"{file}::{function} has no case {case!r}"


def test_every_hostile_input_test_is_in_the_catalogue():
    listed = {(m.group(1), m.group(2)) for cells in catalogue_rows()
              for m in [REFERENCE.fullmatch(cells[2])] if m}
    for file in HOSTILE_FILES:
        missing = {f for f in defined_tests(ROOT / file) if (file, f) not in listed}
        assert not missing, f"{file}: add these tests to tests/CATALOGUE.md: {sorted(missing)}"
