"""The service config: loopback detection, lists from settings, limits from the core's settings."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from assistant.settings import Settings
from ui.http.config import HttpConfig, is_loopback, split_list


@pytest.mark.parametrize("host, expected", [
    ("127.0.0.1", True), ("127.0.0.53", True), ("::1", True), ("[::1]", True), ("localhost", True),
    ("0.0.0.0", False), ("::", False), ("192.168.1.10", False), ("example.org", False),
])
def test_loopback_means_only_this_machine(host, expected):
    assert is_loopback(host) is expected


def test_lists_are_comma_separated_and_trimmed():
    assert split_list(" a, b,,c ,") == ("a", "b", "c")
    assert split_list("") == ()


def test_config_comes_from_the_settings_and_keys_stay_out_of_its_repr():
    settings = Settings(http_host="0.0.0.0", api_keys=SecretStr("k1,k2"), cors_origins="https://a.fr",
                        max_file_mb=2, max_question_chars=500)
    config = HttpConfig.from_settings(settings)
    assert config.api_keys == ("k1", "k2") and "k1" not in repr(config) and "k1" not in repr(settings)
    assert config.cors_origins == ("https://a.fr",) and not config.loopback_only
    assert config.max_upload_bytes == 2 * 1024 * 1024 and config.max_question_chars == 500
    assert HttpConfig.from_settings(settings, host="127.0.0.1").loopback_only


def test_keys_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("ASSISTANT_API_KEYS", "une,deux")
    assert HttpConfig.from_settings(Settings()).api_keys == ("une", "deux")
