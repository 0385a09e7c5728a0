"""eval/floors.json changes only with a line in the README's floors changelog saying why."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from eval.run import Floors, load_floors

README = Path(__file__).resolve().parents[2] / "README.md"
CHANGELOG_HEADING = "#### Floors changelog"
COLUMNS = ["date", "metric", "kind", "was", "now", "why"]


def changelog_rows(readme: str) -> list[dict[str, str]]:
    """The rows of the table under the changelog heading, as {column: cell}."""
    section = readme.split(CHANGELOG_HEADING, 1)[1]
    rows, in_table = [], False
    for line in section.splitlines():
        if line.startswith("|"):
            in_table = True
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if cells != COLUMNS and not set(line) <= set("|- "):
                rows.append(dict(zip(COLUMNS, cells)))
        elif in_table or line.startswith("#"):
            break
    return rows


def latest_limits(rows: list[dict[str, str]]) -> dict[tuple[str, str], float]:
    latest = {}
    for row in rows:  # in order: a later line supersedes an earlier one
        latest[(row["kind"], row["metric"])] = float(row["now"])
    return latest


def mismatches(rows: list[dict[str, str]], floors: Floors) -> list[str]:
    """Limits of `floors` that differ from (or are missing in) the changelog's last lines."""
    logged = latest_limits(rows)
    committed = {("floor", m): v for m, v in floors.floors.items()} | {
        ("ceiling", m): v for m, v in floors.ceilings.items()}
    return [f"{kind} {metric}: floors.json {value}, changelog {logged.get((kind, metric))}"
            for (kind, metric), value in committed.items() if logged.get((kind, metric)) != value] + [
            f"{kind} {metric}: in the changelog, not in floors.json" for kind, metric in logged
            if (kind, metric) not in committed]


def test_every_limit_in_floors_json_is_the_last_changelog_line_of_its_metric():
    rows = changelog_rows(README.read_text(encoding="utf-8"))
    assert mismatches(rows, load_floors()) == [], "update README.md's floors changelog with the change and why"


def test_every_changelog_line_says_why_and_is_well_formed():
    rows = changelog_rows(README.read_text(encoding="utf-8"))
    assert rows
    for row in rows:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["date"]) and row["kind"] in ("floor", "ceiling"), row
        assert len(row["why"].split()) >= 3, f"say why: {row}"


def test_a_floor_lowered_silently_is_caught():
    rows = changelog_rows(README.read_text(encoding="utf-8"))
    floors = load_floors()
    lowered = replace(floors, floors={**floors.floors, "hit@1": floors.floors["hit@1"] - 0.1})
    assert mismatches(rows, lowered) == [f"floor hit@1: floors.json {floors.floors['hit@1'] - 0.1}, "
                                         f"changelog {floors.floors['hit@1']}"]
    new_metric = replace(floors, floors={**floors.floors, "sentence_precision": 0.8})
    assert len(mismatches(rows, new_metric)) == 1
