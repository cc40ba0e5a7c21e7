"""Bytes from the terminal (issue 10): the real program on a pseudo-terminal.

Each test starts ``python -m ophamp_tui --store ...`` on a pty, writes raw bytes as a terminal would, and
then checks what the store holds and how the process ended. The pty session and the Tab stress run are
in benchmarks/tab_stress.py (which runs the stress 50 times: figures in RELIABILITY.md).
"""

from __future__ import annotations

import os
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.tab_stress import PtyApp, run
from ophamp_tui.data.edits import new_case
from ophamp_tui.data.models import Incident, Victim
from ophamp_tui.data.store import Store
from ophamp_tui.data.text import strip_controls
from ophamp_tui.terminal import TerminalParser

from .ui_helpers import SERGEANT

REPO = Path(__file__).resolve().parent.parent
CASE_ID = "OH-261123-TERM"
ESC, CTRL_Q = b"\x1b", b"\x11"
PASTE_START, PASTE_END = b"\x1b[200~", b"\x1b[201~"


def one_case(tmp_path: Path) -> Path:
    root = tmp_path / "store"
    now = datetime.now(UTC)
    Store(root).create(
        new_case(
            victim=Victim(name="PC Zelda Quux", number="7788"),
            incident=Incident(occurred_at=now - timedelta(hours=3)),
            by=SERGEANT,
            now=now,
            case_id=CASE_ID,
        )
    )
    return root


def open_step_1(app: PtyApp) -> None:
    """From the case list into step 1, whose first field (the supervisor's name) has the focus."""
    assert app.wait_for("PC Zelda Quux", timeout=30), app.text()[-2000:]
    mark = app.mark()
    app.write(b"\r")
    assert app.wait_for("Supervisor aware", since=mark)
    mark = app.mark()
    app.write(b"1")
    assert app.wait_for("Supervisor: name", since=mark)
    time.sleep(0.3)  # let the step screen finish mounting before typing, as a person would


def quit_app(app: PtyApp) -> int | None:
    """Back to the case list (Escape saves the field being typed in), then Ctrl+Q; the exit status."""
    for _ in range(2):
        mark = app.mark()
        app.write(ESC)
        app.wait_for("Op Hampshire", since=mark, timeout=5)
        time.sleep(0.3)
    app.write(CTRL_Q)
    return app.wait_exit(15)


def step_1_fields(root: Path) -> dict:
    return Store(root).load(CASE_ID).steps["supervisor_aware"].fields


def test_latin1_bytes_are_typed_and_a_c1_byte_is_dropped(tmp_path):
    """Item 4: 0xA3 ('£' from a terminal set to ISO-8859-1) and a raw 0x9B used to end the app, status 0."""
    root = one_case(tmp_path)
    app = PtyApp(root, tmp_path)
    try:
        open_step_1(app)
        app.write(b"PS Kay \xa35 \x9bLee R\xe9e")  # not UTF-8: £, a lone C1 CSI, é
        mark = app.mark()
        app.write(b"s \xe9")  # an é typed last: the decoder holds it as the start of a character...
        assert app.wait_for("s é", since=mark, timeout=5)  # ...and shows it as Latin-1 when nothing follows
        status = quit_app(app)
    finally:
        app.close()
    assert step_1_fields(root)["supervisor_name"] == "PS Kay £5 Lee Rées é"
    assert status == 0
    assert not app.crash_dir.exists()


