"""The real program in a real pseudo-terminal: what bytes reach the terminal, and what a crash prints."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ophamp_tui.data.edits import new_case
from ophamp_tui.data.identity import save_identity
from ophamp_tui.data.models import Incident, Victim
from ophamp_tui.data.store import Store

from .ui_helpers import SERGEANT

NOW = datetime.now(UTC)
PLANTED = {
    "osc": "\x1b]0;PWNED-TITLE\x07",
    "csi": "\x1b[6n",  # asks the terminal to type back the cursor position
    "c1": "\x9b2J",
}


def run_in_pty(argv: list[str], env: dict, keys: list[tuple[float, bytes]], *, timeout: float = 40) -> bytes:
    """Run ``argv`` on a 80x24 pseudo-terminal, type ``keys`` (after a delay each), return all it printed."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the program, on the terminal
        os.execvpe(argv[0], argv, {**env, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"})
    import fcntl
    import struct
    import termios

    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    out = bytearray()
    deadline = time.monotonic() + timeout
    pending = list(keys)
    next_at = time.monotonic() + (pending[0][0] if pending else 0)
    try:
        while time.monotonic() < deadline:
            if pending and time.monotonic() >= next_at:
                os.write(fd, pending.pop(0)[1])
                if pending:
                    next_at = time.monotonic() + pending[0][0]
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
        os.close(fd)
    return bytes(out)


def planted_store(tmp_path: Path, victim: str = "PC Zelda Quux") -> tuple[Path, str]:
    root = tmp_path / "store"
    store = Store(root)
    case = new_case(
        victim=Victim(name=victim, number="7788"),
        incident=Incident(occurred_at=NOW - timedelta(hours=3)),
        by=SERGEANT,
        now=NOW,
        case_id="OH-261123-PTYX",
    )
    store.create(case)
    # A file edited by hand or another tool: raw control codes in a step's notes and a field.
    path = store.case_path(case.id)
    record = json.loads(path.read_text(encoding="utf-8"))
    step = record["case"]["1"]["steps"]["supervisor_aware"]
    step["notes"] = "before " + "".join(PLANTED.values()) + " after"
    step["fields"]["supervisor_name"] = "PS " + PLANTED["osc"] + "Evil"
    path.write_text(json.dumps(record), encoding="utf-8")
    return root, case.id


def env_for(tmp_path: Path) -> dict:
    config = tmp_path / "config"
    save_identity(config, SERGEANT)
    return {
        **os.environ,
        "OPHAMP_CONFIG": str(config),
        "OPHAMP_CRASH_DIR": str(tmp_path / "crashes"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }


def test_no_escape_from_user_text_reaches_the_terminal(tmp_path):
    root, _ = planted_store(tmp_path)
    keys = [(4.0, b"\r"), (2.0, b"1"), (2.0, b"\x1b"), (1.0, b"\x1b"), (1.0, b"\x11")]  # open, step 1, back, back, quit
    out = run_in_pty([sys.executable, "-m", "ophamp_tui", "--store", str(root)], env_for(tmp_path), keys)
    assert b"Supervisor aware" in out  # the step was really drawn
    assert b"PS Evil" in out or b"Evil" in out  # the planted field was shown, without its control codes
    assert b"PWNED-TITLE" not in out  # the whole OSC sequence, payload included, was removed
    assert b"\x1b]0;PWNED" not in out and b"\x1b[6n" not in out and "\x9b".encode() not in out


def test_a_crash_shows_no_personal_data(tmp_path):
    root, case_id = planted_store(tmp_path, victim="PC Zelda Quux")
    script = tmp_path / "crashing_ophamp.py"
    script.write_text(
        textwrap.dedent(f"""
        import sys
        from ophamp_tui.__main__ import main
        from ophamp_tui.screens.case import CaseScreen

        def action_history(self):
            victim_name = self.case.victim.name  # a local holding personal data, as real code would
            raise ValueError("cannot show history for " + victim_name)

        CaseScreen.action_history = action_history
        sys.exit(main(["--store", {str(root)!r}]))
    """)
    )
    keys = [(4.0, b"\r"), (2.0, b"h")]
    out = run_in_pty([sys.executable, str(script)], env_for(tmp_path), keys, timeout=25)
    after = out.rsplit(b"\x1b[?1049l", 1)[-1]  # what is printed once the full-screen app has gone
    text = after.decode("utf-8", "replace")
    assert "ophamp stopped because of an unexpected problem (ValueError)" in " ".join(text.split())
    assert "Zelda" not in text and "Quux" not in text
    assert "Traceback" not in text
    [report] = list((tmp_path / "crashes").glob("*.txt"))
    body = report.read_text(encoding="utf-8")
    assert "ValueError" in body and "Zelda" not in body and "Quux" not in body
    assert oct(report.stat().st_mode & 0o777) == "0o600"
