"""Settings: an unknown key is an error naming it, where it was found, and the known keys."""

from __future__ import annotations

import pytest

from assistant.errors import AssistantError, SettingsError
from assistant.settings import Settings


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in [n for n in __import__("os").environ if n.upper().startswith("ASSISTANT_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no assistant.toml here
    return monkeypatch


def test_a_typo_in_the_toml_file_names_the_key_the_file_and_the_known_keys(clean_env, tmp_path):
    config = tmp_path / "assistant.toml"
    config.write_text("topk = 3\n", encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        Settings()
    message = str(caught.value)
    assert "« topk »" in message and str(config) in message
    assert "Vouliez-vous dire « top_k » ?" in message
    assert "Réglages connus :" in message and "corpus_dir" in message and "rerank_depth" in message
    assert isinstance(caught.value, AssistantError)


def test_a_known_key_in_the_toml_file_is_read(clean_env, tmp_path):
    (tmp_path / "assistant.toml").write_text("top_k = 3\n", encoding="utf-8")
    assert Settings().top_k == 3


def test_an_unknown_assistant_variable_names_the_variable(clean_env):
    clean_env.setenv("ASSISTANT_TOPK", "3")
    with pytest.raises(SettingsError, match="« topk » dans la variable d'environnement ASSISTANT_TOPK"):
        Settings()


def test_the_config_path_variable_and_known_variables_are_accepted(clean_env, tmp_path):
    config = tmp_path / "elsewhere.toml"
    config.write_text("rrf_k = 30\n", encoding="utf-8")
    clean_env.setenv("ASSISTANT_CONFIG", str(config))
    clean_env.setenv("ASSISTANT_TOP_K", "4")
    settings = Settings()
    assert (settings.rrf_k, settings.top_k) == (30, 4)


def test_an_unknown_keyword_argument_is_a_settings_error(clean_env):
    with pytest.raises(SettingsError, match="« index » dans les arguments"):
        Settings(index="/tmp/x")


def test_an_unreadable_toml_file_is_a_settings_error(clean_env, tmp_path):
    (tmp_path / "assistant.toml").write_text("top_k = = 3\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="Fichier de réglages illisible"):
        Settings()