def test_the_input_thread_failing_stops_with_status_1_and_a_report(tmp_path):
    """Item 4: whatever kills the input thread, the app says so and exits 1, with a report and no personal data."""
    root = one_case(tmp_path)
    script = tmp_path / "broken_input.py"
    script.write_text(
        textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(REPO)!r})
        from textual._xterm_parser import XTermParser
        from ophamp_tui.__main__ import main

        feed = XTermParser.feed

        def broken_feed(self, data):
            if "\\x07" in data:
                victim = "PC Zelda Quux"  # a local holding personal data, as real code might
                raise RuntimeError("cannot read input for " + victim)
            return feed(self, data)

        XTermParser.feed = broken_feed
        sys.exit(main(["--store", {str(root)!r}]))
    """)
    )
    app = PtyApp(root, tmp_path, argv=[sys.executable, str(script)])
    try:
        assert app.wait_for("PC Zelda Quux", timeout=30)
        app.write(b"\x07")
        status = app.wait_exit(15)
        after = bytes(app.output).rsplit(b"\x1b[?1049l", 1)[-1].decode("utf-8", "replace")  # after the app's screen
    finally:
        app.close()
    assert status == 1
    assert "ophamp stopped because of an unexpected problem (RuntimeError)" in " ".join(after.split())
    assert "Zelda" not in after and "Traceback" not in after
    [report] = list(app.crash_dir.glob("*.txt"))
    body = report.read_text(encoding="utf-8")
    assert "RuntimeError" in body and "Zelda" not in body


def test_a_paste_is_text_even_with_escape_and_ctrl_q_in_it(tmp_path):
    """Item 5: ESC then Ctrl+Q inside a bracketed paste used to quit the app; the rest came as key presses."""
    root = one_case(tmp_path)
    name, number = "PS Alex\x1b\x11 Morgan", "45\x1b\x0267"
    app = PtyApp(root, tmp_path)
    try:
        open_step_1(app)
        app.write(PASTE_START + name.encode() + PASTE_END)
        app.write(b"\t")
        app.write(PASTE_START + number.encode() + PASTE_END)
        time.sleep(0.5)
        assert app.poll() is None, "the paste ended the app"
        status = quit_app(app)
    finally:
        app.close()
    fields = step_1_fields(root)
    assert fields["supervisor_name"] == strip_controls(name) == "PS Alex Morgan"
    assert fields["supervisor_number"] == "4567"
    assert status == 0


def test_escape_then_a_digit_straight_away_is_escape_then_the_digit(tmp_path):
    """Item 15: ESC then 1 within 100 ms was Alt+1 and typed '¡' into the field. Now: Escape (leave the step,
    saving what was typed), then 1 (on the case screen: open step 1 again)."""
    root = one_case(tmp_path)
    app = PtyApp(root, tmp_path)
    try:
        open_step_1(app)
        app.write(b"PS Kay")
        time.sleep(0.3)
        mark = app.mark()
        app.write(ESC)
        time.sleep(0.02)
        app.write(b"1")
        assert app.wait_for("Supervisor: name", since=mark, timeout=10)  # step 1 opened again by the 1
        time.sleep(0.3)
        status = quit_app(app)
    finally:
        app.close()
    assert "¡" not in app.text(mark)
    assert step_1_fields(root)["supervisor_name"] == "PS Kay"
    assert status == 0


def test_a_paste_cut_across_reads_is_still_one_paste():
    """Item 5, below the pty: the paste markers and the text may arrive in any number of reads."""
    parser = TerminalParser()
    tokens = [t for chunk in ["a\x1b[20", "0~PS \x1b\x11Al", "ex\x1b[2", "01~", "b\x1b[A"] for t in parser.feed(chunk)]
    assert [(type(t).__name__, getattr(t, "key", None) or t.text) for t in tokens] == [
        ("Key", "a"),
        ("Paste", "PS \x1b\x11Alex"),
        ("Key", "b"),
        ("Key", "up"),
    ]


def test_escape_then_a_key_is_two_keys_but_terminal_sequences_stay_whole():
    """Item 15, below the pty, all in one read: ESC + anything but '[' or 'O' is Escape, then that key."""

    def keys(data: str) -> list[str]:
        return [t.key for t in TerminalParser().feed(data)]

    assert keys("\x1b1") == ["escape", "1"]  # Textual: '¡' (a macOS Option character)
    assert keys("\x1bb") == ["escape", "b"]  # Textual: ctrl+left
    assert keys("\x1b\t") == ["escape", "tab"]  # Textual: shift+tab
    assert keys("\x1b\x1bx") == ["escape", "escape", "x"]
    assert keys("\x1b[A") == ["up"] and keys("\x1bOP") == ["f1"] and keys("\x1b[1;5C") == ["ctrl+right"]


def test_whole_forms_typed_in_a_burst_under_cpu_load_are_stored_as_typed(tmp_path):
    """Item 19: a Tab (or a menu pick, or Enter) followed at once by more keys sent those keys to the field
    being left ("PC Alex Morgan1234"). Three new-case forms, each typed as one burst with every core busy."""
    result = run(3, gap=0.0, burn=os.cpu_count() or 1, work=tmp_path)
    assert result.failures == []
    assert result.good == 3
