"""`ophamp serve`: the app in a browser for projecting in class (textual-serve), on localhost only."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_on_localhost(tmp_path):
    port = free_port()
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ophamp_tui", "serve", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        body = ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    assert response.status == 200
                    body = response.read().decode("utf-8", "replace")
                    break
            except OSError:
                if proc.poll() is not None:
                    break
                time.sleep(0.3)
        assert body, proc.stdout.read().decode() if proc.poll() is not None else "no answer within 30 s"
        assert "Op Hampshire" in body  # the page title
        assert f"ws://127.0.0.1:{port}/ws" in body or "/ws" in body  # the terminal connects back over a websocket
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
