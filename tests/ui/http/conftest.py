"""In-process services over a tiny corpus with the keyword fake embedder (milliseconds per test).

Each test gets its own copy of the tiny corpus and index (uploads and
deletions change them), and `service_client(...)` opens a `TestClient` on a
`create_app` app whose assistant uses the fake embedder, once the service is
ready. Model-backed tests use the session's real index (`bundled_index`).
"""

from __future__ import annotations

import hashlib
import socket
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.api import Assistant
from assistant.settings import Settings
from tests.assistant.conftest import CHUNKING, TINY_DOCS, VOCABULARY
from tests.fakes import KeywordEmbedder
from ui.http.app import create_app
from ui.http.config import HttpConfig

READY_TIMEOUT = 60  # seconds; the fake embedder makes it milliseconds
QUESTION = "Quel budget pour le Health Data Hub en 2020 ?"


@pytest.fixture
def tiny_corpus_settings(tmp_path) -> Settings:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in TINY_DOCS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    return Settings(
        corpus_dir=corpus, index_dir=tmp_path / "index", feedback_file=tmp_path / "feedback.jsonl",
        reports_dir=tmp_path / "reports", chunk_target_tokens=CHUNKING.target_tokens,
        chunk_max_tokens=CHUNKING.max_tokens, chunk_overlap_tokens=CHUNKING.overlap_tokens,
        chunk_min_tokens=CHUNKING.min_tokens, lock_timeout=0.5,
    )


def fake_factory(settings: Settings) -> Assistant:
    return Assistant(settings, KeywordEmbedder(VOCABULARY + ["note", "télémédecine", "rurales"]))


ClientFactory = Callable[..., TestClient]


@pytest.fixture
def service_client(tiny_corpus_settings) -> Iterator[ClientFactory]:
    """`service_client(settings=None, raise_server_exceptions=True, **http_config_overrides)`."""
    with ExitStack() as stack:

        def open_client(settings: Settings | None = None, raise_server_exceptions: bool = True,
                        **overrides: object) -> TestClient:
            settings = settings or tiny_corpus_settings
            config = HttpConfig.from_settings(settings, **{"busy_wait_seconds": 0.2, **overrides})
            app = create_app(settings, assistant_factory=fake_factory, config=config)
            client = stack.enter_context(TestClient(app, raise_server_exceptions=raise_server_exceptions))
            assert app.state.service.wait_ready(READY_TIMEOUT), app.state.service.status
            return client

        yield open_client


@pytest.fixture
def client(service_client) -> TestClient:
    return service_client()


def wait_job(client: TestClient, location: str, timeout: float = 30.0, headers: dict | None = None) -> dict:
    """Poll a job until it finishes; its last state."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        job = client.get(location, headers=headers).json()
        if job["status"] in ("succeeded", "failed") or time.monotonic() > deadline:
            return job
        time.sleep(0.05)


def tree_fingerprint(*folders: Path) -> dict[str, str]:
    """sha256 of every file under some folders (hidden staging folders included)."""
    found = {}
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file() and path.name != "build.lock":
                found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
