"""A mistyped setting stops the page with its French message instead of a traceback."""

from __future__ import annotations

from tests.ui.conftest import open_app


def test_an_unknown_setting_is_shown_on_the_page(tiny_env, monkeypatch):
    monkeypatch.setenv("ASSISTANT_TOPK", "3")
    at = open_app()
    assert not at.exception, at.exception
    [error] = at.error
    assert "Réglage inconnu « topk »" in error.value and "top_k" in error.value
