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


def test_serve_reset_restores_the_shared_training_store_first(tmp_path, monkeypatch, capsys):
    """`ophamp serve --reset`: the trainer's one training store back at its starting point before serving."""
    from ophamp_tui import serve as serve_module
    from ophamp_tui.__main__ import main
    from ophamp_tui.data.clock import now_utc
    from ophamp_tui.data.models import Actor
    from ophamp_tui.data.paths import demo_store
    from ophamp_tui.data.scenarios import install_training

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    store = install_training(demo_store(), now_utc())
    case_id = sorted(store.case_ids())[0]
    before = store.load(case_id).rev
    store.update(case_id, Actor(name="PC Learner", number="PC 1", role="officer"), sets={"closed_reason": "test"})
    assert store.load(case_id).closed_reason == "test"
    served: list[bool] = []
    monkeypatch.setattr(serve_module.OphampServer, "serve", lambda self: served.append(True))
    assert main(["serve", "--reset", "--port", str(free_port())]) == 0
    assert served and "back at its starting point" in capsys.readouterr().out
    again = install_training(demo_store(), now_utc())
    assert not again.load(case_id).closed_reason and again.load(case_id).rev == before
    assert main(["serve", "--reset", "--live", "--port", str(free_port())]) == 2
    assert "never reset" in capsys.readouterr().err
