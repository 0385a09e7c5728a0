"""API keys, guarded writes, CORS, and no path or traceback in any error."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.ui.http.conftest import QUESTION, tree_fingerprint

KEY = "cle-de-test-0123456789"
BEARER = {"Authorization": f"Bearer {KEY}"}
NOTE = ("note.txt", "La télémédecine aide les zones rurales. " * 3, "text/plain")


@pytest.fixture
def keyed(service_client) -> TestClient:
    return service_client(api_keys=(KEY, "une-autre-cle"))


@pytest.mark.parametrize("method, path, body", [
    ("post", "/v1/ask", {"question": QUESTION}),
    ("post", "/v1/retrieve", {"question": QUESTION}),
    ("post", "/v1/chat/completions", {"messages": [{"role": "user", "content": QUESTION}]}),
    ("get", "/v1/models", None),
    ("get", "/v1/documents", None),
    ("get", "/v1/jobs", None),
    ("get", "/v1/index", None),
    ("get", "/metrics", None),
])
def test_with_keys_every_endpoint_but_health_needs_one(keyed, method, path, body):
    kwargs = {"json": body} if body is not None else {}
    for headers in ({}, {"Authorization": "Bearer mauvaise-cle"}, {"Authorization": f"Basic {KEY}"}):
        response = getattr(keyed, method)(path, headers=headers, **kwargs)
        assert response.status_code == 401, (path, headers)
        assert response.json()["error"]["code"] == "invalid_api_key"
        assert response.headers["WWW-Authenticate"] == "Bearer"
    assert getattr(keyed, method)(path, headers=BEARER, **kwargs).status_code == 200
    other = {"Authorization": "Bearer une-autre-cle"}
    assert getattr(keyed, method)(path, headers=other, **kwargs).status_code == 200


def test_health_endpoints_need_no_key(keyed):
    assert keyed.get("/healthz").status_code == 200
    assert keyed.get("/readyz").status_code == 200


def test_with_keys_writes_need_one_and_nothing_changes_without(keyed, tiny_corpus_settings):
    before = tree_fingerprint(tiny_corpus_settings.corpus_dir, tiny_corpus_settings.index_dir)
    assert keyed.post("/v1/documents", files={"file": NOTE}).status_code == 401
    assert keyed.delete("/v1/documents/robotique").status_code == 401
    assert keyed.post("/v1/index/rebuild", json={"full": True}).status_code == 401
    assert tree_fingerprint(tiny_corpus_settings.corpus_dir, tiny_corpus_settings.index_dir) == before
    accepted = keyed.delete("/v1/documents/robotique", headers=BEARER)
    assert accepted.status_code == 202


def test_without_keys_writes_are_refused_when_listening_on_the_network(service_client, tiny_corpus_settings):
    exposed = service_client(host="0.0.0.0")
    before = tree_fingerprint(tiny_corpus_settings.corpus_dir, tiny_corpus_settings.index_dir)
    for response in (
        exposed.post("/v1/documents", files={"file": NOTE}),
        exposed.delete("/v1/documents/robotique"),
        exposed.post("/v1/index/rebuild"),
    ):
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "writes_disabled"
        assert "ASSISTANT_API_KEYS" in response.json()["error"]["message"]
    assert exposed.post("/v1/ask", json={"question": QUESTION}).status_code == 200  # reads stay open
    assert tree_fingerprint(tiny_corpus_settings.corpus_dir, tiny_corpus_settings.index_dir) == before


def test_without_keys_writes_are_accepted_on_loopback(client):
    assert client.post("/v1/index/rebuild").status_code == 202


def test_cors_is_off_unless_origins_are_configured(service_client):
    plain = service_client()
    preflight = {"Origin": "https://exemple.fr", "Access-Control-Request-Method": "POST"}
    assert "access-control-allow-origin" not in plain.options("/v1/ask", headers=preflight).headers
    assert "access-control-allow-origin" not in plain.get("/v1/models", headers={"Origin": "https://exemple.fr"}).headers
    allowed = service_client(cors_origins=("https://exemple.fr",))
    response = allowed.options("/v1/ask", headers=preflight)
    assert response.headers["access-control-allow-origin"] == "https://exemple.fr"
    other = allowed.options("/v1/ask", headers={**preflight, "Origin": "https://ailleurs.fr"})
    assert "access-control-allow-origin" not in other.headers


@pytest.mark.parametrize("path", [
    "/v1/documents/..%2F..%2Fetc%2Fpasswd",
    "/v1/documents/%2E%2E",
    "/v1/documents/.hidden",
    "/v1/documents/rapport.md",
    "/v1/documents/a%00b",
])
def test_document_ids_cannot_reach_outside_the_corpus(client, tiny_corpus_settings, path):
    before = tree_fingerprint(tiny_corpus_settings.corpus_dir, tiny_corpus_settings.index_dir)
    response = client.delete(path)
    assert response.status_code in (404, 422)
    assert "error" in response.json()
    assert tree_fingerprint(tiny_corpus_settings.corpus_dir, tiny_corpus_settings.index_dir) == before


def test_an_unexpected_error_is_a_500_without_traceback_or_path(service_client, monkeypatch):
    client = service_client(raise_server_exceptions=False)
    bot = client.app.state.service.bot

    def broken(*args, **kwargs):
        raise RuntimeError("boom in /srv/secret/index/versions/x.npy")

    monkeypatch.setattr(bot, "ask", broken)
    response = client.post("/v1/ask", json={"question": QUESTION})
    assert response.status_code == 500
    text = response.text
    assert response.json()["error"]["code"] == "internal_error"
    assert "Traceback" not in text and "/srv" not in text and "RuntimeError" not in text
    reference = response.headers["X-Request-ID"]
    assert f"référence {reference}" in response.json()["error"]["message"]


def test_each_response_has_a_request_id_and_a_tame_proxy_id_is_kept(client):
    first, second = client.get("/healthz"), client.get("/healthz")
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]
    assert client.get("/healthz", headers={"X-Request-ID": "proxy-42.a"}).headers["X-Request-ID"] == "proxy-42.a"
    hostile = client.get("/healthz", headers={"X-Request-ID": "<script>" + "x" * 100})
    assert "<" not in hostile.headers["X-Request-ID"] and len(hostile.headers["X-Request-ID"]) <= 64


def test_index_errors_never_show_the_index_folder(service_client, tiny_corpus_settings):
    from assistant.errors import IndexUnavailable

    client = service_client(raise_server_exceptions=False)
    bot = client.app.state.service.bot

    def unavailable(*args, **kwargs):
        raise IndexUnavailable(f"Index endommagé : {tiny_corpus_settings.index_dir}/versions/x")

    bot.retrieve = unavailable
    response = client.post("/v1/retrieve", json={"question": QUESTION})
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert str(tiny_corpus_settings.index_dir) not in response.text
    assert response.json()["error"]["code"] == "index_unavailable"
