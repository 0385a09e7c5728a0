"""`assistant serve`: its options, and the settings it hands to uvicorn (one process or N workers)."""

from __future__ import annotations

import os

import pytest

from ui.cli import build_parser, cmd_serve


def test_serve_options_parse():
    args = build_parser().parse_args(["serve", "--host", "0.0.0.0", "--port", "9000", "--workers", "2",
                                      "--index", "/srv/index", "--no-access-log"])
    assert (args.host, args.port, args.workers, args.index, args.no_access_log) == ("0.0.0.0", 9000, 2, "/srv/index", True)
    defaults = build_parser().parse_args(["serve"])
    assert (defaults.host, defaults.port, defaults.workers) == (None, None, 1)


@pytest.fixture
def captured_run(monkeypatch):
    """uvicorn.run replaced by a recorder; the environment restored afterwards (serve writes to it)."""
    import uvicorn

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append((app, options)))
    saved = dict(os.environ)
    for name in ("ASSISTANT_CORPUS_DIR", "ASSISTANT_INDEX_DIR", "ASSISTANT_HTTP_HOST", "ASSISTANT_HTTP_PORT",
                 "PROMETHEUS_MULTIPROC_DIR"):
        os.environ.pop(name, None)
    yield calls
    os.environ.clear()
    os.environ.update(saved)


def test_one_process_serves_the_app_built_from_the_run_settings(captured_run, tmp_path):
    args = build_parser().parse_args(["serve", "--port", "9001", "--index", str(tmp_path / "index")])
    assert cmd_serve(args) == 0
    (app, options), = captured_run
    assert app.state.service.settings.index_dir == tmp_path / "index"
    assert app.state.service.config.loopback_only
    assert (options["host"], options["port"]) == ("127.0.0.1", 9001)


def test_workers_get_the_run_settings_through_the_environment(captured_run, tmp_path, monkeypatch):
    args = build_parser().parse_args(["serve", "--host", "::1", "--port", "9002", "--workers", "3",
                                      "--corpus", str(tmp_path / "corpus"), "--index", str(tmp_path / "index")])
    seen = {}

    def run(app, **options):
        seen.update(app=app, options=options, environment=dict(os.environ),
                    exists=os.path.isdir(os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")))

    import uvicorn

    monkeypatch.setattr(uvicorn, "run", run)
    assert cmd_serve(args) == 0
    assert seen["app"] == "ui.http.app:create_app_from_environment" and seen["options"]["factory"]
    assert seen["options"]["workers"] == 3 and seen["exists"]
    from ui.http.app import create_app_from_environment

    os.environ.update(seen["environment"])
    app = create_app_from_environment()  # what each worker does
    settings = app.state.service.settings
    assert settings.index_dir == tmp_path / "index" and settings.corpus_dir == tmp_path / "corpus"
    assert settings.http_host == "::1" and app.state.service.config.loopback_only
