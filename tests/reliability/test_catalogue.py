"""tests/CATALOGUE.md stays true: every row names a test that exists and
asserts something, every hostile-input test is in the catalogue, a row whose
test is an expected failure says so, and the README counts the rows."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.reliability.harness import ROOT

CATALOGUE = ROOT / "tests" / "CATALOGUE.md"
README = ROOT / "README.md"
README_COUNT = re.compile(r"a catalogue of (\d+) cases")
NOT_MET = "**Not met yet**"  # how a row whose test is a strict expected failure says so
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


def functions_of(path: Path) -> dict[str, ast.FunctionDef]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")}


def defined_tests(path: Path) -> set[str]:
    return set(functions_of(path))


def _called_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def asserts_something(function: ast.FunctionDef) -> bool:
    """An `assert`, `pytest.raises`/`pytest.fail`, or a call to an `assert_…` helper in the body."""
    for node in ast.walk(function):
        if isinstance(node, ast.Assert):
            return True
        if isinstance(node, ast.Call) and (_called_name(node) in ("raises", "fail")
                                           or _called_name(node).startswith("assert_")):
            return True
    return False


def is_expected_failure(function: ast.FunctionDef) -> bool:
    return any(isinstance(d, ast.Call) and _called_name(d) == "xfail" for d in function.decorator_list)


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
        functions = functions_of(path)
        assert function in functions, f"{file} has no {function}"
        assert asserts_something(functions[function]), f"{file}::{function} asserts nothing"
        if is_expected_failure(functions[function]):
            assert NOT_MET in cells[1], f"{function} is an expected failure: its row must say {NOT_MET}"
        if case:  # a parametrised case: its id (or value) is written in the file
            assert case in string_constants(path), f"{file}::{function} has no case {case!r}"


def test_every_hostile_input_test_is_in_the_catalogue():
    listed = {(m.group(1), m.group(2)) for cells in catalogue_rows()
              for m in [REFERENCE.fullmatch(cells[2])] if m}
    for file in HOSTILE_FILES:
        missing = {f for f in defined_tests(ROOT / file) if (file, f) not in listed}
        assert not missing, f"{file}: add these tests to tests/CATALOGUE.md: {sorted(missing)}"


def test_the_readme_counts_the_catalogue_rows():
    counts = README_COUNT.findall(README.read_text(encoding="utf-8"))
    rows = len(catalogue_rows())
    assert counts == [str(rows)], f"README.md must say « a catalogue of {rows} cases » (it says {counts})"


def test_the_assertion_check_tells_a_test_that_asserts_from_one_that_does_not():
    tree = ast.parse(
        "def test_checks(bot):\n    assert bot.ask('q')\n"
        "def test_raises(bot):\n    with pytest.raises(ValueError):\n        bot.ask(None)\n"
        "def test_helper(bot):\n    assert_only_quotes(bot.ask('q'))\n"
        "def test_runs_only(bot):\n    bot.ask('q')\n    print('answered')\n"
        "@pytest.mark.xfail(strict=True, reason='gap')\ndef test_gap(bot):\n    assert False\n"
    )
    functions = {f.name: f for f in tree.body}
    assert [name for name, f in functions.items() if not asserts_something(f)] == ["test_runs_only"]
    assert [name for name, f in functions.items() if is_expected_failure(f)] == ["test_gap"]
