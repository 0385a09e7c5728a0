"""`assistant ui` starts Streamlit on ui/app.py, passing options and environment through."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.ui.test_browser import ROOT, free_port

pytestmark = pytest.mark.slow


def serves(url: str, process: subprocess.Popen, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                return reply.read().strip() == b"ok"
        except OSError:
            time.sleep(0.5)
    return False


def test_assistant_ui_honours_streamlit_options_and_environment(tmp_path):
    port = free_port()
    env = {**os.environ, "STREAMLIT_SERVER_PORT": str(port), "STREAMLIT_SERVER_ADDRESS": "127.0.0.1"}
    command = [sys.executable, "-m", "ui.cli", "ui", "--server.headless", "true",
               "--server.fileWatcherType", "none"]
    log = tmp_path / "ui.log"
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        assert serves(f"http://127.0.0.1:{port}/_stcore/health", process), log.read_text()[-2000:]
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
