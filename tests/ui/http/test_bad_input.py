"""The issue's bad inputs: each a clear 4xx with a French message, and the corpus and index unchanged."""

from __future__ import annotations

import pytest

from tests.ui.http.conftest import tree_fingerprint

FRENCH_HINTS = ("requête", "question", "document", "fichier", "clé", "json", "champ", "trop", "attendu",
                "vide", "inconnu", "n'est pas", "volumineux", "accepté", "adresse", "méthode", "contient",
                "correspond")
BAD_REQUESTS = [
    ("malformed JSON", "post", "/v1/ask", {"content": b'{"question": "Quel budget', "headers": {"Content-Type": "application/json"}}, 422, "invalid_json"),
    ("JSON that is not an object", "post", "/v1/ask", {"json": ["question"]}, 422, "invalid_request"),
    ("question of the wrong type", "post", "/v1/ask", {"json": {"question": 42}}, 422, "invalid_request"),
    ("k of the wrong type", "post", "/v1/retrieve", {"json": {"question": "budget", "k": "dix"}}, 422, "invalid_request"),
    ("k out of range", "post", "/v1/retrieve", {"json": {"question": "budget", "k": 10_000}}, 422, "invalid_request"),
    ("unknown field", "post", "/v1/ask", {"json": {"question": "budget", "questoin": "x"}}, 422, "invalid_request"),
    ("missing question", "post", "/v1/ask", {"json": {}}, 422, "invalid_request"),
    ("empty question", "post", "/v1/ask", {"json": {"question": ""}}, 422, "invalid_question"),
    ("whitespace question", "post", "/v1/ask", {"json": {"question": " \n\t "}}, 422, "invalid_question"),
    ("punctuation-only question", "post", "/v1/retrieve", {"json": {"question": "?!…"}}, 422, "invalid_question"),
    ("10,000-character question", "post", "/v1/ask", {"json": {"question": "budget " * 1429}}, 422, "question_too_long"),
    ("10,000-character chat message", "post", "/v1/chat/completions",
     {"json": {"messages": [{"role": "user", "content": "x" * 10_000}]}}, 422, "question_too_long"),
    ("unknown document filter", "post", "/v1/ask", {"json": {"question": "budget", "documents": ["inconnu"]}}, 404, "document_not_found"),
    ("empty document filter", "post", "/v1/retrieve", {"json": {"question": "budget", "documents": []}}, 422, "invalid_request"),
    ("unknown document id", "delete", "/v1/documents/inconnu", {}, 404, "document_not_found"),
    ("unknown job id", "get", "/v1/jobs/job-0042-0123abcd", {}, 404, "job_not_found"),
    ("malformed job id", "get", "/v1/jobs/..", {}, 404, "not_found"),
    ("unknown route", "get", "/v1/inconnu", {}, 404, "not_found"),
    ("wrong method", "get", "/v1/ask", {}, 405, "method_not_allowed"),
    ("PDF that is not a PDF", "post", "/v1/documents",
     {"files": {"file": ("rapport-2024.pdf", b"<html><body>Bonjour</body></html>", "application/pdf")}}, 422, "upload_rejected"),
    ("text file that is a PDF", "post", "/v1/documents",
     {"files": {"file": ("notes.txt", b"%PDF-1.7\n%\xe2\xe3\n1 0 obj", "text/plain")}}, 422, "upload_rejected"),
    ("binary text file", "post", "/v1/documents",
     {"files": {"file": ("notes.txt", b"\x00\x01\x02binaire\x00" * 10, "text/plain")}}, 422, "upload_rejected"),
    ("unsupported extension", "post", "/v1/documents",
     {"files": {"file": ("outil.exe", b"MZ\x90\x00", "application/octet-stream")}}, 422, "upload_rejected"),
    ("content type against the extension", "post", "/v1/documents",
     {"files": {"file": ("notes.txt", "Du texte.".encode(), "image/png")}}, 422, "upload_rejected"),
    ("empty file", "post", "/v1/documents", {"files": {"file": ("vide.txt", b"", "text/plain")}}, 422, "upload_rejected"),
    ("traversal in the file name", "post", "/v1/documents",
     {"files": {"file": ("../../README", b"Du texte.", "text/plain")}}, 422, "upload_rejected"),
    ("same name as a document", "post", "/v1/documents",
     {"files": {"file": ("rapport.md", "# Autre\n\nUn autre texte sur le budget.".encode(), "text/markdown")}}, 409, "document_exists"),
    ("no file field", "post", "/v1/documents", {"data": {"overwrite": "true"}}, 422, "invalid_request"),
]


@pytest.mark.parametrize("name, method, path, kwargs, status, code", BAD_REQUESTS, ids=[r[0] for r in BAD_REQUESTS])
def test_bad_input_is_a_clear_french_4xx_and_changes_nothing(client, tiny_corpus_settings, name, method, path,
                                                            kwargs, status, code):
    before = tree_fingerprint(tiny_corpus_settings.corpus_dir, tiny_corpus_settings.index_dir)
    response = getattr(client, method)(path, **kwargs) if method != "delete" else client.delete(path)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert any(hint in error["message"].lower() for hint in FRENCH_HINTS), error["message"]
    assert "Traceback" not in response.text and str(tiny_corpus_settings.corpus_dir) not in response.text
    assert tree_fingerprint(tiny_corpus_settings.corpus_dir, tiny_corpus_settings.index_dir) == before
    assert client.get("/v1/jobs").json()["jobs"] == []  # nothing was queued


def test_a_100_mb_body_is_refused_before_it_is_read(client, tiny_corpus_settings):
    before = tree_fingerprint(tiny_corpus_settings.corpus_dir, tiny_corpus_settings.index_dir)
    body = b"a" * (100 * 1024 * 1024)
    for path, kwargs in (("/v1/ask", {"content": body, "headers": {"Content-Type": "application/json"}}),
                         ("/v1/documents", {"files": {"file": ("gros.txt", body, "text/plain")}})):
        response = client.post(path, **kwargs)
        assert response.status_code == 413
        assert response.json()["error"]["code"] == "payload_too_large"
        assert "trop volumineuse" in response.json()["error"]["message"]
    assert tree_fingerprint(tiny_corpus_settings.corpus_dir, tiny_corpus_settings.index_dir) == before


def test_a_body_without_declared_length_is_cut_at_the_limit(service_client):
    client = service_client(max_json_bytes=1024)

    def chunks():
        for _ in range(100):
            yield b"x" * 512

    response = client.post("/v1/ask", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413


def test_an_upload_over_the_file_limit_is_413(service_client):
    client = service_client(max_upload_bytes=1000)
    response = client.post("/v1/documents", files={"file": ("note.txt", b"mot " * 400, "text/plain")})
    assert response.status_code == 413
