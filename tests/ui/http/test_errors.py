"""The error mapping: every core error has a status, a stable code and a French message without paths."""

from __future__ import annotations

import pytest

from assistant.errors import (
    AssistantError,
    DocumentNotFound,
    IndexBusy,
    IndexUnavailable,
    LoadError,
    QuestionError,
    SkipReason,
    UploadConflict,
    UploadRejected,
)
from ui.http.errors import french_validation_message, map_core_error, scrub


@pytest.mark.parametrize("error, status, code", [
    (QuestionError("La question est vide."), 422, "invalid_question"),
    (DocumentNotFound("Document inconnu : « x »."), 404, "document_not_found"),
    (UploadConflict("a.txt"), 409, "document_exists"),
    (UploadRejected("« a.pdf » n'est pas un vrai fichier PDF."), 422, "upload_rejected"),
    (LoadError("/srv/corpus/a.pdf", "encrypted", SkipReason.ENCRYPTED_PDF), 422, "document_unreadable"),
    (IndexBusy("verrou /srv/index/build.lock tenu"), 503, "index_busy"),
    (IndexUnavailable("Index endommagé : /srv/index/versions/v1/vectors.npy"), 503, "index_unavailable"),
    (AssistantError("autre"), 400, "request_failed"),
])
def test_each_core_error_has_its_status_and_code_and_no_path(error, status, code):
    got_status, got_code, message, headers = map_core_error(error)
    assert (got_status, got_code) == (status, code)
    assert "/srv" not in message and message
    assert ("Retry-After" in headers) == (status == 503)


def test_scrub_removes_absolute_paths_but_keeps_the_sentence():
    assert scrub("Fichier /home/a/corpus/x.pdf illisible") == "Fichier … illisible"
    assert scrub(r"Fichier C:\Users\a\x.pdf illisible") == "Fichier … illisible"
    assert scrub("9,7 M€ en 2020/2021 et 1/2") == "9,7 M€ en 2020/2021 et 1/2"


def test_validation_messages_are_french_and_never_echo_the_input():
    code, message = french_validation_message([
        {"type": "string_type", "loc": ("body", "question"), "input": "SECRET-INPUT"},
        {"type": "missing", "loc": ("body", "messages"), "input": None},
    ])
    assert code == "invalid_request"
    assert "« question » : une chaîne de caractères est attendue" in message
    assert "« messages » : champ obligatoire manquant" in message and "SECRET" not in message
    assert french_validation_message([{"type": "json_invalid", "loc": ("body", 3)}])[0] == "invalid_json"
