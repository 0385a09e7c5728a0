"""Which titles only name a file."""

from __future__ import annotations

import pytest

from ingest.titles import is_meaningful_title


@pytest.mark.parametrize("title", [
    "doc.html", "rapport-activite-2024.html", "Microsoft Word - rapport_annuel_2024_v3.docx",
    "Untitled", "Sans titre", "Document1", "rapport_final_v3", "", "  ", "42", "rapport annuel",
])
def test_file_names_and_placeholders_are_not_titles(title):
    assert not is_meaningful_title(title, "rapport-annuel")


@pytest.mark.parametrize("title", [
    "Rapport annuel 2024", "Évaluation du schéma départemental des aires de covoiturage",
    "Températures de l'eau et oxygène dissous pendant l'étiage 2024", "Données",
])
def test_real_titles_are_meaningful(title):
    assert is_meaningful_title(title, "document")
