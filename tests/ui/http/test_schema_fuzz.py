"""Schemathesis against `/openapi.json`: generated requests (valid and not) never get a 500 or a leak.

A bounded number of examples per operation (`MAX_EXAMPLES`), in process, on
the tiny corpus with the fake embedder and an API key; write endpoints are
included (the corpus is the test's own copy). Schemathesis's own checks run
(status codes, response schemas, content types, authentication, negative
data refused); every response is also checked for what must never reach a
client: a traceback, an exception name, a server path.
"""

from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.ui.http.conftest import READY_TIMEOUT, fake_factory
from ui.http.app import create_app
from ui.http.config import HttpConfig

KEY = "cle-du-fuzz"
MAX_EXAMPLES = 15  # per operation and generation mode: about 400 requests in all
LEAKS = re.compile(r"Traceback|File \"|/tmp/|/work/|/home/|/root/|\w+Error\b|\w+Exception\b")


@pytest.fixture(scope="module")
def fuzzed_app(tmp_path_factory):
    from assistant.settings import Settings
    from tests.assistant.conftest import CHUNKING, TINY_DOCS

    base = tmp_path_factory.mktemp("fuzz")
    corpus = base / "corpus"
    corpus.mkdir()
    for name, text in TINY_DOCS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    local = Settings(corpus_dir=corpus, index_dir=base / "index", lock_timeout=0.5,
                     chunk_target_tokens=CHUNKING.target_tokens, chunk_max_tokens=CHUNKING.max_tokens,
                     chunk_overlap_tokens=CHUNKING.overlap_tokens, chunk_min_tokens=CHUNKING.min_tokens)
    app = create_app(local, assistant_factory=fake_factory, config=HttpConfig.from_settings(local, api_keys=(KEY,)))
    service = app.state.service
    service.start()  # schemathesis's client does not run the lifespan
    assert service.wait_ready(READY_TIMEOUT)
    yield app
    service.stop()


@pytest.fixture(scope="module")
def api_schema(fuzzed_app):
    return schemathesis.openapi.from_asgi("/openapi.json", fuzzed_app)


schema = schemathesis.pytest.from_fixture("api_schema")


def no_leak(ctx, response, case) -> None:
    """No traceback, exception class name or server path in a response body."""
    text = response.text or ""
    if case.path == "/metrics":
        return  # Prometheus text names no paths, but its HELP lines are free text
    found = LEAKS.search(text)
    if found:
        raise AssertionError(f"response leaks {found.group(0)!r}: {text[:300]}")


def not_a_server_error(ctx, response, case) -> None:
    if response.status_code >= 500 and response.status_code != 503:
        raise AssertionError(f"{response.status_code} on {case.method} {case.path}: {response.text[:300]}")


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_generated_requests_get_no_500_and_no_leak(case):
    # Every schemathesis check but "a schema-valid request is accepted": some refusals are semantic
    # (a conversation must end with a user message, a file must be what its name says).
    response = case.call_and_validate(headers={"Authorization": f"Bearer {KEY}"},
                                      excluded_checks=[positive_data_acceptance])
    not_a_server_error(None, response, case)
    no_leak(None, response, case)
    if response.status_code >= 400 and response.headers.get("content-type", [""])[0].startswith("application/json"):
        error = response.json()["error"]
        assert error["code"] and error["message"], response.text
